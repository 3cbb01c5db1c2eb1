# Config validation and helpers shared by all rule files.

import functools
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

from snakemake.exceptions import WorkflowError

from powergrid import codeversion, methods, scheduling, tables
from powergrid.config import ConfigError, check_unique_keys, validate_config
from powergrid.parameters import axis_values

# What the user wrote, before Snakemake's YAML loader keeps the last of two equal keys silently.
for _path in workflow.overwrite_configfiles or workflow.configfiles:
    check_unique_keys(_path)
if not workflow.overwrite_configfiles and "datasets" in workflow.config_settings.overwrite_config:
    raise ConfigError(
        "config: --config datasets=... would be merged key by key into the datasets of config.yaml; "
        "put your datasets in a file and pass it with --configfile (it then replaces config.yaml)"
    )

# Validated with the schema's defaults filled in, in place (as snakemake.utils.validate does), so
# that report captions, which read the workflow's config, see the same values as the jobs.
_validated = validate_config(config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml")
config.clear()
config.update(_validated)
DATASETS = config["datasets"]
ENV = "../../envs/powergrid.yaml"
# Methods computed by the analysis rules rather than by a compute module (powergrid.methods).
CLOSED_FORM_METHODS = ("saturation",)
for _name, _section in DATASETS.items():
    if _section["method"] not in methods.NAMES + CLOSED_FORM_METHODS:
        raise WorkflowError(
            f"config: datasets.{_name}.method = {_section['method']!r}: the schema defines it, but "
            f"src/powergrid/methods has no module {_section['method']}.py (methods: {', '.join(methods.NAMES)})"
        )


wildcard_constraints:
    dataset=r"[A-Za-z0-9_]+",
    chunk=r"\d+",


def datasets_with(method):
    return [name for name, d in DATASETS.items() if d["method"] == method]


def one_of(names):
    """Wildcard constraint matching exactly these names (none at all if the list is empty)."""
    return "|".join(names) or "(?!)"


def method_of(dataset):
    return methods.load(DATASETS[dataset]["method"])


@functools.cache
def dataset_jobs(dataset):
    """What each compute job of a dataset adds to its spec (outer indices, ensemble block):
    powergrid.scheduling.dataset_jobs, where a dataset's own chunk_size overrides the top-level one."""
    return scheduling.dataset_jobs(DATASETS[dataset], config)


def dataset_spec(dataset, **job):
    """Everything one compute job depends on, as canonical JSON (a no-op edit of the config,
    such as 1e-3 written 0.001 or reordered keys, gives the same string and reruns nothing).
    Keys used only by analysis rules (fit_*) are left out, so editing them reruns no solver."""
    d = DATASETS[dataset]
    spec = {key: value for key, value in d.items() if not key.startswith("fit_")}
    spec.update(
        dataset=dataset,
        outer={"name": d["outer"]["name"], "values": axis_values(d["outer"])},
        inner={"name": d["inner"]["name"], "values": axis_values(d["inner"])},
        seed=config["seed"],
    )
    method = method_of(dataset)
    if hasattr(method, "global_sections"):
        spec.update(method.global_sections(config))
    spec.update(job)
    return json.dumps(spec, sort_keys=True)


def job_spec(wildcards):
    return dataset_spec(wildcards.dataset, **dataset_jobs(wildcards.dataset)[int(wildcards.chunk)])


@functools.cache
def dataset_provenance(dataset):
    """What every table of a dataset records about it (powergrid.tables): its name and the hash
    of its whole spec; readers compare the tables they read with it."""
    if DATASETS[dataset]["method"] in CLOSED_FORM_METHODS:
        return {"dataset": dataset, "dataset_hash": tables.spec_hash({"dataset": dataset, **DATASETS[dataset]})}
    return tables.dataset_provenance(json.loads(dataset_spec(dataset)))


def chunk_provenance(wildcards):
    """The provenance each compute job's tables must have, in job order: dataset, job spec and
    the compute rule's code version."""
    dataset = wildcards.dataset
    code = compute_code(DATASETS[dataset]["method"])
    return [
        {"dataset": dataset, "job_hash": tables.spec_hash(json.loads(dataset_spec(dataset, **job))), "code": code}
        for job in dataset_jobs(dataset)
    ]


def compute_code(method):
    return code_version(script_path("compute_chunk"), f"powergrid.methods.{method}")


def expect_dataset(wildcards):
    return dataset_provenance(wildcards.dataset)


def job_resources(key):
    def resource(wildcards):
        method = method_of(wildcards.dataset)
        job = dataset_jobs(wildcards.dataset)[int(wildcards.chunk)]
        if not hasattr(method, "resources"):
            return methods.DEFAULT_RESOURCES[key]
        return method.resources(DATASETS[wildcards.dataset], job, config)[key]

    return resource


def job_priority(method_name):
    """Longest jobs first (powergrid.scheduling): the cores do not idle at the end of a run."""

    def priority(wildcards):
        job = dataset_jobs(wildcards.dataset)[int(wildcards.chunk)]
        return scheduling.priority(method_name, DATASETS[wildcards.dataset], job, config)

    return priority


def chunk_tables(table):
    """The tables ``table`` of every compute job of a dataset, to aggregate."""
    return lambda wc: expand(
        "results/{dataset}/chunks/{chunk}/{table}.parquet",
        dataset=wc.dataset,
        chunk=range(len(dataset_jobs(wc.dataset))),
        table=table,
    )


def script_path(name):
    return str(Path(workflow.basedir) / "workflow" / "scripts" / f"{name}.py")


@functools.cache
def code_version(*entries):
    """Content hash of the package modules a job can run: the import closure of its entry points
    (its script, and the method or plotting module it loads by name). Snakemake does not track
    imported code; with this param an edit of a module reruns exactly the jobs that import it.
    Computed once per run, so that every rule of a run sees the same versions."""
    return codeversion.code_version(*entries)


def compute_rule(method, tables):
    """Name of the compute rule of a method that writes these tables (a method whose datasets
    write different sets of tables, such as SDE with and without histograms, has one per set)."""
    extra = [t for t in tables if t not in min_tables(method)]
    return "_".join([method, *extra, "chunk"])


def min_tables(method):
    return tuple(methods.load(method).tables({}))


def figure_rule(fig):
    return f"figure_{fig.replace('-', '_')}"
