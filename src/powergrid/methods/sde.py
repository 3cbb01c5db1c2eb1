"""SDE ensembles (eqs. 3-5 with noise) over a two-axis sweep.

A job runs a block of trajectories (children ``first .. first + count - 1`` of each point's
SeedSequence) at every point of a chunk of the outer axis and keeps per-trajectory time means;
``ensembles.statistics_frames`` turns the rows of all jobs of a dataset into ensemble statistics,
equal to those of one ensemble however it was split into jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import sde as engine
from ..model import Network
from ..network_spec import network_from_spec
from ..parameters import apply_parameter, axis_values, chunks, parameter_columns, point_seed, reservoir_rate_columns
from . import grid

HISTOGRAM_TABLES = ("histograms",)


@dataclass(frozen=True)
class Options:
    dt: float  # time step (1/g), unless the sweep varies it
    t_transient: float  # discarded start of every trajectory (1/g)
    t_average: float  # averaging time (1/g)
    first_trajectory: int  # this job's block of the ensemble
    n_traj: int
    histogram: engine.HistogramGrid | None
    noise: str  # the increments (powergrid.sde.NOISES)
    sample_interval: float  # the time means take the observables this often (1/g; at least every step)


@dataclass(frozen=True)
class Point:
    outer_index: int
    inner_index: int
    axes: dict  # {axis name: value} of this point
    network: Network
    dt: float
    seed: np.random.SeedSequence  # trajectory k draws from its k-th child

    @property
    def key(self) -> str:
        return f"{self.outer_index}_{self.inner_index}"

    def columns(self) -> dict:
        """The parameters that made this point, as table columns."""
        net = self.network
        return {
            "outer_index": self.outer_index,
            "inner_index": self.inner_index,
            **parameter_columns(net, noise=True, per_site=False),
            "dt": self.dt,
            **reservoir_rate_columns(net),
            **self.axes,
        }


def tables(section: dict) -> tuple[str, ...]:
    return ("traj_bonds", "traj_sites", "traj_points") + (HISTOGRAM_TABLES if section.get("histogram") else ())


def global_sections(config: dict) -> dict:
    # threads and the split of ensembles into jobs do not change the numbers
    sde = config["sde"]
    return {"sde": {"dt": sde["dt"], "noise": sde["noise"], "sample_interval": sde["sample_interval"]}}


def jobs(section: dict, config: dict) -> list[dict]:
    """Chunks of the outer axis times blocks of the ensemble (config sde.trajectories_per_job)."""
    n_traj, per_job = section["trajectories"], config["sde"]["trajectories_per_job"]
    blocks = [{"first": first, "count": min(per_job, n_traj - first)} for first in range(0, n_traj, per_job)]
    return [
        {"outer_indices": indices, "block": block}
        for indices in chunks(len(axis_values(section["outer"])), config["chunk_size"])
        for block in blocks
    ]


def threads(config: dict) -> int:
    return config["sde"]["threads"]


def resources(section: dict, job: dict, config: dict) -> dict:
    """Minutes to declare (SLURM): 5x the job's site-steps at 2e-8 s each (measured: about 1e-8 s
    per site-step and thread, benchmarks/sde.py), plus 10 minutes."""
    dts = [config["sde"]["dt"]] + [
        v for a in ("outer", "inner") if section[a]["name"] == "dt" for v in axis_values(section[a])
    ]
    steps = (section["t_transient"] + section["t_average"]) / min(dts)
    site_steps = (
        len(job["outer_indices"])
        * len(axis_values(section["inner"]))
        * job["block"]["count"]
        * steps
        * section["network"]["n_sites"]
    )
    return {"mem_mb": 1000, "runtime": int(10 + 5 * site_steps * 2e-8 / 60)}


def options(spec: dict) -> Options:
    hist = spec.get("histogram")
    grid_ = (
        None
        if not hist
        else engine.HistogramGrid(
            re_range=tuple(hist["re"]),
            im_range=tuple(hist["im"]),
            bins=(hist["bins"], hist["bins"]),
            every=hist["every"],
        )
    )
    return Options(
        dt=float(spec["sde"]["dt"]),
        t_transient=float(spec["t_transient"]),
        t_average=float(spec["t_average"]),
        first_trajectory=int(spec["block"]["first"]),
        n_traj=int(spec["block"]["count"]),
        histogram=grid_,
        noise=spec["sde"]["noise"],
        sample_interval=float(spec["sde"]["sample_interval"]),
    )


def points(spec: dict) -> list[Point]:
    base, dt = network_from_spec(spec["network"]), float(spec["sde"]["dt"])
    out = []
    for i, j, axes in grid(spec):
        net, point_dt = base, dt
        for name, value in axes.items():
            if name == "dt":  # numerics, not a network parameter
                point_dt = float(value)
            else:
                net = apply_parameter(net, name, value)
        out.append(Point(i, j, axes, net, point_dt, point_seed(spec["seed"], spec["dataset"], i, j)))
    return out


def solve(point: Point, options: Options, progress=None, threads: int = 1) -> engine.EnsembleResult:
    """The job's block of trajectories at one point."""
    return engine.run_ensemble(
        point.network,
        dt=point.dt,
        t_transient=options.t_transient,
        t_average=options.t_average,
        n_traj=options.n_traj,
        seed=point.seed,
        first_trajectory=options.first_trajectory,
        histogram=options.histogram,
        progress=progress,
        threads=threads,
        noise=options.noise,
        sample_every=sample_every(options.sample_interval, point.dt),
    )


def sample_every(interval: float, dt: float) -> int:
    """Steps between samples of the time means: the nearest whole number of steps to ``interval``,
    at least 1 (every step)."""
    return max(1, round(interval / dt))


def label(options) -> str:
    return f"SDE ensemble: {engine.METHOD}"


def metadata(options) -> dict:
    return {"normals": engine.NOISES[options.noise]}


def frames(point: Point, result: engine.EnsembleResult, dataset: str) -> dict[str, pd.DataFrame]:
    """Per-trajectory time means: one row per (trajectory, bond), (trajectory, site; with the
    site's reservoir 'gain', 'loss' or '' and its rate), trajectory; and the histogram counts
    (non-zero bins) when the run made one."""
    common = {
        "dataset": dataset,
        **point.columns(),
        "t_transient": result.t_transient,
        "t_average": result.t_average,
        "sample_interval": result.sample_every * result.dt,  # the time means' sampling, as run
    }
    traj = result.trajectories
    n_traj, edges = result.n_traj, result.edges
    bonds = pd.DataFrame(
        {
            **common,
            "trajectory": np.repeat(traj, len(edges)),
            "site_from": np.tile(edges[:, 0] + 1, n_traj),
            "site_to": np.tile(edges[:, 1] + 1, n_traj),
            "J_mean": result.traj_J_mean.ravel(),
            "J2_mean": result.traj_J2_mean.ravel(),
        }
    )
    net = point.network
    n = net.n_sites
    reservoir, rate = np.full(n, "", dtype=object), np.zeros(n)
    for kind, group in (("gain", net.gain), ("loss", net.loss)):
        for r in group:
            reservoir[r.site], rate[r.site] = kind, r.rate
    sites = pd.DataFrame(
        {
            **common,
            "trajectory": np.repeat(traj, n),
            "site": np.tile(np.arange(1, n + 1), n_traj),
            "reservoir": np.tile(reservoir, n_traj),
            "reservoir_rate": np.tile(rate, n_traj),
            "occupation": result.traj_occupation.ravel(),
        }
    )
    points_ = pd.DataFrame(
        {**common, "trajectory": traj, "Gbar": result.traj_Gbar, "wall_time": result.wall_time / n_traj}
    )  # share of the job's wall time (incl. compilation)
    out = {"traj_bonds": bonds, "traj_sites": sites, "traj_points": points_}
    if result.histogram is not None:
        out["histograms"] = histogram_frame(point, result.histogram, dataset, int(traj[0]))
    return out


def histogram_frame(point: Point, hist: engine.Histogram, dataset: str, block: int) -> pd.DataFrame:
    """Non-zero bins; ``block`` (first trajectory of the job) tells the jobs' samples apart."""
    site, i, j = np.nonzero(hist.counts)
    re, im = hist.grid.re_edges, hist.grid.im_edges
    return pd.DataFrame(
        {
            "dataset": dataset,
            **point.columns(),
            "block": block,
            "site": site + 1,
            "re_lo": re[i],
            "re_hi": re[i + 1],
            "im_lo": im[j],
            "im_hi": im[j + 1],
            "count": hist.counts[site, i, j],
            "samples": hist.samples,
        }
    )
