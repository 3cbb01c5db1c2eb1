"""Beyond the paper: convergence of the quantum steady states in the Fock truncation. Fig. 4a's
points (``fig4a_quantum``, the production truncation, per point) against the same points solved
in a larger box (``quantum_truncation``: the same network at some of Fig. 4a's Gamma_e, each n0
once): (a) the change of Delta J/(g n0) between them, relative to its value; (b) the largest
population the production truncation cuts (its top Fock state or, with a cap, its top sector),
the quantity the pipeline bounds. Tables: ``quantum_truncation/bonds``, ``quantum_truncation/points``
and the same of ``fig4a_quantum``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import table

FIGURE = "extra-truncation-convergence"
CATEGORY = "Beyond the paper"
TABLES = ("quantum_truncation/bonds", "quantum_truncation/points", "fig4a_quantum/bonds", "fig4a_quantum/points")
COLORS = ("#D55E00", "#CC79A7", "#E69F00", "#0072B2")


def pairs(production, large):
    """(n0, production rows, larger-box rows), aligned on gamma_e: for each n0 of the larger
    boxes, Fig. 4a's rows at their gamma_e. A larger-box point that Fig. 4a does not have (another
    gamma_e or network) raises ValueError, naming it."""
    out = []
    for n0, big in large.groupby("n0", sort=True):
        big = big.sort_values("gamma_e")
        small = production[np.isclose(production["n0"], n0)]
        small = small[small["gamma_e"].round(12).isin(big["gamma_e"].round(12))].sort_values("gamma_e")
        missing = sorted(set(big["gamma_e"].round(12)) - set(small["gamma_e"].round(12)))
        if missing:
            raise ValueError(
                f"quantum_truncation: n0 = {n0:g} at gamma_e = {missing} has no point of fig4a_quantum to "
                "compare with; its gamma_e must be on fig4a_quantum's grid"
            )
        for col in ("n_sites", "gamma", "gamma_i", "nu"):
            if not np.allclose(small[col].to_numpy(float), big[col].to_numpy(float)):
                raise ValueError(f"quantum_truncation: n0 = {n0:g}: {col} differs from fig4a_quantum's")
        out.append((n0, small, big))
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
    last = [table(tables, f"{d}/bonds") for d in ("fig4a_quantum", "quantum_truncation")]
    last = [b[b["site_to"] == b["n_sites"]] for b in last]
    for color, (n0, small, large) in zip(COLORS, pairs(*last)):
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
    points = [table(tables, f"{d}/points") for d in ("fig4a_quantum", "quantum_truncation")]
    for color, (n0, small, _) in zip(COLORS, pairs(*points)):
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
    ax.set_ylabel("largest cut population")  # top state or sector (the caption)
    ax.legend(loc="best", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
