"""Claims about the stationary current: constant along the chain, and its closed forms in the
symmetric and the broken phase."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import analytic
from . import Claim, Finding, undecidable

STEADY = ("stationary", "rotating")


def _last_bond(bonds: pd.DataFrame) -> pd.DataFrame:
    return bonds[bonds["site_to"] == bonds["n_sites"]]


# ------------------------------------------------------------------------------------------- C05
def _constant_along_the_chain(tables) -> Finding:
    bonds = tables["fig2c/bonds"]
    bonds = bonds[bonds["kind"].isin(STEADY) & (bonds["gamma_e"] < bonds["gamma_i"])]
    if bonds.empty:
        return undecidable("needs time-independent states in the symmetric phase (fig2c)")
    spread = []
    for _, point in bonds.groupby(["outer_index", "inner_index", "protocol"]):
        j = point["J_mean"].to_numpy(float)
        spread.append((j.max() - j.min()) / abs(j.mean()))
    worst, typical = float(np.max(spread)), float(np.median(spread))
    gamma = float(bonds["gamma"].iloc[0])
    verdict = "confirmed" if worst <= 0.05 else "holds with a correction" if worst <= 0.2 else "contradicted"
    return Finding(
        verdict,
        worst,
        typical,
        f"largest (max - min)/mean of J over the bonds of one state, {len(spread)} symmetric-phase states at "
        f"gamma = {gamma:g} g; +- here: the median of the same",
        f"bond currents vary by at most {100 * worst:.2f} % along the chain (median {100 * typical:.2f} %); "
        "'approximately constant' confirmed up to 5 %",
        "fig2c/bonds: J_mean on every bond",
    )


# ------------------------------------------------------------------------------------------- C07
def _closed_form(tables, phase: str) -> Finding:
    lb = _last_bond(tables["fig2a/bonds"])
    lb = lb[lb["kind"].isin(STEADY) & (lb["gamma_i"] >= 1.0)]
    if phase == "symmetric":
        sel = lb[lb["gamma_e"] <= 0.75 * lb["gamma_i"]]
        gamma, n = (float(sel["gamma"].iloc[0]), int(sel["n_sites"].iloc[0])) if len(sel) else (1.0, 2)
        ref = np.asarray(analytic.J_symmetric(sel["gamma_i"], sel["gamma_e"], gamma, n), float)
        regime = "Gamma_e <= 0.75 Gamma_i, Gamma_i >= g"
        formula = "(S41)/(C18)"
    else:
        sel = lb[lb["gamma_e"] >= 2.0 * lb["gamma_i"]]
        ref = np.asarray(analytic.J_broken(sel["gamma_i"], sel["gamma_e"]), float)
        regime = "Gamma_e >= 2 Gamma_i, Gamma_i >= g"
        formula = "(C8)/(S33)"
    ok = np.isfinite(ref) & (np.abs(ref) > 0)
    if ok.sum() < 3:
        return undecidable(f"needs time-independent states with {regime} (fig2a)")
    err = np.abs(sel["J_mean"].to_numpy(float)[ok] / ref[ok] - 1)
    median, worst = float(np.median(err)), float(np.max(err))
    verdict = "confirmed" if median <= 0.05 else "holds with a correction" if median <= 0.2 else "contradicted"
    return Finding(
        verdict,
        median,
        worst,
        f"median |J/J_{formula} - 1| on the last bond over {int(ok.sum())} time-independent states with {regime}; "
        "+- here: the largest",
        f"{formula} is off by {100 * median:.2f} % typically and {100 * worst:.1f} % at worst in its regime; "
        "confirmed if the median is within 5 %",
        "fig2a/bonds: J_mean, last bond, kind",
    )


CLAIMS = (
    Claim(
        "C05",
        "As gamma -> 0 the current is approximately the same on every bond of the chain (checked at gamma = 1e-3).",
        "letter, text on Fig. 2(c)",
        "J approximately constant along the chain",
        ("fig2c/bonds",),
        ("fig2",),
        _constant_along_the_chain,
    ),
    Claim(
        "C07a",
        "In the symmetric phase the current follows (S41)/(C18) (damping on every site).",
        "supplement (S41); article (C18)",
        "J = gamma (Gamma_e (N-1) + 2 Gamma_i)/(2 (Gamma_i - Gamma_e)) (sqrt(2 (Gamma_i - Gamma_e)/(gamma (N+1))) - 1)",
        ("fig2a/bonds",),
        ("fig2",),
        lambda tables: _closed_form(tables, "symmetric"),
    ),
    Claim(
        "C07b",
        "Deep in the broken phase the current is (g^2 n0/Gamma_e)(sqrt(Gamma_i Gamma_e)/g - 1).",
        "supplement (S33); article (C8)",
        "J = (g^2/Gamma_e)(sqrt(Gamma_i Gamma_e)/g - 1)",
        ("fig2a/bonds",),
        ("fig2",),
        lambda tables: _closed_form(tables, "broken"),
    ),
)
