"""Beyond the paper: how far from Gamma_e = Gamma_i the transition lies, at Gamma_i = 4 g.

(a) Against gamma (N = 10), (b) against N (gamma = 1e-3): the distances Gamma_i - Gamma_e of the
first Hopf point of the rotating (symmetric) state, of the branch point where rotation sets in,
and of the point where the state at rest turns stable (``transitions.transition_points``), with
power-law fits, next to the paper's estimates Gamma_i N gamma/2g (letter), (S44)/(D3), 2 gamma
and gamma * curly-N. The width of the window with no stable stationary state is the gap between
the first and the last of these (where the state at rest turns stable below the Hopf point the
two coexist instead).
Tables: ``extra_transition_gamma/branches``, ``extra_transition_gamma/bifurcations``,
``extra_transition_n/branches``, ``extra_transition_n/bifurcations``.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .. import analytic
from ..fits import fit_power_law
from ..transitions import transition_points
from . import style
from ._common import table

FIGURE = "extra-transition-scaling"
CATEGORY = "Beyond the paper"
TABLES = (
    "extra_transition_gamma/branches",
    "extra_transition_gamma/bifurcations",
    "extra_transition_n/branches",
    "extra_transition_n/bifurcations",
)

SERIES = (  # column of transition_points, label, colour, marker
    ("gamma_e_symmetric_end", "symmetric state turns unstable", style.COLORS["symmetric"], "o"),
    ("gamma_e_branch", "branch point", "black", "s"),
    ("gamma_e_broken_start", "broken state turns stable", style.COLORS["broken"], "^"),
)


def distances(tables, dataset: str, by: str):
    points = transition_points(table(tables, f"{dataset}/branches"), table(tables, f"{dataset}/bifurcations"), by)
    for column, *_ in SERIES:
        points["d_" + column.removeprefix("gamma_e_")] = points["gamma_i"] - points[column]
    points["d_gap"] = points["gap"]
    return points


def _curly_n(n):
    n = np.asarray(n, float)
    return np.where(n == 2, 2.0, np.where(n % 2 == 1, (n + 1) / 2, n / 2))


def _panel(ax, frame, by, fixed):
    """Distances against ``by``; against N, the even chains carry the fits (the paper's N = 10 is
    even; odd chains have the state at rest as their symmetric phase and are drawn apart)."""
    if by == "n_sites":
        odd = frame[frame["n_sites"] % 2 == 1]
        frame = frame[frame["n_sites"] % 2 == 0]
        for column, _, color, marker in SERIES:
            d = odd["d_" + column.removeprefix("gamma_e_")]
            ok = d > 0
            ax.plot(odd["n_sites"][ok], d[ok], ls="none", marker=marker, ms=3, color=color, alpha=0.5)
        ax.plot([], [], ls="none", marker="o", ms=3, color="0.5", alpha=0.6, label="odd N (no fit)")
    x = frame[by].to_numpy(float)
    for column, label, color, marker in SERIES:
        d = frame["d_" + column.removeprefix("gamma_e_")].to_numpy(float)
        ok = np.isfinite(d) & (d > 0)
        slope, err, _ = fit_power_law(x[ok], d[ok]) if ok.sum() >= 3 else (np.nan, np.nan, np.nan)
        fit = rf", slope ${slope:.2f}\pm{err:.2f}$" if np.isfinite(slope) else ""
        ax.plot(x[ok], d[ok], marker=marker, ms=3.5, lw=1.0, color=color, mfc="white", label=label + fit)
    gap = frame["d_gap"].to_numpy(float)
    ok = np.isfinite(gap) & (gap > 0)
    ax.plot(x[ok], gap[ok], marker="D", ms=3, lw=0.8, ls=":", color=style.COLORS["transition"], mfc="white",
            label="no stable stationary state: width")  # fmt: skip
    gi = frame["gamma_i"].to_numpy(float)
    n = x if by == "n_sites" else np.full_like(x, fixed)
    gamma = x if by == "gamma" else np.full_like(x, fixed)
    grey = dict(lw=0.8, color="0.35")
    ax.plot(x, gi * n * gamma / 2, ls="--", label=r"$\Gamma_i N\gamma/2g$ (letter)", **grey)
    ax.plot(x, gi - analytic.transition(gi, gamma, n), ls="-.", label="(S44)/(D3)", **grey)
    ax.plot(x, _curly_n(n) * gamma, ls=(0, (5, 2, 1, 2)), label=r"$\gamma\mathcal{N}$ (D2)", **grey)
    ax.plot(x, 2 * gamma, ls=(0, (2, 3)), label=r"$2\gamma$", **grey)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylabel(r"$(\Gamma_i-\Gamma_e)\,/\,g$")
    if by == "n_sites":
        ticks = [2, 4, 6, 10, 20]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())


def plot(tables):
    by_gamma = distances(tables, "extra_transition_gamma", "gamma")
    by_n = distances(tables, "extra_transition_n", "n_sites")
    n_fixed = int(table(tables, "extra_transition_gamma/branches")["n_sites"].iloc[0])
    gamma_fixed = float(table(tables, "extra_transition_n/branches")["gamma"].iloc[0])
    with style.context():
        fig = style.figure(style.DOUBLE, 3.6)
        a, b = fig.subplots(1, 2)
        _panel(a, by_gamma, "gamma", n_fixed)
        _panel(b, by_n, "n_sites", gamma_fixed)
        a.set_xlabel(r"$\gamma\,/\,g$")
        b.set_xlabel(r"$N$")
        a.set_title(rf"$N = {n_fixed}$, $\Gamma_i = {by_gamma['gamma_i'].iloc[0]:g}\,g$", fontsize=8)
        b.set_title(rf"$\gamma = {gamma_fixed:g}\,g$, $\Gamma_i = {by_n['gamma_i'].iloc[0]:g}\,g$", fontsize=8)
        for ax, letter in ((a, "a"), (b, "b")):
            ax.legend(loc="upper left", fontsize=5.5, frameon=False)
            style.panel_label(ax, letter)
    return fig
