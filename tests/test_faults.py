"""Faults in a run: a killed job, a failing sweep point, a corrupted table.

Each test runs Snakemake on a temporary copy of the workflow (Snakefile, workflow/, src/) whose
config.yaml is the smoke configuration, edited where a test needs it, and asks for a few outputs
only. tests/test_workflow.py covers the clean run; tests/test_sweep_and_tables.py covers the
atomic table writes and a truncated table at the unit level.
"""

import copy
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from powergrid import tables

ROOT = Path(__file__).resolve().parents[1]
SMOKE = yaml.safe_load((ROOT / "tests/smoke/config.yaml").read_text())


def make_workflow(path: Path, config: dict) -> Path:
    """A runnable copy of the workflow in ``path`` with ``config`` as its config.yaml."""
    path.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "workflow", "src", "envs"):
        if (ROOT / name).is_dir():  # __pycache__ comes along: it holds numba's compiled kernels
            shutil.copytree(ROOT / name, path / name, ignore=shutil.ignore_patterns("*.egg-info"))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, path / name)
    (path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake_cmd(wf: Path, *args) -> list[str]:
    return [sys.executable, "-m", "snakemake", "-s", str(wf / "Snakefile"), "-d", str(wf), *args]


def snakemake(wf: Path, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        snakemake_cmd(wf, *args), check=False, cwd=wf, capture_output=True, text=True, timeout=timeout
    )


def chunk_outputs(dataset, chunk):
    return [f"results/{dataset}/chunks/{chunk}/{t}.parquet" for t in ("sites", "bonds")]


def descendants(pid: int) -> list[int]:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.001)


def read_all(wf: Path, paths) -> dict:
    return {p: tables.read_table(wf / p) for p in paths}


@pytest.fixture(scope="module")
def fig2c_done(tmp_path_factory):
    """A workflow copy in which the one compute job of fig2c has run; tests copy it."""
    wf = make_workflow(tmp_path_factory.mktemp("fig2c") / "wf", SMOKE)
    run = snakemake(wf, "--cores", "1", *chunk_outputs("fig2c", 0))
    assert run.returncode == 0, run.stderr[-3000:]
    return wf


# -- (a) a job killed with SIGKILL --------------------------------------------------------------


@pytest.mark.slow
def test_sigkilled_job_leaves_no_result_and_is_rerun(tmp_path):
    """The OOM killer or a walltime limit kills a compute job; Snakemake itself survives."""
    config = copy.deepcopy(SMOKE)
    config["datasets"]["fig2a"]["inner"]["points"] = 60  # chunk 0: 3 x 60 points, several seconds
    wf = make_workflow(tmp_path / "wf", config)
    outputs = chunk_outputs("fig2a", 0)
    log = wf / "logs/fig2a/steady_state_0.log"
    proc = subprocess.Popen(
        snakemake_cmd(wf, "--cores", "1", *outputs), cwd=wf, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for(lambda: log.exists() and "points" in log.read_text(), 120, "the job to start")
        job = [p for p in descendants(proc.pid) if "compute_chunk" in cmdline(p)]
        assert job, "no process of the compute job found"
        for pid in job:
            os.kill(pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, out[-3000:]
    assert "Error in rule steady_state_chunk" in out and "dataset=fig2a, chunk=0" in out, out[-3000:]
    assert not any((wf / p).exists() for p in outputs), "a killed job left an output behind"
    assert not list((wf / "results").rglob("*.parquet"))
    dry = snakemake(wf, "-n", "--cores", "1", *outputs)
    assert dry.returncode == 0 and "steady_state_chunk" in dry.stdout, dry.stdout[-2000:] + dry.stderr[-2000:]


@pytest.mark.slow
def test_crash_after_first_output_counts_as_incomplete_and_rerun_incomplete_recovers(tmp_path, fig2c_done):
    """Snakemake and its job die together (node crash) right after the job wrote one of its two
    tables: the table that exists must not count as a result; --rerun-incomplete recomputes it."""
    wf = make_workflow(tmp_path / "wf", SMOKE)
    outputs = chunk_outputs("fig2c", 0)
    first = wf / outputs[0]
    proc = subprocess.Popen(
        snakemake_cmd(wf, "--cores", "1", *outputs),
        cwd=wf,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(first.exists, 120, f"{outputs[0]} to be written")
        os.killpg(proc.pid, signal.SIGKILL)  # Snakemake, the job, everything: nothing can clean up
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # The table that was written is whole (atomic write) but its job never finished.
    tables.read_table(first)

    dry = snakemake(wf, "-n", "--cores", "1", *outputs)
    text = dry.stdout + dry.stderr
    assert "Nothing to be done" not in text, text[-3000:]
    assert dry.returncode != 0 and "incomplete" in text and outputs[0] in text, text[-3000:]

    # The crash also left Snakemake's lock on the directory: recovery is --unlock, then the rerun.
    locked = snakemake(wf, "--cores", "1", "--rerun-incomplete", *outputs)
    assert locked.returncode != 0 and "--unlock" in locked.stderr, locked.stderr[-2000:]
    assert snakemake(wf, "--unlock", "--cores", "1").returncode == 0
    rerun = snakemake(wf, "--cores", "1", "--rerun-incomplete", *outputs)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "steady_state_chunk" in rerun.stdout + rerun.stderr
    for path, df in read_all(wf, outputs).items():  # the same numbers as an uninterrupted run
        pd.testing.assert_frame_equal(df, tables.read_table(fig2c_done / path), check_exact=True)
    again = snakemake(wf, "-n", "--cores", "1", *outputs)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


# -- (b) one failing point with --keep-going ---------------------------------------------------


@pytest.mark.slow
def test_keep_going_one_failing_point_names_it_and_independent_jobs_finish(tmp_path):
    """A gain that never saturates (n0_ratio = 1e307) makes the amplitude overflow at
    gamma_i = 6, a runtime failure of one job (chunk 1 of the dataset `diverging`); at
    gamma_i = 0 (chunk 0) the chain decays to zero. The other jobs must still finish."""
    config = copy.deepcopy(SMOKE)
    config["datasets"]["diverging"] = {
        "method": "steady_state",
        "protocol": "random",
        "network": {
            "n_sites": 6,
            "gamma": 1.0e-2,
            "gain": [{"site": 1, "rate": 4.0, "n0_ratio": 1.0e307}],
            "loss": [{"site": 6, "rate": 4.0}],
        },
        "outer": {"name": "gamma_i", "values": [0.0, 0.0, 0.0, 6.0]},  # chunk_size 3: chunk 1 is gamma_i = 6
        "inner": {"name": "gamma_e", "values": [4.0]},
    }
    wf = make_workflow(tmp_path / "wf", config)
    independent = ["results/figS1/saturation.parquet", "results/fig2c/sites.parquet"]
    run = snakemake(wf, "--cores", "2", "--keep-going", "results/diverging/sites.parquet", *independent)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out[-3000:]
    for path in independent + chunk_outputs("diverging", 0):
        assert (wf / path).exists(), f"{path} was not made: an independent job was stopped\n{out[-3000:]}"
    assert not any((wf / p).exists() for p in chunk_outputs("diverging", 1))
    assert not (wf / "results/diverging/sites.parquet").exists()
    # The failure names the job and its parameters: Snakemake's error names the job's outputs
    # (dataset and chunk) and its log; the log holds the solver's error, which names the point
    # (the chain it integrated, with gain rate gamma_i = 6).
    assert out.count("Error in rule") == 1, out[-4000:]
    error = out[out.index("Error in rule steady_state_chunk") :]
    assert "output: results/diverging/chunks/1/sites.parquet" in error, error[:3000]
    assert "logs/diverging/steady_state_1.log" in error, error[:3000]
    log = (wf / "logs/diverging/steady_state_1.log").read_text()
    assert "FloatingPointError" in log and "diverged" in log, log[-3000:]
    assert re.search(r"rate=6\.0|gamma_i\s*=\s*6", log), log[-3000:]


# -- (c) a corrupted or truncated input table ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_damaged_chunk_table_fails_the_downstream_rule_naming_the_file(tmp_path, fig2c_done, damage):
    wf = tmp_path / "wf"
    shutil.copytree(fig2c_done, wf, symlinks=True)
    outputs = chunk_outputs("fig2c", 0)
    chunk = wf / outputs[0]
    raw = chunk.read_bytes()
    stat = chunk.stat()
    if damage == "truncated":  # a copy that stopped half-way
        chunk.write_bytes(raw[: len(raw) // 2])
    else:  # a disk or transfer error: a block of garbage mid-file
        n = len(raw) // 3
        chunk.write_bytes(raw[:n] + bytes(range(256))[:64] + raw[n + 64 :])
    os.utime(chunk, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # damage that mtime does not show

    with pytest.raises(tables.TableError, match=re.escape(str(chunk))):
        tables.read_table(chunk)
    run = snakemake(wf, "--cores", "1", "results/fig2c/sites.parquet")
    out = run.stdout + run.stderr
    assert run.returncode != 0, out[-3000:]
    error = out[out.index("Error in rule aggregate_table") :]
    assert f"input: {outputs[0]}" in error and "logs/fig2c/aggregate_sites.log" in error, error[:3000]
    log = (wf / "logs/fig2c/aggregate_sites.log").read_text()
    assert re.search(r"TableError: cannot read table \S*" + re.escape(outputs[0]), log), log[-3000:]
    command = f"snakemake --cores all --forcerun {outputs[0]}"
    assert command in log, log[-3000:]
    assert not (wf / "results/fig2c/sites.parquet").exists()
    # the command the message gives recomputes the table, and the run completes
    # (targets before --forcerun, which takes every path that follows it)
    run = snakemake(wf, "--cores", "1", "results/fig2c/sites.parquet", "--forcerun", outputs[0])
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert tables.read_table(chunk).equals(tables.read_table(fig2c_done / outputs[0]))


# -- (d) a table swapped for another valid table ---------------------------------------------------


@pytest.mark.slow
def test_swapped_tables_are_refused_naming_both_and_the_command_that_recomputes(tmp_path, fig2c_done):
    """A valid Parquet file of another dataset (or another chunk) in place of a table: the reader
    compares the provenance in its metadata with what the rule expects."""
    wf = tmp_path / "wf"
    shutil.copytree(fig2c_done, wf, symlinks=True)
    assert snakemake(wf, "--cores", "1", "results/figS6/chunks/0/sites.parquet").returncode == 0
    chunk = wf / "results/fig2c/chunks/0/sites.parquet"
    stat = chunk.stat()
    shutil.copy(wf / "results/figS6/chunks/0/sites.parquet", chunk)
    os.utime(chunk, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    run = snakemake(wf, "--cores", "1", "results/fig2c/sites.parquet")
    assert run.returncode != 0
    log = (wf / "logs/fig2c/aggregate_sites.log").read_text()
    assert "made for dataset 'figS6'" in log and "dataset is 'figS6', expected 'fig2c'" in log, log[-3000:]
    assert "snakemake --cores all --forcerun results/fig2c/chunks/0/sites.parquet" in log

    # the aggregated table swapped under a figure: the figure is not redrawn from it
    assert (
        snakemake(
            wf,
            "--cores",
            "1",
            "results/fig2c/sites.parquet",
            "results/figS6/sites.parquet",
            "--forcerun",
            "results/fig2c/chunks/0/sites.parquet",
        ).returncode
        == 0
    )
    table = wf / "results/fig2c/sites.parquet"
    shutil.copy(wf / "results/figS6/sites.parquet", table)
    with pytest.raises(tables.TableError, match="expected 'fig2c'"):
        tables.read_table(table, {"dataset": "fig2c"})


# -- (e) permissions on a shared cluster --------------------------------------------------------


def test_tables_are_written_with_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        tables.write_table(pd.DataFrame({"x": [1.0]}), tmp_path / "t.parquet", {})
    finally:
        os.umask(old)
    assert (tmp_path / "t.parquet").stat().st_mode & 0o777 == 0o644
    old = os.umask(0o077)
    try:
        tables.write_table(pd.DataFrame({"x": [1.0]}), tmp_path / "u.parquet", {})
    finally:
        os.umask(old)
    assert (tmp_path / "u.parquet").stat().st_mode & 0o777 == 0o600


def test_flipped_byte_in_a_data_page_is_detected(tmp_path):
    """Snappy pages have no checksum of their own: a flipped bit in the values would read back as
    a different number, but powergrid.tables writes and verifies page CRCs."""
    path = tmp_path / "t.parquet"
    df = pd.DataFrame({"J_mean": np.random.default_rng(1).standard_normal(500)})
    tables.write_table(df, path, {})
    raw = bytearray(path.read_bytes())
    column = pq.ParquetFile(io.BytesIO(bytes(raw))).metadata.row_group(0).column(0)
    start = column.dictionary_page_offset if column.has_dictionary_page else column.data_page_offset
    raw[start + column.total_compressed_size // 2] ^= 0x10
    path.write_bytes(bytes(raw))
    with pytest.raises(tables.TableError, match="t.parquet"):
        back = tables.read_table(path)
        assert back.equals(df), "the flip went unnoticed and changed the values"  # also fails the test
