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
normalisation <xi xi^*> = delta(t - t') of the paper, and it is fixed by the Fokker-Planck
equations (S8), (S16), whose diffusion term D d^2/(d a d a^*) belongs to exactly this noise
(thermal equilibrium of eq. 4 alone: d<|a|^2>/dt = -gamma <|a|^2> + gamma N_th, so <|a|^2> = N_th).

Scaling: with alpha = a / sqrt(n0) (the unit of the whole package) the drift is unchanged
(it is linear in a apart from f^2, whose argument |a|^2/n0_l = |alpha|^2/n0_ratio_l), and the
noise is divided by sqrt(n0)::

    d alpha_l = [ (M alpha)_l + (s_l/2) Gamma_l f^2(|alpha_l|^2/n0_ratio_l) alpha_l ] dt
                + sqrt( gamma N_th/n0 + [gain] Gamma_l f^2(|alpha_l|^2/n0_ratio_l) / n0 ) dW_l

so thermal noise enters through ``n_th_over_n0`` and quantum noise is suppressed as 1/n0. The
current J = Im(alpha_i^* alpha_j) of an (oriented) edge (i, j) is in units of g n0.

The integrator (a Strang splitting, linear part exact)
-----------------------------------------------------
Plain Euler-Maruyama amplifies the weakly damped hopping modes (growth omega^2 dt/2 against
damping gamma/2) and needs dt << gamma/g^2. Here one step of length dt is::

    b  = H alpha_n                     H = expm(M dt/2): hopping, detuning, gamma, exact
    b_l <- b_l * (1 + dt (k(x0) + k(x1))/2)   at reservoir sites: Heun (2nd order) for the
                                         saturable gain/loss k(x) = (s_l/2) Gamma_l f^2(x/n0_ratio_l),
                                         x0 = |b_l|^2, x1 = x0 (1 + dt k(x0))^2
    b_l <- b_l + sqrt(v_l/2) (z_x + i z_y)    z ~ N(0, 1), Ito: v_l uses x0 (start of the step)
    alpha_{n+1} = H b

with v_l = 2 (N_th/n0) sinh(gamma dt/2) + [gain] Gamma_l f^2(x0/n0_ratio_l) dt / n0. The thermal
variance is not the Euler increment gamma N_th dt but the one that makes "half step, kick, half
step" the exact Ornstein-Uhlenbeck transition of the linear part: M = -gamma/2 + (anti-Hermitian),
so H H^dag = exp(-gamma dt/2), and H (H alpha + eta) has exactly the covariance
exp(-gamma dt) C + N_th (1 - exp(-gamma dt)) of the exact process. Hence with Gamma = 0 the scheme
samples thermal equilibrium exactly for any dt (tested). Without noise the scheme is the Strang
splitting of two second-order flows: second order in dt for the deterministic dynamics. The
quantum noise and its coupling to the saturable drift are treated at Euler-Maruyama level
(weak order 1); their errors are measured in the tests (halving dt at the default DEFAULT_DT
moves <J> and Delta J by less than the statistical error at a Fig. 3a point in each phase).
Observables are taken from alpha_n (the state after the full Strang step), which makes the
noise-free fixed point second-order accurate.

Ensembles and random numbers
----------------------------
Trajectory k of ``seed`` (a ``numpy.random.SeedSequence``) uses the generator
``numpy.random.default_rng(SeedSequence(seed.entropy, spawn_key=seed.spawn_key + (k,)))``, which
is the k-th child that ``seed.spawn`` returns on a fresh SeedSequence (``seed`` itself is never
advanced, so passing the same object twice gives the same numbers). ``first_trajectory`` selects
the children first_trajectory .. first_trajectory + n_traj - 1, so an ensemble can be split into
chunks (``run_ensemble(..., n_traj=25, first_trajectory=0)`` and ``(..., first_trajectory=25)``)
and joined with ``EnsembleResult.merge``: the merged result is identical, bit for bit, to one
call with n_traj=50. A list of SeedSequences (one per trajectory) may be passed instead.
Every trajectory owns its generator and its accumulators and is computed by one thread, so the
numbers do not depend on the number of threads (``numba.set_num_threads`` / ``threads=``) nor on
``block_steps``. Normals are drawn in compiled code from the Generator (PCG64).

Statistics
----------
After ``t_transient``, every step of ``t_average`` enters the per-trajectory time means of J and
J^2 per edge, |alpha|^2 per site and Gbar = sum_loss Gamma_e f^2 - sum_gain Gamma_i f^2. The
ensemble values are the means over trajectories (all trajectories have the same length, so this
is the pooled time-and-ensemble mean); Delta J = sqrt(<J^2> - <J>^2) from the pooled <J^2>, <J>
(so it includes the spread of the per-trajectory means, as a stationary variance must). Standard
errors come from the spread across independent trajectories only: std(ddof=1)/sqrt(n_traj) of
the per-trajectory means for <J>, <|alpha|^2>, Gbar, and the jackknife over trajectories (leave one
trajectory out, recompute Delta J from the remaining per-trajectory means of J and J^2) for
Delta J. They are honest only if n_traj is not tiny (>= 10, say) and t_transient covers the
relaxation (~1/gamma in the symmetric phase).

Histograms (Fig. 3b): with ``histogram=HistogramGrid(...)`` every ``every``-th averaging step
(counted from the start of the averaging window, so blocks and chunks do not matter) adds
(Re alpha_l, Im alpha_l) of every site to a 2-D histogram on a uniform grid; counts are exact
integers summed over trajectories, samples outside the grid are counted in ``outside``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit

from .model import Network

DEFAULT_DT = 1e-2          # 1/g; see the module docstring and tests/test_sde.py for the evidence
START_AMPLITUDE = 1e-3     # scale of the seeded random start, in units of sqrt(n0)
DIVERGED = 1e150           # a total occupation above this (or NaN) counts as a divergence
LANES = 8                  # trajectories advanced together by one kernel call (independent lanes)
ZBLOCK = 128               # steps of normals drawn at a time into a lane's buffer


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
    counts: np.ndarray        # (n_sites, bins_re, bins_im) int64
    outside: np.ndarray       # (n_sites,) samples that fell outside the grid
    samples: int              # samples per site (inside + outside)

    def density(self) -> np.ndarray:
        """Probability density per site (normalised over all samples, including those outside)."""
        re, im = self.grid.re_edges, self.grid.im_edges
        area = np.diff(re)[:, None] * np.diff(im)[None, :]
        return self.counts / max(self.samples, 1) / area[None]


@dataclass(frozen=True)
class EnsembleResult:
    """Ensemble statistics of one parameter point. Units: g = 1, alpha in sqrt(n0), J in g n0.

    J_* are per oriented edge (``edges``), occupation per site; traj_* are the per-trajectory time
    means that the statistics are made of (merge chunks with ``EnsembleResult.merge``).
    """

    net: Network
    dt: float
    t_transient: float
    t_average: float
    n_steps_transient: int
    n_steps_average: int
    trajectories: np.ndarray          # (n_traj,) child indices of the seed (or positions in the list)
    edges: np.ndarray                 # (m, 2)
    J_mean: np.ndarray                # <J>
    J_sem: np.ndarray
    J_std: np.ndarray                 # Delta J = sqrt(<J^2> - <J>^2)
    J_std_sem: np.ndarray             # jackknife over trajectories
    occupation: np.ndarray            # <|alpha_l|^2>
    occupation_sem: np.ndarray
    Gbar_mean: float                  # <Gamma_e(alpha_N) - Gamma_i(alpha_1)> summed over reservoirs
    Gbar_sem: float
    traj_J_mean: np.ndarray           # (n_traj, m)
    traj_J2_mean: np.ndarray          # (n_traj, m)
    traj_occupation: np.ndarray       # (n_traj, n)
    traj_Gbar: np.ndarray             # (n_traj,)
    final_alpha: np.ndarray           # (n_traj, n) state at the end
    histogram: Histogram | None = None
    wall_time: float = 0.0
    threads: int = 1
    method: str = "strang-expm-heun-ito"

    @property
    def n_traj(self) -> int:
        return int(self.trajectories.size)

    @classmethod
    def merge(cls, parts: Sequence["EnsembleResult"]) -> "EnsembleResult":
        """Join chunks of one ensemble (same network, dt and times), trajectories in the given order."""
        first = parts[0]
        for p in parts[1:]:
            if (p.net != first.net or p.dt != first.dt or p.n_steps_transient != first.n_steps_transient
                    or p.n_steps_average != first.n_steps_average):
                raise ValueError("can only merge chunks of the same network, dt, t_transient and t_average")
            if (p.histogram is None) != (first.histogram is None) or (
                    p.histogram is not None and p.histogram.grid != first.histogram.grid):
                raise ValueError("can only merge chunks with the same histogram grid")
        cat = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        hist = None
        if first.histogram is not None:
            hist = Histogram(first.histogram.grid, sum(p.histogram.counts for p in parts),
                             sum(p.histogram.outside for p in parts), sum(p.histogram.samples for p in parts))
        return _assemble(first.net, first.dt, first.n_steps_transient, first.n_steps_average,
                         cat("trajectories"), cat("traj_J_mean"), cat("traj_J2_mean"), cat("traj_occupation"),
                         cat("traj_Gbar"), cat("final_alpha"), hist, sum(p.wall_time for p in parts),
                         max(p.threads for p in parts))


# ---------------------------------------------------------------------------------------------
# compiled kernel

@njit(cache=True, nogil=True, error_model="numpy")
def _f2_lanes(x, inv_s, nu, out):
    """out = f^2(x) = (1 + x/s)^(-nu) per lane; exact multiplications for integer nu = 1, 2, 3.
    (The branch is outside the lane loops so that they vectorise.)"""
    lanes = x.shape[0]
    if nu == 2.0:
        for g in range(lanes):
            q = 1.0 / (1.0 + x[g] * inv_s)
            out[g] = q * q
    elif nu == 1.0:
        for g in range(lanes):
            out[g] = 1.0 / (1.0 + x[g] * inv_s)
    elif nu == 3.0:
        for g in range(lanes):
            q = 1.0 / (1.0 + x[g] * inv_s)
            out[g] = q * q * q
    else:
        for g in range(lanes):
            out[g] = (1.0 + x[g] * inv_s) ** (-nu)


@njit(cache=True, nogil=True, error_model="numpy")
def _group_steps(gens, cr, ci, u, hr, hi, res_site, res_rate, res_inv_s, nu, var_th, inv_n0, dt,
                 n_steps, accumulate, step0, edges, j_sum, j2_sum, occ_sum, g_sum,
                 hist, hist_out, h_lo_re, h_lo_im, h_scale_re, h_scale_im, h_every, n_live, z, xr, xi, br, bi, tmp):
    """Advance a group of trajectories ("lanes", gens[g] drives lane g) by n_steps Strang steps.

    State in the eigenmodes of the hopping, c = U^T alpha (cr + i ci, shape (n, lanes)), U real
    orthogonal: the exact linear half step is a diagonal factor h = hr + i hi per mode; the
    saturable gain/loss at reservoir site l reads alpha_l = U[l] . c and adds its change back as
    U[l] delta (which changes no other alpha_l); the thermal noise, white and isotropic, is drawn
    for the modes directly (U^T maps it onto itself). Lanes never interact: every lane does the
    same IEEE operations in the same order whatever the other lanes hold, so a trajectory's
    numbers do not depend on its group (the lanes only let the CPU overlap independent work).

    Each lane draws q normals per step from its own generator (q = 2 per gain site + 2 n if there
    is thermal noise), in blocks into z (shape (block * q, lanes)); with accumulate, every step is
    added to the sums (layout (..., lanes); step0: index of the first step within the averaging
    window, for the histogram cadence). Only the first n_live lanes count in the histogram and the
    divergence check (the others pad the group and are discarded). Returns the number of steps
    after which the state was found overflowed or NaN (checked after every block of z), or -1.
    """
    n = cr.shape[0]
    lanes = cr.shape[1]
    m = edges.shape[0]
    n_res = res_site.shape[0]
    sig_th = math.sqrt(0.5 * var_th)
    q = 2 * n if var_th > 0.0 else 0
    for p in range(n_res):
        if res_rate[p] > 0.0:
            q += 2
    block = z.shape[0] // max(q, 1)
    use_hist = hist.shape[0] > 0
    nbx = hist.shape[1]
    nby = hist.shape[2]
    done = 0
    while done < n_steps:
        ns = min(block, n_steps - done)
        for g in range(lanes):
            gen = gens[g]
            for i in range(ns * q):
                z[i, g] = gen.standard_normal()
        for s in range(ns):
            zi = s * q
            # first half of the linear step
            for k in range(n):
                a, b = hr[k], hi[k]
                for g in range(lanes):
                    x = cr[k, g]
                    cr[k, g] = a * x - b * ci[k, g]
                    ci[k, g] = a * ci[k, g] + b * x
            # saturable gain/loss (Heun) and the Ito quantum noise at the reservoir sites; all
            # reservoir amplitudes are read before any is changed
            for p in range(n_res):
                l = res_site[p]
                for g in range(lanes):
                    br[p, g] = 0.0
                    bi[p, g] = 0.0
                for k in range(n):
                    w = u[l, k]
                    for g in range(lanes):
                        br[p, g] += w * cr[k, g]
                        bi[p, g] += w * ci[k, g]
            x0, f0, x1, f1 = tmp[0], tmp[1], tmp[2], tmp[3]
            for p in range(n_res):
                r = res_rate[p]
                inv_s = res_inv_s[p]
                for g in range(lanes):
                    x0[g] = br[p, g] * br[p, g] + bi[p, g] * bi[p, g]
                _f2_lanes(x0, inv_s, nu, f0)
                for g in range(lanes):
                    c0 = 1.0 + dt * (0.5 * r * f0[g])
                    x1[g] = x0[g] * c0 * c0
                _f2_lanes(x1, inv_s, nu, f1)
                for g in range(lanes):
                    c = 0.5 * dt * (0.5 * r * f0[g] + 0.5 * r * f1[g])
                    br[p, g] *= c
                    bi[p, g] *= c
                if r > 0.0:
                    for g in range(lanes):
                        sq = math.sqrt(0.5 * r * f0[g] * dt * inv_n0)
                        br[p, g] += sq * z[zi, g]
                        bi[p, g] += sq * z[zi + 1, g]
                    zi += 2
            for p in range(n_res):
                l = res_site[p]
                for k in range(n):
                    w = u[l, k]
                    for g in range(lanes):
                        cr[k, g] += w * br[p, g]
                        ci[k, g] += w * bi[p, g]
            # thermal noise (variance var_th: exact for the linear part, see _Plan) and the
            # second half of the linear step
            for k in range(n):
                a, b = hr[k], hi[k]
                if q > 0 and sig_th > 0.0:
                    for g in range(lanes):
                        cr[k, g] += sig_th * z[zi, g]
                        ci[k, g] += sig_th * z[zi + 1, g]
                    zi += 2
                for g in range(lanes):
                    x = cr[k, g]
                    cr[k, g] = a * x - b * ci[k, g]
                    ci[k, g] = a * ci[k, g] + b * x
            if not accumulate:
                continue
            # alpha = U c and the observables
            for i in range(n):
                for g in range(lanes):
                    xr[i, g] = 0.0
                    xi[i, g] = 0.0
                for k in range(n):
                    w = u[i, k]
                    for g in range(lanes):
                        xr[i, g] += w * cr[k, g]
                        xi[i, g] += w * ci[k, g]
                for g in range(lanes):
                    occ_sum[i, g] += xr[i, g] * xr[i, g] + xi[i, g] * xi[i, g]
            for e in range(m):
                a = edges[e, 0]
                b = edges[e, 1]
                for g in range(lanes):
                    jj = xr[a, g] * xi[b, g] - xi[a, g] * xr[b, g]
                    j_sum[e, g] += jj
                    j2_sum[e, g] += jj * jj
            for p in range(n_res):
                l = res_site[p]
                r = res_rate[p]
                for g in range(lanes):
                    x0[g] = xr[l, g] * xr[l, g] + xi[l, g] * xi[l, g]
                _f2_lanes(x0, res_inv_s[p], nu, f0)
                for g in range(lanes):
                    g_sum[g] -= r * f0[g]
            if use_hist and (step0 + done + s) % h_every == 0:
                for l in range(n):
                    for g in range(n_live):
                        v_re = (xr[l, g] - h_lo_re) * h_scale_re
                        v_im = (xi[l, g] - h_lo_im) * h_scale_im
                        if v_re >= 0.0 and v_im >= 0.0 and v_re < nbx and v_im < nby:
                            hist[l, int(v_re), int(v_im)] += 1
                        else:
                            hist_out[l] += 1
        done += ns
        for g in range(n_live):
            tot = 0.0
            for k in range(n):
                tot += cr[k, g] * cr[k, g] + ci[k, g] * ci[k, g]
            if not tot < DIVERGED:
                return done
    return -1


# ---------------------------------------------------------------------------------------------
# the network in the form the kernel takes

@dataclass(frozen=True)
class _Plan:
    u: np.ndarray          # real orthogonal eigenvectors of the hopping/detuning matrix K
    hr: np.ndarray         # exp((-gamma/2 + i lambda_k) dt/2), real and imaginary parts
    hi: np.ndarray
    res_site: np.ndarray
    res_rate: np.ndarray
    res_inv_s: np.ndarray
    nu: float
    var_th: float
    inv_n0: float
    dt: float
    edges: np.ndarray

    @classmethod
    def of(cls, net: Network, dt: float) -> "_Plan":
        # M = -gamma/2 + i K with K = adjacency/2 - diag(detuning) real symmetric: K = U diag(lam) U^T
        m = net.linear_matrix()
        k = (m + 0.5 * net.gamma * np.eye(net.n_sites)) / 1j
        if not (np.allclose(k.imag, 0.0, atol=0) and np.allclose(k.real, k.real.T, atol=0)):
            raise ValueError("sde: the linear part must be uniform damping plus real symmetric hopping/detuning")
        lam, u = np.linalg.eigh(k.real)
        h = np.exp((-0.5 * net.gamma + 1j * lam) * (0.5 * dt))
        # Thermal kick between two half steps: H (H alpha + eta) is the exact OU transition,
        # exp(-gamma dt) C + N_th (1 - exp(-gamma dt)), iff E|eta|^2 = 2 N_th sinh(gamma dt/2).
        var_th = 2.0 * net.n_th_over_n0 * math.sinh(0.5 * net.gamma * dt)
        rate, n0r = net.saturable_rates()
        sites = np.nonzero(rate)[0].astype(np.int64)
        return cls(np.ascontiguousarray(u), np.ascontiguousarray(h.real), np.ascontiguousarray(h.imag), sites,
                   rate[sites].astype(float), (1.0 / n0r[sites]).astype(float), float(net.nu), var_th,
                   1.0 / float(net.n0), float(dt), net.edge_array)

    def to_modes(self, alpha: np.ndarray) -> np.ndarray:
        return alpha @ self.u          # c = U^T alpha, for each row alpha

    def to_sites(self, c: np.ndarray) -> np.ndarray:
        return c @ self.u.T


# ---------------------------------------------------------------------------------------------
# ensembles

def trajectory_seeds(seed: np.random.SeedSequence, first: int, n: int) -> list[np.random.SeedSequence]:
    """Children first .. first+n-1 of ``seed``, as seed.spawn would give them, without advancing seed."""
    return [np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + (k,), pool_size=seed.pool_size)
            for k in range(first, first + n)]


def run_ensemble(net: Network, *, dt: float = DEFAULT_DT, t_transient: float, t_average: float,
                 n_traj: int | None = None, seed: np.random.SeedSequence | Sequence[np.random.SeedSequence],
                 first_trajectory: int = 0, start: np.ndarray | None = None,
                 histogram: HistogramGrid | None = None, progress: Callable[[float], None] | None = None,
                 threads: int | None = None, block_steps: int = 200_000) -> EnsembleResult:
    """Run n_traj independent trajectories of the SDE on ``net`` and return their statistics.

    dt, t_transient, t_average in 1/g (rounded to whole steps). ``seed``: a SeedSequence
    (trajectories are its children first_trajectory ..; see the module docstring) or one
    SeedSequence per trajectory. ``start``: scaled amplitudes, shape (n_sites,) for every
    trajectory or (n_traj, n_sites); default a tiny random amplitude (START_AMPLITUDE, complex
    Gaussian) drawn from each trajectory's own generator. ``progress(fraction_done)`` is called
    from the calling thread after each block of ``block_steps`` steps of all trajectories.
    ``threads``: worker threads (default ``numba.get_num_threads()``); results do not depend on it.
    Raises FloatingPointError if a trajectory overflows or turns NaN.
    """
    if isinstance(seed, np.random.SeedSequence):
        if n_traj is None or n_traj < 1:
            raise ValueError(f"n_traj must be >= 1, got {n_traj!r}")
        seeds = trajectory_seeds(seed, int(first_trajectory), int(n_traj))
        ids = np.arange(first_trajectory, first_trajectory + n_traj, dtype=np.int64)
    else:
        seeds = list(seed)
        if n_traj is not None and n_traj != len(seeds):
            raise ValueError(f"n_traj = {n_traj} but {len(seeds)} seed sequences were given")
        if not seeds or not all(isinstance(s, np.random.SeedSequence) for s in seeds):
            raise ValueError("seed must be a SeedSequence or a non-empty sequence of them")
        ids = np.arange(len(seeds), dtype=np.int64)
    n_traj = len(seeds)
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be > 0, got {dt!r}")
    if not (t_transient >= 0 and t_average > 0):
        raise ValueError(f"need t_transient >= 0 and t_average > 0, got {t_transient!r}, {t_average!r}")
    n_tr = int(round(t_transient / dt))
    n_av = max(1, int(round(t_average / dt)))
    n, m = net.n_sites, len(net.edges)
    plan = _Plan.of(net, dt)
    threads = int(threads or numba.get_num_threads())
    block_steps = max(1, int(block_steps))

    # lanes of LANES trajectories; a short last group is padded with copies of its first trajectory
    n_groups = -(-n_traj // LANES)
    members = [list(range(j * LANES, min((j + 1) * LANES, n_traj))) for j in range(n_groups)]
    gens = []
    alpha = np.empty((n_groups, LANES, n), np.complex128)
    for j, mem in enumerate(members):
        row = [np.random.default_rng(seeds[k]) for k in mem]
        row += [np.random.default_rng(seeds[mem[0]]) for _ in range(LANES - len(mem))]
        for lane, g in enumerate(row):
            if start is None:
                z = g.standard_normal(2 * n) * (START_AMPLITUDE / math.sqrt(2.0))
                alpha[j, lane] = z[:n] + 1j * z[n:]
        gens.append(tuple(row))
    if start is not None:
        st = np.asarray(start, dtype=np.complex128)
        st = np.broadcast_to(st, (n_traj, n)) if st.ndim == 1 else st
        if st.shape != (n_traj, n):
            raise ValueError(f"start must have shape ({n},) or ({n_traj}, {n}), got {np.shape(start)}")
        for j, mem in enumerate(members):
            alpha[j] = st[[*mem, *[mem[0]] * (LANES - len(mem))]]
    modes = plan.to_modes(alpha)                             # (groups, lanes, n)
    cr = np.ascontiguousarray(modes.real.transpose(0, 2, 1))   # (groups, n, lanes)
    ci = np.ascontiguousarray(modes.imag.transpose(0, 2, 1))
    j_sum = np.zeros((n_groups, m, LANES))
    j2_sum = np.zeros((n_groups, m, LANES))
    occ_sum = np.zeros((n_groups, n, LANES))
    g_sum = np.zeros((n_groups, LANES))
    n_res = plan.res_site.size
    q = (2 * n if plan.var_th > 0 else 0) + 2 * int(np.sum(plan.res_rate > 0))
    scratch = [(np.empty((ZBLOCK * max(q, 1), LANES)), np.empty((n, LANES)), np.empty((n, LANES)),
                np.empty((n_res, LANES)), np.empty((n_res, LANES)), np.empty((4, LANES))) for _ in range(n_groups)]
    if histogram is not None:
        hx, hy = histogram.bins
        h_args = ((histogram.re_range[0], histogram.im_range[0],
                   hx / (histogram.re_range[1] - histogram.re_range[0]),
                   hy / (histogram.im_range[1] - histogram.im_range[0]), histogram.every))
        shape = (n, hx, hy)
    else:
        h_args = (0.0, 0.0, 1.0, 1.0, 1)
        shape = (0, 1, 1)
    # one histogram buffer per worker; integer counts, so the sum does not depend on who counted what
    workers = min(threads, n_groups)
    buffers = [(np.zeros(shape, np.int64), np.zeros(shape[0], np.int64)) for _ in range(workers)]
    free = list(range(workers))
    lock = threading.Lock()

    def advance(j, n_steps, accumulate, step0):
        with lock:
            b = free.pop()
        try:
            hist, out = buffers[b]
            return _group_steps(gens[j], cr[j], ci[j], plan.u, plan.hr, plan.hi, plan.res_site, plan.res_rate,
                                plan.res_inv_s, plan.nu, plan.var_th, plan.inv_n0, plan.dt, n_steps, accumulate,
                                step0, plan.edges, j_sum[j], j2_sum[j], occ_sum[j], g_sum[j], hist, out,
                                *h_args, len(members[j]), *scratch[j])
        finally:
            with lock:
                free.append(b)

    # blocks: (first step, length) along the trajectory, split at the end of the transient
    blocks = []
    for lo, hi in ((0, n_tr), (n_tr, n_tr + n_av)):
        for a in range(lo, hi, block_steps):
            blocks.append((a, min(block_steps, hi - a)))
    total = n_tr + n_av
    t0 = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for a, length in blocks:
            accumulate = a >= n_tr
            step0 = a - n_tr
            if pool is None:
                status = [advance(j, length, accumulate, step0) for j in range(n_groups)]
            else:
                status = list(pool.map(lambda j: advance(j, length, accumulate, step0), range(n_groups)))
            bad = [j for j, st in enumerate(status) if st >= 0]
            if bad:
                j = bad[0]
                finite = np.all(np.isfinite(cr[j]) & np.isfinite(ci[j]) & (cr[j] ** 2 + ci[j] ** 2 < DIVERGED), axis=0)
                k = ids[members[j][int(np.argmin(finite[:len(members[j])]))]]
                t_lo, t_hi = (a + max(status[j] - ZBLOCK, 0)) * dt, (a + status[j]) * dt
                raise FloatingPointError(
                    f"SDE diverged (overflow/NaN) in trajectory {k} between t = {t_lo:g} and {t_hi:g} "
                    f"(of {total * dt:g}; dt = {dt:g}) for N = {n}, gain = {[(r.site, r.rate) for r in net.gain]}, "
                    f"loss = {[(r.site, r.rate) for r in net.loss]}, gamma = {net.gamma:g}, nu = {net.nu:g}, "
                    f"n0 = {net.n0:g}, n_th_over_n0 = {net.n_th_over_n0:g}; network {net}")
            if progress is not None:
                progress((a + length) / total)
    finally:
        if pool is not None:
            pool.shutdown()
    wall = time.perf_counter() - t0

    live = [(j, lane) for j, mem in enumerate(members) for lane in range(len(mem))]
    pick = lambda arr: np.array([arr[j][..., lane] for j, lane in live])  # noqa: E731
    final = plan.to_sites(np.array([cr[j][:, lane] + 1j * ci[j][:, lane] for j, lane in live]))
    hist = None
    if histogram is not None:
        counts = sum(b[0] for b in buffers)
        outside = sum(b[1] for b in buffers)
        n_samples = n_traj * len(range(0, n_av, histogram.every))
        hist = Histogram(histogram, counts, outside, int(n_samples))
    return _assemble(net, float(dt), n_tr, n_av, ids, pick(j_sum) / n_av, pick(j2_sum) / n_av,
                     pick(occ_sum) / n_av, pick(g_sum) / n_av, final, hist, wall, threads)


def _sem(x: np.ndarray) -> np.ndarray:
    k = x.shape[0]
    if k < 2:
        return np.full(x.shape[1:], np.nan) if x.ndim > 1 else np.float64(np.nan)
    return np.std(x, axis=0, ddof=1) / math.sqrt(k)


def _delta_j(j, j2):
    return np.sqrt(np.maximum(j2 - j * j, 0.0))


def _assemble(net, dt, n_tr, n_av, ids, tj, tj2, tocc, tg, final, hist, wall, threads) -> EnsembleResult:
    k = tj.shape[0]
    jm, j2m = tj.mean(axis=0), tj2.mean(axis=0)
    dj = _delta_j(jm, j2m)
    if k >= 2:  # jackknife: Delta J from all trajectories but one
        jl = (k * jm - tj) / (k - 1)
        j2l = (k * j2m - tj2) / (k - 1)
        djl = _delta_j(jl, j2l)
        dj_sem = np.sqrt((k - 1) / k * np.sum((djl - djl.mean(axis=0)) ** 2, axis=0))
    else:
        dj_sem = np.full(jm.shape, np.nan)
    return EnsembleResult(
        net=net, dt=dt, t_transient=n_tr * dt, t_average=n_av * dt, n_steps_transient=n_tr,
        n_steps_average=n_av, trajectories=ids, edges=net.edge_array, J_mean=jm, J_sem=_sem(tj), J_std=dj,
        J_std_sem=dj_sem, occupation=tocc.mean(axis=0), occupation_sem=_sem(tocc),
        Gbar_mean=float(tg.mean()), Gbar_sem=float(_sem(tg)), traj_J_mean=tj, traj_J2_mean=tj2,
        traj_occupation=tocc, traj_Gbar=tg, final_alpha=final, histogram=hist, wall_time=wall,
        threads=threads)
