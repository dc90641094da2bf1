"""SpikingPointProcessor: the point-cloud feature extractor paired with the text teacher's tokenizer."""

from transformers import BatchFeature, ProcessorMixin


class SpikingPointProcessor(ProcessorMixin):
    r"""
    Wraps a [`SpikingPointFeatureExtractor`] and the tokenizer of the text teacher (e.g. all-MiniLM-L6-v2 or CLIP's
    text tower) into one processor. ``processor(point_clouds=..., text=...)`` returns ``point_values`` and, when
    text is given, ``input_ids`` / ``attention_mask`` ready for [`SpikingPointEncoderForPreTraining`] or
    [`SpikingPointEncoderForZeroShotClassification`].
    """


    def __init__(self, feature_extractor=None, tokenizer=None, **kwargs):
        super().__init__(feature_extractor, tokenizer, **kwargs)

    def __call__(self, point_clouds=None, text=None, return_tensors="pt", **kwargs) -> BatchFeature:
        if point_clouds is None and text is None:
            raise ValueError("Pass `point_clouds`, `text` or both.")
        data = {}
        if point_clouds is not None:
            data.update(self.feature_extractor(point_clouds, return_tensors=return_tensors))
        if text is not None:
            kwargs.setdefault("padding", True)
            kwargs.setdefault("truncation", True)
            data.update(self.tokenizer(text, return_tensors=return_tensors, **kwargs))
        return BatchFeature(data, tensor_type=return_tensors)

    @property
    def model_input_names(self):
        return ["point_values", *self.tokenizer.model_input_names]


__all__ = ["SpikingPointProcessor"]
