"""How the cost of every solver grows with its size: fitted exponents p of cost ~ size^p.

Prints each number as it is measured, then one markdown table (docs/cost-scaling.md shows one run).
All times are CPU seconds of this process (time.process_time), one thread everywhere
(OMP/OpenBLAS/numba threads = 1, threads=1); each size is run ``--repeats`` times and the minimum
is kept. The exponents are least-squares fits of log cost against log size
(``powergrid.fits.fit_power_law``: exponent and its standard error) over all sizes, and over the
three largest ("last 3"), where fixed overheads matter least.

1. deterministic (powergrid.deterministic.steady_state): a chain (gain Gamma_i = 4 on site 1, loss
   Gamma_e = 2 on site N, gamma = 1e-3) and a square L x L lattice (same reservoirs on two opposite
   corners), from a seeded random start, integrated for a FIXED time t = T_DET = 2000/g (RK4,
   dt = 0.1): Newton is switched off (newton_trigger = 1e-300) and the window statistics are only
   compared at the end (t_settle = T_DET - 100, t_window = 100), so every size does exactly
   T_DET/dt RK4 steps (checked) and the cost per steady state is a cost per step. The last
   200/g also accumulate the window statistics. CPU per steady state and per RK4 site-step; plus
   the cost with the default options (Newton and window criterion on; the integrated time then
   differs from size to size and is printed).
2. SDE (powergrid.sde.run_ensemble): chains at the Fig. 3a parameters (Gamma_i = 4, Gamma_e = 8,
   gamma = 1e-3, N_th/n0 = 10, n0 = 100), 64 trajectories, one thread. The CPU time of single
   blocks of steps is read from the ``progress`` callback (so the start, the kernel load and the
   first block are not counted): a transient block (no observables) and an averaging block (J,
   J^2, |alpha|^2, Gbar accumulated every step, an O(N^2) transform to the sites). Then, at N = 6,
   the cost against trajectories per job (8 .. 128; the kernel advances LANES = 16 trajectories
   together). Floor: the CPU time of the very function the kernel calls to draw its increments
   (``sde._fill_three_point``: three-point increments from a xoshiro256** stream per lane, the
   default ``sde.DEFAULT_NOISE``), drawing the increments of 128 steps x 16 lanes for the network
   (2 per gain site + 2 per site with thermal noise), per site-step. ``--sde-compile`` also times
   the first call with an empty kernel cache (numba compiling the generated kernel) in a fresh
   subprocess per N (slow: ~4 min at N = 64).
3. quantum exact (powergrid.quantum.exact_steady_state): N = 2 chain, Gamma_i = 4, Gamma_e = 3,
   gamma = 0.1, n0 = 1, against n_basis; and N = 2, 3, 4 at n_basis = 6 (fitted against the number
   of unknowns, since it grows exponentially in N). Each solve runs in a fresh subprocess (after a
   warm-up solve that loads the compiled kernels): its CPU time, its peak RSS (VmHWM of
   /proc/self/status: getrusage's maxrss would start from the parent's peak, inherited at fork
   and kept across exec, and this process holds 2 GiB for a moment for the bandwidth test)
   and the increase of the peak over the RSS just before the solve, next to the solver's own
   estimate ``exact_memory_bytes`` (which includes 200 MB for the interpreter). Per iteration:
   (solve CPU - set-up CPU) / result.iterations (preconditioner applications), where the set-up
   (QuantumModel.of and the per-sector eigendecompositions, quantum._operators) is timed again
   separately in the same process. These chains run in the real frame (quantum docstring,
   "Solver"; the child reports the frame, and the floors below are the real frame's). Floor:
   BYTES_PER_UNKNOWN bytes per unknown and iteration (W, W^-1 and the tile coefficients, real,
   read in both block sweeps: 2 x 3 x 8 = 48; about ten passes over real vectors of the unknowns
   by BiCGSTAB and the Liouvillian: 80) over the streaming bandwidth measured in this run (the
   larger of numpy's sum of a 1 GiB array, bytes read, and its copy into another, bytes read +
   written); and, a second floor, the 16 sum_k dim(k)^3 flops of the block products per iteration
   (4 real products of dim(k) x dim(k) blocks per sector in each of the two sweeps) at the rate of
   a 256 x 256 real matrix product measured in this run.
4. quantum trajectories (powergrid.quantum_trajectories.run_trajectories): N = 2 with n0 = 1 and
   with n0 = n_basis/10 (the occupation grows with the box), N = 3 with n0 = 1; Gamma_i = 4,
   Gamma_e = 3, gamma = 0.1, 16 trajectories from the vacuum, dt = 0.05, levels = 5. CPU per
   trajectory-step of one averaging block (progress callback, after two transient blocks), and
   the set-up (per-sector propagators) as the CPU of a one-step run of one trajectory.

Usage: python benchmarks/cost_scaling.py [--quick] [--only deterministic|sde|quantum|trajectories]
       [--repeats 3] [--sde-compile]
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import datetime
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from powergrid.fits import fit_power_law
from powergrid.model import Network, Reservoir

PARTS = ("deterministic", "sde", "quantum", "trajectories")
T_DET = 2000.0  # fixed integration time of the deterministic per-step measurement (1/g)
BYTES_PER_UNKNOWN = 2 * 3 * 8 + 10 * 8  # per preconditioner application (real frame), see the module docstring
FLOPS_PER_DIM3 = 16  # real flops of block products per sum_k dim(k)^3 and application (real frame)
QUANTUM = dict(gamma_i=4.0, gamma_e=3.0, gamma=0.1, n0=1.0)


@dataclass
class Row:
    solver: str
    what: str
    axis: str
    sizes: list  # numbers the fit uses
    values: list  # seconds, bytes, ...
    unit: str  # "s", "ms", "us", "ns", "MiB"
    labels: list | None = None  # how the sizes are printed (default: the sizes)
    floor: list | None = None  # same unit as values
    notes: list = field(default_factory=list)


def scale(unit: str) -> float:
    return {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9, "MiB": 1 / 2**20}[unit]


def fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:.0f}"


def pm(p: float, dp: float) -> str:
    return "n/a" if not np.isfinite(p) else f"{p:.2f} ± {dp:.2f}"


def cpu() -> float:
    return time.process_time()


def say(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------
# machine


def dgemm_rate(d: int, repeats: int) -> float:
    """GFLOP/s of a real d x d matrix product (numpy/BLAS, one thread; 2 d^3 flops), best of repeats."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((d, d))
    b = a.copy()
    reps = max(1, int(1e9 / (2 * d**3)))
    best = np.inf
    for _ in range(repeats):
        t = cpu()
        for _ in range(reps):
            a @ b
        best = min(best, (cpu() - t) / reps)
    return 2 * d**3 / best / 1e9


def stream_bandwidth(n_bytes: int, repeats: int) -> dict:
    """GB/s of numpy's sum (reads n_bytes) and copy (reads and writes n_bytes each), best of repeats."""
    a = np.ones(n_bytes // 8)
    b = np.empty_like(a)
    b[:] = 0.0  # touch every page before timing
    t_sum, t_copy = [], []
    for _ in range(repeats):
        t = cpu()
        a.sum()
        t_sum.append(cpu() - t)
        t = cpu()
        np.copyto(b, a)
        t_copy.append(cpu() - t)
    return dict(sum=n_bytes / min(t_sum) / 1e9, copy=2 * n_bytes / min(t_copy) / 1e9)


# ---------------------------------------------------------------------------------------------
# 1. deterministic


def lattice(side: int, gamma_i: float, gamma_e: float, gamma: float) -> Network:
    """side x side square lattice, gain at one corner (site 0), loss at the opposite one."""

    def site(x, y):
        return x * side + y

    edges = [(site(x, y), site(x + 1, y)) for x in range(side - 1) for y in range(side)]
    edges += [(site(x, y), site(x, y + 1)) for x in range(side) for y in range(side - 1)]
    n = side * side
    return Network(
        n_sites=n, edges=tuple(edges), gain=(Reservoir(0, gamma_i),), loss=(Reservoir(n - 1, gamma_e),), gamma=gamma
    )


def deterministic(cfg, rows):
    from powergrid.deterministic import (
        SteadyStateOptions,
        _Compiled,
        max_linear_growth_rate,
        random_start,
        steady_state,
    )

    fixed = SteadyStateOptions(
        t_max=T_DET, t_settle=T_DET - 100.0, t_window=100.0, check_interval=50.0, newton_trigger=1e-300
    )
    n_steps = int(round(T_DET / fixed.dt))
    say(
        f"\n## 1. deterministic steady state: fixed length t = {T_DET:g}/g ({n_steps} RK4 steps, dt = {fixed.dt}), "
        f"Newton off; Gamma_i = 4, Gamma_e = 2, gamma = 1e-3; best of {cfg.repeats}"
    )
    families = {
        "chain": [(n, Network.chain(n, 4.0, 2.0, 1e-3)) for n in cfg.det_chain],
        "square lattice": [(s * s, lattice(s, 4.0, 2.0, 1e-3)) for s in cfg.det_sides],
    }
    for family, nets in families.items():
        per_solve, setup, per_step, default, labels = [], [], [], [], []
        for n, net in nets:
            start = random_start(net, np.random.default_rng(1), 1e-3)
            steady_state(net, start, fixed)  # compile / load the kernels
            times = []
            for _ in range(cfg.repeats):
                t = cpu()
                r = steady_state(net, start, fixed)
                times.append(cpu() - t)
            if r.t_final != T_DET or r.newton_solves:
                say(f"  WARNING: N = {n} stopped at t = {r.t_final} after {r.newton_solves} Newton solves")
            best = min(times)
            times = []
            for _ in range(cfg.repeats):  # what every call does before its first step
                t = cpu()
                max_linear_growth_rate(net)
                _Compiled.of(net)
                times.append(cpu() - t)
            setup.append(min(times))
            per_solve.append(best)
            per_step.append((best - setup[-1]) / (n_steps * n))
            times = []
            for _ in range(cfg.repeats):
                t = cpu()
                d = steady_state(net, start)
                times.append(cpu() - t)
            default.append(min(times))
            labels.append(f"{n}" if family == "chain" else f"{int(round(np.sqrt(n)))}²")
            say(
                f"  {family:14s} N = {n:4d} ({len(net.edges):3d} edges): {best * 1e3:8.2f} ms per steady state "
                f"(set-up {setup[-1] * 1e3:.2f} ms), {per_step[-1] * 1e9:6.1f} ns per RK4 site-step "
                f"(final state at t = {T_DET:g}: {r.kind}); "
                f"default options: {default[-1] * 1e3:8.2f} ms ({d.kind}, t = {d.t_final:g}/g, "
                f"{d.newton_solves} Newton solves)"
            )
        sizes = [n for n, _ in nets]
        rows.append(
            Row(
                "deterministic", f"{family}: CPU per steady state, t = {T_DET:g}/g", "N", sizes, per_solve, "ms", labels
            )
        )
        rows.append(
            Row(
                "deterministic",
                f"{family}: set-up per call (N x N eigenvalues of the linear network, CSR arrays)",
                "N",
                sizes,
                setup,
                "ms",
                labels,
            )
        )
        rows.append(
            Row(
                "deterministic", f"{family}: CPU per RK4 site-step (set-up removed)", "N", sizes, per_step, "ns", labels
            )
        )
        rows.append(
            Row(
                "deterministic",
                f"{family}: CPU per steady state, default options",
                "N",
                sizes,
                default,
                "ms",
                labels,
                notes=["the integrated time differs per size: progress lines"],
            )
        )


# ---------------------------------------------------------------------------------------------
# 2. SDE


def fig3a_chain(n: int) -> Network:
    return Network.chain(n, 4.0, 8.0, 1e-3, n0=100.0, n_th_over_n0=10.0)


def three_blocks(run, net, *args, dt, block, n_traj, seed):
    """Run ``run`` (run_ensemble or run_trajectories: two transient blocks of ``block`` steps, one
    averaging block) and return the CPU at the end of each block, from its progress callback."""
    marks = []
    result = run(
        net,
        *args,
        dt=dt,
        t_transient=2 * block * dt,
        t_average=block * dt,
        n_traj=n_traj,
        seed=np.random.SeedSequence(seed),
        threads=1,
        block_steps=block,
        progress=lambda _: marks.append(cpu()),
    )
    assert len(marks) == 3, marks
    return marks, result


def sde_blocks(net, n_traj, block, seed):
    """CPU of the second transient block and of the averaging block (each ``block`` steps)."""
    from powergrid.sde import DEFAULT_DT, run_ensemble

    marks, _ = three_blocks(run_ensemble, net, dt=DEFAULT_DT, block=block, n_traj=n_traj, seed=seed)
    return marks[1] - marks[0], marks[2] - marks[1]


_DRAW = None


def increments_floor(net, repeats, calls=200) -> float:
    """CPU per site-step of drawing the kernel's increments with the kernel's own fill
    (sde._fill_three_point, the default noise), called from compiled code as the kernel calls it:
    ``calls`` blocks of ZBLOCK steps x LANES lanes into a buffer of the kernel's size."""
    global _DRAW
    from numba import njit

    from powergrid import sde

    assert sde.DEFAULT_NOISE == "three-point", sde.DEFAULT_NOISE
    if _DRAW is None:
        fill = sde._fill_three_point

        @njit(nogil=True)
        def draw(state, z, count, calls):
            for _ in range(calls):
                fill(state, z, count)

        _DRAW = draw
    q = sde.Scheme.of(net, sde.DEFAULT_DT).n_normals
    state = np.stack([sde.three_point_stream(np.random.default_rng(k)) for k in range(sde.LANES)], axis=1)
    z = np.zeros(sde.ZBLOCK * q * sde.LANES)
    _DRAW(state, z, sde.ZBLOCK * q, 1)  # compile
    best = np.inf
    for _ in range(repeats):
        t = cpu()
        _DRAW(state, z, sde.ZBLOCK * q, calls)
        best = min(best, cpu() - t)
    return best / (calls * sde.ZBLOCK * sde.LANES * net.n_sites)


COMPILE_CHILD = r"""
import sys, time
import numpy as np
from powergrid.model import Network
from powergrid.sde import run_ensemble
n = int(sys.argv[1])
net = Network.chain(n, 4.0, 8.0, 1e-3, n0=100.0, n_th_over_n0=10.0)
t = time.process_time()
run_ensemble(net, t_transient=0.0, t_average=0.01, n_traj=1, seed=np.random.SeedSequence(0), threads=1)
print(time.process_time() - t)
"""


def sde_part(cfg, rows):
    from powergrid import sde

    block, n_traj = cfg.sde_block, 64
    say(
        f"\n## 2. SDE: Fig. 3a chain (Gamma_i = 4, Gamma_e = 8, gamma = 1e-3, N_th/n0 = 10, n0 = 100), dt = "
        f"{sde.DEFAULT_DT}, {n_traj} trajectories, 1 thread, blocks of {block} steps; best of {cfg.repeats}"
    )
    say(f"   increments: {sde.NOISES[sde.DEFAULT_NOISE]}")
    tr, av, floor = [], [], []
    for n in cfg.sde_n:
        net = fig3a_chain(n)
        t = time.perf_counter()
        sde.run_ensemble(net, t_transient=0.0, t_average=0.01, n_traj=1, seed=np.random.SeedSequence(0), threads=1)
        first = time.perf_counter() - t
        res = [sde_blocks(net, n_traj, block, k) for k in range(cfg.repeats)]
        norm = block * n_traj * n
        tr.append(min(r[0] for r in res) / norm)
        av.append(min(r[1] for r in res) / norm)
        floor.append(increments_floor(net, cfg.repeats))
        q = sde.Scheme.of(net, sde.DEFAULT_DT).n_normals
        say(
            f"  N = {n:3d}: transient {tr[-1] * 1e9:6.2f} ns, averaging {av[-1] * 1e9:6.2f} ns per site-step; "
            f"increments floor {floor[-1] * 1e9:5.2f} ns ({q} increments per step = {q / n:.2f} per site-step); "
            f"first call (kernel load, or compile if not cached) {first:.2f} s wall"
        )
    rows.append(Row("SDE", "CPU per site-step, transient steps", "N", cfg.sde_n, tr, "ns", floor=floor))
    rows.append(Row("SDE", "CPU per site-step, averaging steps", "N", cfg.sde_n, av, "ns", floor=floor))

    net = fig3a_chain(6)
    f6 = increments_floor(net, cfg.repeats)
    per, total = [], []
    for m in cfg.sde_traj:
        res = [sde_blocks(net, m, block, k) for k in range(cfg.repeats)]
        best = min(r[1] for r in res)
        per.append(best / (block * m * 6))
        total.append(best)
        say(
            f"  N = 6, {m:4d} trajectories: {per[-1] * 1e9:6.2f} ns per site-step (averaging), "
            f"{best * 1e3:7.1f} ms per block of {block} steps; floor {f6 * 1e9:.2f} ns"
        )
    rows.append(
        Row(
            "SDE",
            "N = 6: CPU per site-step (averaging)",
            "trajectories per job",
            cfg.sde_traj,
            per,
            "ns",
            floor=[f6] * len(per),
            notes=["LANES = 16: fewer than 16 trajectories still compute 16 lanes"],
        )
    )

    if cfg.sde_compile:
        say("  cold-cache compile (fresh subprocess, empty POWERGRID_KERNEL_DIR), CPU of the first run_ensemble call:")
        comp = []
        for n in cfg.sde_n:
            with tempfile.TemporaryDirectory() as d:
                env = {**os.environ, "POWERGRID_KERNEL_DIR": d}
                out = subprocess.run(
                    [sys.executable, "-c", COMPILE_CHILD, str(n)], env=env, capture_output=True, text=True, check=True
                )
            comp.append(float(out.stdout.strip().splitlines()[-1]))
            say(f"  N = {n:3d}: {comp[-1]:7.1f} s")
        rows.append(Row("SDE", "CPU of the kernel compile (cold cache)", "N", cfg.sde_n, comp, "s"))


# ---------------------------------------------------------------------------------------------
# 3. quantum exact

QUANTUM_CHILD = r"""
import json, sys, time
from powergrid.model import Network
from powergrid import quantum
n, nb = int(sys.argv[1]), int(sys.argv[2])
p = json.loads(sys.argv[3])
net = Network.chain(n, p["gamma_i"], p["gamma_e"], p["gamma"], n0=p["n0"])
quantum.exact_steady_state(net, 3)  # load the compiled kernels
def status(key):  # bytes
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
base = status("VmRSS")
t = time.process_time()
r = quantum.exact_steady_state(net, nb)
cpu = time.process_time() - t
peak = status("VmHWM")  # peak RSS of this process (getrusage's maxrss starts at the parent's at fork)
try:  # the set-up alone: the model and the per-sector eigendecompositions (private functions)
    t = time.process_time()
    quantum._operators(quantum.QuantumModel.of(net, nb))
    setup = time.process_time() - t
except Exception:
    setup = float("nan")
print(json.dumps(dict(cpu=cpu, setup=setup, iterations=r.iterations, unknowns=r.unknowns, solver=r.solver,
                      frame=r.frame, base=base, peak=peak, estimate=quantum.exact_memory_bytes(n, nb),
                      leak=float(max(r.leak)))))
"""


def quantum_child(n: int, nb: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", QUANTUM_CHILD, str(n), str(nb), json.dumps(QUANTUM)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def quantum_part(cfg, rows, bandwidth, gflops):
    from powergrid.quantum import sector_dims

    say(
        f"\n## 3. quantum exact steady state: {QUANTUM}, one fresh subprocess per solve, best of "
        f"{cfg.q_repeats}; floors: {BYTES_PER_UNKNOWN} bytes per unknown and iteration at {bandwidth:.1f} GB/s; "
        f"{FLOPS_PER_DIM3} sum_k dim(k)^3 flops per iteration at {gflops:.1f} GFLOP/s (real frame)"
    )
    for label, points in (
        ("N = 2", [(2, nb) for nb in cfg.q_nbasis]),
        (f"n_basis = {cfg.q_sites_nbasis}", [(n, cfg.q_sites_nbasis) for n in cfg.q_sites]),
    ):
        res = []
        for n, nb in points:
            runs = [quantum_child(n, nb) for _ in range(cfg.q_repeats)]
            r = min(runs, key=lambda x: x["cpu"])
            r["inc"] = min(max(x["peak"] - x["base"], 0) for x in runs)
            r["per_it"] = (r["cpu"] - r["setup"]) / r["iterations"]
            r["floor"] = BYTES_PER_UNKNOWN * r["unknowns"] / (bandwidth * 1e9)
            if r["frame"] != "real":
                raise RuntimeError(f"N = {n}, n_basis = {nb} ran in the {r['frame']} frame, not the real one")
            r["flops"] = FLOPS_PER_DIM3 * float(np.sum(sector_dims(n, nb).astype(float) ** 3))
            r["floor_c"] = r["flops"] / (gflops * 1e9)
            res.append(r)
            say(
                f"  N = {n}, n_basis = {nb:3d}: {r['unknowns']:8d} unknowns, {r['cpu']:7.3f} s CPU "
                f"(set-up {r['setup']:.3f} s), {r['iterations']} iterations ({r['solver']}), "
                f"{r['per_it'] * 1e3:8.3f} ms per iteration (floor {r['floor'] * 1e3:.3f} ms, "
                f"x{r['per_it'] / r['floor']:.0f}; compute floor {r['floor_c'] * 1e3:.3f} ms, "
                f"x{r['per_it'] / r['floor_c']:.1f}); peak RSS {r['peak'] / 2**20:6.1f} MiB "
                f"(+{r['inc'] / 2**20:.1f} MiB over {r['base'] / 2**20:.0f} MiB before the solve; "
                f"estimate {r['estimate'] / 2**20:.0f} MiB); leak {r['leak']:.1e}"
            )
        if label == "N = 2":
            axis, sizes, labels = "n_basis (N = 2)", [nb for _, nb in points], None
        else:
            axis, sizes = (
                f"unknowns (N = {', '.join(str(n) for n, _ in points)}; {label})",
                [r["unknowns"] for r in res],
            )
            labels = [f"{r['unknowns']} (N={n})" for r, (n, _) in zip(res, points)]
        its = f"iterations {', '.join(str(r['iterations']) for r in res)}"
        rows.append(
            Row("quantum exact", "CPU per solve", axis, sizes, [r["cpu"] for r in res], "s", labels, notes=[its])
        )
        rows.append(
            Row(
                "quantum exact",
                "CPU per iteration (set-up removed), against the memory-traffic floor",
                axis,
                sizes,
                [r["per_it"] for r in res],
                "ms",
                labels,
                floor=[r["floor"] for r in res],
                notes=[f"set-up {', '.join(fmt(r['setup']) for r in res)} s"],
            )
        )
        rows.append(
            Row(
                "quantum exact",
                "CPU per iteration (set-up removed), against the compute floor",
                axis,
                sizes,
                [r["per_it"] for r in res],
                "ms",
                labels,
                floor=[r["floor_c"] for r in res],
                notes=[f"{FLOPS_PER_DIM3} sum_k dim(k)^3 flops of real block products at the measured product rate"],
            )
        )
        rows.append(
            Row(
                "quantum exact",
                "peak RSS increase during the solve",
                axis,
                sizes,
                [r["inc"] for r in res],
                "MiB",
                labels,
                notes=[
                    f"peak RSS {', '.join(fmt(r['peak'] / 2**20) for r in res)} MiB; "
                    f"exact_memory_bytes {', '.join(fmt(r['estimate'] / 2**20) for r in res)} MiB"
                ],
            )
        )
        if label == "N = 2":
            rows.append(
                Row("quantum exact", "unknowns (sum_k dim(k)^2)", axis, sizes, [r["unknowns"] for r in res], "count")
            )


# ---------------------------------------------------------------------------------------------
# 4. quantum trajectories


def traj_block(net, nb, block, n_traj, seed):
    from powergrid.quantum_trajectories import DEFAULT_DT, run_trajectories

    marks, r = three_blocks(run_trajectories, net, nb, dt=DEFAULT_DT, block=block, n_traj=n_traj, seed=seed)
    return marks[2] - marks[1], r


def traj_setup(net, nb):
    from powergrid.quantum_trajectories import DEFAULT_DT, run_trajectories

    t = cpu()
    run_trajectories(
        net, nb, t_transient=0.0, t_average=DEFAULT_DT, n_traj=1, seed=np.random.SeedSequence(0), threads=1
    )
    return cpu() - t


def trajectories_part(cfg, rows):
    from powergrid.quantum_trajectories import DEFAULT_DT, DEFAULT_LEVELS

    block, n_traj = cfg.traj_block, 16
    say(
        f"\n## 4. quantum trajectories: Gamma_i = 4, Gamma_e = 3, gamma = 0.1, {n_traj} trajectories from the vacuum, "
        f"dt = {DEFAULT_DT}, levels = {DEFAULT_LEVELS}; one averaging block of {block} steps after two transient "
        f"blocks; best of {cfg.repeats}"
    )
    cases = [
        ("N = 2, n0 = 1", 2, cfg.traj_nbasis2, lambda nb: 1.0),
        ("N = 2, n0 = n_basis/10", 2, cfg.traj_nbasis2, lambda nb: nb / 10.0),
        ("N = 3, n0 = 1", 3, cfg.traj_nbasis3, lambda nb: 1.0),
    ]
    for label, n, nbs, n0_of in cases:
        per, setup, occ = [], [], []
        for nb in nbs:
            net = Network.chain(n, 4.0, 3.0, 0.1, n0=n0_of(nb))
            traj_setup(net, 4)  # compile / load
            setup.append(min(traj_setup(net, nb) for _ in range(cfg.repeats)))
            res = [traj_block(net, nb, block, n_traj, k) for k in range(cfg.repeats)]
            best, r = min(res, key=lambda x: x[0])
            per.append(best / (block * n_traj))
            quanta = r.occupation * net.n0
            occ.append(float(quanta.sum()))
            jumps = r.traj_jumps.sum(axis=1).mean() / (r.t_transient + r.t_average)
            say(
                f"  {label:22s} n_basis = {nb:3d}: {per[-1] * 1e6:7.3f} us per trajectory-step; set-up "
                f"{setup[-1] * 1e3:8.2f} ms; <n> = {np.array2string(quanta, precision=2)} quanta, "
                f"{jumps:.2f} jumps per 1/g, leak {float(np.max(r.leak)):.1e}"
            )
        tot = ", ".join(fmt(o) for o in occ)
        rows.append(
            Row(
                "quantum trajectories",
                f"{label}: CPU per trajectory-step",
                "n_basis",
                list(nbs),
                per,
                "us",
                notes=[f"total <n> = {tot} quanta"],
            )
        )
        if label != "N = 2, n0 = n_basis/10":
            rows.append(
                Row("quantum trajectories", f"{label}: set-up (propagators)", "n_basis", list(nbs), setup, "ms")
            )


# ---------------------------------------------------------------------------------------------
# table


def table(rows) -> str:
    head = (
        "| solver | measured cost | size axis | sizes | measured | p ± error (all sizes) | p (last 3) "
        "| floor | measured / floor |"
    )
    out = [head, "|" + " --- |" * 9]
    for r in rows:
        s = 1.0 if r.unit == "count" else scale(r.unit)
        unit = "" if r.unit == "count" else f" {r.unit}"
        labels = r.labels or [str(x) for x in r.sizes]
        p, dp, p3, dp3 = (np.nan,) * 4
        if min(r.values) > 0:  # a zero (e.g. no measurable memory increase) has no logarithm
            p, dp, _ = fit_power_law(r.sizes, r.values)
            p3, dp3, _ = fit_power_law(r.sizes[-3:], r.values[-3:])
        floor = ratio = "—"
        if r.floor is not None:
            floor = ", ".join(fmt(f * s) for f in r.floor) + unit
            ratio = ", ".join(fmt(v / f) for v, f in zip(r.values, r.floor))
        what = r.what + (f" ({'; '.join(r.notes)})" if r.notes else "")
        out.append(
            f"| {r.solver} | {what} | {r.axis} | {', '.join(labels)} | "
            f"{', '.join(fmt(v * s) for v in r.values)}{unit} | {pm(p, dp)} | {pm(p3, dp3)} | "
            f"{floor} | {ratio} |"
        )
    return "\n".join(out)


def config(args):
    quick = args.quick
    c = argparse.Namespace(
        repeats=args.repeats or (1 if quick else 3),
        q_repeats=args.repeats or (1 if quick else 2),
        det_chain=[4, 8, 16] if quick else [4, 8, 16, 32, 64, 128, 256],
        det_sides=[2, 3, 4] if quick else [2, 3, 4, 6, 8, 11, 16],
        sde_n=[4, 6, 8] if quick else [4, 8, 16, 32, 64],
        sde_traj=[8, 16, 32] if quick else [8, 16, 32, 64, 128],
        sde_block=500 if quick else 2000,
        sde_compile=args.sde_compile,
        q_nbasis=[10, 14, 20] if quick else [20, 30, 40, 60, 80, 120],
        q_sites_nbasis=4 if quick else 6,
        q_sites=[2, 3, 4],
        traj_block=500 if quick else 4000,
        traj_nbasis2=[10, 20, 40] if quick else [10, 20, 40, 80, 160],
        traj_nbasis3=[4, 6, 8] if quick else [6, 8, 10, 12, 16],
        bw_bytes=2**29 if quick else 2**30,
        gemm_d=128 if quick else 256,
    )
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (< 1 min): a check that it runs")
    ap.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable)")
    ap.add_argument("--repeats", type=int, default=None, help="repeats per size (default 3; 2 for quantum exact)")
    ap.add_argument("--sde-compile", action="store_true", help="also time the SDE kernel compile with a cold cache")
    args = ap.parse_args()
    cfg = config(args)
    parts = args.only or PARTS
    wall0, cpu0 = time.perf_counter(), cpu()
    import numba

    say(
        f"# cost scaling, {datetime.datetime.now().isoformat(timespec='seconds')}, {platform.node()}: "
        f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; numpy {np.__version__}, numba {numba.__version__}; "
        f"one thread"
    )
    bw = stream_bandwidth(cfg.bw_bytes, cfg.repeats)
    bw_cache = stream_bandwidth(2**25, cfg.repeats)
    flops = dgemm_rate(cfg.gemm_d, cfg.repeats)
    say(
        f"streaming bandwidth ({cfg.bw_bytes / 2**30:g} GiB arrays): sum {bw['sum']:.1f} GB/s, copy "
        f"{bw['copy']:.1f} GB/s (read + write); 32 MiB arrays: sum {bw_cache['sum']:.1f} GB/s, "
        f"copy {bw_cache['copy']:.1f} GB/s; real matrix product {cfg.gemm_d} x {cfg.gemm_d}: {flops:.1f} GFLOP/s"
    )
    rows: list[Row] = []
    if "deterministic" in parts:
        deterministic(cfg, rows)
    if "sde" in parts:
        sde_part(cfg, rows)
    if "quantum" in parts:
        quantum_part(cfg, rows, max(bw["sum"], bw["copy"]), flops)
    if "trajectories" in parts:
        trajectories_part(cfg, rows)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    say(
        f"\n## table (p: cost ~ size^p, least squares of log cost on log size; streaming bandwidth "
        f"{max(bw['sum'], bw['copy']):.1f} GB/s, real matrix products {flops:.1f} GFLOP/s)\n"
    )
    say(table(rows))
    say(
        f"\ntotal: {time.perf_counter() - wall0:.0f} s wall, {cpu() - cpu0:.0f} s CPU here + "
        f"{children.ru_utime + children.ru_stime:.0f} s CPU in subprocesses; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
