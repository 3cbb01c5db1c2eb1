"""Current against Gamma_e at fixed Gamma_i, for the universality figures (S6a, S9; article 8a).

``draw_current(ax, bonds, color, label)`` draws <J>/(g n0) on the bond into the extraction site,
with a light J_min..J_max band where the attractor oscillates.
"""

from __future__ import annotations

import numpy as np

from . import style
from ._common import last_bond, oscillation_band

XLABEL = r"$\Gamma_e\,/\,g$"
JLABEL = r"$\langle J\rangle\,/\,(g\,n_0)$"


def draw_current(ax, bonds, color, label, ls="-"):
    """(Call ``scale_to_mean`` once all curves of a panel are drawn.)"""
    lb = last_bond(bonds).sort_values("gamma_e")
    oscillation_band(ax, lb, color, x="gamma_e")
    ax.plot(lb["gamma_e"], lb["J_mean"], color=color, lw=1.3, ls=ls, label=label)
    ax.set_xlabel(XLABEL)
    ax.set_ylabel(JLABEL)
    ax.set_xlim(float(lb["gamma_e"].min()), float(lb["gamma_e"].max()))


def mark_gamma_i(ax, gamma_i):
    ax.axvline(gamma_i, color=style.COLORS["reference"], lw=0.6, ls=":", zorder=0)


def nearest(df, column, value):
    """Rows whose ``column`` is the value nearest to ``value``."""
    v = df[column].to_numpy(float)
    return df[np.isclose(v, v[np.argmin(np.abs(v - value))])]


def scale_to_mean(ax, *bonds, headroom: float = 1.6):
    """y from 0 (or the lowest mean) to ``headroom`` times the largest mean current: oscillating
    attractors swing far beyond their mean, and their bands are clipped rather than shown whole."""
    means = np.concatenate([last_bond(b)["J_mean"].to_numpy(float) for b in bonds])
    top = headroom * float(np.nanmax(means))
    ax.set_ylim(min(0.0, float(np.nanmin(means))), top if top > 0 else 1.0)
