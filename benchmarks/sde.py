"""Benchmark of the SDE ensemble engine (issue 3, section 5, first two bullets).

Prints, from one run on this machine, at the Fig. 3a parameters (N = 6 chain, Gamma_i = 4,
gamma = 1e-3, N_th/n0 = 10, n0 = 100; Gamma_e = 2 symmetric, Gamma_e = 8 broken phase):

1. CPU time per site-step of powergrid.sde.run_ensemble (one thread, 50 trajectories, averages
   accumulated every step) against a numpy Euler-Maruyama vectorised over 50 trajectories, the
   paper's Matlab style (Appendix F: one step of all trajectories per iteration, samples every
   17000 steps). The reference is written to be fast: normals drawn 100 steps at a time, the
   drift as one matrix product. Both are timed alternately ``--rounds`` times; the best of each.
2. CPU time to reach the same standard error of <J> (last bond) at each point, each method at the
   dt its accuracy needs: ours at DEFAULT_DT, measured end to end (50 trajectories, the paper's
   transient 5000/g, t_average from --t-average); the reference at dt = 1e-4/g (the paper's),
   estimated: the same trajectories and physical times (so the same standard error; its estimator
   samples every 1.7/g, far below the correlation time ~1/gamma, so it is not better than ours)
   at its measured CPU time per trajectory-step from part 1. Plain Euler-Maruyama at dt = 1e-2 is
   not an option: it pumps the hopping modes (growth omega^2 dt/2 > gamma/2), shown in part 3.
3. (--no-em-check to skip) plain Euler-Maruyama at dt = 1e-2 over a short time: its occupation
   runs away from ours.

Usage: python benchmarks/sde.py [--rounds 3] [--t-average 5000] [--no-em-check]
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from powergrid.model import Network
from powergrid.sde import DEFAULT_DT, run_ensemble

N_TRAJ = 50


def fig3a(gamma_e: float) -> Network:
    return Network.chain(6, 4.0, gamma_e, 1e-3, n0=100.0, n_th_over_n0=10.0)


def numpy_em(net: Network, dt: float, n_steps: int, rng: np.random.Generator, n_traj: int = N_TRAJ,
             sample_every: int = 17000, batch: int = 100):
    """Plain Euler-Maruyama of eqs. (3)-(5) for n_traj trajectories at once (complex numpy arrays).

    Returns the final state and the current samples (every ``sample_every`` steps, last bond)."""
    n = net.n_sites
    mt = net.linear_matrix().T.copy()
    rate, n0r = net.saturable_rates()
    res = np.nonzero(rate)[0]
    r, s = rate[res], n0r[res]
    gain = np.where(r > 0, r / net.n0, 0.0)
    d_th = net.gamma * net.n_th_over_n0
    amp = np.full((n_traj, n), np.sqrt(d_th * dt / 2))
    a = 1e-3 * (rng.standard_normal((n_traj, n)) + 1j * rng.standard_normal((n_traj, n))) / np.sqrt(2)
    samples = []
    step = 0
    while step < n_steps:
        k_max = min(batch, n_steps - step)
        z = rng.standard_normal((k_max, n_traj, n)) + 1j * rng.standard_normal((k_max, n_traj, n))
        for k in range(k_max):
            ar = a[:, res]
            f2 = (1.0 + (ar.real ** 2 + ar.imag ** 2) / s) ** (-net.nu)
            drift = a @ mt
            drift[:, res] += 0.5 * r * f2 * ar
            amp[:, res] = np.sqrt((d_th + gain * f2) * dt / 2)
            a = a + dt * drift + amp * z[k]
            step += 1
            if step % sample_every == 0:
                samples.append(np.imag(np.conj(a[:, -2]) * a[:, -1]))
    return a, np.array(samples)


def cpu(f, *args, **kwargs):
    t = time.process_time()
    out = f(*args, **kwargs)
    return time.process_time() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--t-average", type=float, default=5000.0)
    ap.add_argument("--no-em-check", action="store_true")
    args = ap.parse_args()
    dt = DEFAULT_DT
    print(f"# SDE engine benchmark (dt = {dt}, {N_TRAJ} trajectories, N = 6, Gamma_i = 4, gamma = 1e-3, "
          f"N_th/n0 = 10, n0 = 100)")

    # compile (or load the cached kernel) before timing
    run_ensemble(fig3a(8.0), dt=dt, t_transient=1.0, t_average=1.0, n_traj=2, seed=np.random.SeedSequence(0),
                 threads=1)

    # 1. cost per site-step
    net = fig3a(8.0)
    ours_steps, ref_steps = 20_000, 4_000
    ours, ref = [], []
    for rnd in range(args.rounds):
        t, _ = cpu(run_ensemble, net, dt=dt, t_transient=0.0, t_average=ours_steps * dt, n_traj=N_TRAJ,
                   seed=np.random.SeedSequence(rnd), threads=1)
        ours.append(t / (ours_steps * N_TRAJ * net.n_sites))
        t, _ = cpu(numpy_em, net, 1e-4, ref_steps, np.random.default_rng(rnd))
        ref.append(t / (ref_steps * N_TRAJ * net.n_sites))
    c_ours, c_ref = min(ours), min(ref)
    print("\n## 1. CPU time per site-step (best of %d alternating rounds; all rounds in brackets)" % args.rounds)
    print(f"ours (1 thread)        : {c_ours * 1e9:7.2f} ns  {np.round(np.array(ours) * 1e9, 2)}")
    print(f"numpy Euler-Maruyama   : {c_ref * 1e9:7.2f} ns  {np.round(np.array(ref) * 1e9, 2)}")
    print(f"ratio numpy / ours     : {c_ref / c_ours:7.1f}x   (target >= 8x)")

    # 2. CPU time to the same standard error of <J>
    print("\n## 2. CPU time to the same standard error of <J> (bond 5-6), each method at its dt")
    print("Gamma_e  <J>       sem(<J>)   Delta J   sem(DJ)   ours CPU [s]  ref dt=1e-4 CPU [s] (est.)  ratio")
    t_tr, t_av = 5000.0, args.t_average
    for ge in (2.0, 8.0):
        net = fig3a(ge)
        t_ours, r = cpu(run_ensemble, net, dt=dt, t_transient=t_tr, t_average=t_av, n_traj=N_TRAJ,
                        seed=np.random.SeedSequence([3, int(ge)]), threads=1)
        # the reference needs the same trajectories x physical time at dt = 1e-4
        t_ref = N_TRAJ * (t_tr + t_av) / 1e-4 * net.n_sites * c_ref
        print(f"{ge:7.1f}  {r.J_mean[-1]:8.4f}  {r.J_sem[-1]:8.4f}  {r.J_std[-1]:8.4f}  {r.J_std_sem[-1]:8.4f}"
              f"  {t_ours:12.1f}  {t_ref:26.0f}  {t_ref / t_ours:6.0f}x   (target >= 100x)")
    print("(ours: measured end to end, incl. the transient; the reference: its measured per-step cost x "
          "the same number of trajectory-steps at dt = 1e-4)")

    # 3. plain Euler-Maruyama at the large step
    if not args.no_em_check:
        net = fig3a(8.0)
        t_short = 1000.0
        a, _ = numpy_em(net, 1e-2, int(t_short / 1e-2), np.random.default_rng(5), n_traj=20)
        r = run_ensemble(net, dt=1e-2, t_transient=t_short - 100.0, t_average=100.0, n_traj=20,
                         seed=np.random.SeedSequence(5), threads=1)
        print(f"\n## 3. plain Euler-Maruyama at dt = 1e-2, Gamma_e = 8, after t = {t_short:g}/g")
        print(f"total occupation, numpy EM: {np.mean(np.sum(np.abs(a) ** 2, axis=1)):10.3g}   "
              f"ours: {np.sum(r.occupation):8.3g}   (thermal level N*N_th/n0 = {6 * 10:g})")


if __name__ == "__main__":
    main()
