"""Benchmark of the deterministic steady-state solver (issue: foundation, section 6).

Prints, from one run on this machine:
  1. cost per steady state of powergrid.deterministic.steady_state against scipy's solve_ivp
     (DOP853) integrating the same equations from the same start to the same accuracy (the
     reference stops when |d alpha/dt + i omega alpha| of its final state is as small as ours);
  2. the wall time of the default Fig. 2a grid computed the way the workflow does (chunks of
     outer values in parallel processes), unless --no-grid;
  3. with --kernel only: CPU per RK4 step of the production kernel against the kernel it replaced
     (the saturation f^2 by pow(), kept below as the reference), for nu = 1, 2, 3.
Usage: python benchmarks/steady_state.py [--points 4] [--no-grid] [--cores 2] [--set window_tol=0.03 ...]
       python benchmarks/steady_state.py --kernel
"""

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import yaml
from numba import njit
from scipy.integrate import solve_ivp

from powergrid.deterministic import _Compiled, _rk4_steps, random_start, rk4_work, steady_state
from powergrid.methods import steady_state as steady_state_method
from powergrid.model import Network
from powergrid.parameters import axis_values, chunks
from powergrid.runner import job_frames

ROOT = Path(__file__).resolve().parents[1]


def reference(net, start, target_residual, omega):
    """solve_ivp(DOP853) until the state is a fixed point to the same residual (checked every 100/g)."""
    comp = _Compiled.of(net)
    y, t, t_chunk = start.copy(), 0.0, 100.0
    while t < 1e6:
        sol = solve_ivp(lambda _, a: comp.rhs(a), (0, t_chunk), y, method="DOP853", rtol=1e-12, atol=1e-12)
        y, t = sol.y[:, -1], t + t_chunk
        res = comp.rhs(y) + 1j * omega * y
        if np.max(np.abs(res)) <= max(target_residual, 1e-12) * max(1.0, np.max(np.abs(y))):
            return t
    return t


def per_point(n_points):
    rng = np.random.default_rng(0)
    rows = []
    for gi, ge in [(4.0, 8.0), (2.0, 3.0), (4.0, 2.0), (6.0, 9.0), (4.0, 1.0), (3.0, 6.0)][:n_points]:
        net = Network.chain(10, gi, ge, 1e-3)
        start = random_start(net, rng, 1e-3)
        steady_state(net, start)  # compile / warm up
        t0 = time.perf_counter()
        r = steady_state(net, start)
        ours = time.perf_counter() - t0
        if r.kind not in ("stationary", "rotating"):
            continue
        t0 = time.perf_counter()
        t_ref = reference(net, start, r.residual, r.omega)
        ref = time.perf_counter() - t0
        rows.append((gi, ge, r.kind, ours, ref, t_ref))
        print(
            f"  Gi={gi:4.1f} Ge={ge:4.1f} {r.kind:10s} ours {ours * 1e3:7.2f} ms   solve_ivp(DOP853) "
            f"{ref:7.2f} s (t = {t_ref:.0f}/g)   ratio {ref / ours:8.0f}x",
            flush=True,
        )
    ratios = [r[4] / r[3] for r in rows]
    print(
        f"per steady state: median speed-up over solve_ivp(DOP853) {np.median(ratios):.0f}x "
        f"(min {np.min(ratios):.0f}x) over {len(rows)} points"
    )


@njit(cache=True)
def _rhs_pow(a, diag, indptr, indices, rate, n0r, nu, out):
    """The right-hand side before 2026-12-06: f^2 by pow() for every nu (the reference)."""
    n = a.shape[0]
    for l in range(n):
        s = 0j
        for p in range(indptr[l], indptr[l + 1]):
            s += a[indices[p]]
        r = diag[l]
        if rate[l] != 0.0:
            x = a[l].real * a[l].real + a[l].imag * a[l].imag
            r += 0.5 * rate[l] * (1.0 + x / n0r[l]) ** (-nu)
        out[l] = r * a[l] + 0.5j * s


@njit(cache=True)
def _rk4_steps_pow(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, k1, k2, k3, k4, tmp):
    """deterministic._rk4_steps with _rhs_pow."""
    n = a.shape[0]
    for _ in range(n_steps):
        _rhs_pow(a, diag, indptr, indices, rate, n0r, nu, k1)
        for l in range(n):
            tmp[l] = a[l] + 0.5 * dt * k1[l]
        _rhs_pow(tmp, diag, indptr, indices, rate, n0r, nu, k2)
        for l in range(n):
            tmp[l] = a[l] + 0.5 * dt * k2[l]
        _rhs_pow(tmp, diag, indptr, indices, rate, n0r, nu, k3)
        for l in range(n):
            tmp[l] = a[l] + dt * k3[l]
        _rhs_pow(tmp, diag, indptr, indices, rate, n0r, nu, k4)
        for l in range(n):
            a[l] += dt / 6.0 * (k1[l] + 2.0 * k2[l] + 2.0 * k3[l] + k4[l])


def kernel(rounds=3, steps=200_000):
    """CPU per RK4 step, production against the pow() reference, interleaved rounds; and how far
    the two trajectories are apart after ``steps`` steps (rounding only)."""
    print("CPU per RK4 step (dt = 0.1/g), one thread; min / median over rounds:")
    for n_sites, nu, ge in [(10, 2.0, 3.0), (10, 1.0, 3.0), (10, 3.0, 3.0), (6, 2.0, 3.0)]:
        net = Network.chain(n_sites, 4.0, ge, 1e-3, nu=nu)
        comp = _Compiled.of(net)
        start = random_start(net, np.random.default_rng(0), 1.0)
        times = {"production": [], "pow (reference)": []}
        ends = {}
        for _ in range(rounds):
            for name, f in (("production", _rk4_steps), ("pow (reference)", _rk4_steps_pow)):
                a = start.copy()
                f(a, *comp.args(), 0.1, 10, *rk4_work(n_sites))  # compile / warm up
                a = start.copy()
                t0 = time.process_time()
                f(a, *comp.args(), 0.1, steps, *rk4_work(n_sites))
                times[name].append((time.process_time() - t0) / steps)
                ends[name] = a
        ours, ref = (np.array(times[k]) * 1e9 for k in times)
        gap = np.max(np.abs(ends["production"] - ends["pow (reference)"])) / np.max(np.abs(ends["production"]))
        print(
            f"  N = {n_sites:2d}, nu = {nu:g}: production {ours.min():.0f} / {np.median(ours):.0f} ns, "
            f"pow {ref.min():.0f} / {np.median(ref):.0f} ns: {np.median(ref) / np.median(ours):.2f}x; "
            f"states after t = {0.1 * steps:g}/g differ by {gap:.1e} (relative)"
        )


def _chunk(spec):
    sites = job_frames(steady_state_method, spec)["sites"]
    return sites.drop_duplicates(["outer_index", "inner_index", "protocol"])["kind"].value_counts().to_dict()


def grid(cores, overrides):
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    d = cfg["datasets"]["fig2a"]
    spec = {
        **d,
        "dataset": "fig2a",
        "solver": {**cfg["solver"], **overrides},
        "seed": cfg["seed"],
        "outer": {"name": d["outer"]["name"], "values": axis_values(d["outer"])},
        "inner": {"name": d["inner"]["name"], "values": axis_values(d["inner"])},
    }
    n_outer, n_inner = len(spec["outer"]["values"]), len(spec["inner"]["values"])
    jobs = [{**spec, "outer_indices": c} for c in chunks(n_outer, cfg["chunk_size"])]
    t0 = time.perf_counter()
    kinds = {}
    with ProcessPoolExecutor(cores) as pool:
        for k in pool.map(_chunk, jobs):
            for key, v in k.items():
                kinds[key] = kinds.get(key, 0) + v
    wall = time.perf_counter() - t0
    print(
        f"default Fig. 2a grid: {n_outer} x {n_inner} = {n_outer * n_inner} points, N = "
        f"{d['network']['n_sites']}, {len(jobs)} jobs on {cores} cores: {wall:.0f} s wall "
        f"({wall / 60:.1f} min; target <= 5 min); {1e3 * wall * cores / (n_outer * n_inner):.1f} ms CPU per point"
    )
    print(f"attractors: {kinds}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=4)
    ap.add_argument("--no-grid", action="store_true")
    ap.add_argument("--kernel", action="store_true", help="only the RK4 kernel against its pow() reference")
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="OPTION=VALUE",
        help="override solver options of config.yaml for the grid, e.g. window_tol=0.03",
    )
    args = ap.parse_args()
    if args.kernel:
        kernel()
        raise SystemExit
    if args.points:
        per_point(args.points)
    if not args.no_grid:
        grid(args.cores, {k: float(v) for k, v in (o.split("=") for o in args.set)})
