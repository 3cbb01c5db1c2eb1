"""CPU of the exact transition lines against the CPU of the Fig. 2a grid, from one run.

The lines: the default ``extra_phase_lines`` job (N = 10, gamma = 1e-3): the seeded starts and
their one-parameter continuation at Gamma_i = 8, every fold, branch and stability-bounding Hopf
point followed across Gamma_i in [0, 8], and the zero state's boundary on 161 values of Gamma_i.
The grid: the default ``fig2a`` job (201 x 201 seeded random starts), in full with --full, or on
every k-th value of Gamma_i (--every k, default 10; its CPU scaled by the fraction of the grid
it covers: an estimate, printed as such). Both in this process, one after the other, timed by
process CPU time. Target of the issue: lines <= 1/10 of the grid.

Usage: python benchmarks/bifurcation_lines.py [--every 10 | --full]
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import yaml

from powergrid import methods
from powergrid.parameters import axis_values
from powergrid.runner import job_frames

ROOT = Path(__file__).resolve().parents[1]


def spec_of(cfg, dataset):
    d = cfg["datasets"][dataset]
    spec = {**d, "dataset": dataset, "solver": cfg["solver"], "seed": cfg["seed"]}
    for axis in ("outer", "inner"):
        spec[axis] = {"name": d[axis]["name"], "values": axis_values(d[axis])}
    return spec


def cpu(method, spec):
    t0 = time.process_time()
    frames = job_frames(methods.load(method), spec)
    return time.process_time() - t0, frames


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--every", type=int, default=10, help="time every k-th Gamma_i of the grid and scale")
    group.add_argument("--full", action="store_true", help="time the whole grid")
    args = ap.parse_args()
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())

    lines = spec_of(cfg, "extra_phase_lines")
    lines["outer_indices"] = list(range(len(lines["outer"]["values"])))
    job_frames(methods.load("continuation"), {**lines, "lines": {**lines["lines"], "points": 2}})  # compile
    t_lines, frames = cpu("continuation", lines)
    table = frames["lines"]
    followed = table[table["kind"] != "zero"].groupby(["outer_index", "line"]).ngroups
    print(
        f"lines (extra_phase_lines): {followed} lines, {len(table)} points, "
        f"{lines['lines']['points']} values for the zero state's boundary: {t_lines:.1f} s CPU"
    )

    grid = spec_of(cfg, "fig2a")
    n_outer = len(grid["outer"]["values"])
    taken = list(range(n_outer)) if args.full else list(range(0, n_outer, args.every))
    grid["outer_indices"] = taken
    t_part, _ = cpu("steady_state", grid)
    t_grid = t_part * n_outer / len(taken)
    what = "measured" if args.full else f"estimated from {len(taken)} of {n_outer} values of Gamma_i"
    print(
        f"Fig. 2a grid ({n_outer} x {len(grid['inner']['values'])} points): {t_part:.1f} s CPU on "
        f"{len(taken)} rows -> {t_grid:.0f} s CPU for the grid ({what})"
    )
    print(f"lines / grid = {t_lines / t_grid:.3f} (target <= 0.1)")
