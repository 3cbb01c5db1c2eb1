"""Wall time of a part of the default workflow, recomputed from scratch on this machine.

Usage: python benchmarks/datasets_wall.py DATASET [DATASET ...] [--cores 2]
       python benchmarks/datasets_wall.py --issue relaxation|sde|quantum   (one family, below)

Runs ``snakemake --cores N --forceall`` on the tables the figures read from these datasets
(every job behind them is recomputed, nothing else), then prints the wall time of that run and,
from the jobs' ``benchmark:`` files, each dataset's jobs, job-seconds and peak memory. Results
land in results/ as in a normal run.
"""

import argparse
import csv
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from powergrid.plotting import TABLES

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = {
    # relaxation times, disorder, universality (Fig. 3c, S5/9, S6, S7/7a-c, S9/8a)
    "relaxation": ["fig3c", "figS5a", "figS5b", "figS6", "figS7a", "figS7bcd", "figS9_equal", "figS9_unequal"],
    "sde": ["fig3", "fig3b", "fig5", "figS8", "figS10", "fig8b", "fig4a_sde", "figS2_sde", "sde_convergence"],
    "quantum": [
        "fig4a_quantum",
        "fig4a_quantum_peak",
        "fig4b",
        "figS2_quantum",
        "extra_quantum_n3",
        "quantum_truncation",
    ],
}

ap = argparse.ArgumentParser()
ap.add_argument("datasets", nargs="*")
ap.add_argument("--issue", choices=sorted(FAMILIES))
ap.add_argument("--cores", type=int, default=2)
args = ap.parse_args()
datasets = args.datasets + (FAMILIES[args.issue] if args.issue else [])
if not datasets:
    sys.exit("name datasets or --issue")
targets = sorted({f"results/{t}.parquet" for tables in TABLES.values() for t in tables if t.split("/")[0] in datasets})
missing = set(datasets) - {t.split("/")[1] for t in targets}
if missing:
    sys.exit(f"no figure reads these datasets: {sorted(missing)}")

start = time.time()
run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--forceall", *targets], cwd=ROOT)
wall = time.time() - start
if run.returncode:
    sys.exit(f"snakemake failed (exit {run.returncode})")

seconds, rss, jobs = defaultdict(float), defaultdict(float), defaultdict(int)
for d in datasets:
    for path in (ROOT / "logs" / d).glob("*.benchmark.tsv"):
        if path.stat().st_mtime < start:
            continue  # a job of another run
        with path.open() as f:
            row = next(csv.DictReader(f, delimiter="\t"))
        seconds[d] += float(row["s"])
        rss[d] = max(rss[d], float(row["max_rss"]) if row["max_rss"] != "NA" else 0.0)
        jobs[d] += 1
print(f"{'dataset':20s} {'jobs':>5s} {'job-seconds':>12s} {'peak MB':>8s}")
for d in datasets:
    print(f"{d:20s} {jobs[d]:5d} {seconds[d]:12.0f} {rss[d]:8.0f}")
print(f"{'all':20s} {sum(jobs.values()):5d} {sum(seconds.values()):12.0f} {max(rss.values(), default=0):8.0f}")
print(f"wall time of the run on {args.cores} cores: {wall / 60:.1f} min ({len(targets)} tables)")
