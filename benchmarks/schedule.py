"""What the job order costs: the compute jobs of the last run, packed on a few cores in two orders.

Usage: python benchmarks/schedule.py [logs] [--cores 2] [--config config.yaml]

Reads each compute job's measured wall time and thread count (``logs/<dataset>/<method>_<chunk>
.benchmark.tsv`` and the config), and its estimate (``powergrid.scheduling``), then simulates a
greedy list scheduler like Snakemake's: whenever cores are free, the ready job of highest priority
that fits starts. Prints, per method, the estimates against the measurements (the model only has
to order jobs), and the run's end (makespan) for
  - longest estimated first (the workflow's priorities, powergrid.scheduling),
  - the reference: no priorities, jobs in a random order (median and worst of 200 seeded orders,
    which is what equal priorities leave to chance),
  - the lower bound max(core-seconds / cores, longest job), where a job of k threads holds k cores.
"""

import argparse
import csv
import heapq
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from powergrid import methods, scheduling

ap = argparse.ArgumentParser()
ap.add_argument("logs", nargs="?", default="logs")
ap.add_argument("--cores", type=int, default=2)
ap.add_argument("--config", default="config.yaml")
args = ap.parse_args()

config = yaml.safe_load(Path(args.config).read_text())
jobs = []  # (dataset, method, chunk, measured s, estimated s, threads)
for path in sorted(Path(args.logs).glob("*/*.benchmark.tsv")):
    dataset = path.parent.name
    method, chunk = path.name.removesuffix(".benchmark.tsv").rsplit("_", 1)
    section = config["datasets"].get(dataset)
    if section is None or method not in methods.NAMES or not chunk.isdigit():
        continue
    module = methods.load(method)
    section = {**section, "dataset": dataset}
    all_jobs = scheduling.dataset_jobs(section, config)
    if int(chunk) >= len(all_jobs):
        continue
    with path.open() as f:
        measured = float(next(csv.DictReader(f, delimiter="\t"))["s"])
    threads = min(args.cores, module.threads(config) if hasattr(module, "threads") else 1)
    estimate = scheduling.estimated_seconds(method, section, all_jobs[int(chunk)], config)
    jobs.append((dataset, method, int(chunk), measured, estimate, threads))
if not jobs:
    raise SystemExit(f"no compute benchmark files under {args.logs}/")


def makespan(order: list[int]) -> float:
    """Greedy list scheduling: the first job in ``order`` that fits the free cores starts."""
    free, now, running, waiting = args.cores, 0.0, [], list(order)
    while waiting or running:
        started = True
        while started:
            started = False
            for i in waiting:
                if jobs[i][5] <= free:
                    waiting.remove(i)
                    free -= jobs[i][5]
                    heapq.heappush(running, (now + jobs[i][3], i))
                    started = True
                    break
        now, i = heapq.heappop(running)
        free += jobs[i][5]
    return now


print(f"{len(jobs)} compute jobs from {args.logs}/, {args.cores} cores\n")
print(f"{'method':16s} {'jobs':>5s} {'measured s':>11s} {'estimated s':>12s} {'median est/meas':>16s}")
by_method = defaultdict(list)
for j in jobs:
    by_method[j[1]].append(j)
for m, js in sorted(by_method.items(), key=lambda kv: -sum(j[3] for j in kv[1])):
    ratio = np.median([j[4] / max(j[3], 1e-3) for j in js])
    print(f"{m:16s} {len(js):5d} {sum(j[3] for j in js):11.0f} {sum(j[4] for j in js):12.0f} {ratio:16.2f}")
measured = np.array([j[3] for j in jobs])
estimated = np.array([j[4] for j in jobs])
rank = np.corrcoef(np.argsort(np.argsort(measured)), np.argsort(np.argsort(estimated)))[0, 1]
print(f"rank correlation of estimate and measurement over all jobs: {rank:.2f}\n")

longest_first = sorted(range(len(jobs)), key=lambda i: -jobs[i][4])
rng = np.random.default_rng(20221005)
random_orders = [makespan(list(rng.permutation(len(jobs)))) for _ in range(200)]
core_seconds = sum(j[3] * j[5] for j in jobs)  # a job of 2 threads holds 2 cores
bound = max(core_seconds / args.cores, measured.max())
lpt = makespan(longest_first)
print(f"job-seconds {measured.sum():.0f}, core-seconds {core_seconds:.0f}, longest job {measured.max():.0f} s")
print(f"run ends after (simulated, {args.cores} cores):")
print(f"  longest estimated first (the workflow): {lpt:8.0f} s  ({lpt / bound:.3f} x lower bound)")
print(
    f"  random order (reference), median:      {np.median(random_orders):8.0f} s  "
    f"({np.median(random_orders) / bound:.3f} x lower bound); worst {max(random_orders):.0f} s"
)
print(f"  lower bound:                           {bound:8.0f} s")
print(f"  reference / workflow = {np.median(random_orders) / lpt:.3f} (median), {max(random_orders) / lpt:.3f} (worst)")
