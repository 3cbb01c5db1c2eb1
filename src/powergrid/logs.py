"""Logging for long jobs: messages with a timestamp to a log file (or stderr)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable


def job_logger(name: str, path: str | None = None) -> logging.Logger:
    """A logger writing '[time] message' lines to ``path`` (appending) or to stderr. With a path,
    stderr goes there too, so that a job's traceback or warnings end up in its log."""
    if path:
        sys.stderr = open(path, "a", buffering=1)  # noqa: SIM115 - lives as long as the job
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(handler)
    return logger


class ProgressLog:
    """Calls ``log`` with the fraction done, the pace and the time left, at most every
    ``interval`` seconds (and at the end). ``done`` may be fractional (a point under way)."""

    def __init__(self, log: Callable[[str], None], interval: float = 10.0):
        self.log, self.interval = log, interval
        self.start = self.last = time.monotonic()

    def __call__(self, done: float, total: int):
        now = time.monotonic()
        if now - self.last < self.interval and done < total:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        pace = f"{done / elapsed:.1f} points/s" if done >= elapsed else f"{elapsed / max(done, 1e-9):.1f} s per point"
        left = (total - done) * elapsed / done if done > 0 else float("inf")
        self.log(f"{done:g}/{total} points ({100 * done / total:.0f}%), {pace}, about {left:.0f} s left")
