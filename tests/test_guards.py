"""Arguments checked at the public entry points of the engines (powergrid.sde.run_ensemble,
powergrid.quantum.exact_steady_state, powergrid.quantum_trajectories.run_trajectories): a wrong
type or value gives TypeError / ValueError in the package's words, naming the argument and the
value, before any compiled code runs; sizes that cannot fit are refused up front (MemoryError),
and the memory estimates are exact integers, fast for any size. Runs in a few seconds."""

import itertools
import math
import re

import numpy as np
import pytest

from powergrid import quantum, sde
from powergrid.model import Network
from powergrid.quantum import (
    MEMORY_CAP,
    Sectors,
    exact_memory_bytes,
    exact_steady_state,
    memory_estimate,
    sector_dims,
)
from powergrid.quantum_trajectories import run_trajectories, trajectory_memory_bytes

SEED = np.random.SeedSequence(7)
NET = Network.chain(3, 4.0, 2.0, 1e-3, n0=100.0, n_th_over_n0=10.0)
QNET = Network.chain(2, 4.0, 3.0, 0.2, n0=2.0)


def raises(kind, *words):
    """pytest.raises(kind) whose message contains every word (literally)."""
    return pytest.raises(kind, match="(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words))


# ---------------------------------------------------------------------------------------------
# sde.run_ensemble


SDE_KW = dict(dt=0.01, t_transient=1.0, t_average=1.0, n_traj=2, seed=SEED)

SDE_CASES = [
    ({"dt": "0.01"}, TypeError, ("run_ensemble", "dt", "'0.01' (str)")),
    ({"dt": True}, TypeError, ("dt", "True (bool)")),
    ({"dt": 0.0}, ValueError, ("dt", "> 0", "0.0")),
    ({"dt": math.inf}, ValueError, ("dt", "inf")),
    ({"t_transient": -1.0}, ValueError, ("t_transient", ">= 0", "-1.0")),
    ({"t_transient": math.nan}, ValueError, ("t_transient", "nan")),
    ({"t_average": 0}, ValueError, ("t_average", "> 0")),
    ({"t_average": [1.0]}, TypeError, ("t_average", "(list)")),
    ({"n_traj": 0}, ValueError, ("n_traj", ">= 1", "0")),
    ({"n_traj": 2.0}, TypeError, ("n_traj", "2.0 (float)")),
    ({"n_traj": None}, ValueError, ("n_traj", "SeedSequence")),
    ({"seed": 42}, TypeError, ("seed", "SeedSequence", "42 (int)")),
    ({"seed": "abc"}, TypeError, ("seed", "'abc' (str)")),
    ({"seed": [SEED, 3], "n_traj": None}, TypeError, ("seed", "3 (int)")),
    ({"seed": [], "n_traj": None}, ValueError, ("seed", "empty")),
    ({"seed": SEED.spawn(3), "n_traj": 2}, ValueError, ("n_traj = 2", "3 seed sequences")),
    ({"first_trajectory": -1}, ValueError, ("first_trajectory", ">= 0")),
    ({"first_trajectory": 0.5}, TypeError, ("first_trajectory", "0.5 (float)")),
    ({"threads": 0}, ValueError, ("threads", ">= 1", "0")),
    ({"threads": "2"}, TypeError, ("threads", "'2' (str)")),
    ({"block_steps": 0}, ValueError, ("block_steps", ">= 1")),
    ({"dt": 1e-300}, ValueError, ("steps, more than",)),
    ({"start": np.zeros(2)}, ValueError, ("start", "shape (3,) or (2, 3)", "got shape (2,)")),
    ({"start": np.zeros((3, 3))}, ValueError, ("start", "got shape (3, 3)")),
    ({"start": "abc"}, TypeError, ("start", "'abc' (str)")),
    ({"start": [1.0, "x", 2.0]}, TypeError, ("start", "(list)")),
    ({"start": [1.0, None, 2.0]}, ValueError, ("start", "finite")),
    ({"start": [1.0, math.nan, 2.0]}, ValueError, ("start", "finite")),
    ({"histogram": (10, 10)}, TypeError, ("histogram", "HistogramGrid", "(tuple)")),
    ({"progress": 3}, TypeError, ("progress", "callable", "3 (int)")),
    ({"noise": "normal"}, ValueError, ("run_ensemble", "noise", "three-point", "'normal'")),
    ({"noise": 1}, TypeError, ("noise", "1 (int)")),
]


@pytest.mark.parametrize("change, kind, words", SDE_CASES, ids=[str(c[0])[:40] for c in SDE_CASES])
def test_run_ensemble_names_wrong_arguments(change, kind, words):
    with raises(kind, *words):
        sde.run_ensemble(NET, **{**SDE_KW, **change})


def test_run_ensemble_wants_a_network():
    with raises(TypeError, "net", "Network", "(str)"):
        sde.run_ensemble("chain", **SDE_KW)


def test_valid_arguments_of_other_types_give_the_same_numbers():
    """numpy scalars and ints where floats are expected are accepted, with the same numbers."""
    a = sde.run_ensemble(NET, **SDE_KW, threads=1)
    b = sde.run_ensemble(
        NET,
        dt=np.float64(0.01),
        t_transient=1,
        t_average=np.float32(1.0),
        n_traj=np.int64(2),
        seed=SEED,
        threads=np.int32(1),
    )
    assert np.array_equal(a.final_alpha, b.final_alpha) and np.array_equal(a.traj_J_mean, b.traj_J_mean)


# ---------------------------------------------------------------------------------------------
# quantum.exact_steady_state and quantum_trajectories.run_trajectories

EXACT_CASES = [
    ({"n_basis": 5.0}, TypeError, ("exact_steady_state", "n_basis", "5.0 (float)")),
    ({"n_basis": "5"}, TypeError, ("n_basis", "'5' (str)")),
    ({"n_basis": 1}, ValueError, ("n_basis", ">= 2", "1")),
    ({"k_max": 0}, ValueError, ("k_max", "1..8", "0")),
    ({"k_max": 9}, ValueError, ("k_max", "1..8", "9")),
    ({"k_max": 2.5}, TypeError, ("k_max", "2.5 (float)")),
    ({"tol": "1e-12"}, TypeError, ("tol", "(str)")),
    ({"tol": -1.0}, ValueError, ("tol", "> 0")),
    ({"maxiter": 0}, ValueError, ("maxiter", ">= 1")),
    ({"leak_bound": -0.1}, ValueError, ("leak_bound", ">= 0")),
    ({"memory_limit": "lots"}, TypeError, ("memory_limit", "(str)")),
]


@pytest.mark.parametrize("change, kind, words", EXACT_CASES, ids=[str(c[0]) for c in EXACT_CASES])
def test_exact_steady_state_names_wrong_arguments(change, kind, words):
    kw = {"n_basis": 5, **change}
    with raises(kind, *words):
        exact_steady_state(QNET, kw.pop("n_basis"), **kw)


TRAJ_KW = dict(t_transient=1.0, t_average=1.0, n_traj=2, seed=SEED)
TRAJ_CASES = [
    ({"n_basis": 5.5}, TypeError, ("run_trajectories", "n_basis", "5.5 (float)")),
    ({"k_max": -3}, ValueError, ("k_max", "-3")),
    ({"levels": -1}, ValueError, ("levels", ">= 0")),
    ({"levels": 2.0}, TypeError, ("levels", "2.0 (float)")),
    ({"dt": "0.05"}, TypeError, ("dt", "(str)")),
    ({"n_traj": 0}, ValueError, ("n_traj", ">= 1")),
    ({"seed": 1}, TypeError, ("seed", "1 (int)")),
    ({"start": (0, 0, 0)}, ValueError, ("start", "2 occupations", "(0, 0, 0)")),
    ({"start": (0.5, 0)}, TypeError, ("start", "0.5 (float)")),
    ({"start": "00"}, TypeError, ("start", "'00' (str)")),
    ({"start": (0, 7)}, ValueError, ("start", "0..4", "(0, 7)")),
    ({"start": (2, 2), "k_max": 3}, ValueError, ("start", "k_max = 3")),
    ({"progress": "yes"}, TypeError, ("progress", "callable")),
]


@pytest.mark.parametrize("change, kind, words", TRAJ_CASES, ids=[str(c[0]) for c in TRAJ_CASES])
def test_run_trajectories_names_wrong_arguments(change, kind, words):
    kw = {"n_basis": 5, **TRAJ_KW, **change}
    with raises(kind, *words):
        run_trajectories(QNET, kw.pop("n_basis"), **kw)


def test_quantum_solvers_want_a_network():
    with raises(TypeError, "net", "Network", "(tuple)"):
        exact_steady_state((2, 4.0), 5)
    with raises(TypeError, "net", "Network"):
        run_trajectories(None, 5, **TRAJ_KW)


# ---------------------------------------------------------------------------------------------
# sizes that cannot fit


def brute_force_sizes(n_sites, n_basis, k_max):
    """(u = sum_k dim(k)^2, max dim, n_states) by enumerating the box."""
    top = n_sites * (n_basis - 1) if k_max is None else k_max
    dims = [0] * (top + 1)
    for state in itertools.product(range(n_basis), repeat=n_sites):
        if sum(state) <= top:
            dims[sum(state)] += 1
    return sum(d * d for d in dims), max(dims), n_basis**n_sites, dims


@pytest.mark.parametrize("n_sites, n_basis, k_max", [(2, 5, None), (2, 7, 4), (3, 4, None), (3, 4, 5), (4, 3, 6)])
def test_memory_estimates_are_exact_integers(n_sites, n_basis, k_max):
    """The formulas of exact_memory_bytes and trajectory_memory_bytes on the enumerated sectors."""
    u, d_max, n_states, dims = brute_force_sizes(n_sites, n_basis, k_max)
    assert list(sector_dims(n_sites, n_basis, k_max)) == dims
    channels = 2 * n_sites + 2
    exact = 11 * (432 * u + n_states * (40 + 32 * channels) + 96 * d_max**2 + 200_000_000) // 10
    for levels in (0, 5):
        traj = (levels + 1) * 16 * u + 128 * d_max**2 + n_states * (40 + 32 * channels) + 250_000_000
        assert trajectory_memory_bytes(n_sites, n_basis, levels, k_max) == traj
        assert memory_estimate(n_sites, n_basis, k_max, "trajectories", levels=levels) == traj
    for value in (exact_memory_bytes(n_sites, n_basis, k_max), memory_estimate(n_sites, n_basis, k_max)):
        assert type(value) is int and value == exact


def test_memory_estimate_answers_for_any_size():
    """10^5 sites of 10^4 Fock states: a finite Python int (saturated at MEMORY_CAP = 2^64), no
    enumeration, no overflow; an int64 would have wrapped around long before."""
    for solver in ("exact", "trajectories"):
        value = memory_estimate(10**5, 10**4, None, solver)
        assert type(value) is int and value > 1e15 and value == MEMORY_CAP
        assert memory_estimate(10**5, 10**4, 10, solver) == MEMORY_CAP
    assert float(MEMORY_CAP) == 2.0**64  # converts to a float (mem_mb arithmetic) without overflow
    # N = 2, n_basis = 10^4: exact (u = 2 b^3/3 + b/3 for N = 2), below the cap
    b = 10**4
    u = (2 * b**3 + b) // 3
    assert exact_memory_bytes(2, b) == 11 * (432 * u + b**2 * 232 + 96 * b**2 + 200_000_000) // 10
    with raises(ValueError, "solver", "'qutip'"):
        memory_estimate(2, 5, None, "qutip")
    with raises(TypeError, "n_basis", "(float)"):
        memory_estimate(2, 5.0)


def test_sector_dims_are_exact_beyond_int64():
    """N = 25 sites of 10 states: dims up to ~2.8e23 (int64 would overflow), sum = 10^25 exactly."""
    d = sector_dims(25, 10)
    assert sum(int(x) for x in d) == 10**25
    k = 112  # inclusion-exclusion: dim(k) = sum_j (-1)^j C(N, j) C(k - j b + N - 1, N - 1)
    assert d[k] == sum((-1) ** j * math.comb(25, j) * math.comb(k - 10 * j + 24, 24) for j in range(k // 10 + 1))
    assert np.array_equal(sector_dims(3, 9, 14), np.convolve(np.convolve(np.ones(9), np.ones(9)), np.ones(9))[:15])


def test_a_box_beyond_int64_indices_is_refused_before_it_is_built():
    with raises(ValueError, "n_basis^n_sites = 10^40", "too large"):
        Sectors.of(40, 10)


def test_solvers_refuse_a_truncation_that_cannot_fit():
    """Refused up front, naming the truncation and the estimate (default limit: this machine)."""
    big = Network.chain(30, 4.0, 3.0, 0.2, n0=2.0)
    with raises(MemoryError, "exact_steady_state", "n_sites = 30", "n_basis = 10", "k_max = None", "2^64", "physical"):
        exact_steady_state(big, 10)
    with raises(MemoryError, "run_trajectories", "n_sites = 30", "n_basis = 10", "k_max = 20", "2^64"):
        run_trajectories(big, 10, k_max=20, **TRAJ_KW)
    estimate = exact_memory_bytes(2, 5)
    with raises(MemoryError, "n_sites = 2", "n_basis = 5", f"{estimate} bytes", "memory_limit"):
        exact_steady_state(QNET, 5, memory_limit=estimate - 1)
    with raises(MemoryError, "run_trajectories", "memory_limit"):
        run_trajectories(QNET, 5, memory_limit=1e6, **TRAJ_KW)
    assert quantum.machine_memory() is None or quantum.machine_memory() > 2**20
    exact_steady_state(QNET, 5, memory_limit=estimate)  # at the limit: runs
