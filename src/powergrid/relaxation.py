"""Relaxation time of a steady state (the paper's Fig. 3c, procedure of Appendix F).

From a stable fixed point A (polished to the rounding floor by ``deterministic``), alpha_1 is kicked by
``kick`` (the paper's delta alpha_1 = 0.1), the noise-free dynamics is integrated, and the times
t_hi, t_lo at which the deviation |delta |alpha_1|^2| falls for the last time below ``hi`` = 1e-5
and ``lo`` = 1e-8 give tau_r = (t_lo - t_hi) / ln(hi/lo). The kick is along the phase of alpha_1
('radial', the decision of config.yaml), across it ('tangential'), or any complex vector c with
one entry per site: delta alpha_l = kick * c_l/||c|| * alpha_l/|alpha_l|, each entry in its own
site's frame (Re: radial, Im: tangential), so that a direction does not depend on the arbitrary
global phase of the fixed point; 'radial' is c = e_1, 'tangential' c = i e_1 (e_1: the gain site).

Integration: RK4 in the frame co-rotating with the fixed point (beta = alpha e^{i omega t}, which
keeps |beta_1|^2 = |alpha_1|^2). There A is an exact fixed point of the RK4 map, so the step sets no
offset in |alpha_1|^2: in the lab frame RK4 at step 0.01 shifts a rotating state's |alpha_1|^2 by
~2e-10 (2 % of lo at N = 4) and tau_r by up to 0.5 %; in the co-rotating frame a step of 0.05 is
more accurate than that and 5x cheaper. The passages are still found on the ``dt`` grid: between
steps, alpha_1 is the cubic Hermite interpolant of its values and derivatives at the step ends.

Cross-check: the linearisation in the co-rotating frame predicts that the late decay of
delta |alpha_1|^2 is set by the slowest eigenmode that both the kick excites and |alpha_1|^2
sees; ``slowest_visible_mode`` returns its time constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .deterministic import (
    SteadyState,
    _Compiled,
    _plain_ref,
    _raise_option_problem,
    _rhs,
    corotating_jacobian,
    option_number_problem,
    rk4_work,
)
from .model import Network

DIRECTIONS = ("radial", "tangential")


@dataclass(frozen=True)
class RelaxationOptions:
    kick: float = 0.1  # |delta alpha_1| in units of sqrt(n0)
    dt: float = 0.01  # time grid (1/g) on which the deviation is checked (the last passages)
    hi: float = 1e-5  # upper threshold on |delta |alpha_1|^2| (units of n0)
    lo: float = 1e-8  # lower threshold
    t_max: float = 2e5  # give up (tau_r = nan) if the deviation is not below lo by then
    chunk: float = 200.0  # integration time between checks (1/g)
    # RK4 step (1/g) in the frame co-rotating with the fixed point (a whole number of dt): there the
    # fixed point is an exact fixed point of the RK4 map, so |alpha_1|^2 has no step-size offset
    # (in the lab frame RK4 at 0.01 shifts it by ~2e-10, 2 % of lo, for N = 4 rotating states);
    # the deviation between steps is the cubic Hermite interpolant of alpha_site.
    step: float = 0.05

    def __post_init__(self):
        _raise_option_problem(self, relaxation_options_problem(vars(self)))


def relaxation_options_problem(values, ref=None) -> tuple[str, str] | None:
    """The first problem of RelaxationOptions ``values`` (field -> value, every field) as
    (field, what it must be), or None; ``ref`` as in ``deterministic.steady_state_options_problem``
    (powergrid.config checks its relaxation section with this)."""
    ref = ref or _plain_ref(values)
    problem = option_number_problem(values)  # every option is > 0
    if problem is not None:
        return problem
    v = values
    if v["hi"] <= v["lo"]:
        return "hi", f"must be > {ref('lo')}: tau_r = (t_lo - t_hi)/ln(hi/lo) needs the upper threshold above the lower"
    if v["dt"] > v["chunk"]:
        return "dt", f"must be <= {ref('chunk')}: every chunk holds whole intervals of the checking grid"
    m = v["step"] / v["dt"]
    if m < 1 - 1e-9 or abs(m - round(m)) > 1e-9:
        return "step", f"must be a whole multiple of {ref('dt')}: the deviation is checked on the dt grid"
    if abs(v["chunk"] / v["step"] - round(v["chunk"] / v["step"])) > 1e-9:
        return "chunk", f"must be a whole multiple of {ref('step')}: a chunk ends at the end of an RK4 step"
    if v["t_max"] <= 3 * v["chunk"]:
        return "t_max", (
            f"must be > 3 chunk = {3 * v['chunk']!r}, with {ref('chunk')}: a relaxation counts only once the "
            "deviation has stayed below lo for 3 chunks, so no tau_r could be measured"
        )
    return None


@dataclass(frozen=True)
class Relaxation:
    tau: float  # (t_lo - t_hi)/ln(hi/lo); nan if it did not relax within t_max
    t_hi: float  # last time |delta| was above hi
    t_lo: float  # last time |delta| was above lo
    relaxed: bool
    tau_linear: float  # 1/|Re lambda| of the slowest mode visible in |alpha_1|^2 (nan if none)


@njit(cache=True, error_model="numpy")  # as deterministic._rhs
def _last_above(b, diag, indptr, indices, rate, n0r, nu, step, m, n_steps, site, ref, hi, lo, k0, dt, t_hi, t_lo):
    """n_steps RK4 steps of size ``step`` = m dt on the co-rotating state b (diag already shifted by
    +i omega), in place, updating the last grid times at which ||b_site|^2 - ref| exceeded hi and lo.
    The deviation is checked at the m points of the dt grid within each step: b_site there is the
    cubic Hermite interpolant of its values and derivatives at the step ends (exact at the end; its
    error, O(step^4), is far below lo). k0: grid index at the start (t = k dt, no accumulated sum)."""
    n = b.shape[0]
    k1, k2, k3, k4, tmp = rk4_work(n)
    _rhs(b, diag, indptr, indices, rate, n0r, nu, k1)
    # The RK4 step is written out as in deterministic._rk4_steps, with f at the step's end kept as
    # the next step's k1 (the interpolation needs it). Factoring one step into a shared function
    # made this kernel 7 % and the steady-state integration 15 % slower (numba 0.68, measured).
    for s_ in range(n_steps):
        b0, f0 = b[site], k1[site]
        for l in range(n):
            tmp[l] = b[l] + 0.5 * step * k1[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k2)
        for l in range(n):
            tmp[l] = b[l] + 0.5 * step * k2[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k3)
        for l in range(n):
            tmp[l] = b[l] + step * k3[l]
        _rhs(tmp, diag, indptr, indices, rate, n0r, nu, k4)
        for l in range(n):
            b[l] += step / 6.0 * (k1[l] + 2.0 * k2[l] + 2.0 * k3[l] + k4[l])
        _rhs(b, diag, indptr, indices, rate, n0r, nu, k1)  # the next step's k1
        b1, f1 = b[site], k1[site]
        for j in range(1, m + 1):
            if j == m:
                y = b1
            else:
                x = j / m
                x2 = x * x
                x3 = x2 * x
                y = (2 * x3 - 3 * x2 + 1) * b0 + (x3 - 2 * x2 + x) * step * f0
                y += (3 * x2 - 2 * x3) * b1 + (x3 - x2) * step * f1
            dev = abs(y.real * y.real + y.imag * y.imag - ref)
            if dev > lo:
                t_lo = (k0 + s_ * m + j) * dt
                if dev > hi:
                    t_hi = (k0 + s_ * m + j) * dt
    return t_hi, t_lo


def kick_vector(direction, n_sites: int, site: int) -> np.ndarray:
    """The unit complex vector of a direction: a name in DIRECTIONS (on ``site``) or any vector."""
    if isinstance(direction, str):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction = {direction!r}; expected one of {DIRECTIONS} or a complex vector")
        out = np.zeros(n_sites, np.complex128)
        out[site] = 1j if direction == "tangential" else 1.0
        return out
    vec = np.asarray(direction, np.complex128)
    norm = float(np.linalg.norm(vec)) if vec.shape == (n_sites,) else float("nan")
    if not (np.isfinite(norm) and norm > 0):
        raise ValueError(
            f"direction: need a name in {DIRECTIONS} or a finite, nonzero complex vector of "
            f"{n_sites} entries, got {direction!r}"
        )
    return vec / norm


def kicked_state(alpha: np.ndarray, site: int, kick: float, direction) -> np.ndarray:
    """alpha moved by ``kick`` along ``direction`` (see the module docstring): a name moves
    alpha_site along its own phase (radial) or across it; a complex vector moves every site."""
    out = np.array(alpha, dtype=np.complex128)
    vec = kick_vector(direction, out.size, site)
    for l in np.flatnonzero(vec):  # untouched sites keep their bits (even the sign of a zero)
        unit = alpha[l] / abs(alpha[l]) if abs(alpha[l]) > 0 else 1.0
        out[l] += kick * unit * vec[l]
    return out


def relaxation_time(
    net: Network, steady: SteadyState, direction="radial", options: RelaxationOptions = RelaxationOptions()
) -> Relaxation:
    """tau_r of a stable fixed point (kind 'stationary' or 'rotating') after a kick: ``direction``
    is 'radial', 'tangential' (alpha_1, the gain site) or a complex vector, one entry per site
    (see ``kicked_state``); tau_r follows |alpha_1|^2 in every case."""
    if steady.kind not in ("stationary", "rotating"):
        raise ValueError(f"relaxation time needs a fixed point, got a {steady.kind!r} state")
    site = net.gain[0].site
    comp = _Compiled.of(net)
    ref = abs(steady.alpha[site]) ** 2
    start = kicked_state(steady.alpha, site, options.kick, direction)
    # beta = alpha e^{i omega t}: |beta_site|^2 = |alpha_site|^2, and A is a fixed point of the RK4 map
    a = start.copy()
    diag, indptr, indices, rate, n0r, nu = comp.args()
    diag = diag + 1j * steady.omega
    m = int(round(options.step / options.dt))
    n_chunk = int(round(options.chunk / options.step))
    k, t, t_hi, t_lo = 0, 0.0, 0.0, 0.0
    while t < options.t_max:
        t_hi, t_lo = _last_above(
            a,
            diag,
            indptr,
            indices,
            rate,
            n0r,
            nu,
            m * options.dt,
            m,
            n_chunk,
            site,
            ref,
            options.hi,
            options.lo,
            k,
            options.dt,
            t_hi,
            t_lo,
        )
        k += n_chunk * m
        t = k * options.dt
        if not np.all(np.isfinite(a)):
            raise FloatingPointError(f"relaxation diverged at t = {t:g} for {net}")
        if _quiet(t, t_hi, t_lo, options):
            break
    relaxed = _quiet(t, t_hi, t_lo, options)
    tau = (t_lo - t_hi) / math.log(options.hi / options.lo) if relaxed else float("nan")
    return Relaxation(
        tau, t_hi, t_lo, relaxed, slowest_visible_mode(comp, steady.alpha, steady.omega, start - steady.alpha, site)
    )


def _quiet(t, t_hi, t_lo, options) -> bool:
    """Below lo for several chunks and for a quarter of the time the fall from hi to lo took
    (so that a slowly beating envelope cannot come back above lo unseen)."""
    return t - t_lo > max(3 * options.chunk, 0.25 * (t_lo - t_hi))


def slowest_visible_mode(comp: _Compiled, alpha, omega, perturbation, site, visibility=1e-6) -> float:
    """1/|Re lambda| of the slowest co-rotating eigenmode excited by ``perturbation`` whose
    linear effect on |alpha_site|^2 is non-negligible (the phase mode excluded)."""
    n = alpha.size
    lam, vec = np.linalg.eig(corotating_jacobian(comp, alpha, omega))
    coef = np.linalg.solve(vec, np.r_[perturbation.real, perturbation.imag])
    grad = np.zeros(2 * n)
    grad[site], grad[n + site] = 2 * alpha[site].real, 2 * alpha[site].imag
    weight = np.abs(coef * (grad @ vec))
    phase_mode = np.argmin(np.abs(lam))
    visible = (weight > visibility * weight.max()) & (np.arange(2 * n) != phase_mode) & (lam.real < 0)
    if not visible.any():
        return float("nan")
    return float(1.0 / np.min(np.abs(lam.real[visible])))
