"""Quantum steady states over a parameter sweep: the points of one compute job and their tidy
frames (bonds: <J>, Delta J; sites: occupation, truncation leak; points: negativity, Gbar and the
solver's diagnostics).

Each point is solved either exactly (``quantum.exact_steady_state``, the sector-resolved
steady state) or by quantum trajectories (``quantum_trajectories.run_trajectories``, with
standard errors from independent trajectories), as the dataset's ``solver`` says. The Fock
truncation is per value of the inner axis (``n_basis`` per site and optionally ``k_max`` quanta in
all, aligned with ``inner.values``), and a point whose top-state or top-sector population exceeds
``leak_bound`` fails the job, naming its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import quantum, quantum_trajectories, sweep
from .datasets import network_from_spec
from .model import Network


@dataclass(frozen=True)
class QuantumPoint:
    outer_index: int
    inner_index: int
    axes: dict
    network: Network
    n_basis: int
    k_max: int              # total-number cap; n_sites (n_basis - 1) when none
    seed: np.random.SeedSequence

    def columns(self) -> dict:
        net = self.network
        return {**dict(outer_index=self.outer_index, inner_index=self.inner_index, n_sites=net.n_sites,
                       gamma=net.gamma, nu=net.nu, n0=net.n0, n_th_over_n0=net.n_th_over_n0,
                       gamma_i=net.gain[0].rate, gamma_e=net.loss[0].rate, n0_ratio_gain=net.gain[0].n0_ratio,
                       n0_ratio_loss=net.loss[0].n0_ratio, n_basis=self.n_basis, k_max=self.k_max), **self.axes}


def quantum_points(spec: dict) -> list[QuantumPoint]:
    """The sweep points of one quantum job, from its spec (see workflow/rules/common.smk)."""
    base = network_from_spec(spec["network"])
    outer, inner = spec["outer"], spec["inner"]
    box = base.n_sites * (np.asarray(spec["n_basis"], int) - 1)
    caps = spec.get("k_max", box)
    points = []
    for i in spec["outer_indices"]:
        for j, inner_value in enumerate(inner["values"]):
            axes = {outer["name"]: outer["values"][i], inner["name"]: inner_value}
            net = base
            for name, value in axes.items():
                net = sweep.apply_parameter(net, name, value)
            points.append(QuantumPoint(i, j, axes, net, int(spec["n_basis"][j]), int(caps[j]),
                                       sweep.point_seed(spec["seed"], spec["dataset"], i, j)))
    return points


def solve_point(point: QuantumPoint, spec: dict, progress=None, threads: int | None = None):
    """The steady state of one point by the dataset's solver; fails if the truncation leaks."""
    if spec["solver"] == "exact":
        result = quantum.exact_steady_state(point.network, point.n_basis, k_max=point.k_max)
    else:
        t = spec["trajectories"]
        result = quantum_trajectories.run_trajectories(
            point.network, point.n_basis, k_max=point.k_max, dt=float(t["dt"]), t_transient=float(t["t_transient"]),
            t_average=float(t["t_average"]), n_traj=int(t["count"]), seed=point.seed, progress=progress,
            threads=threads)
    return quantum.check_leak(result, float(spec["leak_bound"]))


def point_frames(point: QuantumPoint, result, dataset: str) -> dict[str, pd.DataFrame]:
    """Tidy rows of one solved point. Exact results have no standard errors (NaN columns)."""
    exact = isinstance(result, quantum.QuantumSteadyState)
    common = {"dataset": dataset, **point.columns(), "solver": "exact" if exact else "trajectories"}
    nan = np.full(len(result.edges), np.nan)
    bonds = pd.DataFrame({**common, "site_from": result.edges[:, 0] + 1, "site_to": result.edges[:, 1] + 1,
                          "J_mean": result.J_mean, "J_sem": nan if exact else result.J_sem,
                          "J_std": result.J_std, "J_std_sem": nan if exact else result.J_std_sem})
    n = point.network.n_sites
    sites = pd.DataFrame({**common, "site": np.arange(1, n + 1), "occupation": result.occupation,
                          "occupation_sem": np.full(n, np.nan) if exact else result.occupation_sem,
                          "leak": result.leak})
    extra = (dict(negativity=result.negativity, Gbar_sem=np.nan, residual=result.residual,
                  unknowns=result.unknowns, iterations=result.iterations, n_traj=0)
             if exact else
             dict(negativity=np.nan, Gbar_sem=result.Gbar_sem, residual=np.nan, unknowns=0, iterations=0,
                  n_traj=result.n_traj))
    points = pd.DataFrame([{**common, "Gbar_mean": result.Gbar_mean, **extra, "max_leak": float(np.max(result.leak)),
                            "leak_total": float(result.leak_total), "wall_time": result.wall_time}])
    return {"bonds": bonds, "sites": sites, "points": points}


def memory_bytes(spec_dataset: dict) -> int:
    """Peak memory of the largest truncation of a dataset (for the job's mem_mb)."""
    n = int(spec_dataset["network"]["n_sites"])
    caps = spec_dataset.get("k_max", [None] * len(spec_dataset["n_basis"]))
    if spec_dataset["solver"] == "exact":
        return max(quantum.exact_memory_bytes(n, int(nb), k) for nb, k in zip(spec_dataset["n_basis"], caps))
    return max(quantum_trajectories.trajectory_memory_bytes(n, int(nb), k_max=k) for nb, k in zip(spec_dataset["n_basis"], caps))
