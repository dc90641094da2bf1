"""Accuracy: the fraction of predictions equal to their references, as an offline `evaluate` metric script.

Load it with ``evaluate.load(hf_spiking.metrics.accuracy_metric_path())``; no network access is needed.
"""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """
Accuracy is the proportion of correct predictions among all predictions:
Accuracy = (TP + TN) / (TP + TN + FP + FN), i.e. mean(prediction == reference), optionally weighted per sample.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted labels.
    references (`list` of `int`): ground-truth labels.
    normalize (`bool`, defaults to `True`): return the fraction of correct predictions; `False` returns their count
        (or summed weights).
    sample_weight (`list` of `float`, *optional*): per-sample weights.
Returns:
    accuracy (`float` or `int`): in [0, 1] when normalised, else the (weighted) count of correct predictions.
Examples:
    >>> metric = evaluate.load(accuracy_metric_path())
    >>> metric.compute(predictions=[0, 1, 1], references=[0, 1, 0])
    {'accuracy': 0.6666666666666666}
"""

_CITATION = """
@article{scikit-learn, title={Scikit-learn: Machine Learning in {P}ython}, author={Pedregosa, F. and others},
journal={Journal of Machine Learning Research}, volume={12}, pages={2825--2830}, year={2011}}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Accuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(self, predictions, references, normalize=True, sample_weight=None):
        predictions = np.asarray(predictions)
        references = np.asarray(references)
        if predictions.shape != references.shape:
            raise ValueError(
                f"`predictions` and `references` must have the same length, got {predictions.shape} and {references.shape}."
            )
        weights = np.ones(len(predictions)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        correct = float(np.sum(weights * (predictions == references)))
        if not normalize:
            return {"accuracy": correct if sample_weight is not None else int(correct)}
        total = float(np.sum(weights))
        return {"accuracy": correct / total if total else 0.0}
