"""What an edit reruns, after a completed smoke run (Snakemake's default --rerun-triggers).

The session fixture ``smoke_workflow`` (conftest.py) runs the whole smoke DAG in a temporary copy
of the workflow (Snakefile, workflow/, src/, config.yaml = the smoke config, text and comments as
they are). Each test edits one file of that copy, asks for a dry run, checks the planned jobs, and
puts the file back.
"""

import os
import queue
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from powergrid import codeversion
from powergrid.claims import MODULES as CLAIM_MODULES
from powergrid.claims import tables_needed as claims_tables_needed
from powergrid.plotting import REGISTRY, TABLES

ROOT = Path(__file__).resolve().parents[1]
SMOKE_TEXT = (ROOT / "tests/smoke/config.yaml").read_text()
JOB_HEADER = re.compile(r"^(?:local)?rule (\w+):$")


def snakemake(wf: Path, *args, timeout=900) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), *args]
    return subprocess.run(cmd, check=False, cwd=wf, capture_output=True, text=True, timeout=timeout)


def planned(wf: Path, *args) -> set[tuple[str, str]]:
    """(rule, first output) of every job a dry run plans, without the `all` rule."""
    return set(planned_with_inputs(wf, *args))


def planned_with_inputs(wf: Path, *args) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """{(rule, first output): (input files, output files)} of every job a dry run plans, without
    `all`."""
    run = snakemake(wf, "-n", "--cores", "1", *args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    jobs, rule, inputs = {}, None, []
    for line in run.stdout.splitlines():
        header = JOB_HEADER.match(line)
        if header:
            rule, inputs = header.group(1), []
        elif rule and line.strip().startswith("input:"):
            inputs = [x.strip() for x in line.split(":", 1)[1].split(",")]
        elif rule and line.strip().startswith("output:"):
            outputs = [x.strip() for x in line.split(":", 1)[1].split(",")]
            jobs[(rule, outputs[0])] = (inputs, outputs)
            rule = None
    assert jobs or "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]
    return {job: inputs for job, inputs in jobs.items() if job[0] != "all"}


def figure_job(fig: str) -> tuple[str, str]:
    return f"figure_{fig.replace('-', '_')}", f"figures/{fig}.pdf"


SMOKE_METHODS = {name: d["method"] for name, d in yaml.safe_load(SMOKE_TEXT)["datasets"].items()}


def entry_points(wf: Path, job: tuple[str, str]) -> tuple[str, ...]:
    """What a job runs, by the workflow's conventions: a figure rule runs plot_figure.py and its
    plotting module; a compute rule runs compute_chunk.py and its dataset's method module; any
    other rule X runs workflow/scripts/X.py."""
    rule, output = job
    scripts = wf / "workflow/scripts"
    if rule.startswith("figure_"):
        fig = Path(output).stem
        return str(scripts / "plot_figure.py"), REGISTRY[fig].module
    if "/chunks/" in output:
        method = SMOKE_METHODS[output.split("/")[1]]
        return str(scripts / "compute_chunk.py"), f"powergrid.methods.{method}"
    if rule == "claims":  # the claim modules are found at run time, as the plotting modules
        return str(scripts / "claims.py"), *CLAIM_MODULES
    return (str(scripts / f"{rule}.py"),)


def expected_reruns(wf: Path, dag: dict, module: str) -> set[tuple[str, str]]:
    """The jobs whose import closure holds ``module``, and every job downstream of them."""
    root = wf / "src/powergrid"
    stale = {job for job in dag if module in codeversion.import_closure(*entry_points(wf, job), root=root)}
    producer = {output: job for job, (_, outputs) in dag.items() for output in outputs}
    changed = True
    while changed:
        changed = False
        for job, (inputs, _) in dag.items():
            if job not in stale and any(producer.get(i) in stale for i in inputs):
                stale.add(job)
                changed = True
    return stale


def package_modules() -> list[str]:
    src = ROOT / "src"
    return sorted(
        ".".join(p.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        for p in (src / "powergrid").rglob("*.py")
    )


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
def wf(smoke_workflow):
    assert planned(smoke_workflow) == set(), "a completed run still has jobs to do"
    return smoke_workflow


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
    # the verdicts read figS6 too (claim C16a): they are recomputed, and nothing else
    verdicts = {job for job in every_job if job[0] == "claims"}
    assert figures and verdicts and any(rule == "steady_state_chunk" for rule, _ in own)
    assert any(t.startswith("figS6/") for t in claims_tables_needed())
    assert jobs == own | figures | verdicts, sorted(jobs ^ (own | figures | verdicts))


@pytest.fixture(scope="module")
def dag(wf):
    return planned_with_inputs(wf, "--forceall")


@pytest.fixture(scope="module")
def twin(wf, tmp_path_factory):
    """A second copy of the completed smoke run (outputs, Snakemake's metadata and modification
    times kept), so that two module edits can be planned side by side."""
    copy = tmp_path_factory.mktemp("twin") / "wf"
    shutil.copytree(wf, copy, symlinks=True)
    assert planned(copy) == set(), "the copy of the completed run has jobs to do"
    return copy


@pytest.mark.slow
def test_editing_a_module_reruns_exactly_the_jobs_that_import_it(wf, twin, dag):
    """An edit of one module, each module of the package in turn, reruns the jobs whose entry
    points import it (transitively), and what is downstream of them; nothing else. Two copies of
    the run plan two edits at a time (each dry run builds the whole DAG, ~2 s)."""
    free = queue.Queue()
    for copy in (wf, twin):
        free.put(copy)

    def check(module):
        copy = free.get()
        try:
            path = codeversion.module_path(module, copy / "src/powergrid")
            text = path.read_text()
            with edited(path, text, text + "\n# an edit\n"):
                jobs = planned(copy)
            expected = expected_reruns(copy, dag, module)
            return None if jobs == expected else f"{module}: {sorted(jobs ^ expected)}"
        finally:
            free.put(copy)

    modules = package_modules()
    assert len(modules) > 50 and "powergrid.claims.transition" in modules
    with ThreadPoolExecutor(2) as pool:
        failures = [f for f in pool.map(check, modules) if f]
    assert not failures, failures


@pytest.mark.slow
def test_closure_follows_the_imports_a_solver_really_has(wf, dag):
    """The derived expectations are not vacuous: the deterministic solver reruns the steady-state
    and relaxation jobs and not the SDE, spectrum or saturation jobs; a plotting module reruns
    only figures; the quantum-trajectory engine reruns the quantum jobs."""
    rules = {rule for rule, _ in expected_reruns(wf, dag, "powergrid.deterministic")}
    assert {"steady_state_chunk", "relaxation_chunk"} <= rules
    assert not rules & {"linear_spectrum_chunk", "saturation", "sde_chunk", "sde_histograms_chunk"}, sorted(rules)
    assert {rule for rule, _ in expected_reruns(wf, dag, "powergrid.plotting.figS1")} <= {"figure_figS1", "figure_fig1"}
    assert "quantum_chunk" in {rule for rule, _ in expected_reruns(wf, dag, "powergrid.quantum_trajectories")}
    assert {rule for rule, _ in expected_reruns(wf, dag, "powergrid.claims.noise")} == {"claims"}
    compute = {job for job in dag if "/chunks/" in job[1]}
    assert compute <= expected_reruns(wf, dag, "powergrid.tables")  # every job writes tables


@pytest.mark.slow
def test_a_new_figure_is_one_module_and_one_caption(wf):
    """A toy plotting module and its caption, and nothing else, make a new figure rule."""
    module = wf / "src/powergrid/plotting/toy.py"
    caption = wf / "workflow/report/toy.rst"
    module.write_text(
        'FIGURE = "toy"\nCATEGORY = "Beyond the paper"\nTABLES = ("figS1/saturation",)\n\n\n'
        "def plot(tables):\n    from matplotlib.figure import Figure\n\n"
        "    fig = Figure()\n    fig.add_subplot().plot(tables['figS1/saturation']['f_bar'])\n"
        "    return fig\n"
    )
    caption.write_text("A toy figure.\n")
    try:
        assert planned(wf) == {("figure_toy", "figures/toy.pdf")}
    finally:
        module.unlink()
        caption.unlink()
    assert planned(wf) == set()


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
