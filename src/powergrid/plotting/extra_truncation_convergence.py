"""Beyond the paper: convergence of the quantum steady states in the Fock truncation. The same
points are solved with two truncations per n0 (the dataset lists each n0 twice, with n_basis and
a larger one): (a) the change of Delta J/(g n0) between them, relative to its value; (b) the
population of the top kept Fock state (the truncation leak) of the smaller truncation, the
quantity the pipeline bounds. Table: ``quantum_truncation/bonds``, ``quantum_truncation/points``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import table

FIGURE = "extra-truncation-convergence"
CATEGORY = "Beyond the paper"
TABLES = ("quantum_truncation/bonds", "quantum_truncation/points")
COLORS = ("#D55E00", "#CC79A7", "#E69F00", "#0072B2")


def pairs(df):
    """(n0, rows at the smaller n_basis, rows at the larger), aligned on gamma_e."""
    out = []
    for n0, rows in df.groupby("n0", sort=True):
        sizes = sorted(rows["n_basis"].unique())
        small = rows[rows["n_basis"] == sizes[0]].sort_values("gamma_e")
        large = rows[rows["n_basis"] == sizes[-1]].sort_values("gamma_e")
        out.append((n0, small, large))
    return out


def draw_a(ax, tables):
    bonds = table(tables, "quantum_truncation/bonds")
    bonds = bonds[bonds["site_to"] == bonds["n_sites"]]
    for color, (n0, small, large) in zip(COLORS, pairs(bonds)):
        change = np.abs(large["J_std"].to_numpy() / small["J_std"].to_numpy() - 1.0)
        ax.plot(
            small["gamma_e"],
            np.maximum(change, 1e-16),
            color=color,
            marker="o",
            ms=2.5,
            lw=1.0,
            label=rf"$n_0={n0:g}$: $n_{{basis}}$ {int(small['n_basis'].iloc[0])} $\to$ "
            rf"{int(large['n_basis'].iloc[0])}",
        )
    ax.set_yscale("log")
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$|\Delta J_{\rm large}/\Delta J_{\rm small}-1|$")
    ax.legend(loc="best", fontsize=6.5)


def draw_b(ax, tables):
    points = table(tables, "quantum_truncation/points")
    for color, (n0, small, _) in zip(COLORS, pairs(points)):
        ax.plot(
            small["gamma_e"],
            np.maximum(small["max_leak"], 1e-300),
            color=color,
            marker="o",
            ms=2.5,
            lw=1.0,
            label=rf"$n_0={n0:g}$, $n_{{basis}}={int(small['n_basis'].iloc[0])}$",
        )
    ax.set_yscale("log")
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel("population of the top Fock state")
    ax.legend(loc="best", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
