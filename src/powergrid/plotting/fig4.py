"""Fig. 4: the quantum regime of the N = 2 chain (Gamma_i = 4 g, N_th = 0).

(a) Delta J/(g n0) against Gamma_e at gamma = 1e-3 g: the master equation (1) for small n0
    (lines; points with standard errors where solved by quantum trajectories) and SDE ensembles
    for larger n0 (points with standard errors); inset: the peak height max over Gamma_e of
    Delta J/(g n0) against n0, quantum and SDE, log-log (quantum n0 = 5 from a grid around its
    peak only, ``fig4a_quantum_peak``; should its largest value fall on the grid's first or last
    point, the peak is not located and is drawn open, with an arrow up: a lower bound).
(b) Entanglement negativity of the steady state between the two sites against Gamma_e at
    gamma = 1e-2 g, n0 = 1, 2, 5 (exact steady states); dots: each curve's largest value beyond
    the dip at Gamma_e ~ 1.5 g, a grid point (the grid is 0.25 g apart there).
Tables: ``fig4a_quantum/bonds``, ``fig4a_quantum_peak/bonds``, ``fig4a_sde/bonds``, ``fig4b/points``.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker

from . import style
from ._common import table
from .noisy_currents import mark_gamma_i

FIGURE = "fig4"
CATEGORY = "Main text"
TABLES = ("fig4a_quantum/bonds", "fig4a_quantum_peak/bonds", "fig4a_sde/bonds", "fig4b/points")
QUANTUM = ("#D55E00", "#CC79A7", "#E69F00", "#F0E442")
CLASSICAL = ("#0072B2", "#56B4E9", "#009E73", "#000000")
SHOWN_SDE = (10.0, 30.0)  # the SDE curves drawn in (a), as in the paper (all n0 enter the inset)


def _curves(bonds):
    return [(n0, rows.sort_values("gamma_e")) for n0, rows in bonds.groupby("n0", sort=True)]


def draw_a(ax, tables):
    quantum, sde = table(tables, "fig4a_quantum/bonds"), table(tables, "fig4a_sde/bonds")
    peaks = {"quantum": [], "SDE": []}
    for color, (n0, rows) in zip(QUANTUM, _curves(quantum)):
        err = rows["J_std_sem"].to_numpy(float)
        if np.isfinite(err).any():
            ax.errorbar(
                rows["gamma_e"],
                rows["J_std"],
                yerr=err,
                color=color,
                lw=1.2,
                marker="o",
                ms=2,
                elinewidth=0.8,
                capsize=1.2,
                label=rf"$n_0={n0:g}$ (quantum)",
            )
        else:
            ax.plot(rows["gamma_e"], rows["J_std"], color=color, lw=1.4, label=rf"$n_0={n0:g}$ (quantum)")
        peaks["quantum"].append((n0, rows["J_std"].max()))
    bounds = []  # (n0, value) of the peak-only curves whose maximum is the end of their grid
    for n0, rows in _curves(table(tables, "fig4a_quantum_peak/bonds")):
        values = rows["J_std"].to_numpy(float)
        peaks["quantum"].append((n0, values.max()))
        if _interior_maximum(rows["gamma_e"].to_numpy(float), values, above=0.0) is None:
            bounds.append((n0, values.max()))
    shown = [n0 for n0, _ in _curves(sde) if n0 in SHOWN_SDE] or [n0 for n0, _ in _curves(sde)][:2]
    for n0, rows in _curves(sde):
        if n0 in shown:
            ax.errorbar(
                rows["gamma_e"],
                rows["J_std"],
                yerr=rows["J_std_sem"],
                color=CLASSICAL[shown.index(n0)],
                ls="none",
                marker="s",
                ms=2.2,
                elinewidth=0.8,
                capsize=1.2,
                label=rf"$n_0={n0:g}$ (SDE)",
            )
        peaks["SDE"].append((n0, rows["J_std"].max()))
    mark_gamma_i(ax, float(quantum["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$\Delta J\,/\,(g\,n_0)$")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=6.5)
    inset = ax.inset_axes([0.62, 0.55, 0.35, 0.4])
    for (name, values), color, marker in zip(peaks.items(), (QUANTUM[0], CLASSICAL[0]), ("o", "s")):
        if values:
            x, y = np.array(sorted(values)).T
            inset.plot(x, y, color=color, marker=marker, ms=3, lw=0.8, label=name)
    for n0, value in bounds:  # not located: a lower bound of the peak, drawn open with an arrow up
        inset.plot([n0], [value], color=QUANTUM[0], marker="o", ms=5, mfc="white", ls="none")
        inset.annotate("", (n0, value * 1.35), (n0, value), arrowprops=dict(arrowstyle="->", color=QUANTUM[0], lw=0.8))
    inset.set_xscale("log")
    inset.set_yscale("log")
    for axis in (inset.xaxis, inset.yaxis):
        axis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        axis.set_minor_formatter(ticker.NullFormatter())
    inset.set_yticks([1, 2, 5, 10])
    inset.set_xlabel(r"$n_0$", fontsize=7, labelpad=1)
    inset.set_ylabel(r"peak $\Delta J/(g n_0)$", fontsize=7, labelpad=1)
    inset.tick_params(labelsize=6)
    inset.legend(fontsize=6, loc="lower left")


def _interior_maximum(gamma_e, values, above=2.0):
    """(Gamma_e, value) of the largest value beyond ``above`` (for the negativity: beyond its dip),
    if a grid point inside the curve: a maximum at the first or last point is not located (None)."""
    inside = np.flatnonzero(gamma_e > above)
    if inside.size < 3:
        return None
    k = inside[np.argmax(values[inside])]
    return None if k in (inside[0], inside[-1]) else (gamma_e[k], values[k])


def draw_b(ax, tables):
    points = table(tables, "fig4b/points")
    for color, (n0, rows) in zip(QUANTUM, _curves(points)):
        label = rf"$n_0={n0:g}$"
        peak = _interior_maximum(rows["gamma_e"].to_numpy(float), rows["negativity"].to_numpy(float))
        if peak is not None:
            ax.plot(*peak, color=color, marker="o", ms=3.5, ls="none")
            label += rf", max at $\Gamma_e={peak[0]:g}\,g$"
        ax.plot(rows["gamma_e"], rows["negativity"], color=color, lw=1.4, label=label)
    mark_gamma_i(ax, float(points["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"negativity $\mathcal{N}$")
    ax.set_ylim(0, 1.35 * float(points["negativity"].max()))  # room for the legend above the curves
    ax.set_title(rf"$\gamma={points['gamma'].iloc[0]:g}\,g$", fontsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(0.12, 1.0), fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.7)
