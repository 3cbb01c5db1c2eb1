"""Per-point Fock truncations of a quantum dataset from a survey run.

An exact quantum point records the smallest truncation its own state needs to keep what it cuts
within a tenth of the dataset's leak bound (``n_basis_needed``, ``k_max_needed`` in the points
table; ``quantum.needed_truncation``, ``methods.quantum.NEEDED_MARGIN``).
Solved once at a generous truncation, a dataset thus says what each of its points needs, and the
solver's cost (~ sum_k dim(k)^3, about n_basis^4 / 2 for the uncapped two-site box) falls steeply
with a smaller box and a cap on the total number. This module turns such a points table into the
per-point ``n_basis`` and ``k_max`` lists of ``config.yaml`` (one list per inner value, one entry
per outer value), never above the survey's own, and reports the work saved::

    .venv/bin/python -m powergrid.truncation_survey results/fig4b/points.parquet

The leak check still runs on every point, so a truncation that a changed parameter has made too
small fails its point with a message naming it; rerun the survey at a larger truncation then.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from . import quantum


def per_point_truncations(points: pd.DataFrame) -> tuple[list[list[int]], list[list[int]]]:
    """(n_basis, k_max): one list per inner value, one entry per outer value, each the point's
    needed truncation, never above the truncation the survey used (where that is the smaller, the
    point keeps the survey's leak) and a cap never above its box."""
    if not len(points) or (points["n_basis_needed"] <= 0).any():
        raise ValueError("per_point_truncations needs the points table of an exact quantum dataset")
    n_sites = int(points["n_sites"].iloc[0])
    n_basis, k_max = [], []
    for _, rows in points.sort_values(["inner_index", "outer_index"]).groupby("inner_index"):
        nb = np.minimum(rows["n_basis_needed"].to_numpy(), rows["n_basis"].to_numpy())
        cap = np.minimum(rows["k_max_needed"].to_numpy(), rows["k_max"].to_numpy())
        n_basis.append([int(v) for v in nb])
        k_max.append([int(min(c, n_sites * (b - 1))) for b, c in zip(nb, cap)])
    return n_basis, k_max


def work(n_sites: int, n_basis: int, k_max: int | None) -> float:
    """The exact solver's work per preconditioner application, up to a constant: sum_k dim(k)^3."""
    return float(np.sum(quantum.sector_dims(n_sites, n_basis, k_max).astype(float) ** 3))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("points", type=Path, help="results/<dataset>/points.parquet of an exact quantum dataset")
    args = parser.parse_args(argv)
    points = pd.read_parquet(args.points)
    n_basis, k_max = per_point_truncations(points)
    n_sites = int(points["n_sites"].iloc[0])
    rows = points.sort_values(["inner_index", "outer_index"])
    before = sum(work(n_sites, int(r.n_basis), int(r.k_max)) for r in rows.itertuples())
    after = sum(work(n_sites, b, k) for bs, ks in zip(n_basis, k_max) for b, k in zip(bs, ks))
    print(f"# {args.points}: per-point truncations, each cutting at most a tenth of leak_bound")
    print(f"    n_basis: {n_basis}")
    print(f"    k_max: {k_max}")
    print(f"# work per application, summed over the points: {after / before:.3f} of the survey's truncations")


if __name__ == "__main__":
    main()
