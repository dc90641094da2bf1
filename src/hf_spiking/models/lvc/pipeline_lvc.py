"""``pipeline("video-question-answering")``: answers a question about a video with an LVC model.

``pipe(video, question="...")`` generates a free-form answer; ``pipe(video, question="...", options=[...])`` scores
each option by its log-likelihood given the video and question (multiple-choice evaluation, e.g. MLVU, Video-MME) and
returns the best one with all scores.
"""

import torch
from transformers import Pipeline

TASK = "video-question-answering"


def score_options(model, processor, inputs, question: str, options: list[str], length_normalize: bool = False):
    """Log-likelihood of each option, appended after the prompt, given the video and question.

    ``inputs`` is ``processor(videos=video, text=question)``. The video is encoded and compressed once and the
    options are scored in one batch; ``length_normalize`` divides each sum by the option's token count.
    """
    if not options or any(not isinstance(option, str) or not option.strip() for option in options):
        raise ValueError("options must be a non-empty list of non-empty strings.")
    device = model.device
    option_inputs = processor.tokenize_with_answers(
        [processor.build_prompt(question)] * len(options), list(options), add_eos=False
    )
    with torch.no_grad():
        video_features = model.get_video_features(
            inputs["pixel_values_videos"].to(device, model.dtype),
            inputs["query_input_ids"].to(device),
            inputs["query_attention_mask"].to(device),
            inputs["image_sizes_videos"].to(device) if "image_sizes_videos" in inputs else None,
        )
        logits = model(
            input_ids=option_inputs["input_ids"].to(device),
            attention_mask=option_inputs["attention_mask"].to(device),
            video_features=video_features.expand(len(options), *video_features.shape[1:]),
        ).logits
    labels = option_inputs["labels"][:, 1:].to(device)
    mask = labels != -100
    log_probs = logits[:, :-1].float().log_softmax(-1)
    token_log_probs = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
    totals = token_log_probs.sum(-1)
    if length_normalize:
        totals = totals / mask.sum(-1)
    return totals.tolist()


class VideoQuestionAnsweringPipeline(Pipeline):
    """``(video, question)`` -> ``{"answer": str, "frame_indices": [...]}``; with ``options=[...]`` also
    ``"scores"`` (log-likelihood per option, in the given order) and ``"answer"`` is the best option.

    ``video`` is a file path, a ``(T, H, W, 3)`` uint8 array or a list of PIL images (one video).
    """

    _load_processor = True
    _load_tokenizer = False
    _load_image_processor = False
    _load_video_processor = False
    _load_feature_extractor = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.processor is None:
            raise ValueError("the video-question-answering pipeline needs an LVCProcessor (pass processor=...).")

    def __call__(self, video, question: str | None = None, **kwargs):
        if question is not None:
            video = {"video": video, "question": question}
        elif not isinstance(video, dict) and not (isinstance(video, list) and all(isinstance(v, dict) for v in video)):
            raise ValueError("pass the question: pipe(video, question='...') or pipe({'video': ..., 'question': ...}).")
        return super().__call__(video, **kwargs)

    def _sanitize_parameters(self, options=None, length_normalize=None, max_new_tokens=None, generate_kwargs=None):
        forward_kwargs = {}
        if options is not None:
            forward_kwargs["options"] = list(options)
        if length_normalize is not None:
            forward_kwargs["length_normalize"] = length_normalize
        generate_kwargs = dict(generate_kwargs or {})
        if max_new_tokens is not None:
            generate_kwargs["max_new_tokens"] = max_new_tokens
        forward_kwargs["generate_kwargs"] = generate_kwargs
        return {}, forward_kwargs, {}

    def preprocess(self, inputs):
        if not isinstance(inputs, dict) or "video" not in inputs or not inputs.get("question"):
            raise ValueError("each input needs a 'video' and a non-empty 'question'.")
        model_inputs = self.processor(videos=inputs["video"], text=inputs["question"])
        model_inputs["question"] = inputs["question"]
        return model_inputs

    def _forward(self, model_inputs, options=None, length_normalize=False, generate_kwargs=None):
        question = model_inputs.pop("question")
        frame_indices = model_inputs.pop("frame_indices")
        result = {"frame_indices": frame_indices[0].tolist()}
        if options is not None:
            scores = score_options(self.model, self.processor, model_inputs, question, options, length_normalize)
            result.update(options=options, scores=scores)
            return result
        generate_kwargs = {"max_new_tokens": 32, "do_sample": False, **(generate_kwargs or {})}
        prompt_length = model_inputs["input_ids"].shape[1]
        model_inputs["pixel_values_videos"] = model_inputs["pixel_values_videos"].to(self.model.dtype)
        generated = self.model.generate(**model_inputs, **generate_kwargs)
        result["generated_ids"] = generated[:, prompt_length:]
        return result

    def postprocess(self, model_outputs):
        result = {"frame_indices": model_outputs["frame_indices"]}
        if "scores" in model_outputs:
            scores = model_outputs["scores"]
            best = max(range(len(scores)), key=scores.__getitem__)
            result.update(answer=model_outputs["options"][best], scores=scores, options=model_outputs["options"])
        else:
            text = self.processor.decode(model_outputs["generated_ids"][0], skip_special_tokens=True)
            result["answer"] = text.strip()
        return result


__all__ = ["TASK", "VideoQuestionAnsweringPipeline", "score_options"]
