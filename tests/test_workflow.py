"""The Snakemake workflow end to end on the smoke configuration (same schema, tiny sweeps)."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from powergrid import tables
from powergrid.plotting import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PAPER = [f"fig{k}" for k in range(1, 10)] + [f"figS{k}" for k in range(1, 11)]


def snakemake(*args, snakefile=ROOT / "Snakefile", cwd=ROOT, timeout=600):
    cmd = [sys.executable, "-m", "snakemake", "-s", str(snakefile), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def smoke_run(smoke_workflow):
    """The workflow copy in which the whole smoke DAG has run (conftest.py)."""
    return smoke_workflow


@pytest.mark.slow
def test_smoke_dag_renders_every_figure_from_parquet(smoke_run):
    assert set(PAPER) <= set(REGISTRY)  # every figure of the paper is registered
    for fig in REGISTRY:
        for ext in ("pdf", "png"):
            path = smoke_run / "figures" / f"{fig}.{ext}"
            assert path.stat().st_size > 1000, path
    bonds = tables.read_table(smoke_run / "results/fig2a/bonds.parquet")
    assert {"gamma_i", "gamma_e", "kind", "site_from", "site_to", "J_mean", "J_min", "J_max"} <= set(bonds)
    assert len(bonds) == 7 * 7 * 5  # 7 x 7 points, 5 bonds of a 6-site chain
    meta = tables.read_meta(smoke_run / "results/fig2a/bonds.parquet")
    assert meta["spec"]["seed"] == 7 and meta["provenance"]["versions"]["numpy"]


@pytest.mark.slow
def test_every_claim_gets_a_verdict_from_the_run(smoke_run):
    from powergrid.claims import REGISTRY as CLAIMS
    from powergrid.claims import VERDICTS

    verdicts = tables.read_table(smoke_run / "results/claims.parquet").set_index("id")
    assert list(verdicts.index) == list(CLAIMS) and set(verdicts["verdict"]) <= set(VERDICTS)
    # a claim is undecidable for want of a table exactly when the smoke config lacks its dataset
    smoke = set(yaml.safe_load((ROOT / "tests/smoke/config.yaml").read_text())["datasets"])
    for cid, claim in CLAIMS.items():
        lacks = any(t.split("/")[0] not in smoke for t in claim.tables)
        assert ("needs the table" in verdicts.loc[cid, "reason"]) == lacks, cid
    page = (smoke_run / "results/claims.html").read_text()
    assert all(c in page for c in CLAIMS)


@pytest.mark.slow
def test_second_run_has_nothing_to_do(smoke_run):
    run = snakemake("-n", "--cores", "1", "-d", str(smoke_run), snakefile=smoke_run / "Snakefile", cwd=smoke_run)
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr


@pytest.mark.slow
def test_report_is_built(smoke_run):
    run = snakemake(
        "-d",
        str(smoke_run),
        "--report",
        str(smoke_run / "report.html"),
        snakefile=smoke_run / "Snakefile",
        cwd=smoke_run,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    html = (smoke_run / "report.html").read_text(errors="replace")
    assert "fig2" in html and "stalled" in html
    assert "A. Verdicts: what of the paper holds" in html and "Claims this figure bears on: C01" in html


def test_lint_is_clean():
    run = snakemake("--lint", "--cores", "1")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Congratulations" in run.stdout + run.stderr
