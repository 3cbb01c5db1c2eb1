"""Fig. S2: quantum against semiclassical, N = 2, n0 = 15, gamma = 0.1 g, Gamma_i = 4 g, N_th = 0.
(a) <J>/(g n0) and (b) Delta J/(g n0) against Gamma_e: the master equation (1) (line, or points
with standard errors from quantum trajectories) and SDE ensembles (points with standard errors).
Tables: ``figS2_quantum/bonds``, ``figS2_sde/bonds``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import table
from .noisy_currents import mark_gamma_i

TABLES = ("figS2_quantum/bonds", "figS2_sde/bonds")


def _draw(ax, tables, value, error, ylabel):
    quantum = table(tables, "figS2_quantum/bonds").sort_values("gamma_e")
    sde = table(tables, "figS2_sde/bonds").sort_values("gamma_e")
    err = quantum[error].to_numpy(float)
    label = rf"quantum, $n_{{basis}}={int(quantum['n_basis'].max())}$"
    if np.isfinite(err).any():
        ax.errorbar(quantum["gamma_e"], quantum[value], yerr=err, color=style.COLORS["quantum"], lw=1.3,
                    marker="o", ms=2, elinewidth=0.8, capsize=1.2, label=label)
    else:
        ax.plot(quantum["gamma_e"], quantum[value], color=style.COLORS["quantum"], lw=1.4, label=label)
    ax.errorbar(sde["gamma_e"], sde[value], yerr=sde[error], color=style.COLORS["broken"], ls="none", marker="s",
                ms=2.2, elinewidth=0.8, capsize=1.2, label=f"SDE, {int(sde['n_traj'].min())} trajectories")
    mark_gamma_i(ax, float(quantum["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    r = quantum.iloc[0]
    ax.set_title(rf"$n_0={r['n0']:g}$, $\gamma={r['gamma']:g}\,g$", fontsize=8)
    ax.legend(loc="lower right", fontsize=6.5)


def draw_a(ax, tables):
    _draw(ax, tables, "J_mean", "J_sem", r"$\langle J\rangle\,/\,(g\,n_0)$")


def draw_b(ax, tables):
    _draw(ax, tables, "J_std", "J_std_sem", r"$\Delta J\,/\,(g\,n_0)$")


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
