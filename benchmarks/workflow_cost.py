"""Cost of the last workflow run, per dataset, from Snakemake's ``benchmark:`` files.

Usage: python benchmarks/workflow_cost.py [logs] [--cores 2]
Prints, per dataset: jobs, summed job wall time (s), the largest peak memory (MB), and the
wall time that work needs on --cores cores when the jobs pack perfectly (a lower bound).
"""

import argparse
import csv
from collections import defaultdict
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("logs", nargs="?", default="logs")
ap.add_argument("--cores", type=int, default=2)
args = ap.parse_args()

seconds, rss, jobs = defaultdict(float), defaultdict(float), defaultdict(int)
for path in sorted(Path(args.logs).glob("*/*.benchmark.tsv")):
    with path.open() as f:
        row = next(csv.DictReader(f, delimiter="\t"))
    dataset = path.parent.name
    seconds[dataset] += float(row["s"])
    rss[dataset] = max(rss[dataset], float(row["max_rss"]) if row["max_rss"] != "NA" else 0.0)
    jobs[dataset] += 1

print(
    f"{'dataset':18s} {'jobs':>5s} {'job-seconds':>12s} {'peak MB':>8s} {'wall on ' + str(args.cores) + ' cores':>16s}"
)
for d in sorted(seconds, key=seconds.get, reverse=True):
    print(f"{d:18s} {jobs[d]:5d} {seconds[d]:12.0f} {rss[d]:8.0f} {seconds[d] / args.cores / 60:13.1f} min")
total = sum(seconds.values())
print(
    f"{'all':18s} {sum(jobs.values()):5d} {total:12.0f} {max(rss.values(), default=0):8.0f} "
    f"{total / args.cores / 60:13.1f} min"
)
