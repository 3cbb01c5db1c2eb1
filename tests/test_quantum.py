"""The quantum regime (powergrid.quantum, powergrid.quantum_trajectories) against QuTiP on the full
space (and on a total-number-capped subspace), against exact limits, against each other, and its
truncation checks. Small truncations: the file runs in ~10 s on 2 cores once numba has compiled
the kernels (first run: add ~30 s of compilation)."""

import math

import numpy as np
import pytest
import qutip as qt
from scipy import sparse

from powergrid import quantum
from powergrid.deterministic import random_start, steady_state
from powergrid.model import Network, Reservoir, bipartite_colours
from powergrid.quantum import (
    QuantumModel,
    Sectors,
    check_leak,
    exact_memory_bytes,
    exact_steady_state,
    needed_truncation,
    sector_dims,
)
from powergrid.quantum_trajectories import (
    QuantumTrajectoryResult,
    run_trajectories,
    trajectory_memory_bytes,
)

SEED = np.random.SeedSequence(20240602)


def z_score(a, b, sem_a, sem_b=0.0):
    return np.abs(np.asarray(a) - np.asarray(b)) / np.sqrt(np.asarray(sem_a) ** 2 + np.asarray(sem_b) ** 2)


# ---------------------------------------------------------------------------------------------
# eq. (1) written out independently on the full tensor-product space, with QuTiP


def qutip_model(net: Network, nb: int):
    """H, collapse operators and current operators of eq. (1) on the full space (QuTiP order)."""
    n = net.n_sites
    eye = qt.qeye(nb)

    def site_op(o, l):
        return qt.tensor([o if m == l else eye for m in range(n)])

    a = [site_op(qt.destroy(nb), l) for l in range(n)]
    H = sum(-0.5 * (a[i].dag() * a[j] + a[j].dag() * a[i]) for i, j in net.edges)
    H += sum(d * a[l].dag() * a[l] for l, d in enumerate(net.detuning) if d)

    def f(l, n0l):  # f(a^dag a) = (1 + n/n0)^(-nu/2) as a diagonal operator on site l
        return site_op(qt.Qobj(np.diag((1.0 + np.arange(nb) / n0l) ** (-net.nu / 2))), l)

    c_ops = [math.sqrt(r.rate) * (f(r.site, net.n0 * r.n0_ratio) * a[r.site]).dag() for r in net.gain if r.rate]
    c_ops += [math.sqrt(r.rate) * f(r.site, net.n0 * r.n0_ratio) * a[r.site] for r in net.loss if r.rate]
    n_th = net.n_th_over_n0 * net.n0
    for l in range(n):
        c_ops.append(math.sqrt(net.gamma * (n_th + 1)) * a[l])
        if n_th:
            c_ops.append(math.sqrt(net.gamma * n_th) * a[l].dag())
    currents = [0.5j * (a[j].dag() * a[i] - a[i].dag() * a[j]) for i, j in net.edges]
    return H, c_ops, a, currents


def qutip_steady(net: Network, nb: int):
    H, c_ops, a, currents = qutip_model(net, nb)
    rho = qt.steadystate(H, c_ops)
    jm = np.array([qt.expect(j, rho) for j in currents])
    j2 = np.array([qt.expect(j * j, rho) for j in currents])
    occ = np.array([qt.expect(x.dag() * x, rho) for x in a])
    ends = rho if net.n_sites == 2 else rho.ptrace([0, net.n_sites - 1])
    return jm, np.sqrt(j2 - jm**2), occ, negativity_of(ends)


def negativity_of(rho2):
    """Sum of the negative eigenvalues of the partial transpose (numpy eigvalsh). qutip.negativity
    goes through the trace norm sqrt(eig(A^dag A)), which turns eigenvalues ~1e-18 into ~1e-9
    (measured: 1.9e-9 off at n_basis = 20), too coarse for a 1e-8 comparison."""
    pt = qt.partial_transpose(rho2, [0, 1]).full()
    ev = np.linalg.eigvalsh(0.5 * (pt + pt.conj().T))
    return float(-ev[ev < 0].sum())


CASES = {
    # N = 2, nu = 2, no thermal noise, symmetric phase
    "N2-nu2-Nth0": (Network.chain(2, 4.0, 2.0, 0.1, n0=1.0), 8),
    # nu = 1, thermal noise, unequal saturation numbers, detuning, n0 < 1
    "N2-nu1-thermal-unequal-n0": (
        Network.chain(2, 4.0, 6.0, 0.05, nu=1.0, n0=0.7, n0_ratio_gain=1.3, n_th_over_n0=0.5, detuning=(0.3, -0.1)),
        9,
    ),
    # nu = 3, broken phase, loss saturating earlier
    "N2-nu3-broken": (Network.chain(2, 3.0, 7.0, 0.2, nu=3.0, n0=1.5, n0_ratio_loss=0.8), 10),
    # N = 3: the middle site is traced out for the negativity; thermal noise, unequal n0
    "N3-thermal-unequal-n0": (Network.chain(3, 3.0, 5.0, 0.2, n0=1.0, n0_ratio_gain=1.2, n_th_over_n0=0.3), 4),
    "N3-nu2-Nth0": (Network.chain(3, 4.0, 2.0, 0.3, n0=0.8), 4),
}


@pytest.mark.parametrize("name", list(CASES))
def test_exact_sectors_match_qutip_full_space(name):
    """<J>, Delta J per edge, occupations and the end-site negativity of the sector solver agree
    with qutip.steadystate on the full n_basis^N space to 1e-8 (both solve the same linear system
    to ~1e-12; the values are O(0.01-3))."""
    net, nb = CASES[name]
    r = exact_steady_state(net, nb)
    jm, dj, occ, neg = qutip_steady(net, nb)
    assert r.residual < 1e-10 and r.trace_error < 1e-12
    assert np.allclose(r.J_mean_quanta, jm, rtol=0, atol=1e-8)
    assert np.allclose(r.J_std_quanta, dj, rtol=0, atol=1e-8)
    assert np.allclose(r.occupation_quanta, occ, rtol=0, atol=1e-8)
    assert abs(r.negativity - neg) < 1e-8
    # units of the package: n0
    assert np.allclose(r.J_mean * net.n0, jm, rtol=0, atol=1e-8)
    assert np.allclose(r.occupation * net.n0, occ, rtol=0, atol=1e-8)
    # the comparison is not vacuous: a current flows, the state is not the vacuum
    assert np.all(np.abs(jm) > 1e-2) and np.all(occ > 1e-2)


def qutip_steady_capped(net: Network, nb: int, k_max: int):
    """As qutip_steady, with every operator projected on the states with at most k_max quanta in
    all (P O P): the oracle of the total-number cap."""
    n = net.n_sites
    H, c_ops, a, currents = qutip_model(net, nb)
    occ_n = np.indices((nb,) * n).reshape(n, -1).T  # qutip's order: site 0 slowest
    keep = np.flatnonzero(occ_n.sum(axis=1) <= k_max)

    def sub(op):  # sparse, so that qutip builds a sparse Liouvillian
        return qt.Qobj(sparse.csr_matrix(op.full()[np.ix_(keep, keep)]))

    rho = qt.steadystate(sub(H), [sub(c) for c in c_ops]).full()
    cur = [sub(j).full() for j in currents]
    jm = np.array([np.trace(j @ rho).real for j in cur])
    j2 = np.array([np.trace(j @ j @ rho).real for j in cur])
    occ = np.array([np.trace(sub(x.dag() * x).full() @ rho).real for x in a])
    full = np.zeros((nb**n, nb**n), complex)
    full[np.ix_(keep, keep)] = rho
    rho_full = qt.Qobj(full, dims=[[nb] * n, [nb] * n])
    ends = rho_full if n == 2 else rho_full.ptrace([0, n - 1])
    return jm, np.sqrt(j2 - jm**2), occ, negativity_of(ends), rho[-1, -1]


@pytest.mark.parametrize(
    "net,nb,k_max",
    [
        (Network.chain(2, 4.0, 3.0, 0.1, n0=1.0, n_th_over_n0=0.3), 9, 10),
        (Network.chain(3, 4.0, 6.0, 0.2, n0=1.0, n0_ratio_loss=1.2), 5, 6),
    ],
    ids=["N2", "N3"],
)
def test_total_number_cap_matches_qutip_projected(net, nb, k_max):
    """With the total number capped at k_max the sector solver solves eq. (1) with P O P for every
    operator (P: states with at most k_max quanta): it agrees with qutip.steadystate on that
    subspace to 1e-8, and the cap matters here (the top sector holds > 1e-4)."""
    r = exact_steady_state(net, nb, k_max=k_max)
    jm, dj, occ, neg, _ = qutip_steady_capped(net, nb, k_max)
    assert r.k_max == k_max and r.leak_total > 1e-4
    assert np.allclose(r.J_mean_quanta, jm, rtol=0, atol=1e-8)
    assert np.allclose(r.J_std_quanta, dj, rtol=0, atol=1e-8)
    assert np.allclose(r.occupation_quanta, occ, rtol=0, atol=1e-8)
    assert abs(r.negativity - neg) < 1e-8
    full = exact_steady_state(net, nb)
    assert abs(full.J_mean_quanta[0] - r.J_mean_quanta[0]) > 1e-6  # the cap is not a no-op


def test_total_number_cap_converges_to_the_box():
    """N = 3, broken phase, same box (n_basis = 12): raising the cap k_max shrinks the top-sector
    population leak_total and the cap's effect on <J>, Delta J and the occupations with it; the
    relative changes stay below 10 leak_total (measured: 1-5 leak_total)."""
    net = Network.chain(3, 4.0, 8.0, 0.05, n0=0.5)
    box = exact_steady_state(net, 12)
    previous = 1.0
    for k_max in (14, 16, 18):
        cap = exact_steady_state(net, 12, k_max=k_max)
        assert cap.leak_total < 0.2 * previous and cap.unknowns < box.unknowns
        previous = cap.leak_total
        for name in ("J_mean", "J_std", "occupation"):
            change = np.max(np.abs(getattr(cap, name) / getattr(box, name) - 1))
            assert change < 10 * cap.leak_total, (k_max, name, change, cap.leak_total)


@pytest.mark.parametrize("gamma_e, gamma", [(3.0, 0.05), (1.0, 0.05), (0.5, 0.02)])
def test_needed_truncation_carries_over_to_the_smaller_truncation(gamma_e, gamma):
    """needed_truncation read off a generous box (40 states per site, leak < 2e-10) is a truncation
    whose own cut populations stay near the bound: a smaller box and cap keep the shape of the
    populations below their top (measured: top-state and top-sector populations 0.2-0.9 bound).
    The observables move by less than 100 bound (measured: 6-54 at 1e-6, 8-31 at 1e-8)."""
    net = Network.chain(2, 4.0, gamma_e, gamma, n0=1.0)
    box = exact_steady_state(net, 40)
    assert box.leak.max() < 1e-9
    previous = (0, 0)
    for bound in (1e-6, 1e-8):
        n_basis, k_max = needed_truncation(box, bound)
        assert n_basis > previous[0] and k_max > previous[1]  # a tighter bound needs more states
        assert n_basis < 40 and k_max < 2 * (n_basis - 1)  # the cap cuts: sites are rarely full together
        previous = (n_basis, k_max)
        small = exact_steady_state(net, n_basis, k_max=k_max)
        assert small.leak.max() <= bound and small.leak_total <= bound, (bound, small.leak, small.leak_total)
        assert small.unknowns < box.unknowns
        for name in ("J_mean", "J_std", "occupation"):
            change = np.max(np.abs(getattr(small, name) / getattr(box, name) - 1))
            assert change < 100 * bound, (bound, name, change)


def test_needed_truncation_reads_the_tails():
    """On the populations themselves: the smallest box whose top state and every state above it
    hold <= bound, and likewise the smallest cap; never below 2 states or a cap of 1."""
    net = Network.chain(2, 4.0, 3.0, 0.05, n0=1.0)
    r = exact_steady_state(net, 30)
    for bound in (1e-3, 1e-6):
        n_basis, k_max = needed_truncation(r, bound)
        for p in r.site_population:
            assert np.all(p[n_basis - 1 :] <= bound)
        assert np.any(r.site_population[:, n_basis - 2] > bound)
        assert np.all(r.sector_population[k_max:] <= bound) and r.sector_population[k_max - 1] > bound
        assert np.isclose(r.site_population.sum(axis=1), 1.0).all()
    assert needed_truncation(r, 2.0) == (2, 1)
    with pytest.raises(ValueError, match="bound"):
        needed_truncation(r, 0.0)


# ---------------------------------------------------------------------------------------------
# the real frame X = i^n_B rho i^-n_B (module docstring, "Solver") against the lab frame


TRIANGLE = Network.chain(3, 4.0, 5.0, 0.2, n0=1.0).replace(edges=((0, 1), (1, 2), (0, 2)))


def test_real_frame_only_where_eq1_is_real():
    """The frame exists on bipartite graphs without detunings: n_B counts the quanta of the
    second side (sites 1, 3, ... of a chain). A detuning or an odd cycle leaves the lab frame."""
    chain4 = Network.chain(4, 4.0, 5.0, 0.2)
    assert bipartite_colours(chain4).tolist() == [0, 1, 0, 1]
    assert bipartite_colours(chain4.replace(edges=((0, 1), (1, 2), (2, 3), (3, 0)))).tolist() == [0, 1, 0, 1]
    assert bipartite_colours(TRIANGLE) is None
    model = QuantumModel.of(Network.chain(3, 4.0, 5.0, 0.2), 4)
    st = model.sectors.states
    assert np.array_equal(quantum.real_frame(model), st[:, 1])
    assert quantum.real_frame(QuantumModel.of(CASES["N2-nu1-thermal-unequal-n0"][0], 4)) is None  # detuned
    assert quantum.real_frame(QuantumModel.of(TRIANGLE, 4)) is None
    assert exact_steady_state(TRIANGLE, 4).frame == "lab"
    with pytest.raises(ValueError, match="frame = 'real'"):
        quantum._operators(model, "real")
    assert exact_steady_state(*CASES["N2-nu2-Nth0"]).frame == "real"


@pytest.mark.parametrize(
    "net,nb,k_max",
    [
        (Network.chain(2, 4.0, 3.25, 1e-3, n0=1.0), 24, None),  # Fig. 4a's chain near its peak
        (Network.chain(2, 4.0, 3.0, 0.1, n0=1.0, n_th_over_n0=0.3, nu=1.0), 12, None),  # thermal noise
        (Network.chain(3, 4.0, 6.0, 0.2, n0=1.0, n0_ratio_loss=1.2), 5, 6),  # N = 3, capped
    ],
    ids=["fig4a", "thermal", "N3-capped"],
)
def test_real_frame_matches_lab_frame(net, nb, k_max):
    """Both frames solve the same system: the states agree to 1e-11 (the solver tolerance is
    1e-12 in the Hilbert-Schmidt norm), and the real frame's blocks come back Hermitian with the
    phases i^(n_B(b) - n_B(a)) (the coherences carrying the current are imaginary)."""
    model = QuantumModel.of(net, nb, k_max)
    rho_real, info_real = quantum._solve(model, 1e-12, 5000, "auto")
    rho_lab, info_lab = quantum._solve(model, 1e-12, 5000, "lab")
    assert (info_real["frame"], info_lab["frame"]) == ("real", "lab")
    assert info_real["residual"] < 1e-11 and info_lab["residual"] < 1e-11
    assert np.max(np.abs(rho_real - rho_lab)) < 1e-11
    assert np.max(np.abs(rho_real)) > 1e-3  # not vacuous
    r = exact_steady_state(net, nb, k_max=k_max)
    assert np.all(np.abs(r.J_mean_quanta) > 1e-2)
    for b in r.blocks:
        assert np.allclose(b.rho, b.rho.conj().T, rtol=0, atol=1e-15)


def test_real_block_solve_inverts_its_sylvester_operator():
    """L0_k^{-1} of the real frame, on sectors whose A_k has both real eigenvalues and complex
    pairs (both kinds of tile): A X + X A^T = Y for a random symmetric Y, to 1e-12 relative."""
    net = Network.chain(2, 4.0, 3.0, 1e-3, n0=1.0)
    model = QuantumModel.of(net, 30)
    n_b = quantum.real_frame(model)
    off2, W, Wi, coef, kind, _ = quantum._eigen_real(model, n_b)
    bounds = model.sectors.bounds
    rng = np.random.default_rng(SEED)
    kinds_seen = set()
    for k in (1, 7, 20, 29, 40, 57):
        lo, d = bounds[k], bounds[k + 1] - bounds[k]
        phase = 1j ** n_b[lo : lo + d]
        a = (-1j * phase[:, None] * model.hamiltonian(k) * np.conj(phase)[None, :]).real
        y = rng.standard_normal((d, d))
        y = y + y.T
        x = quantum._solve_l0_real(y, k, bounds, off2, W, Wi, coef, kind)
        assert np.linalg.norm(a @ x + x @ a.T - y) < 1e-12 * np.linalg.norm(y)
        assert np.allclose(x, x.T, rtol=0, atol=1e-12 * np.abs(x).max())
        kinds_seen |= set(kind[lo : lo + d].tolist())
    assert kinds_seen == {0, 1, 2}


def test_negativity_is_nonzero_and_checked():
    """At least one of the cases above has a clearly entangled steady state (N2-nu2: N ~ 0.03)."""
    net, nb = CASES["N2-nu3-broken"]
    r = exact_steady_state(net, nb)
    _, _, _, neg = qutip_steady(net, nb)
    assert neg > 1e-2 and abs(r.negativity - neg) < 1e-8


# ---------------------------------------------------------------------------------------------
# computing with the returned state: expectation values and negativities from the blocks


def qutip_rho(net: Network, nb: int):
    H, c_ops, a, currents = qutip_model(net, nb)
    return qt.steadystate(H, c_ops), a, currents


@pytest.mark.parametrize("name", ["N2-nu1-thermal-unequal-n0", "N3-thermal-unequal-n0"])
def test_expectation_values_match_qutip(name):
    """result.expect of n_l, a_0^dag a_1, n_0 n_{N-1} and the currents, each given as a full-space
    Qobj, a dense matrix, a dict of local operators or a callable on the sectors, agrees with
    qutip.expect on qutip.steadystate to 1e-8; the stored <J>, Delta J equal the helper's."""
    net, nb = CASES[name]
    n = net.n_sites
    r = exact_steady_state(net, nb)
    rho, a, currents = qutip_rho(net, nb)
    loc = qt.destroy(nb)
    num = loc.dag() * loc
    for l in range(n):
        want = qt.expect(a[l].dag() * a[l], rho)
        for op in (
            {l: num},
            {l: num.full()},
            a[l].dag() * a[l],
            (a[l].dag() * a[l]).full(),
            lambda k, st, l=l: np.diag(st[:, l].astype(float)),
        ):
            got = r.expect(op)
            assert isinstance(got, float) and abs(got - want) < 1e-8
        assert abs(r.expect({l: num}) - r.occupation_quanta[l]) < 1e-12
    hop = r.expect({0: loc.dag(), 1: loc})  # a_0^dag a_1: not Hermitian, complex
    assert isinstance(hop, complex) and abs(hop - qt.expect(a[0].dag() * a[1], rho)) < 1e-8
    assert abs(hop - r.expect(a[0].dag() * a[1])) < 1e-12
    both = r.expect({0: num, n - 1: num})  # a product of local operators
    assert abs(both - qt.expect(a[0].dag() * a[0] * a[n - 1].dag() * a[n - 1], rho)) < 1e-8
    assert abs(r.expect(lambda k, st: k * np.eye(len(st))) - sum(r.occupation_quanta)) < 1e-12  # total number
    for e, j in enumerate(currents):
        assert abs(r.expect(j) - qt.expect(j, rho)) < 1e-8
        assert abs(r.expect(j) - r.J_mean_quanta[e]) < 1e-12 and abs(r.std(j) - r.J_std_quanta[e]) < 1e-12
    assert (r.density_matrix() - rho).norm() < 1e-8
    with pytest.raises(ValueError, match="Hermitian"):
        r.std(lambda k, st: np.triu(np.ones((len(st),) * 2)))
    x = loc + loc.dag()  # a quadrature: O_k = 0 in every sector, but <x^2> > 0: refused
    assert abs(r.expect({0: x})) < 1e-15 and abs(r.expect(a[0] + a[0].dag())) < 1e-15
    for op in ({0: x}, a[0] + a[0].dag(), {0: loc}):
        with pytest.raises(ValueError, match="conserves the total number"):
            r.std(op)
    both_op = a[0].dag() * a[0] * a[n - 1].dag() * a[n - 1]
    want = math.sqrt(qt.expect(both_op * both_op, rho) - qt.expect(both_op, rho) ** 2)
    assert abs(r.std({0: num, n - 1: num}) - want) < 1e-8 and abs(r.std(both_op) - want) < 1e-8
    with pytest.raises(ValueError, match="shape"):
        r.expect({0: qt.destroy(nb + 1)})


def test_blocks_are_the_state_by_sector_without_copies():
    """result.blocks: one block per sector k, its Fock states sum to k, their flat indices address
    the box, the traces are the sector populations, and all blocks view the solver's one array."""
    net, nb = CASES["N3-nu2-Nth0"]
    r = exact_steady_state(net, nb, k_max=6)
    assert [b.k for b in r.blocks] == list(range(7))
    base = r.blocks[0].rho.base
    for b in r.blocks:
        assert np.all(b.states.sum(axis=1) == b.k) and b.rho.shape == (len(b.states),) * 2
        assert np.array_equal(b.index, b.states @ nb ** np.arange(net.n_sites - 1, -1, -1))
        assert np.trace(b.rho).real == pytest.approx(r.sector_population[b.k], abs=1e-15)
        assert np.allclose(b.rho, b.rho.conj().T, atol=1e-15) and b.rho.base is base


@pytest.mark.parametrize("name", ["N2-nu3-broken", "N3-nu2-Nth0"])
def test_negativity_of_every_bipartition_matches_qutip(name):
    """result.negativity_of(A, B) against the eigenvalues of qutip.partial_transpose of the
    full-space qutip.steadystate (reduced with ptrace where sites are left out) to 1e-8, for every
    bipartition and the end sites; the stored negativity is the end-site one, bit for bit."""
    net, nb = CASES[name]
    n = net.n_sites
    r = exact_steady_state(net, nb)
    rho, _, _ = qutip_rho(net, nb)
    values = []
    for a_sites in ([0], [1], [2])[: n if n > 2 else 1]:
        mask = [int(l in a_sites) for l in range(n)]
        pt = qt.partial_transpose(rho, mask).full()
        ev = np.linalg.eigvalsh(0.5 * (pt + pt.conj().T))
        values.append(r.negativity_of(a_sites))
        assert abs(values[-1] - float(-ev[ev < 0].sum())) < 1e-8
        rest = [l for l in range(n) if l not in a_sites]
        assert abs(r.negativity_of(rest) - values[-1]) < 1e-12  # N(A|B) = N(B|A)
    assert max(values) > 1e-2  # entangled: the test has teeth
    ends = rho if n == 2 else rho.ptrace([0, n - 1])
    assert abs(r.negativity_of([0], [n - 1]) - negativity_of(ends)) < 1e-8
    assert r.negativity == r.negativity_of([0], [n - 1])
    with pytest.raises(ValueError, match="disjoint"):
        r.negativity_of([0], [0])


def test_sector_basis_is_the_fock_box():
    """The sectors partition the box {0..n_basis-1}^N; dims match the polynomial count."""
    for n, nb in ((2, 7), (3, 5), (4, 3)):
        sec = Sectors.of(n, nb)
        assert np.array_equal(sec.dims, sector_dims(n, nb))
        assert sec.dims.sum() == nb**n
        assert np.array_equal(np.sort(sec.flat), np.arange(nb**n))
        k = np.repeat(np.arange(sec.n_sectors), sec.dims)
        assert np.array_equal(sec.states.sum(axis=1), k)
        assert np.array_equal(sec.index(sec.states), np.arange(nb**n))


def test_gain_jump_is_a_dag_f():
    """Eq. (1)/(S3): gain D[A^dag] with A^dag = a^dag f(a^dag a): rate out of |n> is Gamma_i (n+1) f^2(n)."""
    net = Network.chain(2, 4.0, 3.0, 0.0, n0=2.0, nu=2.0)
    m = QuantumModel.of(net, 6)
    st = m.sectors.states
    gain = m.kind.index("gain")
    loss = m.kind.index("loss")
    for g in range(st.shape[0]):
        n1, n2 = st[g]
        want_gain = 4.0 * (n1 + 1) * (1 + n1 / 2.0) ** -2 if n1 < 5 else 0.0
        want_loss = 3.0 * n2 * (1 + (n2 - 1) / 2.0) ** -2 if n2 > 0 else 0.0
        assert math.isclose(m.amplitude_out[gain, g] ** 2, want_gain, rel_tol=1e-13, abs_tol=1e-15)
        assert math.isclose(m.amplitude_out[loss, g] ** 2, want_loss, rel_tol=1e-13, abs_tol=1e-15)
        assert math.isclose(-2 * m.h_diag[g].imag, want_gain + want_loss, rel_tol=1e-13, abs_tol=1e-15)


# ---------------------------------------------------------------------------------------------
# limits and conventions


@pytest.mark.parametrize(
    "net,nb",
    [
        (Network.chain(2, 0.0, 0.0, 0.3, n0=1.0, n_th_over_n0=1.0), 45),
        (
            Network(
                n_sites=3,
                edges=((0, 1), (1, 2), (0, 2)),
                gain=(Reservoir(0, 0.0),),
                loss=(Reservoir(2, 0.0),),
                gamma=0.2,
                n0=2.0,
                n_th_over_n0=0.05,
                detuning=(0.4, -0.3, 0.1),
            ),
            12,
        ),
    ],
    ids=["chain2", "triangle-detuned"],
)
def test_thermal_equilibrium_is_exact(net, nb):
    """Gamma_i = Gamma_e = 0: the steady state is the product of thermal states (it commutes with
    any number-conserving H and satisfies every local D), so <n_l> = N_th, <J> = 0 and
    <J^2> = (1/4)<a_j^dag a_j a_i a_i^dag + a_i^dag a_i a_j a_j^dag> = N_th (N_th + 1)/2 on every
    bond: Delta J = g sqrt(N_th (N_th + 1)/2) (-> g N_th/sqrt(2), eq. S45, for N_th >> 1). The
    truncation shifts <n> by n_basis x^n_basis (x = N_th/(N_th + 1)): < 1e-10 relative here; the
    solver's tolerance leaves ~1e-10; no entanglement."""
    n_th = net.n_th_over_n0 * net.n0
    r = exact_steady_state(net, nb)
    assert np.allclose(r.occupation_quanta, n_th, rtol=1e-8, atol=0)
    assert np.allclose(r.occupation, net.n_th_over_n0, rtol=1e-8, atol=0)
    assert np.allclose(r.J_mean, 0.0, atol=1e-11)
    assert np.allclose(r.J_std_quanta, math.sqrt(n_th * (n_th + 1) / 2), rtol=1e-8, atol=0)
    # the quantum value differs from the classical N_th/sqrt(2) (checks that J^2 is the operator square)
    assert abs(r.J_std_quanta[0] / (n_th / math.sqrt(2)) - 1) > 0.2
    assert r.negativity < 1e-10
    assert np.all(r.leak < 1e-10)


def test_current_sign_and_semiclassical_limit():
    """J = g Im(alpha_i^* alpha_j) counts positive from gain to loss (as powergrid.deterministic);
    reversing the edge's orientation flips the sign exactly; in the broken phase <J>/(g n0)
    approaches the deterministic current as n0 grows, the distance shrinking ~ 1/n0
    (measured: 0.137, 0.055, 0.025 at n0 = 1, 3, 6)."""
    gaps = []
    for n0, nb in ((1.0, 25), (3.0, 40)):
        net = Network.chain(2, 4.0, 8.0, 0.05, n0=n0)
        det = steady_state(net, random_start(net, np.random.default_rng(0), 1e-3))
        q = exact_steady_state(net, nb, leak_bound=1e-7)
        assert det.kind == "stationary" and det.J_mean[0] > 0.4
        assert q.J_mean[0] > 0
        gaps.append(abs(q.J_mean[0] - det.J_mean[0]))
        rev = exact_steady_state(net.replace(edges=((1, 0),)), nb)
        assert math.isclose(rev.J_mean[0], -q.J_mean[0], rel_tol=1e-9)
        assert math.isclose(rev.J_std[0], q.J_std[0], rel_tol=1e-9)
    assert gaps[1] < 0.5 * gaps[0] and gaps[1] < 0.15 * det.J_mean[0]


def test_truncation_convergence():
    """Where the top-state population is tiny (< 1e-10), 20 % more Fock states change <J>, Delta J
    and the occupations by < 1e-7 relative: the states beyond the box carry probability ~ leak
    (the tail is geometric, ratio < 1) and weigh at most ~ n_basis^2 in J^2, so ~1e-11 * 30^2 ~
    1e-8 (measured: 5e-10). The test also checks that the truncation matters where the leak is
    large (n_basis = 10)."""
    net = Network.chain(2, 4.0, 6.0, 0.1, n0=1.0)
    a = exact_steady_state(net, 30)
    b = exact_steady_state(net, 36)
    assert np.max(a.leak) < 1e-10
    assert np.allclose(b.J_mean, a.J_mean, rtol=1e-7, atol=0)
    assert np.allclose(b.J_std, a.J_std, rtol=1e-7, atol=0)
    assert np.allclose(b.occupation, a.occupation, rtol=1e-7, atol=0)
    c = exact_steady_state(net, 10)
    assert np.max(c.leak) > 1e-3 and abs(c.J_std[0] / b.J_std[0] - 1) > 1e-3


def test_default_fig4b_truncation_is_converged():
    """The default config's per-point Fig. 4b truncation for n0 = 1 (gamma = 1e-2), at the points of
    largest leak (Gamma_e = 2, 3): a box of 20 % more Fock states and no cap moves Delta J/(g n0),
    <J> and the negativity by far less than a plotted line width (1e-3 of the axis), and the leak
    stays under the config's bound."""
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).parents[1] / "config.yaml").read_text())["datasets"]["fig4b"]
    j = config["inner"]["values"].index(1.0)
    for gamma_e in (2.0, 3.0):
        i = config["outer"]["values"].index(gamma_e)
        nb, k_max = config["n_basis"][j][i], config["k_max"][j][i]
        net = Network.chain(2, 4.0, gamma_e, config["network"]["gamma"], n0=1.0)
        small, large = exact_steady_state(net, nb, k_max=k_max), exact_steady_state(net, round(1.2 * nb))
        assert max(np.max(small.leak), small.leak_total) < config.get("leak_bound", 1e-6)
        assert abs(large.J_std[0] - small.J_std[0]) < 1e-5 * large.J_std[0]
        assert abs(large.J_mean[0] - small.J_mean[0]) < 1e-5 * large.J_mean[0]
        assert abs(large.negativity - small.negativity) < 1e-6


def test_leak_check_raises_and_names_the_parameters():
    net = Network.chain(2, 4.0, 1.0, 0.1, n0=1.0)
    r = exact_steady_state(net, 6)
    assert np.max(r.leak) > 0.05
    with pytest.raises(ValueError) as err:
        check_leak(r, 1e-6)
    msg = str(err.value)
    for part in ("n_basis = 6", "n0 = 1", "gain = [(0, 4.0", "loss = [(1, 1.0", "gamma = 0.1", "raise n_basis"):
        assert part in msg
    with pytest.raises(ValueError, match="n_basis = 6"):
        exact_steady_state(net, 6, leak_bound=1e-6)
    assert check_leak(r, 0.5) is r
    # the total-number cap: its top sector is checked too
    capped = exact_steady_state(net, 30, k_max=8)
    assert np.max(capped.leak) < 1e-6 < capped.leak_total
    with pytest.raises(ValueError, match="k_max = 8 quanta in all.*raise k_max"):
        check_leak(capped, 1e-6)


def test_memory_estimates_grow_with_the_problem():
    """The estimates cover the unknowns they count (GMRES basis, eigenvectors; propagators)."""
    for n, nb in ((2, 40), (2, 150), (3, 20)):
        u = int(np.sum(sector_dims(n, nb).astype(np.int64) ** 2))
        assert exact_memory_bytes(n, nb) > (40 * 8 + 7 * 16) * u
        assert trajectory_memory_bytes(n, nb, levels=5) > 6 * 16 * u
    assert exact_memory_bytes(2, 150) > exact_memory_bytes(2, 100)


# ---------------------------------------------------------------------------------------------
# quantum trajectories


@pytest.mark.parametrize("gamma_e", [2.0, 6.0], ids=["symmetric", "broken"])
def test_trajectories_match_exact_steady_state(gamma_e):
    """Time-and-ensemble means of 32 trajectories x 1500/g agree with the exact steady state
    within 4 standard errors (<J>, Delta J (jackknife), occupations, Gbar); the error bars are
    small (< 3 %), so the comparison has teeth."""
    net = Network.chain(2, 4.0, gamma_e, 0.2, n0=1.0)
    nb = 14
    ex = exact_steady_state(net, nb, leak_bound=1e-4)
    r = run_trajectories(net, nb, t_transient=100.0, t_average=1500.0, n_traj=32, seed=SEED)
    assert np.all(r.J_sem < 0.03 * np.abs(ex.J_mean)) and np.all(r.J_std_sem < 0.03 * ex.J_std)
    assert np.all(z_score(r.J_mean, ex.J_mean, r.J_sem) < 4)
    assert np.all(z_score(r.J_std, ex.J_std, r.J_std_sem) < 4)
    assert np.all(z_score(r.occupation, ex.occupation, r.occupation_sem) < 4)
    assert z_score(r.Gbar_mean, ex.Gbar_mean, r.Gbar_sem) < 4
    assert np.all(r.leak < 1e-3)


def test_trajectories_match_qutip_mcsolve_and_mesolve():
    """From the vacuum, the mean of J, n_1, n_2 over the window t in (2, 3] (sampled every dt):
    the sector trajectories (2000) and qutip.mcsolve (1000) agree within 4 combined standard
    errors, and both agree with the exact mesolve value."""
    net = Network.chain(2, 4.0, 3.0, 0.2, n0=1.0)
    nb, dt, t0, window = 5, 0.05, 2.0, 1.0
    H, c_ops, a, currents = qutip_model(net, nb)
    e_ops = [currents[0], a[0].dag() * a[0], a[1].dag() * a[1]]
    tlist = np.concatenate([[0.0], t0 + dt * np.arange(1, round(window / dt) + 1)])
    vac = qt.tensor(qt.basis(nb, 0), qt.basis(nb, 0))
    mc = qt.mcsolve(
        H,
        vac,
        tlist,
        c_ops,
        e_ops=e_ops,
        ntraj=1000,
        seeds=np.random.SeedSequence(11),
        options={"keep_runs_results": True, "progress_bar": False},
    )
    runs = np.asarray(mc.runs_expect)[:, :, 1:].mean(axis=2)  # (e_op, trajectory)
    mc_mean = runs.mean(axis=1)
    mc_sem = runs.std(axis=1, ddof=1) / math.sqrt(runs.shape[1])
    me = np.asarray(qt.mesolve(H, vac * vac.dag(), tlist, c_ops, e_ops=e_ops).expect)[:, 1:].mean(axis=1)
    r = run_trajectories(net, nb, dt=dt, t_transient=t0, t_average=window, n_traj=2000, seed=SEED)
    ours = np.concatenate([r.J_mean, r.occupation])
    ours_sem = np.concatenate([r.J_sem, r.occupation_sem])
    assert np.all(z_score(ours, mc_mean, ours_sem, mc_sem) < 4)
    assert np.all(z_score(ours, me, ours_sem) < 4)
    assert np.all(z_score(mc_mean, me, mc_sem) < 4)
    assert np.all(ours_sem < 0.05 * np.abs(me))


def test_trajectories_with_total_number_cap_match_exact():
    """The cap acts the same in both methods (N = 3, k_max = 7 with a top-sector population of
    ~1e-2): 24 trajectories x 1500/g agree with the exact capped steady state within 4 standard
    errors, and their time in the top sector matches its population."""
    net = Network.chain(3, 4.0, 6.0, 0.3, n0=0.7)
    ex = exact_steady_state(net, 6, k_max=7)
    r = run_trajectories(net, 6, k_max=7, dt=0.1, t_transient=50.0, t_average=1500.0, n_traj=24, seed=SEED)
    assert ex.leak_total > 1e-3 and r.k_max == 7
    assert np.all(z_score(r.J_mean, ex.J_mean, r.J_sem) < 4)
    assert np.all(z_score(r.J_std, ex.J_std, r.J_std_sem) < 4)
    assert np.all(z_score(r.occupation, ex.occupation, r.occupation_sem) < 4)
    sem_top = np.std(r.traj_leak_total, ddof=1) / math.sqrt(r.n_traj)
    assert z_score(r.leak_total, ex.leak_total, sem_top) < 4


def test_trajectories_reproducible_chunked_and_thread_independent():
    """Same seed => the same numbers, bit for bit, whatever the threads, blocks or chunks."""
    net = Network.chain(3, 4.0, 5.0, 0.2, n0=1.0, n_th_over_n0=0.2)
    kw = dict(dt=0.1, t_transient=5.0, t_average=20.0, seed=SEED)
    whole = run_trajectories(net, 5, n_traj=6, threads=1, **kw)
    parts = [run_trajectories(net, 5, n_traj=3, first_trajectory=f, threads=2, block_steps=37, **kw) for f in (0, 3)]
    merged = QuantumTrajectoryResult.merge(parts)
    for name in (
        "traj_J_mean",
        "traj_J2_mean",
        "traj_occupation",
        "traj_leak",
        "traj_leak_total",
        "traj_Gbar",
        "traj_jumps",
        "final_sector",
        "J_mean",
        "J_std",
        "J_std_sem",
        "occupation",
    ):
        assert np.array_equal(getattr(whole, name), getattr(merged, name)), name
    assert np.array_equal(merged.trajectories, np.arange(6))
    other = run_trajectories(net, 5, n_traj=6, threads=1, **{**kw, "seed": np.random.SeedSequence(1)})
    assert not np.array_equal(other.traj_J_mean, whole.traj_J_mean)
    with pytest.raises(ValueError):
        QuantumTrajectoryResult.merge([whole, run_trajectories(net, 6, n_traj=1, **kw)])
    with pytest.raises(ValueError, match="n_basis = 5"):
        check_leak(whole, 1e-12)


@pytest.mark.parametrize(
    "net,nb,k_max",
    [
        (Network.chain(2, 4.0, 3.0, 0.2, n0=1.0), 12, None),
        (Network.chain(3, 4.0, 5.0, 0.2, n0=1.0, n_th_over_n0=0.2), 6, None),  # thermal: a^dag and a on every site
        (Network.chain(3, 4.0, 6.0, 0.3, n0=0.7), 6, 7),  # capped
    ],
    ids=["N2", "N3-thermal", "N3-capped"],
)
def test_trajectories_in_the_real_frame_are_those_of_the_lab_frame(net, nb, k_max):
    """On a chain the trajectories run in the real frame (real propagators and psi): the same
    random numbers give the same jumps, and the time means agree with the lab frame's to rounding.
    Hundreds of jumps per trajectory, so a wrong phase or sign in the frame would show."""
    kw = dict(k_max=k_max, dt=0.1, t_transient=5.0, t_average=100.0, n_traj=4, seed=SEED, threads=1)
    real = run_trajectories(net, nb, **kw)
    lab = run_trajectories(net, nb, frame="lab", **kw)
    assert (real.frame, lab.frame) == ("real", "lab")
    assert np.array_equal(real.traj_jumps, lab.traj_jumps) and np.all(real.traj_jumps.sum(axis=1) > 100)
    assert np.array_equal(real.final_sector, lab.final_sector)
    for name in ("traj_J_mean", "traj_J2_mean", "traj_occupation", "traj_leak", "traj_Gbar"):
        a, b = getattr(real, name), getattr(lab, name)
        assert np.max(np.abs(a - b)) < 1e-12 * max(np.max(np.abs(b)), 1.0), name
    assert np.all(np.abs(real.traj_J_mean) > 1e-2)  # the currents are not vacuous
    with pytest.raises(ValueError, match="frame"):
        QuantumTrajectoryResult.merge([real, lab])


def test_trajectories_leave_the_real_frame_where_eq1_is_not_real():
    """A detuning or an odd cycle: 'auto' runs in the lab frame; an unknown frame is refused."""
    kw = dict(t_transient=1.0, t_average=5.0, n_traj=2, seed=SEED, threads=1)
    assert run_trajectories(TRIANGLE, 4, **kw).frame == "lab"
    assert run_trajectories(CASES["N2-nu1-thermal-unequal-n0"][0], 4, **kw).frame == "lab"
    with pytest.raises(ValueError, match="frame must be one of"):
        run_trajectories(TRIANGLE, 4, frame="real", **kw)


def test_dataset_with_a_truncation_per_point():
    """A dataset's n_basis / k_max entry may be a list with one truncation per outer value: each
    point is solved at its own, and its rows record it and the truncation its state needs for a
    tenth of leak_bound."""
    from powergrid.methods import quantum as quantum_method
    from powergrid.runner import job_frames

    network = {"n_sites": 2, "gamma": 5e-2, "gain": [{"site": 1, "rate": 4.0}], "loss": [{"site": 2, "rate": 4.0}]}
    spec = {
        "dataset": "per_point",
        "seed": 1,
        "network": network,
        "outer": {"name": "gamma_e", "values": [1.0, 3.0, 8.0]},
        "outer_indices": [0, 1, 2],
        "inner": {"name": "n0", "values": [1.0, 2.0]},
        "n_basis": [[30, 28, 26], [36, 36, 30]],
        "k_max": [[34, 30, 26], [70, 70, 58]],
        "solver": "exact",
        "leak_bound": 1e-6,
    }
    frames = job_frames(quantum_method, spec)
    points = frames["points"].sort_values(["inner_index", "outer_index"])
    bonds = frames["bonds"].sort_values(["inner_index", "outer_index"])
    assert points["n_basis"].tolist() == [30, 28, 26, 36, 36, 30]
    assert points["k_max"].tolist() == [34, 30, 26, 70, 70, 58]
    for row, j_std in zip(points.itertuples(), bonds["J_std"]):
        net = Network.chain(2, 4.0, row.gamma_e, 5e-2, n0=row.n0)
        direct = exact_steady_state(net, row.n_basis, k_max=row.k_max)
        assert j_std == pytest.approx(float(direct.J_std[0]), rel=1e-9)
        assert (row.n_basis_needed, row.k_max_needed) == needed_truncation(direct, 1e-6 / quantum_method.NEEDED_MARGIN)
        # one more than the point has where its own top holds more than a tenth of the bound
        assert row.n_basis_needed <= row.n_basis + 1 and row.k_max_needed <= row.k_max + 1
    largest = quantum_method.memory_bytes(spec, [0])
    assert quantum_method.memory_bytes(spec, [2]) < largest == quantum_method.memory_bytes(spec)
