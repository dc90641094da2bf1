"""Model cards for hf_spiking models: Hub metadata, evaluation results and an energy section, built offline.

:func:`create_model_card` returns a :class:`huggingface_hub.ModelCard` whose YAML front matter carries
``library_name``, ``pipeline_tag``, ``tags`` (always ``spiking-neural-network`` and ``hf_spiking``), ``datasets``,
``metrics`` and the ``model-index`` built from the evaluation results. Save it with ``card.save(folder /
"README.md")`` next to ``save_pretrained`` output. Everything works offline; ``card.validate()`` would call the Hub,
so check a card by reloading it instead (``ModelCard.load`` + ``model_index_to_eval_results``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData
from torch import nn

from .energy import EnergyReport, format_energy_table

# Head-class suffix -> Hub pipeline tag, used when `pipeline_tag` is not given. Point-cloud heads get none: the Hub
# has no 3D task, and "zero-shot-classification" is the text task; their task goes into the tags instead.
_PIPELINE_TAGS = {
    "ForImageClassification": "image-classification",
    "ForVideoClassification": "video-classification",
    "ForVideoQA": "video-text-to-text",
    "ForImageTextToText": "image-text-to-text",
}
# Head-class suffix -> (task tags, how-to-use code with "{repo}" for the model id).
_USAGE = {
    "ForZeroShotClassification": (
        ("zero-shot-3d-classification", "point-cloud"),
        'import hf_spiking  # registers the hf_spiking architectures and pipelines with transformers\n'
        "from transformers import pipeline\n\n"
        'classifier = pipeline("zero-shot-3d-classification", model="{repo}")\n'
        "classifier(cloud)  # cloud: an (N, 3) or (N, 6) array, or a .npy/.ply/.off/... file path\n"
        'classifier(cloud, candidate_labels=["chair", "spaceship"])',
    ),
    "ForPointCloudClassification": (
        ("point-cloud-classification", "point-cloud"),
        'import hf_spiking  # registers the hf_spiking architectures and pipelines with transformers\n'
        "from transformers import pipeline\n\n"
        'classifier = pipeline("point-cloud-classification", model="{repo}")\n'
        "classifier(cloud)  # a point cloud (N, C) or file; event-cloud models: a read_events() stream or event file",
    ),
    "ForSemanticSegmentation": (
        ("point-cloud-segmentation", "point-cloud"),
        'import hf_spiking  # registers the hf_spiking architectures and pipelines with transformers\n'
        "from transformers import pipeline\n\n"
        'segmenter = pipeline("point-cloud-segmentation", model="{repo}")\n'
        "segments = segmenter(scan)  # scan: an (N, C) array (x, y, z, intensity) or a .bin Velodyne scan; "
        'segments["labels"]: one class per point',
    ),
    "ForObjectDetection": (
        ("3d-object-detection", "point-cloud"),
        'import hf_spiking  # registers the hf_spiking architectures and pipelines with transformers\n'
        "from transformers import pipeline\n\n"
        'detector = pipeline("3d-object-detection", model="{repo}")\n'
        "objects = detector(scan)  # scan: an (N, C) array (x, y, z, intensity) or a .bin Velodyne scan; one "
        '{"label", "score", "box": {x, y, z, l, w, h, yaw}} per object',
    ),
}
_DEFAULT_USAGE = (
    (),
    "import hf_spiking  # registers the hf_spiking architectures with transformers\n"
    "from transformers import AutoModel\n\n"
    'model = AutoModel.from_pretrained("{repo}")',
)

DEFAULT_LIMITATIONS = (
    "- Energy figures are compute-only estimates (dense MACs at E_MAC for real-valued layer inputs, synaptic "
    "accumulates at E_AC for spike inputs, 45 nm constants); they ignore memory access and data movement, which "
    "dominate on real hardware, and depend on the input's firing rates.\n"
    "- Spiking models are evaluated with the number of time steps in the config; other time steps change accuracy "
    "and energy.\n"
    "- Integer (multi-level) spikes are accumulate-only only when each count is played out as binary events on "
    "the target hardware; on a GPU or CPU they run as ordinary floating-point layers."
)


def _eval_result(result: EvalResult | Mapping[str, Any]) -> EvalResult:
    if isinstance(result, EvalResult):
        return result
    if not isinstance(result, Mapping):
        raise ValueError(f"`eval_results` entries must be EvalResult objects or mappings, got {type(result).__name__}.")
    try:
        return EvalResult(**result)
    except TypeError as error:
        raise ValueError(
            "`eval_results` mappings need the EvalResult fields task_type, dataset_type, dataset_name, metric_type "
            f"and metric_value (optionally dataset_split, metric_name, ...): {error}"
        ) from None


def _unique(items) -> list:
    return list(dict.fromkeys(item for item in items if item))


def _default_pipeline_tag(model: nn.Module) -> str | None:
    name = type(model).__name__
    return next((tag for suffix, tag in _PIPELINE_TAGS.items() if name.endswith(suffix)), None)


def _usage(model: nn.Module) -> tuple[tuple[str, ...], str]:
    """(task tags, how-to-use code template) of the model's head class."""
    name = type(model).__name__
    return next((usage for suffix, usage in _USAGE.items() if name.endswith(suffix)), _DEFAULT_USAGE)


def _details_table(model: nn.Module) -> str:
    config = getattr(model, "config", None)
    rows = [("Architecture", f"`{type(model).__name__}`")]
    if getattr(config, "model_type", None):
        rows.append(("Model type", f"`{config.model_type}`"))
    rows.append(("Parameters", f"{sum(p.numel() for p in model.parameters()):,}"))
    for field, label in (("time_steps", "Time steps (T)"), ("max_level", "Integer spike levels (D)")):
        value = getattr(config, field, None)
        if value is not None:
            rows.append((label, str(value)))
    return "| | |\n|---|---|\n" + "\n".join(f"| {label} | {value} |" for label, value in rows)


def _eval_table(results: list[EvalResult]) -> str:
    lines = ["| Task | Dataset | Split | Metric | Value |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.task_name or r.task_type} | {r.dataset_name} | {r.dataset_split or '-'} | "
            f"{r.metric_name or r.metric_type} | {r.metric_value} |"
        )
    return "\n".join(lines)


_CONVENTION_TEXT = {
    "measured": "each Linear/Conv layer whose input is real-valued is charged its dense MACs at E_MAC; a layer whose "
    "input holds binary or integer spikes is charged SOPs = (sum of input spike counts) x fan-out at E_AC",
    "paper": "the spiking-network papers' accounting: the encoding layers (whose input comes from the model inputs "
    "without passing through spikes) are charged their dense MACs at E_MAC, every other layer firing rate x its dense "
    "MACs at E_AC (a layer fed real values computed from spikes at the rate of those spikes), and a site-pooled final "
    "layer per site",
}


def _energy_report(energy: EnergyReport | Mapping[str, Any]) -> dict:
    report = energy.to_dict() if isinstance(energy, EnergyReport) else dict(energy)
    missing = {"total_energy_mj", "layers", "e_mac_pj", "e_ac_pj"} - set(report)
    if missing:
        raise ValueError(f"`energy` must be an EnergyReport or its to_dict(); missing keys {sorted(missing)}.")
    return report


def _energy_section(energy, firing_rates_from: str | None) -> str:
    reports = [_energy_report(e) for e in (energy if isinstance(energy, (list, tuple)) else [energy])]
    parts = []
    if firing_rates_from:
        parts.append(f"Firing rates from: {firing_rates_from}.")
    for report in reports:
        convention = report.get("convention", "measured")
        rate = report.get("mean_firing_rate")
        dense = report.get("dense_energy_mj")
        rows = [
            ("Energy per sample", f"{report['total_energy_mj']:.4g} mJ"),
            ("of which MAC / AC", f"{report.get('mac_energy_mj', 0):.4g} mJ / {report.get('ac_energy_mj', 0):.4g} mJ"),
            ("Same network as an ANN (all dense MACs)", "-" if dense is None else f"{dense:.4g} mJ"),
            ("Mean firing rate (spikes per input element)", "-" if rate is None else f"{rate:.4f}"),
            ("Costs", f"E_MAC = {report['e_mac_pj']} pJ, E_AC = {report['e_ac_pj']} pJ ({report.get('precision', '')})"),
        ]
        table = "| | |\n|---|---|\n" + "\n".join(f"| {label} | {value} |" for label, value in rows)
        parts.append(
            f"**{convention.capitalize()} convention.** Estimated with `hf_spiking.estimate_energy(..., "
            f'convention="{convention}")`: {_CONVENTION_TEXT[convention]}; all time steps are counted and the totals '
            f"are per sample.\n\n{table}\n\n<details><summary>Per-layer breakdown ({convention})</summary>\n\n"
            f"```text\n{format_energy_table(report)}\n```\n\n</details>"
        )
    return "\n\n".join(parts)


def create_model_card(
    model: nn.Module,
    eval_results: Sequence[EvalResult | Mapping[str, Any]] | None = None,
    energy: EnergyReport | Mapping[str, Any] | Sequence[EnergyReport | Mapping[str, Any]] | None = None,
    *,
    firing_rates_from: str | None = None,
    model_name: str | None = None,
    repo_id: str | None = None,
    model_description: str | None = None,
    intended_use: str | None = None,
    limitations: str = DEFAULT_LIMITATIONS,
    pipeline_tag: str | None = None,
    datasets: str | Sequence[str] | None = None,
    tags: Sequence[str] = (),
    license: str = "apache-2.0",
    library_name: str | None = None,
    **card_data: Any,
) -> ModelCard:
    """Builds the model card of an hf_spiking model (offline).

    Args:
        model: the model (a transformers ``PreTrainedModel`` or any ``nn.Module``).
        eval_results: ``huggingface_hub.EvalResult`` objects or mappings of their fields (``task_type``,
            ``dataset_type``, ``dataset_name``, ``metric_type``, ``metric_value``, ...); written as ``model-index``.
        energy: an :class:`~hf_spiking.energy.EnergyReport` or its ``to_dict()``, or one per convention (e.g. the
            measured and the paper convention), rendered as the Energy section.
        firing_rates_from: where the energy's firing rates come from (e.g. "the trained checkpoint on 32 test
            clouds" or "random weights"), stated in the Energy section.
        model_name: the card title and ``model-index`` name; defaults to the repo id, the config's
            ``name_or_path`` or the class name.
        repo_id: Hub id used in the usage snippet.
        model_description, intended_use, limitations: Markdown for those sections (sensible defaults).
        pipeline_tag: Hub task; inferred from the head class name when possible.
        datasets: dataset ids; default: the ``dataset_type`` of the evaluation results.
        tags: extra tags; ``spiking-neural-network``, ``hf_spiking`` and the config's ``model_type`` are added.
        library_name: default ``"transformers"`` when the config has an ``auto_map`` (loadable with
            ``trust_remote_code``), else ``"hf_spiking"``.
        **card_data: further ``ModelCardData`` fields (``base_model``, ``language``, ``metrics``, ...).
    """
    config = getattr(model, "config", None)
    results = [_eval_result(r) for r in eval_results or ()]
    name = model_name or repo_id or getattr(config, "name_or_path", None) or type(model).__name__
    if isinstance(datasets, str):
        datasets = [datasets]
    task_tags, usage = _usage(model)
    data = ModelCardData(
        model_name=name,
        library_name=library_name or ("transformers" if getattr(config, "auto_map", None) else "hf_spiking"),
        pipeline_tag=pipeline_tag or _default_pipeline_tag(model),
        license=license,
        tags=_unique(["spiking-neural-network", "hf_spiking", getattr(config, "model_type", None), *task_tags, *tags]),
        datasets=_unique(datasets if datasets is not None else (r.dataset_type for r in results)) or None,
        metrics=card_data.pop("metrics", None) or _unique(r.metric_type for r in results) or None,
        eval_results=results or None,
        **card_data,
    )
    description = model_description or (
        f"A spiking neural network (`{type(model).__name__}`) packaged with `hf_spiking` for the Hugging Face "
        "ecosystem: safetensors weights, a `config.json` and the transformers Auto classes."
    )
    sections = [
        f"# {name}",
        description,
        "## Model details\n\n" + _details_table(model),
        "## How to use\n\n```python\n" + usage.replace("{repo}", str(repo_id or name)) + "\n```",
        "## Intended use\n\n"
        + (intended_use or "Research on energy-efficient spiking networks; fine-tuning and evaluation on the task "
           "above. Not validated for safety-critical or deployment decisions."),
    ]
    if results:
        sections.append("## Evaluation results\n\n" + _eval_table(results))
    if energy is not None:
        sections.append("## Energy\n\n" + _energy_section(energy, firing_rates_from))
    sections.append("## Limitations\n\n" + limitations)
    content = f"---\n{data.to_yaml()}\n---\n\n" + "\n\n".join(sections) + "\n"
    return ModelCard(content)


__all__ = ["DEFAULT_LIMITATIONS", "create_model_card"]
