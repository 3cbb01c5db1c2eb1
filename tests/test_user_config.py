"""A user's own configuration means exactly its own contents (README, "Running parts").

Each test plans (dry run) a copy of the workflow whose config.yaml is the default one, the way a
user runs it from the repository root, and passes the user's file or values on the command line.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from powergrid.parameters import axis_values

ROOT = Path(__file__).resolve().parents[1]
JOB = re.compile(r"^(?:local)?rule (\w+):$")


@pytest.fixture(scope="module")
def wf(tmp_path_factory):
    wf = tmp_path_factory.mktemp("userconfig")
    for name in ("Snakefile", "workflow", "src", "envs", "config.yaml"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, wf / name)
    return wf


def dry_run(wf, *args):
    cmd = [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), "-n", "--cores", "1", *args]
    run = subprocess.run(cmd, cwd=wf, capture_output=True, text=True, timeout=300)
    outputs = [line.split(":", 1)[1].split(",")[0].strip() for line in run.stdout.splitlines() if "    output:" in line]
    return run, outputs


ONE = {
    "seed": 11,
    "chunk_size": 4,
    "datasets": {
        "figS1": {"method": "saturation", "n0": [1.0, 2.0], "x_over_n0": {"min": 0.0, "max": 5.0, "points": 11}}
    },
}


def test_a_one_dataset_file_plans_that_dataset_alone(wf, tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(ONE))
    run, outputs = dry_run(wf, "--configfile", str(path))
    assert run.returncode == 0, run.stderr[-3000:]
    # the saturation table, the two figures that read only it, and the verdicts (the claims that
    # read it are decided, the others say which dataset they need): nothing of config.yaml
    assert sorted(outputs) == [
        "figures/fig1.pdf",
        "figures/figS1.pdf",
        "results/claims.parquet",
        "results/figS1/saturation.parquet",
    ]


def test_the_smoke_config_runs_from_the_repository_root(wf):
    """It names figS8.outer by values, config.yaml by min/max/points: merged, they were invalid."""
    run, outputs = dry_run(wf, "--configfile", str(ROOT / "tests/smoke/config.yaml"))
    assert run.returncode == 0, run.stderr[-3000:]
    smoke = yaml.safe_load((ROOT / "tests/smoke/config.yaml").read_text())["datasets"]
    datasets = {o.split("/")[1] for o in outputs if o.startswith("results/") and o.count("/") >= 2}
    assert datasets == set(smoke)


def test_datasets_on_the_command_line_are_refused_with_the_fix(wf):
    run, _ = dry_run(wf, "--config", "datasets={}")
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert "--config datasets=..." in out and "put your datasets in a file" in out, out[-2000:]


def test_a_scalar_on_the_command_line_still_overrides_config_yaml(wf):
    run, outputs = dry_run(wf, "--config", "chunk_size=1000")
    assert run.returncode == 0, run.stderr[-3000:]
    # one job per dataset: the override applied to config.yaml, which stays in force
    assert "results/fig2a/chunks/0/sites.parquet" in outputs
    assert "results/fig2a/chunks/1/sites.parquet" not in outputs


def test_a_datasets_own_chunk_size_sizes_its_jobs_alone(wf):
    """fig4a_quantum_peak sets chunk_size 1 (its points take minutes each): one job per Gamma_e;
    fig2b_diagonal sets 80: two jobs for its 160 values; fig2a keeps the top-level chunk_size."""
    run, outputs = dry_run(wf)
    assert run.returncode == 0, run.stderr[-3000:]
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    peak, diagonal, plane = (cfg["datasets"][d] for d in ("fig4a_quantum_peak", "fig2b_diagonal", "fig2a"))
    assert peak["chunk_size"] == 1 and diagonal["chunk_size"] == 80 and "chunk_size" not in plane
    assert len(axis_values(diagonal["outer"])) == 160 and cfg["chunk_size"] not in (1, 80)

    def jobs(dataset):
        return {o.split("/")[3] for o in outputs if o.startswith(f"results/{dataset}/chunks/")}

    assert jobs("fig4a_quantum_peak") == {str(i) for i in range(len(peak["outer"]["values"]))}
    assert jobs("fig2b_diagonal") == {"0", "1"}
    assert jobs("fig2a") == {str(i) for i in range(-(-len(axis_values(plane["outer"])) // cfg["chunk_size"]))}


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("seed: 1\nseed: 2\ndatasets: {}\n", 2, "seed"),
        (
            "datasets:\n  figS1:\n    method: saturation\n    n0: [1.0]\n    x_over_n0: {min: 0.0, max: 1.0, points: 3}"
            "\n  figS1:\n    method: saturation\n    n0: [2.0]\n    x_over_n0: {min: 0.0, max: 1.0, points: 3}\n",
            6,
            "figS1",
        ),
        ("datasets:\n  figS1:\n    method: saturation\n    n0: [1.0]\n    n0: [2.0]\n", 5, "n0"),
    ],
    ids=["top-level key", "dataset name", "key of a dataset"],
)
def test_a_duplicated_key_is_an_error_with_its_line(wf, tmp_path, text, line, key):
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    run, _ = dry_run(wf, "--configfile", str(path))
    assert run.returncode != 0
    out = run.stdout + run.stderr
    assert f"line {line}: the key {key!r} appears twice" in out, out[-2000:]
