"""The code is clean under the pinned linters and formatters (versions in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

CHECKS = {
    "ruff lint": [str(BIN / "ruff"), "check", "."],
    "ruff format": [str(BIN / "ruff"), "format", "--check", "."],
    "snakefmt": [str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules"],
}


@pytest.mark.parametrize("check", list(CHECKS))
def test_code_is_clean(check):
    run = subprocess.run(CHECKS[check], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{' '.join(CHECKS[check][1:])}:\n{run.stdout[-3000:]}{run.stderr[-3000:]}"
