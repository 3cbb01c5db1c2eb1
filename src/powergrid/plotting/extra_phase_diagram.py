"""Beyond the paper: the phase diagram of Fig. 2a's plane, from continuation.

(a) Fig. 2a's map of <J> (seeded random starts) with the exact bifurcation lines on top: the
    first Hopf line of the rotating (symmetric) state, the branch line where the two senses of
    rotation leave the state at rest, the fold line of the state at rest (ending in a cusp), the
    Hopf line of the state at rest, and the zero state's stability boundary at the actual gamma
    (the stalled region) next to its gamma -> 0 form g^2/Gamma_i.
(b) The same lines as distance Gamma_i - Gamma_e from the diagonal, where they are resolved,
    over the number of distinct stable stationary states in the slices (none: red; several:
    blue), the paper's transition estimates, and the points where Fig. 2a's random start found
    an oscillating attractor.
Tables: ``fig2a/bonds``, ``extra_phase_lines/lines``, ``extra_phase_slices/branches``,
``extra_phase_slices/bifurcations``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from .. import analytic
from ..transitions import stable_state_count
from . import style
from ._common import UNSTEADY_KINDS, last_bond, table
from .fig2 import draw_a

FIGURE = "extra-phase-diagram"
CATEGORY = "Beyond the paper"
TABLES = ("fig2a/bonds", "extra_phase_lines/lines", "extra_phase_slices/branches", "extra_phase_slices/bifurcations")

LINES = {  # kind, on which state: (label, colour, style)
    ("hopf", True): ("Hopf, rotating state", style.COLORS["symmetric"], "-"),
    ("branch", False): ("branch point (rotation sets in)", "black", "-"),
    ("fold", False): ("fold, state at rest", style.COLORS["broken"], "-"),
    ("hopf", False): ("Hopf, state at rest", style.COLORS["broken"], (0, (4, 1.5))),
    ("zero", False): ("zero state's boundary", "#E69F00", "-"),
}
DISTANCE = (-0.12, 0.32)  # window of Gamma_i - Gamma_e in (b)


def _lines(lines):
    """(key of LINES, frame) per followed line, in arclength order."""
    for _, g in lines.groupby(["outer_index", "line"], sort=True):
        g = g.sort_values("step")
        kind = g["kind"].iloc[0]
        rotating = bool((np.abs(g["omega"]) > 1e-9).any()) and kind != "zero"
        yield (kind, rotating), g


def _draw_lines(ax, lines, distance: bool):
    seen = set()
    for key, g in _lines(lines):
        label, color, ls = LINES.get(key, (key[0], "0.3", ":"))
        x = g["gamma_i"].to_numpy()
        y = g["gamma_e"].to_numpy()
        if key[0] == "zero":  # the crossings at each Gamma_i, numbered by ``line``: a scatter of points
            ax.plot(x, x - y if distance else y, ls="none", marker=".", ms=1.6, color=color,
                    label=None if label in seen else label)  # fmt: skip
        else:
            ax.plot(x, x - y if distance else y, color=color, ls=ls, lw=1.1, label=None if label in seen else label)
        seen.add(label)


def _estimates(ax, lines, gi):
    """The paper's transition estimates as distances Gamma_i - Gamma_e at the network's N, gamma."""
    row = lines.iloc[0]
    n, gamma = int(row["n_sites"]), float(row["gamma"])
    curly_n = 2.0 if n == 2 else (n + 1) / 2 if n % 2 else n / 2  # (D2)/(S43)
    grey = dict(lw=0.8, color="0.35")
    ax.plot(gi, gi * n * gamma / 2, ls="--", label=r"$\Gamma_i N\gamma/2g$ (letter)", **grey)
    ax.plot(gi, gi - analytic.transition(gi, gamma, n), ls="-.", label="(S44)/(D3)", **grey)
    ax.plot(gi, gi - analytic.transition_edge_damping(gi, gamma), ls=(0, (1, 1)), label="(S36)/(C13)", **grey)
    ax.axhline(
        curly_n * gamma, ls=(0, (5, 2, 1, 2)), label=rf"$\gamma\mathcal{{N}}$, $\mathcal{{N}}={curly_n:g}$", **grey
    )
    ax.axhline(2 * gamma, ls=(0, (2, 3)), label=r"$2\gamma$: $\Gamma_e^{**}$", **grey)


def _regions(ax, slices, points):
    """Counts of stable stationary states on the slices, as a map over (Gamma_i, Gamma_i - Gamma_e)."""
    gis = np.sort(slices["gamma_i"].unique())
    d = np.linspace(*DISTANCE, 241)
    counts = np.full((d.size, gis.size), np.nan)
    for k, gi in enumerate(gis):
        here = slices[np.isclose(slices["gamma_i"], gi)]
        if here.empty:  # no start found a stationary state to follow: left blank
            continue
        ge = gi - d
        inside = (ge >= here["gamma_e"].min()) & (ge <= here["gamma_e"].max())  # the followed range
        counts[inside, k] = stable_state_count(here, points, ge[inside])["total"].to_numpy()
    category = np.where(np.isnan(counts), np.nan, np.where(counts == 0, 0, np.where(counts >= 2, 2, 1)))
    colors = ["#F4B6A6", "white", "#B9D3EA"]
    edges = style.cell_edges(gis), style.cell_edges(d)
    mesh = dict(cmap=ListedColormap(colors), vmin=-0.5, vmax=2.5, shading="flat", rasterized=True, zorder=0)
    ax.pcolormesh(*edges, np.ma.masked_invalid(category), **mesh)
    ax.fill_between([], [], color=colors[0], label="no stable stationary state")
    ax.fill_between([], [], color=colors[2], label="several coexist")


def plot(tables):
    bonds = table(tables, "fig2a/bonds")
    lines = table(tables, "extra_phase_lines/lines")
    slices = table(tables, "extra_phase_slices/branches")
    with style.context():
        fig = style.figure(style.DOUBLE, 3.4)
        a, b = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1, 1.25)))
        draw_a(a, tables, colorbar=True)
        _draw_lines(a, lines, distance=False)
        a.set_xlim(0, 8)
        a.set_ylim(0, 8)

        _regions(b, slices, table(tables, "extra_phase_slices/bifurcations"))
        _draw_lines(b, lines, distance=True)
        gi = np.linspace(0.0, 8.0, 161)
        _estimates(b, lines, gi)
        osc = last_bond(bonds)
        osc = osc[osc["kind"].isin(UNSTEADY_KINDS)]
        b.plot(osc["gamma_i"], osc["gamma_i"] - osc["gamma_e"], ls="none", marker=".", ms=1.5, color="0.45",
               label="Fig. 2a: oscillating attractor")  # fmt: skip
        b.axhline(0.0, color="0.6", lw=0.5, zorder=0)
        b.set_xlim(0, 8)
        b.set_ylim(*DISTANCE)
        b.set_xlabel(r"$\Gamma_i\,/\,g$")
        b.set_ylabel(r"$(\Gamma_i-\Gamma_e)\,/\,g$")
        b.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=6, frameon=False)
        for ax, letter in ((a, "a"), (b, "b")):
            style.panel_label(ax, letter)
    return fig
