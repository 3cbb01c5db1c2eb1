"""Beyond the paper: the quantum regime of an N = 3 chain (the paper stops at N = 2 "due to the
large Hilbert space"). (a) <J>/(g n0) and (b) Delta J/(g n0) on the last bond against Gamma_e for
n0 = 1, 2 from eq. (1): the exact sector-resolved steady state (lines) or quantum trajectories
(points with standard errors), as the dataset's solver says. Table: ``extra_quantum_n3/bonds``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import table
from .noisy_currents import bond, mark_gamma_i

FIGURE = "extra-quantum-N3"
CATEGORY = "Beyond the paper"
TABLES = ("extra_quantum_n3/bonds",)
COLORS = ("#D55E00", "#CC79A7", "#E69F00")


def _draw(ax, tables, value, error, ylabel):
    bonds = table(tables, "extra_quantum_n3/bonds")
    last = bond(bonds, int(bonds["n_sites"].iloc[0]))
    for color, (n0, rows) in zip(COLORS, last.groupby("n0", sort=True)):
        rows = rows.sort_values("gamma_e")
        label = rf"$n_0={n0:g}$, $n_{{basis}}={int(rows['n_basis'].iloc[0])}$"
        err = rows[error].to_numpy(float)
        if np.isfinite(err).any():
            ax.errorbar(
                rows["gamma_e"],
                rows[value],
                yerr=err,
                color=color,
                lw=1.0,
                marker="o",
                ms=2.5,
                elinewidth=0.8,
                capsize=1.5,
                label=label,
            )
        else:
            ax.plot(rows["gamma_e"], rows[value], color=color, lw=1.4, marker="o", ms=2, label=label)
    mark_gamma_i(ax, float(bonds["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    r = bonds.iloc[0]
    ax.set_title(rf"$N={int(r['n_sites'])}$, $\gamma={r['gamma']:g}\,g$", fontsize=8)
    ax.legend(loc="best", fontsize=6.5)


def draw_a(ax, tables):
    _draw(ax, tables, "J_mean", "J_sem", r"$\langle J\rangle\,/\,(g\,n_0)$")


def draw_b(ax, tables):
    _draw(ax, tables, "J_std", "J_std_sem", r"$\Delta J\,/\,(g\,n_0)$")


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
