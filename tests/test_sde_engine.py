"""The compiled SDE kernel (powergrid.sde) against its plain NumPy statement ``reference_step``,
bit for bit: one step on given normals, many steps fed back, and whole ensembles with the
trajectories' own random numbers. Runs in a few seconds once the kernels are compiled."""

import importlib.util
import inspect
import sys

import numpy as np
import pytest

from powergrid import sde
from powergrid.model import Network, Reservoir
from powergrid.sde import (
    LANES,
    Scheme,
    increments,
    kernel_step,
    reference_observables,
    reference_step,
    run_ensemble,
    trajectory_seeds,
)

BRANCHED = Network(
    n_sites=9,
    edges=((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (3, 7), (7, 8)),
    gain=(Reservoir(0, 4.0),),
    loss=(Reservoir(6, 3.0, 1.1), Reservoir(8, 4.0)),
    gamma=0.1,
    n0=5.0,
    n_th_over_n0=3.0,
    detuning=(0.1, -0.2, 0.0, 0.3, 0.0, 0.0, 0.1, -0.1, 0.2),
)
NETWORKS = {  # every branch of the generated code: nu = 1, 2, 3 and general, thermal noise on / off
    "branched-two-loss-thermal": BRANCHED,
    "chain4-nu1-thermal": Network.chain(4, 4.0, 5.0, 1e-2, nu=1.0, n0=10.0, n_th_over_n0=1.0),
    "chain5-nu3-quiet": Network.chain(5, 3.0, 6.0, 1e-3, nu=3.0, n0=50.0),
    "chain3-nu2.5-unequal-n0": Network.chain(
        3, 4.0, 6.0, 0.2, nu=2.5, n0=2.0, n_th_over_n0=0.5, n0_ratio_gain=0.7, n0_ratio_loss=1.3
    ),
    "chain6-thermal-only": Network.chain(6, 0.0, 0.0, 0.1, n0=100.0, n_th_over_n0=10.0),
}


def random_modes(rng, k, n):
    """k states over 4 decades of amplitude, from the linear to the deeply saturated regime."""
    scale = np.logspace(-2, 2, k)[:, None]
    return scale * (rng.standard_normal((k, n)) + 1j * rng.standard_normal((k, n)))


@pytest.mark.parametrize("name", NETWORKS)
def test_compiled_step_is_the_reference_step_bit_for_bit(name):
    """The generated kernel performs reference_step's IEEE operations in the same order: equal
    to the last bit for every lane, after one step and after 200 steps fed back (dt = 0.05)."""
    scheme = Scheme.of(NETWORKS[name], 0.05)
    rng = np.random.default_rng(7)
    c = random_modes(rng, LANES, scheme.u.shape[0])
    ref = c.copy()
    for step in range(200):
        z = rng.standard_normal((LANES, scheme.n_normals))
        c = kernel_step(c, z, scheme)
        ref = np.array([reference_step(ref[g], z[g], scheme) for g in range(LANES)])
        if step == 0:
            assert np.array_equal(c, ref)
    assert np.all(np.isfinite(c)) and np.array_equal(c, ref)


@pytest.mark.parametrize("every", [1, 3])
@pytest.mark.parametrize("noise", ["three-point", "gaussian"])
@pytest.mark.parametrize("name", ["branched-two-loss-thermal", "chain3-nu2.5-unequal-n0"])
def test_ensemble_is_the_reference_loop_bit_for_bit(name, noise, every):
    """run_ensemble (random start, threads, blocks) equals a Python loop of reference_step and
    reference_observables fed by the increments of each trajectory's generator (``increments``):
    the per-trajectory means and the final states, to the last bit, for both kinds of noise, with
    the observables of every step and of every third (blocks of 17 steps: the count runs across
    them)."""
    net, seed, n_traj = NETWORKS[name], np.random.SeedSequence(5), 5
    r = run_ensemble(
        net,
        dt=0.01,
        t_transient=0.3,
        t_average=0.5,
        n_traj=n_traj,
        seed=seed,
        threads=2,
        block_steps=17,
        noise=noise,
        sample_every=every,
    )
    assert r.noise == noise and r.sample_every == every
    scheme = Scheme.of(net, 0.01)
    n = net.n_sites
    gens = [np.random.default_rng(s) for s in trajectory_seeds(seed, 0, n_traj)]
    alpha = np.empty((n_traj, n), np.complex128)
    for k, g in enumerate(gens):
        z = g.standard_normal(2 * n) * (sde.START_AMPLITUDE / np.sqrt(2.0))
        alpha[k] = z[:n] + 1j * z[n:]
    modes = scheme.to_modes(alpha)
    m = len(net.edges)
    occ, cur, cur2, gbar = np.zeros((n_traj, n)), np.zeros((n_traj, m)), np.zeros((n_traj, m)), np.zeros(n_traj)
    draws = [increments(g, noise) for g in gens]  # after the start, as the trajectories draw them
    for k, draw in enumerate(draws):
        c = modes[k]
        for step in range(r.n_steps_transient + r.n_steps_average):
            c = reference_step(c, draw(scheme.n_normals), scheme)
            if step >= r.n_steps_transient and (step - r.n_steps_transient) % every == 0:
                o, j, gb = reference_observables(c, scheme)
                occ[k] += o
                cur[k] += j
                cur2[k] += j * j
                gbar[k] += gb
        modes[k] = c
    n_av = len(range(0, r.n_steps_average, every))
    assert np.array_equal(r.traj_occupation, occ / n_av)
    assert np.array_equal(r.traj_J_mean, cur / n_av) and np.array_equal(r.traj_J2_mean, cur2 / n_av)
    assert np.array_equal(r.traj_Gbar, gbar / n_av)
    assert np.array_equal(r.final_alpha, scheme.to_sites(modes))


def test_reference_step_takes_exactly_its_normals():
    scheme = Scheme.of(BRANCHED, 0.01)
    c = np.ones(9, np.complex128)
    assert scheme.n_normals == 2 + 2 * 9
    for wrong in (scheme.n_normals - 1, scheme.n_normals + 1):
        with pytest.raises(ValueError, match="normals per step"):
            reference_step(c, np.zeros(wrong), scheme)


def test_missing_private_rng_binding_fails_loudly(monkeypatch):
    """Without numba's internal bit-generator bindings the module does not import: no silent
    fallback to other normals (which would change every number)."""
    monkeypatch.setitem(sys.modules, "numba.np.random.generator_core", None)
    spec = importlib.util.spec_from_file_location("powergrid._sde_without_bindings", sde.__file__)
    with pytest.raises(ImportError, match="no fallback"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert sde.NOISES["gaussian"].startswith("ziggurat32-pairs")


def test_default_times_are_documented():
    sig = inspect.signature(run_ensemble).parameters
    assert sig["t_transient"].default == sde.DEFAULT_T_TRANSIENT == 5000.0
    assert sig["t_average"].default == sde.DEFAULT_T_AVERAGE == 10000.0
