"""Tables: tidy pandas frames <-> Parquet files with provenance in the schema metadata.

Writes go to a temporary file in the target directory and are moved into place with os.replace,
so a killed job never leaves a half-written table behind; the file gets the user's umask, as any
file the user writes (a table on a shared cluster is readable by the group if the umask says so).

Every table of a dataset records what made it: ``dataset``, ``dataset_hash`` (a hash of the
dataset's whole spec: its config section with the seed and the global numerics it uses) and, for
the table of one compute job, ``job_hash`` (the job's own spec) and ``code`` (its code version).
A reader passes what it expects (``read_table(path, expect=...)``): another dataset's table, a
chunk of another job or a table of older code is refused, naming both, with the command that
recomputes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

META_KEY = b"powergrid"
JOB_KEYS = ("outer_indices", "block")  # what one job adds to its dataset's spec


class TableError(RuntimeError):
    pass


def spec_hash(spec: dict) -> str:
    """16 hex digits of the canonical JSON of a spec (key order and 1e-3 vs 0.001 do not matter)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=_json).encode()).hexdigest()[:16]


def dataset_provenance(spec: dict) -> dict:
    """``dataset`` and ``dataset_hash`` of a job's or a dataset's spec (job keys left out)."""
    whole = {k: v for k, v in spec.items() if k not in JOB_KEYS}
    return {"dataset": spec["dataset"], "dataset_hash": spec_hash(whole)}


def recompute_hint(path) -> str:
    return f"recompute it with: snakemake --cores all --forcerun {path} (and your --configfile, if you use one)"


def provenance() -> dict:
    """Package and library versions and the git commit of the code that made a table."""
    versions = {name: _version(name) for name in ("powergrid", "numpy", "scipy", "numba", "qutip")}
    return {"versions": versions, "python": platform.python_version(), "git_commit": _git_commit()}


def write_table(df: pd.DataFrame, path, meta: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    full = {**meta, "provenance": provenance()}
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(full, sort_keys=True, default=_json).encode()}
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, write_page_checksum=True)  # a flipped byte is detected on reading
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path, expect: dict | None = None) -> pd.DataFrame:
    """Read a table; a missing, truncated or corrupted file raises TableError naming it, and so
    does a table whose metadata differs from ``expect`` (e.g. another dataset's table)."""
    try:
        df = pq.read_table(path, page_checksum_verification=True).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise TableError(f"cannot read table {path}: {err}; {recompute_hint(path)}") from err
    if expect:
        check_provenance(path, expect)
    return df


def dataset_meta(job_meta: dict) -> dict:
    """The metadata of a dataset's table made from its jobs' tables: a job's, without what
    belongs to that job alone (its part of the sweep, its block of trajectories, its hash) and
    without the job's provenance block (the new table gets its own)."""
    meta = {k: v for k, v in job_meta.items() if k not in ("provenance", "job_hash", "code")}
    if "spec" in meta:
        meta["spec"] = {k: v for k, v in meta["spec"].items() if k not in JOB_KEYS}
    return meta


def check_provenance(path, expect: dict) -> None:
    """Refuse a table whose metadata disagrees with what the reader expects, naming both."""
    meta = read_meta(path)
    wrong = [
        f"{key} is {meta.get(key)!r}, expected {value!r}" for key, value in expect.items() if meta.get(key) != value
    ]
    if wrong:
        made = f"dataset {meta.get('dataset')!r}" if "dataset" in meta else "no recorded dataset"
        raise TableError(
            f"table {path} is not the table this step expects (it was made for {made}): {'; '.join(wrong)}. "
            f"It may have been copied from elsewhere or made by other code; {recompute_hint(path)}"
        )


def read_meta(path) -> dict:
    try:
        raw = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as err:
        raise TableError(f"cannot read table {path}: {err}") from err
    return json.loads(raw[META_KEY]) if META_KEY in raw else {}


def concat_tables(paths, out, meta: dict, expect: list[dict] | None = None) -> pd.DataFrame:
    """Aggregate chunk tables into one, in the order given, keeping the chunks' metadata
    (without what belongs to one job); ``expect``: the provenance each chunk must have."""
    frames = [read_table(p, e) for p, e in zip(paths, expect or [None] * len(paths))]
    if not frames:
        raise TableError(f"no chunk tables to aggregate into {out}")
    df = pd.concat(frames, ignore_index=True)
    write_table(df, out, {**dataset_meta(read_meta(paths[0])), **meta, "chunks": len(frames)})
    return df


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _version(name):
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return None


def _git_commit():
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, cwd=Path(__file__).resolve().parent
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _json(x):
    if isinstance(x, (np.integer, np.floating)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)
