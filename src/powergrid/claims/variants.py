"""Claims about variants of the model: unequal saturation numbers (Fig. S9, Appendix D2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import Claim, Finding, graded, undecidable


def _maximum(bonds: pd.DataFrame) -> pd.DataFrame:
    lb = bonds[(bonds["site_to"] == bonds["n_sites"]) & np.isfinite(bonds["J_mean"].to_numpy(float))]
    return lb.loc[lb.groupby("gamma_i")["J_mean"].idxmax()].set_index("gamma_i")


def _unequal_saturation(tables) -> Finding:
    equal, unequal = _maximum(tables["figS9_equal/bonds"]), _maximum(tables["figS9_unequal/bonds"])
    common = equal.index.intersection(unequal.index)
    if common.empty:
        return undecidable("needs figS9_equal and figS9_unequal at common Gamma_i")
    ratio = float(unequal["n0_ratio_gain"].iloc[0] / unequal["n0_ratio_loss"].iloc[0])
    if math.isclose(ratio, 1.0):
        return undecidable("figS9_unequal has equal saturation numbers: nothing to shift")
    shift = unequal.loc[common, "gamma_e"] / equal.loc[common, "gamma_e"]
    exponents = np.log(shift.to_numpy(float)) / math.log(ratio)
    bonds = tables["figS9_unequal/bonds"]
    step = float(np.median(np.diff(np.sort(bonds["gamma_e"].unique()))))
    unc = float(np.max(2 * step / equal.loc[common, "gamma_e"].to_numpy(float)) / abs(math.log(ratio)))
    measured = float(np.mean(exponents))
    verdict = graded(measured, unc, 2.0, confirm=0.05, correct=0.25)
    return Finding(
        verdict,
        measured,
        unc,
        f"exponent p of the shift Gamma_e(max J, unequal)/Gamma_e(max J, equal) = (n0(1)/n0(N))^p, n0 ratio {ratio:g}, "
        "mean over Gamma_i; +- two grid steps of Gamma_e",
        "the maximum moves by "
        + ", ".join(f"{s:.3f}" for s in shift)
        + " (Gamma_i = "
        + ", ".join(f"{g:g}" for g in common)
        + f") against {ratio**2:.3f} = ratio^2; confirmed within 5 %",
        "figS9_equal/bonds, figS9_unequal/bonds: argmax of J_mean over Gamma_e",
    )


CLAIMS = (
    Claim(
        "C17",
        "With unequal saturation numbers the transition moves to Gamma_i ~ Gamma_e (n0(N)/n0(1))^2.",
        "supplement S9; article Appendix D2",
        "shift by (n0 ratio)^2",
        ("figS9_equal/bonds", "figS9_unequal/bonds"),
        ("figS9", "fig8", "figS10"),
        _unequal_saturation,
    ),
)
