"""Quantum steady states of eq. (1) over a two-axis sweep: exact (sector-resolved) or by quantum
trajectories, as the dataset's ``solver`` says.

The Fock truncation (``n_basis`` states per site and optionally ``k_max`` quanta in all) has one
entry per value of the inner axis: one truncation for that whole curve, or a list with one per
value of the outer axis (a truncation per point). A point whose top-state or top-sector population
exceeds ``leak_bound`` fails the job, naming its parameters. Exact points also record the smallest
truncation their own state needs to keep what it cuts within a tenth of that bound (``n_basis_needed``,
``k_max_needed``): a survey at a generous truncation gives the per-point truncations
(``powergrid.truncation_survey``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import quantum, quantum_trajectories
from ..model import Network
from ..network_spec import network_from_spec
from ..parameters import apply_parameter, axis_values, parameter_columns, point_seed
from . import grid


@dataclass(frozen=True)
class TrajectoryOptions:
    dt: float
    t_transient: float
    t_average: float
    count: int


@dataclass(frozen=True)
class Options:
    solver: str  # 'exact' or 'trajectories'
    leak_bound: float  # largest top-state / top-sector population accepted
    trajectories: TrajectoryOptions | None  # with solver 'trajectories'


@dataclass(frozen=True)
class Point:
    outer_index: int
    inner_index: int
    axes: dict
    network: Network
    n_basis: int
    k_max: int  # total-number cap; n_sites (n_basis - 1) when none
    seed: np.random.SeedSequence

    @property
    def key(self) -> str:
        return f"{self.outer_index}_{self.inner_index}"

    def columns(self) -> dict:
        return {
            **dict(
                outer_index=self.outer_index,
                inner_index=self.inner_index,
                **parameter_columns(self.network, noise=True),
                n_basis=self.n_basis,
                k_max=self.k_max,
            ),
            **self.axes,
        }


# The survey columns ask for a tenth of leak_bound: a truncation read off them keeps its leak check
# 10x clear, and Delta J close to the survey's (the cut populations weigh ~k^2 in <J^2>: at Fig.
# 4a's n0 = 2, Gamma_e = 0.5 g, the bound itself moved it by 7.7e-4, a tenth by 2.7e-4, against
# 20 % more states; the survey truncation's own change there was 1.6e-4).
NEEDED_MARGIN = 10.0


class Solved(NamedTuple):
    result: object  # quantum.QuantumSteadyState or quantum_trajectories.QuantumTrajectoryResult
    n_basis_needed: int  # exact: quantum.needed_truncation at leak_bound / NEEDED_MARGIN; trajectories: 0
    k_max_needed: int


def truncation_at(entry, outer_index: int) -> int:
    """A dataset's ``n_basis`` or ``k_max`` entry (one per inner value) at one outer index: the
    entry itself, or its element for that outer value when it is a per-point list. (Here, not in
    ``parameters``, which every job imports: only quantum jobs rerun when it changes.)"""
    return int(entry[outer_index] if isinstance(entry, (list, tuple)) else entry)


def truncations(section: dict, outer_indices=None) -> list[tuple[int, int, int | None]]:
    """(inner index, n_basis, k_max or None for no cap) of every point of a dataset section at
    ``outer_indices`` (default: all)."""
    if outer_indices is None:
        outer_indices = range(len(axis_values(section["outer"])))
    caps = section.get("k_max", [None] * len(section["n_basis"]))
    return [
        (j, truncation_at(nb, i), None if k is None else truncation_at(k, i))
        for i in outer_indices
        for j, (nb, k) in enumerate(zip(section["n_basis"], caps))
    ]


def tables(section: dict) -> tuple[str, ...]:
    return ("bonds", "sites", "points")


def threads(config: dict) -> int:
    # one thread: the exact solver is sequential, and single-thread trajectory jobs pack beside
    # the long exact ones (results do not depend on the thread count)
    return 1


def resources(section: dict, job: dict, config: dict) -> dict:
    """The solver's memory estimate for the job's largest truncation, +25 %."""
    return {"mem_mb": int(1.25 * memory_bytes(section, job["outer_indices"]) / 1e6) + 100, "runtime": 120}


def memory_bytes(section: dict, outer_indices=None) -> int:
    """Peak memory of the largest truncation of a dataset (of its points at ``outer_indices``)."""
    n = int(section["network"]["n_sites"])
    sizes = {(nb, k) for _, nb, k in truncations(section, outer_indices)}
    if section["solver"] == "exact":
        return max(quantum.exact_memory_bytes(n, nb, k) for nb, k in sizes)
    return max(quantum_trajectories.trajectory_memory_bytes(n, nb, k_max=k) for nb, k in sizes)


def options(spec: dict) -> Options:
    t = spec.get("trajectories") if spec["solver"] == "trajectories" else None
    return Options(
        spec["solver"],
        float(spec["leak_bound"]),
        None
        if t is None
        else TrajectoryOptions(float(t["dt"]), float(t["t_transient"]), float(t["t_average"]), int(t["count"])),
    )


def points(spec: dict) -> list[Point]:
    base = network_from_spec(spec["network"])
    out = []
    for i, j, axes in grid(spec):
        net = base
        for name, value in axes.items():
            net = apply_parameter(net, name, value)
        n_basis = truncation_at(spec["n_basis"][j], i)
        k_max = truncation_at(spec["k_max"][j], i) if "k_max" in spec else base.n_sites * (n_basis - 1)
        out.append(Point(i, j, axes, net, n_basis, k_max, point_seed(spec["seed"], spec["dataset"], i, j)))
    return out


def solve(point: Point, options: Options, progress=None, threads: int = 1) -> Solved:
    """The steady state of one point by the dataset's solver; fails if the truncation leaks."""
    if options.solver == "exact":
        result = quantum.exact_steady_state(point.network, point.n_basis, k_max=point.k_max)
    else:
        t = options.trajectories
        result = quantum_trajectories.run_trajectories(
            point.network,
            point.n_basis,
            k_max=point.k_max,
            dt=t.dt,
            t_transient=t.t_transient,
            t_average=t.t_average,
            n_traj=t.count,
            seed=point.seed,
            progress=progress,
            threads=threads,
        )
    quantum.check_leak(result, options.leak_bound)
    if options.solver == "exact":
        return Solved(result, *quantum.needed_truncation(result, options.leak_bound / NEEDED_MARGIN))
    return Solved(result, 0, 0)


def label(options: Options) -> str:
    return f"quantum steady state ({options.solver})"


def frames(point: Point, solved: Solved, dataset: str) -> dict[str, pd.DataFrame]:
    """Tidy rows of one solved point. Exact results have no standard errors (NaN columns)."""
    result = solved.result
    exact = isinstance(result, quantum.QuantumSteadyState)
    common = {"dataset": dataset, **point.columns(), "solver": "exact" if exact else "trajectories"}
    nan = np.full(len(result.edges), np.nan)
    bonds = pd.DataFrame(
        {
            **common,
            "site_from": result.edges[:, 0] + 1,
            "site_to": result.edges[:, 1] + 1,
            "J_mean": result.J_mean,
            "J_sem": nan if exact else result.J_sem,
            "J_std": result.J_std,
            "J_std_sem": nan if exact else result.J_std_sem,
        }
    )
    n = point.network.n_sites
    sites = pd.DataFrame(
        {
            **common,
            "site": np.arange(1, n + 1),
            "occupation": result.occupation,
            "occupation_sem": np.full(n, np.nan) if exact else result.occupation_sem,
            "leak": result.leak,
        }
    )
    extra = (
        dict(
            negativity=result.negativity,
            Gbar_sem=np.nan,
            residual=result.residual,
            unknowns=result.unknowns,
            iterations=result.iterations,
            n_traj=0,
        )
        if exact
        else dict(
            negativity=np.nan, Gbar_sem=result.Gbar_sem, residual=np.nan, unknowns=0, iterations=0, n_traj=result.n_traj
        )
    )
    points_ = pd.DataFrame(
        [
            {
                **common,
                "Gbar_mean": result.Gbar_mean,
                **extra,
                "max_leak": float(np.max(result.leak)),
                "leak_total": float(result.leak_total),
                "n_basis_needed": solved.n_basis_needed,
                "k_max_needed": solved.k_max_needed,
                "wall_time": result.wall_time,
            }
        ]
    )
    return {"bonds": bonds, "sites": sites, "points": points_}
