"""Fixtures shared by several test modules."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def smoke_workflow(tmp_path_factory) -> Path:
    """A copy of the workflow (Snakefile, workflow/, src/, envs/) whose config.yaml is the smoke
    configuration, text and comments as they are, with the whole smoke DAG run once. It is made
    once per session (about 1.5 min on 2 cores): tests that edit a file in it put it back, bytes
    and modification time, so that the next test finds a complete run."""
    wf = tmp_path_factory.mktemp("smoke") / "wf"
    wf.mkdir()
    for name in ("Snakefile", "workflow", "src", "envs"):
        if (ROOT / name).is_dir():  # __pycache__ comes along: it holds numba's compiled kernels
            shutil.copytree(ROOT / name, wf / name, ignore=shutil.ignore_patterns("*.egg-info"))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, wf / name)
    shutil.copy2(ROOT / "tests/smoke/config.yaml", wf / "config.yaml")
    cmd = [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), "--cores", "2"]
    run = subprocess.run(cmd, check=False, cwd=wf, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-4000:]
    return wf
