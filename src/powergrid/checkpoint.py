"""Resumable jobs: the finished points of a long job, kept until the job's output is written.

A job that runs many expensive points saves each one as it finishes (``PointCache.save``) in a
scratch directory next to its outputs. If the job is killed, the rerun loads those points
(``load``) instead of recomputing them. Every file carries the job's key (a hash of everything
the job depends on: its spec and the code version), so a point from a job with other parameters
or other code is never reused: ``open`` deletes such files. The job removes the directory once
its outputs are in place (``clear``). Files are written atomically (tables.write_table).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd

from . import tables


class PointCache:
    def __init__(self, directory, key: str):
        self.directory = Path(directory)
        self.key = hashlib.sha256(key.encode()).hexdigest()[:16]

    def open(self) -> list[str]:
        """Create the directory, drop files of other keys; the names of the points kept."""
        self.directory.mkdir(parents=True, exist_ok=True)
        kept = set()
        for path in self.directory.iterdir():
            key, _, rest = path.name.partition("__")
            if key != self.key or not path.name.endswith(".parquet"):
                path.unlink()
            else:
                kept.add(rest.split("__")[0])
        return sorted(kept)

    def _path(self, point: str, frame: str) -> Path:
        return self.directory / f"{self.key}__{point}__{frame}.parquet"

    def save(self, point: str, frames: dict[str, pd.DataFrame]) -> None:
        # The marker goes last: a point counts as saved only when all its frames are on disk.
        for name, df in frames.items():
            tables.write_table(df, self._path(point, name), {"checkpoint": point})
        tables.write_table(pd.DataFrame({"frames": sorted(frames)}), self._path(point, "done"), {})

    def load(self, point: str) -> dict[str, pd.DataFrame] | None:
        """The frames of a finished point, or None."""
        done = self._path(point, "done")
        if not done.exists():
            return None
        try:
            names = tables.read_table(done)["frames"].tolist()
            return {name: tables.read_table(self._path(point, name)) for name in names}
        except tables.TableError:
            return None  # damaged: recompute the point

    def load_or_compute(self, point: str, compute) -> dict[str, pd.DataFrame]:
        """The frames of ``point``: from the cache, or from ``compute()``, saved before returning."""
        done = self.load(point)
        if done is None:
            done = compute()
            self.save(point, done)
        return done

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
