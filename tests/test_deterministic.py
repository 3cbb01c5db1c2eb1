"""The deterministic steady-state solver against independent references and the paper's statements."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from powergrid import analytic
from powergrid.deterministic import (
    SteadyStateOptions,
    corotating_growth_rate,
    max_linear_growth_rate,
    random_start,
    rotating_fixed_point,
    steady_state,
)
from powergrid.model import Network
from powergrid.sweep import steady_state_sweep

OPT = SteadyStateOptions()


def paper_rhs(alpha, gamma_i, gamma_e, gamma, nu=2.0):
    """Eqs. (3)-(5) without noise, written out site by site, independent of the compiled kernel."""
    n = alpha.size
    d = np.empty_like(alpha)
    for l in range(n):
        left = alpha[l - 1] if l > 0 else 0
        right = alpha[l + 1] if l < n - 1 else 0
        d[l] = -gamma / 2 * alpha[l] + 0.5j * (left + right)
    d[0] += gamma_i / 2 * (1 + abs(alpha[0]) ** 2) ** (-nu) * alpha[0]
    d[-1] -= gamma_e / 2 * (1 + abs(alpha[-1]) ** 2) ** (-nu) * alpha[-1]
    return d


def solve(gamma_i, gamma_e, n=10, gamma=1e-3, seed=1, amplitude=1e-3):
    net = Network.chain(n, gamma_i, gamma_e, gamma)
    return steady_state(net, random_start(net, np.random.default_rng(seed), amplitude), OPT)


@pytest.mark.parametrize("gamma_i,gamma_e", [(4.0, 2.0), (4.0, 8.0), (2.0, 3.0), (6.0, 6.0)])
def test_fixed_point_satisfies_the_equations_of_motion(gamma_i, gamma_e):
    r = solve(gamma_i, gamma_e)
    assert r.kind in ("stationary", "rotating")
    residual = paper_rhs(r.alpha, gamma_i, gamma_e, 1e-3) + 1j * r.omega * r.alpha
    assert np.max(np.abs(residual)) < 1e-9 * np.max(np.abs(r.alpha))
    assert r.growth_rate < 0


def test_rk4_agrees_with_an_independent_integrator():
    net = Network.chain(6, 4.0, 3.0, 1e-2)
    start = random_start(net, np.random.default_rng(3), 0.5)
    ref = solve_ivp(
        lambda t, y: paper_rhs(y, 4.0, 3.0, 1e-2), (0, 20), start, method="DOP853", rtol=1e-12, atol=1e-12
    ).y[:, -1]
    from powergrid.deterministic import _Compiled, _rk4

    comp = _Compiled.of(net)
    a = start.copy()
    _rk4(a, *comp.args(), 0.01, 2000, comp.edges, 0)
    assert np.max(np.abs(a - ref)) < 1e-8


def test_accepted_fixed_point_attracts_a_perturbed_state():
    """A stable fixed point is the long-time limit of the dynamics near it (not an artefact of Newton)."""
    r = solve(4.0, 8.0)
    net = Network.chain(10, 4.0, 8.0, 1e-3)
    kicked = r.alpha + 0.05 * random_start(net, np.random.default_rng(9), 1.0)
    long_run = steady_state(net, kicked, SteadyStateOptions(accept_distance=1e-3, t_max=150000))
    assert long_run.kind == "stationary"
    np.testing.assert_allclose(long_run.J_mean, r.J_mean, rtol=1e-8)


@pytest.mark.parametrize("gamma_i", [4.0, 5.0, 6.0, 8.0])
def test_current_saturates_at_g_n0_on_the_symmetry_line(gamma_i):
    """Paper: for Gamma_e = Gamma_i the current saturates at <J> ~ g n0 above Gamma_i = 4g."""
    r = solve(gamma_i, gamma_i)
    assert r.J_mean[-1] == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("gamma_i,gamma_e", [(0.2, 0.3), (0.5, 0.5), (0.5, 1.8), (0.8, 1.0)])
def test_current_is_stalled_in_the_stalled_region(gamma_i, gamma_e):
    """Gamma_i < g, Gamma_i <= Gamma_e < g^2/Gamma_i: the chain is damped to zero, J = 0, even when
    started well above the linear regime (so the solver has to integrate the decay)."""
    assert analytic.in_stalled_region(gamma_i, gamma_e)
    r = solve(gamma_i, gamma_e, amplitude=0.05)
    assert r.kind == "zero" and r.t_final > 0
    assert np.all(r.J_mean == 0)


@pytest.mark.parametrize("gamma_e", [1.0, 2.0])
def test_symmetric_phase_current_matches_S41(gamma_e):
    r = solve(4.0, gamma_e)
    assert r.kind == "rotating"
    assert r.J_mean[-1] == pytest.approx(analytic.J_symmetric(4.0, gamma_e, 1e-3, 10), rel=0.02)


@pytest.mark.parametrize("gamma_e", [12.0, 20.0])
def test_broken_phase_current_matches_C8(gamma_e):
    r = solve(4.0, gamma_e)
    assert r.kind == "stationary"
    assert r.J_mean[-1] == pytest.approx(analytic.J_broken(4.0, gamma_e), rel=0.05)


def test_zigzag_profiles_symmetric_and_broken():
    sym, broken = solve(4.0, 2.0).occupation, solve(4.0, 6.0).occupation

    def alternates(occ):
        return np.all(np.diff(np.sign(np.diff(occ))) != 0)

    # symmetric: a mirror-symmetric zig-zag (each half alternates), |alpha_1|^2 = |alpha_N|^2
    np.testing.assert_allclose(sym, sym[::-1], rtol=1e-3)
    assert alternates(sym[:5]) and sym[0] > 10 * sym[1]
    # broken: a zig-zag along the whole chain, |alpha_1|^2 >> |alpha_N|^2
    assert alternates(broken)
    assert broken[0] > 15 * broken[-1]


def test_current_is_conserved_along_the_chain_up_to_bath_losses():
    """dN_l/dt = 0: J_l - J_{l+1} = gamma |alpha_l|^2 at every interior site of a stationary state."""
    r = solve(4.0, 8.0)
    j, occ = r.J_mean, r.occupation
    np.testing.assert_allclose(j[:-1] - j[1:], 1e-3 * occ[1:-1], rtol=1e-6, atol=1e-12)


def test_same_seed_same_state_and_kind_is_recorded():
    a, b = solve(4.0, 3.81, seed=5), solve(4.0, 3.81, seed=5)
    assert a.kind == b.kind and np.array_equal(a.J_mean, b.J_mean)


def test_oscillating_attractor_reports_time_mean_min_and_max():
    r = solve(6.0, 5.0, seed=1)
    assert r.kind in ("periodic", "quasi-periodic") and r.converged
    assert np.all(r.J_min <= r.J_mean) and np.all(r.J_mean <= r.J_max)
    assert np.max(r.J_max - r.J_min) > 0.1
    assert np.isnan(r.omega)


def test_continuation_exposes_bistability_above_gamma_i_4():
    """Gamma_i = 6: sweeping Gamma_e up keeps the symmetric branch where sweeping down does not."""
    base = Network.chain(10, 6.0, 6.0, 1e-3)
    values = [3.5, 4.0, 4.5]
    found = {}
    for protocol in ("up", "down"):
        pts = steady_state_sweep(base, ("gamma_i", [6.0]), ("gamma_e", values), [0], protocol, OPT, 1, "t")
        found[protocol] = {p.inner_index: p.result for p in pts}
    assert all(found["up"][k].kind == "rotating" for k in range(3))
    assert all(found["down"][k].kind != "rotating" for k in range(3))


def test_growth_rate_has_one_phase_mode_removed():
    r = solve(4.0, 8.0)
    net = Network.chain(10, 4.0, 8.0, 1e-3)
    fp = rotating_fixed_point(net, r.alpha * np.exp(0.3j), r.omega)
    assert fp.converged
    assert corotating_growth_rate(net, fp.alpha, fp.omega) == pytest.approx(r.growth_rate, abs=1e-9)


@pytest.mark.parametrize("n,gamma_e", [(4, 8.0), (10, 4.0), (10, 8.0)])
def test_a_guess_that_is_already_the_fixed_point_is_accepted(n, gamma_e):
    """At the rounding floor no Newton step decreases the residual; such a guess is converged, not
    a failure (it once turned a start at the mirrored chain's fixed point into a 'quasi-periodic'
    state after 40 rejected solves)."""
    net = Network.chain(n, 4.0, gamma_e, 1e-3)
    fp = rotating_fixed_point(net, solve(4.0, gamma_e, n).alpha, 0.0)
    again = rotating_fixed_point(net, fp.alpha, fp.omega)
    assert fp.converged and again.converged
    assert np.max(np.abs(again.alpha - fp.alpha)) <= 1e-12 * np.max(np.abs(fp.alpha))
    assert steady_state(net, fp.alpha.copy(), OPT).kind == "stationary"


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_exact_zero_start_on_an_unstable_chain_is_the_unstable_origin_not_an_attractor(zero):
    """The origin is a fixed point: from exactly zero the dynamics never leaves it. Where it is
    linearly unstable it is not the attractor, and the result must not claim one (it used to be a
    'converged quasi-periodic' state of zero current)."""
    net = Network.chain(10, 4.0, 4.0, 1e-3)
    r = steady_state(net, np.full(10, zero, complex), OPT)
    assert r.kind == "zero" and not r.converged
    assert r.growth_rate == max_linear_growth_rate(net) > 0  # the instability of the origin, reported
    assert r.t_final == 0.0 and r.newton_solves == 0
    assert not np.any(r.alpha) and not np.any(r.J_mean) and not np.any(r.occupation)
    assert solve(4.0, 4.0).kind != "zero"  # any nonzero start leaves it


def test_exact_zero_start_on_a_stable_chain_is_the_converged_zero_state():
    net = Network.chain(10, 0.2, 0.3, 1e-3)
    assert max_linear_growth_rate(net) < 0
    r = steady_state(net, np.zeros(10, complex), OPT)
    assert r.kind == "zero" and r.converged and r.growth_rate < 0


def test_continuation_from_the_zero_state_leaves_an_unstable_origin():
    """The sweep adds its tiny seeded start to the previous state, so a continuation never passes an
    exact zero: from the stable zero at Gamma_i = 0.2 it finds the attractor at Gamma_i = 4."""
    base = Network.chain(6, 4.0, 4.0, 1e-3)
    pts = list(steady_state_sweep(base, ("gamma_e", [4.0]), ("gamma_i", [0.2, 4.0]), [0], "up", OPT, 1, "t"))
    assert pts[0].result.kind == "zero" and pts[0].result.converged
    assert pts[1].result.kind != "zero" and pts[1].result.converged
