"""What sampling the SDE time means every k-th step costs and saves (issue 15, config sde.sample_interval).

The observables after a step (J and J^2 on every bond, |alpha|^2 on every site, Gbar) cost more than
the step itself: the sites' amplitudes are a dense transform of the modes the integrator works in.
The workflow's averages run over 10^4/g and longer, and J and |alpha|^2 decorrelate within ~1/g
(the hopping), so samples 0.01/g apart are nearly copies of each other. This measures both sides.

For points of the SDE datasets (``sde_timestep.POINTS``: production network, transient and
averaging time) and ``--repeats`` seeds, it runs one production ensemble (64 trajectories, 2
threads, as a workflow job) with the observables of every step (the reference, the code this
replaces) and of every k-th step, on the *same* trajectories (same seed: the integration is
identical, only the time means differ). It prints per k:

- CPU against the reference, from the same run (process time, summed over the seeds);
- per quantity (<J> and Delta J of the loss bond, the loss site's occupation, Gbar): the standard
  error against the reference's (``SE ratio``: above 1 the thinned mean is noisier), and the
  difference from the reference in units of the reference's standard error, the largest over the
  seeds (``max |diff|/SE``).

Usage: python benchmarks/sde_sampling.py [--every 5,10,20] [--repeats 3] [--points 3a2,3a8,...] [--dt 0.01]
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from sde_timestep import POINTS, PRODUCTION_TRAJECTORIES

from powergrid.sde import run_ensemble


def quantities(r):
    """(value, standard error) of <J> and Delta J on the last bond (into the last loss site), the
    occupation of the last site and Gbar."""
    b = len(r.edges) - 1
    return {
        "<J>": (r.J_mean[b], r.J_sem[b]),
        "Delta J": (r.J_std[b], r.J_std_sem[b]),
        "<|a_N|^2>": (r.occupation[-1], r.occupation_sem[-1]),
        "Gbar": (r.Gbar_mean, r.Gbar_sem),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", default="5,10,20", help="steps between samples, against every step")
    ap.add_argument("--repeats", type=int, default=3, help="seeds per point")
    ap.add_argument("--points", default=",".join(POINTS))
    ap.add_argument("--dt", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    everies = [1] + [int(v) for v in args.every.split(",")]
    print(
        f"{PRODUCTION_TRAJECTORIES} trajectories, dt = {args.dt:g}, {args.threads} threads, {args.repeats} seeds; "
        "k = 1 (every step) is the reference; the same trajectories at every k"
    )
    total = dict.fromkeys(everies, 0.0)
    for key in args.points.split(","):
        what, net, t_tr, t_av = POINTS[key]
        cpu = dict.fromkeys(everies, 0.0)
        ratio = {k: {} for k in everies}
        diff = {k: {} for k in everies}
        for rep in range(args.repeats):
            seed = np.random.SeedSequence([15, 1000 + rep, list(POINTS).index(key)])
            ref = None
            for k in everies:
                c0 = time.process_time()
                r = run_ensemble(
                    net,
                    dt=args.dt,
                    t_transient=t_tr,
                    t_average=t_av,
                    n_traj=PRODUCTION_TRAJECTORIES,
                    seed=seed,
                    threads=args.threads,
                    sample_every=k,
                )
                cpu[k] += time.process_time() - c0
                q = quantities(r)
                ref = ref or q
                for name, (v, s) in q.items():
                    v0, s0 = ref[name]
                    ratio[k].setdefault(name, []).append(s / s0)
                    diff[k][name] = max(diff[k].get(name, 0.0), abs(v - v0) / s0)
        print(f"\n{what}; t_transient = {t_tr:g}, t_average = {t_av:g}")
        names = list(ratio[1])
        print(f"{'k':>4s} {'interval':>9s} {'CPU s':>7s} {'speed-up':>8s} " + " ".join(f"{n:>24s}" for n in names))
        print(f"{'':>31s} " + " ".join(f"{'SE ratio  max |diff|/SE':>24s}" for _ in names))
        for k in everies:
            cells = " ".join(f"{np.mean(ratio[k][n]):8.4f} {diff[k][n]:15.3f}" for n in names)
            print(f"{k:4d} {k * args.dt:9.3g} {cpu[k]:7.1f} {cpu[1] / cpu[k]:7.2f}x {cells}", flush=True)
            total[k] += cpu[k]
    print("\nall points: " + ", ".join(f"k = {k}: {total[1] / total[k]:.2f}x" for k in everies[1:]))


if __name__ == "__main__":
    main()
