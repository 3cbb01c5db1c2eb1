"""Analytic results of the paper, each written once with its equation number.

Letter + supplement: eqs. (S..); article + appendices: eqs. (A..)-(D..). Units g = 1 unless a
function takes g; currents in units of g*n0, occupations in units of n0, rates in units of g.
Each function returns NaN where its formula does not apply (outside its regime of validity).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def _arrays(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


# --- saturation (eqs. 2, S4, S14, Fig. S1) --------------------------------------------------------


def f_squared(x_over_n0, nu=2.0):
    """Gamma(alpha)/Gamma = f^2(|alpha|^2) = (1 + |alpha|^2/n0)^(-nu), eq. (S4)."""
    return (1.0 + np.asarray(x_over_n0, float)) ** (-nu)


def f_bar_series(x, n0, tol=1e-16):
    """<alpha| 1/(1 + a^dag a/n0) |alpha> by its Poisson series sum_n P(n; x) n0/(n0 + n), x = |alpha|^2."""
    x = np.atleast_1d(np.asarray(x, float))
    n_max = int(np.max(x) + 12 * np.sqrt(np.max(x) + 1) + 40)
    n = np.arange(n_max + 1)
    log_p = -x[:, None] + n[None, :] * np.log(np.where(x[:, None] > 0, x[:, None], 1.0)) - special.gammaln(n + 1)
    p = np.where(x[:, None] > 0, np.exp(log_p), (n[None, :] == 0).astype(float))
    return p @ (n0 / (n0 + n))


def f_bar_closed_form(x, n0):
    """Closed form of the same expectation: n0 int_0^1 t^(n0-1) e^(-x(1-t)) dt = 1F1(1; n0+1; -x).

    (The supplement prints e^{-x}(-|alpha|)^{-n0}[Gamma(n0,0) - Gamma(n0,-x)]; the factor n0 is
    missing there and the power should be (-x)^{-n0}. The confluent form avoids both.)"""
    return special.hyp1f1(1.0, np.asarray(n0, float) + 1.0, -np.asarray(x, float))


# --- linear chain (Appendix B) --------------------------------------------------------------------


def stalled_boundary(gamma_i, g=1.0):
    """Upper edge Gamma_e = g^2/Gamma_i of the stalled region Gamma_i < g, Gamma_i <= Gamma_e < g^2/Gamma_i."""
    (gi,) = _arrays(gamma_i)
    with np.errstate(divide="ignore"):
        return np.where(gi < g, g * g / gi, np.nan)


def in_stalled_region(gamma_i, gamma_e, g=1.0):
    gi, ge = _arrays(gamma_i, gamma_e)
    return (gi < g) & (gi <= ge) & (ge * gi < g * g)


# --- symmetric phase ------------------------------------------------------------------------------


def J_symmetric_edge_damping(gamma_i, gamma_e, gamma):
    """<J> with damping only at the end sites, eqs. (S25)/(S29)/(C12); valid for Gamma_e < Gamma_i - 2 gamma."""
    gi, ge = _arrays(gamma_i, gamma_e)
    ok = ge < gi - 2 * gamma
    with np.errstate(invalid="ignore", divide="ignore"):
        j = gamma * (gi + ge) / (gi - ge) * (np.sqrt((gi - ge) / (2 * gamma)) - 1.0)
    return np.where(ok, j, np.nan)


def J_symmetric(gamma_i, gamma_e, gamma, n_sites):
    """<J> with damping gamma on every site, eqs. (S41)/(C18) (derived for N odd, good for even N > 2)."""
    gi, ge = _arrays(gamma_i, gamma_e)
    n = n_sites
    with np.errstate(invalid="ignore", divide="ignore"):
        a2 = np.sqrt(2 * (gi - ge) / (gamma * (n + 1))) - 1.0
        j = 0.5 * gamma * (ge * (n - 1) + 2 * gi) / (gi - ge) * a2
    return np.where((ge < gi) & (a2 > 0), j, np.nan)


def ansatz_symmetric(gamma_i, gamma_e, gamma, n_sites, g=1.0):
    """(|A|, |B|) of the ansatz (S17) in the symmetric phase with damping at the end sites only:
    N odd, eq. (S24): |A|^2 = sqrt((Gi-Ge)/2gamma) - 1, |B| = (gamma/g)(Gi+Ge)/(Gi-Ge)|A|;
    N even, eq. (S28)/(C11): the same for A~ = A cos(delta), delta = pi/(2(N+1))."""
    gi, ge = _arrays(gamma_i, gamma_e)
    delta = 0.0 if n_sites % 2 else np.pi / (2 * (n_sites + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        at2 = np.sqrt((gi - ge) / (2 * gamma)) - 1.0
        at = np.sqrt(at2)
        b = gamma / g * (gi + ge) / (gi - ge) * at
    ok = (ge < gi - 2 * gamma) & (at2 > 0)
    return np.where(ok, at / np.cos(delta), np.nan), np.where(ok, b, np.nan)


def ansatz_symmetric_damped(gamma_i, gamma_e, gamma, n_sites, g=1.0):
    """(|A|, |B|) with damping on every site, eq. (S40)/(C17)."""
    gi, ge = _arrays(gamma_i, gamma_e)
    n = n_sites
    with np.errstate(invalid="ignore", divide="ignore"):
        a2 = np.sqrt(2 * (gi - ge) / (gamma * (n + 1))) - 1.0
        a = np.sqrt(a2)
        b = gamma / (2 * g) * (ge * (n - 1) + 2 * gi) / (gi - ge) * a
    ok = (ge < gi) & (a2 > 0)
    return np.where(ok, a, np.nan), np.where(ok, b, np.nan)


# --- symmetry-broken phase ------------------------------------------------------------------------


def ansatz_broken(gamma_i, gamma_e, g=1.0):
    """(|A|, |B|) deep in the broken phase, gamma -> 0, eq. (C7) (= S32 with kappa -> 0):
    |A|^2 = sqrt(Gi Ge)/g - 1, |B| = (g/Ge)|A|."""
    gi, ge = _arrays(gamma_i, gamma_e)
    with np.errstate(invalid="ignore", divide="ignore"):
        a2 = np.sqrt(gi * ge) / g - 1.0
        a = np.sqrt(a2)
        b = g / ge * a
    ok = (ge > gi) & (a2 > 0)
    return np.where(ok, a, np.nan), np.where(ok, b, np.nan)


def J_broken(gamma_i, gamma_e, g=1.0):
    """<J> = (g^2 n0/Gamma_e)(sqrt(Gi Ge/g^2) - 1) deep in the broken phase, eqs. (C8)/(S33)."""
    gi, ge = _arrays(gamma_i, gamma_e)
    with np.errstate(invalid="ignore", divide="ignore"):
        j = g * g / ge * (np.sqrt(gi * ge) / g - 1.0)
    return np.where((ge > gi) & (gi * ge > g * g), j, np.nan)


# --- transition -----------------------------------------------------------------------------------


def transition_edge_damping(gamma_i, gamma, g=1.0):
    """Gamma_e* = Gamma_i (g - gamma)/(g + gamma), where B = -iA (eqs. S36/C13)."""
    return np.asarray(gamma_i, float) * (g - gamma) / (g + gamma)


def transition(gamma_i, gamma, n_sites, g=1.0):
    """Gamma_e* = 2 Gamma_i (g - gamma)/(2g + gamma(N - 1)), damping on every site (eqs. S44/D3)."""
    return 2 * np.asarray(gamma_i, float) * (g - gamma) / (2 * g + gamma * (n_sites - 1))


def transition_unequal_n0(gamma_e, n0_gain, n0_loss):
    """Gamma_i at the transition for unequal saturation numbers, gamma -> 0: Gamma_e (n0^(N)/n0^(1))^2 (App. D2)."""
    return np.asarray(gamma_e, float) * (np.asarray(n0_loss, float) / np.asarray(n0_gain, float)) ** 2


# --- thermal regime (N = 2 estimates, used for any N in the paper) -------------------------------


def J_std_equilibrium(n_th_over_n0, g=1.0):
    """Delta J/(g n0) = (N_th/n0)/sqrt(2) in thermal equilibrium, Gamma_i = Gamma_e = 0 (eq. S45, classical limit)."""
    return g * np.asarray(n_th_over_n0, float) / np.sqrt(2.0)


def occupation_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0):
    """<|alpha_1|^2>/n0 = sqrt((Gi-Ge)/2gamma + (Nth/2n0)^2) + Nth/2n0, symmetric phase (eq. S47)."""
    gi, ge, nth = _arrays(gamma_i, gamma_e, n_th_over_n0)
    with np.errstate(invalid="ignore"):
        occ = np.sqrt((gi - ge) / (2 * gamma) + (nth / 2) ** 2) + nth / 2
    return np.where(ge < gi, occ, np.nan)


def J_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0):
    """<J>/(g n0) = gamma (Gi+Ge)/(Gi-Ge) (sqrt((Gi-Ge)/2gamma) + Nth/n0), symmetric phase (eq. S48)."""
    gi, ge, nth = _arrays(gamma_i, gamma_e, n_th_over_n0)
    with np.errstate(invalid="ignore", divide="ignore"):
        j = gamma * (gi + ge) / (gi - ge) * (np.sqrt((gi - ge) / (2 * gamma)) + nth)
    return np.where(ge < gi, j, np.nan)


def occupation_variance_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0):
    """Var(|alpha|^2)/n0^2 = (Nth/n0) <|alpha|^2>/n0, symmetric phase (eq. S51)."""
    nth = np.asarray(n_th_over_n0, float)
    return nth * occupation_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0)


def J_std_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0, g=1.0):
    """Delta J/(g n0) = sqrt(2 (Nth/n0) <|alpha_1|^2>/n0 + (Nth/n0)^2), symmetric phase (eq. S52)."""
    nth = np.asarray(n_th_over_n0, float)
    occ = occupation_symmetric_thermal(gamma_i, gamma_e, gamma, n_th_over_n0)
    return g * np.sqrt(2 * nth * occ + nth**2)


def J_std_broken_thermal(gamma_i, gamma_e, gamma, n_th_over_n0, g=1.0):
    """Delta J/(g n0) in the broken phase, linearised, gamma -> 0 (eq. S53), with N_th read as N_th/n0."""
    gi, ge, nth = _arrays(gamma_i, gamma_e, n_th_over_n0)
    s = np.sqrt(gi * ge)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (
            gamma
            * nth
            * g**2
            * (s - g)
            * (g**2 * (4 * g - 5 * s) + ge * (ge * s + 2 * gi * g))
            / (ge * (s - 2 * g) * (ge**2 * s + g**2 * (4 * g - 3 * s)))
        )
    return np.where((ge > gi) & (var >= 0), np.sqrt(np.where(var >= 0, var, np.nan)), np.nan)


def J_std_deep_broken_thermal(gamma_i, gamma_e, gamma, n_th_over_n0, g=1.0):
    """Delta J/(g n0) = sqrt(gamma (Nth/n0) g^2/Gamma_e) deep in the broken phase (eq. S54)."""
    gi, ge, nth = _arrays(gamma_i, gamma_e, n_th_over_n0)
    return np.where(ge > gi, np.sqrt(gamma * nth * g**2 / ge), np.nan)
