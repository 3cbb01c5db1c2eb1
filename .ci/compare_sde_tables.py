"""Compare the SDE ensemble statistics of two result trees whose random numbers differ, or that
ran the same trajectories with other estimators.

Usage: python .ci/compare_sde_tables.py OLD_DIR NEW_DIR [--same-trajectories]

For a change that keeps the SDE's statistics but not its numbers (other increments, other
seeds): every SDE dataset's <J>, Delta J (bonds), <|alpha|^2> (sites) and Gbar (points), point by
point, as z = (new - old) / sqrt(sem_new^2 + sem_old^2). If the two runs sample the same
distributions, z is close to a standard normal: mean ~0, standard deviation ~1, ~4.6 % beyond 2.
Values within a point are correlated, so the counts scatter more than for independent draws.

``--same-trajectories``: for a change that integrates the same trajectories but estimates from
them differently (``sde.sample_interval``): per dataset, the quantiles of |new - old| / sem_old
(how far the estimate moved, in error bars) and of sem_new / sem_old (what it did to the error
bars). Here z would mean nothing: the two estimates share almost all of their noise.
"""

import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from scipy import stats

KEYS = ["outer_index", "inner_index"]
QUANTITIES = [  # table, value, its standard error, the columns that name a row within a point
    ("bonds", "J_mean", "J_sem", ["site_from", "site_to"]),
    ("bonds", "J_std", "J_std_sem", ["site_from", "site_to"]),
    ("sites", "occupation", "occupation_sem", ["site"]),
    ("points", "Gbar_mean", "Gbar_sem", []),
]


def merged(old: Path, new: Path, dataset: str, table: str, within: list):
    a = pq.read_table(old / "results" / dataset / f"{table}.parquet").to_pandas()
    b = pq.read_table(new / "results" / dataset / f"{table}.parquet").to_pandas()
    m = a.merge(b, on=KEYS + within, suffixes=("_old", "_new"))
    if not len(m) == len(a) == len(b):
        sys.exit(f"{dataset}/{table}: the two runs have different points ({len(a)}, {len(b)}, {len(m)} shared)")
    return m


def z_scores(old: Path, new: Path, dataset: str) -> np.ndarray:
    out = []
    for table, value, sem, within in QUANTITIES:
        m = merged(old, new, dataset, table, within)
        s = np.hypot(m[f"{sem}_old"], m[f"{sem}_new"]).to_numpy()
        d = (m[f"{value}_new"] - m[f"{value}_old"]).to_numpy()
        ok = s > 0  # exact zeros (no noise, no current) carry no information
        out.append(d[ok] / s[ok])
    z = np.concatenate(out)
    return z[np.isfinite(z)]


def line(name: str, z: np.ndarray) -> str:
    return (
        f"{name:22s} {z.size:6d} {z.mean():7.3f} {z.std():6.3f} {np.abs(z).max():7.2f} "
        f"{np.mean(np.abs(z) > 2):8.3f} {np.mean(np.abs(z) > 3):8.4f}"
    )


def same_trajectories(old: Path, new: Path, datasets: list) -> None:
    print(
        f"{'dataset':22s} {'n':>6s}  |new - old| / sem_old: {'median':>8s} {'max':>8s}  sem_new / sem_old: "
        f"{'min':>7s} {'median':>7s} {'max':>7s}"
    )
    rows = []
    for ds in datasets:
        moved, ratio = [], []
        for table, value, sem, within in QUANTITIES:
            m = merged(old, new, ds, table, within)
            ok = (m[f"{sem}_old"] > 0).to_numpy()  # exact zeros carry no information
            moved.append((np.abs(m[f"{value}_new"] - m[f"{value}_old"]) / m[f"{sem}_old"]).to_numpy()[ok])
            ratio.append((m[f"{sem}_new"] / m[f"{sem}_old"]).to_numpy()[ok])
        rows.append((ds, np.concatenate(moved), np.concatenate(ratio)))
    rows.append(("all", np.concatenate([r[1] for r in rows]), np.concatenate([r[2] for r in rows])))
    for ds, d, r in rows:
        print(
            f"{ds:22s} {d.size:6d}  {'':22s} {np.median(d):8.4f} {d.max():8.4f}  {'':18s} "
            f"{r.min():7.4f} {np.median(r):7.4f} {r.max():7.4f}"
        )


def main():
    old, new = map(Path, sys.argv[1:3])
    datasets = sorted(p.parent.name for p in (new / "results").glob("*/trajectory_bonds.parquet"))
    if "--same-trajectories" in sys.argv[3:]:
        return same_trajectories(old, new, datasets)
    print(f"{'dataset':22s} {'n':>6s} {'mean z':>7s} {'sd z':>6s} {'max|z|':>7s} {'|z|>2':>8s} {'|z|>3':>8s}")
    every = []
    for ds in datasets:
        every.append(z_scores(old, new, ds))
        print(line(ds, every[-1]))
    print(line("all", np.concatenate(every)))
    tails = f"{2 * stats.norm.sf(2):8.3f} {2 * stats.norm.sf(3):8.4f}"
    print(f"{'a standard normal':22s} {'':6s} {0:7.3f} {1:6.3f} {'':7s} {tails}")


if __name__ == "__main__":
    main()
