"""Bifurcation lines in the (Gamma_i, Gamma_e) plane (N = 10, gamma = 1e-3), each checked against
the independent one-parameter route: the point located by continuation in Gamma_e alone (bisection
on the count of unstable eigenvalues, or on the bordered determinant) at a fixed Gamma_i."""

import numpy as np
import pytest

from powergrid import analytic
from powergrid import deterministic as det
from powergrid.bifurcation_curves import bipartite_colours, continue_bifurcation, zero_state_line
from powergrid.continuation import continue_branch
from powergrid.methods.continuation import observables
from powergrid.model import Network, Reservoir

PLANE = ("gamma_e", "gamma_i")


def branch_from(gamma_i, gamma_e, direction, stop=(0.25, 10.0)):
    net = Network.chain(10, gamma_i, gamma_e, 1e-3)
    s = det.steady_state(net, det.random_start(net, np.random.default_rng(0), 1e-3))
    return net, continue_branch(net, s.alpha, s.omega, "gamma_e", stop, direction=direction)


def point(branch, kind, first=True):
    """The located point of ``kind``: the first Hopf point that bounds stability, or the only one."""
    found = [b for b in branch.bifurcations if b.kind == kind and (kind != "hopf" or 0 in b.unstable)]
    assert found, f"no {kind} point"
    return min(found, key=lambda b: b.value) if first else found[0]


def follow_to(gamma_i_from, gamma_i_to, branch, b):
    alpha, omega = branch.state(b)
    net = Network.chain(10, gamma_i_from, b.value, 1e-3)
    lo, hi = sorted((gamma_i_from, gamma_i_to))
    direction = np.sign(gamma_i_to - gamma_i_from)
    start = (b.value, gamma_i_from)
    return continue_bifurcation(net, alpha, omega, b.kind, PLANE, start, (lo, hi), direction=direction)


@pytest.fixture(scope="module")
def at_four():
    """Gamma_i = 4: the rotating branch from Gamma_e = 0.5 up, the state at rest from 10 down."""
    return {"rotating": branch_from(4.0, 0.5, +1)[1], "rest": branch_from(4.0, 10.0, -1)[1]}


@pytest.mark.parametrize("kind, branch_name", [("hopf", "rotating"), ("branch", "rest")])
def test_a_line_followed_from_gamma_i_4_meets_the_point_located_at_gamma_i_2(at_four, kind, branch_name):
    """The first Hopf line (the rotating state loses stability) and the branch line (the two senses
    of rotation leave the state at rest): followed from Gamma_i = 4 to 2, each must end on the
    point that the one-parameter continuation locates at Gamma_i = 2 on its own."""
    line = follow_to(4.0, 2.0, at_four[branch_name], point(at_four[branch_name], kind))
    assert line.stopped == "range" and abs(line.second[-1] - 2.0) < 1e-9
    _, at_two = branch_from(2.0, 0.5 if branch_name == "rotating" else 10.0, +1 if branch_name == "rotating" else -1)
    expected = point(at_two, kind).value  # 1.944651296595 (hopf), 1.986709505042 (branch)
    assert abs(line.first[-1] - expected) < 1e-8
    assert np.all(np.diff(line.second) < 0)  # monotone in Gamma_i on this stretch
    if kind == "hopf":
        assert np.all(line.frequency > 0.1)  # a genuine pair all along (0.141 at Gamma_i = 2)
    else:
        assert np.all(line.omega == 0.0)  # on the states at rest


def test_the_fold_of_the_state_at_rest_ends_in_a_cusp_near_gamma_i_4():
    """Gamma_i = 8: the state at rest folds at Gamma_e = 5.998459974747. Its line, followed down in
    Gamma_i, turns at a cusp (the bistability of the states at rest begins there) and comes back
    as the second fold; checked against the fold located by one-parameter continuation at 6."""
    _, rest = branch_from(8.0, 10.0, -1)
    fold = point(rest, "fold", first=False)
    assert abs(fold.value - 5.998459974747) < 1e-8
    line = follow_to(8.0, 0.0, rest, fold)
    cusp = np.argmin(line.second)
    assert 4.0 < line.second[cusp] < 4.1  # measured 4.0304
    upper = line.first[:cusp][np.argmin(np.abs(line.second[:cusp] - 6.0))]
    _, at_six = branch_from(6.0, 10.0, -1, stop=(0.25, 30.0))
    located = point(at_six, "fold", first=False).value
    assert abs(upper - located) < 5e-2  # the nearest drawn point (steps of 0.2 in arclength)
    exact = follow_to(8.0, 6.0, rest, fold)
    assert abs(exact.first[-1] - located) < 1e-8


def test_the_hopf_line_of_the_state_at_rest_ends_where_it_meets_the_fold_line():
    """A Bogdanov-Takens point: the Hopf pair of the state at rest (Gamma_i = 8, Gamma_e = 6.0588)
    turns real on the fold line; the Hopf line ends there (frequency -> 0)."""
    _, rest = branch_from(8.0, 10.0, -1)
    hopf = next(b for b in rest.bifurcations if b.kind == "hopf" and b.unstable == (0, 2))
    line = follow_to(8.0, 0.0, rest, hopf)
    assert line.stopped == "end" and line.frequency[-1] < 2e-4 and line.frequency[0] > 0.1
    fold = follow_to(8.0, line.second[-1], rest, point(rest, "fold", first=False))  # to the end's Gamma_i
    assert fold.stopped == "range"
    assert abs(fold.first[-1] - line.first[-1]) < 1e-5  # measured (4.330137, 4.230322)


def test_the_zero_state_boundary_is_the_stalled_region_as_gamma_vanishes():
    """Appendix B: for Gamma_i < g the zero state is stable for Gamma_i <= Gamma_e < g^2/Gamma_i."""
    net = Network.chain(10, 0.5, 1.0, 1e-7)
    rows = zero_state_line(net, PLANE, [0.5, 0.8], (0.0, 10.0))
    assert [r[0] for r in rows] == [0.5, 0.5, 0.8, 0.8]
    lower = [r[1] for r in rows][::2]
    upper = [r[1] for r in rows][1::2]
    np.testing.assert_allclose(lower, [0.5, 0.8], atol=1e-4)
    np.testing.assert_allclose(upper, [1 / 0.5, 1 / 0.8], rtol=1e-4)  # g^2/Gamma_i


def test_the_symmetric_branch_follows_the_ansatz_far_from_the_transition(at_four):
    """(S40)/(C17) and (S41)/(C18), damping on every site: |alpha_1|^2 = |alpha_N|^2 = |A|^2 and J,
    at Gamma_i = 4 for Gamma_e <= 3; measured deviations 1.1 % and 0.9 % (the ansatz's accuracy
    at gamma = 1e-3)."""
    rotating = at_four["rotating"]
    for gamma_e in (0.5, 1.0, 2.0, 3.0):
        k = np.argmin(np.abs(rotating.values - gamma_e))
        g, alpha = rotating.values[k], rotating.alpha[k]
        a, _ = analytic.ansatz_symmetric_damped(4.0, g, 1e-3, 10)
        current = observables(Network.chain(10, 4.0, g, 1e-3), alpha)["J_loss"]
        np.testing.assert_allclose(np.abs(alpha[[0, -1]]) ** 2, a**2, rtol=0.015)
        assert abs(current / analytic.J_symmetric(4.0, g, 1e-3, 10) - 1) < 0.012


def test_misuse_is_refused():
    net = Network.chain(4, 4.0, 2.0, 1e-3)
    with pytest.raises(ValueError, match="kind"):
        continue_bifurcation(net, np.ones(4), 0.0, "cusp", PLANE, (2.0, 4.0), (0.0, 8.0))
    with pytest.raises(ValueError, match="outside stop"):
        continue_bifurcation(net, np.ones(4), 0.0, "fold", PLANE, (2.0, 9.0), (0.0, 8.0))
    ring = dict(edges=((0, 1), (1, 2), (0, 2)), gain=(Reservoir(0, 4.0),), loss=(Reservoir(2, 2.0),), gamma=1e-3)
    triangle = Network(n_sites=3, **ring)
    assert bipartite_colours(triangle) is None
    assert list(bipartite_colours(net)) == [0, 1, 0, 1]
