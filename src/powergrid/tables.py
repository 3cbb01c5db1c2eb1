"""Tables: tidy pandas frames <-> Parquet files with provenance in the schema metadata.

Writes go to a temporary file in the target directory and are moved into place with os.replace,
so a killed job never leaves a half-written table behind.
"""

from __future__ import annotations

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


class TableError(RuntimeError):
    pass


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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path) -> pd.DataFrame:
    """Read a table; a missing, truncated or corrupted file raises TableError naming it."""
    try:
        return pq.read_table(path, page_checksum_verification=True).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise TableError(f"cannot read table {path}: {err} (delete it and rerun the job that makes it)") from err


def read_meta(path) -> dict:
    try:
        raw = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException) as err:
        raise TableError(f"cannot read table {path}: {err}") from err
    return json.loads(raw[META_KEY]) if META_KEY in raw else {}


def concat_tables(paths, out, meta: dict) -> pd.DataFrame:
    """Aggregate chunk tables into one, in the order given, keeping the chunks' metadata."""
    frames = [read_table(p) for p in paths]
    if not frames:
        raise TableError(f"no chunk tables to aggregate into {out}")
    df = pd.concat(frames, ignore_index=True)
    chunk_meta = read_meta(paths[0])
    chunk_meta.pop("provenance", None)
    chunk_meta.get("spec", {}).pop("outer_indices", None)  # the first job's; the table holds all
    write_table(df, out, {**chunk_meta, **meta, "chunks": len(frames)})
    return df


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
