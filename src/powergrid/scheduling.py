"""How long a compute job will take, before it runs: the workflow starts the longest jobs first.

On a few cores a run ends when its last job ends, so a long job started late leaves the other
cores idle (the quantum jobs take 5-25 minutes, most others seconds). Snakemake runs the ready
jobs of highest ``priority`` first; the compute rules set it to ``estimated_seconds`` (longest
processing time first, the classic list-scheduling rule: with exact durations the run ends at
most 4/3 - 1/(3 cores) times later than the best packing of the same jobs; with estimates, as
good as their order).

The estimates are cost models per method with constants measured on a 2-core laptop from the
Snakemake benchmark files of a default run (``benchmarks/schedule.py`` prints estimate against
measurement per job). They order jobs; they are not timings to rely on. This module is not
imported by any solver: editing an estimate reorders jobs and reruns nothing.
"""

from __future__ import annotations

import numpy as np

from . import methods, quantum
from .methods.quantum import truncations
from .parameters import axis_values

# seconds per unit of each model, measured (benchmarks/schedule.py; the from-scratch run of 690f7d8,
# 2026-12-06, 2 cores: the median of estimate / measurement per method is 0.91-1.03 with these)
QUANTUM_EXACT_APP = 1.0e-9  # per preconditioner application, per sum_k dim(k)^3 of the sectors, in
# the real frame (benchmarks/quantum_frame.py: 0.85-1.1e-9 at 100-130 states, set-up not counted);
# the lab frame, for detuned or non-bipartite networks, takes ~3x this
QUANTUM_EXACT_ITERATIONS = 95  # applications per steady state at n0 = 1, gamma = 1e-3 (exact_applications)
QUANTUM_TRAJECTORY_STEP = 0.31e-9  # per trajectory step, per Fock state of the truncation, in the
# real frame (0.83e-9 measured in the lab frame, which is 2.6x slower: benchmarks/quantum.py part 5)
SDE_SITE_STEP = {"gaussian": 2.9e-9, "three-point": 1.75e-9}  # per site and time step of one trajectory,
# wall time of a 2-thread job, by the increments (sde.NOISES), observables every 0.1/g; the default
# run's SDE job-seconds fell 1.64x with three-point increments (1776 -> 1086, 2026-12-06)
RELAXATION_POINT_SITE = 0.019  # per point, kick direction and site (the integration to 1e-8)
STEADY_STATE_POINT_SITE = 0.5e-3  # per point and site (most points settle long before t_max)
CONTINUATION_VALUE_SITE = 0.25  # per outer value and site
DEFAULT = 60.0  # a method without a model


def dataset_jobs(section: dict, config: dict) -> list[dict]:
    """What each compute job of a dataset adds to its spec (outer indices, ensemble block), in
    chunk order: the method's ``jobs``, or one job per chunk of the outer axis. A dataset's own
    chunk_size overrides the top-level one. The workflow, ``benchmarks/schedule.py`` and the tests
    use this one function. It lives here, not in ``powergrid.methods``: that package is in every
    job's code version, so an edit there would rerun every dataset, and this module is in none."""
    sizing = {**config, "chunk_size": section.get("chunk_size", config["chunk_size"])}
    return getattr(methods.load(section["method"]), "jobs", methods.chunked_jobs)(section, sizing)


def _points(section: dict, job: dict) -> int:
    return len(job["outer_indices"]) * len(axis_values(section["inner"]))


def _sites(section: dict, job: dict) -> float:
    """Sites per point (the mean over the sweep where n_sites is an axis)."""
    for axis in ("outer", "inner"):
        if section[axis]["name"] == "n_sites":
            values = axis_values(section[axis])
            if axis == "outer":
                values = [values[i] for i in job["outer_indices"]]
            return float(np.mean(values))
    return float(section["network"]["n_sites"])


def exact_applications(n0: float, gamma: float) -> float:
    """Preconditioner applications of an exact steady state: 95 n0^0.8 (gamma / 1e-3)^-0.3, fitted
    to the medians of the default run (e8e7e44): gamma = 1e-3: 95, 156, 491 at n0 = 1, 2, 5 (Fig. 4a);
    gamma = 1e-2: 46, 69, 156 (Fig. 4b); gamma = 0.1, n0 = 15: 291 (Fig. S2). Near a fluctuation
    peak they are up to 1.5x more (706 at Fig. 4a's n0 = 5, Gamma_e = 3.5 g)."""
    return QUANTUM_EXACT_ITERATIONS * n0**0.8 * (max(gamma, 1e-4) / 1e-3) ** -0.3


def _quantum(section: dict, job: dict, config: dict) -> float:
    n_sites = int(section["network"]["n_sites"])
    n0 = (
        axis_values(section["inner"])
        if section["inner"]["name"] == "n0"
        else [float(section["network"].get("n0", 1.0))] * len(section["n_basis"])
    )
    total = 0.0
    for j, n_basis, k_max in truncations(section, job["outer_indices"]):
        dims = quantum.sector_dims(n_sites, n_basis, k_max).astype(float)
        if section["solver"] == "exact":
            applications = exact_applications(n0[j], float(section["network"]["gamma"]))
            total += QUANTUM_EXACT_APP * applications * float(np.sum(dims**3))
        else:
            t = section["trajectories"]
            steps = (t["t_transient"] + t["t_average"]) / t["dt"]
            total += QUANTUM_TRAJECTORY_STEP * t["count"] * steps * float(np.sum(dims))
    return total


def _sde(section: dict, job: dict, config: dict) -> float:
    dts = [config["sde"]["dt"]] + [
        v for a in ("outer", "inner") if section[a]["name"] == "dt" for v in axis_values(section[a])
    ]
    steps = (section["t_transient"] + section["t_average"]) / min(dts)
    return (
        SDE_SITE_STEP[config["sde"]["noise"]]
        * _points(section, job)
        * job["block"]["count"]
        * steps
        * _sites(section, job)
    )


def _relaxation(section: dict, job: dict, config: dict) -> float:
    return RELAXATION_POINT_SITE * _points(section, job) * len(section["directions"]) * _sites(section, job)


def _steady_state(section: dict, job: dict, config: dict) -> float:
    sweeps = 2 if section.get("protocol") == "up_down" else 1
    return STEADY_STATE_POINT_SITE * sweeps * _points(section, job) * _sites(section, job)


def _continuation(section: dict, job: dict, config: dict) -> float:
    return CONTINUATION_VALUE_SITE * len(job["outer_indices"]) * _sites(section, job)


MODELS = {
    "quantum": _quantum,
    "sde": _sde,
    "relaxation": _relaxation,
    "steady_state": _steady_state,
    "continuation": _continuation,
    "linear_spectrum": lambda section, job, config: 5.0,
}


def estimated_seconds(method: str, section: dict, job: dict, config: dict) -> float:
    """Estimated CPU seconds of one compute job (``job`` as the method's ``jobs`` gives it)."""
    model = MODELS.get(method)
    return DEFAULT if model is None else float(model(section, job, config))


def priority(method: str, section: dict, job: dict, config: dict) -> int:
    """Snakemake priority of a compute job: its estimated seconds (longest first), at least 1 so
    that every compute job precedes the aggregation and figure jobs (priority 0)."""
    return max(1, int(round(estimated_seconds(method, section, job, config))))
