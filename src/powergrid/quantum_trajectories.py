"""Quantum trajectories of the master equation (1), one excitation-number sector at a time.

The unravelling
---------------
The stochastic wave-function method of the paper (refs. [70, 71] of the article; Appendix F /
"Numerical methods" of the supplement): between jumps the unnormalised state evolves with the
effective Hamiltonian H_eff = H - (i/2) sum_c L_c^dag L_c, a jump happens when ||psi||^2 falls
below a uniform random number r, its channel c is drawn with probability ||L_c psi||^2 / sum,
and psi <- L_c psi / ||L_c psi||. Channels as in ``powergrid.quantum`` (eq. 1): gain
sqrt(Gamma_i) a^dag f(n) (K -> K+1), loss sqrt(Gamma_e) f(n) a (K -> K-1), thermal
sqrt(gamma (N_th+1)) a (K -> K-1) and sqrt(gamma N_th) a^dag (K -> K+1) on every site.

Sectors: H_eff conserves the total number K, and every jump changes it by +-1, so a trajectory
started in a Fock state is, between jumps, a vector of the dim(K) states of one sector (dim(K) <=
n_basis for N = 2). The propagators U_K(tau) = exp(-i H_eff,K tau) are precomputed per sector for
tau = dt, dt/2, ..., dt/2^levels (the paper: U = exp(-i H_eff dt) with dt = 2e-3/g, a jump taken
at the end of the step in which the norm crosses r, so jump times were resolved to dt).

Time stepping with bisected jump times: a step of length dt applies U_K(dt); if the norm stays
above r nothing else happens. Otherwise the crossing lies inside the step and the step is
redone as two halves, recursively, down to dt/2^levels: the jump is applied at the end of the
finest sub-step that crosses r, and the rest of the step continues (in the new sector, possibly
with further jumps) with the sub-step propagators. Jump times are thus resolved to dt/2^levels
at the cost of ~2 levels extra matrix-vector products per jump, while observables are sampled
on the coarse grid t = n dt. The time-discretisation error is first order in dt/2^levels (the
jump is applied at most that late) and is tested against the exact steady state. Measured
(benchmarks/quantum.py, N = 2, Gamma_e = 6, gamma = 0.2, ~2.3 jumps per 1/g): at dt = 0.05 without
bisection (levels = 0, the paper's scheme at 25 times its step) the jump rate comes out 5 % low and
<n_2> 4.4 standard errors off; with levels = 5 (the default) everything agrees with the exact
steady state, as with the paper's dt = 2e-3, at a tenth of the latter's cost.

The real frame: without detunings and on a bipartite graph (every chain), Phi = i^n_B (n_B: the
quanta on side B; ``powergrid.quantum``, "Solver") turns -i H_eff into a real matrix, and Phi L_c
Phi^dag = (a phase) L_c with L_c real. A trajectory started in a Fock state then stays real up to
a global phase, which no observable sees: there (``frame`` "auto") the propagators, the current
operators and psi are real, and a product costs a quarter of the complex one (benchmarks/quantum.py
part 5). The random numbers are drawn as in the lab frame, so the two frames give the same
trajectories up to rounding (tests/test_quantum.py). With detunings or odd cycles, and with
``frame`` "lab", the lab frame is used; ``result.frame`` says which.

Observables (every step after t_transient, normalised state): J and J^2 per edge as operator
expectations <psi|J|psi>, ||J psi||^2 (so the time mean of the latter is Tr(rho J^2), the
quantum <J^2>), occupations, the top-state population per site (leak), the fraction of time in
the top sector k_max when the total number is capped (leak_total) and Gbar = sum_loss Gamma_e
f^2(n) - sum_gain Gamma_i f^2(n). Units as in the package: J in g n0, occupations in n0. The
truncation (n_basis per site, optionally k_max in all) is that of ``powergrid.quantum``; the
propagators of all kept sectors are stored, but a step costs dim(K)^2 only for the sector K the
trajectory is in, so the cost follows the occupations actually reached, not the box.

Ensembles: seeds, chunks (``first_trajectory`` + ``merge``), blocks and threads as in
``powergrid.trajectory_ensemble`` (shared with ``powergrid.sde``): each trajectory has its own
generator and accumulators and is advanced by one thread at a time, so the numbers do not depend
on ``threads``, ``block_steps`` or chunking. Random numbers, in this order: the first threshold r;
at every jump one uniform for the channel and one for the next threshold. Statistics:
``trajectory_ensemble.ensemble_statistics`` (standard errors from the spread of per-trajectory time
means; jackknife over trajectories for Delta J).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numba import njit

from .model import Network
from .quantum import (
    _I_POWERS,
    MEMORY_CAP,
    QuantumModel,
    _capped,
    _estimate_args,
    _sector_sizes,
    check_memory,
    check_truncation,
    real_frame,
)
from .trajectory_ensemble import (
    TrajectoryEnsemble,
    check_callable,
    check_int,
    describe,
    ensemble_statistics,
    merged_fields,
)

DEFAULT_DT = 0.05  # 1/g: sampling step; jump times resolved to DEFAULT_DT / 2**DEFAULT_LEVELS
DEFAULT_LEVELS = 5
FRAMES = ("auto", "lab")  # "auto": the real frame where it exists (module docstring), else the lab frame
METHOD = "sector quantum trajectories: exp(-i H_eff dt) per sector, jump times bisected to dt/2^levels"


@dataclass(frozen=True)
class QuantumTrajectoryResult:
    """Ensemble statistics of quantum trajectories at one parameter point (units: J in g n0,
    occupation in n0). traj_* are the per-trajectory time means (raw: quanta, J/g) from which
    the statistics are made; join chunks with ``QuantumTrajectoryResult.merge``."""

    net: Network
    n_basis: int
    dt: float
    levels: int
    t_transient: float
    t_average: float
    n_steps_transient: int
    n_steps_average: int
    trajectories: np.ndarray  # (n_traj,) child indices of the seed
    edges: np.ndarray
    J_mean: np.ndarray
    J_sem: np.ndarray
    J_std: np.ndarray
    J_std_sem: np.ndarray
    occupation: np.ndarray
    occupation_sem: np.ndarray
    Gbar_mean: float
    Gbar_sem: float
    leak: np.ndarray  # time-and-ensemble mean population of the top Fock state, per site
    leak_total: float  # ... of the top sector k_max (0 when k_max does not cut the box)
    k_max: int
    traj_J_mean: np.ndarray  # (n_traj, m) <J>/g
    traj_J2_mean: np.ndarray  # (n_traj, m) <J^2>/g^2
    traj_occupation: np.ndarray  # (n_traj, n) <a^dag a>
    traj_leak: np.ndarray  # (n_traj, n)
    traj_leak_total: np.ndarray  # (n_traj,) fraction of the averaging steps spent in sector k_max
    traj_Gbar: np.ndarray  # (n_traj,)
    traj_jumps: np.ndarray  # (n_traj, n_channels) jumps per channel over the whole run
    channels: tuple  # (kind, site) of each channel
    final_sector: np.ndarray  # (n_traj,) total excitation number at the end
    wall_time: float = 0.0
    threads: int = 1
    method: str = METHOD
    frame: str = "lab"  # "real" (Phi = i^n_B) or "lab": where psi was propagated (module docstring)

    @property
    def n_traj(self) -> int:
        return int(self.trajectories.size)

    @classmethod
    def merge(cls, parts: Sequence[QuantumTrajectoryResult]) -> QuantumTrajectoryResult:
        """Join chunks of one ensemble (same network, truncation, dt, levels and times)."""
        first = parts[0]
        f = merged_fields(
            parts,
            ("net", "n_basis", "k_max", "dt", "levels", "n_steps_transient", "n_steps_average", "frame"),
            (
                "trajectories",
                "traj_J_mean",
                "traj_J2_mean",
                "traj_occupation",
                "traj_leak",
                "traj_leak_total",
                "traj_Gbar",
                "traj_jumps",
                "final_sector",
            ),
            "network, n_basis, k_max, dt, levels, t_transient, t_average and frame",
        )
        return _assemble(
            first.net,
            first.n_basis,
            first.k_max,
            first.dt,
            first.levels,
            first.n_steps_transient,
            first.n_steps_average,
            f["trajectories"],
            f["traj_J_mean"],
            f["traj_J2_mean"],
            f["traj_occupation"],
            f["traj_leak"],
            f["traj_leak_total"],
            f["traj_Gbar"],
            f["traj_jumps"],
            first.channels,
            f["final_sector"],
            sum(p.wall_time for p in parts),
            max(p.threads for p in parts),
            first.frame,
        )


def _assemble(
    net,
    n_basis,
    k_max,
    dt,
    levels,
    n_tr,
    n_av,
    ids,
    tj,
    tj2,
    tocc,
    tleak,
    tleak_total,
    tg,
    jumps,
    channels,
    final,
    wall,
    threads,
    frame,
) -> QuantumTrajectoryResult:
    s = ensemble_statistics(tj, tj2, tocc, tg)
    n0 = float(net.n0)
    return QuantumTrajectoryResult(
        net=net,
        n_basis=int(n_basis),
        dt=float(dt),
        levels=int(levels),
        t_transient=n_tr * dt,
        t_average=n_av * dt,
        n_steps_transient=int(n_tr),
        n_steps_average=int(n_av),
        trajectories=ids,
        edges=net.edge_array,
        J_mean=s["J_mean"] / n0,
        J_sem=s["J_sem"] / n0,
        J_std=s["J_std"] / n0,
        J_std_sem=s["J_std_sem"] / n0,
        occupation=s["occupation"] / n0,
        occupation_sem=s["occupation_sem"] / n0,
        Gbar_mean=s["Gbar_mean"],
        Gbar_sem=s["Gbar_sem"],
        leak=tleak.mean(axis=0),
        leak_total=float(tleak_total.mean()),
        k_max=int(k_max),
        traj_J_mean=tj,
        traj_J2_mean=tj2,
        traj_occupation=tocc,
        traj_leak=tleak,
        traj_leak_total=tleak_total,
        traj_Gbar=tg,
        traj_jumps=jumps,
        channels=channels,
        final_sector=final,
        wall_time=wall,
        threads=threads,
        frame=frame,
    )


def trajectory_memory_bytes(n_sites: int, n_basis: int, levels: int = DEFAULT_LEVELS, k_max: int | None = None) -> int:
    """Estimate of the peak memory of ``run_trajectories`` in bytes: levels + 1 complex propagators
    per sector, the expm work of the largest sector, the channel tables, 250 MB of interpreter.
    Measured peak RSS (lab frame): 371 MiB for N = 2, n_basis = 150 (estimate 452 MiB), 939 MiB
    for N = 3, n_basis = 28, levels = 4 (estimate 1009 MiB). In the real frame the propagators are
    real, half of this, so the estimate is an upper bound there (it does not know the network).

    A Python int, exact, at most ``quantum.MEMORY_CAP`` = 2^64 (returned for anything at or above
    it); fast for any size (``quantum.memory_estimate``)."""
    n_sites, n_basis, k_max = _estimate_args("trajectory_memory_bytes", n_sites, n_basis, k_max)
    levels = check_int("trajectory_memory_bytes", "levels", levels, low=0)
    sizes = _sector_sizes(n_sites, n_basis, k_max, (levels + 1) * 16)
    if sizes is None:
        return MEMORY_CAP
    u, d_max, n_states = sizes
    return _capped((levels + 1) * 16 * u + 16 * 8 * d_max**2 + n_states * (40 + 32 * (2 * n_sites + 2)) + 250_000_000)


# ---------------------------------------------------------------------------------------------
# the model in the form the kernel takes


@dataclass(frozen=True)
class _Plan:
    bounds: np.ndarray
    off2: np.ndarray
    U: np.ndarray  # (levels + 1, sum dim^2): exp(-i H_K dt/2^m), row-major per sector; real in the real frame
    direction: np.ndarray
    target: np.ndarray  # (n_channels, n_states)
    amplitude: np.ndarray  # (n_channels, n_states), by source
    cur_ptr: np.ndarray  # (m, n_states + 1) CSR of each edge's current operator
    cur_col: np.ndarray  # (m, nnz)
    cur_val: np.ndarray  # (m, nnz), real in the real frame
    occ: np.ndarray  # (n_states, n_sites) float
    top: np.ndarray  # (n_states, n_sites) 1.0 where n_l = n_basis - 1
    gbar: np.ndarray  # (n_states,) sum_loss Gamma_e f^2 - sum_gain Gamma_i f^2
    k_max: int
    k_cap: int  # k_max where it cuts the box (its population is a leak), else -1
    channels: tuple
    frame: str  # "real" or "lab"

    @classmethod
    def of(
        cls, net: Network, n_basis: int, dt: float, levels: int, k_max: int | None = None, frame: str = "auto"
    ) -> _Plan:
        model = QuantumModel.of(net, n_basis, k_max)
        sec = model.sectors
        dims = sec.dims
        n_b = real_frame(model) if frame == "auto" else None
        # Phi = i^n_B per state: an operator X becomes Phi X Phi^dag, real where the frame exists
        phase = None if n_b is None else _I_POWERS[n_b % 4]

        def in_frame(x, lo, where):
            if phase is None:
                return x
            d = x.shape[0]
            y = phase[lo : lo + d, None] * x * np.conj(phase[lo : lo + d])[None, :]
            if np.any(y.imag != 0.0):  # exact: the phases are +-1, +-i
                raise RuntimeError(f"{where} is not real in the frame i^n_B")
            return y.real

        off2 = np.concatenate([[0], np.cumsum(dims.astype(np.int64) ** 2)]).astype(np.int64)
        U = np.empty((levels + 1, off2[-1]), np.complex128 if phase is None else np.float64)
        for k in range(sec.n_sectors):
            u = scipy.linalg.expm(in_frame(-1j * model.hamiltonian(k), sec.bounds[k], f"sector {k}") * (dt / 2**levels))
            for m in range(levels, -1, -1):  # finest first, then squares: U(2 tau) = U(tau)^2
                U[m, off2[k] : off2[k + 1]] = u.ravel()
                u = u @ u
        st = sec.states
        m_edges = len(net.edges)
        ptrs, cols, vals = [], [], []
        n_states = st.shape[0]
        for e in range(m_edges):
            r_, c_, v_ = [], [], []
            for k in range(sec.n_sectors):
                if dims[k] < 2:
                    continue
                jk = in_frame(model.J_matrix(k, e), sec.bounds[k], f"the current of edge {e}")
                rr, cc = np.nonzero(jk)
                r_.append(rr + sec.bounds[k])
                c_.append(cc + sec.bounds[k])
                v_.append(jk[rr, cc])
            r_ = np.concatenate(r_) if r_ else np.zeros(0, np.int64)
            c_ = np.concatenate(c_) if c_ else np.zeros(0, np.int64)
            v_ = np.concatenate(v_) if v_ else np.zeros(0, U.dtype)
            order = np.lexsort((c_, r_))
            ptrs.append(np.searchsorted(r_[order], np.arange(n_states + 1)))
            cols.append(c_[order])
            vals.append(v_[order])
        nnz = max([c.size for c in cols] + [1])
        cur_col = np.zeros((m_edges, nnz), np.int64)
        cur_val = np.zeros((m_edges, nnz), U.dtype)
        for e in range(m_edges):
            cur_col[e, : cols[e].size] = cols[e]
            cur_val[e, : vals[e].size] = vals[e]
        cur_ptr = np.array(ptrs, np.int64).reshape(m_edges, n_states + 1)
        gbar = np.zeros(n_states)
        for r, s in [(r, 1.0) for r in net.loss] + [(r, -1.0) for r in net.gain]:
            gbar += s * r.rate * (1.0 + st[:, r.site] / (net.n0 * r.n0_ratio)) ** (-float(net.nu))
        return cls(
            sec.bounds,
            off2,
            U,
            model.direction,
            model.target,
            model.amplitude_out,
            cur_ptr,
            cur_col,
            cur_val,
            st.astype(float),
            (st == n_basis - 1).astype(float),
            gbar,
            sec.k_max,
            sec.k_max if sec.capped else -1,
            tuple(zip(model.kind, (int(s) for s in model.site), strict=True)),
            "lab" if phase is None else "real",
        )


# ---------------------------------------------------------------------------------------------
# compiled trajectory kernel


# Below this sector size a BLAS call costs more than the product (0.3-0.5 us; at N = 2 with a few
# quanta most sectors are smaller): benchmarks/quantum.py --skip 1,2,3.
MATVEC_BLAS_MIN = 16


@njit(cache=True, nogil=True)
def _matvec_loop(U, o, d, x, out):
    """out[:d] = U x[:d] as a compiled loop (one accumulator, bound by the latency of its additions);
    real or complex, as U and x."""
    for a in range(d):
        s = 0.0 * x[0]  # zero of x's type
        row = o + a * d
        for b in range(d):
            s += U[row + b] * x[b]
        out[a] = s


@njit(cache=True, nogil=True)
def _matvec(U, o, d, x, out):
    """out[:d] = U x[:d], U the d x d propagator stored row by row from U[o]. From d = 16 on by
    BLAS (zgemv, or dgemv in the real frame): 1.6-3.6x faster than ``_matvec_loop`` for the
    complex sectors of three sites (d = 28 ... 660)."""
    if d < MATVEC_BLAS_MIN:
        _matvec_loop(U, o, d, x, out)
    else:
        np.dot(U[o : o + d * d].reshape((d, d)), x[:d], out[:d])


@njit(cache=True, nogil=True)
def _norm2(x, d):
    s = 0.0
    for a in range(d):
        s += x[a].real * x[a].real + x[a].imag * x[a].imag
    return s


@njit(cache=True, nogil=True)
def _jump(gen, psi, tmp, k, bounds, direction, target, amplitude, jumps):
    """Draw a channel with probability ||L_c psi||^2 / sum and apply it; returns the new sector."""
    lo = bounds[k]
    d = bounds[k + 1] - lo
    n_ch = direction.size
    w = np.zeros(n_ch)
    tot = 0.0
    for c in range(n_ch):
        s = 0.0
        for a in range(d):
            if target[c, lo + a] >= 0:
                x = psi[a]
                s += amplitude[c, lo + a] ** 2 * (x.real * x.real + x.imag * x.imag)
        w[c] = s
        tot += s
    u = gen.random() * tot
    if tot <= 0.0:  # no channel can act (only possible through rounding): keep the state
        return k
    c = 0
    acc = w[0]
    while acc <= u and c < n_ch - 1:
        c += 1
        acc += w[c]
    while w[c] == 0.0:  # never pick an empty channel (u at the very top of the range)
        c -= 1
    k2 = k + direction[c]
    lo2 = bounds[k2]
    d2 = bounds[k2 + 1] - lo2
    for a in range(d2):
        tmp[a] = 0.0
    for a in range(d):
        t = target[c, lo + a]
        if t >= 0:
            tmp[t - lo2] = amplitude[c, lo + a] * psi[a]
    nrm = 1.0 / math.sqrt(w[c])
    for a in range(d2):
        psi[a] = tmp[a] * nrm
    jumps[c] += 1
    return k2


@njit(cache=True, nogil=True)
def _trajectory(
    gen,
    psi,
    tmp,
    state,
    n_steps,
    accumulate,
    levels,
    bounds,
    off2,
    U,
    direction,
    target,
    amplitude,
    cur_ptr,
    cur_col,
    cur_val,
    occ,
    top,
    gbar,
    k_cap,
    acc_j,
    acc_j2,
    acc_occ,
    acc_top,
    acc_g,
    jumps,
):
    """Advance one trajectory by n_steps steps of dt. state = [sector, threshold r] (in/out);
    acc_g = [sum of Gbar, steps spent in sector k_cap]."""
    k = int(state[0])
    r = state[1]
    n_sites = occ.shape[1]
    m_edges = cur_ptr.shape[0]
    stack = np.empty(2 * (levels + 2), np.int64)
    for _ in range(n_steps):
        stack[0] = 0  # chunks still to do in this step, by level (0: the whole dt)
        top_s = 1
        while top_s > 0:
            top_s -= 1
            lev = stack[top_s]
            lo = bounds[k]
            d = bounds[k + 1] - lo
            _matvec(U[lev], off2[k], d, psi, tmp)
            p = _norm2(tmp, d)
            if p >= r:
                for a in range(d):
                    psi[a] = tmp[a]
            elif lev < levels:  # the crossing is inside: redo as two halves, first half first
                stack[top_s] = lev + 1
                stack[top_s + 1] = lev + 1
                top_s += 2
            else:  # finest sub-step: jump at its end, new threshold
                for a in range(d):
                    psi[a] = tmp[a]
                k = _jump(gen, psi, tmp, k, bounds, direction, target, amplitude, jumps)
                r = gen.random()
        if accumulate:
            lo = bounds[k]
            d = bounds[k + 1] - lo
            inv = 1.0 / _norm2(psi, d)
            if k == k_cap:
                acc_g[1] += 1.0
            for a in range(d):
                x = psi[a]
                pa = (x.real * x.real + x.imag * x.imag) * inv
                g = lo + a
                for l in range(n_sites):
                    acc_occ[l] += pa * occ[g, l]
                    acc_top[l] += pa * top[g, l]
                acc_g[0] += pa * gbar[g]
            for e in range(m_edges):
                sj = 0.0
                sj2 = 0.0
                for a in range(d):
                    g = lo + a
                    y = 0j
                    for q in range(cur_ptr[e, g], cur_ptr[e, g + 1]):
                        y += cur_val[e, q] * psi[cur_col[e, q] - lo]
                    sj += (psi[a].conjugate() * y).real
                    sj2 += y.real * y.real + y.imag * y.imag
                acc_j[e] += sj * inv
                acc_j2[e] += sj2 * inv
    state[0] = k
    state[1] = r


# ---------------------------------------------------------------------------------------------
# ensembles


def run_trajectories(
    net: Network,
    n_basis: int,
    *,
    k_max: int | None = None,
    dt: float = DEFAULT_DT,
    levels: int = DEFAULT_LEVELS,
    t_transient: float,
    t_average: float,
    n_traj: int | None = None,
    seed: np.random.SeedSequence | Sequence[np.random.SeedSequence],
    first_trajectory: int = 0,
    start: Sequence[int] | None = None,
    progress: Callable[[float], None] | None = None,
    threads: int | None = None,
    block_steps: int = 200_000,
    memory_limit: float | None = None,
    frame: str = "auto",
) -> QuantumTrajectoryResult:
    """Run n_traj quantum trajectories of eq. (1) for ``net`` (n_basis Fock states per site, at
    most k_max quanta in all; the truncation of ``powergrid.quantum.exact_steady_state``).

    dt (sampling step and propagator), t_transient, t_average in 1/g, rounded to whole steps;
    jump times are resolved to dt / 2**levels. ``seed``: a SeedSequence whose children
    first_trajectory .. are the trajectories, or one SeedSequence per trajectory (as in
    ``powergrid.sde.run_ensemble``). ``start``: Fock occupations of the initial product state
    (default: the vacuum). ``progress(fraction)`` is called after every ``block_steps`` steps of
    all trajectories; ``threads``: worker threads (default numba's), results do not depend on it.

    ``frame``: "auto" propagates in the real frame where it exists (module docstring), "lab" always
    in the lab frame; the two give the same trajectories up to rounding.

    Arguments of a wrong type raise TypeError, wrong values ValueError, naming the argument and
    its value. Raises MemoryError before building anything if ``trajectory_memory_bytes`` exceeds
    ``memory_limit`` bytes (default: this machine's physical memory).
    """
    where = "run_trajectories"
    if frame not in FRAMES:
        raise ValueError(f"{where}: frame must be one of {FRAMES}, got {frame!r}")
    n_basis, k_max = check_truncation(where, net, n_basis, k_max)
    levels = check_int(where, "levels", levels, low=0)
    check_callable(where, "progress", progress)
    ens = TrajectoryEnsemble.of(
        seed, n_traj, first_trajectory, dt, t_transient, t_average, threads, block_steps, where=where
    )
    n_tr, n_av = ens.n_transient, ens.n_average
    n, m = net.n_sites, len(net.edges)
    want = f"{n} occupations (integers) in 0..{n_basis - 1}, at most k_max = {k_max} in all"
    if start is not None:
        if isinstance(start, (str, bytes)) or not isinstance(start, (Sequence, np.ndarray)):
            raise TypeError(f"{where}: start must be {want}, got {describe(start)}")
        if len(start) != n:
            raise ValueError(f"{where}: start must be {want}, got {describe(start)}")
        for s in start:
            check_int(where, "start", s)
    start = tuple(int(s) for s in (start if start is not None else (0,) * n))
    if min(start) < 0 or max(start) > n_basis - 1 or (k_max is not None and sum(start) > k_max):
        raise ValueError(f"{where}: start must be {want}, got {start}")
    estimate = trajectory_memory_bytes(n, n_basis, levels, k_max)
    check_memory(where, n, n_basis, k_max, estimate, memory_limit)
    plan = _Plan.of(net, n_basis, float(dt), levels, k_max, frame)
    k0 = sum(start)
    st = np.asarray(start)
    lo = plan.bounds[k0]
    sec_states = plan.occ[lo : plan.bounds[k0 + 1]].astype(np.int64)
    pos0 = int(np.nonzero(np.all(sec_states == st, axis=1))[0][0])
    dmax = int(np.max(np.diff(plan.bounds)))
    n_ch = plan.direction.size

    trajs = []
    for g in ens.generators():
        psi = np.zeros(dmax, plan.U.dtype)
        psi[pos0] = 1.0
        state = np.array([float(k0), g.random()])
        trajs.append(
            dict(
                gen=g,
                psi=psi,
                tmp=np.zeros(dmax, plan.U.dtype),
                state=state,
                j=np.zeros(m),
                j2=np.zeros(m),
                occ=np.zeros(n),
                top=np.zeros(n),
                g=np.zeros(2),
                jumps=np.zeros(n_ch, np.int64),
            )
        )
    args = (
        levels,
        plan.bounds,
        plan.off2,
        plan.U,
        plan.direction,
        plan.target,
        plan.amplitude,
        plan.cur_ptr,
        plan.cur_col,
        plan.cur_val,
        plan.occ,
        plan.top,
        plan.gbar,
        plan.k_cap,
    )

    def advance(j, first_step, n_steps, accumulate):
        t = trajs[j]
        _trajectory(
            t["gen"],
            t["psi"],
            t["tmp"],
            t["state"],
            n_steps,
            accumulate,
            *args,
            t["j"],
            t["j2"],
            t["occ"],
            t["top"],
            t["g"],
            t["jumps"],
        )

    wall = ens.run(len(trajs), advance, progress)
    stack = lambda key: np.array([t[key] for t in trajs]) / n_av  # noqa: E731
    return _assemble(
        net,
        n_basis,
        plan.k_max,
        float(dt),
        levels,
        n_tr,
        n_av,
        ens.ids,
        stack("j"),
        stack("j2"),
        stack("occ"),
        stack("top"),
        stack("g")[:, 1],
        stack("g")[:, 0],
        np.array([t["jumps"] for t in trajs]),
        plan.channels,
        np.array([int(t["state"][0]) for t in trajs], np.int64),
        wall,
        ens.threads,
        plan.frame,
    )
