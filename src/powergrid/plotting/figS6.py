"""Fig. S6: saturation exponent nu = 3. (a) <J> against Gamma_e at Gamma_i = 4 g, with the
oscillation band where the attractor is not stationary; (b) occupations |alpha_l|^2 along the chain
at the two Gamma_e of ``PROFILES`` (red: symmetric, blue: broken). Table: ``figS6/bonds``, ``figS6/sites``.
"""

from __future__ import annotations

from . import style
from ._common import table
from .current_sweeps import draw_current, mark_gamma_i, nearest, scale_to_mean

FIGURE = "figS6"
CATEGORY = "Supplement"
TABLES = ("figS6/bonds", "figS6/sites")
PROFILES = (2.0, 6.0)  # Gamma_e of panel (b), as in the supplement's caption


def draw_a(ax, tables):
    bonds = table(tables, "figS6/bonds")
    draw_current(ax, bonds, style.COLORS["diagonal"], rf"$\nu={bonds['nu'].iloc[0]:g}$")
    mark_gamma_i(ax, float(bonds["gamma_i"].iloc[0]))
    scale_to_mean(ax, bonds)
    ax.legend(loc="upper right")


def draw_b(ax, tables):
    sites = table(tables, "figS6/sites")
    gi = float(sites["gamma_i"].iloc[0])
    for gamma_e in PROFILES:
        row = nearest(sites, "gamma_e", gamma_e).sort_values("site")
        phase = "symmetric" if gamma_e < gi else "broken"
        ax.plot(
            row["site"],
            row["occupation"],
            marker="o",
            ms=3,
            lw=1.0,
            color=style.COLORS[phase],
            label=rf"$\Gamma_e={row['gamma_e'].iloc[0]:.3g}\,g$ ({row['kind'].iloc[0]})",
        )
    ax.set_xlabel(r"site $\ell$")
    ax.set_ylabel(r"$|\alpha_\ell|^2\,/\,n_0$")
    ax.set_xticks(range(1, int(sites["n_sites"].max()) + 1))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", fontsize=7)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.5)
