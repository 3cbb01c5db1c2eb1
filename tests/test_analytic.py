"""Closed forms of the paper checked against independent numerics."""

import numpy as np
import pytest
from scipy.integrate import quad

from powergrid import analytic
from powergrid.ansatz import fit_ansatz
from powergrid.deterministic import SteadyStateOptions, random_start, steady_state
from powergrid.linear import max_growth_rate_map
from powergrid.model import Network


@pytest.mark.parametrize("n0", [1.0, 2.0, 10.0, 3.5])
def test_f_bar_series_equals_its_closed_form_and_quadrature(n0):
    x = np.linspace(0, 40, 17)
    series = analytic.f_bar_series(x, n0)
    np.testing.assert_allclose(series, analytic.f_bar_closed_form(x, n0), rtol=1e-12, atol=1e-15)
    integral = [n0 * quad(lambda t, xi=xi: t ** (n0 - 1) * np.exp(-xi * (1 - t)), 0, 1, epsabs=1e-14)[0] for xi in x]
    np.testing.assert_allclose(series, integral, rtol=1e-9)


def test_f_bar_approaches_the_classical_form_for_large_n0():
    x_over_n0 = np.linspace(0, 5, 11)
    for n0, tol in [(1.0, 0.25), (10.0, 0.05), (1000.0, 1e-3)]:
        err = np.max(np.abs(analytic.f_bar_series(x_over_n0 * n0, n0) - 1 / (1 + x_over_n0)))
        assert err < tol


def test_stalled_region_is_where_the_linear_chain_is_damped():
    """Appendix B: all eigenvalues of the linear chain have Re < 0 exactly in the stalled region
    (away from its boundary by more than the O(gamma) shift of a finite bath damping)."""
    base = Network.chain(10, 1.0, 1.0, 1e-3)
    gi = np.linspace(0.02, 3, 60)
    ge = np.linspace(0.02, 5, 80)
    rate = max_growth_rate_map(base, gi, ge)
    GI, GE = np.meshgrid(gi, ge, indexing="ij")
    inside = analytic.in_stalled_region(GI, GE)
    margin = (np.abs(GE - GI) > 0.02) & (np.abs(GE * GI - 1) > 0.02) & (np.abs(GI - 1) > 0.02)
    assert np.all((rate < 0)[margin] == inside[margin])
    assert inside[margin].sum() > 100


def test_ansatz_fit_recovers_exact_coefficients():
    l = np.arange(1, 11)
    k0 = np.pi / 2 + np.pi / 22
    alpha = (2 - 1j) * np.sin(k0 * l) + 0.3j * np.cos(k0 * l)
    fit = fit_ansatz(alpha)
    assert fit.k0 == pytest.approx(k0) and fit.residual < 1e-12
    assert fit.A == pytest.approx(2 - 1j) and fit.B == pytest.approx(0.3j)


def test_transition_formulas_agree_for_small_gamma():
    assert analytic.transition(4.0, 1e-3, 10) == pytest.approx(4.0 * (1 - 10 * 1e-3 / 2), rel=1e-3)
    assert analytic.transition_edge_damping(4.0, 1e-3) == pytest.approx(4.0 - 8e-3, rel=1e-5)


def test_formulas_are_nan_outside_their_regime():
    assert np.isnan(analytic.J_broken(4.0, 3.0))
    assert np.isnan(analytic.J_symmetric(4.0, 5.0, 1e-3, 10))
    assert np.isnan(analytic.stalled_boundary(2.0))


def _steady_alpha(gamma_i, gamma_e):
    from powergrid.deterministic import random_start, steady_state

    net = Network.chain(10, gamma_i, gamma_e, 1e-3)
    return steady_state(net, random_start(net, np.random.default_rng(1), 1e-3)).alpha


def test_fitted_ansatz_matches_C17_in_the_symmetric_phase():
    fit = fit_ansatz(_steady_alpha(4.0, 1.0))
    a, b = analytic.ansatz_symmetric_damped(4.0, 1.0, 1e-3, 10)
    assert fit.residual < 0.01
    assert abs(fit.A) == pytest.approx(a, rel=0.02)
    # |B| = O(gamma) is where the single-mode ansatz is least accurate (bulk damping bends the
    # standing wave): C17 gets its order of magnitude (measured: 0.022 against 0.013).
    assert 0.5 < abs(fit.B) / b < 2


def test_fitted_ansatz_matches_C7_deep_in_the_broken_phase():
    fit = fit_ansatz(_steady_alpha(4.0, 12.0))
    a, b = analytic.ansatz_broken(4.0, 12.0)
    assert fit.k0 == pytest.approx(np.pi / 2) and fit.residual < 0.01
    assert abs(fit.A) == pytest.approx(a, rel=0.1) and abs(fit.B) == pytest.approx(b, rel=0.1)


def _current_argmax(n_sites, gamma_i, gamma_e_grid, n0_ratio_gain, gamma):
    # slower relaxation at small gamma (tau ~ 1/gamma in the symmetric phase): integrate longer
    options = SteadyStateOptions(t_max=8000.0 * max(1.0, (1e-3 / gamma) ** 0.5))
    currents = []
    for gamma_e in gamma_e_grid:
        net = Network.chain(n_sites, gamma_i, gamma_e, gamma, n0_ratio_gain=n0_ratio_gain)
        s = steady_state(net, random_start(net, np.random.default_rng(1), 1e-3), options)
        currents.append(s.J_mean[-1])
    return gamma_e_grid[int(np.argmax(currents))]


@pytest.mark.parametrize("n_sites,gamma", [(2, 1e-3), (2, 1e-5), (10, 1e-3)])
def test_unequal_n0_shifts_the_current_maximum_less_than_the_asymptotic_formula(n_sites, gamma):
    """Fig. S9 / App. D2: with n0^(1) = 1.1 n0^(N) the maximum of J (the onset of the broken phase)
    moves up from Gamma_e = Gamma_i. The paper's Gamma_i = Gamma_e (n0^(N)/n0^(1))^2, i.e. a shift by
    1.21, is the alpha0 -> infinity limit of the existence condition (D2) of the symmetric phase;
    the transition itself happens at finite occupation and the measured shift is 1.11 (N = 2 and
    N = 10, Gamma_i = 4, gamma = 1e-3; for N = 2 unchanged down to gamma = 1e-5). Resolution 0.025 g."""
    gamma_i, step = 4.0, 0.025
    grid = np.round(np.arange(3.85, 4.7, step), 4)
    equal = _current_argmax(n_sites, gamma_i, grid, 1.0, gamma)
    unequal = _current_argmax(n_sites, gamma_i, grid, 1.1, gamma)
    # the formula gives Gamma_i(Gamma_e); inverted: Gamma_e = Gamma_i (n0^(1)/n0^(N))^2 = 4.84 g
    asymptote = gamma_i / float(analytic.transition_unequal_n0(1.0, n0_gain=1.1, n0_loss=1.0))
    assert equal == pytest.approx(gamma_i, abs=step + 1e-9)
    assert unequal / equal == pytest.approx(1.11, abs=0.01)
    # the measured shift is about half the asymptotic one, which lies well beyond the sweep's step
    assert asymptote == pytest.approx(4.84) and unequal < asymptote - 10 * step
