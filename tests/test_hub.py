"""Model cards: YAML metadata, model-index and sections, validated offline by reloading the saved card."""

import pytest
import torch
import yaml
from huggingface_hub import EvalResult, ModelCard
from huggingface_hub.repocard_data import model_index_to_eval_results
from torch import nn

from hf_spiking.energy import estimate_energy
from hf_spiking.hub import create_model_card
from hf_spiking.snn import MultiSpike


class _TinyConfig:
    model_type = "tiny_spiking"
    name_or_path = "tiny/spiking-net"
    time_steps = 4
    max_level = 4


class TinySpikingForImageClassification(nn.Module):
    def __init__(self):
        super().__init__()
        self.config = _TinyConfig()
        self.encoder = nn.Linear(8, 16)
        self.spike = MultiSpike(4)
        self.classifier = nn.Linear(16, 3)

    def forward(self, x):
        return self.classifier(self.spike(self.encoder(x)))


def _front_matter(text: str) -> dict:
    _, yaml_block, _ = text.split("---\n", 2)
    return yaml.safe_load(yaml_block)


def test_model_card_round_trips_offline(tmp_path):
    torch.manual_seed(0)
    model = TinySpikingForImageClassification()
    energy = estimate_energy(model, torch.randn(2, 8))
    results = [
        EvalResult(
            task_type="image-classification", dataset_type="cifar10", dataset_name="CIFAR-10",
            dataset_split="test", metric_type="accuracy", metric_value=0.731,
        ),
        {
            "task_type": "image-classification", "dataset_type": "cifar100", "dataset_name": "CIFAR-100",
            "metric_type": "accuracy", "metric_value": 0.402,
        },
    ]
    card = create_model_card(model, eval_results=results, energy=energy, repo_id="someone/tiny-spiking", tags=["cifar"])
    path = tmp_path / "README.md"
    card.save(path)

    loaded = ModelCard.load(path)
    meta = _front_matter(path.read_text())
    assert meta["library_name"] == "hf_spiking"
    assert meta["pipeline_tag"] == "image-classification"
    assert meta["license"] == "apache-2.0"
    assert meta["tags"][:2] == ["spiking-neural-network", "hf_spiking"] and {"tiny_spiking", "cifar"} <= set(meta["tags"])
    assert meta["datasets"] == ["cifar10", "cifar100"] and meta["metrics"] == ["accuracy"]
    name, reloaded = model_index_to_eval_results(meta["model-index"])
    assert name == "someone/tiny-spiking"
    assert [(r.dataset_type, r.metric_value) for r in reloaded] == [("cifar10", 0.731), ("cifar100", 0.402)]
    assert [r.metric_value for r in loaded.data.eval_results] == [0.731, 0.402]

    text = loaded.text
    for heading in ("## Intended use", "## Evaluation results", "## Energy", "## Limitations", "## How to use"):
        assert heading in text
    assert f"{energy.total_energy_mj:.4g} mJ" in text
    assert "| Time steps (T) | 4 |" in text and "classifier" in text  # details table and per-layer rows
    assert 'AutoModel.from_pretrained("someone/tiny-spiking")' in text


def test_model_card_accepts_an_energy_dict_and_custom_sections():
    model = TinySpikingForImageClassification()
    energy = estimate_energy(model, torch.randn(1, 8), precision="int8").to_dict()
    card = create_model_card(
        model, energy=energy, pipeline_tag="feature-extraction", intended_use="Only for tests.",
        limitations="- None known.", license="mit", base_model="org/base",
    )
    meta = _front_matter(str(card))
    assert meta["pipeline_tag"] == "feature-extraction" and meta["license"] == "mit"
    assert meta["base_model"] == "org/base" and "model-index" not in meta
    assert "Only for tests." in card.text and "- None known." in card.text
    assert "E_MAC = 0.23 pJ" in card.text


def test_model_card_energy_section_gives_both_conventions_and_the_firing_rate_source():
    model = TinySpikingForImageClassification()
    inputs = torch.randn(2, 8)
    reports = [estimate_energy(model, inputs), estimate_energy(model, inputs, convention="paper")]
    text = create_model_card(model, energy=reports, firing_rates_from="random weights").text
    assert "Firing rates from: random weights." in text
    for report in reports:
        assert f'convention="{report.convention}"' in text and f"{report.total_energy_mj:.4g} mJ" in text
    assert "**Measured convention.**" in text and "**Paper convention.**" in text


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"eval_results": [{"metric_value": 1.0}]}, "task_type"),
        ({"eval_results": ["accuracy"]}, "EvalResult"),
        ({"energy": {"total_energy_mj": 1.0}}, "EnergyReport"),
    ],
)
def test_bad_card_inputs_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        create_model_card(TinySpikingForImageClassification(), **kwargs)
