"""The preset registry (names, aliases, families) and, timm style, every test-sized preset end to end: build, forward,
save/load round trip with the same outputs, and reload through ``trust_remote_code`` where hf_spiking is hidden."""

import os
import subprocess
import sys
import textwrap

import pytest
import torch
from safetensors.torch import load_file, save_file

import hf_spiking
from hf_spiking.lazy import package_exports
from hf_spiking.models import FAMILIES, family_modules
from hf_spiking.registry import apply_config_overrides, get_config, get_preset, list_models, pretrained_models
from tests.remote_code import HIDE_HF_SPIKING

PAPER_SIZES = {"t", "s", "l", "h", "tiny", "small"}


def test_every_preset_name_ends_in_its_size():
    for name in list_models():
        preset = get_preset(name)
        size = name.rsplit("-", 1)[-1]
        assert size in PAPER_SIZES | {"test"} or preset.pretrained_path is not None, name
        assert name.split("-", 1)[0] in {"svl", "trevsnn", "lvc"}, name


def test_test_size_filter_splits_the_presets():
    tests, others = list_models(test_size=True), list_models(test_size=False)
    assert tests and all(name.endswith("-test") for name in tests)
    assert sorted(tests + others) == list_models()


@pytest.mark.parametrize(
    "old, new",
    [
        ("svl-pointformer-tiny", "svl-pointformer-test"),
        ("svl-e3dsnn-tiny", "svl-e3dsnn-test"),
        ("lvc-internvl-tiny", "lvc-internvl-test"),
        ("trevsnn-tiny-dvs", "trevsnn-dvs-tiny"),
        ("trevsnn-test-dvs", "trevsnn-dvs-test"),
    ],
)
def test_renamed_presets_resolve_with_a_future_warning(old, new):
    with pytest.warns(FutureWarning, match=f"'{old}' is deprecated; use '{new}'"):
        assert get_preset(old) is get_preset(new)
    assert old not in list_models()


def test_unknown_preset_names_the_available_ones():
    with pytest.raises(ValueError, match="Unknown model preset 'nope'.*svl-default"):
        get_preset("nope")


def test_config_overrides_set_scalars_and_bracketed_lists():
    config = apply_config_overrides(get_config("trevsnn-dvs-test"), "hidden_sizes=[16,32,64,96],num_columns=2")
    assert config.hidden_sizes == (16, 32, 64, 96) and config.num_columns == 2


@pytest.mark.parametrize(
    "overrides, message",
    [("hidden_sizes=16", r"hidden_sizes=\[8,16,32,48\]"), ("hidden_sizes=[16,32]", "four positive"), ("no_such_key=1", "no_such_key")],
)
def test_config_overrides_refuse_what_they_cannot_apply(overrides, message):
    with pytest.raises(ValueError, match=message):
        apply_config_overrides(get_config("trevsnn-dvs-test"), overrides)


def test_registry_reads_the_presets_of_every_family():
    families_with_presets = {get_preset(name).config_class.model_type for name in list_models()}
    assert families_with_presets <= set(FAMILIES)
    assert {"spiking_point_encoder", "trevsnn", "lvc"} <= families_with_presets


def test_family_exports_are_their_modules_all():
    seen = {}
    for family in family_modules():
        exports = package_exports(family.__file__)
        assert family.__all__ == list(exports)
        for name in exports:
            assert name not in seen, f"{name} exported by {seen.get(name)} and {family.__name__}"
            seen[name] = family.__name__
            assert getattr(hf_spiking, name) is getattr(family, name)


# --- every test-sized preset, end to end ----------------------------------------------------------------------------


def _inputs(model) -> dict:
    """A small deterministic batch in the model's documented input format."""
    config = model.config
    generator = torch.Generator().manual_seed(0)
    if config.model_type == "spiking_point_encoder":
        return {"point_values": torch.rand(2, 96, config.in_channels, generator=generator)}
    if config.model_type == "trevsnn":
        if config.dvs:
            events = torch.rand(config.num_columns, 2, config.num_channels, 32, 32, generator=generator) < 0.3
            return {"pixel_values": events.float()}
        return {"pixel_values": torch.randn(2, config.num_channels, 32, 32, generator=generator)}
    if config.model_type == "lvc":
        return _lvc_inputs(model, generator)
    if config.model_type == "spiking_point_llm":
        return _point_llm_inputs(model, generator)
    raise AssertionError(f"no test input for model type {config.model_type!r}: add one here")


def _lvc_inputs(model, generator) -> dict:
    from hf_spiking.models.lvc.presets import lvc_test_processor

    processor = lvc_test_processor(model.config)
    video = (torch.rand(20, 32, 32, 3, generator=generator) * 255).to(torch.uint8).numpy()
    inputs = processor(videos=[video], text=["what is shown?"], return_tensors="pt")
    return dict(inputs)


def _point_llm_inputs(model, generator) -> dict:
    from hf_spiking.models.spiking_point_llm.presets import point_qa_test_processor

    processor = point_qa_test_processor(model.config)
    clouds = [torch.rand(300, 6, generator=generator).numpy() for _ in range(2)]
    return dict(processor(point_clouds=clouds, text=["what colour is it?", "what is this object?"]))


def _main_output(output) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else next(iter(output.values()))


def _forward(model, inputs) -> torch.Tensor:
    with torch.no_grad():
        return _main_output(model(**inputs))


def _randomise_batch_norm(model):
    # Freshly initialised BatchNorm statistics can leave a spiking network silent (all-zero outputs prove nothing).
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.uniform_(0.01, 0.1)
            module.running_mean.normal_(0, 0.1)


REMOTE_SCRIPT = HIDE_HF_SPIKING + textwrap.dedent(
    """
    import torch, transformers
    from safetensors.torch import load_file, save_file

    folder, inputs_file, output_file = sys.argv[1:]
    config = json.load(open(f"{folder}/config.json"))
    architecture = config["architectures"][0]
    auto_class = next(auto for auto, ref in config["auto_map"].items() if ref.endswith("." + architecture))
    model = getattr(transformers, auto_class).from_pretrained(folder, trust_remote_code=True).eval()
    assert type(model).__name__ == architecture and type(model).__module__.startswith("transformers_modules.")
    with torch.no_grad():
        output = model(**load_file(inputs_file))
    output = output[0] if isinstance(output, tuple) else next(iter(output.values()))
    assert not any(m == "hf_spiking" or m.startswith("hf_spiking.") for m in sys.modules)
    save_file({"output": output.contiguous()}, output_file)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("name", list_models(test_size=True))
def test_test_sized_preset_builds_runs_round_trips_and_loads_as_remote_code(name, tmp_path):
    preset = get_preset(name)
    torch.manual_seed(0)
    model = hf_spiking.create_model(name).eval()
    _randomise_batch_norm(model)
    inputs = _inputs(model)
    expected = _forward(model, inputs)
    assert torch.isfinite(expected).all() and expected.abs().sum() > 0

    folder = tmp_path / "saved"
    model.save_pretrained(folder)
    reloaded = preset.model_class.from_pretrained(folder).eval()
    torch.testing.assert_close(_forward(reloaded, inputs), expected, rtol=0, atol=0)

    save_file({key: value.contiguous() for key, value in inputs.items()}, tmp_path / "inputs.safetensors")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_MODULES_CACHE": str(tmp_path / "modules"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", REMOTE_SCRIPT, str(folder), str(tmp_path / "inputs.safetensors"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    torch.testing.assert_close(load_file(tmp_path / "out")["output"], expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", pretrained_models())
def test_every_shipped_checkpoint_loads_with_its_preprocessing(name):
    from transformers import AutoFeatureExtractor

    preset = get_preset(name)
    folder = preset.pretrained_path()
    for file in ("config.json", "model.safetensors", "preprocessor_config.json", "README.md"):
        assert (folder / file).is_file(), file
    assert (folder / "model.safetensors").stat().st_size <= 10 * 2**20  # small enough to ship in the wheel
    model = hf_spiking.create_model(name, pretrained=True)
    assert type(model) is preset.model_class
    # The preset's configuration (pretrained=False) is the shipped model's architecture (a zero-shot preset gets its
    # folded classifier only when folded).
    shipped = {key: value.shape for key, value in model.state_dict().items()}
    random = {key: value.shape for key, value in hf_spiking.create_model(name).state_dict().items()}
    assert random.items() <= shipped.items() and set(shipped) - set(random) <= {"classifier.weight"}
    extractor = AutoFeatureExtractor.from_pretrained(folder)
    assert extractor.num_points == model.config.num_points  # the config records the preprocessing too
