"""Claims about the relaxation time tau_r (Fig. 3c, Appendix F)."""

from __future__ import annotations

import numpy as np

from . import Claim, Finding, graded, undecidable


def _fits(tables, quantity):
    fits = tables["fig3c/relaxation_fits"]
    fits = fits[(fits["quantity"] == quantity) & np.isfinite(fits["value"].to_numpy(float))]
    if "direction" in fits and (fits["direction"] == "radial").any():
        fits = fits[fits["direction"] == "radial"]  # the kick the figure shows
    return fits


def _divergence(tables) -> Finding:
    fits = _fits(tables, "xi")
    if fits.empty:
        return undecidable("needs the fit of tau_r against Gamma_e - Gamma_i (fig3c relaxation_fits, xi_window)")
    values, errors = fits["value"].to_numpy(float), fits["stderr"].to_numpy(float)
    mean = float(np.mean(values))
    unc = float(max(np.max(errors), np.std(values)))
    verdict = graded(mean, 2 * unc, 1.3, confirm=0.05, correct=0.3)
    listed = ", ".join(
        f"{v:.2f} +- {e:.2f} (N = {int(n)})" for v, e, n in zip(values, errors, fits["n_sites"], strict=True)
    )
    return Finding(
        verdict,
        mean,
        unc,
        "mean exponent xi of tau_r ~ (Gamma_e - Gamma_i)^-xi over the chains of Fig. 3c; +- the larger of the fits' "
        "standard error and their spread",
        f"fits: {listed}; against the paper's 1.3, confirmed within 5 % or two uncertainties",
        "fig3c/relaxation_fits: quantity 'xi'",
    )


def _chain_length(tables) -> Finding:
    fits = _fits(tables, "n_exponent")
    if fits.empty:
        return undecidable("needs the fit of tau_r against N in the broken phase (fig3c relaxation_fits)")
    values, errors = fits["value"].to_numpy(float), fits["stderr"].to_numpy(float)
    mean = float(np.mean(values))
    unc = float(max(np.max(errors), np.std(values)))
    verdict = graded(mean, 2 * unc, 2.0, confirm=0.05, correct=0.25)
    listed = ", ".join(
        f"{v:.2f} +- {e:.2f} (Gamma_e = {g:g})" for v, e, g in zip(values, errors, fits["gamma_e"], strict=True)
    )
    return Finding(
        verdict,
        mean,
        unc,
        "mean exponent z of tau_r ~ N^z in the broken phase; +- the larger of the fits' standard error and spread",
        f"fits: {listed}; the paper says N^2: confirmed within 5 % or two uncertainties, a correction within 25 %",
        "fig3c/relaxation_fits: quantity 'n_exponent'",
    )


CLAIMS = (
    Claim(
        "C10a",
        "Approaching the transition from the broken phase, tau_r diverges as (Gamma_e - Gamma_i)^-xi with xi ~ 1.3.",
        "letter, text on Fig. 3(c)",
        "xi ~ 1.3",
        ("fig3c/relaxation_fits",),
        ("fig3", "extra-relaxation"),
        _divergence,
    ),
    Claim(
        "C10b",
        "In the broken phase tau_r grows as N^2.",
        "letter, text on Fig. 3(c)",
        "tau_r ~ N^2",
        ("fig3c/relaxation_fits",),
        ("fig3", "extra-relaxation"),
        _chain_length,
    ),
)


def _symmetric_phase(tables) -> Finding:
    r = tables["fig3c/relaxation"]
    r = r[r["meaningful"] & (r["gamma_e"] < r["gamma_i"])]
    if "direction" in r and (r["direction"] == "radial").any():
        r = r[r["direction"] == "radial"]
    if len(r) < 3:
        return undecidable("needs relaxation times in the symmetric phase (fig3c)")
    scaled = (r["tau"] * r["gamma"]).to_numpy(float)
    spread = float(scaled.max() / scaled.min())
    measured = float(np.median(scaled))
    order_one = bool(np.all((scaled > 0.1) & (scaled < 10)))
    verdict = (
        "confirmed" if order_one and spread <= 3 else "holds with a correction" if spread <= 10 else "contradicted"
    )
    return Finding(
        verdict,
        measured,
        spread,
        f"median tau_r gamma over {len(r)} symmetric-phase points (N = "
        + ", ".join(str(int(n)) for n in sorted(r["n_sites"].unique()))
        + "); +- here: max/min of tau_r gamma over them",
        f"tau_r gamma lies in [{scaled.min():.3g}, {scaled.max():.3g}]: tau_r ~ 1/gamma, nearly independent of "
        "Gamma_e and N, if all lie in [0.1, 10] within a factor 3",
        "fig3c/relaxation: tau (radial kick), gamma",
    )


CLAIMS = CLAIMS + (
    Claim(
        "C10c",
        "In the symmetric phase tau_r ~ 1/gamma, nearly independent of Gamma_i, Gamma_e and N.",
        "letter, text on Fig. 3(c)",
        "tau_r ~ 1/gamma",
        ("fig3c/relaxation",),
        ("fig3", "extra-relaxation"),
        _symmetric_phase,
    ),
)
