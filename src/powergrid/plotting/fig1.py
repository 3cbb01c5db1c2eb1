"""Fig. 1: sketch of the microscopic power grid, drawn by code.

A chain of N = 6 oscillators coupled by springs (g), a generator G injecting energy at site 1 with
rate Gamma_i, an engine E extracting it at site N with rate Gamma_e, and a thermal bath (gamma, N_th)
coupled to every site. Inset: the saturation Gamma(alpha)/Gamma = f^2 = (1 + |alpha|^2/n0)^(-2)
against |alpha|^2/n0, from table ``figS1/saturation`` (column f_classical squared, rows n0 = 1).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from . import style
from ._common import table

FIGURE = "fig1"
CATEGORY = "Main text"
TABLES = ("figS1/saturation",)
N_DRAWN = 6  # oscillators in the sketch
RADIUS = 0.3
BOX = (0.9, 0.72)  # width, height of the G and E boxes
BATH_Y = (-1.75, -1.25)


def _spring(x0, x1, y=0.0, coils=5, amp=0.11):
    """A zig-zag spring from x0 to x1 with short straight ends."""
    lead = 0.1 * (x1 - x0)
    xs = np.linspace(x0 + lead, x1 - lead, 2 * coils + 1)
    ys = np.full_like(xs, y)
    ys[1:-1:2] += amp
    ys[2:-1:2] -= amp
    return np.r_[x0, xs, x1], np.r_[y, ys, y]


def _wave(x, y0, y1, periods=2.5, amp=0.07, n=120):
    t = np.linspace(0.0, 1.0, n)
    return x + amp * np.sin(2 * np.pi * periods * t), y0 + (y1 - y0) * t


def draw(ax, tables=None):
    """The sketch in data coordinates (equal aspect) on ``ax``; returns the inset axes (or None)."""
    ax.set_aspect("equal")
    ax.set_axis_off()
    xs = np.arange(1, N_DRAWN + 1, dtype=float)
    # springs (g)
    for a, b in zip(xs[:-1], xs[1:]):
        sx, sy = _spring(a + RADIUS, b - RADIUS)
        ax.plot(sx, sy, color="0.25", lw=0.9, solid_joinstyle="round", zorder=2)
    ax.text(0.5 * (xs[0] + xs[1]), 0.2, r"$g$", ha="center", va="bottom", fontsize=9)
    # bath and its coupling to every site
    bath = Rectangle(
        (xs[0] - 0.6, BATH_Y[0]),
        xs[-1] - xs[0] + 1.2,
        BATH_Y[1] - BATH_Y[0],
        facecolor=style.COLORS["bath"],
        alpha=0.25,
        edgecolor=style.COLORS["bath"],
        lw=0.8,
        zorder=1,
    )
    ax.add_patch(bath)
    ax.text(
        0.5 * (xs[0] + xs[-1]),
        0.5 * sum(BATH_Y),
        r"thermal bath  $(\gamma,\ N_{\rm th})$",
        ha="center",
        va="center",
        fontsize=8,
        color="#1f4e79",
    )
    for x in xs:
        wx, wy = _wave(x, -RADIUS - 0.03, BATH_Y[1])
        ax.plot(wx, wy, color=style.COLORS["bath"], lw=0.9, ls=(0, (2.5, 1.2)), zorder=1)
    ax.text(xs[-1] + 0.2, 0.5 * (-RADIUS + BATH_Y[1]), r"$\gamma$", ha="left", va="center", fontsize=8, color="#1f4e79")
    # oscillators
    for i, x in enumerate(xs):
        ax.add_patch(Circle((x, 0.0), RADIUS, facecolor=style.COLORS["oscillator"], edgecolor="0.15", lw=1.0, zorder=3))
        label = str(i + 1) if i < N_DRAWN - 1 else r"$N$"
        ax.text(x, 0.0, label, ha="center", va="center", fontsize=8, zorder=4)
    # generator and engine
    w, h = BOX
    for x, letter, color in ((xs[0] - 1.55, "G", style.COLORS["gain"]), (xs[-1] + 1.55, "E", style.COLORS["loss"])):
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, -h / 2),
                w,
                h,
                boxstyle="round,pad=0.0,rounding_size=0.15",
                facecolor=color,
                edgecolor="none",
                zorder=3,
            )
        )
        ax.text(x, 0.0, letter, ha="center", va="center", color="white", fontsize=11, fontweight="bold", zorder=4)
    arrow = dict(arrowstyle="-|>,head_length=0.35,head_width=0.2", lw=1.6, mutation_scale=10, zorder=3)
    ax.add_patch(
        FancyArrowPatch(
            (xs[0] - 1.55 + w / 2 + 0.02, 0), (xs[0] - RADIUS - 0.04, 0), color=style.COLORS["gain"], **arrow
        )
    )
    ax.add_patch(
        FancyArrowPatch(
            (xs[-1] + RADIUS + 0.04, 0), (xs[-1] + 1.55 - w / 2 - 0.02, 0), color=style.COLORS["loss"], **arrow
        )
    )
    ax.text(xs[0] - 0.78, 0.14, r"$\Gamma_i$", ha="center", va="bottom", fontsize=9, color=style.COLORS["gain"])
    ax.text(xs[-1] + 0.78, 0.14, r"$\Gamma_e$", ha="center", va="bottom", fontsize=9, color=style.COLORS["loss"])
    ax.set_xlim(xs[0] - 2.15, xs[-1] + 2.15)
    ax.set_ylim(BATH_Y[0] - 0.12, 4.2)

    if tables is None or "figS1/saturation" not in tables:
        return None
    sat = table(tables, "figS1/saturation")
    df = sat[np.isclose(sat["n0"], 1.0)].sort_values("x_over_n0")
    ins = ax.inset_axes([xs[1] + 0.1, 1.3, 3.75, 2.3], transform=ax.transData)
    ins.plot(df["x_over_n0"], df["f_classical"].to_numpy(float) ** 2, color="black", lw=1.3)
    ins.set_xlim(0, float(df["x_over_n0"].max()) if len(df) else 1.0)
    ins.set_ylim(0, 1.05)
    ins.set_xlabel(r"$|\alpha|^2/n_0$", fontsize=8, labelpad=1)
    ins.set_ylabel(r"$\Gamma(\alpha)/\Gamma$", fontsize=8, labelpad=1.5)
    ins.set_yticks([0, 0.5, 1])
    ins.tick_params(labelsize=7, pad=1.5)
    ins.text(0.97, 0.93, r"$f^2=(1+|\alpha|^2/n_0)^{-2}$", transform=ins.transAxes, ha="right", va="top", fontsize=7)
    ins.set_title("saturation of G and E", fontsize=7.5, pad=2.5)
    return ins


def plot(tables):
    with style.context():
        fig = style.figure(style.SINGLE, 2.3, layout=None)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        draw(ax, tables)
    return fig
