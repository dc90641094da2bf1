"""Import cost of hf_spiking next to transformers, in fresh interpreters (median of N runs, wall clock).

Target (foundation issue): ``import hf_spiking`` within 3 s of ``import transformers``. Registration with the Auto*
classes is lazy, so its cost shows up on the first use of an Auto* class instead; the last rows measure that.

    python scripts/benchmarks/bench_import.py [--repeats 5] [--output outputs/bench_import.json]

The table is printed: it is this program's output (as for every module of :mod:`hf_spiking.benchmarks`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

STATEMENTS = {
    "python (interpreter start)": "pass",
    "import transformers": "import transformers",
    "import hf_spiking": "import hf_spiking",
    "import torch": "import torch",
    "from transformers import AutoModel": "from transformers import AutoModel",
    "import hf_spiking + AutoModel": "import hf_spiking; from transformers import AutoModel",
    "import hf_spiking + AutoModel.from_config": (
        "import hf_spiking; from transformers import AutoConfig, AutoModel; "
        "AutoModel.from_config(AutoConfig.for_model('trevsnn'))"
    ),
}


def time_statement(code: str, repeats: int) -> list[float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("outputs/bench_import.json"))
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> dict:
    args = parse_arguments(argv)

    rows = {name: statistics.median(time_statement(code, args.repeats)) for name, code in STATEMENTS.items()}
    beyond = rows["import hf_spiking"] - rows["import transformers"]
    report = {
        "repeats": args.repeats,
        "load_average": os.getloadavg(),
        "median_seconds": rows,
        "hf_spiking_beyond_transformers_s": beyond,
        "target_beyond_transformers_s": 3.0,
        "target_met": beyond < 3.0,
    }
    print(f"{'statement':45s} {'median s':>9s}")
    for name, seconds in rows.items():
        print(f"{name:45s} {seconds:9.2f}")
    print(f"import hf_spiking beyond import transformers: {beyond:+.2f} s (target < 3 s: {'met' if beyond < 3 else 'missed'})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    return report


__all__ = []


if __name__ == "__main__":
    main()
