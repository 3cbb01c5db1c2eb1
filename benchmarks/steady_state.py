"""Benchmark of the deterministic steady-state solver (issue: foundation, section 6).

Prints, from one run on this machine:
  1. cost per steady state of powergrid.deterministic.steady_state against scipy's solve_ivp
     (DOP853) integrating the same equations from the same start to the same accuracy (the
     reference stops when |d alpha/dt + i omega alpha| of its final state is as small as ours);
  2. the wall time of the default Fig. 2a grid computed the way the workflow does (chunks of
     outer values in parallel processes), unless --no-grid;
  3. with --kernel only: CPU per RK4 step of the production kernel against the kernel it replaced
     (the saturation f^2 by pow(), Python's error model; kept below as the reference), for
     nu = 1, 2, 3; then CPU per steady state on random points of the Fig. 2a plane, production
     against the solver before 2026-12-06 (that kernel and the Newton solve in numpy, also kept
     below), in one process, interleaved;
  4. with --step only: the production RK4 step (config.yaml's solver.dt, 0.2/g) against the step it
     replaced (0.1/g, the reference; --ref-dt), on random points of the Fig. 2a (nu = 2) and Fig.
     S7a (nu = 1) planes: CPU per point, points of another kind, and on the oscillating attractors
     the change of the time-mean currents against the scatter that another random start at the
     production step gives; then the step's own error on oscillating attractors: six of them,
     integrated to 30000/g with windows of 12000/g, at dt = 0.05, 0.1 and 0.2/g.
Usage: python benchmarks/steady_state.py [--points 4] [--no-grid] [--cores 2] [--set window_tol=0.03 ...]
       python benchmarks/steady_state.py --kernel [--plane 300]
       python benchmarks/steady_state.py --step [--plane 300] [--ref-dt 0.1]
"""

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import yaml
from numba import njit
from scipy.integrate import solve_ivp

from powergrid import deterministic
from powergrid.deterministic import SteadyStateOptions, _Compiled, _rk4_steps, random_start, rk4_work, steady_state
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


@njit(cache=True)
def _rk4_pow(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, edges, sample_every):
    """deterministic._rk4 before 2026-12-06 (on _rk4_steps_pow), the reference."""
    n = a.shape[0]
    m = edges.shape[0]
    k1, k2, k3, k4, tmp = rk4_work(n)
    j_sum = np.zeros(m)
    j_min = np.full(m, np.inf)
    j_max = np.full(m, -np.inf)
    occ_sum = np.zeros(n)
    samples = np.empty((n_steps // sample_every if sample_every > 0 else 0, n))
    if sample_every <= 0:
        _rk4_steps_pow(a, diag, indptr, indices, rate, n0r, nu, dt, n_steps, k1, k2, k3, k4, tmp)
        return j_sum, j_min, j_max, occ_sum, samples
    for step in range(n_steps):
        _rk4_steps_pow(a, diag, indptr, indices, rate, n0r, nu, dt, 1, k1, k2, k3, k4, tmp)
        for e in range(m):
            ai = a[edges[e, 0]]
            aj = a[edges[e, 1]]
            j = ai.real * aj.imag - ai.imag * aj.real
            j_sum[e] += j
            j_min[e] = min(j_min[e], j)
            j_max[e] = max(j_max[e], j)
        for l in range(n):
            occ_sum[l] += a[l].real * a[l].real + a[l].imag * a[l].imag
        k = (step + 1) // sample_every
        if (step + 1) % sample_every == 0 and k <= samples.shape[0]:
            for l in range(n):
                samples[k - 1, l] = a[l].real * a[l].real + a[l].imag * a[l].imag
    return j_sum / max(n_steps, 1), j_min, j_max, occ_sum / max(n_steps, 1), samples


def _jacobian_numpy(comp, a, omega):
    """The co-rotating Jacobian in numpy before 2026-12-06, the reference."""
    x = np.abs(a) ** 2
    y = 1.0 + x / comp.n0r
    c = 0.5 * comp.rate * y ** (-comp.nu)
    dc = -0.5 * comp.rate * comp.nu / comp.n0r * y ** (-comp.nu - 1.0)
    lin = np.diag(comp.diag + c) + 0.5j * comp.adjacency
    n = a.size
    jac = np.empty((2 * n, 2 * n))
    jac[:n, :n], jac[:n, n:] = lin.real, -lin.imag
    jac[n:, :n], jac[n:, n:] = lin.imag, lin.real
    ar, ai = a.real, a.imag
    idx = np.arange(n)
    jac[idx, idx] += 2 * dc * ar * ar
    jac[idx, n + idx] += 2 * dc * ar * ai
    jac[n + idx, idx] += 2 * dc * ai * ar
    jac[n + idx, n + idx] += 2 * dc * ai * ai
    jac[:n, n:] += -omega * np.eye(n)
    jac[n:, :n] += omega * np.eye(n)
    return jac


def _newton_numpy(comp, guess, omega, tol, max_iter):
    """deterministic._newton in numpy before 2026-12-06 (with the same acceptance of a guess at the
    rounding floor), the reference."""
    n = guess.size
    k = int(np.argmax(np.abs(guess)))
    a = guess * np.exp(-1j * np.angle(guess[k]))
    keep = np.r_[np.arange(2 * n) != n + k]

    def residual(a, omega):
        r = comp.rhs(a) + 1j * omega * a
        return np.r_[r.real, r.imag]

    def newton_step(a, omega, res, norm):
        full = np.column_stack([_jacobian_numpy(comp, a, omega)[:, keep], np.r_[-a.imag, a.real]])
        try:
            step = np.linalg.solve(full, -res)
        except np.linalg.LinAlgError:
            return None
        da = np.zeros(2 * n)
        da[keep] = step[:-1]
        lam = 1.0
        while lam > 1e-4:
            a_new = a + lam * (da[:n] + 1j * da[n:])
            om_new = omega + lam * step[-1]
            res_new = residual(a_new, om_new)
            norm_new = np.max(np.abs(res_new))
            if np.isfinite(norm_new) and norm_new < norm:
                return a_new, om_new, res_new, norm_new
            lam *= 0.5
        return None

    def polished(state, it):
        for _ in range(deterministic.POLISH_STEPS):
            stepped = newton_step(*state)
            if stepped is None or stepped[3] > 0.5 * state[3]:
                break
            state, it = stepped, it + 1
        a, omega, _, norm = state
        return deterministic.FixedPoint(a, float(omega), float(norm), True, it)

    res = residual(a, omega)
    state = (a, omega, res, np.max(np.abs(res)))
    if state[3] < tol * max(np.max(np.abs(a)), 1.0):
        return polished(state, 0)
    for it in range(1, max_iter + 1):
        stepped = newton_step(*state)
        if stepped is None:
            break
        state = stepped
        if state[3] < tol * max(np.max(np.abs(state[0])), 1.0):
            return polished(state, it)
    a, omega, _, norm = state
    return deterministic.FixedPoint(a, float(omega), float(norm), False, max_iter)


@contextmanager
def reference_solver():
    """deterministic.steady_state with the kernels it had before 2026-12-06: pow() saturation,
    Python's error model, and the Newton solve in numpy."""
    saved = deterministic._rk4, deterministic._newton
    deterministic._rk4, deterministic._newton = _rk4_pow, _newton_numpy
    try:
        yield
    finally:
        deterministic._rk4, deterministic._newton = saved


def plane(n_points, rounds=2):
    """CPU per steady state on random points of the Fig. 2a plane (N = 10, the grid's values and
    options, random switch-on), production against the reference, interleaved rounds; and how far
    the answers are apart."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    opt = SteadyStateOptions(**cfg["solver"])
    axis = np.linspace(0.0, 8.0, 201)
    rng = np.random.default_rng(2026)
    points = [(rng.choice(axis), rng.choice(axis), i) for i in range(n_points)]

    def solve_all():
        out = []
        for gi, ge, i in points:
            net = Network.chain(10, gi, ge, 1e-3)
            start = random_start(net, np.random.default_rng(i), opt.start_amplitude)
            out.append(steady_state(net, start, opt))
        return out

    solve_all()  # compile / load every kernel
    with reference_solver():
        solve_all()
    times = {"production": [], "reference": []}
    for _ in range(rounds):
        t0 = time.process_time()
        ours = solve_all()
        times["production"].append(time.process_time() - t0)
        with reference_solver():
            t0 = time.process_time()
            ref = solve_all()
            times["reference"].append(time.process_time() - t0)
    kinds = {}
    for r in ours:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    same_kind = sum(r.kind == q.kind for r, q in zip(ours, ref, strict=True))
    fixed = [
        (r, q) for r, q in zip(ours, ref, strict=True) if r.kind == q.kind and r.kind in ("stationary", "rotating")
    ]
    dj = max((np.max(np.abs(r.J_mean - q.J_mean)) / max(np.max(np.abs(q.J_mean)), 1e-300) for r, q in fixed), default=0)
    t_ours, t_ref = np.median(times["production"]), np.median(times["reference"])
    print(
        f"{n_points} random points of the Fig. 2a plane ({kinds}): production {1e3 * t_ours / n_points:.2f} ms, "
        f"reference {1e3 * t_ref / n_points:.2f} ms CPU per point: {t_ref / t_ours:.2f}x; same kind at "
        f"{same_kind}/{n_points} points, fixed points' currents equal to {dj:.1e} (relative)"
    )


def _solve_all(nets, opt, offset=0):
    """Steady states of ``nets`` from the seeded random starts of the workflow's 'random' protocol."""
    return [
        steady_state(net, random_start(net, np.random.default_rng(i + offset), opt.start_amplitude), opt)
        for i, net in enumerate(nets)
    ]


def _changes(a, b, span):
    """Points of another kind; the largest change of a fixed point's loss-bond current; the changes
    on the oscillating attractors of the same kind (all in units of ``span``)."""
    same = [(x, y) for x, y in zip(a, b, strict=True) if x.kind == y.kind]
    fixed = [abs(x.J_mean[-1] - y.J_mean[-1]) / span for x, y in same if x.kind in deterministic.STEADY_KINDS]
    osc = [abs(x.J_mean[-1] - y.J_mean[-1]) / span for x, y in same if x.kind not in deterministic.STEADY_KINDS]
    return len(a) - len(same), max(fixed, default=0.0), np.array(osc)


def long_windows(n_points=6):
    """The RK4 step's own error on oscillating attractors: random quasi-periodic points of the
    Fig. 2a plane, each from three seeded starts, integrated to 30000/g and averaged over a window
    of 12000/g (long against the window criterion's 500/g, so sampling noise is small) at three
    steps. Where starts land on coexisting attractors, they are compared attractor by attractor
    (same start)."""
    axis = np.linspace(0.0, 8.0, 201)
    rng = np.random.default_rng(7)
    steps = (0.05, 0.1, 0.2)
    long = dict(t_max=30000.0, t_settle=4000.0, t_window=12000.0, window_tol=1e-9)  # one pair of long windows
    opts = [SteadyStateOptions(dt=dt, **long) for dt in steps]
    print(
        f"  the step's own error: time-mean loss-bond current over 12000/g at dt = {steps[0]:g}, and its relative "
        f"change at dt = {steps[1]:g} and {steps[2]:g}, for three starts:"
    )
    found = 0
    while found < n_points:
        net = Network.chain(10, rng.choice(axis), rng.choice(axis), 1e-3)
        first = steady_state(net, random_start(net, np.random.default_rng(0), 1e-3), opts[1])
        if first.kind != "quasi-periodic":
            continue
        found += 1
        cells = []
        for seed in range(3):
            j = [steady_state(net, random_start(net, np.random.default_rng(seed), 1e-3), o).J_mean[-1] for o in opts]
            cells.append(f"{j[0]:.5f}, {(j[1] - j[0]) / abs(j[0]):+.1e}, {(j[2] - j[0]) / abs(j[0]):+.1e}")
        gi, ge = net.gain[0].rate, net.loss[0].rate
        print(f"    Gamma_i = {gi:.2f}, Gamma_e = {ge:.2f}: " + " | ".join(cells))


def step(n_points, ref_dt):
    """Production options against the same with the RK4 step ``ref_dt``, at random points of the
    Fig. 2a and S7a planes: CPU (two interleaved rounds, median), kinds, fixed points, and the
    time means of the oscillating attractors against the scatter of another random start."""
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    base = SteadyStateOptions(**cfg["solver"])
    ref = SteadyStateOptions(**{**cfg["solver"], "dt": ref_dt})
    axis = np.linspace(0.0, 8.0, 201)
    print(
        f"RK4 step {base.dt:g} (production) against {ref.dt:g} (reference) in 1/g, {n_points} random points per "
        "plane, one thread:"
    )
    for label, nu in (("Fig. 2a (nu = 2)", 2.0), ("Fig. S7a (nu = 1)", 1.0)):
        rng = np.random.default_rng(2026)
        nets = [Network.chain(10, rng.choice(axis), rng.choice(axis), 1e-3, nu=nu) for _ in range(n_points)]
        _solve_all(nets[:5], base)  # load the kernels
        times, results = {"base": [], "ref": []}, {}
        for _ in range(2):
            for name, opt in (("base", base), ("ref", ref)):
                t0 = time.process_time()
                results[name] = _solve_all(nets, opt)
                times[name].append(time.process_time() - t0)
        ours, theirs = results["base"], results["ref"]
        other = _solve_all(nets, base, offset=10**6)  # the same step, other random starts: the scatter
        t_b, t_r = np.median(times["base"]), np.median(times["ref"])
        span = max(np.ptp([r.J_mean[-1] for r in ours]), 1e-300)  # the range of the loss-bond current
        kinds = {}
        for r in ours:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        print(
            f"  {label}, {kinds}: {1e3 * t_b / n_points:.2f} against {1e3 * t_r / n_points:.2f} ms per point: "
            f"{t_r / t_b:.2f}x"
        )
        for what, (kind, fixed, osc) in (
            (f"dt = {base.dt:g} against {ref.dt:g}", _changes(ours, theirs, span)),
            (f"other random starts at dt = {base.dt:g} (scatter)", _changes(ours, other, span)),
        ):
            tail = "no oscillating point of the same kind"
            if len(osc):
                tail = (
                    f"oscillating: median {np.median(osc):.1e}, largest {osc.max():.1e}, "
                    f"beyond 1 % {np.mean(osc > 0.01):.0%}"
                )
            print(
                f"    {what}: other kind at {kind}/{n_points}; change of the loss-bond current in units of "
                f"its range: fixed points {fixed:.1e}; {tail} ({len(osc)} points)"
            )


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
    ap.add_argument(
        "--kernel", action="store_true", help="only the kernels against the ones they replaced (RK4 step, whole points)"
    )
    ap.add_argument("--plane", type=int, default=300, help="points of the Fig. 2a plane for --kernel and --step")
    ap.add_argument("--step", action="store_true", help="only: the production RK4 step against --ref-dt")
    ap.add_argument("--ref-dt", type=float, default=0.1, help="the reference RK4 step of --step (1/g)")
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="OPTION=VALUE",
        help="override solver options of config.yaml for the grid, e.g. window_tol=0.03",
    )
    args = ap.parse_args()
    if args.step:
        step(args.plane, args.ref_dt)
        long_windows()
        raise SystemExit
    if args.kernel:
        kernel()
        plane(args.plane)
        raise SystemExit
    if args.points:
        per_point(args.points)
    if not args.no_grid:
        grid(args.cores, {k: float(v) for k, v in (o.split("=") for o in args.set)})
