"""SDE ensembles: the ensemble tables of a dataset from the per-trajectory tables of its jobs.

A job (``methods.sde``) runs a block of trajectories (children ``first .. first + count - 1`` of
each point's SeedSequence, see ``powergrid.sde``) at every point of a chunk of the sweep and stores
the per-trajectory time means. ``statistics_frames`` turns the per-trajectory rows of all jobs into
<J>, Delta J, <|alpha|^2>, Gbar and their standard errors with ``sde.ensemble_statistics``: the
numbers are those of one ``run_ensemble`` call over all trajectories, however the ensemble was
split into jobs. Histograms (Fig. 3b) are integer counts and are summed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import sde

POINT_KEYS = ["outer_index", "inner_index"]


def statistics_frames(
    traj_bonds: pd.DataFrame, traj_sites: pd.DataFrame, traj_points: pd.DataFrame
) -> dict[str, pd.DataFrame]:
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
        stats = sde.ensemble_statistics(
            tb["J_mean"].to_numpy().reshape(n_traj, len(edges)),
            tb["J2_mean"].to_numpy().reshape(n_traj, len(edges)),
            ts["occupation"].to_numpy().reshape(n_traj, n_sites),
            tp["Gbar"].to_numpy(),
        )
        columns = tp.drop(columns=["trajectory", "Gbar", "wall_time"])
        mixed = [c for c in columns if columns[c].nunique(dropna=False) > 1]
        if mixed:  # jobs run with other settings (t_average, sample_interval, normals, ...) are not one ensemble
            raise ValueError(
                f"point {dict(zip(POINT_KEYS, key))}: its trajectories differ in {mixed} "
                f"({ {c: sorted(columns[c].unique().tolist()) for c in mixed} }): rerun the dataset's jobs"
            )
        params = columns.iloc[0].to_dict()
        params["n_traj"] = n_traj
        for e, (a, b) in enumerate(edges.itertuples(index=False)):
            bonds.append(
                {
                    **params,
                    "site_from": a,
                    "site_to": b,
                    **{k: stats[k][e] for k in ("J_mean", "J_sem", "J_std", "J_std_sem")},
                }
            )
        first = ts.iloc[:n_sites]
        for site, row in enumerate(first.itertuples(index=False)):
            sites.append(
                {
                    **params,
                    "site": site + 1,
                    "reservoir": row.reservoir,
                    "reservoir_rate": row.reservoir_rate,
                    "occupation": stats["occupation"][site],
                    "occupation_sem": stats["occupation_sem"][site],
                }
            )
        points.append(
            {
                **params,
                "Gbar_mean": stats["Gbar_mean"],
                "Gbar_sem": stats["Gbar_sem"],
                "wall_time": float(tp["wall_time"].sum()),
            }
        )
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
