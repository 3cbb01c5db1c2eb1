"""Fig. 3: noise and relaxation in the N = 6 chain (Gamma_i = 4 g, gamma = 1e-3 g).

(a) SDE ensembles at N_th/n0 = 10: <J> on the last bond (points with standard errors) and the
    band <J> +- Delta J of the instantaneous current; dashed: the equilibrium band +- g N_th/sqrt(2).
(b) Marginal distributions P_l(alpha_l/sqrt(n0)) of every site at Gamma_e = 2 g (symmetric phase,
    top) and 8 g (broken phase, bottom), same ensembles.
(c) Relaxation time tau_r after a kick of alpha_1 (noise-free, Appendix F) for N = 4, 6, 8.
(d) Gbar = <Gamma_e(alpha_N) - Gamma_i(alpha_1)> with quantum noise only (N_th = 0) and with
    N_th/n0 = 10, against the noise-free steady state (line).
Tables: ``fig3/bonds``, ``fig3/points``, ``fig3b/histograms``, ``fig3c/relaxation``,
``fig3c/relaxation_fits``, ``fig3d_deterministic/sites``.
"""

from __future__ import annotations

import numpy as np

from . import extra_relaxation, style
from ._common import table
from .noisy_currents import bond, draw_band, equilibrium_band, label_axes, mark_gamma_i, mean_inset

FIGURE = "fig3"
CATEGORY = "Main text"
TABLES = (
    "fig3/bonds",
    "fig3/points",
    "fig3b/histograms",
    "fig3c/relaxation",
    "fig3c/relaxation_fits",
    "fig3d_deterministic/sites",
)

THERMAL_COLOR = "#0072B2"
QUANTUM_COLOR = "#D55E00"


def thermal(df):
    """The rows with thermal noise (the largest N_th/n0 of the table)."""
    return df[df["n_th_over_n0"] == df["n_th_over_n0"].max()]


def draw_a(ax, tables):
    bonds = thermal(table(tables, "fig3/bonds"))
    n = int(bonds["n_sites"].iloc[0])
    rows = bond(bonds, n)
    draw_band(ax, rows, THERMAL_COLOR, r"$\langle J\rangle\pm\Delta J$")
    mean_inset(ax, rows, THERMAL_COLOR)
    equilibrium_band(ax, float(rows["n_th_over_n0"].iloc[0]))
    mark_gamma_i(ax, float(rows["gamma_i"].iloc[0]))
    ax.axhline(0.0, color="0.8", lw=0.5, zorder=0)
    label_axes(ax)
    ax.set_title(rf"$N={n}$, $N_{{th}}/n_0={rows['n_th_over_n0'].iloc[0]:g}$", fontsize=8)
    ax.legend(loc="lower right", fontsize=6.5)


def _extent(h) -> float:
    """Half-width of the square, centred at 0, that holds 99.9 % of the samples in ``h``."""
    r = np.maximum(h[["re_lo", "re_hi"]].abs().max(axis=1), h[["im_lo", "im_hi"]].abs().max(axis=1)).to_numpy()
    order = np.argsort(r)
    share = np.cumsum(h["count"].to_numpy()[order]) / h["count"].sum()
    return float(r[order][min(np.searchsorted(share, 0.999), len(order) - 1)])


def draw_b(fig, spec, tables):
    """One row of small density maps per Gamma_e, one column per site. Each row has its own square
    range (the phases differ by an order of magnitude in |alpha|) and each map its own colour scale
    (the loss site's distribution is far narrower than the others)."""
    hist = table(tables, "fig3b/histograms")
    hist = hist.assign(
        density=hist["count"] / hist["samples"] / ((hist["re_hi"] - hist["re_lo"]) * (hist["im_hi"] - hist["im_lo"]))
    )
    values = sorted(hist["gamma_e"].unique())
    n = int(hist["n_sites"].iloc[0])
    grid = spec.subgridspec(len(values), n, wspace=0.05, hspace=0.15)
    re_edges = np.unique(np.r_[hist["re_lo"], hist["re_hi"]])
    im_edges = np.unique(np.r_[hist["im_lo"], hist["im_hi"]])
    first = None
    for row, gamma_e in enumerate(values):
        h = hist[hist["gamma_e"] == gamma_e]
        extent = _extent(h)
        for site in range(1, n + 1):
            ax = fig.add_subplot(grid[row, site - 1])
            s = h[h["site"] == site]
            z = np.zeros((len(re_edges) - 1, len(im_edges) - 1))
            z[np.searchsorted(re_edges, s["re_lo"]), np.searchsorted(im_edges, s["im_lo"])] = s["density"]
            ax.pcolormesh(
                re_edges,
                im_edges,
                z.T,
                cmap="magma",
                vmin=0,
                vmax=float(z.max()) or 1.0,
                rasterized=True,
                shading="flat",
            )
            ax.set_xlim(-extent, extent)
            ax.set_ylim(-extent, extent)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(rf"$\ell={site}$", fontsize=7, pad=2)
            if site == 1:
                ax.set_ylabel(rf"$\Gamma_e={gamma_e:g}$" + "\n" + rf"$\pm{extent:.2g}$", fontsize=6.5, labelpad=2)
            first = first or ax
    return first


def draw_d(ax, tables):
    points = table(tables, "fig3/points")
    # Gbar of the noise-free fixed points (NaN where the attractor is not a fixed point)
    det = table(tables, "fig3d_deterministic/sites").drop_duplicates("gamma_e").sort_values("gamma_e")
    ax.plot(det["gamma_e"], det["Gbar"], color="0.2", lw=1.0, label="noise-free", zorder=1)
    for value, df in points.groupby("n_th_over_n0", sort=True):
        df = df.sort_values("gamma_e")
        color = QUANTUM_COLOR if value == 0 else THERMAL_COLOR
        label = r"quantum noise, $N_{th}=0$" if value == 0 else rf"$N_{{th}}/n_0={value:g}$"
        ax.errorbar(
            df["gamma_e"],
            df["Gbar_mean"],
            yerr=df["Gbar_sem"],
            color=color,
            ls="none",
            marker="o",
            ms=2.2,
            elinewidth=0.8,
            capsize=1.2,
            label=label,
            zorder=2,
        )
    mark_gamma_i(ax, float(points["gamma_i"].iloc[0]))
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$\bar\Gamma\,/\,g$")
    ax.set_title(rf"$n_0={points['n0'].iloc[0]:g}$", fontsize=8)
    ax.legend(loc="upper left", fontsize=6.5)


def plot(tables):
    with style.context():
        fig = style.figure(style.DOUBLE, 5.2)
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.25])
        ax_a = fig.add_subplot(grid[0, 0])
        draw_a(ax_a, tables)
        style.panel_label(ax_a, "a")
        ax_b = draw_b(fig, grid[0, 1], tables)
        style.panel_label(ax_b, "b", x=-0.25)
        ax_c = fig.add_subplot(grid[1, 0])
        extra_relaxation.draw_tau(ax_c, tables)
        style.panel_label(ax_c, "c")
        ax_d = fig.add_subplot(grid[1, 1])
        draw_d(ax_d, tables)
        style.panel_label(ax_d, "d")
    return fig
