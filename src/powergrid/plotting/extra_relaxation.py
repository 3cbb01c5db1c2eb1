"""Beyond the paper: relaxation times in full (the data behind Fig. 3c).

(a) tau_r against Gamma_e for every chain length, for the kick along the phase of alpha_1
(solid, the paper's Fig. 3c) and across it (thin dashed), with the time constant of the slowest
eigenmode that |alpha_1|^2 sees (dots, the linearisation cross-check); crosses at the bottom
mark Gamma_e where tau_r is not defined (no fixed point, or no relaxation by t_max).
(b) tau_r against Gamma_e - Gamma_i on the broken side, log-log, with the fitted power laws
(Gamma_e - Gamma_i)^-xi inside the fit window.
Tables: ``fig3c/relaxation``, ``fig3c/relaxation_fits``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from . import style
from ._common import table

FIGURE = "extra-relaxation"
CATEGORY = "Beyond the paper"
TABLES = ("fig3c/relaxation", "fig3c/relaxation_fits")


def draw_tau(ax, tables):
    df = table(tables, "fig3c/relaxation").sort_values("gamma_e")
    shown = df["direction"].iloc[0] if len(df) else "radial"  # the first configured direction
    for color, (n, g) in zip(style.SERIES, df.groupby("n_sites")):
        main = g[g["direction"] == shown]
        ok = main["meaningful"].to_numpy()
        ax.plot(
            main["gamma_e"], np.where(ok, main["tau"], np.nan), color=color, lw=1.3, marker="o", ms=2, label=f"$N={n}$"
        )
        ax.plot(
            main["gamma_e"],
            np.where(ok, main["tau_linear"], np.nan),
            ls="none",
            marker=".",
            ms=2.5,
            color="0.2",
            zorder=3,
        )
        other = g[(g["direction"] != shown) & g["meaningful"]]
        ax.plot(other["gamma_e"], other["tau"], color=color, lw=0.7, ls="--", alpha=0.8)
        bad = main[~main["meaningful"]]
        ax.plot(
            bad["gamma_e"],
            np.full(len(bad), 0.85),
            ls="none",
            marker="x",
            ms=3,
            color=color,
            transform=ax.get_xaxis_transform(),
        )
    gi = float(df["gamma_i"].iloc[0]) if len(df) else 4.0
    ax.axvline(gi, color=style.COLORS["reference"], lw=0.6, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$\tau_r\,g$")
    ax.plot([], [], ls="none", marker=".", color="0.2", label="slowest visible mode")
    ax.plot([], [], color="0.4", lw=0.7, ls="--", label="kick across the phase")
    ax.plot([], [], ls="none", marker="x", color="0.4", label=r"$\tau_r$ not defined")
    ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.55), fontsize=6.5)


def draw_divergence(ax, tables):
    df = table(tables, "fig3c/relaxation")
    fits = table(tables, "fig3c/relaxation_fits")
    shown = df["direction"].iloc[0]
    df = df[(df["direction"] == shown) & df["meaningful"] & (df["gamma_e"] > df["gamma_i"])]
    xi = fits[(fits["quantity"] == "xi") & (fits["direction"] == shown)]
    for color, (n, g) in zip(style.SERIES, df.groupby("n_sites")):
        ax.plot(g["gamma_e"] - g["gamma_i"], g["tau"], ls="none", marker="o", ms=2.5, color=color)
        fit = xi[xi["n_sites"] == n]
        if len(fit):
            f = fit.iloc[0]
            x = np.geomspace(f["window_min"], f["window_max"], 20)
            ax.plot(
                x,
                f["prefactor"] * x ** -f["value"],
                color=color,
                lw=1.0,
                label=rf"$N={n}$: $\xi={f['value']:.2f}\pm{f['stderr']:.2f}$",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):  # minor-tick labels of short log ranges collide
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$(\Gamma_e-\Gamma_i)\,/\,g$")
    ax.set_ylabel(r"$\tau_r\,g$")
    ax.legend(loc="lower left", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_tau, draw_divergence], tables, 2.7, width_ratios=[1.3, 1.0])
