# Config validation and helpers shared by all rule files.

import hashlib
import json
import os
import sys
from pathlib import Path

SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, SRC)
# Jobs import the package from this checkout, in any software environment.
os.environ.update(PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p))
# One BLAS/OpenMP thread per job: Snakemake parallelises over jobs.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

from powergrid.config import validate_config
from powergrid.datasets import axis_values, chunks

# Validated with the schema's defaults filled in, in place (as snakemake.utils.validate does), so
# that report captions, which read the workflow's config, see the same values as the jobs.
_validated = validate_config(config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml")
config.clear()
config.update(_validated)
DATASETS = config["datasets"]
ENV = "../../envs/powergrid.yaml"


wildcard_constraints:
    dataset=r"[A-Za-z0-9_]+",
    chunk=r"\d+",


def datasets_with(method):
    return [name for name, d in DATASETS.items() if d["method"] == method]


def one_of(names):
    """Wildcard constraint matching exactly these names (none at all if the list is empty)."""
    return "|".join(names) or "(?!)"


def dataset_chunks(dataset):
    d = DATASETS[dataset]
    return chunks(len(axis_values(d["outer"])), config["chunk_size"])


def sde_jobs(dataset):
    """(outer indices, first trajectory, trajectories) of each job of an SDE dataset: chunks of
    the outer axis times blocks of the ensemble (config sde.trajectories_per_job)."""
    n_traj, per_job = DATASETS[dataset]["trajectories"], config["sde"]["trajectories_per_job"]
    blocks = [(first, min(per_job, n_traj - first)) for first in range(0, n_traj, per_job)]
    return [(indices, first, count) for indices in dataset_chunks(dataset) for first, count in blocks]


def job_count(dataset):
    if DATASETS[dataset]["method"] == "sde":
        return len(sde_jobs(dataset))
    return len(dataset_chunks(dataset))


def dataset_spec(dataset, outer_indices):
    """Everything one compute job depends on, as canonical JSON (a no-op edit of the config,
    such as 1e-3 written 0.001 or reordered keys, gives the same string and reruns nothing).
    Keys used only by analysis rules (fit_*) are left out, so editing them reruns no solver."""
    d = DATASETS[dataset]
    spec = {key: value for key, value in d.items() if not key.startswith("fit_")}
    spec.update(
        dataset=dataset,
        outer={"name": d["outer"]["name"], "values": axis_values(d["outer"])},
        outer_indices=outer_indices,
        inner={"name": d["inner"]["name"], "values": axis_values(d["inner"])},
        seed=config["seed"],
    )
    if d["method"] in ("steady_state", "relaxation"):
        spec["solver"] = config["solver"]
    if d["method"] == "relaxation":
        spec["relaxation"] = config["relaxation"]
    if d["method"] == "sde":
        # threads and the split of ensembles into jobs do not change the numbers
        spec["sde"] = {"dt": config["sde"]["dt"]}
    return spec


def chunk_spec(wildcards):
    if DATASETS[wildcards.dataset]["method"] == "sde":
        indices, first, count = sde_jobs(wildcards.dataset)[int(wildcards.chunk)]
        spec = dataset_spec(wildcards.dataset, indices)
        spec["block"] = {"first": first, "count": count}  # this job's trajectories
    else:
        spec = dataset_spec(wildcards.dataset, dataset_chunks(wildcards.dataset)[int(wildcards.chunk)])
    return json.dumps(spec, sort_keys=True)


def whole_spec(wildcards):
    n = len(axis_values(DATASETS[wildcards.dataset]["outer"]))
    return json.dumps(dataset_spec(wildcards.dataset, list(range(n))), sort_keys=True)


def code_version(*modules):
    """Content hash of the package modules a job runs: Snakemake does not track imported code,
    so an edit of a solver reruns the jobs that use it (and a touch without a change does not)."""
    digest = hashlib.sha256()
    for m in modules:
        digest.update((Path(SRC) / "powergrid" / f"{m}.py").read_bytes())
    return digest.hexdigest()[:16]


def sde_minutes(wildcards):
    """Minutes to declare for an SDE job (SLURM): 5x its site-steps at 2e-8 s each (measured: about
    1e-8 s per site-step and thread, benchmarks/sde.py), plus 10 minutes."""
    d = DATASETS[wildcards.dataset]
    indices, _, count = sde_jobs(wildcards.dataset)[int(wildcards.chunk)]
    dt = min([config["sde"]["dt"]] + [v for a in ("outer", "inner") if d[a]["name"] == "dt" for v in axis_values(d[a])])
    steps = (d["t_transient"] + d["t_average"]) / dt
    site_steps = len(indices) * len(axis_values(d["inner"])) * count * steps * d["network"]["n_sites"]
    return int(10 + 5 * site_steps * 2e-8 / 60)


def sde_chunk_tables(table):
    return lambda wc: expand(
        "results/{dataset}/chunks/{chunk}/{table}.parquet",
        dataset=wc.dataset,
        chunk=range(job_count(wc.dataset)),
        table=table,
    )


def quantum_mem_mb(wildcards):
    """Memory to declare for a quantum job: the solver's estimate for its largest truncation, +25 %."""
    from powergrid.quantum_sweeps import memory_bytes

    return int(1.25 * memory_bytes(DATASETS[wildcards.dataset]) / 1e6) + 100
