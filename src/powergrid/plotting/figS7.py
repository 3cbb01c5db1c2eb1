"""Fig. S7 (article Fig. 7a, 7b): saturation exponent nu = 1, the laser-like case.
(a) <J>/(g n0) over (Gamma_i, Gamma_e) at gamma = 1e-2, hatched where the attractor is a limit
cycle (or quasi-periodic); (b)-(d) <J> against Gamma_e at Gamma_i = 0.5, 2, 4 g and gamma = 1e-3,
with the band J_min..J_max where the current oscillates (clipped: the cycles swing far beyond
the mean current). Tables: ``figS7a/bonds``, ``figS7bcd/bonds``.
"""

from __future__ import annotations

import numpy as np

from . import fig2, style
from ._common import table
from .current_sweeps import draw_current, mark_gamma_i, scale_to_mean

FIGURE = "figS7"
CATEGORY = "Supplement"
TABLES = ("figS7a/bonds", "figS7bcd/bonds")


def draw_cut(ax, tables, gamma_i):
    bonds = table(tables, "figS7bcd/bonds")
    sel = bonds[np.isclose(bonds["gamma_i"], gamma_i)]
    draw_current(ax, sel, style.COLORS["diagonal"], None)
    mark_gamma_i(ax, gamma_i)
    scale_to_mean(ax, sel)
    ax.set_title(rf"$\Gamma_i={gamma_i:g}\,g$", fontsize=9)


def plot(tables):
    cuts = sorted(float(v) for v in table(tables, "figS7bcd/bonds")["gamma_i"].unique())
    with style.context():
        fig = style.figure(style.DOUBLE, 4.6)
        grid = fig.add_gridspec(2, len(cuts), height_ratios=[1.35, 1.0])
        ax_map = fig.add_subplot(grid[0, :])
        fig2.draw_a(ax_map, tables, key="figS7a/bonds")
        style.panel_label(ax_map, "a")
        for k, (gamma_i, letter) in enumerate(zip(cuts, "bcdefg")):
            ax = fig.add_subplot(grid[1, k])
            draw_cut(ax, tables, gamma_i)
            style.panel_label(ax, letter)
    return fig
