"""Fig. 2: deterministic steady-state current of the N = 10 chain (gamma = 1e-3 g).

(a) ``<J>/(g n0)`` on the last bond over the (Gamma_i, Gamma_e) plane, with the stalled-region
    boundary Gamma_e = g^2/Gamma_i (Gamma_i < g) and the diagonal Gamma_e = Gamma_i; non-stationary
    attractors (periodic / quasi-periodic) hatched.
(b) ``<J>`` on the diagonal Gamma_e = Gamma_i and J_max = max over Gamma_e, against Gamma_i; the
    band J_min..J_max where the attractor is not stationary.
(c) occupations |alpha_l|^2/n0 along the chain at Gamma_i/Gamma_e = 1.05 and 2/3 and at the
    transition (the maximal-current point of ``fig2b_max`` at Gamma_i = 4 g).

Tables: ``fig2a/bonds``, ``fig2b_diagonal/bonds``, ``fig2b_max/bonds``, ``fig2b_max/sites``,
``fig2c/sites``.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Patch

from . import style
from ._common import (
    UNSTEADY_KINDS,
    fmt,
    grid,
    last_bond,
    oscillation_band,
    prefer_converged,
    ratio_label,
    stalled_boundary,
    table,
)

FIGURE = "fig2"
CATEGORY = "Main text"
TABLES = ("fig2a/bonds", "fig2b_diagonal/bonds", "fig2b_max/bonds", "fig2b_max/sites", "fig2c/sites")

XLABEL = r"$\Gamma_i\,/\,g$"
YLABEL_E = r"$\Gamma_e\,/\,g$"
JLABEL = r"$\langle J\rangle\,/\,(g\,n_0)$"
PT_THRESHOLD = 4.0  # the paper's statement: <J> ~ g n0 on Gamma_e = Gamma_i above Gamma_i = 4 g


# --------------------------------------------------------------------------------------------- (a)
def draw_a(ax, tables, *, key: str = "fig2a/bonds", colorbar: bool = True):
    """Map of <J>/(g n0) on the last bond over (Gamma_i, Gamma_e) from table ``key``."""
    bonds = last_bond(table(tables, key))
    x, y, z = grid(bonds, "J_mean")
    xe, ye = style.cell_edges(x), style.cell_edges(y)
    vmin = min(0.0, float(np.nanmin(z))) if np.isfinite(z).any() else 0.0
    mesh = ax.pcolormesh(
        xe, ye, np.ma.masked_invalid(z), cmap=style.CMAP_SEQUENTIAL, vmin=vmin, shading="flat", rasterized=True
    )
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])

    # Where the attractor is not stationary: a light hatch and a thin outline.
    unsteady = bonds.assign(u=bonds["kind"].isin(UNSTEADY_KINDS).astype(float))
    _, _, u = grid(unsteady, "u")
    u = np.nan_to_num(u)
    has_unsteady = bool(u.max() > 0)
    if has_unsteady and min(u.shape) >= 2:
        with mpl.rc_context({"hatch.color": "white", "hatch.linewidth": 0.5}):
            ax.contourf(x, y, u, levels=[0.5, 1.5], colors="none", hatches=["////"])
        ax.contour(x, y, u, levels=[0.5], colors="white", linewidths=0.5, alpha=0.8)
    elif has_unsteady:
        iy, ix = np.nonzero(u > 0)
        ax.plot(x[ix], y[iy], ls="none", marker=".", ms=2, color="white")

    # Stalled region: Gamma_i < g and Gamma_i <= Gamma_e < g^2/Gamma_i (Appendix B); draw its upper
    # boundary where it lies inside the axes, and the diagonal.
    lo, hi = ax.get_xlim(), ax.get_ylim()
    gi, ge = stalled_boundary(ax)
    if gi.size:
        ax.plot(gi, ge, ls=(0, (3.5, 2)), lw=1.1, color="white")
        gx = 0.5 * (gi[0] + gi[-1])  # a point inside the stalled region
        gy = 0.5 * (max(gx, hi[0]) + min(1.0 / gx, hi[1]))
        ax.annotate(
            "stalled",
            xy=(gx, gy),
            xytext=(14, -9),
            textcoords="offset points",
            color="white",
            fontsize=6.5,
            ha="left",
            va="center",
            arrowprops=dict(arrowstyle="-", color="white", lw=0.6, shrinkA=1, shrinkB=0),
        )
    d0, d1 = max(lo[0], hi[0]), min(lo[1], hi[1])
    ax.plot([d0, d1], [d0, d1], ls=":", lw=0.8, color="white", alpha=0.9)

    ax.set_xlabel(XLABEL)
    ax.set_ylabel(YLABEL_E)
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, pad=0.02, fraction=0.06, aspect=25)
        cb.set_label(JLABEL)
        cb.ax.tick_params(labelsize=7.5)
    if has_unsteady:
        ax.legend(
            handles=[Patch(facecolor="0.55", edgecolor="white", hatch="////", lw=0.5, label="not stationary")],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            borderaxespad=0.1,
            handlelength=1.2,
            fontsize=7,
        )
    return mesh


# --------------------------------------------------------------------------------------------- (b)
def draw_b(ax, tables):
    """<J> on the diagonal Gamma_e = Gamma_i and J_max = max over Gamma_e, against Gamma_i."""
    diag = last_bond(table(tables, "fig2b_diagonal/bonds")).sort_values("gamma_i")
    best = max_current_rows(table(tables, "fig2b_max/bonds"))

    band = oscillation_band(ax, diag, style.COLORS["diagonal"])
    band |= oscillation_band(ax, best, style.COLORS["max"])
    ax.plot(best["gamma_i"], best["J_mean"], color=style.COLORS["max"], lw=1.3, label=r"$J_{\max}$ (over $\Gamma_e$)")
    ax.plot(diag["gamma_i"], diag["J_mean"], color=style.COLORS["diagonal"], lw=1.3, label=r"$\Gamma_e=\Gamma_i$")

    ax.axhline(1.0, ls="--", lw=0.8, color=style.COLORS["reference"], zorder=0)
    ax.axvline(PT_THRESHOLD, ls=":", lw=0.9, color=style.COLORS["reference"], zorder=0)
    ax.text(
        PT_THRESHOLD,
        0.985,
        r" $J\approx g\,n_0$ above $\Gamma_i=4g$",
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="top",
        fontsize=7,
        color="0.25",
    )
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(JLABEL)
    xmax = float(np.nanmax(np.r_[diag["gamma_i"].to_numpy(float), best["gamma_i"].to_numpy(float)]))
    ax.set_xlim(0, xmax)
    ymax = float(np.nanmax(np.r_[diag["J_mean"].to_numpy(float), best["J_mean"].to_numpy(float), 1.0]))
    ax.set_ylim(0, 1.25 * ymax)
    handles, labels = ax.get_legend_handles_labels()
    if band:
        handles.append(Patch(facecolor="0.5", alpha=0.3, lw=0))
        labels.append("oscillating")
    ax.legend(handles, labels, loc="center right")


def max_current_rows(bonds):
    """Per gamma_i, the last-bond row of maximal J_mean (converged rows preferred), sorted."""
    lb = prefer_converged(last_bond(bonds))
    lb = lb[np.isfinite(lb["J_mean"].to_numpy(float))]
    return lb.loc[lb.groupby("gamma_i")["J_mean"].idxmax()].sort_values("gamma_i")


# --------------------------------------------------------------------------------------------- (c)
def transition_point(tables, gamma_i: float):
    """The row of ``fig2b_max/bonds`` (last bond) with maximal J at the gamma_i closest to ``gamma_i``."""
    best = max_current_rows(table(tables, "fig2b_max/bonds"))
    g = best["gamma_i"].to_numpy(float)
    return best.iloc[int(np.argmin(np.abs(g - gamma_i)))]


def draw_c(ax, tables):
    """Occupations along the chain: symmetric, symmetry-broken, and at the transition."""
    sites = table(tables, "fig2c/sites")
    # fig2c may be a continuation path: show its last point on each side of Gamma_e = Gamma_i
    # (the config puts the target ratios there).
    ratio = sites["gamma_i"] / sites["gamma_e"]
    shown = [ratio[ratio > 1].min(), ratio[ratio < 1].min()]
    sites = sites[ratio.isin([r for r in shown if np.isfinite(r)])]
    curves = []
    for (gi, ge), df in sites.groupby(["gamma_i", "gamma_e"], sort=True):
        r = gi / ge
        phase = "symmetric" if r > 1 else "broken"
        curves.append(
            (
                -r,
                df.sort_values("site"),
                rf"$\Gamma_i/\Gamma_e={ratio_label(r)}$",
                style.COLORS[phase],
                "o" if r > 1 else "s",
            )
        )
    curves.sort(key=lambda c: c[0])
    tp = transition_point(tables, float(sites["gamma_i"].iloc[0]))  # fig2c's Gamma_i (config)
    ms = table(tables, "fig2b_max/sites")
    sel = ms[
        (ms["outer_index"] == tp["outer_index"])
        & (ms["inner_index"] == tp["inner_index"])
        & np.isclose(ms["gamma_i"], tp["gamma_i"])
    ]
    curves.append(
        (
            0.0,
            sel.sort_values("site"),
            rf"transition (max $J$), $\Gamma_e={fmt(tp['gamma_e'], 4)}$",
            style.COLORS["transition"],
            "^",
        )
    )

    allv = []
    for _, df, label, color, marker in curves:
        y = df["occupation"].to_numpy(float)
        allv.append(y)
        ax.plot(df["site"], y, marker=marker, ms=3.5, lw=1.0, color=color, label=label, mfc=color, mec="white", mew=0.4)
    v = np.concatenate(allv) if allv else np.array([])
    pos = v[np.isfinite(v) & (v > 0)]
    log = pos.size > 0 and pos.max() > 100 * pos.min()
    if log:
        ax.set_yscale("log")
        ax.set_ylim(pos.min() / 3, pos.max() * 40)  # headroom for the legend
    else:
        ax.set_ylim(0, 1.75 * (pos.max() if pos.size else 1.0))  # headroom for the legend
    n = int(np.nanmax(sites["site"])) if len(sites) else 1
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xlim(0.5, n + 0.5)
    ax.set_xlabel(r"site $\ell$")
    ax.set_ylabel(r"$|\alpha_\ell|^2\,/\,n_0$")
    ax.legend(loc="upper center", ncol=1, fontsize=6.8)


# ---------------------------------------------------------------------------------------------
def plot(tables) -> mpl.figure.Figure:
    with style.context():
        fig = style.figure(style.DOUBLE, 2.55)
        axes = fig.subplots(1, 3, width_ratios=[1.25, 1.0, 1.0])
        draw_a(axes[0], tables)
        draw_b(axes[1], tables)
        draw_c(axes[2], tables)
        for ax, letter in zip(axes, "abc"):
            style.panel_label(ax, letter)
    return fig
