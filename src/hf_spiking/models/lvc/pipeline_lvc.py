"""``pipeline("video-question-answering")``: answers a question about a video with an LVC model.

``pipe(video, question="...")`` generates a free-form answer. With ``options=[...]`` it answers a multiple-choice
question, scored in one of two ways (``scoring=``):

- ``"loglikelihood"`` (default): each option's log-likelihood after the video and question; the best one wins;
- ``"generate"``: the papers' protocol: the prompt lists the options with letters (``prompt_template="mlvu"``,
  ``"videomme"`` or ``"default"``, see :mod:`~hf_spiking.models.lvc.multiple_choice`), the model generates, and the
  first option letter of the answer picks the option (none: ``"answer": None``). The compression query is the bare
  question either way.

Batching (``batch_size=n``) groups items for the data loader (decoding and preprocessing can run in
``num_workers`` processes); the model then answers each item of a batch on its own, so every result equals its
``batch_size=1`` result exactly (no padding enters the computation).

The task has no default checkpoint: ``pipeline("video-question-answering")`` without ``model=`` raises a ValueError
naming what to pass.
"""

import torch
from transformers import Pipeline

from .multiple_choice import multiple_choice_prompt, parse_option_letter

TASK = "video-question-answering"
SCORINGS = ("loglikelihood", "generate")


def score_options(model, processor, inputs, question: str, options: list[str], length_normalize: bool = False):
    """Log-likelihood of each option, appended after the prompt, given the video and question.

    ``inputs`` is ``processor(videos=video, text=question)``. The video is encoded and compressed once and the
    options are scored in one batch; ``length_normalize`` divides each sum by the option's token count.
    """
    _check_options(options)
    device = model.device
    option_inputs = processor.tokenize_with_answers(
        [processor.build_prompt(question)] * len(options), list(options), add_eos=False,
        tokens_per_frame=processor.tokens_per_frame_of(inputs),
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


def _check_options(options) -> None:
    if isinstance(options, str) or not options or any(
        not isinstance(option, str) or not option.strip() for option in options
    ):
        raise ValueError(f"`options` must be a non-empty list of non-empty strings, got {options!r}.")
    # Equal options would split one answer's score between them and make the answer ambiguous.
    repeated = sorted({option.strip() for option in options if [o.strip() for o in options].count(option.strip()) > 1})
    if repeated:
        raise ValueError(f"`options` must be distinct, got {options!r} ({repeated} repeated).")


class VideoQuestionAnsweringPipeline(Pipeline):
    """``(video, question)`` -> ``{"answer": str, "frame_indices": [...]}``; with ``options=[...]`` also
    ``"options"`` and either ``"scores"`` (log-likelihood per option, in the given order; ``"answer"`` is the best
    option) or, with ``scoring="generate"``, ``"generated_text"`` and ``"answer_index"`` (the parsed option, or None).

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

    def _sanitize_parameters(
        self, options=None, length_normalize=None, scoring=None, prompt_template=None, max_new_tokens=None,
        generate_kwargs=None,
    ):
        if scoring is not None and scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}, got {scoring!r}.")
        preprocess_kwargs, forward_kwargs = {}, {}
        if options is not None:
            _check_options(options)
            preprocess_kwargs["options"] = forward_kwargs["options"] = list(options)
        if scoring is not None:
            preprocess_kwargs["scoring"] = forward_kwargs["scoring"] = scoring
        if prompt_template is not None:
            preprocess_kwargs["prompt_template"] = prompt_template
        if length_normalize is not None:
            forward_kwargs["length_normalize"] = length_normalize
        generate_kwargs = dict(generate_kwargs or {})
        if max_new_tokens is not None:
            generate_kwargs["max_new_tokens"] = max_new_tokens
        forward_kwargs["generate_kwargs"] = generate_kwargs
        return preprocess_kwargs, forward_kwargs, {}

    def preprocess(self, inputs, options=None, scoring="loglikelihood", prompt_template="default"):
        if not isinstance(inputs, dict) or "video" not in inputs or not inputs.get("question"):
            raise ValueError("each input needs a 'video' and a non-empty 'question'.")
        question = inputs["question"]
        text = question
        if options is not None and scoring == "generate":
            text = multiple_choice_prompt(question, options, prompt_template)
        # Kept out of the collator's reach (a dict is not a tensor): items are never padded together.
        video_inputs = dict(self.processor(videos=inputs["video"], text=text, queries=question))
        return {"video_inputs": video_inputs, "question": question}

    def _forward(self, model_inputs, options=None, scoring="loglikelihood", length_normalize=False,
                 generate_kwargs=None):
        answer_kwargs = dict(options=options, scoring=scoring, length_normalize=length_normalize,
                             generate_kwargs=generate_kwargs)
        if isinstance(model_inputs["question"], str):  # batch_size=1: one item, not collated
            return {"result": self._answer(model_inputs["video_inputs"], model_inputs["question"], **answer_kwargs)}
        return {"result": [self._answer(video_inputs, question, **answer_kwargs)
                           for video_inputs, question in zip(model_inputs["video_inputs"], model_inputs["question"])]}

    def _answer(self, video_inputs, question, options, scoring, length_normalize, generate_kwargs):
        model_inputs = dict(video_inputs)
        result = {"frame_indices": model_inputs.pop("frame_indices")[0].tolist()}
        if options is not None and scoring == "loglikelihood":
            scores = score_options(self.model, self.processor, model_inputs, question, options, length_normalize)
            result.update(options=options, scores=scores)
            return result
        generate_kwargs = {"max_new_tokens": 32, "do_sample": False, **(generate_kwargs or {})}
        prompt_length = model_inputs["input_ids"].shape[1]
        model_inputs = {key: value.to(self.model.device) for key, value in model_inputs.items()}
        model_inputs["pixel_values_videos"] = model_inputs["pixel_values_videos"].to(self.model.dtype)
        generated = self.model.generate(**model_inputs, **generate_kwargs)
        result["generated_ids"] = generated[0, prompt_length:].cpu()
        if options is not None:
            result["options"] = options
        return result

    def postprocess(self, model_outputs):
        outputs = model_outputs["result"]
        result = {"frame_indices": outputs["frame_indices"]}
        if "scores" in outputs:
            scores = outputs["scores"]
            best = max(range(len(scores)), key=scores.__getitem__)
            result.update(answer=outputs["options"][best], scores=scores, options=outputs["options"])
            return result
        text = self.processor.decode(outputs["generated_ids"], skip_special_tokens=True).strip()
        if "options" not in outputs:
            result["answer"] = text
            return result
        index = parse_option_letter(text, len(outputs["options"]))
        result.update(
            answer=None if index is None else outputs["options"][index], answer_index=index, generated_text=text,
            options=outputs["options"],
        )
        return result


__all__ = ["SCORINGS", "TASK", "VideoQuestionAnsweringPipeline", "score_options"]
