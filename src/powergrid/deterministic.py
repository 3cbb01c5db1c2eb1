"""Steady states of the noise-free equations of motion (eqs. 3-5 without noise) on any network.

The long-time state from a given start is found by compiled RK4 integration, cut short by a
Newton solve for a rotating fixed point alpha_l(t) = A_l exp(-i omega t) once the occupations
have settled (the phase of A is fixed at its largest component). A fixed point is accepted only
if it is linearly stable in the co-rotating frame and the trajectory is already close to it.
Otherwise the integration runs to ``t_max`` and the attractor is sampled over ``t_window``:
its kind (periodic or quasi-periodic in |alpha|) and the time-mean, min and max of every current.
A start that is exactly zero never leaves the origin (a fixed point of every network): the result
is the 'zero' state, converged only if the origin is linearly stable.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit

from .model import Network

KINDS = ("zero", "stationary", "rotating", "periodic", "quasi-periodic")
STEADY_KINDS = ("zero", "stationary", "rotating")  # fixed points: |alpha_l| does not change in time


@dataclass(frozen=True)
class SteadyStateOptions:
    dt: float = 0.1  # RK4 step (1/g)
    t_max: float = 8000.0  # longest integration (1/g)
    t_settle: float = 1500.0  # earliest time a non-stationary attractor is accepted (1/g)
    t_window: float = 500.0  # window whose statistics must repeat on a non-stationary attractor
    window_tol: float = 0.03  # relative agreement of consecutive windows (mean and range)
    check_interval: float = 50.0  # time between convergence checks (1/g)
    newton_trigger: float = 0.05  # relative change of occupations per interval that triggers Newton
    accept_distance: float = 0.25  # max relative distance of the trajectory from an accepted fixed point
    newton_tol: float = 1e-11  # residual of an accepted fixed point, relative to max |A|
    stability_tol: float = 1e-9  # growth rates below this count as stable
    omega_tol: float = 1e-8  # |omega| below this counts as stationary (not rotating)
    zero_occupation: float = 1e-20  # total occupation below which no fixed point is sought
    linear_occupation: float = 1e-4  # max |alpha|^2 below which saturation is negligible
    start_amplitude: float = 1e-3  # scale of the seeded random start, in units of sqrt(n0)
    periodic_tol: float = 1e-3  # relative spread of the peaks of |alpha|^2 on a periodic orbit

    def __post_init__(self):
        _raise_option_problem(self, steady_state_options_problem(vars(self)))


# Options that may be zero (t_settle, omega_tol) or of either sign (stability_tol); all others > 0
_STEADY_NON_NEGATIVE = ("t_settle", "omega_tol")
_STEADY_ANY_SIGN = ("stability_tol",)


def steady_state_options_problem(
    values: Mapping[str, float], ref: Callable[[str], str] | None = None
) -> tuple[str, str] | None:
    """The first problem of SteadyStateOptions ``values`` (field -> value, every field) as
    (field, what it must be), or None. ``ref(field)`` names another field and its value in the
    text ("t_max = 8000.0" by default); powergrid.config checks its solver section with this."""
    ref = ref or _plain_ref(values)
    problem = option_number_problem(values, non_negative=_STEADY_NON_NEGATIVE, any_sign=_STEADY_ANY_SIGN)
    if problem is not None:
        return problem
    v = values
    if v["dt"] > v["check_interval"]:
        return "dt", f"must be <= {ref('check_interval')}: convergence is checked every whole number of RK4 steps"
    if v["check_interval"] > v["t_window"]:
        return (
            "check_interval",
            f"must be <= {ref('t_window')}: a window of statistics is a whole number of check intervals",
        )
    need = max(v["t_settle"], v["t_window"]) + v["t_window"]
    if v["t_max"] < need:
        return "t_max", (
            f"must be >= max(t_settle, t_window) + t_window = {need!r}, with {ref('t_settle')} and {ref('t_window')}: "
            "an oscillating attractor is accepted when two consecutive windows after t_settle agree, "
            "so none could converge"
        )
    return None


def option_number_problem(values: Mapping[str, float], non_negative=(), any_sign=()) -> tuple[str, str] | None:
    """(field, what it must be) of the first value that is not a finite real number, or that is
    not > 0 (>= 0 for the fields in ``non_negative``, any sign for those in ``any_sign``)."""
    for field, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return field, "must be a real number"
        if not math.isfinite(value):
            return field, "must be a finite number"
        if field in any_sign:
            continue
        if field in non_negative:
            if value < 0:
                return field, "must be >= 0"
        elif value <= 0:
            return field, "must be > 0"
    return None


def _plain_ref(values):
    return lambda field: f"{field} = {values[field]!r}"


def _raise_option_problem(options, problem):
    if problem is not None:
        field, expected = problem
        raise ValueError(f"{type(options).__name__}.{field} = {getattr(options, field)!r}: {expected}")


@dataclass(frozen=True)
class SteadyState:
    kind: str  # one of KINDS
    alpha: np.ndarray  # fixed point A (largest component real) or the final state
    omega: float  # rotation frequency of a fixed point; nan on cycles
    occupation: np.ndarray  # time-mean |alpha_l|^2 per site
    J_mean: np.ndarray  # per edge, J = g Im(alpha_i^* alpha_j), time mean
    J_min: np.ndarray
    J_max: np.ndarray
    # stable fixed point, stable zero, or cycle statistics repeated over windows; False for an exactly
    # zero start on a network whose origin is not linearly stable (kind 'zero', growth_rate >= 0):
    # the dynamics never leaves that fixed point, but it is not the attractor
    converged: bool
    residual: float  # |dA/dt + i omega A|_inf of the fixed point; nan on cycles
    growth_rate: float  # largest Re of the co-rotating Jacobian (phase mode removed); nan on cycles
    t_final: float  # integrated time (1/g)
    newton_solves: int = 0


# ---------------------------------------------------------------------------------------------
# compiled kernels


# The kernels use numpy's error model: Python's (the default) checks every division for zero, and
# that check kept LLVM from compiling the right-hand side into a tight loop (1.7x per RK4 step,
# benchmarks/steady_state.py --kernel). Nothing here divides by zero: n0r > 0, 1 + x/n0r >= 1.
@njit(inline="always", error_model="numpy")
def _saturation(x, n0r, nu):
    """f^2 = (1 + x/n0r)^(-nu); for the paper's nu = 1, 2, 3 as products of 1/(1 + x/n0r), which
    cost a fraction of pow() (as sde._f2)."""
    if nu == 2.0:
        q = 1.0 / (1.0 + x / n0r)
        return q * q
    if nu == 1.0:
        return 1.0 / (1.0 + x / n0r)
    if nu == 3.0:
        q = 1.0 / (1.0 + x / n0r)
        return q * q * q
    return (1.0 + x / n0r) ** (-nu)


@njit(cache=True, error_model="numpy")
def _rhs(a, diag, indptr, indices, rate, n0r, nu, out):
    n = a.shape[0]
    for l in range(n):
        s = 0j
        for p in range(indptr[l], indptr[l + 1]):
            s += a[indices[p]]
        r = diag[l]
        if rate[l] != 0.0:
            x = a[l].real * a[l].real + a[l].imag * a[l].imag
            r += 0.5 * rate[l] * _saturation(x, n0r[l], nu)
        out[l] = r * a[l] + 0.5j * s


@njit(cache=True, error_model="numpy")
def _rk4_steps(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, k1, k2, k3, k4, tmp):
    """n_steps of classical RK4 on a, in place, with caller-provided work arrays."""
    n = a.shape[0]
    for _ in range(n_steps):
        _rhs(a, diag, indptr, indices, rate, n0r, nu, k1)
        for l in range(n):
            tmp[l] = a[l] + 0.5 * dt * k1[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k2)
        for l in range(n):
            tmp[l] = a[l] + 0.5 * dt * k2[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k3)
        for l in range(n):
            tmp[l] = a[l] + dt * k3[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k4)
        for l in range(n):
            a[l] += dt / 6.0 * (k1[l] + 2.0 * k2[l] + 2.0 * k3[l] + k4[l])


@njit(cache=True)
def rk4_work(n):
    """The five work arrays of _rk4_steps for n sites."""
    return (
        np.empty(n, np.complex128),
        np.empty(n, np.complex128),
        np.empty(n, np.complex128),
        np.empty(n, np.complex128),
        np.empty(n, np.complex128),
    )


@njit(cache=True, error_model="numpy")
def _rk4(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, edges, sample_every):
    """n_steps of RK4 on a (in place). With sample_every > 0 it also returns, over all steps,
    the per-edge mean/min/max of J and the per-site mean |alpha|^2, and every sample_every steps
    the occupations (to classify an oscillating attractor)."""
    n = a.shape[0]
    m = edges.shape[0]
    k1, k2, k3, k4, tmp = rk4_work(n)
    j_sum = np.zeros(m)
    j_min = np.full(m, np.inf)
    j_max = np.full(m, -np.inf)
    occ_sum = np.zeros(n)
    samples = np.empty((n_steps // sample_every if sample_every > 0 else 0, n))
    if sample_every <= 0:
        _rk4_steps(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, k1, k2, k3, k4, tmp)
        return j_sum, j_min, j_max, occ_sum, samples
    until, row = sample_every, 0  # steps to the next sample, its row (a counter, not a division per step)
    for _ in range(n_steps):
        _rk4_steps(a, diag, indptr, indices, rate, n0r, nu, dt, 1, k1, k2, k3, k4, tmp)
        for e in range(m):
            ai = a[edges[e, 0]]
            aj = a[edges[e, 1]]
            j = ai.real * aj.imag - ai.imag * aj.real
            j_sum[e] += j
            j_min[e] = min(j_min[e], j)
            j_max[e] = max(j_max[e], j)
        for l in range(n):
            occ_sum[l] += a[l].real * a[l].real + a[l].imag * a[l].imag
        until -= 1
        if until == 0:
            until = sample_every
            for l in range(n):
                samples[row, l] = a[l].real * a[l].real + a[l].imag * a[l].imag
            row += 1
    return j_sum / max(n_steps, 1), j_min, j_max, occ_sum / max(n_steps, 1), samples


# ---------------------------------------------------------------------------------------------
# the network in the form the kernels take


@dataclass(frozen=True)
class _Compiled:
    diag: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    rate: np.ndarray
    n0r: np.ndarray
    nu: float
    edges: np.ndarray
    adjacency: np.ndarray

    @classmethod
    def of(cls, net: Network) -> _Compiled:
        adj = net.adjacency
        indptr = np.zeros(net.n_sites + 1, np.int64)
        indices = []
        for l in range(net.n_sites):
            nb = np.nonzero(adj[l])[0]
            indices.extend(nb)
            indptr[l + 1] = indptr[l] + len(nb)
        rate, n0r = net.saturable_rates()
        diag = -0.5 * net.gamma - 1j * np.asarray(net.detuning)
        return cls(
            diag.astype(np.complex128),
            indptr,
            np.asarray(indices, np.int64),
            rate,
            n0r,
            float(net.nu),
            net.edge_array,
            adj,
        )

    def args(self):
        return self.diag, self.indptr, self.indices, self.rate, self.n0r, self.nu

    def rhs(self, a):
        out = np.empty_like(a)
        _rhs(a, *self.args(), out)
        return out

    def jacobian(self, a) -> np.ndarray:
        """Real 2N x 2N Jacobian of the right-hand side in (Re alpha, Im alpha)."""
        return _jacobian(np.asarray(a, np.complex128), self.diag, self.adjacency, self.rate, self.n0r, self.nu, 0.0)


@njit(cache=True, error_model="numpy")
def _jacobian(a, diag, adjacency, rate, n0r, nu, omega):
    """The real 2N x 2N Jacobian of dA/dt = F(A) + i omega A in (Re A, Im A): the linear part
    diag + c + (i/2) adjacency, plus the saturation's derivative on the diagonal blocks."""
    n = a.size
    jac = np.zeros((2 * n, 2 * n))
    for i in range(n):
        for j in range(n):
            jac[i, n + j] = -0.5 * adjacency[i, j]
            jac[n + i, j] = 0.5 * adjacency[i, j]
    for i in range(n):
        ar, ai = a[i].real, a[i].imag
        x = abs(a[i]) ** 2
        y = 1.0 + x / n0r[i]
        c = 0.5 * rate[i] * y ** (-nu)
        dc = -0.5 * rate[i] * nu / n0r[i] * y ** (-nu - 1.0)
        jac[i, i] = diag[i].real + c + 2 * dc * ar * ar
        jac[i, n + i] = -diag[i].imag + 2 * dc * ar * ai - omega
        jac[n + i, i] = diag[i].imag + 2 * dc * ai * ar + omega
        jac[n + i, n + i] = diag[i].real + c + 2 * dc * ai * ai
    return jac


# ---------------------------------------------------------------------------------------------
# fixed points in the co-rotating frame


@dataclass(frozen=True)
class FixedPoint:
    alpha: np.ndarray
    omega: float
    residual: float
    converged: bool
    iterations: int


def rotating_fixed_point(
    net: Network, guess: np.ndarray, omega_guess: float = 0.0, *, tol: float = 1e-11, max_iter: int = 40
) -> FixedPoint:
    """Newton solve of F(A) + i omega A = 0 for (A, omega), the phase of A fixed at its largest site."""
    return _newton(_Compiled.of(net), np.asarray(guess, np.complex128), omega_guess, tol, max_iter)


# Newton converges quadratically, so once the residual is below ``tol`` a few more steps take it
# to the rounding floor. Every accepted fixed point is polished so: it is handed on to relaxation
# times, Jacobians and fits, and a residual r displaces the state by about r * tau along its
# slowest mode. At tau ~ 2e3/g a residual of 1e-11 moves |alpha_1|^2 by ~1e-8, the relaxation
# procedure's lower threshold, which made tau_r depend on the seed of the start (up to 25 %).
POLISH_STEPS = 6


def _newton(comp: _Compiled, guess, omega, tol, max_iter) -> FixedPoint:
    k = int(np.argmax(np.abs(guess)))  # Im A_k is fixed to zero
    a = guess * np.exp(-1j * np.angle(guess[k]))
    a, omega, norm, converged, it = _newton_kernel(
        a, float(omega), k, tol, max_iter, POLISH_STEPS, comp.diag, comp.indptr, comp.indices, comp.adjacency,
        comp.rate, comp.n0r, comp.nu,
    )  # fmt: skip
    return FixedPoint(a, float(omega), float(norm), bool(converged), int(it))


# The Newton solve is compiled: in numpy, its small-array overhead (~0.3 ms a step) was half the
# CPU of a steady state on the N = 10 maps.
@njit(cache=True, error_model="numpy")
def _residual(a, omega, diag, indptr, indices, rate, n0r, nu, res):
    """res = (Re, Im) of F(a) + i omega a; returns max |res|."""
    n = a.size
    f = np.empty(n, np.complex128)
    _rhs(a, diag, indptr, indices, rate, n0r, nu, f)
    norm = 0.0
    for i in range(n):
        res[i] = f[i].real - omega * a[i].imag
        res[n + i] = f[i].imag + omega * a[i].real
        norm = max(norm, abs(res[i]), abs(res[n + i]))
    return norm


@njit(cache=True, error_model="numpy")
def _newton_step(a, omega, res, norm, k, diag, indptr, indices, adjacency, rate, n0r, nu):
    """The damped Newton step from (a, omega) with Im a_k fixed: (True, a, omega, res, norm) of the
    new point, or (False, ...) of the old one when no step along the Newton direction decreases
    the residual (or the system is singular)."""
    n = a.size
    jac = _jacobian(a, diag, adjacency, rate, n0r, nu, omega)
    full = np.empty((2 * n, 2 * n))
    col = 0
    for j in range(2 * n):
        if j != n + k:
            full[:, col] = jac[:, j]
            col += 1
    for i in range(n):  # d/d omega
        full[i, 2 * n - 1] = -a[i].imag
        full[n + i, 2 * n - 1] = a[i].real
    try:
        step = np.linalg.solve(full, -res)
    except Exception:  # singular: LinAlgError
        return False, a, omega, res, norm
    da = np.zeros(2 * n)
    col = 0
    for j in range(2 * n):
        if j != n + k:
            da[j] = step[col]
            col += 1
    a_new = np.empty_like(a)
    res_new = np.empty_like(res)
    lam = 1.0
    while lam > 1e-4:  # damped step: accept only a decrease of the residual
        for i in range(n):
            a_new[i] = complex(a[i].real + lam * da[i], a[i].imag + lam * da[n + i])
        om_new = omega + lam * step[2 * n - 1]
        norm_new = _residual(a_new, om_new, diag, indptr, indices, rate, n0r, nu, res_new)
        if np.isfinite(norm_new) and norm_new < norm:
            return True, a_new, om_new, res_new, norm_new
        lam *= 0.5
    return False, a, omega, res, norm


@njit(cache=True, error_model="numpy")
def _newton_kernel(a, omega, k, tol, max_iter, polish_steps, diag, indptr, indices, adjacency, rate, n0r, nu):
    """Newton solve of F(A) + i omega A = 0 from (a, omega), Im a_k = 0: (a, omega, residual,
    converged, iterations). Converged once max |residual| < tol max(max |a|, 1), then polished by
    up to polish_steps steps while each at least halves it. A guess already at the rounding floor
    admits no decreasing step and is converged as it is."""
    res = np.empty(2 * a.size)
    norm = _residual(a, omega, diag, indptr, indices, rate, n0r, nu, res)
    it = 0
    done = norm < tol * max(np.max(np.abs(a)), 1.0)
    while not done and it < max_iter:
        ok, a, omega, res, norm = _newton_step(a, omega, res, norm, k, diag, indptr, indices, adjacency, rate, n0r, nu)
        if not ok:
            return a, omega, norm, False, max_iter
        it += 1
        done = norm < tol * max(np.max(np.abs(a)), 1.0)
    if not done:
        return a, omega, norm, False, max_iter
    for _ in range(polish_steps):  # polish to the rounding floor (see POLISH_STEPS)
        ok, a_p, om_p, res_p, norm_p = _newton_step(
            a, omega, res, norm, k, diag, indptr, indices, adjacency, rate, n0r, nu
        )
        if not ok or norm_p > 0.5 * norm:
            break
        a, omega, res, norm = a_p, om_p, res_p, norm_p
        it += 1
    return a, omega, norm, True, it


def corotating_growth_rate(net: Network, alpha: np.ndarray, omega: float) -> float:
    """Largest real part of the Jacobian eigenvalues in the frame rotating with omega, with the
    zero eigenvalue of the global phase removed (for a nonzero fixed point)."""
    return _growth_rate(_Compiled.of(net), alpha, omega)


def _growth_rate(comp: _Compiled, alpha, omega) -> float:
    return float(np.max(corotating_spectrum(comp, alpha, omega).real))


def corotating_jacobian(comp: _Compiled, alpha, omega) -> np.ndarray:
    """The real 2N x 2N Jacobian of dA/dt = F(A) + i omega A at A = alpha (the frame rotating
    with omega), in (Re A, Im A) coordinates."""
    return _jacobian(np.asarray(alpha, np.complex128), comp.diag, comp.adjacency, comp.rate, comp.n0r, comp.nu, omega)


def corotating_spectrum(comp: _Compiled, alpha, omega) -> np.ndarray:
    """The stability eigenvalues of a fixed point in its co-rotating frame: those of
    ``corotating_jacobian`` without the zero one of the global phase (for a nonzero alpha)."""
    ev = np.linalg.eigvals(corotating_jacobian(comp, alpha, omega))
    return np.delete(ev, np.argmin(np.abs(ev))) if np.max(np.abs(alpha)) > 0 else ev


def bond_currents(net: Network, alpha) -> np.ndarray:
    """J = g Im(alpha_i^* alpha_j) on each edge (i, j) of the network, in edge order."""
    return np.array([np.imag(np.conj(alpha[i]) * alpha[k]) for i, k in net.edges])


def _distance(a, fixed):
    """Relative distance of state a from the orbit {exp(i phi) fixed}."""
    overlap = abs(np.vdot(fixed, a))
    d2 = np.vdot(a, a).real + np.vdot(fixed, fixed).real - 2 * overlap
    return float(np.sqrt(max(d2, 0.0)) / max(np.linalg.norm(fixed), 1e-300))


# ---------------------------------------------------------------------------------------------
# the attractor from a given start


def random_start(net: Network, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """The default switch-on: a tiny complex Gaussian amplitude on every site."""
    return amplitude * (rng.standard_normal(net.n_sites) + 1j * rng.standard_normal(net.n_sites)) / np.sqrt(2)


def steady_state(net: Network, start: np.ndarray, options: SteadyStateOptions = SteadyStateOptions()) -> SteadyState:
    """The long-time state of the noise-free dynamics started from ``start`` (scaled amplitudes)."""
    opt = options
    comp = _Compiled.of(net)
    a = np.array(start, dtype=np.complex128)
    n_check = max(1, int(round(opt.check_interval / opt.dt)))
    linear_rate = max_linear_growth_rate(net)

    def zero_result(t, converged=True):
        m = len(net.edges)
        return SteadyState(
            "zero",
            np.zeros(net.n_sites, complex),
            0.0,
            np.zeros(net.n_sites),
            np.zeros(m),
            np.zeros(m),
            np.zeros(m),
            converged,
            0.0,
            linear_rate,
            t,
        )

    # The origin is a fixed point of every network: from exactly zero the dynamics stays there. It is
    # the attractor only if it is linearly stable; otherwise say so (growth_rate >= 0), rather than
    # integrate a constant zero into a 'converged' oscillation. (Sweeps always start nonzero.)
    if not np.any(a):
        return zero_result(0.0, converged=linear_rate < 0)
    # In the linear regime (saturation negligible) a linearly damped network decays to zero.
    if linear_rate < 0 and np.max(np.abs(a) ** 2) < opt.linear_occupation:
        return zero_result(0.0)

    t, solves = 0.0, 0
    next_try, wait = 0.0, opt.check_interval
    prev = np.abs(a) ** 2
    chunks_per_window = max(1, int(round(opt.t_window / opt.check_interval)))
    window, last_window = [], None
    every = max(1, int(round(0.5 / opt.dt)))
    while t < opt.t_max:
        # Window statistics are needed only from one window before t_settle on.
        sampling = t + n_check * opt.dt > min(opt.t_settle, opt.t_max) - opt.t_window
        stats = _rk4(a, *comp.args(), opt.dt, n_check, comp.edges, every if sampling else 0)
        t += n_check * opt.dt
        occ = np.abs(a) ** 2
        if not np.all(np.isfinite(occ)):
            raise FloatingPointError(f"steady state diverged at t = {t:g} for {net}")
        if linear_rate < 0 and np.max(occ) < opt.linear_occupation:
            return zero_result(t)
        change = np.max(np.abs(occ - prev)) / max(np.max(occ), 1e-300)
        prev = occ
        settled = change < opt.newton_trigger or (t >= next_try and change < 10 * opt.newton_trigger)
        if settled and occ.sum() >= opt.zero_occupation:
            solves += 1
            fp = _newton(comp, a, _phase_velocity(comp, a), opt.newton_tol, 25)
            if fp.converged and _distance(a, fp.alpha) < opt.accept_distance:
                growth = _growth_rate(comp, fp.alpha, fp.omega)
                if growth < opt.stability_tol:
                    return _fixed_point_result(net, fp, growth, t, solves, opt)
            next_try, wait = t + wait, min(2 * wait, 16 * opt.check_interval)
        if not sampling:
            continue
        window.append(stats)
        if len(window) == chunks_per_window:
            current = _merge(window)
            if t >= opt.t_settle and last_window is not None and _same_statistics(current, last_window, opt):
                return _sampled_result(net, a, _merge([last_window, current], weights=(1, 1)), t, solves, opt, True)
            last_window, window = current, []
    final = _merge(window) if window else last_window
    return _sampled_result(net, a, final, t, solves, opt, False)


def _merge(chunks, weights=None):
    """Combine (j_mean, j_min, j_max, occ_mean, samples) of equally long pieces of trajectory."""
    w = np.ones(len(chunks)) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    return (
        sum(wi * c[0] for wi, c in zip(w, chunks)),
        np.min([c[1] for c in chunks], axis=0),
        np.max([c[2] for c in chunks], axis=0),
        sum(wi * c[3] for wi, c in zip(w, chunks)),
        np.concatenate([c[4] for c in chunks]),
    )


def _same_statistics(x, y, opt) -> bool:
    """Two consecutive windows agree in the mean and the range of every occupation and current:
    the trajectory is on its attractor, not in a transient. Ranges are compared relative to
    themselves, so a slowly damped oscillation around a fixed point (shrinking) never passes."""
    tol = opt.window_tol
    occ_range = [np.ptp(w[4], axis=0) for w in (x, y)]
    j_range = [w[2] - w[1] for w in (x, y)]
    occ_scale = max(np.max(x[3]), 1e-300)
    j_scale = max(np.max(np.abs(x[0])), np.max(j_range[0]), 1e-300)
    return (
        np.max(np.abs(x[3] - y[3])) <= tol * occ_scale
        and np.max(np.abs(x[0] - y[0])) <= tol * j_scale
        and np.max(np.abs(occ_range[0] - occ_range[1])) <= tol * max(np.max(occ_range[0]), 1e-300)
        and np.max(np.abs(j_range[0] - j_range[1])) <= tol * max(np.max(j_range[0]), 1e-300)
    )


def _phase_velocity(comp: _Compiled, a) -> float:
    """omega estimate from dA/dt = -i omega A, projected on the current state."""
    return float(np.real(1j * np.vdot(a, comp.rhs(a)) / max(np.vdot(a, a).real, 1e-300)))


def _fixed_point_result(net, fp: FixedPoint, growth, t, solves, opt) -> SteadyState:
    a = fp.alpha
    j = bond_currents(net, a)
    kind = "stationary" if abs(fp.omega) < opt.omega_tol else "rotating"
    return SteadyState(kind, a, fp.omega, np.abs(a) ** 2, j, j.copy(), j.copy(), True, fp.residual, growth, t, solves)


def _sampled_result(net, a, stats, t, solves, opt, converged) -> SteadyState:
    j_mean, j_min, j_max, occ, samples = stats
    kind = classify_oscillation(samples, opt.periodic_tol)
    return SteadyState(
        kind, a.copy(), float("nan"), occ, j_mean, j_min, j_max, converged, float("nan"), float("nan"), t, solves
    )


def classify_oscillation(occupations: np.ndarray, periodic_tol: float) -> str:
    """'periodic' if the maxima of the most strongly varying |alpha_l|^2 repeat, else 'quasi-periodic'."""
    site = int(np.argmax(np.ptp(occupations, axis=0)))
    x = occupations[:, site]
    peaks = x[1:-1][(x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:])]
    if peaks.size < 3:
        return "quasi-periodic"
    return "periodic" if np.ptp(peaks) <= periodic_tol * np.max(np.abs(peaks)) else "quasi-periodic"


def max_linear_growth_rate(net: Network) -> float:
    """Largest real part of the eigenvalues of the unsaturated (linear) network, Appendix B."""
    return float(np.max(np.linalg.eigvals(net.unsaturated_matrix()).real))
