"""Fig. 5: a network with a crossing, the configured graph of ``fig5`` (docs/figures.md decision: the
line 1-...-7 with the branch 4-8-9).

(a) The graph as configured, drawn from the table: sites, edges, the generator (gain) and the
    engines (loss) with their sites; laid out by classical multidimensional scaling of the graph
    distances, so any configured graph is drawn without hand-placed coordinates.
(b) <J_7>, <J_8>, <J_9> against Gamma_e^(7) (the rate of the swept loss site), SDE ensembles with
    standard errors; inset: their Delta J. J_l is the current into site l along the configured
    (oriented) edge.
Tables: ``fig5/bonds``, ``fig5/sites``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from . import style
from ._common import table
from .noisy_currents import mark_gamma_i

FIGURE = "fig5"
CATEGORY = "Main text"
TABLES = ("fig5/bonds", "fig5/sites")
SERIES = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00")


def swept_column(df) -> str:
    return next(c for c in df.columns if c.startswith("gamma_e@") and df[c].nunique() > 1)


def layout(n_sites: int, edges) -> np.ndarray:
    """2-D positions from classical MDS of the shortest-path distances, oriented so that site 1
    lies left and the principal axis is horizontal."""
    d = np.full((n_sites, n_sites), np.inf)
    np.fill_diagonal(d, 0.0)
    for i, j in edges:
        d[i, j] = d[j, i] = 1.0
    for k in range(n_sites):  # Floyd-Warshall
        d = np.minimum(d, d[:, [k]] + d[[k], :])
    b = -0.5 * (np.eye(n_sites) - 1.0 / n_sites) @ (d**2) @ (np.eye(n_sites) - 1.0 / n_sites)
    w, v = np.linalg.eigh(b)
    pos = v[:, -2:][:, ::-1] * np.sqrt(np.maximum(w[-2:][::-1], 0.0))
    for axis in range(2):  # a deterministic orientation
        ref = pos[0, axis] if axis == 0 else pos[:, axis].sum()
        if ref > 0:
            pos[:, axis] *= -1
    return pos


def draw_a(ax, tables):
    bonds, sites = table(tables, "fig5/bonds"), table(tables, "fig5/sites")
    first = sites[
        (sites["outer_index"] == sites["outer_index"].min()) & (sites["inner_index"] == sites["inner_index"].min())
    ]
    first = first.sort_values("site")
    n = len(first)
    edges = bonds[["site_from", "site_to"]].drop_duplicates().to_numpy() - 1
    pos = layout(n, edges)
    for i, j in edges:
        ax.annotate(
            "",
            xy=pos[j],
            xytext=pos[i],
            arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=9, shrinkB=9, mutation_scale=7),
        )
    swept = swept_column(bonds)
    for row in first.itertuples(index=False):
        p = pos[row.site - 1]
        color = {"gain": style.COLORS["gain"], "loss": style.COLORS["loss"]}.get(row.reservoir, "white")
        ax.plot(*p, marker="o", ms=15, mfc=color, mec="0.2", mew=0.8, ls="none", zorder=3)
        ax.text(
            *p,
            str(row.site),
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
            color="white" if row.reservoir else "black",
        )
        if row.reservoir:
            rate = (
                rf"$\Gamma_e^{{({row.site})}}$ swept"
                if swept == f"gamma_e@{row.site}"
                else rf"$\Gamma_{{{'i' if row.reservoir == 'gain' else 'e'}}}^{{({row.site})}}={row.reservoir_rate:g}$"
            )
            away = (p - pos.mean(axis=0)) / max(np.linalg.norm(p - pos.mean(axis=0)), 1e-9)  # from the centre
            ax.annotate(
                ("G " if row.reservoir == "gain" else "E ") + rate,
                xy=p,
                xytext=tuple(17 * away),
                textcoords="offset points",
                ha="left" if away[0] > 0.3 else "right" if away[0] < -0.3 else "center",
                va="bottom" if away[1] > 0.3 else "top" if away[1] < -0.3 else "center",
                fontsize=7,
                color=color,
            )
    span = np.ptp(pos, axis=0).max()
    lo, hi = pos.min(axis=0) - 0.12 * span, pos.max(axis=0) + 0.12 * span
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1] - 0.15 * span, hi[1])
    ax.set_aspect("equal")
    ax.set_axis_off()


def path_from(source: int, target: int, edges) -> list[int]:
    """Sites on a shortest path source -> target (breadth-first search over the edges)."""
    parent, todo = {source: None}, [source]
    while todo:
        site = todo.pop(0)
        for i, j in edges:
            for a, b in ((i, j), (j, i)):
                if a == site and b not in parent:
                    parent[b] = a
                    todo.append(b)
    path = [target]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def currents(bonds, sites):
    """The bonds the figure shows: into every loss site, and into the first site of each branch
    off the line from the gain site to the swept loss site (Fig. 5: J_7, J_9 and J_8)."""
    swept = swept_column(bonds)
    edges = bonds[["site_from", "site_to"]].drop_duplicates().to_numpy()
    gain = int(sites[sites["reservoir"] == "gain"]["site"].iloc[0])
    main = path_from(gain, int(swept.split("@")[1]), edges)
    shown = set()
    for loss in sorted(set(sites[sites["reservoir"] == "loss"]["site"])):
        path = path_from(gain, int(loss), edges)
        shown.add(path[-1])
        shown.update([site for site in path if site not in main][:1])
    return swept, [(s, bonds[bonds["site_to"] == s].sort_values(swept)) for s in sorted(shown)]


def draw_b(ax, tables):
    bonds = table(tables, "fig5/bonds")
    swept, series = currents(bonds, table(tables, "fig5/sites"))
    inset = ax.inset_axes([0.56, 0.56, 0.4, 0.4])
    for color, (site, rows) in zip(SERIES, series):
        x = rows[swept].to_numpy(float)
        ax.errorbar(
            x,
            rows["J_mean"],
            yerr=rows["J_sem"],
            color=color,
            marker="o",
            ms=2.2,
            lw=1.1,
            elinewidth=0.8,
            capsize=1.2,
            label=rf"$J_{{{site}}}$ (from {int(rows['site_from'].iloc[0])})",
        )
        inset.errorbar(x, rows["J_std"], yerr=rows["J_std_sem"], color=color, lw=0.9, elinewidth=0.6, capsize=0)
    gain = float(bonds["gamma_i"].iloc[0])
    mark_gamma_i(ax, gain)
    mark_gamma_i(inset, gain)
    site = swept.split("@")[1]
    ax.set_xlabel(rf"$\Gamma_e^{{({site})}}\,/\,g$")
    ax.set_ylabel(r"$\langle J_\ell\rangle\,/\,(g\,n_0)$")
    ax.set_xlim(float(bonds[swept].min()), float(bonds[swept].max()))
    ax.axhline(0.0, color="0.8", lw=0.5, zorder=0)
    ax.legend(loc="center left", fontsize=6.5)
    r = bonds.iloc[0]
    ax.set_title(rf"$\gamma={r['gamma']:g}\,g$, $N_{{th}}/n_0={r['n_th_over_n0']:g}$, $n_0={r['n0']:g}$", fontsize=8)
    inset.set_ylabel(r"$\Delta J_\ell$", fontsize=7, labelpad=1)
    inset.tick_params(labelsize=6)
    inset.xaxis.set_major_locator(MaxNLocator(4))
    inset.set_xlim(ax.get_xlim())


def plot(tables):
    return style.panel_row([draw_a, draw_b], tables, 2.9, width_ratios=[1.0, 1.25])
