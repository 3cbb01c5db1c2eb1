"""Cost of the last workflow run, per dataset and per method, from Snakemake's ``benchmark:`` files
and the run's log.

Usage: python benchmarks/workflow_cost.py [DIR] [--cores 2] [--markdown]

DIR is the workflow's directory (default: here); it reads DIR/logs/*/*.benchmark.tsv (one per
compute job), DIR/config.yaml (each dataset's method) and the newest DIR/.snakemake/log/*.log
(when the run started and finished: its wall time, if it ran to the end). Prints, per dataset:
jobs, summed job wall time (s), the largest peak memory (MB), and the wall time that work needs on
--cores cores when the jobs pack perfectly (a lower bound); then the same per method, and the
run's wall time. ``--markdown``: the per-method table as the README's cost table.
"""

import argparse
import csv
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import yaml

ap = argparse.ArgumentParser()
ap.add_argument("dir", nargs="?", default=".")
ap.add_argument("--cores", type=int, default=2)
ap.add_argument("--markdown", action="store_true", help="print the per-method table in Markdown")
args = ap.parse_args()
root = Path(args.dir)

seconds, rss, jobs = defaultdict(float), defaultdict(float), defaultdict(int)
for path in sorted((root / "logs").glob("*/*.benchmark.tsv")):
    with path.open() as f:
        row = next(csv.DictReader(f, delimiter="\t"))
    dataset = path.parent.name
    seconds[dataset] += float(row["s"])
    rss[dataset] = max(rss[dataset], float(row["max_rss"]) if row["max_rss"] != "NA" else 0.0)
    jobs[dataset] += 1

datasets = yaml.safe_load((root / "config.yaml").read_text())["datasets"]
method = {d: datasets[d].get("method", "?") if d in datasets else "?" for d in seconds}
for d in seconds:  # the exact and the trajectory solvers of the quantum method cost differently
    if method[d] == "quantum":
        method[d] = f"quantum {datasets[d].get('solver', 'exact')}"


def run_wall(log_dir: Path):
    """Seconds from the first to the last timestamp of the newest Snakemake log, and whether the
    run finished (its last lines report all steps done)."""
    logs = sorted(log_dir.glob("*.snakemake.log"))
    if not logs:
        return None, False
    text = logs[-1].read_text()
    stamps = re.findall(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$", text, re.M)
    done = re.findall(r"^(\d+) of (\d+) steps \(100%\) done$", text, re.M)
    if len(stamps) < 2:
        return None, False
    first, last = (datetime.strptime(s, "%a %b %d %H:%M:%S %Y") for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds(), bool(done)


def table(keys, label):
    wall_head = f"wall on {args.cores} cores"
    print(f"{label:22s} {'jobs':>5s} {'job-seconds':>12s} {'peak MB':>8s} {wall_head:>16s}")
    for k in sorted(keys, key=lambda k: keys[k][1], reverse=True):
        n, s, m = keys[k]
        print(f"{k:22s} {n:5d} {s:12.0f} {m:8.0f} {s / args.cores / 60:13.1f} min")


per_dataset = {d: (jobs[d], seconds[d], rss[d]) for d in seconds}
per_method = defaultdict(lambda: [0, 0.0, 0.0])
for d, (n, s, m) in per_dataset.items():
    entry = per_method[method[d]]
    entry[0] += n
    entry[1] += s
    entry[2] = max(entry[2], m)
total = sum(seconds.values())
wall, finished = run_wall(root / ".snakemake" / "log")

if args.markdown:
    print("| method | jobs | job-seconds | share | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for k, (n, s, m) in sorted(per_method.items(), key=lambda kv: kv[1][1], reverse=True):
        print(f"| {k} | {n} | {s:.0f} | {100 * s / total:.0f} % | {m / 1024:.1f} GB |")
    print(f"| all | {sum(jobs.values())} | {total:.0f} | 100 % | {max(rss.values(), default=0) / 1024:.1f} GB |")
    if wall is not None:
        print(f"\nWall time of the run: {wall / 60:.1f} min{'' if finished else ' (not finished)'}.")
else:
    table(per_dataset, "dataset")
    print()
    table({k: tuple(v) for k, v in per_method.items()}, "method")
    peak = max(rss.values(), default=0)
    print(f"{'all':22s} {sum(jobs.values()):5d} {total:12.0f} {peak:8.0f} {total / args.cores / 60:13.1f} min")
    if wall is not None:
        note = "" if finished else " (the log does not show it finished)"
        print(f"wall time of the run: {wall:.0f} s = {wall / 60:.1f} min{note}")
