"""Beyond the paper: the stationary branches of the Fig. 2 chain over Gamma_e, by continuation.

One column per Gamma_i. Top: the current J into the loss site along every followed branch
(stable solid, unstable dashed; the rotating branch vermillion, the state at rest blue), with the
bifurcation points (fold: triangle, branch point: square, Hopf: circle, where a branch leaves
the zero state: down triangle) and, in grey, the attractors that Fig. 2a's seeded random starts
found at that Gamma_i (dots: time independent; light bars: J_min to J_max of oscillating
attractors, clipped). Bottom: the same near the transition, as the symmetry order parameter
(|alpha_1|^2 - |alpha_N|^2)/(|alpha_1|^2 + |alpha_N|^2) (oscillating attractors: from their
time-mean occupations, light grey).
Tables: ``extra_bifurcation/branches``, ``extra_bifurcation/bifurcations``, ``fig2a/bonds``,
``fig2a/sites``.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import STEADY_KINDS, last_bond, table

FIGURE = "extra-bifurcation"
CATEGORY = "Beyond the paper"
TABLES = ("extra_bifurcation/branches", "extra_bifurcation/bifurcations", "fig2a/bonds", "fig2a/sites")

MARKERS = {"fold": "^", "branch": "s", "hopf": "o", "real": "D", "zero": "v"}
NAMES = {
    "fold": "fold",
    "branch": "branch point",
    "hopf": "Hopf point",
    "real": "real eigenvalue crossing",
    "zero": "from the zero state",
}


def _same(a, b) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _draw_branches(ax, branches, y):
    for _, g in branches.groupby(["inner_index", "direction"], sort=True):
        g = g.sort_values("step")
        # Through the branch point where the two senses of rotation meet, a rotating branch runs
        # on as its mirror image (omega -> -omega: the same J and occupations), retracing the
        # curve; drawn twice, a dashed piece would look solid. The sense of the start is drawn.
        sense = np.sign(g["omega"].iloc[0]) if abs(g["omega"].iloc[0]) > 1e-8 else 0.0
        if sense:
            g = g[~((np.abs(g["omega"]) > 1e-8) & (np.sign(g["omega"]) == -sense))]
        rotating = np.abs(g["omega"].to_numpy()) > 1e-8
        color = np.where(rotating, style.COLORS["symmetric"], style.COLORS["broken"])
        x, v, stable = g["gamma_e"].to_numpy(), g[y].to_numpy(), g["stable"].to_numpy(bool)
        # one line segment per run of equal stability and kind, joined to the next point
        key = stable.astype(int) * 2 + rotating.astype(int)
        edges = np.flatnonzero(np.diff(key)) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, len(x)]):
            sl = slice(lo, min(hi + 1, len(x)))
            ax.plot(x[sl], v[sl], color=color[lo], lw=1.2 if stable[lo] else 0.9, ls="-" if stable[lo] else "--")


def _draw_points(ax, points, y):
    for kind, g in points.groupby("kind"):
        ax.plot(
            g["value"],
            g[y],
            ls="none",
            marker=MARKERS.get(kind, "x"),
            ms=3.5,
            mfc="white",
            mec="black",
            mew=0.7,
            zorder=4,
        )


def _attractors(bonds, sites, gamma_i):
    """Fig. 2a's attractors at gamma_i: (their last-bond rows, the order parameter of each)."""
    b = last_bond(bonds)
    b = b[np.isclose(b["gamma_i"], gamma_i, rtol=1e-9, atol=1e-12)].sort_values("gamma_e")
    s = sites[np.isclose(sites["gamma_i"], gamma_i, rtol=1e-9, atol=1e-12)]
    first = s[s["site"] == 1].set_index("gamma_e")["occupation"]
    last = s[s["site"] == s["n_sites"]].set_index("gamma_e")["occupation"]
    asym = ((first - last) / (first + last)).reindex(b["gamma_e"]).to_numpy()
    return b, asym


def _column(axes, branches, points, bonds, sites, gamma_i, letters):
    top, bottom = axes
    br = branches[np.isclose(branches["gamma_i"], gamma_i)]
    pts = points[np.isclose(points["gamma_i"], gamma_i)]
    b, asym = _attractors(bonds, sites, gamma_i)
    steady = b["kind"].isin(STEADY_KINDS).to_numpy()
    for ax, y in ((top, "J_loss"), (bottom, "asymmetry")):
        _draw_branches(ax, br, y)
        _draw_points(ax, pts, y)
    grey = dict(color="0.55", zorder=2)
    top.plot(b["gamma_e"][steady], b["J_mean"][steady], ls="none", marker=".", ms=2, **grey)
    top.vlines(b["gamma_e"][~steady], b["J_min"][~steady], b["J_max"][~steady], lw=0.5, color="0.82", zorder=1)
    bottom.plot(b["gamma_e"][steady], asym[steady], ls="none", marker=".", ms=3, **grey)
    # oscillating attractors: from their time-mean occupations, in the light grey of their bars
    bottom.plot(b["gamma_e"][~steady], asym[~steady], ls="none", marker=".", ms=3, color="0.82", zorder=1)
    # the top row's scale: the branches and the fixed points (bars of oscillating attractors
    # may swing far beyond them and are clipped)
    values = np.r_[br["J_loss"].to_numpy(), b["J_mean"][steady].to_numpy()]
    if values.size:
        lo, hi = np.min(values), np.max(values)
        pad = 0.1 * max(hi - lo, 1e-3)
        top.set_ylim(lo - pad, hi + pad)
    # the bottom row's window: the bifurcation points above Gamma_e = Gamma_i / 2, padded
    near = pts["value"][pts["value"] > 0.5 * gamma_i]
    if len(near):
        lo, hi = near.min(), near.max()
        pad = max(0.1 * (hi - lo), 2e-3 * gamma_i)
        bottom.set_xlim(lo - pad, hi + pad)
    top.set_title(rf"$\Gamma_i = {gamma_i:g}\,g$", fontsize=8)
    top.set_xlabel(r"$\Gamma_e\,/\,g$")
    bottom.set_xlabel(r"$\Gamma_e\,/\,g$")
    for ax, letter in zip(axes, letters):
        style.panel_label(ax, letter)
    return top, bottom


def plot(tables):
    branches = table(tables, "extra_bifurcation/branches")
    points = table(tables, "extra_bifurcation/bifurcations")
    bonds, sites = table(tables, "fig2a/bonds"), table(tables, "fig2a/sites")
    gis = sorted(branches["gamma_i"].unique())
    with style.context():
        fig = style.figure(style.DOUBLE, 4.6)
        axes = fig.subplots(2, len(gis), squeeze=False)
        for k, gi in enumerate(gis):
            _column(axes[:, k], branches, points, bonds, sites, gi, ("abcdefgh"[k], "abcdefgh"[k + len(gis)]))
        axes[0, 0].set_ylabel(r"$J\,/\,g n_0$ into site $N$")
        axes[1, 0].set_ylabel(r"$(|\alpha_1|^2-|\alpha_N|^2)/(|\alpha_1|^2+|\alpha_N|^2)$", fontsize=7)
        legend = axes[0, 0]
        for label, kw in (
            ("rotating, stable", dict(color=style.COLORS["symmetric"], lw=1.2)),
            ("at rest, stable", dict(color=style.COLORS["broken"], lw=1.2)),
            ("unstable (dashed, in the branch's colour)", dict(color="0.3", lw=0.9, ls="--")),
            ("Fig. 2a attractors: fixed points", dict(color="0.55", ls="none", marker=".")),
            ("Fig. 2a attractors: J_min to J_max", dict(color="0.82", lw=1.5)),
        ):
            legend.plot([], [], label=label, **kw)
        for kind, marker in MARKERS.items():
            if (points["kind"] == kind).any():
                legend.plot([], [], ls="none", marker=marker, mfc="white", mec="black", label=NAMES[kind])
        fig.legend(loc="outside upper center", ncol=4, fontsize=6.5, frameon=False)
    return fig
