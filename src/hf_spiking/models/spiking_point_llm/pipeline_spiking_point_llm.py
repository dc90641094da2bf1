"""``pipeline("3d-question-answering")``: answers a question about a point cloud with a
[`SpikingPointLLMForConditionalGeneration`] (``pipe(cloud, question="what colour is it?")`` -> ``{"answer": ...}``).

Inputs are a cloud (an ``(N, 3)`` / ``(N, 6)`` array or tensor, or a point file the feature extractor reads) and a
question, or dicts ``{"point_cloud": ..., "question": ...}`` (a list of them answers several). Each item is
answered on its own (no padding enters the computation), so ``batch_size=n`` gives the ``batch_size=1`` answers.
Generation is greedy with ``max_new_tokens=32`` unless ``max_new_tokens=`` / ``generate_kwargs=`` say otherwise.

The task has no default checkpoint (no real point-language model ships with hf_spiking): ``pipeline(task)`` without
``model=`` raises a ValueError naming what to pass.
"""

from transformers import Pipeline

TASK = "3d-question-answering"


class Point3DQuestionAnsweringPipeline(Pipeline):
    """``(point cloud, question)`` -> ``{"answer": str}``."""

    _load_processor = True
    _load_tokenizer = False
    _load_image_processor = False
    _load_feature_extractor = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.processor is None:
            raise ValueError(f"the {TASK} pipeline needs a SpikingPointLLMProcessor (pass processor=...).")

    def __call__(self, point_cloud, question: str | None = None, **kwargs):
        if question is not None:
            point_cloud = {"point_cloud": point_cloud, "question": question}
        elif not isinstance(point_cloud, dict) and not (
            isinstance(point_cloud, list) and point_cloud and all(isinstance(item, dict) for item in point_cloud)
        ):
            raise ValueError(
                "pass the question: pipe(point_cloud, question='...') or pipe({'point_cloud': ..., 'question': ...})."
            )
        return super().__call__(point_cloud, **kwargs)

    def _sanitize_parameters(self, max_new_tokens=None, generate_kwargs=None):
        generate_kwargs = dict(generate_kwargs or {})
        if max_new_tokens is not None:
            if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
                raise ValueError(f"`max_new_tokens` must be a positive integer, got {max_new_tokens!r}.")
            generate_kwargs["max_new_tokens"] = max_new_tokens
        return {}, {"generate_kwargs": generate_kwargs}, {}

    def preprocess(self, inputs):
        question = inputs.get("question") if isinstance(inputs, dict) else None
        if not isinstance(question, str) or not question.strip() or "point_cloud" not in inputs:
            raise ValueError(
                f"each input needs a 'point_cloud' and a non-empty 'question' (a string), got {inputs!r:.200}."
            )
        # Kept out of the collator's reach (a dict is not a tensor): items are never padded together.
        return {"point_inputs": dict(self.processor(point_clouds=inputs["point_cloud"], text=question))}

    def _forward(self, model_inputs, generate_kwargs=None):
        items = model_inputs["point_inputs"]
        if isinstance(items, dict):  # batch_size=1: one item, not collated
            return {"generated_ids": self._generate(items, generate_kwargs)}
        return {"generated_ids": [self._generate(item, generate_kwargs) for item in items]}

    def _generate(self, point_inputs, generate_kwargs):
        inputs = {key: value.to(self.model.device) for key, value in point_inputs.items()}
        inputs["point_values"] = inputs["point_values"].to(self.model.dtype)
        generate_kwargs = {"max_new_tokens": 32, "do_sample": False, **(generate_kwargs or {})}
        generated = self.model.generate(**inputs, **generate_kwargs)
        return generated[0, inputs["input_ids"].shape[1]:].cpu()

    def postprocess(self, model_outputs):
        # Unbatching gives each item's ids a leading dimension of 1.
        generated_ids = model_outputs["generated_ids"].reshape(-1)
        return {"answer": self.processor.decode(generated_ids, skip_special_tokens=True).strip()}


__all__ = ["Point3DQuestionAnsweringPipeline"]
