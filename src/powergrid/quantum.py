"""The quantum regime: exact steady state of the master equation (1), resolved by excitation number.

The master equation
-------------------
Eq. (1) of the letter and of the article, in the form (S1)-(S4) of the supplement, on any
``Network`` (g = 1)::

    d rho/dt = -i [H, rho] + sum_gain Gamma_i D[A_l^dag] rho + sum_loss Gamma_e D[A_l] rho
               + sum_l gamma (N_th + 1) D[a_l] rho + gamma N_th D[a_l^dag] rho              (1), (S1)-(S3)

    H = -(g/2) sum_edges (a_i^dag a_j + h.c.) + sum_l Delta_l a_l^dag a_l
    A_l = f(a_l^dag a_l) a_l,   f(n) = (1 + n/n0_l)^(-nu/2)                                 (S4)
    D[L] rho = L rho L^dag - (L^dag L rho + rho L^dag L)/2

with n0_l = net.n0 * reservoir.n0_ratio and N_th = net.n_th_over_n0 * net.n0: here n0 is the
absolute saturation number (the quantum problem is not invariant under the scaling by sqrt(n0)).
The gain dissipator is D[A^dag] with A^dag = a^dag f(a^dag a), as printed in eqs. (1) and (S3):
f acts *before* the creation operator, A^dag |n> = sqrt(n+1) f(n) |n+1>, so a gain jump out of
|n> has rate Gamma_i (n+1) f^2(n), and A^dag's own normal-ordered P-representation gives the
substitution rule (S15), A^dag rho -> (alpha^* - d/d alpha) f P. A loss jump out of |n> has rate
Gamma_e n f^2(n-1) (A |n> = f(n-1) sqrt(n) |n-1>).

Truncation: every site keeps the Fock states 0 .. n_basis-1 and every operator is the truncated
matrix (as ``qutip.destroy(n_basis)`` builds it): a^dag annihilates the top state, so gain and
thermal excitation stop there. Optionally the total number is capped too, sum_l n_l <= k_max
(operators P O P with P the projector on the kept states: raising operators annihilate the top
sector); for N >= 3 this keeps far fewer states than the box for the same accuracy, since the
sites' excitations are not all large at once. ``leak`` = population of the top state of each
site, ``leak_total`` = population of the top sector k_max, measure what the truncation cuts;
``check_leak`` turns a bound on them into an error.

Sectors
-------
H and every jump operator change the total excitation number K = sum_l n_l of a ket by a fixed
amount (0 for H, +1 for A^dag and a^dag, -1 for A and a), so the Liouvillian conserves
(K of the ket) - (K of the bra). The steady state (unique: the thermal and saturable channels
connect every Fock state with the vacuum) lies in the difference-0 part, a direct sum of blocks::

    rho = (+)_k rho_k,     rho_k: dim(k) x dim(k),   dim(k) = #{n in box : sum n_l = k}

and the master equation couples only neighbouring blocks (block-tridiagonal in k)::

    0 = L0_k(rho_k) + sum_up  L_c rho_{k-1} L_c^dag + sum_down L_c rho_{k+1} L_c^dag
    L0_k(X) = -i (H_k X - X H_k^dag),   H_k = H - (i/2) sum_c L_c^dag L_c  (restricted to sector k)

(every L_c^dag L_c is diagonal in the Fock basis). For N = 2 the unknowns are sum_k dim(k)^2 ~
(2/3) n_basis^3 instead of n_basis^4 for the full density matrix.

Solver
------
The blocks are Hermitian; each is stored as dim(k)^2 real numbers (diagonal; sqrt(2) Re and
sqrt(2) Im of the upper triangle), so the Euclidean product of two such vectors is the
Hilbert-Schmidt product Tr(A B). The linear system is ``A x = s w`` with A x = L x + s w Tr(x),
w = |vac><vac| and a scalar s != 0: since Tr(L x) = 0 for every x, its solution has Tr x = 1 and
L x = 0. It is solved by BiCGSTAB (falling back to GCROT(m, k) should it break down or stall),
right-preconditioned, so that the answer is that of the true operator whatever the preconditioner,
with a symmetric block Gauss-Seidel preconditioner over the sectors::

    forward  k = 0 .. K:   z_k = L0_k^{-1}(v_k - sum_up L_c z_{k-1} L_c^dag)
    backward k = K .. 0:   x_k = L0_k^{-1}(L0_k z_k - sum_down L_c x_{k+1} L_c^dag)

where L0_k^{-1} Y = V [(V^{-1} Y V^{-dag}) o i/(lambda_a - lambda_b^*)] V^dag from the eigen-
decomposition H_k = V diag(lambda) V^{-1} (computed once, O(dim^3) per sector).

The real frame: without detunings and on a bipartite graph (sides A and B: every chain, every
lattice without odd cycles), Phi = i^n_B (n_B: the quanta on side B) makes eq. (1) real. Phi a_B
Phi^dag = -i a_B, so Phi H Phi^dag = i K with K real antisymmetric, and the phases of the jump
operators cancel in L_c rho L_c^dag. X = Phi rho Phi^dag then obeys

    dX/dt = A X + X A^T + sum_c L_c X L_c^T,   A = K - (1/2) sum_c L_c^dag L_c   (real),

and the unique steady state X is real symmetric. There the solver works with X, in real
arithmetic (a real product costs a quarter of a complex one), with A_k = W B W^{-1} in real form
(B: 1 x 1 blocks for real eigenvalues, [[alpha, beta], [-beta, alpha]] for a pair alpha +- i beta):
L0_k^{-1} Y = W Xh W^T with B Xh + Xh B^T = W^{-1} Y W^{-T} solved tile by tile, four real
products per block. In exact arithmetic the Krylov iterates are those of the lab frame (the
operators are unitarily equivalent); ``benchmarks/quantum_frame.py`` measures the gain. With
detunings or odd cycles the lab frame is used; ``result.frame`` says which.

The block sweeps capture the fast coherent and dissipative dynamics within each sector exactly;
the Krylov solver removes the slow modes (rates ~ gamma). s = 1/Tr(M^{-1} w) places the one
eigenvalue that the rank-one term adds to the preconditioned operator near 1, among the others.
The work per iteration is O(sum_k dim(k)^3); the memory is ~12 real vectors of sum_k dim(k)^2
(~40 in the fallback) plus the eigenvectors (2 complex matrices per sector; 2 real ones and the
tile coefficients in the real frame), see
``exact_memory_bytes``. Measured alternatives: a general sparse LU of the same system (SuperLU,
COLAMD) fills in like a 3-D grid (19 s and 1.8 GB at n_basis = 40, growing ~ n_basis^6);
restarted GMRES(30) with the same preconditioner took 360 preconditioner applications where
BiCGSTAB takes 202 (n0 = 2, gamma = 1e-3, Gamma_e = 3, n_basis = 150) and stalls for good at n0 = 15,
gamma = 0.1, Gamma_e = 0, n_basis = 80 (BiCGSTAB: 360); the block sweeps alone, iterated with an
aggregation over the sectors, contract the error by only ~0.98 per sweep (docs/performance.md).

Sizes: ``memory_estimate(n_sites, n_basis, k_max, solver)`` gives the estimated peak memory as an
exact Python int (``sector_dims`` and the estimates never overflow: the box has n_basis^N states,
beyond int64 from N ~ 20), quickly for any size, saturating at MEMORY_CAP = 2^64 bytes. Both
solvers refuse a truncation whose estimate exceeds ``memory_limit`` (default: this machine's
physical memory) with a MemoryError before building anything, and check their arguments
(TypeError / ValueError naming the argument and its value).

Observables
-----------
Current on an oriented edge (i, j): J = i (g/2)(a_j^dag a_i - a_i^dag a_j), the operator whose
classical value is g Im(alpha_i^* alpha_j) (the article's J_l for the bond l-1 -> l), positive
when energy flows from i to j. Delta J = sqrt(<J^2> - <J>^2) with J^2 the square of the truncated
operator. Gbar = <sum_loss Gamma_e f^2(n) - sum_gain Gamma_i f^2(n)> (the operator version of the
paper's mean damping rate). Negativity between the end sites 0 and N-1 (the middle traced out):
N = (||rho^{T_B}||_1 - 1)/2 = sum of |negative eigenvalues| of the partial transpose. The reduced
state is block-diagonal in n_0 + n_{N-1} and its partial transpose in n_0 - n_{N-1}, so this takes
2 n_basis - 1 Hermitian eigenproblems of size <= n_basis. Units as in the rest of the package:
occupations <a^dag a>/n0, currents J/(g n0); raw values (quanta) are kept as well.

Computing with the state
------------------------
The result keeps the blocks (``result.blocks``: per sector k its Fock states, their flat indices
in the box and rho_k; views of the solver's solution, no copy) and computes with them:

    result.expect(op)             <O> = sum_k Tr(O_k rho_k); op is a Qobj or matrix on the box
                                  (qutip.tensor order), a product of local operators {site: matrix},
                                  or a callable (k, states) -> matrix of O on sector k
    result.std(op)                sqrt(<O^2> - <O>^2) of a Hermitian O that conserves the total
                                  number (then (O^2)_k = O_k O_k; others are refused)
    result.negativity_of(A, B)    negativity of sites A | B (default B: all other sites; any sites
                                  in neither are traced out); negativity == negativity_of([0], [N-1])
    result.density_matrix()       the whole rho as a qutip.Qobj (small truncations only)

Only the number-conserving part of O contributes (rho is block-diagonal), so e.g. <a_l> = 0.
The stored <J>, Delta J and negativity go through these same functions.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, bicgstab, gcrotmk

from .model import Network, bipartite_colours
from .trajectory_ensemble import check_int, check_real, describe

METHOD = "sector-resolved steady state: BiCGSTAB + symmetric block Gauss-Seidel over excitation-number sectors"
DEFAULT_TOL = 1e-12  # ||A x - s w||_2 / |s| (Hilbert-Schmidt) below this
DEFAULT_MAXITER = 5000  # preconditioner applications in all (BiCGSTAB takes 2 per iteration)
FALLBACK = {"m": 10, "k": 5}  # GCROT(m, k) should BiCGSTAB break down or stall three times
MEMORY_CAP = 2**64  # bytes (16 EiB): memory estimates at or above it are returned as MEMORY_CAP
MAX_BOX = 2**62  # n_basis**n_sites: the flat Fock indices of the box are int64


# ---------------------------------------------------------------------------------------------
# the truncated Fock space ordered by sectors


@dataclass(frozen=True)
class Sectors:
    """Fock states of n_sites modes with 0..n_basis-1 quanta each and at most k_max in all,
    ordered by total number k.

    ``states[g]`` is the occupation tuple of global index g; sector k holds the global indices
    bounds[k] .. bounds[k+1]-1 in lexicographic order (site 0 slowest, as in qutip.tensor).
    ``position[f]`` is the index within its sector of the state with flat Fock index f
    (f = sum_l n_l n_basis^(N-1-l)), -1 for states above k_max.
    """

    n_sites: int
    n_basis: int
    k_max: int
    states: np.ndarray  # (n_states, n_sites) int64
    bounds: np.ndarray  # (n_sectors + 1,)
    flat: np.ndarray  # (n_states,) flat Fock index of each global index
    position: np.ndarray  # (n_basis^n_sites,) index within the sector, by flat index

    @classmethod
    def of(cls, n_sites: int, n_basis: int, k_max: int | None = None) -> Sectors:
        n_sites = check_int("Sectors.of", "n_sites", n_sites, low=1)
        n_basis = check_int("Sectors.of", "n_basis", n_basis, low=2)
        top = n_sites * (n_basis - 1)
        k_max = top if k_max is None else check_int("Sectors.of", "k_max", k_max, low=1, high=top)
        if not _box_below(n_sites, n_basis, MAX_BOX):
            raise ValueError(
                f"Sectors.of: the box of n_basis^n_sites = {n_basis}^{n_sites} Fock states is too large to index "
                f"(more than 2^62 states); lower n_basis"
            )
        grid = np.indices((n_basis,) * n_sites, dtype=np.int64).reshape(n_sites, -1).T
        total = grid.sum(axis=1)
        keep = total <= k_max
        grid, total = grid[keep], total[keep]
        order = np.argsort(total, kind="stable")
        states = np.ascontiguousarray(grid[order])
        total = total[order]
        bounds = np.searchsorted(total, np.arange(k_max + 2)).astype(np.int64)
        strides = n_basis ** np.arange(n_sites - 1, -1, -1, dtype=np.int64)
        flat = states @ strides
        position = np.full(n_basis**n_sites, -1, np.int64)
        position[flat] = np.arange(flat.size) - bounds[total]
        return cls(n_sites, n_basis, k_max, states, bounds, flat, position)

    @property
    def capped(self) -> bool:
        """True if k_max cuts the box (the top sector is not just the all-top state)."""
        return self.k_max < self.n_sites * (self.n_basis - 1)

    @property
    def n_sectors(self) -> int:
        return self.bounds.size - 1

    @property
    def dims(self) -> np.ndarray:
        return np.diff(self.bounds)

    @property
    def strides(self) -> np.ndarray:
        return self.n_basis ** np.arange(self.n_sites - 1, -1, -1, dtype=np.int64)

    def index(self, states: np.ndarray) -> np.ndarray:
        """Global indices of occupation tuples (rows of ``states``; all kept states)."""
        st = np.asarray(states, np.int64)
        f = st @ self.strides
        return self.bounds[st.sum(axis=-1)] + self.position[f]


def sector_dims(n_sites: int, n_basis: int, k_max: int | None = None) -> np.ndarray:
    """dim(k) for k = 0 .. k_max (default n_sites (n_basis - 1)), without building the basis.

    Exact: int64 while n_basis^n_sites < 2^63 (no dim and no partial sum exceeds it), else an
    object array of Python ints. The coefficients of (1 + x + ... + x^(n_basis-1))^n_sites up to
    x^k_max, one site at a time as prefix sums (O(n_sites k_max) additions); the number of sectors
    is k_max + 1, so for large truncations ``memory_estimate`` (which needs no sectors there) is
    the way to size a problem."""
    n_sites = check_int("sector_dims", "n_sites", n_sites, low=1)
    n_basis = check_int("sector_dims", "n_basis", n_basis, low=2)
    k_max = check_int("sector_dims", "k_max", k_max, low=0, none=True)
    top = n_sites * (n_basis - 1)
    return _dims(n_sites, n_basis, top if k_max is None else min(k_max, top))


def _dims(n_sites: int, n_basis: int, k_max: int) -> np.ndarray:
    """dim(0 .. k_max) exactly: multiply by 1 + x + ... + x^(b-1) = (prefix sum) - (shifted by b)."""
    d = np.zeros(k_max + 1, np.int64 if _box_below(n_sites, n_basis, 2**63) else object)
    d[0] = 1
    for _ in range(n_sites):
        c = np.cumsum(d, dtype=d.dtype)
        d = c.copy()
        if n_basis < c.size:
            d[n_basis:] -= c[: c.size - n_basis]
    return d


def _box_below(n_sites: int, n_basis: int, bound: int) -> bool:
    """n_basis^n_sites < bound (a power of two), without computing a huge power."""
    bits = n_sites * math.log2(n_basis)
    if bits > bound.bit_length() + 1:
        return False
    return n_basis**n_sites < bound


def _sector_sizes(n_sites: int, n_basis: int, k_max: int | None, u_weight: int) -> tuple[int, int, int] | None:
    """(u, d, n_states): u = sum_k dim(k)^2, d = max_k dim(k) over k <= k_max and n_states =
    n_basis^n_sites, as exact Python ints; None when an estimate with at least n_states + u_weight u
    bytes reaches MEMORY_CAP, which is decided without enumerating anything: by the box, or by the
    lower bound u >= C(m + N, N)^2 / (m + 1), m = min(k_max, n_basis - 1) (the sectors k <= m hold
    dim(k) = C(k + N - 1, N - 1) states, C(m + N, N) in all; Cauchy-Schwarz). Past both checks the
    sectors are few (< 4e6, N = 2 being the worst case), and counting them is fast."""
    if not _box_below(n_sites, n_basis, MEMORY_CAP):
        return None
    n_states = n_basis**n_sites
    top = n_sites * (n_basis - 1)
    k_max = top if k_max is None else k_max
    m = min(k_max, n_basis - 1)
    if u_weight * (math.comb(m + n_sites, n_sites) ** 2 // (m + 1)) >= MEMORY_CAP:
        return None
    d = _dims(n_sites, n_basis, k_max)
    d_max = int(d.max())
    if d.dtype == np.int64 and d_max**2 * d.size < 2**63:
        u = int(np.dot(d, d))
    else:
        obj = d.astype(object)
        u = int(obj.dot(obj))
    return u, d_max, n_states


def _capped(total: int) -> int:
    return min(int(total), MEMORY_CAP)


def machine_memory() -> int | None:
    """This machine's physical memory in bytes (os.sysconf), None where the system does not say."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return int(pages) * int(size) if pages > 0 and size > 0 else None


def memory_estimate(
    n_sites: int, n_basis: int, k_max: int | None = None, solver: str = "exact", *, levels: int | None = None
) -> int:
    """Estimated peak memory in bytes (a Python int) of ``exact_steady_state`` (solver "exact") or
    ``quantum_trajectories.run_trajectories`` (solver "trajectories", with ``levels``, default its
    DEFAULT_LEVELS) for n_sites sites, n_basis Fock states per site and at most k_max quanta in all
    (None: no cap): ``exact_memory_bytes`` or ``quantum_trajectories.trajectory_memory_bytes``.

    Exact integer arithmetic, no overflow, and fast for any size (no state is enumerated; sectors
    only where there are few): values at or above MEMORY_CAP = 2^64 bytes are returned as
    MEMORY_CAP, so that e.g. n_sites = 10^5, n_basis = 10^4 answers at once. Compare it with a
    memory limit as an integer; ``exact_steady_state`` and ``run_trajectories`` refuse to start
    when it exceeds theirs (``memory_limit``, default this machine's memory)."""
    n_sites, n_basis, k_max = _estimate_args("memory_estimate", n_sites, n_basis, k_max)
    if solver == "exact":
        return exact_memory_bytes(n_sites, n_basis, k_max)
    if solver == "trajectories":
        from . import quantum_trajectories  # imports this module

        if levels is None:
            levels = quantum_trajectories.DEFAULT_LEVELS
        return quantum_trajectories.trajectory_memory_bytes(n_sites, n_basis, levels, k_max)
    raise ValueError(f"memory_estimate: solver must be 'exact' or 'trajectories', got {describe(solver)}")


def format_bytes(n: int) -> str:
    """A byte count for messages ("1234567 bytes (1.15 GiB)"; "at least 2^64 bytes" at MEMORY_CAP)."""
    if n >= MEMORY_CAP:
        return "at least 2^64 bytes (16 EiB)"
    return f"{n} bytes ({n / 2**30:.3g} GiB)"


def check_truncation(where: str, net, n_basis, k_max) -> tuple[int, int | None]:
    """(n_basis, k_max) as ints after checking ``net`` (a Network), n_basis (an integer >= 2) and
    k_max (None or an integer in 1..n_sites (n_basis - 1)); TypeError / ValueError naming them."""
    if not isinstance(net, Network):
        raise TypeError(f"{where}: net must be a powergrid.model.Network, got {describe(net)}")
    n_basis = check_int(where, "n_basis", n_basis, low=2)
    k_max = check_int(where, "k_max", k_max, low=1, high=net.n_sites * (n_basis - 1), none=True)
    return n_basis, k_max


def check_memory(where: str, n_sites: int, n_basis: int, k_max: int | None, estimate: int, memory_limit) -> None:
    """MemoryError naming the truncation and the estimate if ``estimate`` exceeds ``memory_limit``
    (bytes; None: this machine's physical memory, no limit where unknown)."""
    memory_limit = check_real(where, "memory_limit", memory_limit, none=True)
    limit = machine_memory() if memory_limit is None else memory_limit
    if limit is not None and estimate > limit:
        source = "this machine's physical memory" if memory_limit is None else "memory_limit"
        limit_text = format_bytes(int(limit)) if math.isfinite(limit) else repr(limit)
        raise MemoryError(
            f"{where}: n_sites = {n_sites}, n_basis = {n_basis}, k_max = {k_max} would need an estimated "
            f"{format_bytes(estimate)} (quantum.memory_estimate), more than {limit_text} ({source}); lower "
            f"n_basis, cap the total number of quanta with k_max, or raise memory_limit if the estimate is too high"
        )


# ---------------------------------------------------------------------------------------------
# the master equation in sector form


@dataclass(frozen=True)
class QuantumModel:
    """Eq. (1) on a Network, truncated to n_basis Fock states per site, in the sector basis.

    Jump channels c (all with a nonzero rate): ``direction[c]`` = +1 (creates a quantum at
    ``site[c]``) or -1; for a target global index g, ``source[c, g]`` is the global index the
    jump comes from (-1: none) and ``amplitude[c, g]`` the matrix element <g|L_c|source> (sqrt of
    the rate included). ``target``/``amplitude_out`` are the same map indexed by the source.
    H_k = hopping (CSR over global indices, always within a sector) + diag(``h_diag``), where
    h_diag = sum_l Delta_l n_l - (i/2) sum_c |L_c|^2 is complex.
    """

    net: Network
    sectors: Sectors
    h_diag: np.ndarray  # (n_states,) complex
    hop_ptr: np.ndarray  # CSR of the hopping -(g/2)(a_i^dag a_j + h.c.)
    hop_col: np.ndarray
    hop_val: np.ndarray
    direction: np.ndarray  # (n_channels,) +1 / -1
    site: np.ndarray  # (n_channels,)
    kind: tuple  # per channel: "gain", "loss", "thermal-", "thermal+"
    source: np.ndarray  # (n_channels, n_states) int64
    amplitude: np.ndarray  # (n_channels, n_states) float64, indexed by target
    target: np.ndarray  # (n_channels, n_states) int64
    amplitude_out: np.ndarray  # (n_channels, n_states) float64, indexed by source
    n0_site: np.ndarray  # absolute n0_l per site (inf where no reservoir)
    n_th: float

    @classmethod
    def of(cls, net: Network, n_basis: int, k_max: int | None = None) -> QuantumModel:
        sec = Sectors.of(net.n_sites, int(n_basis), k_max)
        st, nb = sec.states, sec.n_basis
        n_states = st.shape[0]
        strides = sec.strides
        nu = float(net.nu)
        n_th = float(net.n_th_over_n0) * float(net.n0)
        channels = []  # (site, direction, kind, rate per source state)
        n0_site = np.full(net.n_sites, np.inf)
        for r in net.gain:
            n0l = float(net.n0) * float(r.n0_ratio)
            n0_site[r.site] = n0l
            if r.rate > 0:
                n = st[:, r.site].astype(float)
                channels.append((r.site, +1, "gain", r.rate * (n + 1.0) * (1.0 + n / n0l) ** (-nu)))
        for r in net.loss:
            n0l = float(net.n0) * float(r.n0_ratio)
            n0_site[r.site] = n0l
            if r.rate > 0:
                n = st[:, r.site].astype(float)
                channels.append((r.site, -1, "loss", r.rate * n * (1.0 + np.maximum(n - 1.0, 0.0) / n0l) ** (-nu)))
        if net.gamma > 0:
            for l in range(net.n_sites):
                n = st[:, l].astype(float)
                channels.append((l, -1, "thermal-", net.gamma * (n_th + 1.0) * n))
                if n_th > 0:
                    channels.append((l, +1, "thermal+", net.gamma * n_th * (n + 1.0)))
        n_ch = len(channels)
        source = np.full((n_ch, n_states), -1, np.int64)
        target = np.full((n_ch, n_states), -1, np.int64)
        amp_in = np.zeros((n_ch, n_states))
        amp_out = np.zeros((n_ch, n_states))
        h_diag = (st @ np.asarray(net.detuning, float)).astype(np.complex128)
        for c, (l, d, _, rate) in enumerate(channels):
            # truncated operators: a^dag kills the top state of a site and every state of the top
            # sector k_max (P a^dag P, P the projector on the kept states), a kills the vacuum
            ok = (st[:, l] < nb - 1) & (st.sum(axis=1) < sec.k_max) if d > 0 else st[:, l] > 0
            rate = np.where(ok, rate, 0.0)
            h_diag -= 0.5j * rate
            src = np.nonzero(ok)[0]
            tgt = sec.index(st[src] + d * np.eye(net.n_sites, dtype=np.int64)[l])
            target[c, src] = tgt
            amp_out[c, src] = np.sqrt(rate[src])
            source[c, tgt] = src
            amp_in[c, tgt] = np.sqrt(rate[src])
        rows, cols, vals = [], [], []
        for i, j in net.edges:
            for a, b in ((i, j), (j, i)):  # -(g/2) a_a^dag a_b
                ok = (st[:, b] > 0) & (st[:, a] < nb - 1)
                src = np.nonzero(ok)[0]
                tgt = sec.bounds[st[src].sum(axis=1)] + sec.position[st[src] @ strides + strides[a] - strides[b]]
                rows.append(tgt)
                cols.append(src)
                vals.append(-0.5 * np.sqrt(st[src, b] * (st[src, a] + 1.0)))
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        vals = np.concatenate(vals) if vals else np.zeros(0)
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        ptr = np.searchsorted(rows, np.arange(n_states + 1)).astype(np.int64)
        return cls(
            net,
            sec,
            h_diag,
            ptr,
            cols.astype(np.int64),
            vals.astype(float),
            np.array([c[1] for c in channels], np.int64),
            np.array([c[0] for c in channels], np.int64),
            tuple(c[2] for c in channels),
            source,
            amp_in,
            target,
            amp_out,
            n0_site,
            n_th,
        )

    def hamiltonian(self, k: int) -> np.ndarray:
        """Dense H_k = H - (i/2) sum_c L_c^dag L_c on sector k (dim(k) x dim(k), complex)."""
        lo, hi = self.sectors.bounds[k], self.sectors.bounds[k + 1]
        h = np.diag(self.h_diag[lo:hi])
        for g in range(lo, hi):
            for p in range(self.hop_ptr[g], self.hop_ptr[g + 1]):
                h[g - lo, self.hop_col[p] - lo] += self.hop_val[p]
        return h

    def J_matrix(self, k: int, edge: int) -> np.ndarray:
        """Dense J = i (g/2)(a_j^dag a_i - a_i^dag a_j) of edge (i, j) on sector k."""
        i, j = self.net.edges[edge]
        sec = self.sectors
        lo, hi = sec.bounds[k], sec.bounds[k + 1]
        st = sec.states[lo:hi]
        out = np.zeros((hi - lo, hi - lo), np.complex128)
        nb = sec.n_basis
        ok = (st[:, i] > 0) & (st[:, j] < nb - 1)  # a_j^dag a_i |s> = sqrt(n_i (n_j+1)) |s - e_i + e_j>
        src = np.nonzero(ok)[0]
        shift = np.zeros(self.net.n_sites, np.int64)
        shift[i], shift[j] = -1, 1
        tgt = sec.index(st[src] + shift) - lo
        val = 0.5j * np.sqrt(st[src, i] * (st[src, j] + 1.0))
        out[tgt, src] += val
        out[src, tgt] += np.conj(val)  # the h.c. part: -i/2 a_i^dag a_j
        return out

    def memory_bytes(self) -> int:
        return int(
            sum(
                a.nbytes
                for a in (
                    self.sectors.states,
                    self.sectors.position,
                    self.h_diag,
                    self.hop_ptr,
                    self.hop_col,
                    self.hop_val,
                    self.source,
                    self.amplitude,
                    self.target,
                    self.amplitude_out,
                )
            )
        )


# ---------------------------------------------------------------------------------------------
# compiled kernels of the steady-state solver (blocks stored flat, sector k at off2[k], row-major)


@njit(cache=True, nogil=True)
def _real_to_complex(xr, xc, bounds, off2):
    """Hermitian blocks from their real coordinates (diag; sqrt2 Re / sqrt2 Im of the upper triangle)."""
    s = 1.0 / math.sqrt(2.0)
    for k in range(bounds.size - 1):
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        for a in range(d):
            xc[o + a * d + a] = xr[o + a * d + a]
            for b in range(a + 1, d):
                z = complex(xr[o + a * d + b] * s, xr[o + b * d + a] * s)
                xc[o + a * d + b] = z
                xc[o + b * d + a] = z.conjugate()


@njit(cache=True, nogil=True)
def _complex_to_real(xc, xr, bounds, off2):
    """Real coordinates of Hermitian blocks (the Hermitian part, should xc be slightly off)."""
    s = math.sqrt(2.0)
    for k in range(bounds.size - 1):
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        for a in range(d):
            xr[o + a * d + a] = xc[o + a * d + a].real
            for b in range(a + 1, d):
                z = 0.5 * (xc[o + a * d + b] + xc[o + b * d + a].conjugate())
                xr[o + a * d + b] = s * z.real
                xr[o + b * d + a] = s * z.imag


@njit(cache=True, nogil=True)
def _add_jumps(xc, out, k, sign, bounds, off2, direction, source, amplitude, want_dir):
    """out_k += sign * sum_{c: direction == want_dir} L_c x_{k - want_dir} L_c^dag (pull form)."""
    lo = bounds[k]
    d = bounds[k + 1] - lo
    ks = k - want_dir
    if ks < 0 or ks >= bounds.size - 1:
        return
    los = bounds[ks]
    ds = bounds[ks + 1] - los
    o, os_ = off2[k], off2[ks]
    for c in range(direction.size):
        if direction[c] != want_dir:
            continue
        for a in range(d):
            sa = source[c, lo + a]
            if sa < 0:
                continue
            fa = sign * amplitude[c, lo + a]
            ra = os_ + (sa - los) * ds - los
            for b in range(d):
                sb = source[c, lo + b]
                if sb < 0:
                    continue
                out[o + a * d + b] += fa * amplitude[c, lo + b] * xc[ra + sb]


@njit(cache=True, nogil=True)
def _add_coherent(xc, out, k, bounds, off2, h_diag, hop_ptr, hop_col, hop_val):
    """out_k += -i (H_k x_k - x_k H_k^dag) with the sparse H_k."""
    lo = bounds[k]
    d = bounds[k + 1] - lo
    o = off2[k]
    for a in range(d):
        ga = lo + a
        for b in range(d):
            gb = lo + b
            v = (h_diag[ga] - h_diag[gb].conjugate()) * xc[o + a * d + b]
            for p in range(hop_ptr[ga], hop_ptr[ga + 1]):
                v += hop_val[p] * xc[o + (hop_col[p] - lo) * d + b]
            for p in range(hop_ptr[gb], hop_ptr[gb + 1]):
                v -= hop_val[p] * xc[o + a * d + hop_col[p] - lo]
            out[o + a * d + b] += -1j * v


@njit(cache=True, nogil=True)
def _liouvillian(xc, out, bounds, off2, h_diag, hop_ptr, hop_col, hop_val, direction, source, amplitude):
    """out = L x for block-diagonal x (all sectors)."""
    out[:] = 0.0
    for k in range(bounds.size - 1):
        _add_coherent(xc, out, k, bounds, off2, h_diag, hop_ptr, hop_col, hop_val)
        _add_jumps(xc, out, k, 1.0, bounds, off2, direction, source, amplitude, 1)
        _add_jumps(xc, out, k, 1.0, bounds, off2, direction, source, amplitude, -1)


SMALL = 48  # below this block size the kernels multiply matrices in their own loops (no BLAS call)
SMALL_REAL = 24  # the same for real blocks


@njit(cache=True, nogil=True)
def _mm(a, b):
    """a @ b for square complex blocks: loops when small (a BLAS call, possibly threaded, costs
    more than the product there), BLAS (np.dot) otherwise."""
    d = a.shape[0]
    if d > SMALL:
        return np.dot(a, b)
    out = np.zeros((d, d), np.complex128)
    for i in range(d):
        for m in range(d):
            x = a[i, m]
            for j in range(d):
                out[i, j] += x * b[m, j]
    return out


@njit(cache=True, nogil=True)
def _solve_l0(y, k, bounds, off2, V, Vi, den):
    """L0_k^{-1} y for a Hermitian d x d block y: V [(Vi y Vi^dag) o den] V^dag (four products)."""
    d = bounds[k + 1] - bounds[k]
    o = off2[k]
    v = V[o : o + d * d].reshape(d, d)
    vi = Vi[o : o + d * d].reshape(d, d)
    dn = den[o : o + d * d].reshape(d, d)
    p = _mm(vi, y)  # Vi y
    t = _mm(vi, np.ascontiguousarray(np.conj(p.T))) * dn  # Vi (Vi y)^dag = Vi y Vi^dag (y Hermitian)
    q = _mm(v, t)  # V X~
    return _mm(v, np.ascontiguousarray(np.conj(q.T)))  # V (V X~)^dag = V X~ V^dag (X~ Hermitian)


@njit(cache=True, nogil=True)
def _sgs(vc, out, work, bounds, off2, direction, source, amplitude, V, Vi, den):
    """out = M^{-1} v, M = (D + E) D^{-1} (D + F): D = block diagonal L0, E/F = up/down jumps."""
    n_sec = bounds.size - 1
    work[:] = vc
    out[:] = 0.0
    for k in range(n_sec):  # (D + E) z = v; work_k <- v_k - E z = D z, out_k <- z_k
        _add_jumps(out, work, k, -1.0, bounds, off2, direction, source, amplitude, 1)
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        out[o : o + d * d] = _solve_l0(work[o : o + d * d].reshape(d, d), k, bounds, off2, V, Vi, den).ravel()
    for k in range(n_sec - 1, -1, -1):  # (D + F) x = D z
        _add_jumps(out, work, k, -1.0, bounds, off2, direction, source, amplitude, -1)
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        out[o : o + d * d] = _solve_l0(work[o : o + d * d].reshape(d, d), k, bounds, off2, V, Vi, den).ravel()


# The same sweeps in the real frame (module docstring, "Solver"): X = Phi rho Phi^dag is real
# symmetric and L0_k(X) = A_k X + X A_k^T with A_k real, so every product is a real one (a
# quarter of the flops of a complex product).


@njit(cache=True, nogil=True)
def _add_coherent_real(x, out, k, bounds, off2, a_diag, hop_ptr, hop_col, a_hop):
    """out_k += A_k x_k + x_k A_k^T with the sparse A_k = diag(a_diag) + hopping (CSR, a_hop)."""
    lo = bounds[k]
    d = bounds[k + 1] - lo
    o = off2[k]
    for a in range(d):
        ga = lo + a
        for b in range(d):
            gb = lo + b
            v = (a_diag[ga] + a_diag[gb]) * x[o + a * d + b]
            for p in range(hop_ptr[ga], hop_ptr[ga + 1]):
                v += a_hop[p] * x[o + (hop_col[p] - lo) * d + b]
            for p in range(hop_ptr[gb], hop_ptr[gb + 1]):
                v += a_hop[p] * x[o + a * d + hop_col[p] - lo]
            out[o + a * d + b] += v


@njit(cache=True, nogil=True)
def _liouvillian_real(x, out, bounds, off2, a_diag, hop_ptr, hop_col, a_hop, direction, source, amplitude):
    """out = L x in the real frame, for block-diagonal real x (all sectors)."""
    out[:] = 0.0
    for k in range(bounds.size - 1):
        _add_coherent_real(x, out, k, bounds, off2, a_diag, hop_ptr, hop_col, a_hop)
        _add_jumps(x, out, k, 1.0, bounds, off2, direction, source, amplitude, 1)
        _add_jumps(x, out, k, 1.0, bounds, off2, direction, source, amplitude, -1)


@njit(cache=True, nogil=True)
def _mm_real(a, b):
    """a @ b for square real blocks (loops when small, as ``_mm``)."""
    d = a.shape[0]
    if d > SMALL_REAL:
        return np.dot(a, b)
    out = np.zeros((d, d))
    for i in range(d):
        for m in range(d):
            x = a[i, m]
            for j in range(d):
                out[i, j] += x * b[m, j]
    return out


@njit(cache=True, nogil=True)
def _tile_coefficients(alpha, beta, kind):
    """What ``_solve_b`` multiplies by, one d x d real array: on a 2 x 2 tile (rows: the pair
    alpha + i beta, columns: gamma + i delta) Re, Im of 1/(alpha + gamma + i (beta - delta)) and of
    1/(alpha + gamma - i (beta + delta)); on a 2 x 1 or 1 x 2 tile Re, Im of 1/(alpha + gamma - i beta)
    (beta of the pair); on a 1 x 1 tile 1/(alpha + gamma)."""
    d = alpha.size
    coef = np.empty((d, d))
    a = 0
    while a < d:
        pa = 2 if kind[a] == 1 else 1
        c = 0
        while c < d:
            pc = 2 if kind[c] == 1 else 1
            s = alpha[a] + alpha[c]
            if pa == 1 and pc == 1:
                coef[a, c] = 1.0 / s
            elif pa == 2 and pc == 2:
                r1 = 1.0 / complex(s, beta[a] - beta[c])
                r2 = 1.0 / complex(s, -(beta[a] + beta[c]))
                coef[a, c], coef[a, c + 1], coef[a + 1, c], coef[a + 1, c + 1] = r1.real, r1.imag, r2.real, r2.imag
            else:
                r = 1.0 / complex(s, -(beta[a] if pa == 2 else beta[c]))
                if pa == 2:
                    coef[a, c], coef[a + 1, c] = r.real, r.imag
                else:
                    coef[a, c], coef[a, c + 1] = r.real, r.imag
            c += pc
        a += pa
    return coef


@njit(cache=True, nogil=True)
def _solve_b(t, coef, kind):
    """Xh with B Xh + Xh B^T = t (real d x d), one tile of B's 1 x 1 and 2 x 2 blocks at a time.
    A pair block is alpha I + beta J (J = [[0, 1], [-1, 0]], a complex structure), so on a 2 x 2 tile
    the operator is (alpha + gamma) X + beta J X - delta X J: on the part of X that commutes with J
    (a I + b J ~ a + i b) a complex multiplication by alpha + gamma + i (beta - delta), on the part
    that anticommutes (c K + e K J, K = diag(1, -1); ~ c + i e) by alpha + gamma - i (beta + delta).
    A 2-vector (x0, x1) ~ x0 + i x1 meets -i beta. ``coef`` holds the reciprocals."""
    d = t.shape[0]
    out = np.empty((d, d))
    a = 0
    while a < d:
        pa = 2 if kind[a] == 1 else 1
        c = 0
        while c < d:
            pc = 2 if kind[c] == 1 else 1
            if pa == 1 and pc == 1:
                out[a, c] = t[a, c] * coef[a, c]
            elif pa == 2 and pc == 2:
                y00, y01, y10, y11 = t[a, c], t[a, c + 1], t[a + 1, c], t[a + 1, c + 1]
                re1, im1, re2, im2 = coef[a, c], coef[a, c + 1], coef[a + 1, c], coef[a + 1, c + 1]
                p, q = 0.5 * (y00 + y11), 0.5 * (y01 - y10)  # commuting part a + i b
                u, v = 0.5 * (y00 - y11), 0.5 * (y01 + y10)  # anticommuting part c + i e
                p, q = p * re1 - q * im1, p * im1 + q * re1
                u, v = u * re2 - v * im2, u * im2 + v * re2
                out[a, c], out[a + 1, c + 1] = p + u, p - u
                out[a, c + 1], out[a + 1, c] = q + v, v - q
            elif pa == 2:
                x0, x1, re, im = t[a, c], t[a + 1, c], coef[a, c], coef[a + 1, c]
                out[a, c], out[a + 1, c] = x0 * re - x1 * im, x0 * im + x1 * re
            else:
                x0, x1, re, im = t[a, c], t[a, c + 1], coef[a, c], coef[a, c + 1]
                out[a, c], out[a, c + 1] = x0 * re - x1 * im, x0 * im + x1 * re
            c += pc
        a += pa
    return out


@njit(cache=True, nogil=True)
def _solve_l0_real(y, k, bounds, off2, W, Wi, coef, kind):
    """L0_k^{-1} y for a real symmetric block y: with A_k = W B W^{-1} (B real, 1 x 1 and 2 x 2
    blocks), X = W Xh W^T where B Xh + Xh B^T = Wi y Wi^T (``_solve_b``); four real products,
    O(d^2) besides."""
    lo = bounds[k]
    d = bounds[k + 1] - lo
    o = off2[k]
    wi = Wi[o : o + d * d].reshape(d, d)
    w = W[o : o + d * d].reshape(d, d)
    t = _mm_real(_mm_real(wi, y), wi.T)
    xh = _solve_b(t, coef[o : o + d * d].reshape(d, d), kind[lo : lo + d])
    return _mm_real(_mm_real(w, xh), w.T)


@njit(cache=True, nogil=True)
def _sgs_real(v, out, work, bounds, off2, direction, source, amplitude, W, Wi, coef, kind):
    """``_sgs`` in the real frame."""
    n_sec = bounds.size - 1
    work[:] = v
    out[:] = 0.0
    for k in range(n_sec):
        _add_jumps(out, work, k, -1.0, bounds, off2, direction, source, amplitude, 1)
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        x = _solve_l0_real(work[o : o + d * d].reshape(d, d), k, bounds, off2, W, Wi, coef, kind)
        out[o : o + d * d] = x.ravel()
    for k in range(n_sec - 1, -1, -1):
        _add_jumps(out, work, k, -1.0, bounds, off2, direction, source, amplitude, -1)
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        x = _solve_l0_real(work[o : o + d * d].reshape(d, d), k, bounds, off2, W, Wi, coef, kind)
        out[o : o + d * d] = x.ravel()


@njit(cache=True, nogil=True)
def _from_real_frame(x, out, bounds, off2, n_b):
    """rho = Phi^dag X Phi, Phi = diag(i^n_B): rho_ab = i^(n_B(b) - n_B(a)) (X_ab + X_ba)/2."""
    powers = np.array([1.0 + 0.0j, 1.0j, -1.0 + 0.0j, -1.0j])
    for k in range(bounds.size - 1):
        lo = bounds[k]
        d = bounds[k + 1] - lo
        o = off2[k]
        for a in range(d):
            for b in range(d):
                phase = powers[(n_b[lo + b] - n_b[lo + a]) % 4]
                out[o + a * d + b] = phase * 0.5 * (x[o + a * d + b] + x[o + b * d + a])


# ---------------------------------------------------------------------------------------------
# the steady state


@dataclass(frozen=True)
class QuantumSteadyState:
    """Exact steady state of eq. (1) in the truncated box. Units: g = 1; occupation in n0,
    J in g n0 (raw numbers of quanta in the *_quanta fields).

    J_* per oriented edge (``edges``), occupation and leak per site; ``sector_population[k]`` =
    Tr rho_k. ``residual`` = ||L rho||_2 (Hilbert-Schmidt) of the returned state, ``trace_error``
    = |Tr rho - 1|; ``condition`` = the largest condition number of the eigenvector matrices of
    the H_k (it only affects the speed of the solver, not its answer).

    The state itself: ``blocks`` (SectorBlock per sector: k, its Fock states, their flat indices
    in the box, rho_k) over the basis ``sectors``; ``expect``, ``std``, ``negativity_of`` and
    ``density_matrix`` compute with it (module docstring, "Computing with the state").
    """

    net: Network
    n_basis: int
    edges: np.ndarray
    J_mean: np.ndarray  # <J>/(g n0)
    J_std: np.ndarray  # Delta J/(g n0)
    occupation: np.ndarray  # <a^dag a>/n0
    Gbar_mean: float  # <sum_loss Gamma_e f^2(n) - sum_gain Gamma_i f^2(n)>
    negativity: float  # of the end sites 0 and N-1
    leak: np.ndarray  # population of the top Fock state n_basis - 1, per site
    leak_total: float  # population of the top sector k_max
    k_max: int  # total-number cap (n_sites (n_basis - 1): none)
    J_mean_quanta: np.ndarray  # <J>/g
    J_std_quanta: np.ndarray
    occupation_quanta: np.ndarray  # <a^dag a>
    sector_population: np.ndarray
    site_population: np.ndarray  # (n_sites, n_basis): P(n_l = n), the marginal Fock distribution of each site
    n_sectors: int
    unknowns: int
    iterations: int  # preconditioner applications (BiCGSTAB: 2 per iteration)
    solver: str  # "bicgstab", "bicgstab x2" (restarted), ... "+gcrotmk" (fallback)
    residual: float
    trace_error: float
    condition: float
    wall_time: float
    method: str = METHOD
    frame: str = "lab"  # "real": solved as the real X = i^n_B rho i^-n_B (module docstring, "Solver")
    sectors: Sectors | None = field(default=None, repr=False, compare=False)
    blocks: tuple = field(default=(), repr=False, compare=False)  # SectorBlock per sector k = 0 .. k_max

    def expect(self, op):
        """<O> = Tr(O rho); see ``expectation`` for the forms of ``op``."""
        return expectation(self.sectors, self.blocks, op)

    def std(self, op) -> float:
        """Delta O = sqrt(<O^2> - <O>^2) of a Hermitian O (same forms as ``expect``)."""
        return standard_deviation(self.sectors, self.blocks, op)

    def negativity_of(self, sites_a, sites_b=None) -> float:
        """Negativity of the bipartition sites_a | sites_b (default: all other sites)."""
        return bipartite_negativity(self.sectors, [b.rho for b in self.blocks], sites_a, sites_b)

    def density_matrix(self):
        """rho on the whole box as a qutip.Qobj (dims [[n_basis] * N] * 2; zero above k_max)."""
        import qutip

        n = self.sectors.n_basis**self.sectors.n_sites
        full = np.zeros((n, n), np.complex128)
        for b in self.blocks:
            full[np.ix_(b.index, b.index)] = b.rho
        return qutip.Qobj(full, dims=[[self.sectors.n_basis] * self.sectors.n_sites] * 2)


class SectorBlock(NamedTuple):
    """The steady state's block on sector k (k quanta in all)."""

    k: int
    states: np.ndarray  # (dim, n_sites) occupations; rows and columns of rho in this order
    index: np.ndarray  # (dim,) flat index of each state in the box (qutip.tensor order, site 0 slowest)
    rho: np.ndarray  # (dim, dim) Hermitian; its trace is the population of the sector


def exact_memory_bytes(n_sites: int, n_basis: int, k_max: int | None = None) -> int:
    """Upper estimate of the peak memory of ``exact_steady_state`` in bytes (for a job's mem_mb).

    With u = sum_k dim(k)^2 unknowns: 40 real vectors of u (the GCROT(10, 5) fallback's basis and
    work vectors; BiCGSTAB alone needs ~12), 7 complex vectors of u (eigenvectors, their inverses,
    the denominators, three work vectors, the returned state), the basis and channel tables
    (40 + 32 per channel bytes per Fock state), numpy's eig of the largest sector and 200 MB for
    the interpreter and libraries; plus 10 %. Measured peak RSS (N = 2, BiCGSTAB, one thread):
    303 MiB at n_basis = 100 (estimate 515 MiB), 583 MiB at 150 (estimate 1237 MiB); N = 3:
    981 MiB at n_basis = 24 (estimate 2219 MiB).

    A Python int, exact (1.1 x rounded down), at most MEMORY_CAP = 2^64 (returned for anything at or
    above it); fast for any size (``memory_estimate``). k_max above n_sites (n_basis - 1) counts as
    no cap.
    """
    n_sites, n_basis, k_max = _estimate_args("exact_memory_bytes", n_sites, n_basis, k_max)
    sizes = _sector_sizes(n_sites, n_basis, k_max, 40 * 8 + 7 * 16)
    if sizes is None:
        return MEMORY_CAP
    u, d_max, n_states = sizes  # the position table spans the whole box: n_states
    channels = 2 * n_sites + 2
    dense_eig = d_max**2 * 16 * 6
    total = 40 * 8 * u + 7 * 16 * u + n_states * (40 + 32 * channels) + dense_eig + 200_000_000
    return _capped(11 * total // 10)


def _estimate_args(where: str, n_sites, n_basis, k_max) -> tuple[int, int, int | None]:
    n_sites = check_int(where, "n_sites", n_sites, low=1)
    n_basis = check_int(where, "n_basis", n_basis, low=2)
    k_max = check_int(where, "k_max", k_max, low=1, none=True)
    return n_sites, n_basis, None if k_max is None or k_max >= n_sites * (n_basis - 1) else k_max


def exact_steady_state(
    net: Network,
    n_basis: int,
    *,
    k_max: int | None = None,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    leak_bound: float | None = None,
    memory_limit: float | None = None,
) -> QuantumSteadyState:
    """Steady state of eq. (1) for ``net`` with n_basis Fock states per site and at most k_max
    quanta in all (default: no cap beyond the box); see the module docstring.

    Arguments of a wrong type raise TypeError, wrong values ValueError, naming the argument and
    its value (n_basis: an integer >= 2; k_max: an integer in 1..n_sites (n_basis - 1) or None).
    Raises MemoryError before building anything if ``memory_estimate`` (``exact_memory_bytes``)
    exceeds ``memory_limit`` bytes (default: this machine's physical memory), RuntimeError if the
    linear solver does not reach ``tol`` within ``maxiter`` preconditioner applications, and
    ValueError (via ``check_leak``) if ``leak_bound`` is given and a site's top-state population
    exceeds it.
    """
    n_basis, k_max = check_truncation("exact_steady_state", net, n_basis, k_max)
    tol = check_real("exact_steady_state", "tol", tol)
    maxiter = check_int("exact_steady_state", "maxiter", maxiter, low=1)
    leak_bound = check_real("exact_steady_state", "leak_bound", leak_bound, strict=False, none=True)
    estimate = exact_memory_bytes(net.n_sites, n_basis, k_max)
    check_memory("exact_steady_state", net.n_sites, n_basis, k_max, estimate, memory_limit)
    t0 = time.perf_counter()
    model = QuantumModel.of(net, n_basis, k_max)
    rho, info = _solve(model, tol, maxiter)
    result = _observables(model, rho, info, time.perf_counter() - t0)
    if leak_bound is not None:
        check_leak(result, leak_bound)
    return result


def check_leak(result, bound: float):
    """Raise ValueError if the population of a site's top Fock state exceeds ``bound``.

    Also raises if the population of the top sector k_max (``leak_total``) exceeds it. Works for
    QuantumSteadyState and QuantumTrajectoryResult (both have ``leak``, ``leak_total``, ``net``,
    ``n_basis``, ``k_max``). The message names n0, the rates, n_basis and k_max, so that a pipeline
    never silently plots a truncated state.
    """
    leak = np.asarray(result.leak, float)
    total = float(result.leak_total)
    net = result.net
    where = (
        f"n_basis = {result.n_basis}, k_max = {result.k_max}, n0 = {net.n0:g}, "
        f"gain = {[(r.site, r.rate, r.n0_ratio) for r in net.gain]}, "
        f"loss = {[(r.site, r.rate, r.n0_ratio) for r in net.loss]}, gamma = {net.gamma:g}, "
        f"n_th_over_n0 = {net.n_th_over_n0:g}, nu = {net.nu:g}, n_sites = {net.n_sites}"
    )
    if not np.all(np.isfinite(leak)) or np.max(leak) > bound:
        worst = int(np.nanargmax(np.where(np.isfinite(leak), leak, np.inf)))
        raise ValueError(
            f"Fock truncation too small: population of the top state |{result.n_basis - 1}> at site {worst} is "
            f"{leak[worst]:.3g} > bound {bound:.3g} (per site: {np.array2string(leak, precision=3)}), for "
            f"{where}; raise n_basis"
        )
    if not total <= bound:
        raise ValueError(
            f"Fock truncation too small: population of the top sector (k_max = {result.k_max} quanta in all) is "
            f"{total:.3g} > bound {bound:.3g}, for {where}; raise k_max"
        )
    return result


def needed_truncation(result: QuantumSteadyState, bound: float) -> tuple[int, int]:
    """(n_basis, k_max): the smallest per-site box and total-number cap at which this state's
    populations stay within ``bound``: every site holds n >= n_basis - 1 quanta, and the sites
    k >= k_max quanta in all, with a population <= bound (read from ``site_population`` and
    ``sector_population``, so only as far as this truncation reaches: a state whose own top holds
    more than ``bound`` gets one state, or one quantum, more than it has).

    The populations a truncation cuts are those of the larger box to a good approximation (a
    birth-death balance keeps its shape below a reflecting top), so a survey at a generous box
    gives each point's own truncation; ``check_leak`` still checks it where it is used.
    """
    bound = check_real("needed_truncation", "bound", bound, strict=True)

    def first_tail_index(p):  # smallest i with p[j] <= bound for every j >= i
        above = np.flatnonzero(p > bound)
        return int(above[-1]) + 1 if len(above) else 0

    n_basis = max(2, max(first_tail_index(p) for p in result.site_population) + 1)
    k_max = max(1, first_tail_index(result.sector_population))
    return n_basis, k_max


def _eigen(model: QuantumModel):
    """Per sector: H_k = V diag(lam) V^{-1}; den = i/(lam_a - lam_b^*), flat like the blocks."""
    sec = model.sectors
    dims = sec.dims
    off2 = np.concatenate([[0], np.cumsum(dims.astype(np.int64) ** 2)]).astype(np.int64)
    V = np.empty(off2[-1], np.complex128)
    Vi = np.empty(off2[-1], np.complex128)
    den = np.empty(off2[-1], np.complex128)
    cond = 1.0
    for k, d in enumerate(dims):
        h = model.hamiltonian(k)
        lam, v = np.linalg.eig(h)
        gap = lam[:, None] - np.conj(lam)[None, :]
        if np.any(np.abs(gap) == 0.0):  # a Hermitian direction: no decay in this sector
            raise ValueError(f"sector {k} has a non-decaying state: the network needs gain, loss or gamma > 0")
        vi = np.linalg.inv(v)
        cond = max(cond, float(np.linalg.norm(v, 2) * np.linalg.norm(vi, 2)) if d > 1 else 1.0)
        V[off2[k] : off2[k + 1]] = v.ravel()
        Vi[off2[k] : off2[k + 1]] = vi.ravel()
        den[off2[k] : off2[k + 1]] = (1j / gap).ravel()
    return off2, V, Vi, den, cond


class _Operators(NamedTuple):
    """The system of one steady state in the solver's coordinates (vectors of ``n`` reals)."""

    frame: str  # "real" or "lab"
    n: int
    off2: np.ndarray  # where each sector's block starts in a vector (and in the returned rho)
    apply_l: object  # x -> L x
    apply_m: object  # x -> M^{-1} x (the symmetric block Gauss-Seidel sweeps)
    to_blocks: object  # x -> rho, the sectors' complex blocks flat (Hilbert-Schmidt norm kept)
    cond: float  # the largest condition number of the sectors' eigenvector matrices


def real_frame(model: QuantumModel) -> np.ndarray | None:
    """n_B, the number of quanta on side B of every Fock state, if eq. (1) is real in the frame
    Phi = i^n_B (no detuning and a bipartite graph: module docstring, "Solver"); else None."""
    if np.any(np.asarray(model.net.detuning, float) != 0.0):
        return None
    side = bipartite_colours(model.net)
    if side is None:
        return None
    return model.sectors.states[:, side == 1].sum(axis=1).astype(np.int64)


_I_POWERS = np.array([1.0, 1.0j, -1.0, -1.0j])  # i^m for m mod 4


def _eigen_real(model: QuantumModel, n_b: np.ndarray):
    """Per sector: A_k = -i Phi H_k Phi^dag (real) = W B W^{-1}, B real block diagonal: a real
    eigenvalue alpha, or a pair alpha +- i beta as [[alpha, beta], [-beta, alpha]] with W's columns
    u, w from the eigenvector u + i w (kind = 1, 2 on its two states); coef from
    ``_tile_coefficients``. Flat like the blocks."""
    sec = model.sectors
    dims = sec.dims
    off2 = np.concatenate([[0], np.cumsum(dims.astype(np.int64) ** 2)]).astype(np.int64)
    W, Wi, coef = (np.empty(off2[-1]) for _ in range(3))
    kind = np.zeros(sec.bounds[-1], np.int64)
    cond = 1.0
    for k, d in enumerate(dims):
        lo = sec.bounds[k]
        phase = _I_POWERS[n_b[lo : lo + d] % 4]
        a = -1j * (phase[:, None] * model.hamiltonian(k) * np.conj(phase)[None, :])
        if np.any(a.imag != 0.0):  # products with powers of i are exact: nothing is rounded away
            raise RuntimeError(f"sector {k}: the generator is not real in the frame i^n_B")
        lam, v = np.linalg.eig(a.real)
        w = np.empty((d, d))
        alpha, beta = np.real(lam).copy(), np.zeros(d)
        j = 0
        while j < d:  # LAPACK returns a complex pair consecutively, +Im first, as exact conjugates
            if lam[j].imag == 0.0:
                w[:, j] = v[:, j].real
                j += 1
                continue
            if j + 1 == d or lam[j + 1] != np.conj(lam[j]):
                raise RuntimeError(f"sector {k}: eigenvalue {lam[j]} without its conjugate")
            w[:, j], w[:, j + 1] = v[:, j].real, v[:, j].imag
            beta[j] = beta[j + 1] = lam[j].imag
            kind[lo + j], kind[lo + j + 1] = 1, 2
            j += 2
        if np.any(lam[:, None] + lam[None, :] == 0.0):  # a non-decaying direction in this sector
            raise ValueError(f"sector {k} has a non-decaying state: the network needs gain, loss or gamma > 0")
        wi = np.linalg.inv(w)
        cond = max(cond, float(np.linalg.norm(w, 2) * np.linalg.norm(wi, 2)) if d > 1 else 1.0)
        W[off2[k] : off2[k + 1]] = w.ravel()
        Wi[off2[k] : off2[k + 1]] = wi.ravel()
        coef[off2[k] : off2[k + 1]] = _tile_coefficients(alpha, beta, kind[lo : lo + d]).ravel()
    return off2, W, Wi, coef, kind, cond


def _real_operators(model: QuantumModel, n_b: np.ndarray) -> _Operators:
    """The system in the real frame: a vector holds the real symmetric blocks X_k in full."""
    bounds = model.sectors.bounds
    off2, W, Wi, coef, kind, cond = _eigen_real(model, n_b)
    n = int(off2[-1])
    rows = np.repeat(np.arange(bounds[-1]), np.diff(model.hop_ptr))
    a_hop = -1j * _I_POWERS[n_b[rows] % 4] * model.hop_val * np.conj(_I_POWERS[n_b[model.hop_col] % 4])
    a_diag = -1j * model.h_diag
    if np.any(a_hop.imag != 0.0) or np.any(a_diag.imag != 0.0):
        raise RuntimeError("the generator is not real in the frame i^n_B")
    L_args = (bounds, off2, a_diag.real.copy(), model.hop_ptr, model.hop_col, a_hop.real.copy())
    L_args += (model.direction, model.source, model.amplitude)
    M_args = (bounds, off2, model.direction, model.source, model.amplitude, W, Wi, coef, kind)
    work = np.zeros(n)

    def apply_l(x):
        out = np.empty(n)
        _liouvillian_real(x, out, *L_args)
        return out

    def apply_m(x):
        out = np.empty(n)
        _sgs_real(x, out, work, *M_args)
        return out

    def to_blocks(x):
        out = np.empty(n, np.complex128)
        _from_real_frame(x, out, bounds, off2, n_b)
        return out

    return _Operators("real", n, off2, apply_l, apply_m, to_blocks, cond)


def _lab_operators(model: QuantumModel) -> _Operators:
    """The system in the lab frame: a vector holds each Hermitian block as dim^2 real coordinates."""
    bounds = model.sectors.bounds
    off2, V, Vi, den, cond = _eigen(model)
    n = int(off2[-1])
    xc = np.zeros(n, np.complex128)
    yc = np.zeros(n, np.complex128)
    work = np.zeros(n, np.complex128)
    L_args = (bounds, off2, model.h_diag, model.hop_ptr, model.hop_col, model.hop_val)
    L_args += (model.direction, model.source, model.amplitude)
    M_args = (bounds, off2, model.direction, model.source, model.amplitude, V, Vi, den)

    def apply_l(x):
        _real_to_complex(x, xc, bounds, off2)
        _liouvillian(xc, yc, *L_args)
        out = np.empty(n)
        _complex_to_real(yc, out, bounds, off2)
        return out

    def apply_m(x):
        _real_to_complex(x, xc, bounds, off2)
        _sgs(xc, yc, work, *M_args)
        out = np.empty(n)
        _complex_to_real(yc, out, bounds, off2)
        return out

    return _Operators("lab", n, off2, apply_l, apply_m, lambda x: _blocks_complex(x, bounds, off2), cond)


def _operators(model: QuantumModel, frame: str = "auto") -> _Operators:
    """The real frame where it exists (``frame`` "auto"), else (or for "lab") the lab frame."""
    if frame not in ("auto", "lab"):
        raise ValueError(f"frame = {frame!r}: 'auto' (the real frame where it exists) or 'lab'")
    n_b = real_frame(model) if frame == "auto" else None
    return _real_operators(model, n_b) if n_b is not None else _lab_operators(model)


def _solve(model: QuantumModel, tol: float, maxiter: int, frame: str = "auto"):
    sec = model.sectors
    ops = _operators(model, frame)
    n = ops.n
    diag = np.concatenate([ops.off2[k] + np.arange(d) * (d + 1) for k, d in enumerate(sec.dims)])
    w = np.zeros(n)
    w[0] = 1.0  # |vac><vac| (sector 0 is the 1 x 1 vacuum block)
    shift = [1.0]
    count = [0]

    def apply_a(x):
        out = ops.apply_l(x)
        out += shift[0] * x[diag].sum() * w
        return out

    def apply_m(x):
        count[0] += 1
        return ops.apply_m(x)

    t = float(apply_m(w)[diag].sum())
    shift[0] = 1.0 / t if t != 0.0 else 1.0
    b = shift[0] * w
    target = tol * abs(shift[0])
    a_op = LinearOperator((n, n), matvec=apply_a, dtype=np.float64)
    m_op = LinearOperator((n, n), matvec=apply_m, dtype=np.float64)
    x = np.zeros(n)
    res = float(np.linalg.norm(b))
    solver = "bicgstab"
    for attempt in range(3):  # a breakdown or stall: restart from where it got (new shadow residual)
        x, _ = bicgstab(a_op, b, x0=x, rtol=0.0, atol=target, maxiter=max(1, (maxiter - count[0]) // 2), M=m_op)
        res = float(np.linalg.norm(b - apply_a(x)))
        if res <= target or count[0] >= maxiter:
            break
        solver = f"bicgstab x{attempt + 2}"
    if not res <= target and count[0] < maxiter:  # still not: GCROT(m, k), slower but monotone
        left = max(1, (maxiter - count[0]) // (FALLBACK["m"] + 1))
        x, _ = gcrotmk(a_op, b, x0=x, rtol=0.0, atol=target, maxiter=left, M=m_op, **FALLBACK)
        res = float(np.linalg.norm(b - apply_a(x)))
        solver += "+gcrotmk"
    if not res <= target:
        raise RuntimeError(
            f"exact_steady_state: the linear solver ({solver}) reached ||A x - s w||/|s| = {res / abs(shift[0]):.3g} "
            f"> tol = {tol:.3g} after {count[0]} preconditioner applications (n_basis = {sec.n_basis}, "
            f"n0 = {model.net.n0:g}, gain = {[(r.site, r.rate) for r in model.net.gain]}, "
            f"loss = {[(r.site, r.rate) for r in model.net.loss]}, gamma = {model.net.gamma:g}); raise maxiter"
        )
    x /= x[diag].sum()  # Tr x = 1 up to the tolerance; exactly, for the returned state
    residual = float(np.linalg.norm(ops.apply_l(x)))  # ||L rho||_HS
    return ops.to_blocks(x), {
        "off2": ops.off2,
        "iterations": count[0],
        "residual": residual,
        "cond": ops.cond,
        "unknowns": n,
        "solver": solver,
        "frame": ops.frame,
    }


def _blocks_complex(x, bounds, off2):
    out = np.empty(x.size, np.complex128)
    _real_to_complex(x, out, bounds, off2)
    return out


def _observables(model: QuantumModel, rho: np.ndarray, info: dict, wall: float) -> QuantumSteadyState:
    sec = model.sectors
    net = model.net
    off2 = info["off2"]
    dims = sec.dims
    nb = sec.n_basis
    m = len(net.edges)
    blocks = [rho[off2[k] : off2[k + 1]].reshape(d, d) for k, d in enumerate(dims)]  # views, no copy
    sector_blocks = tuple(
        SectorBlock(k, sec.states[sec.bounds[k] : sec.bounds[k + 1]], sec.flat[sec.bounds[k] : sec.bounds[k + 1]], b)
        for k, b in enumerate(blocks)
    )
    pops = np.concatenate([np.real(np.diag(b)) for b in blocks])  # by global index
    st = sec.states
    occ = pops @ st
    leak = np.array([pops[st[:, l] == nb - 1].sum() for l in range(net.n_sites)])
    sec_pop = np.array([pops[sec.bounds[k] : sec.bounds[k + 1]].sum() for k in range(sec.n_sectors)])
    leak_total = float(sec_pop[-1]) if sec.capped else 0.0  # uncapped: the all-top state, inside leak
    site_pop = np.array([np.bincount(st[:, l], weights=pops, minlength=nb) for l in range(net.n_sites)])
    jm = np.zeros(m)
    j2 = np.zeros(m)
    for e in range(m):
        first, second, _ = _moments(sector_blocks, lambda k, _, e=e: model.J_matrix(k, e), True)
        jm[e], j2[e] = first.real, second.real
    gbar = 0.0
    for r, s in [(r, +1.0) for r in net.loss] + [(r, -1.0) for r in net.gain]:
        f2 = (1.0 + st[:, r.site] / (net.n0 * r.n0_ratio)) ** (-float(net.nu))
        gbar += s * r.rate * float(pops @ f2)
    dj = np.sqrt(np.maximum(j2 - jm**2, 0.0))
    n0 = float(net.n0)
    return QuantumSteadyState(
        net=net,
        n_basis=nb,
        edges=net.edge_array,
        J_mean=jm / n0,
        J_std=dj / n0,
        occupation=occ / n0,
        Gbar_mean=gbar,
        negativity=negativity(sec, blocks),
        leak=leak,
        leak_total=leak_total,
        k_max=sec.k_max,
        J_mean_quanta=jm,
        J_std_quanta=dj,
        occupation_quanta=occ,
        sector_population=sec_pop,
        site_population=site_pop,
        n_sectors=sec.n_sectors,
        unknowns=info["unknowns"],
        iterations=info["iterations"],
        solver=info["solver"],
        residual=info["residual"],
        trace_error=abs(float(pops.sum()) - 1.0),
        condition=info["cond"],
        wall_time=wall,
        frame=info["frame"],
        sectors=sec,
        blocks=sector_blocks,
    )


# ---------------------------------------------------------------------------------------------
# expectation values and entanglement from the sector blocks


def _sector_op(sec: Sectors, op):
    """op as a function (k, states) -> dense matrix of O on sector k's states (rows: bras), and
    whether O conserves the total number (then (O^2)_k = O_k O_k; a callable defines the
    conserving operator (+)_k O_k by construction)."""
    nb, n = sec.n_basis, sec.n_sites
    if isinstance(op, dict):  # product of local operators, identity on the other sites
        local, shifts = {}, []
        for l, o in op.items():
            o = np.asarray(o.full() if hasattr(o, "full") else o, np.complex128)
            if not 0 <= int(l) < n or o.shape != (nb, nb):
                raise ValueError(
                    f"local operator on site {l}: need a site in 0..{n - 1} and shape ({nb}, {nb}), got {o.shape}"
                )
            local[int(l)] = o
            changes = set(np.subtract(*np.nonzero(o)).tolist())  # n_out - n_in of its matrix elements
            shifts.append(changes.pop() if len(changes) == 1 else (0 if not changes else None))  # None: several

        def product(k, st):
            out = np.ones((st.shape[0],) * 2, np.complex128)
            for l in range(n):  # <s|O|s'> = prod_l <s_l|O_l|s'_l>, O_l = 1 off the dict
                col = st[:, l]
                out = out * (local[l][np.ix_(col, col)] if l in local else col[:, None] == col[None, :])
            return out

        return product, None not in shifts and sum(shifts) == 0
    if hasattr(op, "dims") and hasattr(op, "full"):  # a qutip.Qobj (itself callable: test it first)
        if op.dims not in ([[nb] * n] * 2, [[nb**n]] * 2):
            raise ValueError(f"Qobj dims {op.dims}, expected {[[nb] * n] * 2} (the whole box)")
        op = op.to("csr").data_as("csr_matrix")
    elif callable(op):
        return op, True
    full = sparse.csr_array(op) if sparse.issparse(op) else np.asarray(op)
    if full.shape != (nb**n,) * 2:
        raise ValueError(f"operator of shape {full.shape}, expected {(nb**n,) * 2} (the whole box, qutip.tensor order)")
    total = np.indices((nb,) * n).reshape(n, -1).sum(axis=0)  # quanta of each box state
    rows, cols = full.nonzero()
    conserving = bool(np.all(total[rows] == total[cols]))

    def restricted(k, st):
        idx = st @ sec.strides
        return full[idx][:, idx].toarray() if sparse.issparse(full) else full[np.ix_(idx, idx)]

    return restricted, conserving


def _moments(blocks, op_k, second: bool = False):
    """sum_k Tr(O_k rho_k), sum_k Tr(O_k O_k rho_k) (0 unless ``second``) and whether every O_k is
    exactly Hermitian, for O_k = op_k(k, states) on each sector.

    rho is block-diagonal, so only the number-conserving part of O counts, and for a
    number-conserving O, (O^2)_k = O_k O_k. The arithmetic (O_k rho_k, then its trace, summed in k
    order) is that of the stored <J> and <J^2>, which go through here."""
    m1, m2, hermitian = 0j, 0j, True
    for b in blocks:
        o = np.asarray(op_k(b.k, b.states))
        r = o @ b.rho
        m1 += np.trace(r)
        if second:
            m2 += np.trace(o @ r)
        hermitian = hermitian and np.array_equal(o, o.conj().T)
    return m1, m2, hermitian


def expectation(sec: Sectors, blocks, op):
    """<O> = Tr(O rho) of the block-diagonal state (``blocks``: SectorBlock per sector).

    ``op`` is one of
      - a qutip.Qobj, numpy array or scipy sparse matrix on the whole box (n_basis^N states,
        qutip.tensor order: site 0 slowest), e.g. ``qt.tensor(a.dag(), a)``;
      - a product of local operators as a dict {site: n_basis x n_basis matrix or Qobj} (one
        per site: multiply a site's factors first), identity on the other sites, e.g.
        ``{0: a.dag(), 1: a}`` for a_0^dag a_1 (sites from 0), ``{0: a.dag() * a}`` for n_0;
      - a callable ``op(k, states)`` returning O's matrix on sector k, whose Fock states are the
        rows of ``states`` (dim x N) — for large truncations, where the box is too big to hold.
    Returns a float if every O_k is exactly Hermitian, else a complex number.
    """
    value, _, hermitian = _moments(blocks, _sector_op(sec, op)[0])
    return float(value.real) if hermitian else complex(value)


def standard_deviation(sec: Sectors, blocks, op) -> float:
    """sqrt(max(<O^2> - <O>^2, 0)) of a Hermitian O that conserves the total number (forms of
    ``op`` as in ``expectation``). The blocks give <O^2> only for such an O: for a quadrature
    a + a^dag every O_k vanishes while <O^2> does not, so others are refused."""
    op_k, conserving = _sector_op(sec, op)
    if not conserving:
        raise ValueError("standard_deviation needs an operator that conserves the total number of quanta")
    m1, m2, hermitian = _moments(blocks, op_k, True)
    if not hermitian:
        raise ValueError("standard_deviation needs a Hermitian operator")
    return float(np.sqrt(max(m2.real - m1.real**2, 0.0)))


def reduced_blocks(sec: Sectors, blocks: list[np.ndarray], sites) -> tuple[Sectors, list[np.ndarray]]:
    """The reduced state of ``sites`` (the other sites traced out), block-diagonal in their total
    number: blocks over ``Sectors.of(len(sites), n_basis)`` (sites in ascending order, the first
    slowest), returned with that basis. ``blocks``: the dense rho_k, sector by sector."""
    nb, n = sec.n_basis, sec.n_sites
    keep = sorted(set(int(l) for l in sites))
    rest = [l for l in range(n) if l not in keep]
    sub = Sectors.of(len(keep), nb)
    out = [np.zeros((d, d), np.complex128) for d in sub.dims]
    if not rest:  # nothing traced out: each block into its place in the uncapped basis (the groups
        # below would be single states, one numpy call each: 0.3 s at 100 states per site)
        for k, b in enumerate(blocks):
            pos = sub.position[sec.states[sec.bounds[k] : sec.bounds[k + 1]] @ sub.strides]
            out[k][np.ix_(pos, pos)] += b
        return sub, out
    rest_strides = nb ** np.arange(len(rest) - 1, -1, -1, dtype=np.int64)
    for k, b in enumerate(blocks):
        st = sec.states[sec.bounds[k] : sec.bounds[k + 1]]
        total = st[:, keep].sum(axis=1)
        # states that share the traced-out occupations are summed over; group them (the key also
        # fixes the kept sites' total, and with it the reduced sector)
        key = total * nb ** len(rest) + st[:, rest] @ rest_strides
        order = np.argsort(key, kind="stable")
        pos_all = sub.position[st[:, keep] @ sub.strides]
        for grp in np.split(order, np.flatnonzero(np.diff(key[order])) + 1):
            pos = pos_all[grp]
            out[int(total[grp[0]])][np.ix_(pos, pos)] += b[np.ix_(grp, grp)]
    return sub, out


def bipartite_negativity(sec: Sectors, blocks: list[np.ndarray], sites_a, sites_b=None) -> float:
    """Negativity (||rho^{T_B}||_1 - 1)/2 = sum of |negative eigenvalues| of the partial transpose
    of the reduced state of A u B, for sites A = ``sites_a`` and B = ``sites_b`` (default: all
    other sites; sites in neither are traced out). ``blocks``: the dense rho_k, sector by sector.

    rho^{T_B}(a1 b1; a2 b2) = rho(a1 b2; a2 b1) is nonzero only for N_A(a1) - N_B(b1) =
    N_A(a2) - N_B(b2) = D (N_X: the number of quanta on X): one Hermitian eigenproblem per D.
    """
    n, nb = sec.n_sites, sec.n_basis
    a = sorted(set(int(l) for l in sites_a))
    b = sorted(set(range(n)) - set(a)) if sites_b is None else sorted(set(int(l) for l in sites_b))
    if not a or not b or set(a) & set(b) or not set(a) | set(b) <= set(range(n)):
        raise ValueError(f"need two non-empty disjoint sets of sites in 0..{n - 1}, got {a} and {b}")
    both = sorted(a + b)
    sub, red = reduced_blocks(sec, blocks, both)
    flat = np.concatenate([r.ravel() for r in red])
    dim = sub.dims
    off = np.concatenate([[0], np.cumsum(dim**2)])
    part_a, part_b = Sectors.of(len(a), nb), Sectors.of(len(b), nb)
    # flat index of a state of A u B = (its A part's share) + (its B part's share)
    fa = part_a.states @ sub.strides[[both.index(l) for l in a]]
    fb = part_b.states @ sub.strides[[both.index(l) for l in b]]
    n_a, n_b = part_a.states.sum(axis=1), part_b.states.sum(axis=1)
    bounds_a, bounds_b, dims_a, dims_b = part_a.bounds, part_b.bounds, part_a.dims, part_b.dims  # not per pair
    total = 0.0
    for dd in range(-len(b) * (nb - 1), len(a) * (nb - 1) + 1):
        pairs = [
            (
                np.repeat(np.arange(bounds_a[m], bounds_a[m + 1]), dims_b[m - dd]),
                np.tile(np.arange(bounds_b[m - dd], bounds_b[m - dd + 1]), dims_a[m]),
            )
            for m in range(max(0, dd), min(part_a.n_sectors - 1, part_b.n_sectors - 1 + dd) + 1)
        ]
        ia = np.concatenate([p[0] for p in pairs])
        ib = np.concatenate([p[1] for p in pairs])
        s = n_a[ia][:, None] + n_b[ib][None, :]
        row = sub.position[fa[ia][:, None] + fb[ib][None, :]]  # (a_p, b_q): reduced sector s[p, q]
        sig = flat[off[s] + row * dim[s] + row.T]  # column (a_q, b_p): the same sector
        ev = np.linalg.eigvalsh(0.5 * (sig + sig.conj().T))
        total -= ev[ev < 0].sum()
    return float(total)


def reduced_end_blocks(sec: Sectors, blocks: list[np.ndarray]) -> list[np.ndarray]:
    """Blocks of the reduced state of sites 0 and N-1 (middle traced out) by s = n_0 + n_{N-1}.

    Block s is indexed by n_0 = max(0, s - n_basis + 1) .. min(s, n_basis - 1) (n_{N-1} = s - n_0).
    """
    return reduced_blocks(sec, blocks, [0, sec.n_sites - 1])[1]


def negativity(sec: Sectors, blocks: list[np.ndarray]) -> float:
    """Entanglement negativity (||rho^{T_B}||_1 - 1)/2 of the end sites, B = site N-1 (0 for N = 1)."""
    return bipartite_negativity(sec, blocks, [0], [sec.n_sites - 1]) if sec.n_sites > 1 else 0.0
