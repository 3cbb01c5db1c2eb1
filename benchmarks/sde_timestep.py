"""What a larger SDE time step would cost in accuracy (issue 15: the lever left for the SDE datasets).

The SDE datasets run at dt = 0.01/g (``sde.dt``). Their cost is set by their ensembles (64
trajectories, 5000/g of transient and 1-2 x 10^4/g of averages per trajectory) at a kernel within
~3x of its increments' floor (docs/cost-scaling.md), so the one large lever left is the step: dt =
0.02/g would halve their CPU. The integrator is second order without noise and weak order 1 in the
quantum noise of the gain site (docs/numerics.md), so its bias grows with dt; whether dt = 0.02
keeps the accuracy of the tables is a question of that bias against their standard errors.

For points of the SDE datasets, with production transients and averaging times, this runs
``--trajectories`` trajectories at each dt (independent seeds) and prints <J> and Delta J of the
loss bond and the mean occupation, each with its standard error, and for dt > 0.01 the difference
from dt = 0.01 in units of the *production* standard error (that of 64 trajectories, scaled from
this ensemble's) with its own uncertainty. A bias of the step shows as a difference that grows with
dt; with the default 4096 trajectories the difference is resolved to ~0.18 production standard
errors. Also the CPU per dt (2 threads, as a workflow SDE job).

Usage: python benchmarks/sde_timestep.py [--trajectories 4096] [--dts 0.01,0.02,0.04] [--points 3a2,...]
"""

import argparse
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from powergrid.model import Network, Reservoir
from powergrid.sde import run_ensemble

PRODUCTION_TRAJECTORIES = 64  # config.yaml: trajectories per point of every SDE figure

# name -> (what, network, t_transient, t_average), the datasets' own values (config.yaml)
POINTS = {
    "3a2": (
        "Fig. 3a, N = 6, Gamma_e = 2, N_th/n0 = 10 (symmetric phase)",
        Network.chain(6, 4.0, 2.0, 1e-3, n0=100.0, n_th_over_n0=10.0),
        5000.0,
        20000.0,
    ),
    "3a8": (
        "Fig. 3a, N = 6, Gamma_e = 8, N_th/n0 = 10 (broken phase)",
        Network.chain(6, 4.0, 8.0, 1e-3, n0=100.0, n_th_over_n0=10.0),
        5000.0,
        20000.0,
    ),
    "4a": (
        "Fig. 4a, N = 2, n0 = 10, Gamma_e = 4, N_th = 0 (quantum noise only, the strongest of the SDE datasets)",
        Network.chain(2, 4.0, 4.0, 1e-3, n0=10.0),
        5000.0,
        20000.0,
    ),
    "S8": (
        "Fig. S8, N = 10, nu = 1, Gamma_e = 4, N_th/n0 = 10",
        Network.chain(10, 4.0, 4.0, 1e-3, nu=1.0, n0=100.0, n_th_over_n0=10.0),
        5000.0,
        10000.0,
    ),
    "S2": (
        "Fig. S2, N = 2, n0 = 15, gamma = 0.1, Gamma_e = 2, N_th = 0 (quantum noise only)",
        Network.chain(2, 4.0, 2.0, 0.1, n0=15.0),
        1000.0,
        5000.0,
    ),
    "5": (
        "Fig. 5, the network with a crossing (N = 9, losses at sites 7 and 9), Gamma_e@7 = 5, N_th/n0 = 3",
        Network(
            n_sites=9,
            edges=((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (3, 7), (7, 8)),
            gain=(Reservoir(0, 4.0),),
            loss=(Reservoir(6, 5.0), Reservoir(8, 4.0)),
            gamma=1e-3,
            n0=100.0,
            n_th_over_n0=3.0,
        ),
        5000.0,
        10000.0,
    ),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trajectories", type=int, default=4096)
    ap.add_argument("--dts", default="0.01,0.02,0.04")
    ap.add_argument("--points", default=",".join(POINTS))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    dts = [float(v) for v in args.dts.split(",")]
    scale = math.sqrt(args.trajectories / PRODUCTION_TRAJECTORIES)  # production SE / this ensemble's SE

    print(
        f"{args.trajectories} trajectories per dt, independent seeds, {args.threads} threads; "
        f"'in prod. SE': (value - value at dt = {dts[0]}) / "
        f"(standard error of {PRODUCTION_TRAJECTORIES} trajectories), "
        "+- its own uncertainty"
    )
    for key in args.points.split(","):
        what, net, t_tr, t_av = POINTS[key]
        bond = len(net.edges) - 1  # the last edge: into the (last) loss site
        print(f"\n{what}; t_transient = {t_tr:g}, t_average = {t_av:g}")
        print(
            f"{'dt':>6s} {'<J>':>22s} {'in prod. SE':>15s} {'Delta J':>22s} {'in prod. SE':>15s} "
            f"{'<|alpha_N|^2>':>22s} {'in prod. SE':>15s} {'CPU s':>7s}"
        )
        ref = None
        for k, dt in enumerate(dts):
            c0 = time.process_time()
            r = run_ensemble(
                net,
                dt=dt,
                t_transient=t_tr,
                t_average=t_av,
                n_traj=args.trajectories,
                seed=np.random.SeedSequence([15, k, list(POINTS).index(key)]),
                threads=args.threads,
            )
            cpu = time.process_time() - c0
            vals = [
                (r.J_mean[bond], r.J_sem[bond]),
                (r.J_std[bond], r.J_std_sem[bond]),
                (r.occupation[-1], r.occupation_sem[-1]),
            ]
            cells = []
            for i, (v, s) in enumerate(vals):
                cells.append(f"{v:12.5g} +- {s:7.2g}")
                if ref is None:
                    cells.append(f"{'':>15s}")
                else:
                    v0, s0 = ref[i]
                    prod = s0 * scale
                    cells.append(f"{(v - v0) / prod:+6.2f} +- {math.hypot(s, s0) / prod:4.2f}")
            ref = ref or vals
            print(f"{dt:6.3g} " + " ".join(cells) + f" {cpu:7.1f}", flush=True)


if __name__ == "__main__":
    main()
