"""Compute methods: one adapter module per method, all of one shape.

Each module of this package turns a dataset's config section into numbers in the same way:

    tables(section) -> tuple[str, ...]       # the tables one job writes
    options(spec) -> Options                 # frozen, validated solver options, parsed once
    points(spec) -> list[Point]              # the job's points; each has a unique .key
    solve(point, options, progress=None, threads=1) -> result
    frames(point, result, dataset) -> dict[str, DataFrame]   # tidy rows, shared parameter columns
    label(options) -> str                    # the method, as recorded in the tables' metadata

and optionally ``jobs(section, config) -> list[dict]`` (what each job adds to the dataset's spec;
default ``chunked_jobs``, one job per chunk of the outer axis), ``global_sections(config)``
(global config sections that enter the spec), ``metadata(options) -> dict`` (more for the tables'
metadata), ``resources(section, job, config)`` (mem_mb and
runtime in minutes, for a cluster; default ``DEFAULT_RESOURCES``) and ``threads(config)`` (1).
``powergrid.runner.run_job`` runs any of them: resume, progress, atomic writes. The workflow makes
one compute rule per method, so a new method is one module here plus its schema definition.

Modules are imported by name (``load``), never all at once: a job's code version is the import
closure of its own method, so editing one solver reruns only the jobs that use it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ..parameters import axis_values, chunks

DEFAULT_RESOURCES = {"mem_mb": 1000, "runtime": 60}
NAMES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def load(name: str) -> ModuleType:
    if name not in NAMES:
        raise ValueError(f"unknown method {name!r}; the methods are {', '.join(NAMES)}")
    return importlib.import_module(f"{__name__}.{name}")


def chunked_jobs(section: dict, config: dict) -> list[dict]:
    """One job per chunk of the outer axis (config ``chunk_size``)."""
    n_outer = len(axis_values(section["outer"]))
    return [{"outer_indices": indices} for indices in chunks(n_outer, config["chunk_size"])]


def grid(spec: dict):
    """(outer index, inner index, {axis: value}) of every point of a job, outer-major."""
    outer, inner = spec["outer"], spec["inner"]
    for i in spec["outer_indices"]:
        for j, value in enumerate(inner["values"]):
            yield i, j, {outer["name"]: outer["values"][i], inner["name"]: value}
