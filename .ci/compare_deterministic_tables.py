"""Compare the noise-free tables of two result trees whose numbers differ by rounding.

Usage: python .ci/compare_deterministic_tables.py OLD_DIR NEW_DIR

For a change of the deterministic kernels that keeps their answers but not their last bits (a
different but equivalent floating-point evaluation): every table with a ``kind`` column (steady
states, relaxation times) and every continuation table, row by row. A fixed point is polished to
the rounding floor, so its values must agree to ~1e-12; an oscillating attractor is sampled over
windows that agree to ``window_tol`` (3 %), and a trajectory that differs in its last bits is a
different sample of it, so its time means may differ by that much; a random start near a basin
boundary may land on the other attractor (``kind`` changes). Prints, per table: rows, rows whose
kind changed, the largest difference on fixed points (relative to the column's largest magnitude),
and on oscillating rows the largest difference and the fraction beyond 3 %. Exit status 1 if a
fixed point differs by more than 1e-9 or a table's rows do not match.
"""

import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

KEYS = [
    "protocol", "disorder", "realization", "outer_index", "inner_index", "site", "site_from", "site_to", "direction",
    "line", "step", "order",
]  # fmt: skip
CONTINUATION = ("branches", "bifurcations", "lines")  # every row a Newton-converged point
VALUES = ["occupation", "J_mean", "J_min", "J_max", "omega", "growth_rate", "Gbar", "tau", "tau_linear"]
FIXED = ("zero", "stationary", "rotating")
FIXED_BOUND = 1e-9
# Differences are relative to a column's largest magnitude, but at least this: a column of
# rounding noise (omega of stationary states, ~1e-19) has no scale of its own
SCALE_FLOOR = 1e-6


def aggregated(root: Path):
    for p in sorted((root / "results").glob("*/*.parquet")):
        yield p.relative_to(root)


def compare(old: Path, new: Path, rel: Path):
    a = pq.read_table(old / rel).to_pandas()
    b = pq.read_table(new / rel).to_pandas()
    continuation = rel.stem in CONTINUATION
    if "kind" not in a.columns and not continuation:
        return None
    keys = [k for k in KEYS if k in a.columns]
    m = a.merge(b, on=keys, suffixes=("_old", "_new"), how="outer", indicator=True)
    if not (m["_merge"] == "both").all():
        return f"{rel}: rows differ ({len(a)} old, {len(b)} new, {int((m['_merge'] == 'both').sum())} shared)", True
    if continuation:
        values = [c[:-4] for c in m.columns if c.endswith("_old") and m[c].dtype == np.float64]
    else:
        values = [v for v in VALUES if f"{v}_old" in m.columns]
    has_kind = "kind_old" in m.columns
    same = (m["kind_old"] == m["kind_new"]).to_numpy() if has_kind else np.ones(len(m), bool)
    fixed = same & (np.ones(len(m), bool) if continuation else m["kind_old"].isin(FIXED).to_numpy())
    moving = same & ~fixed
    worst_fixed, worst_moving, beyond, worst_column = 0.0, 0.0, np.zeros(len(m), bool), ""
    for v in values:
        x, y = m[f"{v}_old"].to_numpy(float), m[f"{v}_new"].to_numpy(float)
        scale = max(np.nanmax(np.abs(x)) if np.any(np.isfinite(x)) else 0.0, SCALE_FLOOR)
        d = np.abs(y - x) / scale
        d[np.isnan(x) & np.isnan(y)] = 0.0
        d[np.isnan(x) != np.isnan(y)] = np.inf
        if fixed.any() and np.max(d[fixed]) > worst_fixed:
            worst_fixed, worst_column = float(np.max(d[fixed])), v
        if moving.any():
            worst_moving = max(worst_moving, float(np.max(d[moving])))
            beyond |= moving & (d > 0.03)
    n_moving = int(moving.sum())
    line = (
        f"{str(rel):52s} {len(m):7d} {int((~same).sum()):6d} {worst_fixed:10.1e} {n_moving:6d} "
        f"{worst_moving:9.1e} {(beyond.sum() / n_moving if n_moving else 0.0):7.3f}  {worst_column}"
    )
    return line, worst_fixed > FIXED_BOUND


def main():
    old, new = map(Path, sys.argv[1:3])
    head = f"{'table':52s} {'rows':>7s} {'kind':>6s} {'fixed':>10s} {'osc.':>6s} {'osc. max':>9s} {'> 3 %':>7s}"
    print(head + "  worst fixed column")
    failed = False
    for rel in aggregated(new):
        if not (old / rel).exists():
            continue
        out = compare(old, new, rel)
        if out is None:
            continue
        line, bad = out
        failed |= bad
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
