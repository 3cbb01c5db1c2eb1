"""The one chunk runner: any method's job, from its spec to its tables.

``run_job`` solves the job's points one after another, logs progress, keeps every finished point
in a checkpoint next to the outputs (``checkpoint.PointCache``: a killed job resumes where it
stopped, and a point of other parameters or other code is never reused), and writes each table
atomically once all points are done. ``job_frames`` does the same in memory, for tests and
notebooks. A point that fails (a diverging trajectory, a leaking truncation) fails the job before
any table is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pandas as pd

from . import tables as table_io
from .checkpoint import PointCache
from .logs import ProgressLog


def _frames_of(method: ModuleType, spec: dict, threads: int, log, solved_point):
    """Frames of every point of the job, each from ``solved_point(point, compute)``."""
    opts = method.options(spec)
    points = method.points(spec)
    log(
        f"{spec['dataset']}: {len(points)} points ({spec['outer']['name']} x {spec['inner']['name']}), "
        f"{method.label(opts)}; {opts}"
    )
    progress = ProgressLog(log, interval=30.0)
    out = []
    for k, point in enumerate(points):

        def compute(point=point, k=k):
            result = method.solve(
                point, opts, threads=threads, progress=lambda f: progress(round(k + f, 2), len(points))
            )
            if hasattr(method, "summary"):
                log(f"point {point.key}: {method.summary(point, result)}")
            return method.frames(point, result, spec["dataset"])

        out.append(solved_point(point, compute))
        progress(k + 1, len(points))
    return opts, out


def job_frames(method: ModuleType, spec: dict, threads: int = 1, log=lambda _: None) -> dict[str, pd.DataFrame]:
    """The tables of one job, in memory (no checkpoint, no files)."""
    _, frames = _frames_of(method, spec, threads, log, lambda point, compute: compute())
    return {name: pd.concat([f[name] for f in frames], ignore_index=True) for name in frames[0]}


def run_job(method: ModuleType, spec: dict, outputs: dict, code: str = "", threads: int = 1, log=print) -> None:
    """Run one job and write its tables to ``outputs`` ({table: path}). ``code`` is the job's
    code version: with the spec, it keys the checkpoint and is recorded in the tables."""
    first = Path(next(iter(outputs.values())))
    cache = PointCache(first.parent / "checkpoint", json.dumps(spec, sort_keys=True) + code)
    restored = cache.open()
    if restored:
        log(f"resuming: {len(restored)} finished points in the checkpoint")
    opts, frames = _frames_of(
        method, spec, threads, log, lambda point, compute: cache.load_or_compute(point.key, compute)
    )
    meta = {
        "method": method.label(opts),
        "spec": spec,
        **table_io.dataset_provenance(spec),
        "job_hash": table_io.spec_hash(spec),
        "code": code,
    }
    if hasattr(method, "metadata"):  # what else decides the numbers (e.g. the SDE's normals)
        meta.update(method.metadata(opts))
    for name, path in outputs.items():
        table_io.write_table(pd.concat([f[name] for f in frames], ignore_index=True), path, meta)
    cache.clear()
    log(f"wrote {len(frames)} points")
