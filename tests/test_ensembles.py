"""SDE ensembles as the workflow runs them: jobs that split an ensemble, their merge, the
checkpoint of a killed job, and a diverging job that writes nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from powergrid import ensembles, tables
from powergrid.checkpoint import PointCache
from powergrid.methods import sde as sde_method
from powergrid.runner import job_frames as run_job_frames

ROOT = Path(__file__).resolve().parents[1]

NETWORK = {
    "n_sites": 4,
    "gamma": 1.0e-2,
    "nu": 2.0,
    "n0": 100.0,
    "n_th_over_n0": 10.0,
    "gain": [{"site": 1, "rate": 4.0}],
    "loss": [{"site": 4, "rate": 4.0}],
}


def spec(first, count, **changes):
    s = {
        "dataset": "test",
        "seed": 5,
        "network": NETWORK,
        "outer": {"name": "gamma_e", "values": [2.0, 6.0]},
        "outer_indices": [0, 1],
        "inner": {"name": "n_th_over_n0", "values": [10.0]},
        "sde": {"dt": 0.02, "noise": "three-point", "sample_interval": 0.06},  # every 3rd step
        "t_transient": 50.0,
        "t_average": 100.0,
        "block": {"first": first, "count": count},
        "histogram": {"re": [-10.0, 10.0], "im": [-10.0, 10.0], "bins": 20, "every": 5},
    }
    s.update(changes)
    return s


def job_frames(s):
    return run_job_frames(sde_method, s)


def test_an_ensemble_split_over_jobs_gives_the_numbers_of_one_run():
    """Two jobs of 3 and 5 trajectories, merged from their tables, equal one run of 8 trajectories
    of the same seeds: means, standard errors, jackknife errors and summed histograms."""
    a, b = job_frames(spec(0, 3)), job_frames(spec(3, 5))
    merged = ensembles.statistics_frames(
        *(pd.concat([a[k], b[k]]) for k in ("traj_bonds", "traj_sites", "traj_points"))
    )
    hist = ensembles.merge_histograms([a["histograms"], b["histograms"]])
    s = spec(0, 8)
    for point in sde_method.points(s):
        whole = sde_method.solve(point, sde_method.options(s), threads=2)
        bonds = merged["bonds"][merged["bonds"]["outer_index"] == point.outer_index].sort_values("site_from")
        for col in ("J_mean", "J_sem", "J_std", "J_std_sem"):
            np.testing.assert_allclose(bonds[col].to_numpy(), getattr(whole, col), rtol=1e-12, err_msg=col)
        sites = merged["sites"][merged["sites"]["outer_index"] == point.outer_index].sort_values("site")
        np.testing.assert_allclose(sites["occupation"].to_numpy(), whole.occupation, rtol=1e-12)
        pts = merged["points"][merged["points"]["outer_index"] == point.outer_index]
        assert pts["n_traj"].item() == 8
        np.testing.assert_allclose(pts["Gbar_mean"].item(), whole.Gbar_mean, rtol=1e-12)
        h = hist[hist["outer_index"] == point.outer_index]
        assert (h["samples"] == whole.histogram.samples).all()
        counts = np.zeros_like(whole.histogram.counts)
        edges = whole.histogram.grid.re_edges
        i = np.searchsorted(edges, h["re_lo"].to_numpy())
        j = np.searchsorted(whole.histogram.grid.im_edges, h["im_lo"].to_numpy())
        counts[h["site"].to_numpy() - 1, i, j] = h["count"].to_numpy()
        assert np.array_equal(counts, whole.histogram.counts)


def test_overlapping_jobs_are_refused():
    a = job_frames(spec(0, 3, histogram=None))
    with pytest.raises(ValueError, match="appears twice"):
        ensembles.statistics_frames(*(pd.concat([a[k], a[k]]) for k in ("traj_bonds", "traj_sites", "traj_points")))


def test_jobs_run_with_other_settings_are_not_one_ensemble():
    """Trajectories whose time means were sampled at another interval (or over another time) are
    refused, naming the column; the tables record the interval as run (a whole number of steps)."""
    a = job_frames(spec(0, 3, histogram=None))
    every_step = {"dt": 0.02, "noise": "three-point", "sample_interval": 0.02}
    b = job_frames(spec(3, 2, histogram=None, sde=every_step))
    np.testing.assert_allclose(a["traj_points"]["sample_interval"], 0.06, rtol=1e-12)
    np.testing.assert_allclose(b["traj_points"]["sample_interval"], 0.02, rtol=1e-12)
    with pytest.raises(ValueError, match="sample_interval"):
        ensembles.statistics_frames(*(pd.concat([a[k], b[k]]) for k in ("traj_bonds", "traj_sites", "traj_points")))
    assert [sde_method.sample_every(v, 0.01) for v in (0.001, 0.01, 0.1, 0.104)] == [1, 1, 10, 10]


def test_points_carry_their_parameters_and_their_own_seed():
    s = spec(
        0,
        2,
        inner={"name": "n0_ratio@4", "values": [1.1, 1.5]},
        outer={"name": "dt", "values": [0.01]},
        outer_indices=[0],
    )
    points = sde_method.points(s)
    assert [p.network.loss[0].n0_ratio for p in points] == [1.1, 1.5]
    assert [p.dt for p in points] == [0.01, 0.01]
    assert points[0].seed.spawn_key != points[1].seed.spawn_key
    assert points[1].columns()["n0_ratio_loss"] == 1.5 and points[1].columns()["n0_ratio@4"] == 1.5


def test_checkpoint_keeps_points_of_the_same_job_only(tmp_path):
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    cache = PointCache(tmp_path / "ck", "spec-A")
    assert cache.open() == []
    cache.save("0_0", {"traj_bonds": frame})
    assert cache.open() == ["0_0"]
    pd.testing.assert_frame_equal(cache.load("0_0")["traj_bonds"], frame)
    assert cache.load("1_0") is None
    other = PointCache(tmp_path / "ck", "spec-B")  # other parameters or code: nothing is reused
    assert other.open() == [] and other.load("0_0") is None
    assert list((tmp_path / "ck").iterdir()) == []


# -- the workflow job: kill and resume, divergence -----------------------------------------------


def workflow_config(tmp_path, network=NETWORK, points=(2.0, 4.0, 6.0), t_average=100000.0):
    cfg = {
        "seed": 3,
        "chunk_size": 8,
        "sde": {"dt": 0.02, "trajectories_per_job": 16, "threads": 1},
        "datasets": {
            "ens": {
                "method": "sde",
                "network": network,
                "outer": {"name": "gamma_e", "values": list(points)},
                "inner": {"name": "n_th_over_n0", "values": [10.0]},
                "trajectories": 16,
                "t_transient": 100.0,
                "t_average": t_average,
            }
        },
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def snakemake(workdir, configfile, *args, **kw):
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--configfile",
        str(configfile),
        "-d",
        str(workdir),
        "--cores",
        "1",
        "results/ens/bonds.parquet",
        *args,
    ]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, **kw
    )


@pytest.mark.slow
def test_killed_job_resumes_from_its_finished_points(tmp_path):
    """SIGKILL the workflow once the job has finished its first point; the rerun restores that
    point from the checkpoint and the table equals the one of an uninterrupted run."""
    config = workflow_config(tmp_path)
    killed = tmp_path / "killed"
    run = snakemake(killed, config)
    checkpoint = killed / "results/ens/chunks/0/checkpoint"
    deadline = time.monotonic() + 300
    while not list(checkpoint.glob("*__done.parquet")):
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "no point finished in time"
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert not (killed / "results/ens/chunks/0/traj_bonds.parquet").exists()
    finished = len(list(checkpoint.glob("*__done.parquet")))
    assert 1 <= finished < 3

    assert snakemake(killed, config, "--unlock").wait() == 0  # a SIGKILL leaves Snakemake's lock behind
    rerun = snakemake(killed, config, "--rerun-incomplete")
    out, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out[-3000:]
    log = (killed / "logs/ens/sde_0.log").read_text()
    assert f"resuming: {finished} finished points in the checkpoint" in log
    assert not checkpoint.exists()  # removed once the job's tables are written

    fresh = snakemake(tmp_path / "fresh", config)
    out, _ = fresh.communicate(timeout=600)
    assert fresh.returncode == 0, out[-3000:]
    a = tables.read_table(killed / "results/ens/bonds.parquet")
    b = tables.read_table(tmp_path / "fresh/results/ens/bonds.parquet")
    cols = ["gamma_e", "site_from", "J_mean", "J_sem", "J_std", "J_std_sem", "n_traj"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


@pytest.mark.slow
def test_diverging_job_fails_naming_parameters_and_writes_no_table(tmp_path):
    """An unsaturated gain (n0_ratio huge) above the loss grows without bound."""
    network = {**NETWORK, "gain": [{"site": 1, "rate": 4.0, "n0_ratio": 1.0e300}]}
    config = workflow_config(tmp_path, network, points=[2.0], t_average=2000.0)
    run = snakemake(tmp_path / "w", config)
    out, _ = run.communicate(timeout=600)
    assert run.returncode != 0, out[-3000:]
    log = (tmp_path / "w/logs/ens/sde_0.log").read_text()
    assert "SDE diverged" in log and "gamma = 0.01" in log and "between t =" in log
    assert not list((tmp_path / "w/results/ens").glob("**/traj_*.parquet"))
    assert not (tmp_path / "w/results/ens/bonds.parquet").exists()
