"""Continuation of stationary states: detection on textbook normal forms with known answers, and
the located points on the chain checked by an independent method (Newton at fixed parameter
either side of a point, with the stability of deterministic.corotating_growth_rate)."""

import numpy as np
import pytest

from powergrid import deterministic as det
from powergrid.continuation import ContinuationOptions, continue_branch, follow, switch_branch
from powergrid.model import Network


class NormalForm:
    """du/dt = f(u, p) with analytic derivatives; stability = eigenvalues of f_u."""

    def __init__(self, f, f_u, f_p):
        self.f, self.f_u, self.f_p = f, f_u, f_p

    def residual(self, x):
        return np.atleast_1d(self.f(x[:-1], x[-1]))

    def jacobian(self, x):
        return np.column_stack([np.atleast_2d(self.f_u(x[:-1], x[-1])), np.atleast_1d(self.f_p(x[:-1], x[-1]))])

    def eigenvalues(self, x):
        return np.linalg.eigvals(np.atleast_2d(self.f_u(x[:-1], x[-1])))


FOLD = NormalForm(lambda u, p: p - u**2, lambda u, p: -2 * u, lambda u, p: np.ones(1))
PITCHFORK = NormalForm(lambda u, p: p * u - u**3, lambda u, p: p - 3 * u**2, lambda u, p: u)
HOPF = NormalForm(  # the trivial state of the Hopf normal form: eigenvalues p +- i
    lambda u, p: np.array([p * u[0] - u[1], u[0] + p * u[1]]) - u * (u @ u),
    lambda u, p: np.array([[p, -1.0], [1.0, p]]) - 2 * np.outer(u, u) - (u @ u) * np.eye(2),
    lambda u, p: u.copy(),
)


def kinds(curve):
    return [(b.kind, b.unstable) for b in curve.bifurcations]


def test_fold_of_the_saddle_node():
    """u = +sqrt(p) (stable) turns at p = 0 into u = -sqrt(p) (unstable)."""
    curve = follow(FOLD, [1.0, 1.0], -1, -1.0, 2.0)
    assert kinds(curve) == [("fold", (0, 1))]
    assert abs(curve.bifurcations[0].value) < 1e-10 and abs(curve.bifurcations[0].x[0]) < 1e-5
    assert curve.stopped == "range" and curve.x[-1, 0] < 0  # through the fold onto the other half
    np.testing.assert_allclose(curve.x[:, 1], curve.x[:, 0] ** 2, atol=1e-12)


def test_branch_point_of_the_pitchfork():
    curve = follow(PITCHFORK, [0.0, -1.0], +1, -1.0, 1.0)
    assert kinds(curve) == [("branch", (0, 1))]
    assert abs(curve.bifurcations[0].value) < 1e-10


def test_hopf_point_of_the_normal_form():
    curve = follow(HOPF, [0.0, 0.0, -1.0], +1, -1.0, 1.0)
    assert kinds(curve) == [("hopf", (0, 2))]
    hopf = curve.bifurcations[0]
    assert abs(hopf.value) < 1e-10 and abs(abs(hopf.eigenvalue.imag) - 1.0) < 1e-9


def test_options_check_themselves():
    with pytest.raises(ValueError, match="step"):
        ContinuationOptions(step=0.0)
    with pytest.raises(ValueError, match="min_step <= step <= max_step"):
        ContinuationOptions(step=1.0, max_step=0.1)


@pytest.fixture(scope="module")
def chain_branches():
    """N = 10, Gamma_i = 4, gamma = 1e-3: the rotating state from Gamma_e = 0.5 upward and the state
    at rest from Gamma_e = 8 downward."""
    out = {}
    for p0, direction in ((0.5, +1), (8.0, -1)):
        net = Network.chain(10, 4.0, p0, 1e-3)
        s = det.steady_state(net, det.random_start(net, np.random.default_rng(0), 1e-3))
        out[s.kind] = continue_branch(net, s.alpha, s.omega, "gamma_e", (0.5, 8.0), direction=direction)
    return out


def growth_at(branch, point, gamma_e):
    """Stability at gamma_e of the stationary state near ``point``, by Newton at fixed gamma_e."""
    alpha, omega = branch.state(point)
    net = Network.chain(10, 4.0, gamma_e, 1e-3)
    fp = det.rotating_fixed_point(net, alpha, omega, tol=1e-13)
    assert fp.converged
    return det.corotating_growth_rate(net, fp.alpha, fp.omega)


def test_chain_loses_the_rotating_state_at_a_pitchfork_and_first_at_a_hopf_point(chain_branches):
    rotating, rest = chain_branches["rotating"], chain_branches["stationary"]
    assert rotating.stopped == rest.stopped == "range"
    # both senses of rotation and the state at rest meet at one branch point
    bp = [b.value for b in rotating.bifurcations + rest.bifurcations if b.kind == "branch"]
    assert len(bp) == 2 and abs(bp[0] - bp[1]) < 1e-10
    assert 3.9602 < bp[0] < 3.9603  # measured: 3.960278490538 (AUTO-07p: 3.9602784905)
    assert np.min(rotating.omega) < 0 < np.max(rotating.omega)  # through onto the mirror arm
    # the first Hopf point of the rotating branch: the stability changes there, checked by Newton
    first = min((b for b in rotating.bifurcations if b.kind == "hopf"), key=lambda b: b.value)
    assert first.unstable in ((0, 2), (2, 0)) and 3.8820 < first.value < 3.8821
    assert growth_at(rotating, first, first.value - 1e-7) < 0 < growth_at(rotating, first, first.value + 1e-7)
    # the state at rest: stable above the branch point, unstable just below it
    at_rest = next(b for b in rest.bifurcations if b.kind == "branch")
    assert growth_at(rest, at_rest, at_rest.value - 1e-7) > 0 > growth_at(rest, at_rest, at_rest.value + 1e-7)
    assert np.all(rest.stable[rest.values > at_rest.value + 1e-6])
    assert np.all(np.abs(rest.omega) < 1e-10)
    # one point per bifurcation: the rotating branch turns back at its pitchfork, which is one
    # branch point, not also a fold
    assert [b.kind for b in rotating.bifurcations].count("branch") == 1
    assert "fold" not in [b.kind for b in rotating.bifurcations + rest.bifurcations]
    # in the order the continuation passes them: up to the branch point, then back down
    values = [b.value for b in rotating.bifurcations]
    k = [b.kind for b in rotating.bifurcations].index("branch")
    assert values[: k + 1] == sorted(values[: k + 1]) and values[k:] == sorted(values[k:], reverse=True)
    assert all(b.located for b in rotating.bifurcations + rest.bifurcations)


def test_a_point_that_is_not_stationary_is_refused():
    net = Network.chain(4, 4.0, 2.0, 1e-3)
    with pytest.raises(ValueError, match="not a stationary state"):
        continue_branch(net, np.ones(4), 0.0, "gamma_e", (0.5, 8.0))
    with pytest.raises(ValueError, match="zero state"):
        continue_branch(net, np.zeros(4), 0.0, "gamma_e", (0.5, 8.0))


def test_a_branch_that_shrinks_to_zero_ends_where_the_zero_state_bifurcates():
    """Gamma_i = 2: the state at rest, followed down from Gamma_e = 10, shrinks to A = 0. There
    the unsaturated network has an eigenvalue on the imaginary axis (here 0: omega = 0); the
    branch must end there, not run on along the trivial solution or back onto -A."""
    net = Network.chain(10, 2.0, 10.0, 1e-3)
    s = det.steady_state(net, det.random_start(net, np.random.default_rng(0), 1e-3))
    branch = continue_branch(net, s.alpha, s.omega, "gamma_e", (0.25, 10.0), direction=-1)
    assert branch.stopped == "zero" and branch.bifurcations[-1].kind == "zero"
    p = branch.bifurcations[-1].value
    assert np.all(branch.values > p) and np.max(np.abs(branch.alpha[-1])) > 1e-4  # no trivial points

    def crossing(gamma_e):  # the unsaturated eigenvalue nearest 0, by numpy on the linear network
        ev = np.linalg.eigvals(Network.chain(10, 2.0, gamma_e, 1e-3).unsaturated_matrix())
        return ev[np.argmin(np.abs(ev))]

    assert crossing(p - 1e-8).real > 0 > crossing(p + 1e-8).real
    assert abs(crossing(p).imag) < 1e-12 and np.all(np.abs(branch.omega) < 1e-12)


def test_a_start_next_to_the_zero_state_ends_there_too():
    """A small state one step from A = 0 (the last points of the branch above, restarted)."""
    net = Network.chain(10, 2.0, 10.0, 1e-3)
    s = det.steady_state(net, det.random_start(net, np.random.default_rng(0), 1e-3))
    full = continue_branch(net, s.alpha, s.omega, "gamma_e", (0.25, 10.0), direction=-1)
    for k in (-1, -2):  # one and two points before the end
        p = float(full.values[k])
        short = continue_branch(
            Network.chain(10, 2.0, p, 1e-3), full.alpha[k], full.omega[k], "gamma_e", (0.25, 10.0), direction=-1
        )
        assert short.stopped == "zero"
        assert abs(short.bifurcations[-1].value - full.bifurcations[-1].value) < 1e-9


def test_switching_at_the_branch_point_finds_the_other_branch(chain_branches):
    """From the state at rest, the two senses of rotation; from the rotating state, the state at
    rest: each as the branches found from the other start (no random start needed)."""
    rotating, rest = chain_branches["rotating"], chain_branches["stationary"]
    net = Network.chain(10, 4.0, 8.0, 1e-3)
    bp = next(b for b in rest.bifurcations if b.kind == "branch")
    arms = [switch_branch(net, rest, bp, (0.5, 8.0), sense=s) for s in (+1, -1)]
    for arm in arms:
        assert np.all(np.abs(arm.omega[1:]) > 0)  # rotating from its first point on
        first = min((b for b in arm.bifurcations if b.kind == "hopf" and 0 in b.unstable), key=lambda b: b.value)
        assert abs(first.value - 3.882040854793) < 1e-8  # the rotating branch's first Hopf point
    assert np.sign(arms[0].omega[1]) == -np.sign(arms[1].omega[1])
    bp_rot = next(b for b in rotating.bifurcations if b.kind == "branch")
    ways = [switch_branch(Network.chain(10, 4.0, 0.5, 1e-3), rotating, bp_rot, (0.5, 8.0), sense=s) for s in (1, -1)]
    assert all(np.all(np.abs(w.omega) < 1e-9) for w in ways)  # at rest, both ways from the point
    up, down = sorted(ways, key=lambda w: -w.values.max())
    assert up.values.max() == pytest.approx(8.0) and np.all(up.values >= bp.value - 1e-9)
    assert np.all(up.stable[up.values > bp.value + 1e-6])  # the stable state at rest of the other start
    assert down.values.min() == pytest.approx(0.5) and np.all(down.values <= bp.value + 1e-9)
    with pytest.raises(ValueError, match="'branch' point"):
        switch_branch(net, rest, next(b for b in rest.bifurcations if b.kind == "hopf"), (0.5, 8.0))
