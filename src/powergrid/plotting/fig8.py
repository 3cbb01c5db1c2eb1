"""Article Fig. 8: unequal saturation numbers, n0^(1) = 1.1 n0^(N).
(a) = Fig. S9b: noise-free <J> against Gamma_e at Gamma_i = 4 g, equal against unequal n0.
(b) SDE ensembles at N_th/n0 = 10: <J> (points with standard errors) and <J> +- Delta J.
Tables: ``figS9_equal/bonds``, ``figS9_unequal/bonds``, ``fig8b/bonds``.
"""

from __future__ import annotations

from . import figS9, style
from ._common import table
from .noisy_currents import draw_last_bond, noise_title

FIGURE = "fig8"
CATEGORY = "Article appendix"
TABLES = figS9.TABLES + ("fig8b/bonds",)


def draw_a(ax, tables):
    figS9.draw(ax, tables, figS9.gamma_i_values(tables)[-1])  # S9b: the larger Gamma_i


def draw_b(ax, tables):
    bonds = table(tables, "fig8b/bonds")
    ratio = float(bonds["n0_ratio_gain"].iloc[0] / bonds["n0_ratio_loss"].iloc[0])
    draw_last_bond(ax, bonds, title=rf"$n_0^{{(1)}}={ratio:g}\,n_0^{{(N)}}$, " + noise_title(bonds))


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
