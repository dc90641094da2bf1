"""Bad-input corpus, labels: candidate labels and prompt templates of zero-shot 3D classification.

A duplicated class would split its probability ("chair 0.50 / chair 0.50"), an empty or missing name would score a
prompt about nothing, a template without exactly one ``{}`` would fail inside ``str.format``: each is refused with a
ValueError naming the argument, the offending value and the expected form. Label arrays from numpy are accepted
as the list they hold (the same scores). The model is folded from random class embeddings, so no text encoder runs.
"""

import numpy as np
import pytest
import torch
from transformers import pipeline

import hf_spiking
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointFeatureExtractor,
)
from hf_spiking.models.spiking_point_encoder.zero_shot import class_prompt_features

FOLDED = ["chair", "lamp", "table"]


@pytest.fixture(scope="module")
def classifier():
    torch.manual_seed(0)
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    model.fold_class_embeddings(FOLDED, torch.randn(len(FOLDED), model.config.text_embed_dim))
    return pipeline("zero-shot-3d-classification", model=model,
                    feature_extractor=SpikingPointFeatureExtractor(num_points=64))


@pytest.fixture(scope="module")
def cloud():
    return np.random.default_rng(0).random((200, 3))


# (case id, pipeline keyword arguments, regular expressions the message must match: argument, value, expected form)
REFUSED = [
    ("duplicate-label", {"candidate_labels": ["chair", "lamp", "chair"]},
     [r"`candidate_labels`", r"'chair' and 'chair'", r"each class must appear once"]),
    ("duplicate-label-case-and-spaces", {"candidate_labels": ["Chair", "  chair "]},
     [r"`candidate_labels`", r"'Chair' and '  chair '", r"ignoring case and spaces"]),
    ("none-label", {"candidate_labels": ["chair", None]},
     [r"`candidate_labels`\[1\]", r"is None", r"non-empty string"]),
    ("empty-label", {"candidate_labels": ["", "lamp"]},
     [r"`candidate_labels`\[0\]", r"is ''", r"non-empty string"]),
    ("whitespace-label", {"candidate_labels": ["chair", "   "]},
     [r"`candidate_labels`\[1\]", r"is '   '", r"non-empty string"]),
    ("empty-part-of-comma-string", {"candidate_labels": "chair,,lamp"},
     [r"`candidate_labels`\[1\]", r"is ''", r"non-empty string"]),
    ("empty-list", {"candidate_labels": []},
     [r"`candidate_labels`", r"got \[\]", r"non-empty list of class names"]),
    ("set-of-labels", {"candidate_labels": {"chair", "lamp"}},
     [r"`candidate_labels`", r"got \{", r"non-empty list of class names"]),
    ("label-not-a-string", {"candidate_labels": ["chair", 3]},
     [r"`candidate_labels`\[1\]", r"is 3", r"non-empty string"]),
    ("two-dimensional-label-array", {"candidate_labels": np.array([["chair", "lamp"]])},
     [r"`candidate_labels`", r"shape \(1, 2\)", r"1-D list of class names"]),
    ("template-with-named-field", {"candidate_labels": ["chair", "sofa"], "hypothesis_template": "a {x}."},
     [r"`hypothesis_template`", r"'a \{x\}\.'", r"exactly one '\{\}'"]),
    ("template-without-field", {"candidate_labels": ["chair", "sofa"], "hypothesis_template": "a point cloud"},
     [r"`hypothesis_template`", r"'a point cloud' has no '\{\}'", r"exactly one '\{\}'"]),
    ("template-with-two-fields", {"candidate_labels": ["chair", "sofa"], "hypothesis_template": "{} or {}"},
     [r"`hypothesis_template`", r"'\{\} or \{\}'", r"exactly one '\{\}'"]),
    ("template-with-stray-brace", {"candidate_labels": ["chair", "sofa"], "hypothesis_template": "a {} {"},
     [r"`hypothesis_template`", r"'a \{\} \{'", r"not a usable format string.*exactly one '\{\}'"]),
    ("template-not-a-string", {"candidate_labels": ["chair", "sofa"], "hypothesis_template": 7},
     [r"`hypothesis_template`", r"got 7", r"exactly one '\{\}'"]),
]


@pytest.mark.parametrize("kwargs, patterns", [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_pipeline_refuses_bad_labels_and_templates(classifier, cloud, kwargs, patterns):
    with pytest.raises(ValueError) as error:
        classifier(cloud, **kwargs)
    for pattern in patterns:
        assert error.match(pattern)


HELPER_REFUSED = [
    ("helper-duplicate-class-names", (["car", "car"], ["a {}."]), [r"`class_names`", r"'car' and 'car'"]),
    ("helper-template-with-named-field", (["car", "bus"], ["a {x}."]), [r"`templates\[0\]`", r"'a \{x\}\.'"]),
    ("helper-template-string-not-list", (["car", "bus"], "a {}."), [r"`templates`", r"non-empty list of templates"]),
]


@pytest.mark.parametrize("arguments, patterns", [case[1:] for case in HELPER_REFUSED],
                         ids=[case[0] for case in HELPER_REFUSED])
def test_class_prompt_features_refuses_before_encoding(arguments, patterns):
    # No text encoder is given: the check must come before any text is encoded.
    with pytest.raises(ValueError) as error:
        class_prompt_features(*arguments, text_encoder=None, tokenizer=None)
    for pattern in patterns:
        assert error.match(pattern)


ACCEPTED = [
    ("numpy-array-of-labels", np.array(["table", "chair"])),
    ("tuple-of-labels", ("table", "chair")),
    ("comma-separated-string", " table , chair "),
]


@pytest.mark.parametrize("labels", [case[1] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED])
def test_label_containers_give_the_scores_of_the_plain_list(classifier, cloud, labels):
    expected = classifier(cloud, candidate_labels=["table", "chair"])
    result = classifier(cloud, candidate_labels=labels)
    assert [r["label"] for r in result] == [r["label"] for r in expected]
    assert all(type(r["label"]) is str for r in result)
    assert [r["score"] for r in result] == pytest.approx([r["score"] for r in expected], abs=1e-7)
    assert sum(r["score"] for r in result) == pytest.approx(1.0)
