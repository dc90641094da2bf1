"""Smoke test of :mod:`hf_spiking.benchmarks.bench_import`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import json

import pytest

from hf_spiking.benchmarks import bench_import

from .testing_utils import assert_positive, read_json


def test_bench_import(tmp_path, monkeypatch):
    # Only the rows the report's arithmetic reads: the Auto* rows start torch and transformers' modelling code in a
    # fresh interpreter each (about 20 s together on 2 busy cores); tests/test_auto_registration.py covers lazy Auto* registration.
    statements = {name: bench_import.STATEMENTS[name] for name in ("import transformers", "import hf_spiking")}
    monkeypatch.setattr(bench_import, "STATEMENTS", statements)
    output = tmp_path / "nested" / "bench_import.json"
    returned = bench_import.main(["--repeats", "1", "--output", str(output)])
    report = read_json(output)
    assert report == json.loads(json.dumps(returned))
    assert report["repeats"] == 1
    assert len(report["load_average"]) == 3
    seconds = report["median_seconds"]
    assert set(seconds) == set(statements)
    assert_positive(*seconds.values())
    assert report["hf_spiking_beyond_transformers_s"] == pytest.approx(
        seconds["import hf_spiking"] - seconds["import transformers"], rel=1e-12, abs=1e-12
    )
    assert report["target_met"] == (report["hf_spiking_beyond_transformers_s"] < report["target_beyond_transformers_s"])
