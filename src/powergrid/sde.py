"""Ensembles of the semiclassical Ito SDE (eqs. 3-5 of the letter) on any network.

The equations
-------------
In physical amplitudes (eqs. 3-5, generalised to any ``Network``)::

    d a_l = [ (M a)_l + (s_l/2) Gamma_l f^2(|a_l|^2 / n0_l) a_l ] dt + sqrt(D_l) dW_l

with M = ``net.linear_matrix()`` (hopping i g/2 on every edge, detuning, bath damping -gamma/2),
s_l = +1 at a gain site, -1 at a loss site, f^2(n) = (1 + n)^(-nu), n0_l = n0 * n0_ratio_l,
D_l = gamma N_th + Gamma_l f^2(|a_l|^2 / n0_l) at a gain site (the quantum noise of eq. 3) and
D_l = gamma N_th elsewhere (eqs. 4, 5: a loss reservoir adds no noise). The noise is complex,
dW = (dW_x + i dW_y)/sqrt(2) with dW_x, dW_y ~ N(0, dt), so E|dW|^2 = dt: this is the
normalisation <xi xi^*> = delta(t - t') of the paper, fixed by the Fokker-Planck equations (S8),
(S16), whose diffusion term D d^2/(d a d a^*) belongs to exactly this noise (eq. 4 alone gives
d<|a|^2>/dt = -gamma <|a|^2> + gamma N_th, so <|a|^2> = N_th in equilibrium).

Scaling: with alpha = a / sqrt(n0) (the unit of the whole package) the drift keeps its form (it
is linear in a apart from f^2, whose argument |a|^2/n0_l = |alpha|^2/n0_ratio_l) and the noise
is divided by sqrt(n0)::

    d alpha_l = [ (M alpha)_l + (s_l/2) Gamma_l f^2(|alpha_l|^2/n0_ratio_l) alpha_l ] dt
                + sqrt( gamma N_th/n0 + [gain] Gamma_l f^2(|alpha_l|^2/n0_ratio_l) / n0 ) dW_l

so thermal noise enters through ``n_th_over_n0`` and quantum noise is suppressed as 1/n0. The
current J = Im(alpha_i^* alpha_j) of an (oriented) edge (i, j) is in units of g n0.

The integrator is a Strang splitting with the linear part exact: ``reference_step`` states it
next to its equations, in plain NumPy; the compiled kernel performs the same IEEE operations in
the same order (tests/test_sde_engine.py: bit for bit on given normals, ``kernel_step``).

Ensembles and random numbers
----------------------------
Seeds, chunks (``first_trajectory`` + ``EnsembleResult.merge``), blocks and threads as described
in ``powergrid.trajectory_ensemble``: the numbers depend neither on ``threads``, nor on
``block_steps``, nor on chunking. Each step takes a fixed number of increments from the
trajectory's own stream: 2 per gain site, then 2 per mode if N_th > 0 (the start, unless given,
takes 2 n_sites normals first, via Generator.standard_normal). ``noise`` picks the increments
(``NOISES``):

- ``"three-point"`` (the default): xi = +-sqrt(3) with probability 1/6 each and 0 with
  probability 2/3. Its moments through the fifth are those of a standard normal (0, 1, 0, 3, 0),
  so every weak (averaged) quantity of a scheme of weak order <= 2 converges as with normals:
  the simplified weak schemes of Kloeden & Platen, "Numerical Solution of Stochastic
  Differential Equations", sec. 14.2. Everything this package computes from the SDE is a
  weak quantity (time and ensemble means, variances, histograms of many steps). The draws come
  from a xoshiro256** stream per trajectory (seeded with four 64-bit words of the trajectory's
  PCG64 Generator after its start), two 32-bit draws per 64-bit output, vectorised over the
  lanes: about 0.6 ns per draw against 2.7 ns for the ziggurat normals (benchmarks/cost_scaling.py).
- ``"gaussian"``: normals, numpy's float32 ziggurat evaluated in float64 (23-bit resolution
  within a layer, exact tails), two per 64-bit draw of the Generator's PCG64, consumed strictly
  in sequence. They are not numpy's ``standard_normal`` (the float64 ziggurat, one per 64-bit
  draw). The reference of the three-point increments in benchmarks/sde.py and tests/test_sde.py.

The two give the same statistics, not the same numbers. Every SDE table records its ``normals``
(``NOISES[noise]``). Both reach into numba's internal bit-generator bindings; without them
importing this module fails (ImportError), never a silent fallback.

Statistics
----------
After ``t_transient``, every ``sample_every``-th step of ``t_average`` (counted from its first, so
blocks and chunks do not matter; default every step) enters the per-trajectory time means of J and
J^2 per edge, |alpha|^2 per site and Gbar = sum_loss Gamma_e f^2 - sum_gain Gamma_i f^2; ensemble
values and standard errors: ``ensemble_statistics``. The observables cost more than the step they
follow (a chain of 10: 1.45x the step), and samples closer than the time over which J and |alpha|^2
decorrelate (~1/g: the hopping) add almost nothing to a time mean over thousands of 1/g, so the
workflow samples every 0.1/g (benchmarks/sde_sampling.py measures what that changes). The
statistics are honest when n_traj is not tiny (>= 10, say) and t_transient covers the relaxation
(~1/gamma in the symmetric phase).

Divergence: a trajectory whose total occupation sum_l |alpha_l|^2 turns NaN, overflows or exceeds
``divergence_limit`` (1e6 times ``occupation_bound``, the most that saturable gain, noise and the
start can supply against gamma: at most ~ (Gamma_i n0_ratio + noise)/gamma for nu >= 1, derived
there) stops the run with FloatingPointError ("SDE diverged ...", naming the parameters and the
time); checked every ZBLOCK steps in the kernel. So an integration that the step size has thrown
off (Gamma_i = 1e12 at dt = 1e-2 jumps to sum |alpha|^2 ~ 1e31) fails instead of returning numbers;
the check reads the state only, and a run that passes it has the numbers it had without it.

Histograms (Fig. 3b): with ``histogram=HistogramGrid(...)`` every ``every``-th averaging step
(counted from the start of the averaging window, so blocks and chunks do not matter) adds
(Re alpha_l, Im alpha_l) of every site to a 2-D histogram on a uniform grid; counts are exact
integers summed over trajectories, samples outside the grid are counted in ``outside``.

Compiled code: one kernel per network *structure* (sites, edges, reservoir sites and kinds, nu in
{1, 2, 3} or general, thermal noise on/off, histogram on/off) is generated as straight-line Python
source per trajectory (``_Structure.source``) and compiled by numba; rates, gamma, dt and noise
strengths are arguments, so one compilation (a few seconds, cached on disk in
$POWERGRID_KERNEL_DIR or ~/.cache/powergrid, never in the repository) serves a whole sweep. Why
generated: with the sites unrolled the state of a trajectory stays in registers and the compiler
vectorises the loop over LANES independent trajectories ("lanes"); a plain loop kernel of the
same arithmetic gives the same numbers but takes 2.2-2.6x the CPU time per site-step
(benchmarks/sde.py, part 4). Lanes never interact and every lane performs the same IEEE operations
in the same order (numba uses no fast-math and fuses no multiply-adds), so a trajectory's numbers
do not depend on its group. The generated ``steps`` takes its increments as input (``kernel_step``
runs it on given ones); ``kernel`` draws them (``_fill_three_point`` or ``_fill``) and calls it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
from numba import njit

from .model import Network
from .trajectory_ensemble import (  # noqa: F401 - ensemble_statistics, trajectory_seeds: public here too
    TrajectoryEnsemble,
    check_callable,
    check_int,
    describe,
    ensemble_statistics,
    merged_fields,
    trajectory_seeds,
)

try:  # the raw draws of a Generator's bit generator, as numba's own Generator methods use them
    from numba.np.random._constants import fi_float, ki_float, wi_float, ziggurat_nor_inv_r, ziggurat_nor_r
    from numba.np.random.generator_core import next_double, next_uint32, next_uint64
except ImportError as err:  # pragma: no cover - depends on the numba version
    raise ImportError(
        f"powergrid.sde draws its normals through numba's internal bit-generator bindings "
        f"(numba.np.random.generator_core.next_uint64, next_uint32, next_double and the ziggurat tables "
        f"of numba.np.random._constants), which numba {numba.__version__} lacks ({err}). There is no "
        f"fallback: other normals would change every number of the SDE tables. Install the numba pinned "
        f"in pyproject.toml (0.68.1)."
    ) from err

DEFAULT_DT = 1e-2  # 1/g; the evidence is in tests/test_sde.py and benchmarks/sde.py
DEFAULT_T_TRANSIENT = 5000.0  # 1/g: 5/gamma at gamma = 1e-3, the paper's transient (config.yaml)
DEFAULT_T_AVERAGE = 10000.0  # 1/g per trajectory, as most SDE datasets of config.yaml
START_AMPLITUDE = 1e-3  # scale of the seeded random start, in units of sqrt(n0)
DIVERGED = 1e150  # a total occupation above this (or NaN) always counts as a divergence
DIVERGENCE_FACTOR = 1e6  # ... and so does one above this many times (occupation_bound + 1)
LANES = 16  # trajectories advanced together by one kernel call (independent lanes)
ZBLOCK = 128  # steps whose normals are drawn at a time into the lanes' buffer
METHOD = "strang: exact linear step + OU kick, 2nd-order saturable step, Ito noise"
NOISES = {  # noise -> what a table records as its ``normals`` (module docstring)
    "three-point": "three-point: +-sqrt(3) w.p. 1/6 each, 0 w.p. 2/3, two per 64-bit xoshiro256** draw, "
    "one stream per trajectory seeded from its PCG64",
    "gaussian": "ziggurat32-pairs: numpy's float32 ziggurat in float64, two normals per 64-bit PCG64 draw",
}
DEFAULT_NOISE = "three-point"


@dataclass(frozen=True)
class HistogramGrid:
    """Uniform 2-D grid for (Re alpha_l, Im alpha_l) of every site; ``every``: sample cadence in steps."""

    re_range: tuple[float, float] = (-8.0, 8.0)
    im_range: tuple[float, float] = (-8.0, 8.0)
    bins: tuple[int, int] = (160, 160)
    every: int = 1

    def __post_init__(self):
        object.__setattr__(self, "re_range", tuple(float(v) for v in self.re_range))
        object.__setattr__(self, "im_range", tuple(float(v) for v in self.im_range))
        object.__setattr__(self, "bins", tuple(int(b) for b in self.bins))
        if not (self.re_range[1] > self.re_range[0] and self.im_range[1] > self.im_range[0]):
            raise ValueError(f"histogram ranges must be increasing: {self.re_range}, {self.im_range}")
        if min(self.bins) < 1 or int(self.every) < 1:
            raise ValueError(f"histogram bins and every must be >= 1: {self.bins}, {self.every}")
        object.__setattr__(self, "every", int(self.every))

    @property
    def re_edges(self) -> np.ndarray:
        return np.linspace(*self.re_range, self.bins[0] + 1)

    @property
    def im_edges(self) -> np.ndarray:
        return np.linspace(*self.im_range, self.bins[1] + 1)


@dataclass(frozen=True)
class Histogram:
    """counts[l, i, j]: samples of site l with Re alpha in bin i, Im alpha in bin j (summed over trajectories)."""

    grid: HistogramGrid
    counts: np.ndarray  # (n_sites, bins_re, bins_im) int64
    outside: np.ndarray  # (n_sites,) samples that fell outside the grid
    samples: int  # samples per site (inside + outside)

    def density(self) -> np.ndarray:
        """Probability density per site (normalised over all samples, including those outside)."""
        re, im = self.grid.re_edges, self.grid.im_edges
        area = np.diff(re)[:, None] * np.diff(im)[None, :]
        return self.counts / max(self.samples, 1) / area[None]


@dataclass(frozen=True)
class EnsembleResult:
    """Ensemble statistics of one parameter point. Units: g = 1, alpha in sqrt(n0), J in g n0.

    J_* are per oriented edge (``edges``), occupation per site; traj_* are the per-trajectory time
    means that the statistics are made of (join chunks with ``EnsembleResult.merge``).
    """

    net: Network
    dt: float
    t_transient: float
    t_average: float
    n_steps_transient: int
    n_steps_average: int
    trajectories: np.ndarray  # (n_traj,) child indices of the seed (or positions in the list)
    edges: np.ndarray  # (m, 2)
    J_mean: np.ndarray  # <J>
    J_sem: np.ndarray
    J_std: np.ndarray  # Delta J = sqrt(<J^2> - <J>^2)
    J_std_sem: np.ndarray  # jackknife over trajectories
    occupation: np.ndarray  # <|alpha_l|^2>
    occupation_sem: np.ndarray
    Gbar_mean: float  # <Gamma_e(alpha_N) - Gamma_i(alpha_1)>, summed over reservoirs
    Gbar_sem: float
    traj_J_mean: np.ndarray  # (n_traj, m)
    traj_J2_mean: np.ndarray  # (n_traj, m)
    traj_occupation: np.ndarray  # (n_traj, n)
    traj_Gbar: np.ndarray  # (n_traj,)
    final_alpha: np.ndarray  # (n_traj, n) state at the end
    histogram: Histogram | None = None
    wall_time: float = 0.0
    threads: int = 1
    method: str = METHOD
    noise: str = DEFAULT_NOISE  # the increments (NOISES)
    sample_every: int = 1  # the time means take every sample_every-th averaging step

    @property
    def n_traj(self) -> int:
        return int(self.trajectories.size)

    @classmethod
    def merge(cls, parts: Sequence[EnsembleResult]) -> EnsembleResult:
        """Join chunks of one ensemble (same network, dt and times), trajectories in the given order."""
        first = parts[0]
        f = merged_fields(
            parts,
            ("net", "dt", "n_steps_transient", "n_steps_average", "noise", "sample_every"),
            ("trajectories", "traj_J_mean", "traj_J2_mean", "traj_occupation", "traj_Gbar", "final_alpha"),
            "network, dt, t_transient, t_average, noise and sample_every",
        )
        if len({None if p.histogram is None else p.histogram.grid for p in parts}) > 1:
            raise ValueError("can only merge chunks with the same histogram grid")
        hist = None
        if first.histogram is not None:
            hist = Histogram(
                first.histogram.grid,
                sum(p.histogram.counts for p in parts),
                sum(p.histogram.outside for p in parts),
                sum(p.histogram.samples for p in parts),
            )
        return _assemble(
            first.net,
            first.dt,
            first.n_steps_transient,
            first.n_steps_average,
            f["trajectories"],
            f["traj_J_mean"],
            f["traj_J2_mean"],
            f["traj_occupation"],
            f["traj_Gbar"],
            f["final_alpha"],
            hist,
            sum(p.wall_time for p in parts),
            max(p.threads for p in parts),
            first.noise,
            first.sample_every,
        )


# ---------------------------------------------------------------------------------------------
# the scheme


@dataclass(frozen=True)
class Scheme:
    """The numbers of one step dt on one network, in the eigenmodes of the hopping: c = U^T alpha."""

    u: np.ndarray  # real orthogonal eigenvectors of K (columns): alpha = U c
    hr: np.ndarray  # exp((-gamma/2 + i lambda_k) dt/2): the exact linear half step per mode
    hi: np.ndarray
    res_site: np.ndarray  # reservoir sites (ascending), their signed bare rates and 1/n0_ratio
    res_rate: np.ndarray
    res_inv_s: np.ndarray
    nu: float
    var_th: float  # E|eta|^2 of the thermal kick: 2 (N_th/n0) sinh(gamma dt/2)
    inv_n0: float
    dt: float
    edges: np.ndarray

    @classmethod
    def of(cls, net: Network, dt: float) -> Scheme:
        # M = -gamma/2 + i K with K = adjacency/2 - diag(detuning) real symmetric: K = U diag(lam) U^T
        k = 0.5 * net.adjacency - np.diag(net.detuning)
        if not np.allclose(net.linear_matrix(), -0.5 * net.gamma * np.eye(net.n_sites) + 1j * k, rtol=0, atol=1e-14):
            raise ValueError("sde: the linear part must be uniform damping plus real symmetric hopping/detuning")
        lam, u = np.linalg.eigh(k)
        h = np.exp((-0.5 * net.gamma + 1j * lam) * (0.5 * dt))
        var_th = 2.0 * net.n_th_over_n0 * math.sinh(0.5 * net.gamma * dt)
        rate, n0r = net.saturable_rates()
        sites = np.nonzero(rate)[0].astype(np.int64)
        return cls(
            np.ascontiguousarray(u),
            h.real.copy(),
            h.imag.copy(),
            sites,
            rate[sites].astype(float),
            (1.0 / n0r[sites]).astype(float),
            float(net.nu),
            var_th,
            1.0 / float(net.n0),
            float(dt),
            net.edge_array,
        )

    @property
    def gain(self) -> np.ndarray:
        return self.res_rate > 0

    @property
    def thermal(self) -> bool:
        return bool(self.var_th > 0)

    @property
    def n_normals(self) -> int:
        """Normals per trajectory and step: 2 per gain site, then 2 per mode if N_th > 0."""
        return 2 * int(np.sum(self.gain)) + (2 * self.u.shape[0] if self.thermal else 0)

    @property
    def quantum_variance(self) -> np.ndarray:
        """Gamma_l dt / (2 n0) per reservoir, 0 at loss sites: times f^2 the variance of the real and
        of the imaginary part of the quantum kick."""
        return np.where(self.gain, 0.5 * self.res_rate * self.dt * self.inv_n0, 0.0)

    def to_modes(self, alpha: np.ndarray) -> np.ndarray:
        return alpha @ self.u  # c = U^T alpha, row by row

    def to_sites(self, c: np.ndarray) -> np.ndarray:
        return c @ self.u.T

    def structure(self, histogram: bool, noise: str = DEFAULT_NOISE) -> _Structure:
        nu = self.nu if self.nu in (1.0, 2.0, 3.0) else None
        return _Structure(
            int(self.u.shape[0]),
            tuple((int(i), int(j)) for i, j in self.edges),
            tuple(int(s) for s in self.res_site),
            tuple(bool(r > 0) for r in self.res_rate),
            nu,
            self.thermal,
            bool(histogram),
            noise,
        )

    def params(self, limit: float = DIVERGED) -> np.ndarray:
        """The numbers the kernel reads, in the order of _Structure.source; ``limit``: the total
        occupation sum_l |alpha_l|^2 at which a trajectory counts as diverged (``divergence_limit``)."""
        res = []
        for r, inv_s, cq in zip(self.res_rate, self.res_inv_s, self.quantum_variance, strict=True):
            res += [0.5 * r, inv_s, -r, cq]
        return np.array(
            [
                *self.hr,
                *self.hi,
                *self.u.ravel(),
                *res,
                float(limit),
                math.sqrt(0.5 * self.var_th),
                self.dt,
                0.5 * self.dt,
                self.nu,
            ],
            dtype=np.float64,
        )


def _f2(x, inv_s, nu):
    """f^2 = (1 + x/n0_ratio)^(-nu); nu = 1, 2, 3 as exact products (cheaper than pow)."""
    if nu == 2.0:
        q = 1.0 / (1.0 + x * inv_s)
        return q * q
    if nu == 1.0:
        return 1.0 / (1.0 + x * inv_s)
    if nu == 3.0:
        q = 1.0 / (1.0 + x * inv_s)
        return q * q * q
    return (1.0 + x * inv_s) ** (-nu)


def _dot(row, c):
    """sum_k row[k] c[k], summed in the order k = 0, 1, ... (the kernel's order)."""
    s = row[0] * c[0]
    for k in range(1, len(row)):
        s = s + row[k] * c[k]
    return s


def _complex(re, im):
    out = np.empty(np.shape(re), np.complex128)
    out.real, out.imag = re, im
    return out


def reference_step(c: np.ndarray, z: np.ndarray, scheme: Scheme) -> np.ndarray:
    """One step dt of the integrator for one trajectory, in plain NumPy: modes c (n,) complex ->
    modes after the step, given the step's normals z (``scheme.n_normals`` standard normals, in the
    order drawn: Re, Im per gain site, then Re, Im per mode if N_th > 0).

    Plain Euler-Maruyama amplifies the weakly damped hopping modes (growth omega^2 dt/2 against
    damping gamma/2) and needs dt << gamma/g^2. This is a Strang splitting with the linear part
    (hopping, detuning, gamma, thermal noise) exact; in site amplitudes one step reads::

        b  = H alpha_n                     H = expm(M dt/2): hopping, detuning, gamma, exactly
        b_l <- b_l (1 + u + u^2/2)         at every reservoir site, u = dt (k(x0) + k(x1))/2: the
                                           saturable gain/loss k(x) = (s_l/2) Gamma_l f^2(x/n0_ratio_l)
                                           integrated to 2nd order (trapezoid in the exponent of
                                           b_l(t) = b_l exp(int k dt), x0 = |b_l|^2, Euler predictor
                                           x1 = x0 (1 + dt k(x0))^2); the factor is > 0 for any dt
        b_l <- b_l + sqrt(Gamma_l f^2(x0/n0_ratio_l) dt / n0) zeta_l     at gain sites (Ito: x0)
        b   <- b + sqrt(v_th) eta          thermal kick on every site / mode
        alpha_{n+1} = H b

    with zeta, eta complex standard normals (E|zeta|^2 = 1, zeta = (z_re + i z_im)/sqrt(2)). The
    thermal variance is not the Euler value gamma (N_th/n0) dt but v_th = 2 (N_th/n0) sinh(gamma dt/2),
    the one that makes "half step, kick, half step" the exact Ornstein-Uhlenbeck transition of the
    linear part: M = -gamma/2 + i K with K real symmetric, so H H^dag = exp(-gamma dt/2) and
    H (H alpha + eta) has exactly the covariance exp(-gamma dt) C + N_th (1 - exp(-gamma dt)) of the
    exact process. Hence with Gamma = 0 the scheme samples thermal equilibrium exactly, for any dt
    (tested). Without noise it is the Strang splitting of two second-order flows: second order in
    dt. The quantum noise and the interplay of noise with the saturable drift are treated at
    Euler-Maruyama level (weak order 1); the tests show their effect at DEFAULT_DT is below the
    statistical error of long ensembles. Observables are taken from alpha_n, after the full step.

    In modes c = U^T alpha (K = U diag(lambda) U^T) H is a phase and damping factor per mode; the
    thermal kick (white and isotropic) is drawn for the modes directly (U^T maps it onto itself); a
    reservoir site reads b_l = U[l] . c and adds its change back as U[l] delta (which changes no
    other site). All reservoir sites read b before any of them changes it.
    """
    s = scheme
    dt, nu = s.dt, s.nu

    def half(cr, ci):  # b = H c, one complex factor per mode
        return s.hr * cr - s.hi * ci, s.hr * ci + s.hi * cr

    z = np.asarray(z, dtype=np.float64)
    if z.shape != (s.n_normals,):
        raise ValueError(f"reference_step takes {s.n_normals} normals per step, got shape {z.shape}")
    cr, ci = half(c.real.copy(), c.imag.copy())
    changes = []
    zi = 0
    for l, rk, inv_s, cq, gain in zip(
        s.res_site, 0.5 * s.res_rate, s.res_inv_s, s.quantum_variance, s.gain, strict=True
    ):
        br, bi = _dot(s.u[l], cr), _dot(s.u[l], ci)
        x0 = br * br + bi * bi
        f0 = _f2(x0, inv_s, nu)
        k0 = rk * f0  # k(x0)
        c0 = 1.0 + dt * k0
        x1 = x0 * c0 * c0  # Euler predictor of |b|^2 at the end
        uu = 0.5 * dt * (k0 + rk * _f2(x1, inv_s, nu))
        grow = uu * (1.0 + 0.5 * uu)  # b (1 + u + u^2/2) - b
        dr, di = grow * br, grow * bi
        if gain:  # sqrt(Gamma f^2 dt / n0) zeta, zeta = (z1 + i z2)/sqrt(2)
            sq = math.sqrt(cq * f0)
            dr, di = dr + sq * z[zi], di + sq * z[zi + 1]
            zi += 2
        changes.append((l, dr, di))
    for l, dr, di in changes:
        cr, ci = cr + s.u[l] * dr, ci + s.u[l] * di
    if s.thermal:  # sqrt(v_th) eta per mode, eta = (z1 + i z2)/sqrt(2)
        sig = math.sqrt(0.5 * s.var_th)
        cr, ci = cr + sig * z[zi::2], ci + sig * z[zi + 1 :: 2]
    return _complex(*half(cr, ci))


def reference_observables(c: np.ndarray, scheme: Scheme) -> tuple[np.ndarray, np.ndarray, float]:
    """(|alpha_l|^2 per site, J = Im(alpha_i^* alpha_j) per edge, Gbar) of one trajectory in modes c,
    as the kernel accumulates them (alpha_l = U[l] . c summed in order; Gbar summed over reservoirs
    in order)."""
    s = scheme
    xr = np.array([_dot(row, c.real) for row in s.u])
    xi = np.array([_dot(row, c.imag) for row in s.u])
    occupation = xr * xr + xi * xi
    a, b = s.edges[:, 0], s.edges[:, 1]
    current = xr[a] * xi[b] - xi[a] * xr[b]
    gbar = 0.0
    for l, rate, inv_s in zip(s.res_site, s.res_rate, s.res_inv_s, strict=True):
        gbar = gbar + -rate * _f2(xr[l] * xr[l] + xi[l] * xi[l], inv_s, s.nu)
    return occupation, current, gbar


# ---------------------------------------------------------------------------------------------
# the compiled kernel (see "Compiled code" in the module docstring)


@dataclass(frozen=True)
class _Structure:
    n: int
    edges: tuple[tuple[int, int], ...]
    res_site: tuple[int, ...]
    gain: tuple[bool, ...]
    nu: float | None  # 1, 2, 3 (exact products) or None (general power)
    thermal: bool
    histogram: bool
    noise: str  # a key of NOISES: which fill ``kernel`` calls

    @property
    def n_normals(self) -> int:
        return 2 * sum(self.gain) + (2 * self.n if self.thermal else 0)

    @property
    def rows(self) -> dict:
        """Rows of a group's work array W; row r of lane g is W[r * LANES + g]: the modes
        (Re c_0, Im c_0, Re c_1, ...), the sums of |alpha|^2, J, J^2, Gbar, the last alpha (histogram)."""
        n, m = self.n, len(self.edges)
        return dict(
            c=0,
            occ=2 * n,
            j=3 * n,
            j2=3 * n + m,
            g=3 * n + 2 * m,
            x=3 * n + 2 * m + 1,
            total=3 * n + 2 * m + 1 + (2 * n if self.histogram else 0),
        )

    def source(self) -> str:
        """Python source of ``steps`` (reference_step and the accumulation of reference_observables,
        unrolled over the sites, for every lane) and ``kernel`` (draws the increments, calls ``steps``)."""
        n, L, rows = self.n, LANES, self.rows
        pre = [f"hr{k} = P[{k}]; hi{k} = P[{n + k}]" for k in range(n)]
        idx = 2 * n
        for i in range(n):
            pre.append("; ".join(f"u{i}_{k} = P[{idx + k}]" for k in range(n)))
            idx += n
        for p in range(len(self.res_site)):
            pre.append(f"rk{p} = P[{idx}]; is{p} = P[{idx + 1}]; gr{p} = P[{idx + 2}]; cq{p} = P[{idx + 3}]")
            idx += 4
        limit = idx  # P[limit]: the divergence limit, read by ``kernel`` only
        idx += 1
        pre.append(f"SIG = P[{idx}]; DT = P[{idx + 1}]; HDT = P[{idx + 2}]; NU = P[{idx + 3}]")

        def f2(x, p):  # (lines, value) of f^2(x) at reservoir p, as _f2
            if self.nu is None:
                return [f"_q = (1.0 + {x} * is{p}) ** (-NU)"], "_q"
            return [f"_q = 1.0 / (1.0 + {x} * is{p})"], {1.0: "_q", 2.0: "_q * _q", 3.0: "_q * _q * _q"}[self.nu]

        def dot(i):  # U[i] . c, summed in order as _dot
            return (
                " + ".join(f"u{i}_{k} * cr{k}" for k in range(n)),
                " + ".join(f"u{i}_{k} * ci{k}" for k in range(n)),
            )

        def half(lines):
            for k in range(n):
                lines.append(f"_t = cr{k}; cr{k} = hr{k} * _t - hi{k} * ci{k}; ci{k} = hr{k} * ci{k} + hi{k} * _t")

        # one step of lane g (reference_step), normals z[o + i * L + g]
        step = [f"cr{k} = W[{2 * k * L} + g]; ci{k} = W[{(2 * k + 1) * L} + g]" for k in range(n)]
        half(step)
        for p, site in enumerate(self.res_site):
            tr, ti = dot(site)
            step.append(f"br{p} = {tr}; bi{p} = {ti}")
        zj = 0
        for p in range(len(self.res_site)):
            step.append(f"x0 = br{p} * br{p} + bi{p} * bi{p}")
            code, val = f2("x0", p)
            step += code + [f"f0 = {val}", f"k0 = rk{p} * f0; c0 = 1.0 + DT * k0; x1 = x0 * c0 * c0"]
            code, val = f2("x1", p)
            step += code + [
                f"uu = HDT * (k0 + rk{p} * ({val})); cc = uu * (1.0 + 0.5 * uu)",
                f"dr{p} = cc * br{p}; di{p} = cc * bi{p}",
            ]
            if self.gain[p]:
                step.append(f"sq = math.sqrt(cq{p} * f0)")
                step.append(f"dr{p} += sq * z[o + {zj * L} + g]; di{p} += sq * z[o + {(zj + 1) * L} + g]")
                zj += 2
        for k in range(n):
            tr = "".join(f" + u{site}_{k} * dr{p}" for p, site in enumerate(self.res_site))
            ti = "".join(f" + u{site}_{k} * di{p}" for p, site in enumerate(self.res_site))
            if self.thermal:
                tr += f" + SIG * z[o + {zj * L} + g]"
                ti += f" + SIG * z[o + {(zj + 1) * L} + g]"
                zj += 2
            if tr:
                step.append(f"cr{k} = cr{k}{tr}; ci{k} = ci{k}{ti}")
        half(step)
        step += [f"W[{2 * k * L} + g] = cr{k}; W[{(2 * k + 1) * L} + g] = ci{k}" for k in range(n)]
        assert zj == self.n_normals

        # the observables of lane g after the step (reference_observables), added to its sums
        acc = []
        for i in range(n):
            tr, ti = dot(i)
            acc.append(f"xr{i} = {tr}; xi{i} = {ti}")
            acc.append(f"W[{(rows['occ'] + i) * L} + g] += xr{i} * xr{i} + xi{i} * xi{i}")
        for e, (a, b) in enumerate(self.edges):
            acc.append(f"_j = xr{a} * xi{b} - xi{a} * xr{b}")
            acc.append(f"W[{(rows['j'] + e) * L} + g] += _j; W[{(rows['j2'] + e) * L} + g] += _j * _j")
        terms = []
        for p, site in enumerate(self.res_site):
            code, val = f2(f"(xr{site} * xr{site} + xi{site} * xi{site})", p)
            acc += code + [f"gb{p} = gr{p} * ({val})"]
            terms.append(f"gb{p}")
        acc.append(f"W[{rows['g'] * L} + g] += {' + '.join(terms) if terms else '0.0'}")
        hist, snapshot = [], []
        if self.histogram:  # the sites' amplitudes, for the histogram: with the observables, or alone
            x0, x1 = rows["x"] * L, (rows["x"] + n) * L
            store = [f"W[{x0 + i * L} + g] = xr{i}; W[{x1 + i * L} + g] = xi{i}" for i in range(n)]
            acc += store
            snapshot = [f"xr{i} = {dot(i)[0]}; xi{i} = {dot(i)[1]}" for i in range(n)] + store
            hist = [
                "if (first + s) % h_every == 0:",
                "    for g in range(n_live):",
                f"        for l in range({n}):",
                f"            v_re = (W[({rows['x']} + l) * {L} + g] - h_lo_re) * h_sc_re",
                f"            v_im = (W[({rows['x'] + n} + l) * {L} + g] - h_lo_im) * h_sc_im",
                "            if v_re >= 0.0 and v_im >= 0.0 and v_re < h_nx and v_im < h_ny:",
                "                hist[l, int(v_re), int(v_im)] += 1",
                "            else:",
                "                hist_out[l] += 1",
            ]

        q = self.n_normals
        fill = {"three-point": "_fill_three_point", "gaussian": "_fill"}[self.noise]
        fill_args = f"rng, z, ns * {q}" + (", n_live" if self.noise == "gaussian" else "")  # normals: live lanes only
        ind = lambda lines, k: "\n".join(" " * k + line for line in lines)  # noqa: E731
        return "\n".join(
            [
                f'"""Generated by powergrid.sde for {self!r}."""',
                "import math",
                "from numba import njit",
                f"from powergrid.sde import {fill}",
                "",
                "",
                '@njit(cache=True, nogil=True, error_model="numpy")',
                "def steps(W, P, z, hist, hist_out, h_lo_re, h_lo_im, h_sc_re, h_sc_im, h_every, n_steps, accumulate,",
                "          first, nl, n_live, every):",
                f'    """n_steps steps of lanes 0..nl-1 with the normals of step s at z[s * {q * L}:]; when',
                "    accumulating, the observables of every ``every``-th averaging step first + s and the",
                '    histogram of the live lanes at every ``h_every``-th."""',
                ind(pre, 4),
                "    h_nx = hist.shape[1]",
                "    h_ny = hist.shape[2]",
                "    for s in range(n_steps):",
                f"        o = s * {q * L}",
                "        if accumulate and (first + s) % every == 0:",
                "            for g in range(nl):",
                ind(step + acc, 16),
                *(
                    [
                        "        elif accumulate and (first + s) % h_every == 0:",
                        "            for g in range(nl):",
                        ind(step + snapshot, 16),
                    ]
                    if self.histogram
                    else []
                ),
                "        else:",
                "            for g in range(nl):",
                ind(step, 16),
                *(["        if accumulate:", ind(hist, 12)] if self.histogram else []),
                "",
                "",
                '@njit(cache=True, nogil=True, error_model="numpy")',
                "def kernel(rng, W, P, z, hist, hist_out, h_lo_re, h_lo_im, h_sc_re, h_sc_im, h_every,",
                "           n_steps, accumulate, step0, nl, n_live, every):",
                f'    """n_steps steps, increments drawn {ZBLOCK} steps at a time; -1, or the steps done when a',
                '    live lane has diverged: its total occupation is NaN or >= the limit (checked every block)."""',
                f"    limit = P[{limit}]",
                "    done = 0",
                "    while done < n_steps:",
                f"        ns = min({ZBLOCK}, n_steps - done)",
                f"        if {q} > 0:",
                f"            {fill}({fill_args})",
                "        steps(W, P, z, hist, hist_out, h_lo_re, h_lo_im, h_sc_re, h_sc_im, h_every, ns, accumulate,",
                "              step0 + done, nl, n_live, every)",
                "        done += ns",
                "        for g in range(n_live):",
                "            tot = 0.0",
                f"            for r in range({2 * n}):",
                f"                tot += W[r * {L} + g] * W[r * {L} + g]",
                "            if not tot < limit:",
                "                return done",
                "    return -1",
                "",
            ]
        )


_KERNELS: dict = {}
_SELF = Path(__file__).read_bytes()
_KERNEL_LOCK = threading.Lock()


def _kernel_dir() -> Path:
    """Generated kernels and numba's cache of them: $POWERGRID_KERNEL_DIR, else the user cache."""
    d = os.environ.get("POWERGRID_KERNEL_DIR")
    if d:
        return Path(d)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "powergrid" / "sde-kernels"


def _kernel(structure: _Structure) -> types.ModuleType:
    """The compiled module (``steps``, ``kernel``) of a structure: generated once per machine, then
    loaded from numba's disk cache."""
    with _KERNEL_LOCK:
        if structure in _KERNELS:
            return _KERNELS[structure]
        src = structure.source()
        # numba's cache does not notice changes in called functions (_fill): key on this file too
        key = hashlib.sha256(f"{src}{numba.__version__}{np.__version__}".encode() + _SELF).hexdigest()[:24]
        name = f"powergrid_sde_kernel_{key}"
        try:
            folder = _kernel_dir()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.py"
            if not path.exists() or path.read_text() != src:
                tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
                tmp.write_text(src)
                os.replace(tmp, path)  # atomic: concurrent jobs write the same text
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # numba's disk cache finds the module by name
            spec.loader.exec_module(module)
        except OSError:  # no writable cache: compile in memory (slower start, same numbers)
            module = types.ModuleType(name)
            sys.modules[name] = module
            exec(compile(src.replace("cache=True", "cache=False"), f"<{name}>", "exec"), module.__dict__)
        _KERNELS[structure] = module
        return module


def kernel_step(c: np.ndarray, z: np.ndarray, scheme: Scheme) -> np.ndarray:
    """The compiled step on given normals: modes c (k, n) complex of k <= LANES trajectories and
    their normals z (k, scheme.n_normals) -> the modes after one step, as ``reference_step`` of each
    row (tests/test_sde_engine.py). The production code, without its random draw."""
    structure = scheme.structure(False)
    k, n = c.shape
    q = structure.n_normals
    if k > LANES or z.shape != (k, q):
        raise ValueError(f"kernel_step takes up to {LANES} trajectories and {q} normals each, got {c.shape}, {z.shape}")
    W = np.zeros(structure.rows["total"] * LANES)
    modes = W[: 2 * n * LANES].reshape(2 * n, LANES)
    modes[0::2, :k], modes[1::2, :k] = c.real.T, c.imag.T
    zz = np.zeros((max(q, 1), LANES))
    zz[:q, :k] = z.T
    _kernel(structure).steps(
        W,
        scheme.params(),
        zz.ravel(),
        np.zeros((n, 1, 1), np.int64),
        np.zeros(n, np.int64),
        0.0,
        0.0,
        1.0,
        1.0,
        1,
        1,
        False,
        0,
        LANES,
        k,
        1,
    )
    return _complex(modes[0::2, :k].T, modes[1::2, :k].T)


# ---------------------------------------------------------------------------------------------
# increments (see NOISES): ziggurat normals ("gaussian")

_KI = np.asarray(ki_float, np.int64)
_WI = np.asarray(wi_float, np.float64)
_FI = np.asarray(fi_float, np.float64)


@njit(cache=True, nogil=True, error_model="numpy")
def _zig_slow(bg, idx, rabs, sign, x):
    """The rare branches of numpy's float32 ziggurat: tail (idx 0) and wedges, then redraw."""
    while True:
        if idx == 0:
            while True:
                xx = -ziggurat_nor_inv_r * np.log1p(-next_double(bg))
                yy = -np.log1p(-next_double(bg))
                if yy + yy > xx * xx:
                    return -(ziggurat_nor_r + xx) if (rabs >> 8) & 1 else ziggurat_nor_r + xx
        elif (_FI[idx - 1] - _FI[idx]) * next_double(bg) + _FI[idx] < math.exp(-0.5 * x * x):
            return -x if sign else x
        w = np.int64(next_uint32(bg))
        idx = w & 0xFF
        sign = (w >> 8) & 1
        rabs = w >> 9
        x = rabs * _WI[idx]
        if rabs < _KI[idx]:
            return -x if sign else x


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _zig(bg, w):
    """A standard normal from 32 random bits w (numpy's float32 ziggurat, in float64)."""
    idx = w & 0xFF
    sign = (w >> 8) & 1
    rabs = w >> 9
    x = rabs * _WI[idx]
    if rabs < _KI[idx]:
        return x * (1.0 - 2.0 * sign)
    return _zig_slow(bg, idx, rabs, sign, x)


@njit(cache=True, nogil=True, error_model="numpy")
def _fill(gens, z, count, n_live):
    """z[i * LANES + g] = the i-th of ``count`` (even) normals of lane g, two per 64-bit draw of
    lane g's own bit generator, consumed strictly in sequence."""
    for g in range(n_live):
        bg = gens[g].bit_generator
        for i in range(0, count, 2):
            r = next_uint64(bg)
            z[i * LANES + g] = _zig(bg, np.int64(r & np.uint64(0xFFFFFFFF)))
            z[(i + 1) * LANES + g] = _zig(bg, np.int64(r >> np.uint64(32)))


def standard_normals(gen: np.random.Generator, count: int) -> np.ndarray:
    """``count`` (even) normals exactly as a trajectory draws them from ``gen``."""
    z = np.zeros(count * LANES)
    _fill((gen,) * LANES, z, count, 1)
    return z[::LANES].copy()


# three-point increments ("three-point"): from 32 random bits w, xi = 0 unless its upper 31 bits
# are >= _TP_CUT (probability _TP_P = 715827883 / 2^31 = 1/3 + 1.6e-10), then +-_TP_A by its lowest
# bit. _TP_A = 1/sqrt(_TP_P) makes E xi^2 = 1; E xi = E xi^3 = E xi^5 = 0 by the sign bit and
# E xi^4 = 1/_TP_P = 3 (1 - 4.7e-10). All-zero bits give 0, so a lane whose stream state is zero
# (an unused lane) gets no noise and stays exactly zero.
_TP_P = 715827883 / 2**31
_TP_A = 1.0 / math.sqrt(_TP_P)
_TP_CUT = np.uint64(2**31 - 715827883)
_TP_VALUES = np.array([0.0, 0.0, _TP_A, -_TP_A])  # by (nonzero, sign): a load, not a random branch


@njit(cache=True, nogil=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, nogil=True, inline="always")
def _three_point(w):
    return _TP_VALUES[(np.int64((w >> np.uint64(1)) >= _TP_CUT) << 1) | np.int64(w & np.uint64(1))]


@njit(cache=True, nogil=True, error_model="numpy")
def _fill_three_point(state, z, count):
    """z[i * LANES + g] = the i-th of ``count`` (even) three-point increments of lane g: two per
    64-bit output (low half first) of lane g's xoshiro256** stream state[:, g], in sequence. The
    loop over lanes is innermost on separate state rows, so the compiler vectorises it."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for i in range(0, count, 2):
        lo = z[i * LANES : (i + 1) * LANES]
        hi = z[(i + 1) * LANES : (i + 2) * LANES]
        for g in range(LANES):
            a, b, c, d = s0[g], s1[g], s2[g], s3[g]
            r = _rotl(b * np.uint64(5), 7) * np.uint64(9)
            t = b << np.uint64(17)
            c ^= a
            d ^= b
            b ^= c
            a ^= d
            c ^= t
            d = _rotl(d, 45)
            s0[g], s1[g], s2[g], s3[g] = a, b, c, d
            lo[g] = _three_point(r & np.uint64(0xFFFFFFFF))
            hi[g] = _three_point(r >> np.uint64(32))


def three_point_stream(gen: np.random.Generator) -> np.ndarray:
    """The xoshiro256** state (4 words) of a trajectory whose generator is ``gen``, drawn from it
    after the trajectory's start, as ``run_ensemble`` does; never all zero."""
    while True:
        state = gen.bit_generator.random_raw(4).astype(np.uint64)
        if np.any(state):
            return state


def increments(gen: np.random.Generator, noise: str = DEFAULT_NOISE) -> Callable[[int], np.ndarray]:
    """The noise of a trajectory whose generator is ``gen`` (its start already drawn): a function
    count -> the next ``count`` (even) increments, exactly as the kernel draws them."""
    check_noise("increments", noise)
    if noise == "gaussian":
        return lambda count: standard_normals(gen, count)
    state = np.zeros((4, LANES), np.uint64)
    state[:, 0] = three_point_stream(gen)

    def draw(count: int) -> np.ndarray:
        z = np.zeros(count * LANES)
        _fill_three_point(state, z, count)
        return z[::LANES].copy()

    return draw


def check_noise(where: str, noise) -> None:
    if not isinstance(noise, str):
        raise TypeError(f"{where}: noise must be a string, one of {sorted(NOISES)}, got {describe(noise)}")
    if noise not in NOISES:
        raise ValueError(f"{where}: noise must be one of {sorted(NOISES)}, got {noise!r}")


# ---------------------------------------------------------------------------------------------
# divergence


def occupation_bound(net: Network, t: float, start: float = 0.0) -> float:
    """An upper bound on the mean total occupation E[S(t')], S = sum_l |alpha_l|^2 (units of n0),
    for all t' in [0, t], of the SDE on ``net`` started at S(0) = ``start``.

    Derivation. By Ito's formula, dS = [sum_l 2 Re(alpha_l^* drift_l) + sum_l D_l] dt + dM with M a
    martingale (E dM = 0). In the drift, hopping and detuning (i K alpha, K real symmetric)
    conserve S; the bath removes gamma S; a loss site removes Gamma_l f^2 x_l >= 0 (x_l = |alpha_l|^2);
    only a gain site adds, G_l = Gamma_l f^2(x_l/s_l) x_l with s_l = n0_ratio_l. With y = x_l/s_l,
    G_l = Gamma_l s_l y (1 + y)^(-nu) <= Gamma_l s_l (1 + y)^(1-nu): for nu >= 1 the gain power is at
    most Gamma_l s_l, whatever the amplitude (the gain rate falls as |alpha|^(-2 nu), so gain can
    only pump until saturation). For any nu > 0, with nu' = min(nu, 1), R = s + S and s = the
    largest s_l of the gain sites (1 without gain)::

        G_l <= Gamma_l s_l^nu' (s_l + x_l)^(1-nu') <= Gamma_l s_l^nu' R^(1-nu')

    The noise adds sum_l D_l <= Q = n_sites gamma N_th/n0 + sum_gain Gamma_l/n0 (f^2 <= 1), and
    Q <= Q s^(nu'-1) R^(1-nu') as R >= s. So, R^(1-nu') being concave (Jensen),

        d E[S]/dt <= A (s + E[S])^(1-nu') - gamma E[S],    A = sum_gain Gamma_l s_l^nu' + Q s^(nu'-1)

    (i) without the gamma term: (s + E[S(t)])^nu' <= (s + S(0))^nu' + nu' A t; for nu >= 1 simply
        E[S(t)] <= S(0) + A t (at most linear growth, also at gamma = 0);
    (ii) for gamma > 0: at S >= S* = max(s, (2^(1-nu') A/gamma)^(1/nu')) the right side is <= 0 (there
        R <= 2 S), so E[S] never rises above max(S(0), S*); for nu >= 1 S* = max(s, A/gamma), the
        stationary energy balance "largest gain power + noise = gamma S".

    Returns min((i) at t, (ii)) (inf where it overflows; (i) for nu < 1 with a relative slack of
    1e-9 against rounding). It bounds the mean of the exact SDE; single trajectories fluctuate about
    it (in thermal equilibrium |alpha_l|^2 is exponentially distributed) and the scheme's saturable
    step adds O(Gamma dt) (its gain factor per step, (1 + u + u^2/2)^2 <= exp(Gamma f^2 dt), exceeds
    the continuous one only when Gamma dt is not small), hence the large margin of
    ``divergence_limit``. E.g. the Fig. 3a chain (N = 6, Gamma_i = 4, gamma = 1e-3, N_th/n0 = 10,
    n0 = 100) gives 4.1e3 (simulated: S ~ 16 at Gamma_e = 8, ~150 at Gamma_e = 2); Gamma_i = 1e12 gives
    ~1e15, where the scheme (Gamma_i dt = 1e10) produces S ~ 1e31.
    """
    nu1 = min(float(net.nu), 1.0)
    gain = [(float(r.rate), float(r.n0_ratio)) for r in net.gain if r.rate > 0]
    s = np.float64(max((sr for _, sr in gain), default=1.0))
    t, s0, gamma = np.float64(t), np.float64(start), np.float64(net.gamma)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        rates = sum(np.float64(r) for r, _ in gain)
        q = net.n_sites * gamma * np.float64(net.n_th_over_n0) + rates / np.float64(net.n0)
        a = sum(np.float64(r) * np.float64(sr) ** nu1 for r, sr in gain) + q * s ** (nu1 - 1.0)
        if nu1 == 1.0:
            growth = s0 + a * t
        else:
            growth = ((s + s0) ** nu1 + nu1 * a * t) ** (1.0 / nu1) * (1.0 + 1e-9) - s
        bound = growth
        if gamma > 0:
            stationary = max(s, (2.0 ** (1.0 - nu1) * a / gamma) ** (1.0 / nu1))
            bound = min(growth, max(s0, stationary))
    return float(bound) if not np.isnan(bound) else math.inf


def divergence_limit(net: Network, t: float, start: float = 0.0) -> float:
    """The total occupation sum_l |alpha_l|^2 (units of n0) at which a trajectory of ``run_ensemble``
    (t: its whole length; start: the largest total occupation of the starts) counts as diverged:
    DIVERGENCE_FACTOR (1e6) times (``occupation_bound`` + 1), at most DIVERGED (1e150). Valid runs
    stay orders of magnitude below it; the check reads the state and changes no number."""
    with np.errstate(over="ignore"):
        limit = np.float64(DIVERGENCE_FACTOR) * (np.float64(occupation_bound(net, t, start)) + 1.0)
    return float(min(limit, DIVERGED))


# ---------------------------------------------------------------------------------------------
# ensembles


def run_ensemble(
    net: Network,
    *,
    dt: float = DEFAULT_DT,
    t_transient: float = DEFAULT_T_TRANSIENT,
    t_average: float = DEFAULT_T_AVERAGE,
    n_traj: int | None = None,
    seed: np.random.SeedSequence | Sequence[np.random.SeedSequence],
    first_trajectory: int = 0,
    start: np.ndarray | None = None,
    histogram: HistogramGrid | None = None,
    progress: Callable[[float], None] | None = None,
    threads: int | None = None,
    block_steps: int = 100_000,
    noise: str = DEFAULT_NOISE,
    sample_every: int = 1,
) -> EnsembleResult:
    """Run n_traj independent trajectories of the SDE on ``net`` and return their statistics.

    dt, t_transient, t_average in 1/g (rounded to whole steps). The defaults DEFAULT_T_TRANSIENT =
    5000/g (5/gamma at the paper's gamma = 1e-3 g) and DEFAULT_T_AVERAGE = 10000/g are those of the
    SDE datasets of config.yaml; t_transient must cover the relaxation (~1/gamma). ``seed``: a
    SeedSequence whose children first_trajectory .. are the trajectories, or one SeedSequence per
    trajectory (``powergrid.trajectory_ensemble``). ``start``: scaled amplitudes, shape (n_sites,)
    for every trajectory or (n_traj, n_sites); default a tiny random amplitude (START_AMPLITUDE
    times a complex standard normal per site) from each trajectory's own generator.
    ``progress(fraction)`` is called from the calling thread after each block of ``block_steps``
    steps of all trajectories. ``threads``: worker threads (default ``numba.get_num_threads()``);
    results do not depend on it. ``noise``: the increments, "three-point" or "gaussian" (module
    docstring, ``NOISES``): the same statistics, different numbers. ``sample_every``: the time means
    take every sample_every-th step of the averaging window, from its first (module docstring,
    "Statistics"); 1, every step, is the reference.

    Arguments of a wrong type raise TypeError, wrong values ValueError, naming the argument and
    the value (``trajectory_ensemble.check_real`` and friends). Raises FloatingPointError ("SDE
    diverged ...", naming the trajectory, the time reached and the parameters) if a trajectory
    overflows, turns NaN or its total occupation sum_l |alpha_l|^2 exceeds ``divergence_limit``
    (1e6 times the energy bound ``occupation_bound``), checked every ZBLOCK steps.
    """
    where = "run_ensemble"
    if not isinstance(net, Network):
        raise TypeError(f"{where}: net must be a powergrid.model.Network, got {describe(net)}")
    if histogram is not None and not isinstance(histogram, HistogramGrid):
        raise TypeError(f"{where}: histogram must be a HistogramGrid or None, got {describe(histogram)}")
    check_callable(where, "progress", progress)
    check_noise(where, noise)
    sample_every = check_int(where, "sample_every", sample_every, low=1)
    ens = TrajectoryEnsemble.of(
        seed, n_traj, first_trajectory, dt, t_transient, t_average, threads, block_steps, where=where
    )
    n_traj, n_tr, n_av = ens.n_traj, ens.n_transient, ens.n_average
    n, m = net.n_sites, len(net.edges)
    if start is not None:
        want = f"an array of complex amplitudes of shape ({n},) or ({n_traj}, {n})"
        try:
            if isinstance(start, (str, bytes)):
                raise TypeError
            st = np.asarray(start, dtype=np.complex128)
        except (TypeError, ValueError):
            raise TypeError(f"{where}: start must be {want}, got {describe(start)}") from None
        if st.shape not in ((n,), (n_traj, n)):
            raise ValueError(f"{where}: start must be {want} (n_sites = {n}, n_traj = {n_traj}), got shape {st.shape}")
        if not np.all(np.isfinite(st)):
            raise ValueError(f"{where}: start must be finite, got {describe(start)}")
    scheme = Scheme.of(net, dt)
    structure = scheme.structure(histogram is not None, noise)
    kernel = _kernel(structure).kernel
    rows = structure.rows

    gens_all = ens.generators()
    alpha = np.empty((n_traj, n), np.complex128)
    if start is None:
        for k, g in enumerate(gens_all):
            z = g.standard_normal(2 * n) * (START_AMPLITUDE / math.sqrt(2.0))
            alpha[k] = z[:n] + 1j * z[n:]
    else:
        alpha[:] = np.broadcast_to(st, (n_traj, n))
    if noise == "three-point":  # each trajectory's stream, from its generator after its start
        streams = np.stack([three_point_stream(g) for g in gens_all])
    modes = scheme.to_modes(alpha)
    s0 = float(np.max(np.sum(alpha.real**2 + alpha.imag**2, axis=1)))  # the largest start's occupation
    limit = divergence_limit(net, (n_tr + n_av) * dt, s0)
    P = scheme.params(limit)

    # groups of at most LANES trajectories, as many groups as threads if possible, equally filled;
    # every group computes all LANES lanes (the unused ones stay exactly zero: they get no noise,
    # a zero stream state for three-point increments, no draws at all for normals)
    n_groups = -(-n_traj // LANES)
    if ens.threads > 1:
        n_groups = min(n_traj, -(-n_groups // ens.threads) * ens.threads)
    bounds = np.linspace(0, n_traj, n_groups + 1).round().astype(int)
    members = [list(range(bounds[j], bounds[j + 1])) for j in range(n_groups)]
    spare = np.random.default_rng(0)  # fills the generator tuple of short groups; never drawn from
    groups = []
    for mem in members:
        W = np.zeros(rows["total"] * LANES)
        c = W[: 2 * n * LANES].reshape(2 * n, LANES)
        c[0::2, : len(mem)] = modes[mem].real.T
        c[1::2, : len(mem)] = modes[mem].imag.T
        if noise == "three-point":
            rng = np.zeros((4, LANES), np.uint64)
            rng[:, : len(mem)] = streams[mem].T
        else:
            rng = tuple(gens_all[k] for k in mem) + (spare,) * (LANES - len(mem))
        groups.append((rng, W, np.zeros(ZBLOCK * max(structure.n_normals, 1) * LANES), len(mem)))

    if histogram is not None:
        hx, hy = histogram.bins
        h_args = (
            histogram.re_range[0],
            histogram.im_range[0],
            hx / (histogram.re_range[1] - histogram.re_range[0]),
            hy / (histogram.im_range[1] - histogram.im_range[0]),
            histogram.every,
        )
        shape = (n, hx, hy)
    else:
        h_args, shape = (0.0, 0.0, 1.0, 1.0, 1), (n, 1, 1)
    # one histogram per worker thread; integer counts, so their sum does not depend on who counted what
    local, buffers = threading.local(), []

    def advance(j: int, first_step: int, n_steps: int, accumulate: bool):
        if not hasattr(local, "hist"):
            local.hist = (np.zeros(shape, np.int64), np.zeros(n, np.int64))
            buffers.append(local.hist)
        rng, W, z, n_live = groups[j]
        status = kernel(
            rng, W, P, z, *local.hist, *h_args, n_steps, accumulate, first_step - n_tr, LANES, n_live, sample_every
        )
        if status >= 0:
            c = W[: 2 * n * LANES].reshape(2 * n, LANES)[:, :n_live]
            with np.errstate(over="ignore", invalid="ignore"):
                tot = np.sum(c * c, axis=0)
            tot = np.where(np.all(np.isfinite(c), axis=0), tot, np.inf)
            bad = int(np.argmax(tot))  # the kernel stopped for this lane, or for one as far out
            k = ens.ids[members[j][bad]]
            if not np.isfinite(tot[bad]):
                why = "overflow/NaN"
            elif limit >= DIVERGED:
                why = f"overflow: total occupation sum_l |alpha_l|^2 = {tot[bad]:.3g} n0 > {DIVERGED:g}"
            else:
                why = (
                    f"total occupation sum_l |alpha_l|^2 = {tot[bad]:.3g} n0 > {limit:.3g} = {DIVERGENCE_FACTOR:g} x "
                    f"(sde.occupation_bound + 1): more than gain, noise and the start can supply"
                )
            t_lo, t_hi = (first_step + max(status - ZBLOCK, 0)) * dt, (first_step + status) * dt
            raise FloatingPointError(
                f"SDE diverged ({why}) in trajectory {k} between t = {t_lo:g} and {t_hi:g} "
                f"(of {(n_tr + n_av) * dt:g}; dt = {dt:g}) for n_sites = {n}, gain = "
                f"{[(r.site, r.rate) for r in net.gain]}, loss = {[(r.site, r.rate) for r in net.loss]}, "
                f"gamma = {net.gamma:g}, nu = {net.nu:g}, n0 = {net.n0:g}, "
                f"n_th_over_n0 = {net.n_th_over_n0:g}; network {net}"
            )

    wall = ens.run(n_groups, advance, progress)

    def lanes(row0, count):  # per-trajectory rows of the accumulators, (n_traj, count)
        return np.concatenate(
            [W[row0 * LANES : (row0 + count) * LANES].reshape(count, LANES)[:, :n_live].T for _, W, _, n_live in groups]
        )

    c = lanes(0, 2 * n)
    final = scheme.to_sites(c[:, 0::2] + 1j * c[:, 1::2])
    hist = None
    if histogram is not None:
        hist = Histogram(
            histogram,
            sum(b[0] for b in buffers),
            sum(b[1] for b in buffers),
            n_traj * len(range(0, n_av, histogram.every)),
        )
    n_samples = len(range(0, n_av, sample_every))
    return _assemble(
        net,
        float(dt),
        n_tr,
        n_av,
        ens.ids,
        lanes(rows["j"], m) / n_samples,
        lanes(rows["j2"], m) / n_samples,
        lanes(rows["occ"], n) / n_samples,
        lanes(rows["g"], 1)[:, 0] / n_samples,
        final,
        hist,
        wall,
        ens.threads,
        noise,
        sample_every,
    )


def _assemble(net, dt, n_tr, n_av, ids, tj, tj2, tocc, tg, final, hist, wall, threads, noise, every) -> EnsembleResult:
    return EnsembleResult(
        net=net,
        dt=dt,
        t_transient=n_tr * dt,
        t_average=n_av * dt,
        n_steps_transient=n_tr,
        n_steps_average=n_av,
        trajectories=ids,
        edges=net.edge_array,
        **ensemble_statistics(tj, tj2, tocc, tg),
        traj_J_mean=tj,
        traj_J2_mean=tj2,
        traj_occupation=tocc,
        traj_Gbar=tg,
        final_alpha=final,
        histogram=hist,
        wall_time=wall,
        threads=threads,
        noise=noise,
        sample_every=every,
    )
