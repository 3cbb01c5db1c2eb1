"""SDE ensembles over a parameter sweep: the points of one compute job, their per-trajectory
tidy frames, and the ensemble tables made from them.

A job runs a block of trajectories (children ``first .. first + count - 1`` of each point's
SeedSequence, see ``powergrid.sde``) at every point of a chunk of the sweep and stores the
per-trajectory time means. ``statistics_frames`` turns the per-trajectory rows of all jobs into
<J>, Delta J, <|alpha|^2>, Gbar and their standard errors with ``sde.ensemble_statistics``: the
numbers are those of one ``run_ensemble`` call over all trajectories, however the ensemble was
split into jobs. Histograms (Fig. 3b) are integer counts and are summed.

Config and tables number sites from 1; the model numbers them from 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import sde, sweep
from .datasets import network_from_spec
from .model import Network


@dataclass(frozen=True)
class EnsemblePoint:
    outer_index: int
    inner_index: int
    axes: dict                         # {axis name: value} of this point
    network: Network
    dt: float
    seed: np.random.SeedSequence       # trajectory k draws from its k-th child

    def columns(self) -> dict:
        """The parameters that made this point, as table columns."""
        net = self.network
        cols = dict(outer_index=self.outer_index, inner_index=self.inner_index, n_sites=net.n_sites,
                    gamma=net.gamma, nu=net.nu, n0=net.n0, n_th_over_n0=net.n_th_over_n0,
                    gamma_i=net.gain[0].rate, gamma_e=net.loss[0].rate,
                    n0_ratio_gain=net.gain[0].n0_ratio, n0_ratio_loss=net.loss[0].n0_ratio, dt=self.dt)
        for r in net.loss if len(net.loss) > 1 else ():  # several loss sites: each rate
            cols[f"gamma_e@{r.site + 1}"] = r.rate
        cols.update(self.axes)
        return cols


def ensemble_points(spec: dict) -> list[EnsemblePoint]:
    """The sweep points of one SDE job, from its spec (see workflow/rules/common.smk)."""
    base = network_from_spec(spec["network"])
    outer, inner = spec["outer"], spec["inner"]
    points = []
    for i in spec["outer_indices"]:
        for j, inner_value in enumerate(inner["values"]):
            axes = {outer["name"]: outer["values"][i], inner["name"]: inner_value}
            net, dt = base, float(spec["sde"]["dt"])
            for name, value in axes.items():
                if name == "dt":  # numerics, not a network parameter
                    dt = float(value)
                else:
                    net = sweep.apply_parameter(net, name, value)
            points.append(EnsemblePoint(i, j, axes, net, dt, sweep.point_seed(spec["seed"], spec["dataset"], i, j)))
    return points


def histogram_grid(section: dict | None) -> sde.HistogramGrid | None:
    if not section:
        return None
    return sde.HistogramGrid(re_range=tuple(section["re"]), im_range=tuple(section["im"]),
                             bins=(section["bins"], section["bins"]), every=section["every"])


def run_point(point: EnsemblePoint, spec: dict, progress=None, threads: int | None = None) -> sde.EnsembleResult:
    """The job's block of trajectories at one point."""
    block = spec["block"]
    return sde.run_ensemble(point.network, dt=point.dt, t_transient=float(spec["t_transient"]),
                            t_average=float(spec["t_average"]), n_traj=int(block["count"]), seed=point.seed,
                            first_trajectory=int(block["first"]), histogram=histogram_grid(spec.get("histogram")),
                            progress=progress, threads=threads)


def trajectory_frames(point: EnsemblePoint, result: sde.EnsembleResult, dataset: str) -> dict[str, pd.DataFrame]:
    """Per-trajectory time means: one row per (trajectory, bond), (trajectory, site; with the
    site's reservoir 'gain', 'loss' or '' and its rate), trajectory; and the histogram counts
    (non-zero bins) when the run made one."""
    common = {"dataset": dataset, **point.columns(), "t_transient": result.t_transient,
              "t_average": result.t_average}
    traj = result.trajectories
    n_traj, edges = result.n_traj, result.edges
    bonds = pd.DataFrame({
        **common,
        "trajectory": np.repeat(traj, len(edges)),
        "site_from": np.tile(edges[:, 0] + 1, n_traj),
        "site_to": np.tile(edges[:, 1] + 1, n_traj),
        "J_mean": result.traj_J_mean.ravel(),
        "J2_mean": result.traj_J2_mean.ravel(),
    })
    net = point.network
    n = net.n_sites
    reservoir, rate = np.full(n, "", dtype=object), np.zeros(n)
    for kind, group in (("gain", net.gain), ("loss", net.loss)):
        for r in group:
            reservoir[r.site], rate[r.site] = kind, r.rate
    sites = pd.DataFrame({**common, "trajectory": np.repeat(traj, n), "site": np.tile(np.arange(1, n + 1), n_traj),
                          "reservoir": np.tile(reservoir, n_traj), "reservoir_rate": np.tile(rate, n_traj),
                          "occupation": result.traj_occupation.ravel()})
    points = pd.DataFrame({**common, "trajectory": traj, "Gbar": result.traj_Gbar,
                           "wall_time": result.wall_time / n_traj})  # share of the job's wall time (incl. compilation)
    frames = {"traj_bonds": bonds, "traj_sites": sites, "traj_points": points}
    if result.histogram is not None:
        frames["histograms"] = histogram_frame(point, result.histogram, dataset, int(traj[0]))
    return frames


def histogram_frame(point: EnsemblePoint, hist: sde.Histogram, dataset: str, block: int) -> pd.DataFrame:
    """Non-zero bins; ``block`` (first trajectory of the job) tells the jobs' samples apart."""
    site, i, j = np.nonzero(hist.counts)
    re, im = hist.grid.re_edges, hist.grid.im_edges
    return pd.DataFrame({"dataset": dataset, **point.columns(), "block": block, "site": site + 1,
                         "re_lo": re[i], "re_hi": re[i + 1], "im_lo": im[j], "im_hi": im[j + 1],
                         "count": hist.counts[site, i, j], "samples": hist.samples})


POINT_KEYS = ["outer_index", "inner_index"]


def statistics_frames(traj_bonds: pd.DataFrame, traj_sites: pd.DataFrame,
                      traj_points: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Ensemble tables from the per-trajectory rows of all jobs of a dataset: ``bonds`` (<J>,
    J_sem, Delta J = J_std, J_std_sem per bond), ``sites`` (<|alpha|^2> and its sem) and ``points``
    (Gbar and its sem, trajectories, wall time of the jobs)."""
    bonds, sites, points = [], [], []
    for key, tp in traj_points.groupby(POINT_KEYS, sort=True):
        ids = np.sort(tp["trajectory"].to_numpy())
        if len(np.unique(ids)) != len(ids):
            raise ValueError(f"point {dict(zip(POINT_KEYS, key))}: a trajectory appears twice (overlapping jobs)")
        tb = _select(traj_bonds, key).sort_values(["trajectory", "site_from", "site_to"])
        ts = _select(traj_sites, key).sort_values(["trajectory", "site"])
        tp = tp.sort_values("trajectory")
        n_traj = len(ids)
        edges = tb[["site_from", "site_to"]].drop_duplicates()
        n_sites = ts["site"].nunique()
        stats = sde.ensemble_statistics(tb["J_mean"].to_numpy().reshape(n_traj, len(edges)),
                                        tb["J2_mean"].to_numpy().reshape(n_traj, len(edges)),
                                        ts["occupation"].to_numpy().reshape(n_traj, n_sites),
                                        tp["Gbar"].to_numpy())
        params = tp.drop(columns=["trajectory", "Gbar", "wall_time"]).iloc[0].to_dict()
        params["n_traj"] = n_traj
        for e, (a, b) in enumerate(edges.itertuples(index=False)):
            bonds.append({**params, "site_from": a, "site_to": b, **{k: stats[k][e] for k in
                          ("J_mean", "J_sem", "J_std", "J_std_sem")}})
        first = ts.iloc[:n_sites]
        for site, row in enumerate(first.itertuples(index=False)):
            sites.append({**params, "site": site + 1, "reservoir": row.reservoir, "reservoir_rate": row.reservoir_rate,
                          "occupation": stats["occupation"][site], "occupation_sem": stats["occupation_sem"][site]})
        points.append({**params, "Gbar_mean": stats["Gbar_mean"], "Gbar_sem": stats["Gbar_sem"],
                       "wall_time": float(tp["wall_time"].sum())})
    return {"bonds": pd.DataFrame(bonds), "sites": pd.DataFrame(sites), "points": pd.DataFrame(points)}


def merge_histograms(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Sum the counts (and samples) of histogram frames of the same points from several jobs."""
    df = pd.concat(frames, ignore_index=True)
    samples = df.drop_duplicates(POINT_KEYS + ["block"]).groupby(POINT_KEYS)["samples"].sum()
    keys = [c for c in df.columns if c not in ("count", "samples", "block")]
    counts = df.groupby(keys, sort=True, dropna=False)["count"].sum().reset_index()
    counts["samples"] = samples.loc[list(zip(*(counts[k] for k in POINT_KEYS)))].to_numpy()
    return counts


def _select(df: pd.DataFrame, key) -> pd.DataFrame:
    mask = np.ones(len(df), bool)
    for col, value in zip(POINT_KEYS, key):
        mask &= df[col].to_numpy() == value
    return df[mask]
