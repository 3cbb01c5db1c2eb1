"""What an edit reruns, after a completed smoke run (Snakemake's default --rerun-triggers).

One module fixture runs the whole smoke DAG in a temporary copy of the workflow (Snakefile,
workflow/, src/, config.yaml = the smoke config, text and comments as they are). Each test edits
one file of that copy, asks for a dry run, checks the planned jobs, and puts the file back.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from powergrid.plotting import TABLES

ROOT = Path(__file__).resolve().parents[1]
SMOKE_TEXT = (ROOT / "tests/smoke/config.yaml").read_text()
JOB_HEADER = re.compile(r"^(?:local)?rule (\w+):$")


def snakemake(wf: Path, *args, timeout=900) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), *args]
    return subprocess.run(cmd, check=False, cwd=wf, capture_output=True, text=True, timeout=timeout)


def planned(wf: Path, *args) -> set[tuple[str, str]]:
    """(rule, first output) of every job a dry run plans, without the `all` rule."""
    run = snakemake(wf, "-n", "--cores", "1", *args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    jobs, rule = set(), None
    for line in run.stdout.splitlines():
        header = JOB_HEADER.match(line)
        if header:
            rule = header.group(1)
        elif rule and line.strip().startswith("output:"):
            jobs.add((rule, line.split(":", 1)[1].split(",")[0].strip()))
            rule = None
    assert jobs or "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]
    return {job for job in jobs if job[0] != "all"}


def figure_modules() -> dict[str, list[str]]:
    """figure -> plotting modules it uses, as workflow/rules/figures.smk declares them."""
    text = (ROOT / "workflow/rules/figures.smk").read_text()
    literal = re.search(r"^FIGURE_INPUTS = (\{.*?^\})", text, re.DOTALL | re.MULTILINE).group(1)
    return {fig: modules for fig, (modules, _) in ast.literal_eval(literal).items()}


def figure_job(fig: str) -> tuple[str, str]:
    return f"figure_{fig.replace('-', '_')}", f"figures/{fig}.pdf"


@contextmanager
def edited(path: Path, old: str, new: str):
    """Replace ``old`` (found exactly once) with ``new`` in ``path`` for the block, then restore
    the file, bytes and modification time."""
    original, stat = path.read_bytes(), path.stat()
    text = original.decode()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))
    try:
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.fixture(scope="module")
def wf(tmp_path_factory):
    wf = tmp_path_factory.mktemp("reruns") / "wf"
    wf.mkdir()
    for name in ("Snakefile", "workflow", "src", "envs"):
        if (ROOT / name).is_dir():  # __pycache__ comes along: it holds numba's compiled kernels
            shutil.copytree(ROOT / name, wf / name, ignore=shutil.ignore_patterns("*.egg-info"))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, wf / name)
    (wf / "config.yaml").write_text(SMOKE_TEXT)
    run = snakemake(wf, "--cores", "2")
    assert run.returncode == 0, run.stderr[-4000:]
    assert planned(wf) == set(), "a completed run still has jobs to do"
    return wf


@pytest.fixture(scope="module")
def every_job(wf):
    return planned(wf, "--forceall")


@pytest.mark.slow
def test_editing_one_dataset_reruns_only_its_jobs_and_its_figures(wf, every_job):
    old = "network: {n_sites: 6, gamma: 1.0e-2, nu: 3.0,"
    with edited(wf / "config.yaml", old, old.replace("gamma: 1.0e-2", "gamma: 2.0e-2")):
        jobs = planned(wf)
    figures = {figure_job(f) for f, tables in TABLES.items() if any(t.startswith("figS6/") for t in tables)}
    own = {job for job in every_job if job[1].startswith("results/figS6/")}
    assert figures and any(rule == "steady_state_chunk" for rule, _ in own)
    assert jobs == own | figures, sorted(jobs ^ (own | figures))


@pytest.mark.slow
@pytest.mark.parametrize("module", ["figS1", "figS4"])
def test_editing_a_plotting_module_reruns_only_the_figures_that_use_it(wf, module):
    path = wf / "src/powergrid/plotting" / f"{module}.py"
    text = path.read_text()
    with edited(path, text, text + "\n# an edit\n"):
        jobs = planned(wf)
    expected = {figure_job(f) for f, modules in figure_modules().items() if module in modules}
    assert figure_job(module) in expected
    assert jobs == expected, sorted(jobs ^ expected)


@pytest.mark.slow
def test_editing_the_linear_solver_reruns_the_spectrum_and_its_figures(wf):
    path = wf / "src/powergrid/linear.py"
    text = path.read_text()
    with edited(path, text, text + "\n# an edit\n"):
        jobs = planned(wf)
    figures = {figure_job(f) for f, tables in TABLES.items() if "figS3/spectrum" in tables}
    assert jobs == {("linear_spectrum", "results/figS3/spectrum.parquet")} | figures, sorted(jobs)


@pytest.mark.slow
def test_editing_the_deterministic_solver_reruns_the_jobs_that_use_it(wf, every_job):
    path = wf / "src/powergrid/deterministic.py"
    text = path.read_text()
    with edited(path, text, text + "\n# an edit\n"):
        jobs = planned(wf)
    solver_jobs = {job for job in every_job if job[0] in ("steady_state_chunk", "relaxation_chunk")}
    assert solver_jobs and solver_jobs <= jobs, sorted(solver_jobs - jobs)
    rules = {rule for rule, _ in jobs}
    # Jobs that do not run the deterministic solver, nor read its tables, stay as they are.
    assert not rules & {"linear_spectrum", "saturation", "sde_chunk", "sde_histogram_chunk"}, sorted(rules)
    assert figure_job("figS1") not in jobs and figure_job("figS3") not in jobs


@pytest.mark.slow
def test_touching_a_module_without_changing_it_reruns_nothing(wf):
    path = wf / "src/powergrid/deterministic.py"
    stat = path.stat()
    os.utime(path)
    try:
        assert planned(wf) == set()
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


NO_OP_EDITS = {
    "1.0e-3 written as 0.001": ("start_amplitude: 1.0e-3", "start_amplitude: 0.001"),
    "top-level keys reordered": ("seed: 7\nchunk_size: 3\n", "chunk_size: 3\nseed: 7\n"),
    "keys of a mapping reordered": ("{n_sites: 6, gamma: 1.0e-2, nu: 3.0,", "{nu: 3.0, gamma: 1.0e-2, n_sites: 6,"),
    "1.0e-2 written as 0.01": ("{n_sites: 6, gamma: 1.0e-2, nu: 3.0,", "{n_sites: 6, gamma: 0.01, nu: 3.0,"),
    "a comment": ("seed: 7\n", "seed: 7  # the root seed; an edited comment\n# and a new comment line\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("edit", list(NO_OP_EDITS))
def test_no_op_config_edit_reruns_nothing(wf, edit):
    old, new = NO_OP_EDITS[edit]
    with edited(wf / "config.yaml", old, new):
        assert planned(wf) == set()
