"""Fig. S2: quantum against semiclassical, N = 2, n0 = 15, gamma = 0.1 g, Gamma_i = 4 g, N_th = 0.
(a) <J>/(g n0) and (b) Delta J/(g n0) against Gamma_e: the master equation (1) (line, or points
with standard errors from quantum trajectories) and SDE ensembles (points with standard errors).
Dashed in (b): the quantum Delta J without the shot-noise term, sqrt(Delta J^2 - (n_1 + n_2)/(4 n0))
in units of g n0, i.e. the normal-ordered <:J^2:> - <J>^2 that the SDE (a P-function) samples:
Jhat^2 = :Jhat^2: + (g^2/4)(n_1 + n_2).
Tables: ``figS2_quantum/bonds``, ``figS2_quantum/sites``, ``figS2_sde/bonds``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import table
from .noisy_currents import mark_gamma_i

FIGURE = "figS2"
CATEGORY = "Supplement"
TABLES = ("figS2_quantum/bonds", "figS2_quantum/sites", "figS2_sde/bonds")


def _draw(ax, tables, value, error, ylabel):
    quantum = table(tables, "figS2_quantum/bonds").sort_values("gamma_e")
    sde = table(tables, "figS2_sde/bonds").sort_values("gamma_e")
    err = quantum[error].to_numpy(float)
    label = rf"quantum, $n_{{basis}}={int(quantum['n_basis'].max())}$"
    if np.isfinite(err).any():
        ax.errorbar(
            quantum["gamma_e"],
            quantum[value],
            yerr=err,
            color=style.COLORS["quantum"],
            lw=1.3,
            marker="o",
            ms=2,
            elinewidth=0.8,
            capsize=1.2,
            label=label,
        )
    else:
        ax.plot(quantum["gamma_e"], quantum[value], color=style.COLORS["quantum"], lw=1.4, label=label)
    ax.errorbar(
        sde["gamma_e"],
        sde[value],
        yerr=sde[error],
        color=style.COLORS["broken"],
        ls="none",
        marker="s",
        ms=2.2,
        elinewidth=0.8,
        capsize=1.2,
        label=f"SDE, {int(sde['n_traj'].min())} trajectories",
    )
    mark_gamma_i(ax, float(quantum["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    r = quantum.iloc[0]
    ax.set_title(rf"$n_0={r['n0']:g}$, $\gamma={r['gamma']:g}\,g$", fontsize=8)
    ax.legend(loc="lower right", fontsize=6.5)


def draw_a(ax, tables):
    _draw(ax, tables, "J_mean", "J_sem", r"$\langle J\rangle\,/\,(g\,n_0)$")


def normal_ordered_std(tables):
    """(Gamma_e, sqrt(<:J^2:> - <J>^2)/(g n0)) of the quantum bond 1 -> 2, from its Delta J and occupations."""
    bonds = table(tables, "figS2_quantum/bonds").sort_values("gamma_e")
    occ = table(tables, "figS2_quantum/sites").groupby("gamma_e")["occupation"].sum()
    shot = occ.loc[bonds["gamma_e"]].to_numpy() / (4.0 * bonds["n0"].to_numpy())
    return bonds["gamma_e"].to_numpy(), np.sqrt(np.clip(bonds["J_std"].to_numpy() ** 2 - shot, 0.0, None))


def draw_b(ax, tables):
    _draw(ax, tables, "J_std", "J_std_sem", r"$\Delta J\,/\,(g\,n_0)$")
    x, y = normal_ordered_std(tables)
    ax.plot(x, y, color=style.COLORS["quantum"], lw=1.0, ls="--", label="quantum, normal-ordered")
    ax.legend(loc="upper right", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
