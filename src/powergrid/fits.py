"""Least-squares fits shared by the analysis scripts, figures and claims (no solver imports)."""

from __future__ import annotations

import numpy as np


def fit_power_law(x, y) -> tuple[float, float, float]:
    """Least-squares fit of log y = log c + z log x: returns (z, standard error of z, c)."""
    x, y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    if x.size < 3:
        return float("nan"), float("nan"), float("nan")
    (slope, icpt), cov = np.polyfit(x, y, 1, cov=True)
    return float(slope), float(np.sqrt(cov[0, 0])), float(np.exp(icpt))
