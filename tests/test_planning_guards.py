"""Sizes that cannot fit stop the planning, before any job, naming the dataset, the job and the
estimate (workflow/rules/compute.smk)."""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SMOKE = yaml.safe_load((ROOT / "tests/smoke/config.yaml").read_text())


@pytest.fixture(scope="module")
def wf(tmp_path_factory):
    wf = tmp_path_factory.mktemp("guards")
    for name in ("Snakefile", "workflow", "src", "envs"):
        copy_ = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy_(ROOT / name, wf / name)
    return wf


def dry_run(wf, config, *args):
    (wf / "config.yaml").write_text(yaml.safe_dump(config))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), "-n", "--cores", "1", *args]
    run = subprocess.run(cmd, cwd=wf, capture_output=True, text=True, timeout=300)
    return run.returncode, run.stdout + run.stderr


def test_an_oversized_truncation_is_refused_with_its_estimate(wf):
    config = copy.deepcopy(SMOKE)
    config["datasets"]["fig4b"]["n_basis"] = [10000] * len(config["datasets"]["fig4b"]["n_basis"])
    config["datasets"]["fig4b"].pop("k_max", None)
    code, out = dry_run(wf, config)
    assert code != 0
    assert "datasets.fig4b: job 0" in out and "largest n_basis 10000" in out, out[-3000:]
    assert "MB of memory, more than this machine's memory" in out
    assert "Job stats" not in out  # refused before planning any job


def test_a_job_above_the_memory_given_to_the_run_is_refused(wf):
    code, out = dry_run(wf, SMOKE, "--resources", "mem_mb=500")
    assert code != 0
    assert "needs an estimated 1,000 MB of memory, more than --resources mem_mb (500 MB)" in out, out[-3000:]


def test_a_sweep_too_large_to_plan_is_refused_with_its_count(wf):
    config = copy.deepcopy(SMOKE)
    config["chunk_size"] = 1
    config["datasets"]["fig2a"]["outer"] = {"name": "gamma_i", "min": 0.0, "max": 8.0, "points": 100000}
    code, out = dry_run(wf, config)
    assert code != 0
    assert "exceed the 10000 that one run plans quickly" in out, out[-3000:]
    assert "datasets.fig2a: 700000 points in 100000 jobs" in out and "Raise chunk_size (now 1)" in out
