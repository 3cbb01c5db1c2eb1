"""Fig. S4 (= article Fig. 6b): |A| (solid) and |B| (dotted) of the ansatz (S17)
alpha_l = sqrt(n0) e^{-i omega t} [A sin(k0 l) + B cos(k0 l)] fitted to the deterministic steady
state, against Gamma_e at Gamma_i = 4 g (N = 10, gamma = 1e-3 g). Points whose attractor is not
stationary or rotating, or not a single mode (fit residual above MAX_FIT_RESIDUAL), are left
out (gaps, shaded). Dashed: the analytic amplitudes of ``powergrid.analytic`` (eq. S28 for
Gamma_e < Gamma_i, N even, damping at the ends only; eq. S32/C7 for Gamma_e > Gamma_i);
dash-dotted: eq. C17 (damping on every site, as in the numerics). Table: ``figS4/ansatz``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import analytic
from . import style
from ._common import runs, table

FIGURE = "figS4"
CATEGORY = "Supplement"
TABLES = ("figS4/ansatz",)
FITTED_KINDS = ("stationary", "rotating")
MAX_FIT_RESIDUAL = 0.05  # relative misfit above which a state is not the single mode of (S17)


def draw(ax, tables, *, legend: bool = True):
    df = table(tables, "figS4/ansatz").sort_values("gamma_e")
    df = df.assign(good=df["kind"].isin(FITTED_KINDS) & (df["fit_residual"] < MAX_FIT_RESIDUAL))
    # A Gamma_e counts as covered if any protocol (continuation up or down) found a single mode there.
    covered = df.groupby("gamma_e")["good"].any()
    ge = covered.index.to_numpy(float)
    handles = []

    # Shade the Gamma_e ranges without a single stationary (or rotating) mode.
    bad_runs = runs(~covered.to_numpy())
    for a, b in bad_runs:
        left = 0.5 * (ge[a - 1] + ge[a]) if a > 0 else ge[a]
        right = 0.5 * (ge[b - 1] + ge[b]) if b < len(ge) else ge[b - 1]
        if right <= left:  # a single point at an end of the sweep
            half = 0.5 * (np.median(np.diff(ge)) if len(ge) > 1 else 0.1)
            left, right = ge[a] - half, ge[b - 1] + half
        ax.axvspan(left, right, color=style.COLORS["unsteady"], alpha=0.25, lw=0, zorder=0)
    if bad_runs:
        handles.append(Patch(facecolor=style.COLORS["unsteady"], alpha=0.25, lw=0, label="no single stationary mode"))

    for _, branch in df.groupby("protocol"):
        x = branch["gamma_e"].to_numpy(float)
        a_abs = np.where(branch["good"] & (branch["A_abs"] > 0), branch["A_abs"], np.nan)
        b_abs = np.where(branch["good"] & (branch["B_abs"] > 0), branch["B_abs"], np.nan)
        (la,) = ax.plot(x, a_abs, color=style.COLORS["A"], lw=1.4, label=r"$|A|$")
        (lb,) = ax.plot(x, b_abs, color=style.COLORS["B"], lw=1.6, ls=":", label=r"$|B|$")
    handles = [la, lb] + handles

    if len(ge):
        gi = float(np.median(df["gamma_i"].to_numpy(float)))
        gamma = float(df["gamma"].iloc[0])
        n_sites = int(df["n_sites"].iloc[0])
        x = np.linspace(ge.min(), ge.max(), 801)
        overlays = [
            ((0, (4, 2)), analytic.ansatz_symmetric(gi, x, gamma, n_sites)),
            ((0, (4, 2)), analytic.ansatz_broken(gi, x)),
            ("-.", analytic.ansatz_symmetric_damped(gi, x, gamma, n_sites)),
        ]
        for ls, pair in overlays:
            for v, color in zip(pair, (style.COLORS["A"], style.COLORS["B"])):
                ax.plot(x, np.where(v > 0, v, np.nan), color=color, lw=0.9, ls=ls, alpha=0.9, zorder=3)
        handles.append(
            Line2D([], [], color=style.COLORS["analytic"], lw=0.9, ls=(0, (4, 2)), label="analytic (S28, S32)")
        )
        handles.append(Line2D([], [], color=style.COLORS["analytic"], lw=0.9, ls="-.", label="all sites damped (C17)"))

    ax.set_yscale("log")
    if len(ge):
        ax.set_xlim(ge.min(), ge.max())
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$|A|$, $|B|$")
    if legend:
        ax.legend(handles=handles, loc="best")


def plot(tables):
    return style.single_panel(draw, tables, 2.6)
