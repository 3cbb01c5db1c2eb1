"""Article Fig. 7: the saturation exponent nu = 1 (the regular laser).
(a) = Fig. S7a: <J>/(g n0) over (Gamma_i, Gamma_e), gamma = 1e-2 g, limit cycles hatched.
(b) = Fig. S7b: <J> against Gamma_e at the smallest Gamma_i of S7b-d, gamma = 1e-3 g.
(c) occupations |alpha_l|^2/n0 along the chain at Gamma_i = 4 g, Gamma_e = 0.5 g (red) and 8 g
    (blue, multiplied by 3 as in the article), gamma = 1e-3 g.
(d) = Fig. S8a: SDE ensembles at N_th/n0 = 10, <J> +- Delta J; inset: Gbar with standard errors.
Tables: ``figS7a/bonds``, ``figS7bcd/bonds``, ``figS7bcd/sites``, ``figS8/bonds``, ``figS8/points``.
"""

from __future__ import annotations

import numpy as np

from . import fig2, figS7, style
from ._common import table
from .current_sweeps import nearest
from .noisy_currents import draw_last_bond, noise_title

FIGURE = "fig7"
CATEGORY = "Article appendix"
TABLES = ("figS7a/bonds", "figS7bcd/bonds", "figS7bcd/sites", "figS8/bonds", "figS8/points")
PROFILES = ((0.5, 1.0, "symmetric"), (8.0, 3.0, "broken"))  # (Gamma_e, factor, colour role)
PROFILE_GAMMA_I = 4.0


def draw_a(ax, tables):
    fig2.draw_a(ax, tables, key="figS7a/bonds")


def draw_b(ax, tables):
    figS7.draw_cut(ax, tables, min(float(v) for v in table(tables, "figS7bcd/bonds")["gamma_i"].unique()))


def draw_c(ax, tables):
    sites = table(tables, "figS7bcd/sites")
    sites = nearest(sites, "gamma_i", PROFILE_GAMMA_I)
    for gamma_e, factor, role in PROFILES:
        rows = nearest(sites, "gamma_e", gamma_e).sort_values("site")
        label = rf"$\Gamma_e={rows['gamma_e'].iloc[0]:.3g}\,g$" + (rf" ($\times{factor:g}$)" if factor != 1 else "")
        ax.plot(
            rows["site"],
            factor * rows["occupation"],
            marker="o",
            ms=3,
            lw=1.0,
            color=style.COLORS[role],
            label=f"{label}, {rows['kind'].iloc[0]}",
        )
    ax.set_xticks(np.arange(1, int(sites["n_sites"].max()) + 1))
    ax.set_xlabel(r"site $\ell$")
    ax.set_ylabel(r"$|\alpha_\ell|^2\,/\,n_0$")
    ax.set_ylim(bottom=0)
    ax.set_title(rf"$\Gamma_i={PROFILE_GAMMA_I:g}\,g$", fontsize=8)
    ax.legend(loc="upper center", fontsize=6.5)


def draw_d(ax, tables):
    bonds, points = table(tables, "figS8/bonds"), table(tables, "figS8/points")
    nu = float(bonds["nu"].min())
    draw_last_bond(ax, bonds[bonds["nu"] == nu], title=rf"$\nu={nu:g}$, " + noise_title(bonds))
    pts = points[points["nu"] == nu].sort_values("gamma_e")
    inset = ax.inset_axes([0.12, 0.62, 0.33, 0.33])
    inset.errorbar(
        pts["gamma_e"],
        pts["Gbar_mean"],
        yerr=pts["Gbar_sem"],
        color="0.2",
        lw=0.9,
        marker="o",
        ms=1.5,
        elinewidth=0.6,
        capsize=0,
    )
    inset.set_ylabel(r"$\bar\Gamma/g$", fontsize=7, labelpad=1)
    inset.tick_params(labelsize=6)


def plot(tables):
    with style.context():
        fig = style.figure(style.DOUBLE, 5.0)
        axes = fig.subplots(2, 2)
        for ax, draw, letter in zip(axes.ravel(), (draw_a, draw_b, draw_c, draw_d), "abcd"):
            draw(ax, tables)
            style.panel_label(ax, letter)
    return fig
