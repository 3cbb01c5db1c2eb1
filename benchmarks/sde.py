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
4. The kernel machinery (issue 11): CPU time per site-step of run_ensemble with its generated
   kernel and ziggurat32-pair normals (sde.NOISES["gaussian"]) against the same run_ensemble with a plain
   @njit kernel (``plain_kernel`` below: the same arithmetic as loops over sites, vectorisable
   loops over the lanes) drawing Generator.standard_normal inside numba, and with the plain kernel
   drawing the same normals (it then reproduces the generated kernel's numbers bit for bit, which
   is checked: the generated code buys speed, not other numbers). Fig. 3a point (N = 6) and a
   Fig. S8 point (N = 10, nu = 1), 50 trajectories, one thread, the variants interleaved
   ``--rounds`` times; min and median. The machinery stays only if it wins by more than 1.5x.
   All three variants draw normals here (noise="gaussian"): the comparison is of the kernels.
5. The increments (issue 15): CPU time per site-step of run_ensemble with three-point increments
   (the default, sde.NOISES) against the ziggurat normals it replaced (noise="gaussian", the
   reference), at a Fig. 3a, a Fig. S8 and a Fig. 4a (N = 2, quantum noise only) point, one
   thread, interleaved ``--rounds`` times. Then the statistics: each kind of increments at the
   Fig. 3a points with the production ensembles (64 trajectories, t_transient = 5000/g,
   t_average = 20000/g as config.yaml's fig3), independent seeds, <J> and Delta J of the last
   bond and the mean occupation with the z-score of their difference.

Usage: python benchmarks/sde.py [--rounds 3] [--t-average 5000] [--no-em-check] [--kernel-only]
       [--noise-only]
"""

import argparse
import contextlib
import math
import os
import time
import types

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from numba import njit

from powergrid import sde
from powergrid.model import Network
from powergrid.sde import DEFAULT_DT, LANES, ZBLOCK, run_ensemble

N_TRAJ = 50


def fig3a(gamma_e: float) -> Network:
    return Network.chain(6, 4.0, gamma_e, 1e-3, n0=100.0, n_th_over_n0=10.0)


def numpy_em(
    net: Network,
    dt: float,
    n_steps: int,
    rng: np.random.Generator,
    n_traj: int = N_TRAJ,
    sample_every: int = 17000,
    batch: int = 100,
):
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
            f2 = (1.0 + (ar.real**2 + ar.imag**2) / s) ** (-net.nu)
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


# ---------------------------------------------------------------------------------------------
# 4. the alternative to the generated kernel: a plain @njit kernel on the same work array W


# the saturation f^2 as the production kernel computes it (the same function, compiled here)
_f2 = njit(nogil=True, error_model="numpy")(sde._f2)


@njit(nogil=True, error_model="numpy")
def _half(c, hr, hi, nl):
    for k in range(hr.size):
        for g in range(nl):
            t = c[2 * k, g]
            c[2 * k, g] = hr[k] * t - hi[k] * c[2 * k + 1, g]
            c[2 * k + 1, g] = hr[k] * c[2 * k + 1, g] + hi[k] * t


@njit(nogil=True, error_model="numpy")
def plain_kernel(
    gens,
    W,
    z,
    hr,
    hi,
    u,
    site,
    rk,
    inv_s,
    gr,
    cq,
    gain,
    sig,
    dt,
    hdt,
    nu,
    thermal,
    edges,
    row_occ,
    row_j,
    row_j2,
    row_g,
    B,
    X,
    n_steps,
    accumulate,
    nl,
    n_live,
    standard,
):
    """sde.reference_step and the accumulation of sde.reference_observables for lanes 0..nl-1 of
    W (rows x LANES) with loops over sites and edges; the lane loops innermost with a run-time
    trip count, so that the compiler vectorises them. B, X: scratch (4, n_res, LANES), (2, n, LANES).
    Normals: Generator.standard_normal (standard) or the generated kernel's sde._fill (noise="gaussian")."""
    n = hr.size
    q = 2 * np.sum(gain) + (2 * n if thermal else 0)
    done = 0
    while done < n_steps:
        ns = min(ZBLOCK, n_steps - done)
        if standard:
            for g in range(n_live):
                for i in range(ns * q):
                    z[i * LANES + g] = gens[g].standard_normal()
        elif q > 0:
            sde._fill(gens, z, ns * q, n_live)
        for s in range(ns):
            o = s * q * LANES
            _half(W, hr, hi, nl)
            for p in range(site.size):
                for g in range(nl):
                    B[0, p, g] = u[site[p], 0] * W[0, g]
                    B[1, p, g] = u[site[p], 0] * W[1, g]
                for k in range(1, n):
                    w = u[site[p], k]
                    for g in range(nl):
                        B[0, p, g] = B[0, p, g] + w * W[2 * k, g]
                        B[1, p, g] = B[1, p, g] + w * W[2 * k + 1, g]
            for p in range(site.size):
                for g in range(nl):
                    x0 = B[0, p, g] * B[0, p, g] + B[1, p, g] * B[1, p, g]
                    f0 = _f2(x0, inv_s[p], nu)
                    k0 = rk[p] * f0
                    c0 = 1.0 + dt * k0
                    x1 = x0 * c0 * c0
                    uu = hdt * (k0 + rk[p] * _f2(x1, inv_s[p], nu))
                    grow = uu * (1.0 + 0.5 * uu)
                    B[2, p, g] = grow * B[0, p, g]
                    B[3, p, g] = grow * B[1, p, g]
                    if gain[p]:
                        sq = math.sqrt(cq[p] * f0)
                        B[2, p, g] = B[2, p, g] + sq * z[o + g]
                        B[3, p, g] = B[3, p, g] + sq * z[o + LANES + g]
                if gain[p]:
                    o += 2 * LANES
            for k in range(n):
                for p in range(site.size):
                    w = u[site[p], k]
                    for g in range(nl):
                        W[2 * k, g] = W[2 * k, g] + w * B[2, p, g]
                        W[2 * k + 1, g] = W[2 * k + 1, g] + w * B[3, p, g]
                if thermal:
                    for g in range(nl):
                        W[2 * k, g] = W[2 * k, g] + sig * z[o + g]
                        W[2 * k + 1, g] = W[2 * k + 1, g] + sig * z[o + LANES + g]
                    o += 2 * LANES
            _half(W, hr, hi, nl)
            if not accumulate:
                continue
            for i in range(n):
                for g in range(nl):
                    X[0, i, g] = u[i, 0] * W[0, g]
                    X[1, i, g] = u[i, 0] * W[1, g]
                for k in range(1, n):
                    w = u[i, k]
                    for g in range(nl):
                        X[0, i, g] = X[0, i, g] + w * W[2 * k, g]
                        X[1, i, g] = X[1, i, g] + w * W[2 * k + 1, g]
                for g in range(nl):
                    W[row_occ + i, g] += X[0, i, g] * X[0, i, g] + X[1, i, g] * X[1, i, g]
            for e in range(edges.shape[0]):
                a, b = edges[e, 0], edges[e, 1]
                for g in range(nl):
                    cur = X[0, a, g] * X[1, b, g] - X[1, a, g] * X[0, b, g]
                    W[row_j + e, g] += cur
                    W[row_j2 + e, g] += cur * cur
            for g in range(nl):
                tot = 0.0
                for p in range(site.size):
                    tot += gr[p] * _f2(
                        X[0, site[p], g] * X[0, site[p], g] + X[1, site[p], g] * X[1, site[p], g], inv_s[p], nu
                    )
                W[row_g, g] += tot
        done += ns
    return -1


@contextlib.contextmanager
def plain_engine(standard: bool):
    """run_ensemble with plain_kernel in place of the generated kernel (no histogram)."""
    original = sde._kernel

    def module_of(structure):
        n, r = structure.n, structure.rows
        site = np.array(structure.res_site, np.int64)
        gain = np.array(structure.gain, np.bool_)
        edges = np.array(structure.edges, np.int64).reshape(-1, 2)
        B, X = np.zeros((4, site.size, LANES)), np.zeros((2, n, LANES))

        def kernel(
            gens,
            W,
            P,
            z,
            hist,
            hist_out,
            h_lo_re,
            h_lo_im,
            h_sc_re,
            h_sc_im,
            h_every,
            n_steps,
            accumulate,
            step0,
            nl,
            n_live,
        ):
            res = P[2 * n + n * n : 2 * n + n * n + 4 * site.size].reshape(-1, 4).T.copy()
            sig, dt, hdt, nu = P[-4:]
            return plain_kernel(
                gens,
                W.reshape(-1, LANES),
                z,
                P[:n],
                P[n : 2 * n],
                P[2 * n : 2 * n + n * n].reshape(n, n),
                site,
                res[0],
                res[1],
                res[2],
                res[3],
                gain,
                sig,
                dt,
                hdt,
                nu,
                structure.thermal,
                edges,
                r["occ"],
                r["j"],
                r["j2"],
                r["g"],
                B,
                X,
                n_steps,
                accumulate,
                nl,
                n_live,
                standard,
            )

        return types.SimpleNamespace(kernel=kernel)

    sde._kernel = module_of
    try:
        yield
    finally:
        sde._kernel = original


def kernel_comparison(rounds: int, n_steps: int = 20_000):
    print(
        "\n## 4. generated kernel + ziggurat32 pairs against a plain @njit kernel, CPU ns per site-step "
        f"(1 thread, {N_TRAJ} trajectories, {n_steps} steps, {rounds} interleaved rounds: min / median)"
    )
    print(f"normals of all three variants: {sde.NOISES['gaussian']}")
    points = {
        "Fig. 3a, N = 6, Gamma_e = 8": fig3a(8.0),
        "Fig. S8, N = 10, nu = 1, Gamma_e = 8": Network.chain(10, 4.0, 8.0, 1e-3, nu=1.0, n0=100.0, n_th_over_n0=10.0),
    }
    variants = {
        "generated + ziggurat32 pairs": contextlib.nullcontext,
        "plain @njit + Generator.standard_normal": lambda: plain_engine(True),
        "plain @njit + ziggurat32 pairs": lambda: plain_engine(False),
    }
    for label, net in points.items():
        kw = dict(
            dt=DEFAULT_DT, t_transient=0.0, n_traj=N_TRAJ, seed=np.random.SeedSequence(4), threads=1, noise="gaussian"
        )
        out = {}
        for name, engine in variants.items():  # compile, and compare the numbers
            with engine():
                out[name] = run_ensemble(net, t_average=300 * DEFAULT_DT, **kw)
        a, b, c = out.values()

        def same(x, y):
            fields = ("traj_J_mean", "traj_J2_mean", "traj_occupation", "traj_Gbar", "final_alpha")
            return all(np.array_equal(getattr(x, f), getattr(y, f)) for f in fields)

        assert same(a, c), "the plain kernel fed the same normals must reproduce the generated kernel's numbers"
        times = {name: [] for name in variants}
        for _ in range(rounds):
            for name, engine in variants.items():
                with engine():
                    t, _ = cpu(run_ensemble, net, t_average=n_steps * DEFAULT_DT, **kw)
                times[name].append(t / (n_steps * N_TRAJ * net.n_sites) * 1e9)
        print(f"\n{label}")
        for name, v in times.items():
            print(f"  {name:45s} {min(v):6.2f} / {np.median(v):6.2f} ns")
        prod, std = times["generated + ziggurat32 pairs"], times["plain @njit + Generator.standard_normal"]
        zig = times["plain @njit + ziggurat32 pairs"]
        print(
            f"  ratio plain + standard_normal / generated: {min(std) / min(prod):.2f}x (min), "
            f"{np.median(std) / np.median(prod):.2f}x (median)"
        )
        print(
            f"  ratio plain + ziggurat32 / generated:      {min(zig) / min(prod):.2f}x (min), "
            f"{np.median(zig) / np.median(prod):.2f}x (median)"
        )
        print(f"  same numbers: plain + ziggurat32 {same(a, c)} (checked), plain + standard_normal {same(a, b)}")


def noise_comparison(rounds: int, n_steps: int = 20_000, n_traj: int = 64):
    """n_traj: config.yaml's sde.trajectories_per_job, so every lane of a group is live as in a job."""
    print(
        "\n## 5. three-point increments against ziggurat normals, CPU ns per site-step "
        f"(1 thread, {n_traj} trajectories, {n_steps} averaging steps, {rounds} interleaved rounds: min / median)"
    )
    for noise, what in sde.NOISES.items():
        print(f"  {noise}: {what}")
    points = {
        "Fig. 3a, N = 6, Gamma_e = 8, N_th/n0 = 10": fig3a(8.0),
        "Fig. S8, N = 10, nu = 1, Gamma_e = 8, N_th/n0 = 10": Network.chain(
            10, 4.0, 8.0, 1e-3, nu=1.0, n0=100.0, n_th_over_n0=10.0
        ),
        "Fig. 4a, N = 2, n0 = 10, Gamma_e = 3, N_th = 0": Network.chain(2, 4.0, 3.0, 1e-3, n0=10.0),
    }
    for label, net in points.items():
        kw = dict(dt=DEFAULT_DT, t_transient=0.0, n_traj=n_traj, seed=np.random.SeedSequence(4), threads=1)
        times = {noise: [] for noise in sde.NOISES}
        for noise in sde.NOISES:  # compile
            run_ensemble(net, t_average=300 * DEFAULT_DT, noise=noise, **kw)
        for _ in range(rounds):
            for noise in sde.NOISES:
                t, _ = cpu(run_ensemble, net, t_average=n_steps * DEFAULT_DT, noise=noise, **kw)
                times[noise].append(t / (n_steps * n_traj * net.n_sites) * 1e9)
        new, ref = times["three-point"], times["gaussian"]
        print(
            f"  {label:52s} three-point {min(new):5.2f} / {np.median(new):5.2f} ns, "
            f"gaussian {min(ref):5.2f} / {np.median(ref):5.2f} ns: "
            f"ratio {min(ref) / min(new):.2f}x (min), {np.median(ref) / np.median(new):.2f}x (median)"
        )
    print(
        "\n  statistics at the Fig. 3a points, production ensembles (64 trajectories, t_transient = 5000/g, "
        "t_average = 20000/g, 1 thread), independent seeds; z = |difference| / combined standard error"
    )
    print("  point                 noise        <J>_5,6    sem       Delta J   sem       <n> (mean)  CPU [s]")
    for gamma_e in (2.0, 8.0):
        net = fig3a(gamma_e)
        out = {}
        for k, noise in enumerate(sde.NOISES):
            t, r = cpu(
                run_ensemble,
                net,
                dt=DEFAULT_DT,
                t_transient=5000.0,
                t_average=20000.0,
                n_traj=64,
                seed=np.random.SeedSequence([11, k, int(gamma_e)]),
                threads=1,
                noise=noise,
            )
            out[noise] = r
            print(
                f"  Gamma_e = {gamma_e:<4g}        {noise:12s} {r.J_mean[-1]:.5f}   {r.J_sem[-1]:.5f}   "
                f"{r.J_std[-1]:.5f}   {r.J_std_sem[-1]:.5f}   {r.occupation.mean():.4f}      {t:.1f}"
            )
        a, b = out["three-point"], out["gaussian"]
        z = lambda x, y, sx, sy: abs(x - y) / math.hypot(sx, sy)  # noqa: E731
        print(
            f"  Gamma_e = {gamma_e:<4g}        z: <J> {z(a.J_mean[-1], b.J_mean[-1], a.J_sem[-1], b.J_sem[-1]):.2f}, "
            f"Delta J {z(a.J_std[-1], b.J_std[-1], a.J_std_sem[-1], b.J_std_sem[-1]):.2f}"
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--t-average", type=float, default=5000.0)
    ap.add_argument("--no-em-check", action="store_true")
    ap.add_argument("--kernel-only", action="store_true", help="only part 4")
    ap.add_argument("--noise-only", action="store_true", help="only part 5")
    args = ap.parse_args()
    if args.kernel_only:
        kernel_comparison(args.rounds)
        return
    if args.noise_only:
        noise_comparison(args.rounds)
        return
    dt = DEFAULT_DT
    print(
        f"# SDE engine benchmark (dt = {dt}, {N_TRAJ} trajectories, N = 6, Gamma_i = 4, gamma = 1e-3, "
        f"N_th/n0 = 10, n0 = 100)"
    )

    # compile (or load the cached kernel) before timing
    run_ensemble(fig3a(8.0), dt=dt, t_transient=1.0, t_average=1.0, n_traj=2, seed=np.random.SeedSequence(0), threads=1)

    # 1. cost per site-step
    net = fig3a(8.0)
    ours_steps, ref_steps = 20_000, 4_000
    ours, ref = [], []
    for rnd in range(args.rounds):
        t, _ = cpu(
            run_ensemble,
            net,
            dt=dt,
            t_transient=0.0,
            t_average=ours_steps * dt,
            n_traj=N_TRAJ,
            seed=np.random.SeedSequence(rnd),
            threads=1,
        )
        ours.append(t / (ours_steps * N_TRAJ * net.n_sites))
        t, _ = cpu(numpy_em, net, 1e-4, ref_steps, np.random.default_rng(rnd))
        ref.append(t / (ref_steps * N_TRAJ * net.n_sites))
    c_ours, c_ref = min(ours), min(ref)
    print(f"\n## 1. CPU time per site-step (best of {args.rounds} alternating rounds; all rounds in brackets)")
    print(f"ours (1 thread)        : {c_ours * 1e9:7.2f} ns  {np.round(np.array(ours) * 1e9, 2)}")
    print(f"numpy Euler-Maruyama   : {c_ref * 1e9:7.2f} ns  {np.round(np.array(ref) * 1e9, 2)}")
    print(f"ratio numpy / ours     : {c_ref / c_ours:7.1f}x   (target >= 8x)")

    # 2. CPU time to the same standard error of <J>
    print("\n## 2. CPU time to the same standard error of <J> (bond 5-6), each method at its dt")
    print("Gamma_e  <J>       sem(<J>)   Delta J   sem(DJ)   ours CPU [s]  ref dt=1e-4 CPU [s] (est.)  ratio")
    t_tr, t_av = 5000.0, args.t_average
    for ge in (2.0, 8.0):
        net = fig3a(ge)
        t_ours, r = cpu(
            run_ensemble,
            net,
            dt=dt,
            t_transient=t_tr,
            t_average=t_av,
            n_traj=N_TRAJ,
            seed=np.random.SeedSequence([3, int(ge)]),
            threads=1,
        )
        # the reference needs the same trajectories x physical time at dt = 1e-4
        t_ref = N_TRAJ * (t_tr + t_av) / 1e-4 * net.n_sites * c_ref
        print(
            f"{ge:7.1f}  {r.J_mean[-1]:8.4f}  {r.J_sem[-1]:8.4f}  {r.J_std[-1]:8.4f}  {r.J_std_sem[-1]:8.4f}"
            f"  {t_ours:12.1f}  {t_ref:26.0f}  {t_ref / t_ours:6.0f}x   (target >= 100x)"
        )
    print(
        "(ours: measured end to end, incl. the transient; the reference: its measured per-step cost x "
        "the same number of trajectory-steps at dt = 1e-4)"
    )

    # 3. plain Euler-Maruyama at the large step
    if not args.no_em_check:
        net = fig3a(8.0)
        t_short = 1000.0
        a, _ = numpy_em(net, 1e-2, int(t_short / 1e-2), np.random.default_rng(5), n_traj=20)
        r = run_ensemble(
            net,
            dt=1e-2,
            t_transient=t_short - 100.0,
            t_average=100.0,
            n_traj=20,
            seed=np.random.SeedSequence(5),
            threads=1,
        )
        print(f"\n## 3. plain Euler-Maruyama at dt = 1e-2, Gamma_e = 8, after t = {t_short:g}/g")
        print(
            f"total occupation, numpy EM: {np.mean(np.sum(np.abs(a) ** 2, axis=1)):10.3g}   "
            f"ours: {np.sum(r.occupation):8.3g}   (thermal level N*N_th/n0 = {6 * 10:g})"
        )

    kernel_comparison(args.rounds)
    noise_comparison(args.rounds)


if __name__ == "__main__":
    main()
