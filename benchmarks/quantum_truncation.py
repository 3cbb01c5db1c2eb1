"""Per-point Fock truncations against one truncation per curve (the survey's, which they replace).

Usage: python benchmarks/quantum_truncation.py [--quick]

Points of the default config's exact quantum datasets are solved twice in one process, one BLAS
thread (as a workflow job runs): at their per-point truncation from ``config.yaml`` (n_basis and
k_max per point) and at the one truncation per curve that every point used before, without a cap
(``SURVEY`` below: the survey the per-point lists were read from). Prints CPU seconds, the
preconditioner applications, the ratio, the largest population each truncation cuts, and the
relative change of Delta J, <J> and the occupations between the two. ``--quick``: three cheap
points (~30 s).
"""

import argparse
import functools
import os
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"  # one thread, as a workflow job runs (before numpy is imported)

import numpy as np  # noqa: E402 (after the thread variables)
import yaml  # noqa: E402

from powergrid import quantum  # noqa: E402
from powergrid.methods import quantum as quantum_method  # noqa: E402

print = functools.partial(print, flush=True)

ROOT = Path(__file__).resolve().parents[1]
# The truncation per curve (one per inner value, no cap) that the per-point lists replace
SURVEY = {"fig4a_quantum": [100, 130], "fig4b": [50, 80, 110], "figS2_quantum": [90]}
# (dataset, outer index, inner index): each curve's most expensive kind of point and a cheap one
POINTS = [
    ("fig4a_quantum", 7, 0),  # n0 = 1 at its peak, Gamma_e = 3.25 g
    ("fig4a_quantum", 0, 0),  # n0 = 1, Gamma_e = 0.5 g: both sites full
    ("fig4a_quantum", 16, 0),  # n0 = 1, Gamma_e = 8 g
    ("fig4a_quantum", 7, 1),  # n0 = 2 at its peak
    ("fig4b", 15, 2),  # n0 = 5 at its negativity maximum, Gamma_e = 5.25 g
    ("fig4b", 0, 2),  # n0 = 5, Gamma_e = 0.25 g
    ("figS2_quantum", 6, 0),  # n0 = 15, Gamma_e = 3 g
]
QUICK = [("fig4a_quantum", 16, 0), ("fig4b", 15, 0), ("fig4b", 20, 1)]


def spec_of(name: str, config: dict) -> dict:
    section = config["datasets"][name]
    count = len(section["outer"]["values"])
    return {
        **section,
        "dataset": name,
        "seed": config["seed"],
        "outer_indices": list(range(count)),
        "leak_bound": section.get("leak_bound", 1e-6),
    }


def solve(net, n_basis, k_max):
    t = time.process_time()
    r = quantum.exact_steady_state(net, n_basis, k_max=k_max)
    return r, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="three cheap points (a check, not the numbers)")
    args = ap.parse_args()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    quantum.exact_steady_state(quantum_method.points(spec_of("fig4b", config))[0].network, 6)  # compile
    head = ("dataset", "Ge", "n0", "per point", "apps", "CPU s", "per curve", "apps", "CPU s", "ratio", "cut")
    print(
        "{:14s} {:>5s} {:>4s} {:>10s} {:>5s} {:>7s} {:>9s} {:>5s} {:>7s} {:>6s} {:>17s}  max rel change".format(*head)
    )
    total = np.zeros(2)
    for name, i, j in QUICK if args.quick else POINTS:
        point = next(
            p for p in quantum_method.points(spec_of(name, config)) if (p.outer_index, p.inner_index) == (i, j)
        )
        new, t_new = solve(point.network, point.n_basis, point.k_max)
        old, t_old = solve(point.network, SURVEY[name][j], None)
        total += (t_new, t_old)
        change = max(
            float(np.max(np.abs(getattr(new, k) / getattr(old, k) - 1))) for k in ("J_std", "J_mean", "occupation")
        )
        cut = (max(np.max(new.leak), new.leak_total), np.max(old.leak))
        print(
            f"{name:14s} {point.axes['gamma_e']:5.2f} {point.axes['n0']:4g} {point.n_basis:4d}/{point.k_max:<5d} "
            f"{new.iterations:5d} {t_new:7.2f} {SURVEY[name][j]:9d} {old.iterations:5d} {t_old:7.2f} "
            f"{t_old / t_new:6.2f} {cut[0]:8.1e}/{cut[1]:8.1e}  {change:.1e}"
        )
    print(f"all points: per point {total[0]:.1f} s, per curve {total[1]:.1f} s: {total[1] / total[0]:.2f}x")


if __name__ == "__main__":
    main()
