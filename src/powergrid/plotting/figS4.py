"""Fig. S4 (= article Fig. 6b): |A| (solid) and |B| (dotted) of the ansatz (S17)
alpha_l = sqrt(n0) e^{-i omega t} [A sin(k0 l) + B cos(k0 l)] fitted to the deterministic steady
state, against Gamma_e at Gamma_i = 4 g (N = 10, gamma = 1e-3 g). Points whose attractor is not
stationary or rotating are left out (gaps, shaded). Dashed: the analytic amplitudes of
``powergrid.analytic`` (eq. S28 for Gamma_e < Gamma_i, N even; eq. S32 for Gamma_e > Gamma_i).
Table: ``figS4/ansatz`` (gamma and n_sites are read from columns ``gamma``/``n_sites`` or
``DataFrame.attrs`` when present, else the paper's gamma = 1e-3, N = 10).
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import style
from ._common import analytic, runs, table

TABLES = ("figS4/ansatz",)
FITTED_KINDS = ("stationary", "rotating")
DEFAULT_GAMMA = 1e-3     # FIGURES.md, Fig. S4
DEFAULT_N_SITES = 10


def _param(df, name, default):
    if name in df.columns and df[name].notna().any():
        return float(df[name].dropna().iloc[0])
    if name in df.attrs:
        return float(df.attrs[name])
    return default


def draw(ax, tables, *, legend: bool = True):
    df = table(tables, "figS4/ansatz").sort_values("gamma_e")
    ge = df["gamma_e"].to_numpy(float)
    good = df["kind"].isin(FITTED_KINDS).to_numpy()
    handles = []

    # Shade the Gamma_e ranges without a stationary (or rotating) state.
    bad_runs = runs(~good)
    for k, (a, b) in enumerate(bad_runs):
        left = 0.5 * (ge[a - 1] + ge[a]) if a > 0 else ge[a]
        right = 0.5 * (ge[b - 1] + ge[b]) if b < len(ge) else ge[b - 1]
        if right <= left:   # a single point at an end of the sweep
            half = 0.5 * (np.median(np.diff(ge)) if len(ge) > 1 else 0.1)
            left, right = ge[a] - half, ge[b - 1] + half
        ax.axvspan(left, right, color=style.COLORS["unsteady"], alpha=0.25, lw=0, zorder=0)
    if bad_runs:
        handles.append(Patch(facecolor=style.COLORS["unsteady"], alpha=0.25, lw=0,
                             label="not stationary (left out)"))

    def positive(col):
        v = df[col].to_numpy(float).copy()
        v[~good | ~(v > 0)] = np.nan
        return v

    (la,) = ax.plot(ge, positive("A_abs"), color=style.COLORS["A"], lw=1.4, label=r"$|A|$")
    (lb,) = ax.plot(ge, positive("B_abs"), color=style.COLORS["B"], lw=1.6, ls=":", label=r"$|B|$")
    handles = [la, lb] + handles

    mod = analytic()
    if mod is not None and len(ge):
        gi = float(np.median(df["gamma_i"].to_numpy(float)))
        gamma = _param(df, "gamma", DEFAULT_GAMMA)
        n_sites = int(_param(df, "n_sites", DEFAULT_N_SITES))
        x = np.linspace(ge.min(), ge.max(), 801)
        drawn = False
        for a_abs, b_abs in (mod.ansatz_symmetric_even(gi, x, gamma, n_sites), mod.ansatz_broken(gi, x)):
            for v, color in ((a_abs, style.COLORS["A"]), (b_abs, style.COLORS["B"])):
                v = np.broadcast_to(np.asarray(v, float), x.shape).copy()
                v[~(v > 0)] = np.nan
                if np.isfinite(v).any():
                    ax.plot(x, v, color=color, lw=0.9, ls=(0, (4, 2)), alpha=0.9, zorder=3)
                    drawn = True
        if drawn:
            handles.append(Line2D([], [], color=style.COLORS["analytic"], lw=0.9, ls=(0, (4, 2)),
                                  label="analytic (S28, S32)"))

    ax.set_yscale("log")
    if len(ge):
        ax.set_xlim(ge.min(), ge.max())
    ax.set_xlabel(r"$\Gamma_e\,/\,g$")
    ax.set_ylabel(r"$|A|$, $|B|$")
    if legend:
        ax.legend(handles=handles, loc="best")


def plot(tables):
    with style.context():
        fig = style.figure(style.SINGLE, 2.6)
        ax = fig.subplots()
        draw(ax, tables)
    return fig
