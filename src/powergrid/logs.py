"""Logging for long jobs: messages with a timestamp to a log file (or stderr)."""

from __future__ import annotations

import logging
import sys


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
