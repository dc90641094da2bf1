"""Lazy Auto* registration: ``import hf_spiking`` imports neither torch nor transformers, yet every model type, processor
and pipeline resolves through the transformers Auto* classes, whatever the import order."""

import subprocess
import sys
from pathlib import Path

import pytest
import transformers
from transformers import AutoConfig, pipelines
from transformers.models.auto import (
    feature_extraction_auto,
    image_processing_auto,
    modeling_auto,
    processing_auto,
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


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
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
