"""Lazy Auto* registration: ``import hf_spiking`` imports neither torch nor transformers, yet every model type, processor
and pipeline resolves through the transformers Auto* classes, whatever the import order."""

import builtins
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import transformers
from transformers import AutoConfig, pipelines
from transformers.models.auto import (
    feature_extraction_auto,
    image_processing_auto,
    modeling_auto,
    processing_auto,
    video_processing_auto,
)

import hf_spiking
from hf_spiking.auto_registration import ModelTypeRegistration, when_imported
from hf_spiking.models import family_modules

_MAPPINGS = {
    "AutoFeatureExtractor": feature_extraction_auto.FEATURE_EXTRACTOR_MAPPING,
    "AutoImageProcessor": image_processing_auto.IMAGE_PROCESSOR_MAPPING,
    "AutoProcessor": processing_auto.PROCESSOR_MAPPING,
}

REGISTRATIONS = [registration for family in family_modules() for registration in family.MODEL_TYPES]


def _run(code: str, **env: str) -> str:
    # stdin closed: a trust_remote_code prompt cannot wait for an answer.
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("registration", REGISTRATIONS, ids=lambda registration: registration.model_type)
def test_every_auto_class_resolves_to_the_family_class(registration):
    package = sys.modules[registration.package]
    config_class = getattr(package, registration.auto_classes["AutoConfig"])
    assert AutoConfig.for_model(registration.model_type).__class__ is config_class
    for auto_class, class_names in registration.auto_classes.items():
        if auto_class == "AutoConfig":
            continue
        # A tuple lists alternatives (e.g. point and event feature extractors), as transformers lists tokenizers.
        names = class_names if isinstance(class_names, tuple) else (class_names,)
        expected = tuple(getattr(package, name) for name in names)
        if auto_class in _MAPPINGS:
            resolved = _MAPPINGS[auto_class][config_class]
            resolved = resolved["pil"] if auto_class == "AutoImageProcessor" else resolved
        else:
            resolved = getattr(modeling_auto, auto_class)._model_mapping[config_class]
        resolved = resolved if isinstance(resolved, tuple) else (resolved,)
        assert resolved == expected, (auto_class, resolved, expected)


IMAGE_PROCESSOR_REGISTRATIONS = [r for r in REGISTRATIONS if "AutoImageProcessor" in r.auto_classes]


@pytest.mark.parametrize("registration", IMAGE_PROCESSOR_REGISTRATIONS, ids=lambda r: r.model_type)
def test_an_image_processor_auto_map_leads_to_no_remote_video_processor(registration, tmp_path, monkeypatch):
    # AutoVideoProcessor (which pipeline() tries for every vision task) guesses a remote video processor from the
    # AutoImageProcessor auto_map every saved hf_spiking image processor writes; the model type is known locally and
    # has no video processor, so it must neither ask whether to run that code nor resolve it, just raise a ValueError.
    # (The class itself, as pipeline() imports it: without torchvision, transformers exports a placeholder.)
    AutoConfig.for_model(registration.model_type).save_pretrained(tmp_path)
    name = registration.auto_classes["AutoImageProcessor"]
    (tmp_path / "preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": name,
        "auto_map": {"AutoImageProcessor": f"image_processing_{registration.model_type}.{name}"},
    }))
    questions = []
    monkeypatch.setattr(builtins, "input", lambda prompt="": questions.append(prompt) or "n")

    def no_remote_code(*args, **kwargs):
        raise AssertionError(f"remote code resolved: {args}")

    monkeypatch.setattr(video_processing_auto, "get_class_from_dynamic_module", no_remote_code)
    with pytest.raises(ValueError) as error:
        video_processing_auto.AutoVideoProcessor.from_pretrained(tmp_path)
    assert questions == [] and "trust_remote_code" not in str(error.value)
    assert video_processing_auto.VIDEO_PROCESSOR_MAPPING[type(AutoConfig.for_model(registration.model_type))] == {}


def test_image_classification_pipeline_asks_no_trust_remote_code_question(tmp_path):
    from hf_spiking.models.trevsnn import TRevSNNImageProcessor

    folder = tmp_path / "trevsnn"
    hf_spiking.create_model("trevsnn-test").save_pretrained(folder)
    TRevSNNImageProcessor(size={"shortest_edge": 36}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    assert "AutoImageProcessor" in json.loads((folder / "preprocessor_config.json").read_text())["auto_map"]
    code = textwrap.dedent(
        f"""
        import json
        import numpy as np
        from PIL import Image
        import hf_spiking
        from transformers import pipeline

        classifier = pipeline("image-classification", model={str(folder)!r})
        image = Image.fromarray(np.random.RandomState(0).randint(0, 256, (40, 48, 3), dtype=np.uint8))
        predictions = classifier(image, top_k=2)
        print("RESULT", json.dumps({{
            "image_processor": type(classifier.image_processor).__name__,
            "labels": [prediction["label"] for prediction in predictions],
            "scores": [prediction["score"] for prediction in predictions],
        }}))
        """
    )
    modules = tmp_path / "modules"
    out = _run(code, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1", HF_MODULES_CACHE=str(modules))
    assert "custom code" not in out and "trust_remote_code" not in out, out[-2000:]
    report = json.loads(out.rsplit("RESULT", 1)[1])
    assert report["image_processor"] == "TRevSNNImageProcessor"
    labels = hf_spiking.get_config("trevsnn-test").id2label.values()
    assert len(report["labels"]) == 2 and set(report["labels"]) <= set(labels)
    assert 0 <= report["scores"][1] <= report["scores"][0] <= 1
    # Nothing was copied from the folder as remote code.
    assert not modules.exists() or not any(modules.rglob("*.py"))


def test_model_types_do_not_shadow_transformers_models():
    models_folder = Path(transformers.__file__).parent / "models"
    for registration in REGISTRATIONS:
        assert not (models_folder / registration.model_type).exists(), registration.model_type


def test_pipelines_are_registered():
    tasks = pipelines.PIPELINE_REGISTRY.get_supported_tasks()
    for family in family_modules():
        for registration in family.PIPELINES:
            assert registration.task in tasks
            assert pipelines.PIPELINE_REGISTRY.check_task(registration.task)[1]["impl"].__name__ == (
                registration.pipeline_class.split(":")[1]
            )


def test_pipeline_defaults_model_classes_and_what_saved_folders_name():
    from hf_spiking.assets import default_model_path
    from hf_spiking.models.spiking_point_encoder import AutoModelForZeroShot3DClassification

    _, task, _ = pipelines.PIPELINE_REGISTRY.check_task("zero-shot-3d-classification")
    assert task["default"] == {"model": (str(default_model_path()), None)}
    assert task["pt"] == (AutoModelForZeroShot3DClassification,)  # the head, loaded once
    # Saved folders name a class transformers resolves under trust_remote_code, and no machine-local default.
    saved = task["impl"]._registered_impl["zero-shot-3d-classification"]
    assert saved["pt"] == (transformers.AutoModel,) and "default" not in saved


def test_registration_rejects_unknown_auto_classes():
    with pytest.raises(ValueError, match="AutoModelForMagic"):
        ModelTypeRegistration("x", "hf_spiking", {"AutoConfig": "X", "AutoModelForMagic": "Y"})
    with pytest.raises(ValueError, match="AutoConfig"):
        ModelTypeRegistration("x", "hf_spiking", {"AutoModel": "Y"})


def test_when_imported_runs_now_for_imported_modules_and_later_for_others():
    calls = []
    when_imported("json", lambda module: calls.append(module.__name__))
    assert calls == ["json"]
    name = "hf_spiking_test_module_that_does_not_exist_yet"
    when_imported(name, lambda module: calls.append(module.__name__))
    with pytest.raises(ModuleNotFoundError):
        __import__(name)
    assert calls == ["json"]


def test_import_is_light():
    out = _run("import hf_spiking, sys; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    assert out.strip() == "[]"


def test_registration_when_transformers_auto_modules_were_imported_first():
    out = _run(
        "from transformers import AutoConfig, AutoModelForImageClassification\n"
        "import hf_spiking\n"
        "config = AutoConfig.for_model('trevsnn', channels=(8, 16, 32, 64), num_columns=2)\n"
        "print(type(AutoModelForImageClassification.from_config(config)).__name__)\n"
    )
    assert out.strip() == "TRevSNNForImageClassification"


def test_registration_while_a_family_module_is_being_imported():
    # modeling_lvc imports AutoConfig halfway through its own import: the hook must not re-enter the half-imported module.
    out = _run(
        "import hf_spiking\n"
        "from hf_spiking.models.lvc.modeling_lvc import LVCForVideoQA\n"
        "from hf_spiking.models.lvc.configuration_lvc import LVCConfig\n"
        "from transformers import AutoModel\n"
        "print(AutoModel._model_mapping[LVCConfig] is LVCForVideoQA)\n"
    )
    assert out.strip() == "True"


def test_pipeline_registration_when_the_pipeline_module_is_imported_first():
    # The pipeline module imports transformers.pipelines, whose hook must wait for the class to exist.
    out = _run(
        "import hf_spiking\n"
        "from hf_spiking.models.lvc.pipeline_lvc import VideoQuestionAnsweringPipeline\n"
        "from transformers.pipelines import PIPELINE_REGISTRY\n"
        "print(PIPELINE_REGISTRY.check_task('video-question-answering')[1]['impl'] is VideoQuestionAnsweringPipeline)\n"
    )
    assert out.strip() == "True"


def test_package_attributes_are_lazy_and_complete():
    for family in family_modules():
        for name in family.__all__:
            assert getattr(hf_spiking, name) is getattr(family, name)
    with pytest.raises(AttributeError, match="NotAModel"):
        hf_spiking.NotAModel
