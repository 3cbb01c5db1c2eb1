"""Relaxation times (Fig. 3c, Appendix F): the steady states of a sweep, each kicked at the gain
site and relaxed without noise. A point is a line of the inner axis, as for ``steady_state``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import deterministic
from ..relaxation import RelaxationOptions, relaxation_time
from . import steady_state

METHOD = "relaxation time, Appendix F procedure"
points = steady_state.points


@dataclass(frozen=True)
class Options:
    steady_state: deterministic.SteadyStateOptions
    relaxation: RelaxationOptions
    directions: tuple[str, ...]  # kick directions, one row each


def tables(section: dict) -> tuple[str, ...]:
    return ("relaxation",)


def global_sections(config: dict) -> dict:
    return {"solver": config["solver"], "relaxation": config["relaxation"]}


def resources(section: dict, job: dict, config: dict) -> dict:
    return {"mem_mb": 1000, "runtime": 60}


def options(spec: dict) -> Options:
    relax = RelaxationOptions(kick=float(spec["kick"]), **{k: float(v) for k, v in (spec["relaxation"] or {}).items()})
    return Options(steady_state.options(spec), relax, tuple(spec["directions"]))


def solve(line: steady_state.Line, options: Options, progress=None, threads: int = 1):
    """[(sweep point, kick, direction, Relaxation or None)] along the line; None where the
    attractor is not a fixed point (nothing to relax to)."""
    out = []
    states = steady_state.solve(line, options.steady_state)
    for k, p in enumerate(states):
        fixed = p.result.kind in ("stationary", "rotating")
        for d in options.directions:
            r = relaxation_time(p.network, p.result, d, options.relaxation) if fixed else None
            out.append((p, options.relaxation.kick, d, r))
        if progress is not None:
            progress((k + 1) / len(states))
    return out


def label(options) -> str:
    return METHOD


def frames(line, solved, dataset: str) -> dict[str, pd.DataFrame]:
    """One row per (sweep point, kick direction): tau_r of the point's fixed point (NaN, with
    meaningful = False, where the attractor is not a fixed point or did not relax)."""
    rows = []
    for p, kick, direction, r in solved:
        row = {
            "dataset": dataset,
            **steady_state.point_columns(p),
            "direction": direction,
            "kick": kick,
            "tau": np.nan,
            "t_hi": np.nan,
            "t_lo": np.nan,
            "relaxed": False,
            "tau_linear": np.nan,
        }
        if r is not None:
            row.update(tau=r.tau, t_hi=r.t_hi, t_lo=r.t_lo, relaxed=r.relaxed, tau_linear=r.tau_linear)
        row["meaningful"] = bool(row["relaxed"] and row["t_hi"] > 0)
        rows.append(row)
    return {"relaxation": pd.DataFrame(rows)}
