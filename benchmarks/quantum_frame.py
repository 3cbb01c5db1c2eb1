"""The exact quantum solver in the real frame against the lab frame it replaced, on the default
config's most expensive kinds of point.

Usage: python benchmarks/quantum_frame.py [--quick]

Each point is solved twice in one process, one BLAS thread (as a workflow job runs): by the
production path (``quantum._solve``, frame "auto": X = i^n_B rho i^-n_B, real arithmetic) and by
the lab-frame path (frame "lab": complex Hermitian blocks, the code that ran every point before,
and still runs networks with detunings or odd cycles). Both to the same tolerance (1e-12).
Prints CPU seconds (set-up and solve), preconditioner applications, the ratio, and the largest
difference of the two states. ``--quick``: smaller truncations (~20 s in all).
"""

import argparse
import functools
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"  # one thread, as a workflow job runs (before numpy is imported)

import numpy as np  # noqa: E402 (after the thread variables)

from powergrid import quantum  # noqa: E402
from powergrid.model import Network  # noqa: E402

print = functools.partial(print, flush=True)

ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true", help="truncations of 40-60 states (a check, not the numbers)")
args = ap.parse_args()

# (label, gamma, Gamma_e, n0, n_basis): the Fig. 4a chain (Gamma_i = 4 g) at its fluctuation peak
# with the dataset's truncation, and a Fig. 4b point at the maximum of its n0 = 5 negativity curve
POINTS = [
    ("fig4a n0=1 peak", 1e-3, 3.25, 1.0, 100),
    ("fig4a n0=2 peak", 1e-3, 3.25, 2.0, 130),
    ("fig4b n0=5 max", 1e-2, 5.25, 5.0, 110),
]
if args.quick:
    POINTS = [(label, gamma, ge, n0, 40 if n0 < 2 else 60) for label, gamma, ge, n0, _ in POINTS]

warm = quantum.QuantumModel.of(Network.chain(2, 4.0, 3.0, 1e-3), 6)
for frame in ("auto", "lab"):  # compile both paths before timing
    quantum._solve(warm, quantum.DEFAULT_TOL, quantum.DEFAULT_MAXITER, frame)

head = ("point", "n_basis", "frame", "applications", "CPU s", "lab / real", "max |drho|")
print("{:18s} {:>7s} {:>6s} {:>12s} {:>7s} {:>10s} {:>10s}".format(*head))
total = {"auto": 0.0, "lab": 0.0}
for label, gamma, gamma_e, n0, nb in POINTS:
    net = Network.chain(2, 4.0, gamma_e, gamma).replace(n0=n0)
    runs = {}
    for frame in ("auto", "lab"):
        t = time.process_time()
        model = quantum.QuantumModel.of(net, nb)
        rho, info = quantum._solve(model, quantum.DEFAULT_TOL, quantum.DEFAULT_MAXITER, frame)
        runs[frame] = (rho, info, time.process_time() - t)
        total[frame] += runs[frame][2]
    diff = float(np.max(np.abs(runs["auto"][0] - runs["lab"][0])))
    ratio = runs["lab"][2] / runs["auto"][2]
    for frame in ("auto", "lab"):
        _, info, cpu = runs[frame]
        tail = f"{ratio:10.2f} {diff:10.1e}" if frame == "auto" else ""
        print(f"{label:18s} {nb:7d} {info['frame']:>6s} {info['iterations']:12d} {cpu:7.2f} {tail}")
ratio = total["lab"] / total["auto"]
print(f"all points: real frame {total['auto']:.1f} s, lab frame {total['lab']:.1f} s: {ratio:.2f}x")
