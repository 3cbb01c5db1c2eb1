"""Deterministic steady states over a two-axis sweep, with a switch-on protocol (``sweep``).

A point of a job is one line of the inner axis at one outer value, swept in one direction: with
the continuation protocols each state starts from its neighbour's, so a line is solved as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import analytic, deterministic, sweep
from ..network_spec import network_from_spec
from ..parameters import parameter_columns

METHOD = "deterministic steady state (RK4 + Newton in the co-rotating frame)"


@dataclass(frozen=True)
class Line:
    spec: dict  # the job's spec (network, axes, seed, dataset)
    outer_index: int
    protocol: str  # 'random', 'up' or 'down'

    @property
    def key(self) -> str:
        return f"{self.outer_index}_{self.protocol}"


def tables(section: dict) -> tuple[str, ...]:
    return ("sites", "bonds")


def global_sections(config: dict) -> dict:
    return {"solver": config["solver"]}


def resources(section: dict, job: dict, config: dict) -> dict:
    return {"mem_mb": 1000, "runtime": 30}


def options(spec: dict) -> deterministic.SteadyStateOptions:
    return deterministic.SteadyStateOptions(**{k: float(v) for k, v in (spec.get("solver") or {}).items()})


def points(spec: dict) -> list[Line]:
    directions = ("up", "down") if spec["protocol"] == "up_down" else (spec["protocol"],)
    return [Line(spec, i, d) for i in spec["outer_indices"] for d in directions]


def solve(line: Line, options: deterministic.SteadyStateOptions, progress=None, threads: int = 1):
    """The sweep points of one line (``sweep.SweepPoint``)."""
    spec = line.spec
    return list(
        sweep.steady_state_sweep(
            network_from_spec(spec["network"]),
            (spec["outer"]["name"], spec["outer"]["values"]),
            (spec["inner"]["name"], spec["inner"]["values"]),
            [line.outer_index],
            line.protocol,
            options,
            spec["seed"],
            spec["dataset"],
            disorder=spec["network"].get("disorder", 0.0),
            progress=None if progress is None else (lambda done, total: progress(done / total)),
        )
    )


def label(options) -> str:
    return METHOD


def point_columns(p: sweep.SweepPoint) -> dict:
    """The columns of one steady state: protocol, parameters, indices, what the solver found."""
    r = p.result
    return dict(
        protocol=p.protocol,
        disorder=p.disorder,
        realization=p.realization,
        **parameter_columns(p.network),
        outer_index=p.outer_index,
        inner_index=p.inner_index,
        kind=r.kind,
        converged=r.converged,
        omega=r.omega,
        growth_rate=r.growth_rate,
        residual=r.residual,
        t_final=r.t_final,
        Gbar=gbar(p),
    )


def gbar(p: sweep.SweepPoint) -> float:
    """Gbar = sum over loss sites of Gamma f^2(|alpha|^2) - the same over gain sites: the net
    saturable damping (Fig. 3d); NaN where the attractor is not a fixed point."""
    if p.result.kind not in deterministic.STEADY_KINDS:
        return np.nan
    net, occ = p.network, p.result.occupation

    def total(group):
        return sum(r.rate * analytic.f_squared(occ[r.site] / r.n0_ratio, net.nu) for r in group)

    return float(total(net.loss) - total(net.gain))


def frames(line: Line, points: list, dataset: str) -> dict[str, pd.DataFrame]:
    """One row per (point, site) and one per (point, bond)."""
    sites, bonds = [], []
    for p in points:
        net, r = p.network, p.result
        point = {"dataset": dataset, **point_columns(p)}
        for l in range(net.n_sites):
            sites.append(
                {
                    **point,
                    "site": l + 1,
                    "occupation": r.occupation[l],
                    "alpha_re": r.alpha[l].real,
                    "alpha_im": r.alpha[l].imag,
                }
            )
        for e, (i, j) in enumerate(net.edges):
            bonds.append(
                {
                    **point,
                    "site_from": i + 1,
                    "site_to": j + 1,
                    "J_mean": r.J_mean[e],
                    "J_min": r.J_min[e],
                    "J_max": r.J_max[e],
                }
            )
    return {"sites": pd.DataFrame(sites), "bonds": pd.DataFrame(bonds)}
