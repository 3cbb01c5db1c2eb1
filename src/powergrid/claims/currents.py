"""Claims about the stationary current: constant along the chain, and its closed forms in the
symmetric and the broken phase."""

from __future__ import annotations

import numpy as np

from .. import analytic
from . import Claim, Finding, last_bond, undecidable

STEADY = ("stationary", "rotating")


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
    verdict = "confirmed" if typical <= 0.05 else "holds with a correction" if typical <= 0.2 else "contradicted"
    return Finding(
        verdict,
        typical,
        worst,
        f"median over {len(spread)} symmetric-phase states at gamma = {gamma:g} g of (max - min)/mean of J over "
        "the bonds of one state; +- here: the largest",
        f"bond currents vary by {100 * typical:.1f} % along the chain typically, {100 * worst:.1f} % at worst "
        "(damping on every site drains the current); 'approximately constant' confirmed up to 5 %, a correction "
        "up to 20 %",
        "fig2c/bonds: J_mean on every bond",
    )


# ------------------------------------------------------------------------------------------- C07
def _closed_form(tables, phase: str) -> Finding:
    lb = last_bond(tables["fig2a/bonds"])
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


# ------------------------------------------------------------------------------------------- C06
def _zigzag_profiles(tables) -> Finding:
    fits = tables["figS4/ansatz"]
    if "kind" in fits:  # the claim is about time-independent states: oscillating attractors are multimode
        fits = fits[fits["kind"].isin(STEADY)]
    if fits.empty:
        return undecidable("needs ansatz fits on both sides of the transition (figS4)")
    sym = fits[fits["gamma_e"] < fits["gamma_i"]]
    broken = fits[fits["gamma_e"] > fits["gamma_i"]]
    if sym.empty or broken.empty:
        return undecidable("needs ansatz fits on both sides of the transition (figS4)")
    worst_sym, worst_broken = float(sym["fit_residual"].max()), float(broken["fit_residual"].max())
    worst = max(worst_sym, worst_broken)
    verdict = "confirmed" if worst <= 0.05 else "holds with a correction" if worst <= 0.2 else "contradicted"
    return Finding(
        verdict,
        worst,
        float(np.median(np.r_[sym["fit_residual"], broken["fit_residual"]])),
        f"largest relative residual |alpha - fit|/|alpha| of the single-mode ansatz eq. (6) over {len(fits)} "
        "time-independent states; +- here: the median",
        f"symmetric phase: {100 * worst_sym:.2f} %, broken phase: {100 * worst_broken:.2f} % at worst, with the "
        f"fitted k0 = {', '.join(f'{k:.4f}' for k in sorted(fits['k0'].round(6).unique()))}; a single-mode zig-zag "
        "is confirmed if every fit is within 5 %",
        "figS4/ansatz: fit_residual, k0",
    )


CLAIMS = CLAIMS + (
    Claim(
        "C06",
        "The stationary profiles are single-mode zig-zags alpha_l = A sin(k0 l) + B cos(k0 l) (eq. 6), in both "
        "phases, with k0 near pi/2.",
        "letter, eq. (6) and Fig. 2(c); supplement (S17), Fig. S4",
        "single-mode profile with k0 ~ pi/2",
        ("figS4/ansatz",),
        ("fig2", "figS4", "fig6"),
        _zigzag_profiles,
    ),
)
