"""Continuation of stationary states along a parameter: the branch, its stability and its
bifurcation points, independent of seeds and switch-on protocols.

A stationary state of eqs. (3)-(5) rotates, alpha_l(t) = A_l e^{-i omega t} (omega = 0: at rest).
With the global phase fixed (Im A_k = 0 at the largest site k of the start), u = (Re A, Im A
without site k, omega) solves G(u, p) = F(A) + i omega A = 0, 2N real equations in 2N unknowns,
for each value p of a continuous network parameter (a name of ``parameters.apply_parameter``).

The solution curve x(s) = (u(s), p(s)) is followed by pseudo-arclength continuation:
- tangent t: the solution of [G_u G_p; t_prev] t = e_last, normalised and oriented along t_prev;
- corrector: Newton on [G(x); t.(x - x_prev) - h] = 0 from the predictor x_prev + h t, so that
  folds, where p turns back, are passed like any other point;
- step h: grows when the corrector needs few iterations, shrinks when it fails or needs many.

Stability is the spectrum of the co-rotating Jacobian with the phase mode removed (as in
``deterministic.corotating_growth_rate``), not that of G_u. Fixing the phase changes the operator,
and its eigenvalues report Hopf points that do not exist (at N = 10, Gamma_i = 4, gamma = 1e-3,
one at Gamma_e = 3.848 where the true first one is at 3.882).

Bifurcation points, each located by bisection in arclength along the step where its test
function changed (to ``locate_tol`` in s, ~1e-10 in the parameter):
- 'fold': dp/ds changes sign (the branch turns back);
- 'branch': the determinant of the bordered Jacobian changes sign (a branch point, such as the
  pitchfork where the two senses of rotation meet the state at rest);
- 'hopf': a complex pair of stability eigenvalues crosses the imaginary axis (in the lab frame
  the state becomes quasi-periodic);
- 'real': a real stability eigenvalue crosses zero away from a fold or branch point;
- 'zero': the branch shrinks to A = 0 and ends on the zero state, at the parameter where the
  unsaturated network has an eigenvalue -i omega on the imaginary axis (solved for directly:
  near A = 0 the corrector could slide along the trivial solution, which solves G for every p).
Where the amplitude at the phase-fixed site reaches 0 while others do not, the curve goes on
with the phase fixed at the then largest site.
Stability changes are found from the count of unstable eigenvalues at the ends of each step: two
crossings in one step that cancel in the count are not seen. ``max_step`` bounds the step.

At a branch point, ``switch_branch`` starts on the other branch through it (e.g. from the state
at rest onto the two senses of rotation).

The core (``follow``) works on any ``System`` (residual, Jacobian with the parameter column,
stability eigenvalues); ``NetworkSystem`` is the network's, and the tests use textbook normal
forms with known answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.optimize

from .deterministic import _Compiled, corotating_jacobian, corotating_spectrum
from .model import Network
from .parameters import apply_parameter


@dataclass(frozen=True)
class ContinuationOptions:
    step: float = 0.01  # first arclength step
    max_step: float = 0.05  # largest arclength step (bounds how close two crossings may lie)
    min_step: float = 1e-9  # the continuation stops below this step
    max_points: int = 5000  # points on the branch at most
    tol: float = 1e-12  # max |G| of a corrected point, relative to max(1, max |x|)
    locate_tol: float = 1e-11  # arclength interval of a located bifurcation point
    detect: bool = True  # test functions and stability at every point

    def __post_init__(self):
        for name in ("step", "max_step", "min_step", "tol", "locate_tol"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"ContinuationOptions.{name} = {value!r}: must be a finite number > 0")
        if not self.min_step <= self.step <= self.max_step:
            raise ValueError(
                f"ContinuationOptions: need min_step <= step <= max_step, got {self.min_step}, {self.step}, "
                f"{self.max_step}"
            )
        if not (isinstance(self.max_points, int) and self.max_points >= 2):
            raise ValueError(f"ContinuationOptions.max_points = {self.max_points!r}: must be an integer >= 2")


class System(Protocol):
    """G(x) = 0 with x = (u, p), len(G) = len(x) - 1."""

    def residual(self, x: np.ndarray) -> np.ndarray: ...

    # optional: chart(x) -> float, positive where the system's coordinates hold; the curve ends
    # where it reaches 0 (for the network: the amplitude at the phase-fixed site)
    # optional: accept(x), called at the start and at each accepted point (a test function's
    # references follow the curve: see bifurcation_curves)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """[G_u G_p], shape (len(x) - 1, len(x))."""

    def eigenvalues(self, x: np.ndarray) -> np.ndarray:
        """The stability eigenvalues at x."""


@dataclass(frozen=True)
class Bifurcation:
    kind: str  # 'fold', 'branch', 'hopf', 'real' or 'zero'
    value: float  # the parameter at the point
    x: np.ndarray = field(repr=False)  # the point (u, p)
    eigenvalue: complex  # the crossing stability eigenvalue (for 'fold' and 'branch': the one nearest 0)
    unstable: tuple[int, int]  # unstable eigenvalues just before and just after, along the continuation
    located: bool = True  # False: the corrector failed while bisecting; x is the end of the step


@dataclass(frozen=True)
class Curve:
    """A followed solution curve of a ``System``: one row of ``x`` per point."""

    x: np.ndarray
    n_unstable: np.ndarray  # stability eigenvalues with Re > 0 at each point (-1 without detection)
    growth_rate: np.ndarray  # largest real part of the stability eigenvalues (nan without detection)
    bifurcations: tuple[Bifurcation, ...]
    stopped: str  # 'range' (reached lo or hi), 'chart' (system.chart reached 0), 'max_points', 'min_step'
    tangent: np.ndarray = field(repr=False)  # at the last point, along the continuation


def follow(system: System, x0, direction: float, lo: float, hi: float, options=ContinuationOptions()) -> Curve:
    """Follow the curve through the solution x0 of ``system`` while lo <= p <= hi, starting in the
    direction of increasing p if ``direction`` > 0, decreasing p otherwise. The last point is on
    the boundary where the curve leaves [lo, hi] (or the chart, see ``System``)."""
    opt = options
    x = np.asarray(x0, float).copy()
    if not np.max(np.abs(system.residual(x))) < 1e-8 * max(1.0, np.max(np.abs(x))):
        raise ValueError("follow: the start is not a solution (max |G| above 1e-8)")
    e = np.zeros(x.size)
    e[-1] = 1.0 if direction > 0 else -1.0
    try:
        t = _tangent(system, x, e)
    except np.linalg.LinAlgError:
        raise ValueError("follow: the start is a fold in the parameter; start a little away from it") from None
    xs, counts, growth, found = [x], [], [], []
    tests = _tests(system, x, t) if opt.detect else None

    def record(tests_at_point):
        counts.append(tests_at_point[2])
        growth.append(np.max(tests_at_point[3].real) if tests_at_point[3].size else -np.inf)

    if tests:
        record(tests)
    h, stopped = opt.step, "max_points"
    chart = getattr(system, "chart", None)
    accept = getattr(system, "accept", lambda x: None)
    accept(x)
    while len(xs) < opt.max_points:
        xn, iterations = _correct(system, x, t, h, opt.tol)
        if xn is None:
            h *= 0.5
            if h < opt.min_step:
                stopped = "min_step"
                break
            continue
        leaves = "chart" if chart is not None and chart(xn) <= 0 else ("range" if not lo <= xn[-1] <= hi else None)
        if leaves:  # end on the boundary, inside: the last point of the step where the test holds
            inside = (lambda xt: chart(xt[0]) > 0) if leaves == "chart" else (lambda xt: lo <= xt[0][-1] <= hi)
            _, _, last = _bisect(system, x, t, 0.0, h, inside, True, opt.locate_tol, opt.tol)
            stopped = leaves
            if last is None:  # no point of the step inside: the curve ends at x
                break
            xn = last[0]
        tn = _tangent(system, xn, t)
        if opt.detect:
            new = _tests(system, xn, tn)
            found += _events(system, x, t, xn, tests, new, opt)
            tests = new
            record(new)
        x, t = xn, tn
        xs.append(x)
        accept(x)
        if leaves:
            break
        h = min(1.5 * h, opt.max_step) if iterations <= 3 else (0.7 * h if iterations > 5 else h)
    n = len(xs)
    return Curve(
        np.array(xs),
        np.array(counts if opt.detect else [-1] * n),
        np.array(growth if opt.detect else [np.nan] * n),
        tuple(found),
        stopped,
        t,
    )


def _bordered(system, x, t):
    return np.vstack([system.jacobian(x), t])


def _tangent(system, x, t_prev):
    rhs = np.zeros(x.size)
    rhs[-1] = 1.0
    t = np.linalg.solve(_bordered(system, x, t_prev), rhs)
    t /= np.linalg.norm(t)
    return t if t @ t_prev >= 0 else -t


def _correct(system, x0, t0, h, tol, max_iter=12):
    """The point x with G(x) = 0 and t0.(x - x0) = h, by Newton from x0 + h t0; (x, iterations),
    or (None, max_iter) if Newton does not converge."""
    x = x0 + h * t0
    for it in range(1, max_iter + 1):
        try:
            r = np.r_[system.residual(x), t0 @ (x - x0) - h]
            dx = np.linalg.solve(_bordered(system, x, t0), -r)
        except np.linalg.LinAlgError:
            return None, max_iter
        except ValueError:  # an iterate outside the parameter's domain (a negative rate): no point
            return None, max_iter
        x = x + dx
        scale = max(1.0, np.max(np.abs(x)))
        if not np.all(np.isfinite(x)):
            return None, max_iter
        if np.max(np.abs(dx)) < 1e-9 * scale:
            try:
                if np.max(np.abs(system.residual(x))) < tol * scale:
                    return x, it
            except ValueError:
                return None, max_iter
    return None, max_iter


def _tests(system, x, t):
    """(dp/ds, sign of det of the bordered Jacobian, unstable eigenvalues, eigenvalues)."""
    sign, _ = np.linalg.slogdet(_bordered(system, x, t))
    ev = system.eigenvalues(x)
    return t[-1], sign, int(np.sum(ev.real > 0)), ev


def _events(system, x, t, xn, before, after, opt) -> list[Bifurcation]:
    """Bifurcations inside the step from (x, t) to xn, each located by bisection in arclength,
    in the order the continuation passes them."""
    h = float(t @ (xn - x))  # the step's arclength (its corrector keeps t.(x_n - x) = h)
    found = []  # (s, Bifurcation)
    if np.sign(before[0]) != np.sign(after[0]):
        found.append(_locate(system, x, t, xn, h, _fold_test, "fold", before, after, opt))
    if before[1] != after[1]:
        found.append(_locate(system, x, t, xn, h, _branch_test(system), "branch", before, after, opt))
    kinds = [b.kind for _, b in found]
    if kinds == ["fold", "branch"] and _same_point(found[0], found[1], h):
        del found[0]  # a symmetric pitchfork: the branch turns back at its branch point, one point
    special = bool(found)
    a, left = 0.0, before[2]
    for _ in range(abs(after[2] - before[2]) + 16):  # stability changes, possibly several in one step
        if left == after[2] or a >= h:
            break
        s_cross, right, _ = _bisect(system, x, t, a, h, _count(system), left, opt.locate_tol, opt.tol)
        if right is None:  # the corrector failed: the change is reported at the end of the step
            found.append((h, Bifurcation("real", float(xn[-1]), xn, 0j, (left, after[2]), located=False)))
            break
        ev = system.eigenvalues(right[0])
        crossing = ev[np.argmin(np.abs(ev.real))]
        count = int(np.sum(ev.real > 0))
        real = abs(crossing.imag) <= 1e-6 * max(1.0, abs(crossing))
        if not (real and special):  # a real crossing at a fold or branch point is that point
            kind = "real" if real else "hopf"
            found.append((s_cross, Bifurcation(kind, float(right[0][-1]), right[0], complex(crossing), (left, count))))
        a, left = s_cross, count
    return [b for _, b in sorted(found, key=lambda sb: sb[0])]


def _same_point(a, b, h) -> bool:
    """Two located (s, Bifurcation) at one point: equal parameter to 1e-9, close in arclength."""
    (s_a, p_a), (s_b, p_b) = a, b
    return abs(p_a.value - p_b.value) <= 1e-9 * max(1.0, abs(p_a.value)) and abs(s_a - s_b) <= 1e-3 * h


def _fold_test(xt):
    return np.sign(xt[1][-1])  # dp/ds


def _branch_test(system):
    return lambda xt: np.linalg.slogdet(_bordered(system, *xt))[0]


def _count(system):
    return lambda xt: int(np.sum(system.eigenvalues(xt[0]).real > 0))


def _locate(system, x, t, xn, h, test, kind, before, after, opt) -> tuple[float, Bifurcation]:
    """(s, the point) where ``test`` changes inside the step, with the unstable counts on either
    side of it, 1 % of the step away (at the point an eigenvalue is 0, and near a branch point a
    pair of small eigenvalues can change the count within a tiny neighbourhood); if the
    corrector fails, the end of the step, marked as not located."""
    s_cross, right, _ = _bisect(system, x, t, 0.0, h, test, test((x, t)), opt.locate_tol, opt.tol)
    if right is None:
        return h, Bifurcation(kind, float(xn[-1]), xn, 0j, (before[2], after[2]), located=False)
    ev = system.eigenvalues(right[0])
    counts = []
    for side, fallback in ((-1, before[2]), (1, after[2])):
        near = _point(system, x, t, min(max(s_cross + side * 1e-2 * h, 0.0), h), opt.locate_tol, opt.tol)
        counts.append(fallback if near is None else _count(system)(near))
    crossing = complex(ev[np.argmin(np.abs(ev))]) if ev.size else 0j
    return s_cross, Bifurcation(kind, float(right[0][-1]), right[0], crossing, tuple(counts))


def _bisect(system, x, t, a, b, test, left, s_tol, tol):
    """Bisection in arclength s in (a, b] along the corrector family through (x, t) for the first
    s where ``test`` differs from ``left``: (s, (point, tangent) just past it, (point, tangent)
    just before it). A side is None where no point was corrected (the corrector failed, or the
    bracket was never narrowed from that side)."""
    right = left_point = None
    while b - a > s_tol:
        m = 0.5 * (a + b)
        xt = _point(system, x, t, m, s_tol, tol)
        if xt is None:
            break
        if test(xt) == left:
            a, left_point = m, xt
        else:
            b, right = m, xt
    if right is None:
        right = _point(system, x, t, b, s_tol, tol)
        if right is not None and test(right) == left:
            right = None
    return b, right, left_point


def _point(system, x, t, s, s_tol, tol):
    """The corrected point at arclength s from (x, t), with its tangent, or None. Near a branch
    point Newton can converge onto the other branch through it: a point farther from the
    predictor x + s t than s/2 (the curve bends less than that within a step) is not taken."""
    # the bordered system is singular exactly at a branch point: a shift of a few s_tol avoids it
    for ds in (0.0, 10 * s_tol, -10 * s_tol, 1e3 * s_tol, -1e3 * s_tol):
        xm, _ = _correct(system, x, t, s + ds, tol)
        if xm is not None and np.linalg.norm(xm - x - (s + ds) * t) <= 0.5 * abs(s + ds) + 1e-12:
            return xm, _tangent(system, xm, t)
    return None


# ---------------------------------------------------------------------------------------------
# the network's system


@dataclass(frozen=True)
class NetworkSystem:
    """G(u, p) = F(A) + i omega A of ``net`` with ``parameter`` = p, Im A_k = 0."""

    net: Network
    parameter: str
    phase_site: int
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def compiled(self, p: float) -> _Compiled:
        p = float(p)
        comp = self._cache.get(p)
        if comp is None:
            if len(self._cache) > 256:
                self._cache.clear()
            comp = self._cache[p] = _Compiled.of(apply_parameter(self.net, self.parameter, p))
        return comp

    @property
    def _keep(self):
        n = self.net.n_sites
        return np.arange(2 * n) != n + self.phase_site

    def pack(self, alpha, omega, p) -> np.ndarray:
        alpha = np.asarray(alpha, complex) * np.exp(-1j * np.angle(alpha[self.phase_site]))
        return np.r_[np.r_[alpha.real, alpha.imag][self._keep], omega, p]

    def unpack(self, x) -> tuple[np.ndarray, float, float]:
        n = self.net.n_sites
        full = np.zeros(2 * n)
        full[self._keep] = x[:-2]
        return full[:n] + 1j * full[n:], float(x[-2]), float(x[-1])

    def _g(self, alpha, omega, p):
        r = self.compiled(p).rhs(alpha) + 1j * omega * alpha
        return np.r_[r.real, r.imag]

    def residual(self, x):
        return self._g(*self.unpack(x))

    def jacobian(self, x):
        alpha, omega, p = self.unpack(x)
        g_u = np.column_stack(
            [corotating_jacobian(self.compiled(p), alpha, omega)[:, self._keep], np.r_[-alpha.imag, alpha.real]]
        )
        # dG/dp by central differences: the parameter may be any of apply_parameter's
        dp = 1e-6 * max(1.0, abs(p))
        try:
            g_p = (self._g(alpha, omega, p + dp) - self._g(alpha, omega, p - dp)) / (2 * dp)
        except ValueError:  # p - dp outside the parameter's range (a rate below 0)
            g_p = (self._g(alpha, omega, p + dp) - self._g(alpha, omega, p)) / dp
        return np.column_stack([g_u, g_p])

    def chart(self, x) -> float:
        """A_k, real and positive in these coordinates: at A_k = 0 the phase is not fixed (the
        branch reaches the zero state, or another site must fix the phase)."""
        return float(self.unpack(x)[0][self.phase_site].real)

    def eigenvalues(self, x):
        """The co-rotating spectrum without the phase mode (the eigenvalue nearest 0)."""
        alpha, omega, p = self.unpack(x)
        return corotating_spectrum(self.compiled(p), alpha, omega)


@dataclass(frozen=True)
class Branch:
    """Stationary states along ``parameter``, one entry per point, in arclength order."""

    parameter: str
    values: np.ndarray  # the parameter
    alpha: np.ndarray  # (points, n_sites) amplitudes A, global phase fixed at a largest site
    omega: np.ndarray  # rotation frequency
    n_unstable: np.ndarray  # unstable stability eigenvalues
    growth_rate: np.ndarray  # largest real part of the stability eigenvalues
    bifurcations: tuple[Bifurcation, ...]  # 'zero' last if the branch ends on the zero state
    stopped: str  # 'range', 'zero' (ended on the zero state), 'max_points', 'min_step' or 'max_charts'
    states: tuple = field(repr=False)  # (A, omega) of each bifurcation point

    @property
    def stable(self) -> np.ndarray:
        return self.n_unstable == 0

    def state(self, point: Bifurcation) -> tuple[np.ndarray, float]:
        """(A, omega) at one of the branch's bifurcation points."""
        return self.states[next(k for k, b in enumerate(self.bifurcations) if b is point)]


MAX_CHARTS = 20  # phase-site changes along one branch at most


def continue_branch(
    net: Network,
    alpha,
    omega: float,
    parameter: str,
    stop: tuple[float, float],
    *,
    direction: float = +1.0,
    value: float | None = None,
    options: ContinuationOptions = ContinuationOptions(),
) -> Branch:
    """Follow the stationary state (``alpha``, ``omega``) of ``net`` (e.g. a ``SteadyState`` of
    kind 'stationary' or 'rotating', or a ``FixedPoint``) along ``parameter`` while it stays in
    ``stop`` = (lo, hi), first towards larger values if ``direction`` > 0. ``value`` is the
    parameter's value in ``net`` (needed for parameters that are ratios or not stored as such;
    by default read from the network for gamma_i, gamma_e, gamma, nu, n0, n_th_over_n0)."""
    alpha = np.asarray(alpha, complex)
    if alpha.shape != (net.n_sites,):
        raise ValueError(f"continue_branch: alpha has shape {alpha.shape}, the network has {net.n_sites} sites")
    if not np.max(np.abs(alpha)) > 0:
        raise ValueError("continue_branch: the zero state has no phase to fix; follow a nonzero stationary state")
    lo, hi = (float(v) for v in stop)
    if not lo < hi:
        raise ValueError(f"continue_branch: stop = {stop!r}: need lo < hi")
    p0 = _current_value(net, parameter) if value is None else float(value)
    if not lo <= p0 <= hi:
        raise ValueError(f"continue_branch: the start {parameter} = {p0} lies outside stop = ({lo}, {hi})")
    base = apply_parameter(net, parameter, p0)
    check = NetworkSystem(base, parameter, int(np.argmax(np.abs(alpha))))
    residual = np.max(np.abs(check.residual(check.pack(alpha, omega, p0))))
    if not residual < 1e-8 * max(1.0, np.max(np.abs(alpha))):
        raise ValueError(
            "continue_branch: (alpha, omega) is not a stationary state of the network "
            f"(max |F(A) + i omega A| = {residual:.3g}); polish it with deterministic.rotating_fixed_point first"
        )
    # The phase is fixed at the largest site. Where that site's amplitude reaches 0 the curve
    # continues with the phase fixed at the then largest site (a new chart), unless the whole
    # state reaches 0: the branch then ends on the zero state, where it bifurcates from it.
    xs, counts, growth, points, states = [], [], [], [], []
    for _ in range(MAX_CHARTS):
        system = NetworkSystem(base, parameter, int(np.argmax(np.abs(alpha))))
        curve = follow(system, system.pack(alpha, omega, p0), direction, lo, hi, options)
        first = 1 if xs else 0  # a new chart starts where the last one ended
        unpacked = [system.unpack(x) for x in curve.x[first:]]
        xs += unpacked
        counts += list(curve.n_unstable[first:])
        growth += list(curve.growth_rate[first:])
        points += list(curve.bifurcations)
        states += [system.unpack(b.x)[:2] for b in curve.bifurcations]
        stopped = curve.stopped
        if stopped != "chart":
            break
        alpha, omega, p0 = xs[-1]
        tiny = 1e-6 * max(1.0, max(np.max(np.abs(a)) for a, _, _ in xs))
        if np.max(np.abs(alpha)) < tiny:
            # The branch reaches the zero state. Near A = 0 the corrector may slide along the
            # trivial solution A = 0 (a solution for every p): the end point, and anything
            # located on it, is not the branch's. The bifurcation is where the unsaturated
            # network has an eigenvalue -i omega on the imaginary axis.
            del xs[-1], counts[-1], growth[-1]
            keep = [k for k, (a, _) in enumerate(states) if np.max(np.abs(a)) >= tiny]
            points, states = [points[k] for k in keep], [states[k] for k in keep]
            p_star, lam, located = _zero_state_bifurcation(base, parameter, xs, omega)
            x_star = system.pack(np.zeros(net.n_sites), -lam.imag, p_star)
            points.append(Bifurcation("zero", p_star, x_star, lam, (int(counts[-1]),) * 2, located))
            states.append((np.zeros(net.n_sites, complex), float(-lam.imag)))
            stopped = "zero"
            break
        direction = np.sign(curve.tangent[-1]) or direction  # on along the curve in the new chart
    else:
        stopped = "max_charts"  # MAX_CHARTS changes of the phase site: given up
    return Branch(
        parameter,
        np.array([p for _, _, p in xs]),
        np.array([a for a, _, _ in xs]),
        np.array([w for _, w, _ in xs]),
        np.array(counts),
        np.array(growth),
        tuple(points),
        stopped,
        tuple(states),
    )


def switch_branch(
    net: Network,
    branch: Branch,
    point: Bifurcation,
    stop: tuple[float, float],
    *,
    sense: float = +1.0,
    options: ContinuationOptions = ContinuationOptions(),
) -> Branch:
    """The other branch through the branch point ``point`` of ``branch`` (``net`` as given to
    ``continue_branch``), followed within ``stop``. At a branch point the solutions of G = 0
    near x* span two directions: the null space of [G_u G_p] is two-dimensional there. The
    other branch leaves along the null direction orthogonal to the tangent of ``branch`` (exact
    for a symmetric pitchfork, where the two tangents are orthogonal); a first point is
    corrected a small step along it (``sense`` picks which way) and followed from there."""
    if point.kind != "branch" or point not in branch.bifurcations:
        raise ValueError("switch_branch: point must be a 'branch' point of branch")
    alpha, omega = branch.state(point)
    base = apply_parameter(net, branch.parameter, point.value)
    system = NetworkSystem(base, branch.parameter, int(np.argmax(np.abs(alpha))))
    x = system.pack(alpha, omega, point.value)
    _, _, vt = np.linalg.svd(system.jacobian(x))
    null = vt[-2:]  # orthonormal rows spanning the null space of [G_u G_p] at x*
    before, after = _neighbours(branch, point)  # the tangent of ``branch``: a secant through x*
    c = null @ (system.pack(*after) - system.pack(*before))
    t_new = null.T @ (np.array([-c[1], c[0]]) / np.linalg.norm(c))
    t_new *= np.sign(sense) or 1.0
    h = max(options.step, 1e-3)
    for _ in range(8):
        xn, _ = _correct(system, x, t_new, h, options.tol)
        if xn is not None and np.linalg.norm(xn - x - h * t_new) <= 0.5 * h:
            break
        h *= 0.5
    else:
        raise ValueError(f"switch_branch: no point of another branch found near {branch.parameter} = {point.value}")
    a, w, p = system.unpack(xn)
    # away from the branch point: at a pitchfork the new branch is tangent to p = const there
    # (p moves only at second order, which sets the way to go); otherwise along t_new
    away = p - point.value
    direction = float(np.sign(away) if abs(away) > 1e-12 * max(1.0, abs(p)) else np.sign(t_new[-1]) or 1.0)
    return continue_branch(
        apply_parameter(net, branch.parameter, p), a, w, branch.parameter, stop, direction=direction, value=p,
        options=options,
    )  # fmt: skip


def _neighbours(branch: Branch, point: Bifurcation):
    """(A, omega, p) of the branch's points nearest to ``point`` on either side in arclength."""
    alpha, omega = branch.state(point)
    distance = np.linalg.norm(branch.alpha - alpha, axis=1)
    distance += np.abs(branch.omega - omega) + np.abs(branch.values - point.value)
    k = int(np.argmin(distance))
    lo, hi = max(k - 1, 0), min(k + 1, len(branch.values) - 1)
    return tuple((branch.alpha[i], branch.omega[i], branch.values[i]) for i in (lo, hi))


def _zero_state_bifurcation(base, parameter, xs, omega) -> tuple[float, complex, bool]:
    """(p*, lambda, located): where a branch that shrinks to A = 0 leaves the zero state, an eigenvalue
    lambda = -i omega* of the unsaturated network crosses the imaginary axis. Solved by the
    secant method on Re lambda(p), from the branch's last two points (extrapolated in |A|); if that
    fails, the branch's last point, not located."""

    def crossing(p):
        ev = np.linalg.eigvals(apply_parameter(base, parameter, p).unsaturated_matrix())
        return ev[np.argmin(np.abs(ev + 1j * omega))]  # the eigenvalue the branch's frequency follows

    p_end = xs[-1][2]
    shift = 1e-6 * max(1.0, abs(p_end))
    guess, step = p_end + shift, 1e-3
    if len(xs) >= 2:  # |A| falls linearly to 0 along the branch: extrapolate to it
        (a1, _, p1), (a2, _, _) = xs[-2], xs[-1]
        r1, r2 = np.max(np.abs(a1)), np.max(np.abs(a2))
        step = abs(p_end - p1)
        if r1 != r2 and abs(r2 * (p_end - p1) / (r2 - r1)) > shift:
            guess = p_end - r2 * (p_end - p1) / (r2 - r1)
    try:
        p_star = float(scipy.optimize.newton(lambda p: crossing(p).real, guess, x1=p_end, tol=1e-13, maxiter=50))
    except (RuntimeError, ValueError):  # no convergence, or a step outside the parameter's domain
        return p_end, complex(crossing(p_end)), False
    if not abs(p_star - p_end) <= 10 * step + shift:  # another eigenvalue's crossing, far away
        return p_end, complex(crossing(p_end)), False
    return p_star, complex(crossing(p_star)), True


def _current_value(net: Network, parameter: str) -> float:
    if parameter == "gamma_i" and len(net.gain) == 1:
        return net.gain[0].rate
    if parameter == "gamma_e" and len(net.loss) == 1:
        return net.loss[0].rate
    if parameter in ("gamma", "nu", "n0", "n_th_over_n0"):
        return float(getattr(net, parameter))
    raise ValueError(f"continue_branch: give value= for the parameter {parameter!r}")


__all__ = [
    "Bifurcation",
    "Branch",
    "ContinuationOptions",
    "Curve",
    "NetworkSystem",
    "System",
    "continue_branch",
    "follow",
    "switch_branch",
]
