"""Fig. S9 (the article's Fig. 8a is panel b): <J> against Gamma_e for Gamma_i = 2 g (a) and 4 g (b),
equal saturation numbers (red, solid) against n0^(1) = 1.1 n0^(N) (blue, dashed). Dotted: Gamma_e = Gamma_i;
dash-dotted: the shifted transition Gamma_e = Gamma_i (n0^(1)/n0^(N))^2 (Appendix D2); grey dashed:
the analytic currents for equal n0, eqs. (S41) (symmetric phase) and (C8) (broken phase).
Light bands J_min..J_max where the attractor oscillates, clipped to the range of the mean current.
Tables: ``figS9_equal/bonds``, ``figS9_unequal/bonds``.
"""

from __future__ import annotations

import numpy as np

from .. import analytic
from . import style
from ._common import table
from .current_sweeps import draw_current, mark_gamma_i, scale_to_mean

FIGURE = "figS9"
CATEGORY = "Supplement"
TABLES = ("figS9_equal/bonds", "figS9_unequal/bonds")


def draw(ax, tables, gamma_i):
    equal, unequal = (table(tables, key) for key in TABLES)
    for df, color, ls in ((equal, style.COLORS["symmetric"], "-"), (unequal, style.COLORS["broken"], "--")):
        sel = df[np.isclose(df["gamma_i"], gamma_i)]
        ratio = float(sel["n0_ratio_gain"].iloc[0] / sel["n0_ratio_loss"].iloc[0])
        label = r"$n_0^{(1)}=n_0^{(N)}$" if ratio == 1 else rf"$n_0^{{(1)}}={ratio:g}\,n_0^{{(N)}}$"
        draw_current(ax, sel, color, label, ls=ls)
        if ratio != 1:
            ax.axvline(gamma_i * ratio**2, color=color, lw=0.6, ls="-.", zorder=0)
    # Analytic currents for equal n0 (nu = 2): symmetric phase (S41/C18), broken phase (C8).
    x = np.linspace(*ax.get_xlim(), 400)
    gamma, n_sites = float(equal["gamma"].iloc[0]), int(equal["n_sites"].iloc[0])
    for j in (analytic.J_symmetric(gamma_i, x, gamma, n_sites), analytic.J_broken(gamma_i, x)):
        ax.plot(x, j, color=style.COLORS["analytic"], lw=0.8, ls=(0, (3, 2)), zorder=1)
    ax.plot([], [], color=style.COLORS["analytic"], lw=0.8, ls=(0, (3, 2)), label="(S41), (C8)")
    mark_gamma_i(ax, gamma_i)
    scale_to_mean(ax, *(df[np.isclose(df["gamma_i"], gamma_i)] for df in (equal, unequal)), headroom=1.9)
    ax.set_title(rf"$\Gamma_i={gamma_i:g}\,g$", fontsize=9)
    ax.legend(loc="upper right", fontsize=7)


def gamma_i_values(tables):
    return sorted(float(v) for v in table(tables, TABLES[0])["gamma_i"].unique())


def plot(tables):
    values = gamma_i_values(tables)
    with style.context():
        fig = style.figure(style.DOUBLE, 2.5)
        axes = fig.subplots(1, len(values), squeeze=False)[0]
        for ax, gamma_i, letter in zip(axes, values, "abcd"):
            draw(ax, tables, gamma_i)
            style.panel_label(ax, letter)
    return fig
