"""Extending the pipeline as docs/extending.md describes it: a new method is one module in
src/powergrid/methods plus one schema definition, and nothing else. (A new figure is one plotting
module plus one caption: tests/test_reruns.py.)"""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from powergrid import linear, tables
from powergrid.model import Network

ROOT = Path(__file__).resolve().parents[1]

# The toy method of docs/extending.md: the largest growth rate of the unsaturated network at
# every sweep point (the linear stability of the zero state).
TOY_METHOD = '''"""Toy method: the largest real part of the unsaturated network's eigenvalues per point."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import Network
from ..network_spec import network_from_spec
from ..parameters import apply_parameter, parameter_columns
from . import grid


@dataclass(frozen=True)
class Point:
    key: str
    network: Network
    axes: dict


def tables(section):
    return ("points",)


def options(spec):
    return None


def points(spec):
    base = network_from_spec(spec["network"])
    out = []
    for i, j, axes in grid(spec):
        net = base
        for name, value in axes.items():
            net = apply_parameter(net, name, value)
        out.append(Point(f"{i}_{j}", net, axes))
    return out


def solve(point, options, progress=None, threads=1):
    net = point.network
    m = net.linear_matrix().copy()  # hopping and gamma; the unsaturated gain and loss go on the diagonal
    for r in net.gain:
        m[r.site, r.site] += 0.5 * r.rate
    for r in net.loss:
        m[r.site, r.site] -= 0.5 * r.rate
    return float(np.max(np.linalg.eigvals(m).real))


def label(options):
    return "toy: linear growth rate"


def frames(point, rate, dataset):
    return {"points": pd.DataFrame([{"dataset": dataset, **parameter_columns(point.network), "growth_rate": rate}])}
'''

TOY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["method", "network", "outer", "inner"],
    "properties": {
        "method": {"const": "toy"},
        "network": {"$ref": "#/$defs/network"},
        "outer": {"$ref": "#/$defs/axis"},
        "inner": {"$ref": "#/$defs/axis"},
    },
}

CONFIG = {
    "seed": 1,
    "chunk_size": 2,
    "datasets": {
        "toydata": {
            "method": "toy",
            "network": {
                "n_sites": 4,
                "gamma": 0.01,
                "gain": [{"site": 1, "rate": 1.0}],
                "loss": [{"site": 4, "rate": 1.0}],
            },
            "outer": {"name": "gamma_i", "values": [0.5, 1.0, 4.0]},
            "inner": {"name": "gamma_e", "values": [0.5, 2.0]},
        }
    },
}


@pytest.mark.slow
def test_a_new_method_is_one_module_and_one_schema_definition(tmp_path):
    wf = tmp_path / "wf"
    wf.mkdir()
    for name in ("Snakefile", "workflow", "src", "envs"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, wf / name)
    (wf / "src/powergrid/methods/toy.py").write_text(TOY_METHOD)
    schema_path = wf / "workflow/schemas/config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text())
    schema["$defs"]["toy"] = TOY_SCHEMA
    schema_path.write_text(yaml.safe_dump(schema, sort_keys=False))
    (wf / "config.yaml").write_text(yaml.safe_dump(CONFIG))

    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(wf / "Snakefile"),
        "-d",
        str(wf),
        "--cores",
        "1",
        "results/toydata/points.parquet",
    ]
    run = subprocess.run(cmd, cwd=wf, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "toy_chunk" in run.stdout + run.stderr
    df = tables.read_table(wf / "results/toydata/points.parquet")
    assert len(df) == 6 and tables.read_meta(wf / "results/toydata/points.parquet")["chunks"] == 2
    for row in df.itertuples():  # against the spectrum solver of Fig. S3
        net = Network.chain(4, 1.0, 1.0, 0.01)
        expected = linear.max_growth_rate_map(net, np.array([row.gamma_i]), np.array([row.gamma_e]))[0, 0]
        assert row.growth_rate == pytest.approx(expected, abs=1e-12)
    # the zero state is unstable exactly when the gain beats the loss (and gamma) somewhere
    assert (df["growth_rate"] > 0).any() and (df["growth_rate"] < 0).any()
