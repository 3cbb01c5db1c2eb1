"""Benchmark of the quantum regime (powergrid.quantum, powergrid.quantum_trajectories).

Prints, from one run on this machine (one BLAS/numba thread everywhere):

1. Steady state at n_basis states per site (default 20), N = 2, Gamma_i = 4, Gamma_e = 3,
   gamma = 0.1, n0 = 1: the sector-resolved solver against qutip.steadystate on the full space
   (default method "direct"), each in its own subprocess: wall time of the solve, its peak memory
   (increase of the peak RSS over the process's RSS just before the solve: interpreter, imports
   and numba's compiled kernels are not counted; a warm-up solve at a tiny truncation loads every
   kernel first) and the largest difference of <J>, Delta J, occupations and negativity (QuTiP's
   from numpy's eigvalsh of its partial transpose: qutip.negativity itself is ~2e-9 off).
2. Quantum trajectories against qutip.mcsolve at the same point and truncation, from the vacuum,
   both sampling J, n_1, n_2 every dt = 0.05 for t in [0, T]: CPU time per trajectory and unit
   of simulated time (ours: dt = 0.05 with jump times bisected to dt/32; mcsolve: its default
   adaptive integrator and jump-time root finding).
3. Accuracy of the trajectory time step at a point with many jumps (Gamma_e = 6, gamma = 0.2,
   n_basis = 12): z-scores of <J> and occupations against the exact steady state for our default
   (dt = 0.05, levels = 5), the same dt without bisection (levels = 0: jump at the end of the step,
   the paper's scheme at 25x its dt) and the paper's dt = 2e-3 without bisection, with the CPU
   time of each.
4. The trajectories' propagator product: CPU per U psi in one sector of the three-site chain at
   extra-quantum-N3's truncation (30 states per site), production (BLAS zgemv from 16 states on,
   the loop below) against the compiled loop it replaced (quantum_trajectories._matvec_loop, the reference),
   interleaved rounds. Both in the lab frame (complex), as before the real frame (part 5).
5. The trajectories' real frame: whole points of extra-quantum-N3 (its network, truncations, 16
   trajectories, t_transient = 50/g, t_average = --t-n3, the dataset's 3000/g by default), the
   real frame (production) against the lab frame (``frame="lab"``, the reference), one after the
   other: CPU of building the propagators and of the whole point, and how far the results are
   apart (the same random numbers: the same jumps, time means equal to rounding).

Usage: python benchmarks/quantum.py [--n-basis 20] [--t-mc 50] [--n-mc 20] [--t-n3 3000] [--skip 1,2,3,4,5]
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

from powergrid.model import Network

POINT = dict(gamma_i=4.0, gamma_e=3.0, gamma=0.1, n0=1.0)

CHILD = r"""
import json, os, resource, sys, time
import numpy as np
from powergrid.model import Network
mode, nb = sys.argv[1], int(sys.argv[2])
p = json.loads(sys.argv[3])
net = Network.chain(2, p["gamma_i"], p["gamma_e"], p["gamma"], n0=p["n0"])
def rss_now():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
if mode == "ours":
    from powergrid.quantum import exact_steady_state
    exact_steady_state(net, 4)                      # compile / load the kernels
    base = rss_now()
    t = time.perf_counter()
    r = exact_steady_state(net, nb)
    wall = time.perf_counter() - t
    out = dict(J=r.J_mean_quanta.tolist(), dJ=r.J_std_quanta.tolist(), occ=r.occupation_quanta.tolist(),
               neg=r.negativity, iterations=r.iterations, solver=r.solver, unknowns=r.unknowns)
else:
    import qutip as qt
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(sys.argv[4])), "..", "tests"))
    from test_quantum import negativity_of, qutip_model
    H, c, a, cur = qutip_model(net, 4)
    qt.steadystate(H, c)                             # warm-up (imports, solver set-up)
    H, c, a, cur = qutip_model(net, nb)
    base = rss_now()
    t = time.perf_counter()
    rho = qt.steadystate(H, c)
    wall = time.perf_counter() - t
    jm = [qt.expect(j, rho) for j in cur]
    j2 = [qt.expect(j * j, rho) for j in cur]
    out = dict(J=jm, dJ=[float(np.sqrt(b - x * x)) for x, b in zip(jm, j2)],
               occ=[qt.expect(x.dag() * x, rho) for x in a], neg=negativity_of(rho), unknowns=(nb ** 2) ** 2)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out.update(wall=wall, mem=max(peak - base, 0), peak=peak, base=base)
print(json.dumps(out))
"""


def child(mode: str, nb: int) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(nb), json.dumps(POINT), __file__],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def part1(nb: int):
    ours, theirs = child("ours", nb), child("qutip", nb)
    diff = max(max(abs(a - b) for a, b in zip(ours[k], theirs[k], strict=True)) for k in ("J", "dJ", "occ"))
    diff = max(diff, abs(ours["neg"] - theirs["neg"]))
    print(f"1. steady state, N = 2, n_basis = {nb}, {POINT}")
    print(
        f"   ours : {ours['wall']:8.3f} s, +{ours['mem'] / 2**20:8.1f} MiB over {ours['base'] / 2**20:.0f} MiB "
        f"({ours['unknowns']} real unknowns, {ours['iterations']} preconditioner applications, {ours['solver']})"
    )
    print(
        f"   qutip: {theirs['wall']:8.3f} s, +{theirs['mem'] / 2**20:8.1f} MiB over {theirs['base'] / 2**20:.0f} MiB "
        f"({theirs['unknowns']} complex unknowns)"
    )
    print(
        f"   ratio: {theirs['wall'] / ours['wall']:.0f}x faster, "
        f"{theirs['mem'] / max(ours['mem'], 1):.0f}x less memory; "
        f"max |difference| of <J>, Delta J, <n>, negativity = {diff:.1e}"
    )
    print(f"   values: <J> = {ours['J'][0]:.10f}, Delta J = {ours['dJ'][0]:.10f}, negativity = {ours['neg']:.10f}")


def part2(nb: int, t_end: float, n_traj: int):
    import qutip as qt

    from powergrid.quantum_trajectories import run_trajectories

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
    from test_quantum import qutip_model

    net = Network.chain(2, POINT["gamma_i"], POINT["gamma_e"], POINT["gamma"], n0=POINT["n0"])
    dt = 0.05
    run_trajectories(net, 4, dt=dt, t_transient=0.0, t_average=1.0, n_traj=1, seed=np.random.SeedSequence(0))
    t = time.process_time()
    r = run_trajectories(
        net, nb, dt=dt, t_transient=0.0, t_average=t_end, n_traj=n_traj, seed=np.random.SeedSequence(1), threads=1
    )
    ours = (time.process_time() - t) / (n_traj * t_end)
    H, c, a, cur = qutip_model(net, nb)
    tlist = dt * np.arange(round(t_end / dt) + 1)
    vac = qt.tensor(qt.basis(nb, 0), qt.basis(nb, 0))
    e_ops = [cur[0], a[0].dag() * a[0], a[1].dag() * a[1]]
    qt.mcsolve(H, vac, tlist[:3], c, e_ops=e_ops, ntraj=1, options={"progress_bar": False})
    t = time.process_time()
    mc = qt.mcsolve(
        H,
        vac,
        tlist,
        c,
        e_ops=e_ops,
        ntraj=n_traj,
        seeds=np.random.SeedSequence(2),
        options={"progress_bar": False, "map": "serial"},
    )
    theirs = (time.process_time() - t) / (n_traj * t_end)
    mc_j = float(np.mean(np.asarray(mc.expect[0])[1:]))
    print(f"2. trajectories, N = 2, n_basis = {nb}, {n_traj} trajectories x {t_end:g}/g from the vacuum")
    print(
        f"   ours   : {ours * 1e3:8.3f} ms CPU per trajectory and 1/g (dt = {dt}, levels = 5); time-mean <J> = "
        f"{r.J_mean[0]:.3f} +- {r.J_sem[0]:.3f}"
    )
    print(f"   mcsolve: {theirs * 1e3:8.3f} ms CPU per trajectory and 1/g; time-mean <J> = {mc_j:.3f}")
    print(f"   ratio  : {theirs / ours:.0f}x cheaper per unit of simulated time")


def part3():
    from powergrid.quantum import exact_steady_state
    from powergrid.quantum_trajectories import run_trajectories

    net = Network.chain(2, 4.0, 6.0, 0.2, n0=1.0)
    nb = 12
    ex = exact_steady_state(net, nb)
    print(f"3. time step at N = 2, Gamma_e = 6, gamma = 0.2, n0 = 1, n_basis = {nb} (40 trajectories x 4000/g)")
    print(f"   exact: <J> = {ex.J_mean[0]:.5f}, <n>/n0 = {np.array2string(ex.occupation, precision=5)}")
    for dt, levels, t_av in ((0.05, 5, 4000.0), (0.05, 0, 4000.0), (2e-3, 0, 1000.0)):
        run_trajectories(
            net, nb, dt=dt, levels=levels, t_transient=0.0, t_average=1.0, n_traj=1, seed=np.random.SeedSequence(0)
        )
        t = time.process_time()
        r = run_trajectories(
            net,
            nb,
            dt=dt,
            levels=levels,
            t_transient=100.0,
            t_average=t_av,
            n_traj=40,
            seed=np.random.SeedSequence(7),
            threads=1,
        )
        cpu = (time.process_time() - t) / (40 * (100.0 + t_av))
        zj = (r.J_mean[0] - ex.J_mean[0]) / r.J_sem[0]
        zn = (r.occupation - ex.occupation) / r.occupation_sem
        print(
            f"   dt = {dt:<6g} levels = {levels}: z(<J>) = {zj:+6.2f}, z(<n>) = {np.array2string(zn, precision=2)}, "
            f"jumps per 1/g = {r.traj_jumps.sum(axis=1).mean() / (r.t_transient + r.t_average):.4f}, "
            f"{cpu * 1e3:.3f} ms CPU per trajectory and 1/g (t_average {t_av:g})"
        )


def part4(rounds: int = 3):
    from powergrid.quantum_trajectories import _matvec, _matvec_loop, _Plan

    net = Network.chain(3, 4.0, 2.0, 0.1, n0=2.0)
    plan = _Plan.of(net, 30, 0.05, 0, None, frame="lab")
    dims = np.diff(plan.bounds)
    x = np.random.default_rng(0).normal(size=int(dims.max())) + 0j
    out = np.empty_like(x)
    print("U psi in one sector of N = 3, n_basis = 30; CPU per product, median over rounds:")
    for k in (2, 3, 4, 6, 10, 15, 20, 30, 40, 60):
        d, o = int(dims[k]), int(plan.off2[k])
        n = max(20, int(3e7 // d**2))
        times = {"production": [], "loop": []}
        for _ in range(rounds):
            for name, f in (("production", _matvec), ("loop", _matvec_loop)):
                f(plan.U[0], o, d, x, out)
                t0 = time.process_time()
                for _ in range(n):
                    f(plan.U[0], o, d, x, out)
                times[name].append((time.process_time() - t0) / n)
        ours, ref = np.median(times["production"]), np.median(times["loop"])
        print(f"  k = {k:2d} quanta, d = {d:4d}: production {ours * 1e6:8.2f} us, loop {ref * 1e6:8.2f} us: ", end="")
        print(f"{ref / ours:.2f}x")


def part5(t_average: float):
    from powergrid.quantum_trajectories import DEFAULT_DT, DEFAULT_LEVELS, _Plan, run_trajectories

    print(f"extra-quantum-N3 points (16 trajectories, t_average = {t_average:g}/g), real frame against lab frame:")
    total = {"auto": 0.0, "lab": 0.0}
    for n0, gamma_e, nb in ((1.0, 0.5, 26), (2.0, 1.0, 30), (2.0, 5.0, 30)):
        net = Network.chain(3, 4.0, gamma_e, 0.1, n0=n0)
        cpu, plan_cpu, res = {}, {}, {}
        for frame in ("auto", "lab"):
            t0 = time.process_time()
            _Plan.of(net, nb, DEFAULT_DT, DEFAULT_LEVELS, None, frame)
            plan_cpu[frame] = time.process_time() - t0
            t0 = time.process_time()
            res[frame] = run_trajectories(
                net,
                nb,
                t_transient=50.0,
                t_average=t_average,
                n_traj=16,
                seed=np.random.SeedSequence(15),
                threads=1,
                frame=frame,
            )
            cpu[frame] = time.process_time() - t0
            total[frame] += cpu[frame]
        a, b = res["auto"], res["lab"]
        rel = max(
            float(np.max(np.abs(getattr(a, f) - getattr(b, f)) / np.abs(getattr(b, f))))
            for f in ("J_mean", "J_std", "occupation")
        )
        print(
            f"  n0 = {n0:g}, Gamma_e = {gamma_e:g}, n_basis = {nb}: propagators {plan_cpu['auto']:.1f} s against "
            f"{plan_cpu['lab']:.1f} s; point {cpu['auto']:.1f} s against {cpu['lab']:.1f} s: "
            f"{cpu['lab'] / cpu['auto']:.2f}x; same jumps: {np.array_equal(a.traj_jumps, b.traj_jumps)}, "
            f"<J>, Delta J, occupations equal to {rel:.1e} (relative)"
        )
    print(f"  all three: {total['auto']:.1f} s against {total['lab']:.1f} s: {total['lab'] / total['auto']:.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-basis", type=int, default=20)
    ap.add_argument("--t-mc", type=float, default=50.0)
    ap.add_argument("--n-mc", type=int, default=20)
    ap.add_argument("--t-n3", type=float, default=3000.0, help="t_average of the part-5 points (1/g)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip (1,2,3,4,5)")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    if "1" not in skip:
        part1(args.n_basis)
    if "2" not in skip:
        part2(args.n_basis, args.t_mc, args.n_mc)
    if "3" not in skip:
        part3()
    if "4" not in skip:
        part4()
    if "5" not in skip:
        part5(args.t_n3)


if __name__ == "__main__":
    main()
