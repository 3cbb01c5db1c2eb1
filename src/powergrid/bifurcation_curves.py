"""Bifurcation points followed in a second parameter: the fold, Hopf and branch-point lines of
the stationary states, e.g. in the (Gamma_i, Gamma_e) plane, found directly rather than by
sweeping one parameter at many values of the other.

A point located by ``continuation.continue_branch`` satisfies G(u, p1, p2) = 0 and one scalar
condition tau(u, p1, p2) = 0. With p2 free as well, (u, p1, p2) traces a curve, followed by the
same pseudo-arclength core (``continuation.follow``) on the extended system [G; tau]:
- 'fold': tau is the minimally augmented test of G_u (the solution component of
  [[G_u, b], [c^T, 0]] (v, tau) = (0, 1); zero exactly where G_u is singular). The borders b, c
  are the left and right null vectors at the last accepted point, so tau stays well scaled.
- 'hopf': tau = Re lambda of the complex pair of stability eigenvalues that crossed, tracked from
  point to point (the one nearest to its value at the last accepted point).
- 'branch': the pitchfork where the two senses of rotation, +-omega, leave the state at rest.
  On a bipartite network without detuning the equations are equivariant under the antilinear
  map T: A_l -> s_l A_l^* (s_l = -1 on one sublattice), which turns a state rotating with omega
  into one rotating with -omega. States at rest lie in its fixed space, A_l = i^{c_l} a_l with
  a real and c_l the sublattice (0 or 1). There G_u splits into a block acting on the fixed
  space (its singularity: the fold of the state at rest) and one on its complement, which holds
  omega and the global phase. The branch point is where the complement's block, bordered by the
  phase condition, is singular. On the full system the point is not regular (two sheets of
  solutions cross); on the fixed space it is, so the line is followed there.
The tau gradients are central differences; G_u and the spectrum are those of
``deterministic.corotating_jacobian``. Each curve is checked against the one-parameter
continuation in the tests (located points agree to 1e-8).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.linalg
import scipy.optimize

from .continuation import ContinuationOptions, NetworkSystem, follow
from .deterministic import _Compiled, corotating_jacobian
from .model import Network, bipartite_colours
from .parameters import apply_parameter

KINDS = ("fold", "hopf", "branch")
# Steps along a line: every point is converged to the tolerance, the step sets only how densely
# the line is drawn (0.2 in arclength: a few hundred points across the (Gamma_i, Gamma_e) plane).
LINE_OPTIONS = ContinuationOptions(step=0.01, max_step=0.2)


@dataclass(frozen=True)
class BifurcationCurve:
    """A bifurcation point followed in two parameters, one entry per point, in arclength order."""

    kind: str  # 'fold', 'hopf' or 'branch'
    parameters: tuple[str, str]  # (the located one, the one the curve was followed along)
    first: np.ndarray  # the first parameter (e.g. Gamma_e) on the curve
    second: np.ndarray  # the second (e.g. Gamma_i)
    alpha: np.ndarray  # (points, n_sites) the stationary state on the curve
    omega: np.ndarray  # its rotation frequency
    frequency: np.ndarray  # 'hopf': |Im lambda| of the critical pair in the co-rotating frame; else nan
    stopped: str  # 'range'; 'end': the state comes to rest (omega -> 0), reaches the zero state or the
    # Hopf pair turns real (a codimension-2 point); 'min_step', 'max_points': given up


# ---------------------------------------------------------------------------------------------
# the network in two parameters


@dataclass(frozen=True)
class _Plane:
    """The network at (p1, p2), compiled once per point."""

    net: Network
    parameters: tuple[str, str]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def compiled(self, p1: float, p2: float) -> _Compiled:
        key = (float(p1), float(p2))
        comp = self._cache.get(key)
        if comp is None:
            if len(self._cache) > 256:
                self._cache.clear()
            net = apply_parameter(apply_parameter(self.net, self.parameters[0], key[0]), self.parameters[1], key[1])
            comp = self._cache[key] = _Compiled.of(net)
        return comp

    def derivatives(self, g, p1, p2):
        """dg/dp1, dg/dp2 of g(p1, p2) by central differences."""
        d1, d2 = 1e-6 * max(1.0, abs(p1)), 1e-6 * max(1.0, abs(p2))
        return (g(p1 + d1, p2) - g(p1 - d1, p2)) / (2 * d1), (g(p1, p2 + d2) - g(p1, p2 - d2)) / (2 * d2)


@dataclass(frozen=True)
class RotatingPlaneSystem:
    """G(u, p1, p2) = F(A) + i omega A, u = (Re A, Im A without the phase site, omega): any
    stationary state, rotating or at rest (as ``continuation.NetworkSystem``)."""

    plane: _Plane
    phase_site: int
    sense: float  # the sign of omega at the start: the curve ends where omega reaches 0

    def _chart(self):
        return NetworkSystem(self.plane.net, self.plane.parameters[0], self.phase_site)

    def pack(self, alpha, omega, p1, p2):
        return np.r_[self._chart().pack(alpha, omega, p1), p2]

    def unpack(self, x):
        alpha, omega, p1 = self._chart().unpack(x[:-1])
        return alpha, omega, p1, float(x[-1])

    def _g(self, alpha, omega, p1, p2):
        r = self.plane.compiled(p1, p2).rhs(alpha) + 1j * omega * alpha
        return np.r_[r.real, r.imag]

    def residual(self, x):
        return self._g(*self.unpack(x))

    def g_u(self, x):
        alpha, omega, p1, p2 = self.unpack(x)
        keep = self._chart()._keep
        jac = corotating_jacobian(self.plane.compiled(p1, p2), alpha, omega)
        return np.column_stack([jac[:, keep], np.r_[-alpha.imag, alpha.real]])

    def jacobian(self, x):
        alpha, omega, p1, p2 = self.unpack(x)
        g_p1, g_p2 = self.plane.derivatives(lambda a, b: self._g(alpha, omega, a, b), p1, p2)
        return np.column_stack([self.g_u(x), g_p1, g_p2])

    def stability_matrix(self, x):
        """The co-rotating Jacobian (its phase mode, eigenvalue 0, does not enter a Hopf test)."""
        alpha, omega, p1, p2 = self.unpack(x)
        return corotating_jacobian(self.plane.compiled(p1, p2), alpha, omega)

    def chart(self, x) -> float:
        """Positive while the phase site's amplitude and omega keep their signs. At omega = 0 the
        state comes to rest (it meets the branch line); past it the curve would retrace itself
        as the mirror image T(A), rotating the other way."""
        alpha, omega, _, _ = self.unpack(x)
        return min(float(alpha[self.phase_site].real), self.sense * omega if self.sense else 1.0)


@dataclass(frozen=True)
class RestingPlaneSystem:
    """States at rest in the fixed space of T: A_l = i^{c_l} a_l, u = a (real, n_sites values),
    G_sym(a) = Re(F(A)_l / i^{c_l}); the other half, Im(F(A)_l / i^{c_l}), vanishes there."""

    plane: _Plane
    colours: np.ndarray
    site: int  # a largest site of the start: a_site > 0 on the curve (a -> -a is the same state)

    @property
    def phases(self):
        return 1j**self.colours

    def pack(self, alpha, p1, p2):
        a = np.asarray(alpha, complex) / self.phases
        a = a * np.exp(-1j * np.angle(a[np.argmax(np.abs(a))]))  # real up to the global phase
        return np.r_[a.real, p1, p2]

    def unpack(self, x):
        return self.phases * x[:-2], 0.0, float(x[-2]), float(x[-1])

    def _f(self, a, p1, p2):
        return self.plane.compiled(p1, p2).rhs(self.phases * a) / self.phases

    def residual(self, x):
        return self._f(x[:-2], x[-2], x[-1]).real

    def _blocks(self, x):
        """(J_sym, J_anti): the Jacobian of F/i^c in a, split into its real part (on the fixed
        space) and the block that acts on the complement i^c (i b), b real."""
        alpha, _, p1, p2 = self.unpack(x)
        n = alpha.size
        jac = self.plane.compiled(p1, p2).jacobian(alpha)  # (Re, Im) coordinates
        ph = self.phases
        # columns: dA = ph da (fixed space) and dA = ph i db (complement); rows: dF / ph
        cols_sym = np.r_[np.diag(ph.real), np.diag(ph.imag)]
        cols_anti = np.r_[np.diag(-ph.imag), np.diag(ph.real)]
        d_sym, d_anti = jac @ cols_sym, jac @ cols_anti
        back = lambda d: (d[:n] + 1j * d[n:]) / ph[:, None]  # noqa: E731
        return back(d_sym).real, back(d_anti).imag

    def g_u(self, x):
        return self._blocks(x)[0]

    def anti(self, x):
        """The complement's block bordered by omega (dF = i omega A: column a) and by the phase
        condition (a . b = 0): singular at the branch point."""
        a = x[:-2]
        return np.block([[self._blocks(x)[1], a[:, None]], [a[None, :], np.zeros((1, 1))]])

    def jacobian(self, x):
        a, p1, p2 = x[:-2], x[-2], x[-1]
        g_p1, g_p2 = self.plane.derivatives(lambda u, v: self._f(a, u, v).real, p1, p2)
        return np.column_stack([self.g_u(x), g_p1, g_p2])

    def stability_matrix(self, x):
        alpha, _, p1, p2 = self.unpack(x)
        return self.plane.compiled(p1, p2).jacobian(alpha)

    def chart(self, x) -> float:
        """a_site: it reaches 0 where the state at rest reaches the zero state (a = 0 solves
        G_sym for all parameters; past it the curve would retrace itself with -a)."""
        return float(x[self.site])


# ---------------------------------------------------------------------------------------------
# the extended system [G; tau]


def _matrix_derivatives(matrix, x):
    """dM/dx_k of a matrix function M(x), by central differences, for each k."""
    for k in range(x.size):
        d = 1e-7 * max(1.0, abs(x[k]))
        up, down = x.copy(), x.copy()
        up[k] += d
        down[k] -= d
        yield (matrix(up) - matrix(down)) / (2 * d)


class _Singular:
    """The minimally augmented test of a square matrix function M(x): tau with
    [[M, b], [c^T, 0]] (v, tau) = (0, 1); b and c follow the null vectors at accepted points.
    Its gradient is -w^T M_x v, with [[M, b], [c^T, 0]]^T (w, tau) = (0, 1)."""

    def __init__(self, matrix, x0):
        self.matrix = matrix
        u, _, vt = np.linalg.svd(matrix(x0))
        self.b, self.c = u[:, -1], vt[-1]

    def _solve(self, x, transpose=False):
        m = self.matrix(x)
        bordered = np.block([[m, self.b[:, None]], [self.c[None, :], np.zeros((1, 1))]])
        rhs = np.zeros(self.b.size + 1)
        rhs[-1] = 1.0
        return np.linalg.solve(bordered.T if transpose else bordered, rhs)

    def __call__(self, x) -> float:
        return float(self._solve(x)[-1])

    def gradient(self, x) -> np.ndarray:
        v, w = self._solve(x)[:-1], self._solve(x, transpose=True)[:-1]
        return np.array([-w @ m_k @ v for m_k in _matrix_derivatives(self.matrix, x)])

    def accept(self, x):
        v, w = self._solve(x)[:-1], self._solve(x, transpose=True)[:-1]
        self.c, self.b = v / np.linalg.norm(v), w / np.linalg.norm(w)


class _CriticalPair:
    """Re lambda of the complex pair of eigenvalues of the stability matrix M(x) nearest its last
    accepted value. Its gradient is Re(w^H M_x v)/(w^H v) with v, w the right and left eigenvectors."""

    def __init__(self, matrix, x0):
        self.matrix = matrix
        ev = np.linalg.eigvals(matrix(x0))
        pairs = ev[ev.imag > 1e-8]
        if not pairs.size:
            raise ValueError("continue_bifurcation: no complex pair of stability eigenvalues at a 'hopf' point")
        self.reference = pairs[np.argmin(np.abs(pairs.real))]
        self.accepted = []  # the critical eigenvalue at each accepted point

    def eigenvalue(self, x) -> complex:
        ev = np.linalg.eigvals(self.matrix(x))
        return ev[np.argmin(np.abs(ev - self.reference))]

    def __call__(self, x) -> float:
        return float(self.eigenvalue(x).real)

    def gradient(self, x) -> np.ndarray:
        ev, left, right = scipy.linalg.eig(self.matrix(x), left=True, right=True)
        k = np.argmin(np.abs(ev - self.reference))
        v, w = right[:, k], left[:, k]
        norm = np.vdot(w, v)
        return np.array([(np.vdot(w, m_k @ v) / norm).real for m_k in _matrix_derivatives(self.matrix, x)])

    def accept(self, x):
        self.reference = self.eigenvalue(x)
        self.accepted.append(self.reference)

    def chart(self, x) -> float:
        """|Im lambda| - 1e-4: the pair turns real where the Hopf line ends on a fold line (a
        Bogdanov-Takens point), and the test is no longer a Hopf test. Near it |Im lambda|^2
        falls linearly, so the line ends ~1e-8 in the parameters before the point."""
        return abs(self.eigenvalue(x).imag) - 1e-4


class _Extended:
    """[G(x); tau(x)] for x = (u, p1, p2): a one-parameter system for ``follow`` in p2."""

    def __init__(self, base, test):
        self.base, self.test = base, test

    def residual(self, x):
        return np.r_[self.base.residual(x), self.test(x)]

    def jacobian(self, x):
        return np.vstack([self.base.jacobian(x), self.test.gradient(x)])

    def accept(self, x):
        self.test.accept(x)

    def chart(self, x):
        charts = [getattr(self.base, "chart", None), getattr(self.test, "chart", None)]
        return min(c(x) for c in charts if c is not None) if any(charts) else 1.0


def _polish(system, x, tol=1e-13, max_iter=20):
    """Newton on [G; tau] with p2 held: the located point refined onto the extended system."""
    for _ in range(max_iter):
        r = system.residual(x)
        if np.max(np.abs(r)) < tol * max(1.0, np.max(np.abs(x))):
            return x
        dx = np.linalg.solve(system.jacobian(x)[:, :-1], -r)
        x = x.copy()
        x[:-1] += dx
    raise ValueError(
        f"continue_bifurcation: the start does not converge onto the bifurcation condition (max residual "
        f"{np.max(np.abs(system.residual(x))):.3g}); pass a located point of continue_branch"
    )


def continue_bifurcation(
    net: Network,
    alpha,
    omega: float,
    kind: str,
    parameters: tuple[str, str],
    values: tuple[float, float],
    stop: tuple[float, float],
    *,
    direction: float = +1.0,
    options: ContinuationOptions = LINE_OPTIONS,
) -> BifurcationCurve:
    """Follow the bifurcation point of ``kind`` ('fold', 'hopf' or 'branch') at the stationary
    state (``alpha``, ``omega``) of ``net`` with (parameters[0], parameters[1]) = ``values``
    (e.g. ``branch.state(b)`` and ``b.kind`` of a point ``b`` located by
    ``continuation.continue_branch`` along parameters[0]) along parameters[1], while it stays
    within ``stop``, first towards larger values if ``direction`` > 0."""
    if kind not in KINDS:
        raise ValueError(f"continue_bifurcation: kind = {kind!r}: must be one of {KINDS}")
    alpha = np.asarray(alpha, complex)
    if alpha.shape != (net.n_sites,) or not np.max(np.abs(alpha)) > 0:
        raise ValueError("continue_bifurcation: alpha must be a nonzero state with one amplitude per site")
    lo, hi = (float(v) for v in stop)
    p1, p2 = (float(v) for v in values)
    if not lo <= p2 <= hi:
        raise ValueError(f"continue_bifurcation: {parameters[1]} = {p2} lies outside stop = ({lo}, {hi})")
    plane = _Plane(net, tuple(parameters))
    colours = bipartite_colours(net)
    # A branch point located on the rotating branch carries omega and a defect of the size of the
    # bisection's last step (~1e-6 in omega): projected onto T's fixed space and polished there.
    tol = 1e-3 if kind == "branch" else 1e-6
    resting = _resting_state(net, alpha, omega, colours, tol)
    if kind == "branch" and resting is None:
        raise ValueError(
            "continue_bifurcation: a 'branch' point is followed on the states at rest of a bipartite network "
            f"without detuning; this state or network is not one (|omega| or the symmetric part's defect > {tol})"
        )
    if resting is not None:  # at rest: on T's fixed space, where the branch point is regular
        base = RestingPlaneSystem(plane, colours, int(np.argmax(np.abs(resting))))
        x0 = base.pack(resting, p1, p2)
    else:
        sense = float(np.sign(omega)) if colours is not None and not any(net.detuning) else 0.0
        base = RotatingPlaneSystem(plane, int(np.argmax(np.abs(alpha))), sense)
        x0 = base.pack(alpha, omega, p1, p2)
    tests = {"fold": lambda: _Singular(base.g_u, x0), "hopf": lambda: _CriticalPair(base.stability_matrix, x0)}
    tests["branch"] = lambda: _Singular(base.anti, x0)
    system = _Extended(base, tests[kind]())
    x0 = _polish(system, x0)
    # the extended system has no stability of its own to detect: the corrector and the steps only
    curve = follow(system, x0, direction, lo, hi, replace(options, detect=False))
    states = [base.unpack(x) for x in curve.x]
    frequency = np.full(len(states), np.nan)
    if kind == "hopf":
        frequency = np.abs(np.array(system.test.accepted).imag)
    return BifurcationCurve(
        kind,
        tuple(parameters),
        np.array([s[2] for s in states]),
        np.array([s[3] for s in states]),
        np.array([s[0] for s in states]),
        np.array([s[1] for s in states]),
        frequency,
        "end" if curve.stopped == "chart" else curve.stopped,
    )


def zero_state_line(net: Network, parameters: tuple[str, str], second, first_range, scan: int = 400):
    """Where the zero state changes stability: for each value of parameters[1] in ``second``, every
    value of parameters[0] in ``first_range`` where the largest real part of the unsaturated
    network's eigenvalues (Appendix B) crosses 0, found on a scan of ``scan`` points and refined by
    Brent's method to 1e-12. Returns [(second, first, frequency)], frequency = -Im lambda of
    the crossing eigenvalue (the rotation frequency of the state born there)."""
    lo, hi = (float(v) for v in first_range)

    def top(p1, p2):
        m = apply_parameter(apply_parameter(net, parameters[0], p1), parameters[1], p2)
        ev = np.linalg.eigvals(m.unsaturated_matrix())
        return ev[np.argmax(ev.real)]

    rows = []
    grid = np.linspace(lo, hi, scan)
    for p2 in np.asarray(second, float):
        values = np.array([top(p1, p2).real for p1 in grid])
        for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
            p1 = scipy.optimize.brentq(lambda v, p2=p2: top(v, p2).real, grid[k], grid[k + 1], xtol=1e-12)
            rows.append((float(p2), float(p1), float(-top(p1, p2).imag)))
    return rows


def _resting_state(net, alpha, omega, colours, tol) -> np.ndarray | None:
    """alpha mapped into T's fixed space if it is a state at rest there to ``tol`` (else None)."""
    if colours is None or any(net.detuning) or abs(omega) > tol:
        return None
    b = alpha / 1j**colours
    b = b * np.exp(-1j * np.angle(b[np.argmax(np.abs(b))]))
    if np.max(np.abs(b.imag)) > tol * np.max(np.abs(b)):
        return None
    return 1j**colours * b.real


__all__ = ["BifurcationCurve", "KINDS", "LINE_OPTIONS", "bipartite_colours", "continue_bifurcation", "zero_state_line"]
