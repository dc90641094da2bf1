"""SVL's pretraining claim in miniature: the same encoder fine-tuned for 3D classification from the SVL-pretrained
weights, from random initialisation, and as its ANN twin (every spiking neuron a ReLU, random initialisation), at one
small equal budget, for several seeds; reports validation OA per run, the mean of each variant with its 95 % t
interval, and the paired (same seed: same split, same augmentation order) difference pretrained - scratch.

    python scripts/benchmarks/bench_pretraining_gain.py --data-dir /data/ModelNet40 --epochs 1 \
        --output-dir runs/pretraining_gain --output outputs/pretraining_gain.json

Each run is ``hf-spiking finetune-point-classifier`` on the stratified validation split (the test split is not read);
finished runs are kept in ``--output-dir/<variant>-seed<k>/results.json`` and reused, so an interrupted benchmark
resumes. Progress and the result table are printed: they are this program's output.
"""

import argparse
import json
from pathlib import Path

VARIANTS = {
    "pretrained": [],
    "scratch": ["--from_scratch", "true"],
    "ann-scratch": ["--from_scratch", "true", "--config_overrides", "spike_activation=relu"],
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="SVL-pretrained folder (default: the shipped svl-default)")
    parser.add_argument("--dataset", default="modelnet40-npy", help="a --dataset of finetune-point-classifier")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--epochs", type=float, default=1.0, help="the equal budget, in epochs of the training split")
    parser.add_argument("--num-points", type=int, default=1024, help="points per cloud")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--output-dir", default="runs/pretraining_gain")
    parser.add_argument("--output", default="outputs/pretraining_gain.json")
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    if args.epochs <= 0:
        raise ValueError(f"--epochs must be positive, got {args.epochs}")
    if len(set(args.seeds)) < 2:
        raise ValueError(f"--seeds needs at least two different seeds for an interval, got {args.seeds}")
    return args


def run_variant(args: argparse.Namespace, model: str, variant: str, seed: int) -> dict:
    """One fine-tuning run (or its saved results when it already finished)."""
    from hf_spiking.jobs.finetune_point_classifier import finetune
    from hf_spiking.jobs.finetune_point_classifier import parse_arguments as parse_job_arguments

    output = Path(args.output_dir) / f"{variant}-seed{seed}"
    if (output / "results.json").is_file():
        return json.loads((output / "results.json").read_text())
    job_argv = [
        "--model_name_or_path", model, "--dataset", args.dataset, "--data_dir", args.data_dir,
        "--output_dir", str(output), "--seed", str(seed), "--num_train_epochs", str(args.epochs), "--do_train",
        "--num_points", str(args.num_points),
        "--eval_strategy", "no", "--save_strategy", "no", "--load_best_model_at_end", "false",
        "--disable_tqdm", "true", *VARIANTS[variant],
    ]
    return finetune(*parse_job_arguments(job_argv))


def summarise(accuracies: dict[str, dict[str, float]]) -> dict:
    from hf_spiking.metrics.intervals import mean_t_interval

    summary = {name: dict(zip(("mean", "low", "high"), mean_t_interval(list(runs.values()))))
               for name, runs in accuracies.items()}
    if {"pretrained", "scratch"} <= accuracies.keys():
        seeds = sorted(accuracies["pretrained"].keys() & accuracies["scratch"].keys())
        gains = [accuracies["pretrained"][seed] - accuracies["scratch"][seed] for seed in seeds]
        summary["pretrained - scratch"] = dict(zip(("mean", "low", "high"), mean_t_interval(gains)))
    return summary


def main(argv: list[str] | None = None) -> dict:
    args = parse_arguments(argv)
    from hf_spiking.assets import default_model_path

    model = args.model or str(default_model_path())
    accuracies: dict[str, dict[str, float]] = {variant: {} for variant in args.variants}  # seeds as JSON keys
    for seed in args.seeds:
        for variant in args.variants:
            results = run_variant(args, model, variant, seed)
            accuracies[variant][str(seed)] = results["validation"]["accuracy"]
            print(f"{variant:<12} seed {seed}: validation OA {accuracies[variant][str(seed)]:.2f} %", flush=True)
    summary = summarise(accuracies)
    print(f"\n{'variant':<22}{'mean OA (%)':>12}{'95 % t interval':>22}")
    for name, row in summary.items():
        interval = f"[{row['low']:.2f}, {row['high']:.2f}]"
        print(f"{name:<22}{row['mean']:>12.2f}{interval:>22}")
    result = {"model": model, "dataset": args.dataset, "epochs": args.epochs, "seeds": args.seeds,
              "validation_accuracy": accuracies, "summary": summary}
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
