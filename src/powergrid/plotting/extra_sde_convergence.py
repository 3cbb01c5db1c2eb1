"""Beyond the paper: convergence of the SDE ensembles at a Fig. 3a point in each phase (N = 6,
Gamma_i = 4 g, gamma = 1e-3 g, N_th/n0 = 10; Gamma_e = 2 g symmetric, 8 g broken).
(a) <J> and (b) Delta J on the last bond against the time step, relative to the smallest step,
with standard errors (independent ensembles per step); the dotted line is the configured step.
(c) ensemble size: the estimate of <J> from the first K trajectories at the configured step,
relative to all of them, with its standard error; grey: the K^(-1/2) scaling of that error.
Tables: ``sde_convergence/bonds``, ``sde_convergence/trajectory_bonds`` (its metadata carries the
configured step).
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullLocator

from . import style
from ._common import table
from .noisy_currents import bond

FIGURE = "extra-sde-convergence"
CATEGORY = "Beyond the paper"
TABLES = ("sde_convergence/bonds", "sde_convergence/trajectory_bonds")
COLORS = {"symmetric": style.COLORS["symmetric"], "broken": style.COLORS["broken"]}


def configured_dt(df) -> float:
    return float(df.attrs["meta"]["spec"]["sde"]["dt"])


def last_bond(df):
    return bond(df, int(df["n_sites"].iloc[0]))


def phase(rows) -> str:
    r = rows.iloc[0]
    return "symmetric" if r["gamma_e"] < r["gamma_i"] else "broken"


def draw_dt(ax, tables, value: str, error: str, ylabel: str):
    bonds = table(tables, "sde_convergence/bonds")
    for gamma_e, rows in last_bond(bonds).groupby("gamma_e", sort=True):
        rows = rows.sort_values("dt")
        ref, ref_err = rows[value].iloc[0], rows[error].iloc[0]
        rel = rows[value] / ref - 1.0
        err = np.hypot(rows[error] / ref, ref_err * rows[value] / ref**2)
        err.iloc[0] = ref_err / abs(ref)
        ax.errorbar(
            rows["dt"],
            rel,
            yerr=err,
            marker="o",
            ms=3,
            lw=1.0,
            elinewidth=0.8,
            capsize=1.5,
            color=COLORS[phase(rows)],
            label=rf"$\Gamma_e={gamma_e:g}\,g$ ({phase(rows)})",
        )
    ax.axvline(configured_dt(bonds), color=style.COLORS["reference"], lw=0.7, ls=":")
    ax.axhline(0.0, color="0.7", lw=0.5, zorder=0)
    ax.set_xscale("log")
    steps = np.sort(bonds["dt"].unique())
    ax.set_xticks(steps, [f"{v:g}" for v in steps])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(r"$\Delta t\,g$")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=6.5)


def draw_mean_dt(ax, tables):
    draw_dt(ax, tables, "J_mean", "J_sem", r"$\langle J\rangle(\Delta t)/\langle J\rangle(\Delta t_{\min})-1$")


def draw_std_dt(ax, tables):
    draw_dt(ax, tables, "J_std", "J_std_sem", r"$\Delta J(\Delta t)/\Delta J(\Delta t_{\min})-1$")


def draw_ensemble(ax, tables):
    traj = table(tables, "sde_convergence/trajectory_bonds")
    dt = configured_dt(traj)
    traj = last_bond(traj[np.isclose(traj["dt"], dt)])
    for gamma_e, rows in traj.groupby("gamma_e", sort=True):
        j = rows.sort_values("trajectory")["J_mean"].to_numpy(float)
        sizes = 2 ** np.arange(1, int(np.log2(len(j))) + 1)
        est = np.array([j[:k].mean() for k in sizes])
        sem = np.array([j[:k].std(ddof=1) / np.sqrt(k) for k in sizes])
        full = j.mean()
        color = COLORS[phase(rows)]
        ax.errorbar(
            sizes,
            est / full - 1.0,
            yerr=sem / abs(full),
            marker="o",
            ms=3,
            lw=1.0,
            elinewidth=0.8,
            capsize=1.5,
            color=color,
            label=rf"$\Gamma_e={gamma_e:g}\,g$",
        )
        ax.plot(sizes, sem[-1] / abs(full) * np.sqrt(sizes[-1] / sizes), color=color, lw=0.6, ls="--", alpha=0.6)
        ax.plot(sizes, -sem[-1] / abs(full) * np.sqrt(sizes[-1] / sizes), color=color, lw=0.6, ls="--", alpha=0.6)
    ax.axhline(0.0, color="0.7", lw=0.5, zorder=0)
    ax.set_xscale("log", base=2)
    ax.set_xlabel(r"trajectories $K$")
    ax.set_ylabel(r"$\langle J\rangle_K/\langle J\rangle_{\rm all}-1$")
    ax.set_title(rf"$\Delta t={dt:g}/g$", fontsize=8)
    ax.legend(loc="upper right", fontsize=6.5)


def plot(tables):
    return style.panel_row([draw_mean_dt, draw_std_dt, draw_ensemble], tables, 2.5)
