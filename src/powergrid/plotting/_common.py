"""Small table helpers shared by the figure modules (selection only, no physics)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from .. import analytic

STEADY_KINDS = ("zero", "stationary", "rotating")  # time-independent |alpha_l|
UNSTEADY_KINDS = ("periodic", "quasi-periodic")  # currents vary in time: J_min < J_max


def table(tables: dict, key: str) -> pd.DataFrame:
    """``tables[key]`` with a clear message when a figure is given the wrong inputs."""
    try:
        return tables[key]
    except KeyError:
        raise KeyError(f"figure needs table {key!r}; got {sorted(tables)}") from None


def last_bond(bonds: pd.DataFrame) -> pd.DataFrame:
    """Rows of the bond into the extraction site (site_to == n_sites)."""
    return bonds[bonds["site_to"] == bonds["n_sites"]]


def prefer_converged(df: pd.DataFrame) -> pd.DataFrame:
    """The converged rows if there are any, else all rows."""
    if "converged" in df and df["converged"].astype(bool).any():
        return df[df["converged"].astype(bool)]
    return df


def grid(df: pd.DataFrame, value: str, x: str = "gamma_i", y: str = "gamma_e"):
    """(x centres, y centres, Z[y, x]) of a long table; missing points are NaN."""
    z = df.pivot_table(index=y, columns=x, values=value, aggfunc="mean", sort=True)
    return z.columns.to_numpy(float), z.index.to_numpy(float), z.to_numpy(float)


def ratio_label(r: float) -> str:
    """1.05 -> '1.05', 0.6667 -> '2/3' (short decimal, else small fraction, else 3 digits)."""
    if abs(r - round(r, 2)) < 1e-6 * max(1.0, abs(r)):
        return f"{round(r, 2):g}"
    f = Fraction(r).limit_denominator(12)
    if abs(float(f) - r) < 1e-6 * max(1.0, abs(r)):
        return f"{f.numerator}/{f.denominator}"
    return f"{r:.3g}"


def fmt(x: float, digits: int = 3) -> str:
    """A number with a few significant digits, no trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def runs(mask: np.ndarray):
    """(start, stop) index pairs of the True runs of a 1-D boolean array (stop exclusive)."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(int))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def stalled_boundary(ax, n: int = 200):
    """(Gamma_i, Gamma_e) of the stalled-region edge Gamma_e = g^2/Gamma_i (Gamma_i < g), inside the
    axes limits (empty arrays if none); the formula is ``powergrid.analytic.stalled_boundary``."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    start, stop = max(x0, 1.0 / y1 if y1 > 0 else np.inf, 1e-3), min(1.0, x1)
    if not start < stop:
        return np.array([]), np.array([])
    gi = np.linspace(start, stop, n)
    ge = np.asarray(analytic.stalled_boundary(gi), float)
    ok = np.isfinite(ge) & (ge >= y0) & (ge <= y1)
    return gi[ok], ge[ok]


def oscillation_band(ax, df, color, x: str = "gamma_i") -> bool:
    """Light band J_min..J_max against ``x`` where the attractor oscillates (periodic or
    quasi-periodic); a single such point is a short vertical bar. True if anything was drawn."""
    g = df[x].to_numpy(float)
    lo, hi = df["J_min"].to_numpy(float), df["J_max"].to_numpy(float)
    m = df["kind"].isin(UNSTEADY_KINDS).to_numpy() & np.isfinite(lo) & np.isfinite(hi) & (hi - lo > 1e-9)
    for a, b in runs(m):
        if b - a >= 2:
            ax.fill_between(g[a:b], lo[a:b], hi[a:b], color=color, alpha=0.2, lw=0)
        else:
            ax.vlines(g[a], lo[a], hi[a], color=color, alpha=0.35, lw=1.5)
    return bool(m.any())
