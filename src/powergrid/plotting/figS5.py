"""Fig. S5 (= the article's Fig. 9): disorder. (a) |alpha_l|^2 averaged over the realizations of
each sigma (lines; band: the 16th to 84th percentile across realizations) at the dataset's Gamma_e;
(b) <J> against Gamma_e for every realization at one sigma (one thin line each).
Tables: ``figS5a/sites``, ``figS5b/bonds``.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from . import style
from ._common import last_bond, table
from .current_sweeps import JLABEL, XLABEL, mark_gamma_i

FIGURE = "figS5"
CATEGORY = "Supplement"
TABLES = ("figS5a/sites", "figS5b/bonds")


def draw_a(ax, tables):
    sites = table(tables, "figS5a/sites")
    sigmas = sorted(sites["disorder"].unique())
    colors = mpl.colormaps["viridis"](np.linspace(0.0, 0.9, len(sigmas)))
    for color, sigma in zip(colors, sigmas):
        occ = sites[sites["disorder"] == sigma].groupby("site")["occupation"]
        stats = occ.agg(["mean"]).assign(lo=occ.quantile(0.16), hi=occ.quantile(0.84))
        n = sites[sites["disorder"] == sigma]["realization"].nunique()
        ax.fill_between(stats.index, stats["lo"], stats["hi"], color=color, alpha=0.12, lw=0)
        ax.plot(
            stats.index,
            stats["mean"],
            color=color,
            marker="o",
            ms=2.5,
            lw=1.1,
            label=rf"$\sigma_\Delta={sigma:g}\,g$ ({n})",
        )
    ax.set_yscale("log")
    ax.set_xlabel(r"site $\ell$")
    ax.set_ylabel(r"$\overline{|\alpha_\ell|^2}\,/\,n_0$")
    ax.set_xticks(range(1, int(sites["n_sites"].max()) + 1))
    ax.set_title(rf"$\Gamma_i={sites['gamma_i'].iloc[0]:g}\,g$, $\Gamma_e={sites['gamma_e'].iloc[0]:g}\,g$", fontsize=8)
    ax.legend(loc="upper right", fontsize=6, ncol=2)


def draw_b(ax, tables):
    bonds = last_bond(table(tables, "figS5b/bonds"))
    realizations = sorted(bonds["realization"].unique())
    colors = mpl.colormaps["tab20"](np.linspace(0, 1, max(len(realizations), 2)))
    for color, r in zip(colors, realizations):
        g = bonds[bonds["realization"] == r].sort_values("gamma_e")
        ax.plot(g["gamma_e"], g["J_mean"], color=color, lw=0.7, alpha=0.85)
    mark_gamma_i(ax, float(bonds["gamma_i"].iloc[0]))
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(JLABEL)
    ax.set_xlim(float(bonds["gamma_e"].min()), float(bonds["gamma_e"].max()))
    ax.set_ylim(bottom=0)
    ax.set_title(rf"$\sigma_\Delta={bonds['disorder'].iloc[0]:g}\,g$, {len(realizations)} realizations", fontsize=8)


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.6)
