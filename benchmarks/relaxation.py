"""Relaxation times (Fig. 3c): the co-rotating integrator against the lab-frame code it replaced.

Usage: python benchmarks/relaxation.py [--every 8]

On every ``every``-th Gamma_e of the fig3c grid, N = 4, 6, 8 and both kick directions (the
pipeline's own points and seeds), tau_r is computed three ways:
  - production: ``powergrid.relaxation.relaxation_time`` (RK4 step 0.05 in the frame co-rotating
    with the fixed point, passages on the 0.01 grid by Hermite interpolation);
  - reference: the code it replaced, kept here verbatim: RK4 in the lab frame, step = grid = 0.01;
  - converged: the reference at step 0.005 (rotating states only, where the step matters).
Prints the CPU time of production and reference (one process, same run) and their ratio, and the
largest relative tau_r differences, per kind of state.
"""

import argparse
import functools
import math
import time

import numpy as np
import yaml
from numba import njit

from powergrid import deterministic
from powergrid.deterministic import _Compiled, _rk4_steps, rk4_work
from powergrid.network_spec import network_from_spec
from powergrid.parameters import apply_parameter, axis_values, point_seed
from powergrid.relaxation import RelaxationOptions, _quiet, kicked_state, relaxation_time

print = functools.partial(print, flush=True)  # progress of a long run

ap = argparse.ArgumentParser()
ap.add_argument("--every", type=int, default=8, help="take every n-th Gamma_e of the fig3c grid")
args = ap.parse_args()


@njit(cache=True)
def _last_above_lab(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, site, ref, hi, lo, t0, t_hi, t_lo):
    """The replaced kernel: lab-frame RK4, the deviation checked after every step."""
    k1, k2, k3, k4, tmp = rk4_work(a.shape[0])
    for step in range(n_steps):
        _rk4_steps(a, diag, indptr, indices, rate, n0r, nu, dt, 1, k1, k2, k3, k4, tmp)
        dev = abs(a[site].real * a[site].real + a[site].imag * a[site].imag - ref)
        if dev > lo:
            t_lo = t0 + (step + 1) * dt
            if dev > hi:
                t_hi = t0 + (step + 1) * dt
    return t_hi, t_lo


def tau_lab(net, steady, direction, options: RelaxationOptions, dt: float) -> float:
    """The replaced relaxation_time (its tau only)."""
    site = net.gain[0].site
    comp = _Compiled.of(net)
    ref = abs(steady.alpha[site]) ** 2
    a = kicked_state(steady.alpha, site, options.kick, direction)
    n_chunk = max(1, int(round(options.chunk / dt)))
    t, t_hi, t_lo = 0.0, 0.0, 0.0
    while t < options.t_max:
        t_hi, t_lo = _last_above_lab(a, *comp.args(), dt, n_chunk, site, ref, options.hi, options.lo, t, t_hi, t_lo)
        t += n_chunk * dt
        if _quiet(t, t_hi, t_lo, options):
            break
    return (t_lo - t_hi) / math.log(options.hi / options.lo) if _quiet(t, t_hi, t_lo, options) else float("nan")


config = yaml.safe_load(open("config.yaml"))
section = config["datasets"]["fig3c"]
solver = deterministic.SteadyStateOptions(**{k: float(v) for k, v in config["solver"].items()})
options = RelaxationOptions(kick=float(section["kick"]), **{k: float(v) for k, v in config["relaxation"].items()})
base = network_from_spec(section["network"])
outer, inner = axis_values(section["outer"]), axis_values(section["inner"])

rows = []
for i in range(0, len(outer), args.every):
    for j, n in enumerate(inner):
        net = apply_parameter(apply_parameter(base, "gamma_e", outer[i]), "n_sites", n)
        rng = np.random.default_rng(point_seed(config["seed"], "fig3c", i, j))
        steady = deterministic.steady_state(net, deterministic.random_start(net, rng, solver.start_amplitude), solver)
        if steady.kind in ("stationary", "rotating"):
            rows += [(outer[i], int(n), d, net, steady) for d in section["directions"]]
print(f"{len(rows)} relaxations (every {args.every}th Gamma_e of fig3c, N = 4, 6, 8, both kicks)", flush=True)

relaxation_time(rows[0][3], rows[0][4], rows[0][2], options)  # compile both kernels outside the timing
tau_lab(rows[0][3], rows[0][4], rows[0][2], options, options.dt)
cpu = {"production": 0.0, "reference": 0.0}
table = []
for ge, n, d, net, steady in rows:
    t0 = time.process_time()
    new = relaxation_time(net, steady, d, options).tau
    t1 = time.process_time()
    old = tau_lab(net, steady, d, options, options.dt)
    t2 = time.process_time()
    cpu["production"] += t1 - t0
    cpu["reference"] += t2 - t1
    converged = tau_lab(net, steady, d, options, options.dt / 2) if steady.kind == "rotating" else float("nan")
    table.append((ge, n, d, steady.kind, new, old, converged))
    print(f"  Gamma_e = {ge:6.3f}  N = {n}  {d:10s} {steady.kind:10s} tau_r = {new:10.3f} (reference {old:10.3f})")

print(
    f"\nCPU: production {cpu['production']:.1f} s, reference {cpu['reference']:.1f} s: "
    f"{cpu['reference'] / cpu['production']:.1f}x faster"
)
for kind in ("stationary", "rotating"):
    sel = [r for r in table if r[3] == kind]
    if not sel:
        continue
    rel = np.array([abs(r[4] - r[5]) / r[5] for r in sel])
    print(
        f"{kind:10s} ({len(sel)} rows): max |production - reference|/reference = {rel.max():.2e}, "
        f"median {np.median(rel):.1e}, rows above 0.5 %: {int(np.sum(rel > 5e-3))}"
    )
    if kind == "rotating":
        for name, col in (("production", 4), ("reference", 5)):
            err = np.array([abs(r[col] - r[6]) / r[6] for r in sel])
            print(
                f"           {name} against the reference at step {options.dt / 2:g}: max {err.max():.2e}, "
                f"median {np.median(err):.1e}"
            )
