"""Beyond the paper: convergence of the quantum steady states in the Fock truncation. The same
points are solved with two truncations per n0 (the dataset lists each n0 twice: the production
truncation, per point, then a larger one): (a) the change of Delta J/(g n0) between them, relative
to its value; (b) the largest population the smaller truncation cuts (its top Fock state or, with
a cap, its top sector), the quantity the pipeline bounds. Tables: ``quantum_truncation/bonds``,
``quantum_truncation/points``.
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
    """(n0, rows at the smaller truncation, rows at the larger), aligned on gamma_e: of the two
    inner values of each n0, the first is the smaller truncation."""
    out = []
    for n0, rows in df.groupby("n0", sort=True):
        first, second = sorted(rows["inner_index"].unique())
        small = rows[rows["inner_index"] == first].sort_values("gamma_e")
        large = rows[rows["inner_index"] == second].sort_values("gamma_e")
        out.append((n0, small, large))
    return out


def _span(values) -> str:
    low, high = int(min(values)), int(max(values))
    return f"{low}" if low == high else f"{low}-{high}"


def describe(rows) -> str:
    """The truncation of a curve: n_basis (a range where it is per point), and k_max where it cuts."""
    text = rf"$n_{{basis}}$ {_span(rows['n_basis'])}"
    capped = rows["k_max"] < rows["n_sites"] * (rows["n_basis"] - 1)
    if capped.any():
        text += rf", $k_{{max}}$ {_span(rows['k_max'][capped])}"
    return text


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
            label=rf"$n_0={n0:g}$: {describe(small)} $\to$ {describe(large)}",
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
            np.maximum(np.maximum(small["max_leak"], small["leak_total"]), 1e-300),
            color=color,
            marker="o",
            ms=2.5,
            lw=1.0,
            label=rf"$n_0={n0:g}$, {describe(small)}",
        )
    ax.set_yscale("log")
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel("largest cut population (top state or sector)")
    ax.legend(loc="best", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
