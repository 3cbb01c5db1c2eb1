"""Currents of SDE ensembles against a rate (Fig. 3a, 5b, S8, S10, article 7d, 8b).

``draw_band`` draws <J> (points with standard-error bars, joined) and the band <J> +- Delta J of
the instantaneous current, whose edges carry the error of <J> and Delta J combined.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import analytic
from . import style

XLABEL = r"$\Gamma_e\,/\,g$"
JLABEL = r"$\langle J\rangle\,/\,(g\,n_0)$"


def bond(bonds, site_to: int, site_from: int | None = None):
    """Rows of the bond into ``site_to`` (from ``site_from`` if given), sorted by the swept rate."""
    sel = bonds[bonds["site_to"] == site_to]
    if site_from is not None:
        sel = sel[sel["site_from"] == site_from]
    return sel


def draw_band(ax, rows, color, label, x: str = "gamma_e", band: bool = True):
    rows = rows.sort_values(x)
    g, j, sem = (rows[c].to_numpy(float) for c in (x, "J_mean", "J_sem"))
    if band:
        dj, dj_sem = rows["J_std"].to_numpy(float), rows["J_std_sem"].to_numpy(float)
        ax.fill_between(g, j - dj, j + dj, color=color, alpha=0.18, lw=0)
        edge_err = np.hypot(sem, dj_sem)
        for sign in (-1, 1):
            ax.errorbar(g, j + sign * dj, yerr=edge_err, color=color, lw=0.6, alpha=0.7, elinewidth=0.6, capsize=0)
    ax.errorbar(g, j, yerr=sem, color=color, lw=1.2, marker="o", ms=2.2, elinewidth=0.8, capsize=1.2, label=label)
    ax.set_xlim(float(g.min()), float(g.max()))


def equilibrium_band(ax, n_th_over_n0: float):
    """Dashed: +- Delta J of thermal equilibrium, (N_th/n0)/sqrt(2) (eq. S45)."""
    dj = float(analytic.J_std_equilibrium(n_th_over_n0))
    for y in (-dj, dj):
        ax.axhline(y, color=style.COLORS["reference"], lw=0.8, ls="--", zorder=0)
    ax.plot([], [], color=style.COLORS["reference"], lw=0.8, ls="--", label=r"equilibrium $\pm\Delta J$")


def mark_gamma_i(ax, gamma_i):
    ax.axvline(gamma_i, color=style.COLORS["reference"], lw=0.6, ls=":", zorder=0)


def label_axes(ax, xlabel: str = XLABEL):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(JLABEL)


def noise_title(rows) -> str:
    r = rows.iloc[0]
    return rf"$N={int(r['n_sites'])}$, $N_{{th}}/n_0={r['n_th_over_n0']:g}$, $n_0={r['n0']:g}$"


def mean_inset(ax, rows, color, x: str = "gamma_e", where=(0.6, 0.62, 0.37, 0.33)):
    """<J> alone, with its standard errors, on its own scale (the band dwarfs it where the
    thermal fluctuations are large)."""
    inset = ax.inset_axes(list(where))
    rows = rows.sort_values(x)
    inset.errorbar(
        rows[x], rows["J_mean"], yerr=rows["J_sem"], color=color, lw=0.9, marker="o", ms=1.2, elinewidth=0.6, capsize=0
    )
    inset.set_xlim(ax.get_xlim())
    inset.set_ylim(bottom=min(0.0, float(rows["J_mean"].min())))
    inset.set_ylabel(r"$\langle J\rangle$", fontsize=7, labelpad=1)
    inset.tick_params(labelsize=6)
    inset.xaxis.set_major_locator(MaxNLocator(4))
    return inset


def draw_last_bond(ax, bonds, color=style.OKABE_ITO[0], title: str | None = None):
    """One SDE sweep on the chain's last bond: <J> +- Delta J, the equilibrium band, Gamma_e = Gamma_i,
    and an inset with <J> on its own scale."""
    rows = bond(bonds, int(bonds["n_sites"].iloc[0]))
    draw_band(ax, rows, color, r"$\langle J\rangle\pm\Delta J$")
    mean_inset(ax, rows, color)
    equilibrium_band(ax, float(rows["n_th_over_n0"].iloc[0]))
    mark_gamma_i(ax, float(rows["gamma_i"].iloc[0]))
    ax.axhline(0.0, color="0.8", lw=0.5, zorder=0)
    label_axes(ax)
    if title:
        ax.set_title(title, fontsize=8)
    ax.legend(loc="lower right", fontsize=6.5)


def panels_per_value(bonds, column: str, title):
    """draw(ax, tables) functions, one per value of ``column`` (ascending), for style.panel_row."""

    def panel(value):
        return lambda ax, tables: draw_last_bond(ax, bonds[bonds[column] == value], title=title(value))

    return [panel(v) for v in sorted(bonds[column].unique())]
