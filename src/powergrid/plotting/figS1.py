"""Fig. S1: the Poisson average f-bar(alpha) = <alpha| 1/(1 + a^dag a/n0) |alpha> (solid) against
its classical form 1/(1 + |alpha|^2/n0) (dashed), versus |alpha|^2, for (a) n0 = 1 and (b) n0 = 10.
Table: ``figS1/saturation``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import fmt, table

FIGURE = "figS1"
CATEGORY = "Supplement"
TABLES = ("figS1/saturation",)


def draw(ax, tables, n0: float = 1.0, *, legend: bool = True):
    sat = table(tables, "figS1/saturation")
    df = sat[np.isclose(sat["n0"], n0)].sort_values("x")
    if df.empty:
        raise ValueError(f"figS1/saturation has no rows with n0 = {n0}; n0 in {sorted(sat['n0'].unique())}")
    ax.plot(
        df["x"],
        df["f_bar"],
        color=style.COLORS["quantum"],
        lw=1.5,
        label=r"$\bar f=\langle\alpha|\,(1+a^\dagger a/n_0)^{-1}|\alpha\rangle$",
    )
    ax.plot(
        df["x"], df["f_classical"], color=style.COLORS["classical"], lw=1.2, ls="--", label=r"$1/(1+|\alpha|^2/n_0)$"
    )
    ax.set_xlim(float(df["x"].min()), float(df["x"].max()))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(r"$|\alpha|^2$")
    ax.set_ylabel(r"$\bar f$, $1/(1+|\alpha|^2/n_0)$")
    ax.text(0.97, 0.60, rf"$n_0={fmt(n0)}$", transform=ax.transAxes, ha="right", va="top", fontsize=9)
    if legend:
        ax.legend(loc="upper right")


def plot(tables):
    n0s = sorted(float(v) for v in table(tables, "figS1/saturation")["n0"].unique())[:2]
    with style.context():
        fig = style.figure(style.DOUBLE, 2.4)
        axes = fig.subplots(1, len(n0s), squeeze=False)[0]
        for i, (ax, n0) in enumerate(zip(axes, n0s)):
            draw(ax, tables, n0, legend=(i == 0))
            style.panel_label(ax, "ab"[i])
    return fig
