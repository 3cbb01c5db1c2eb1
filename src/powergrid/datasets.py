"""From validated config sections to model objects, job chunks and tidy result frames.

Config and tables number sites from 1 (as the paper does); the model numbers them from 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import sweep
from .deterministic import SteadyStateOptions
from .relaxation import RelaxationOptions, relaxation_time
from .model import Network, Reservoir


def network_from_spec(spec: dict) -> Network:
    """A Network from a config ``network`` section (1-based sites; no ``edges`` means a chain).
    Its ``disorder`` (sigma of random detunings) is applied per sweep point by ``sweep``."""
    n = int(spec["n_sites"])
    edges = spec.get("edges") or [[l, l + 1] for l in range(1, n)]

    def reservoirs(key):
        return tuple(Reservoir(int(r["site"]) - 1, float(r["rate"]), float(r.get("n0_ratio", 1.0)))
                     for r in spec[key])

    return Network(n_sites=n, edges=tuple((int(i) - 1, int(j) - 1) for i, j in edges),
                   gain=reservoirs("gain"), loss=reservoirs("loss"), gamma=float(spec["gamma"]),
                   nu=float(spec.get("nu", 2.0)), n0=float(spec.get("n0", 1.0)),
                   n_th_over_n0=float(spec.get("n_th_over_n0", 0.0)),
                   detuning=tuple(spec["detuning"]) if spec.get("detuning") else None)


def axis_values(axis: dict) -> list[float]:
    """The values of a sweep axis: an explicit list or points equally spaced from min to max."""
    if "values" in axis:
        return [float(v) for v in axis["values"]]
    return [float(v) for v in np.linspace(axis["min"], axis["max"], int(axis["points"]))]


def chunks(n_outer: int, chunk_size: int) -> list[list[int]]:
    """Outer indices handled by each job."""
    return [list(range(s, min(s + chunk_size, n_outer))) for s in range(0, n_outer, chunk_size)]


def solver_options(section: dict | None) -> SteadyStateOptions:
    return SteadyStateOptions(**{k: float(v) for k, v in (section or {}).items()})


def sweep_points(spec: dict, progress=None):
    """The steady states of one compute job, from its spec (see workflow/rules/common.smk)."""
    outer, inner = spec["outer"], spec["inner"]
    return sweep.steady_state_sweep(
        network_from_spec(spec["network"]), (outer["name"], outer["values"]), (inner["name"], inner["values"]),
        spec["outer_indices"], spec["protocol"], solver_options(spec["solver"]), spec["seed"], spec["dataset"],
        disorder=spec["network"].get("disorder", 0.0), progress=progress)


def relaxation_options(section: dict | None, kick: float) -> RelaxationOptions:
    return RelaxationOptions(kick=float(kick), **{k: float(v) for k, v in (section or {}).items()})


def _point_columns(p) -> dict:
    net, r = p.network, p.result
    gain, loss = net.gain[0], net.loss[0]
    return dict(protocol=p.protocol, disorder=p.disorder, realization=p.realization, n_sites=net.n_sites, gamma=net.gamma, nu=net.nu,
                gamma_i=gain.rate, gamma_e=loss.rate, n0_ratio_gain=gain.n0_ratio,
                n0_ratio_loss=loss.n0_ratio, outer_index=p.outer_index, inner_index=p.inner_index,
                kind=r.kind, converged=r.converged, omega=r.omega, growth_rate=r.growth_rate,
                residual=r.residual, t_final=r.t_final)


def relaxation_frame(points, dataset: str, directions, options: RelaxationOptions,
                     progress=None) -> pd.DataFrame:
    """One row per (sweep point, kick direction): tau_r of the point's fixed point (NaN, with
    meaningful = False, where the attractor is not a fixed point or did not relax)."""
    rows = []
    for k, p in enumerate(points):
        for direction in directions:
            row = {"dataset": dataset, **_point_columns(p), "direction": direction, "kick": options.kick,
                   "tau": np.nan, "t_hi": np.nan, "t_lo": np.nan, "relaxed": False, "tau_linear": np.nan}
            if p.result.kind in ("stationary", "rotating"):
                r = relaxation_time(p.network, p.result, direction, options)
                row.update(tau=r.tau, t_hi=r.t_hi, t_lo=r.t_lo, relaxed=r.relaxed, tau_linear=r.tau_linear)
            row["meaningful"] = bool(row["relaxed"] and row["t_hi"] > 0)
            rows.append(row)
        if progress is not None:
            progress(k + 1, len(points))
    return pd.DataFrame(rows)


def steady_state_frames(points, dataset: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy tables of sweep points: one row per (point, site) and one per (point, bond)."""
    sites, bonds = [], []
    for p in points:
        net, r = p.network, p.result
        point = {"dataset": dataset, **_point_columns(p)}
        for l in range(net.n_sites):
            sites.append({**point, "site": l + 1, "occupation": r.occupation[l],
                          "alpha_re": r.alpha[l].real, "alpha_im": r.alpha[l].imag})
        for e, (i, j) in enumerate(net.edges):
            bonds.append({**point, "site_from": i + 1, "site_to": j + 1, "J_mean": r.current_mean[e],
                          "J_min": r.current_min[e], "J_max": r.current_max[e]})
    return pd.DataFrame(sites), pd.DataFrame(bonds)
