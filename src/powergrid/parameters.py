"""Sweep parameters: what one point of a two-axis sweep sets, its seed, and the parameter
columns every table shares. No solver is imported here.

Axis names: ``gamma_i``, ``gamma_e``, ``gamma_e_over_gamma_i``, ``gamma_e@K`` (the loss rate at
site K), ``gamma``, ``nu``, ``n0``, ``n_th_over_n0``, ``n0_ratio@K``, ``n_sites`` (a chain's
length), and the disorder axes ``disorder`` (sigma) and ``realization``, which the steady-state
sweep applies itself. Config and tables number sites from 1; the model numbers them from 0.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from .model import Network

DISORDER_AXES = ("disorder", "realization")


def axis_values(axis: dict) -> list[float]:
    """The values of a sweep axis: an explicit list or points equally spaced from min to max."""
    if "values" in axis:
        return [float(v) for v in axis["values"]]
    return [float(v) for v in np.linspace(axis["min"], axis["max"], int(axis["points"]))]


def chunks(n_outer: int, chunk_size: int) -> list[list[int]]:
    """Outer indices handled by each job."""
    return [list(range(s, min(s + chunk_size, n_outer))) for s in range(0, n_outer, chunk_size)]


def apply_parameter(net: Network, name: str, value: float) -> Network:
    """Set one sweep parameter of the network (a ratio is taken relative to the gain rate already
    set; ``n0_ratio@K`` is the saturation number of the reservoir at site K, 1-based)."""
    if name == "gamma_i":
        return net.with_rates(gamma_i=value)
    if name == "gamma_e":
        return net.with_rates(gamma_e=value)
    if name == "gamma_e_over_gamma_i":
        return net.with_rates(gamma_e=value * net.gain[0].rate)
    if name.startswith("gamma_e@"):
        return net.with_rates(gamma_e=value, loss_site=int(name.split("@")[1]) - 1)
    if name in ("gamma", "nu", "n0", "n_th_over_n0"):
        return net.replace(**{name: float(value)})
    if name.startswith("n0_ratio@"):
        site = int(name.split("@")[1]) - 1
        if site not in [r.site for r in net.gain + net.loss]:
            raise ValueError(f"{name}: site {site + 1} has no reservoir")

        def change(reservoirs):
            return tuple(dataclasses.replace(r, n0_ratio=float(value)) if r.site == site else r for r in reservoirs)

        return net.replace(gain=change(net.gain), loss=change(net.loss))
    if name == "n_sites":
        return net.resized_chain(int(round(value)))
    raise ValueError(f"unknown sweep parameter {name!r}")


def _tag(dataset: str) -> int:
    return int.from_bytes(hashlib.sha256(dataset.encode()).digest()[:4], "little")


def point_seed(root_seed: int, dataset: str, outer_index: int, inner_index: int) -> np.random.SeedSequence:
    """The seed of one sweep point: the same whatever the chunking or the order of jobs."""
    return np.random.SeedSequence(root_seed, spawn_key=(_tag(dataset), outer_index, inner_index))


def disorder_pattern(root_seed: int, dataset: str, realization: int, n_sites: int) -> np.ndarray:
    """u_l ~ U[-1, 1] of one disorder realization (its seed has a spawn key of its own length,
    so it never coincides with a point seed)."""
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(_tag(dataset), realization)))
    return rng.uniform(-1.0, 1.0, n_sites)


def parameter_columns(net: Network, noise: bool = False, per_site: bool = True) -> dict:
    """The network's parameters as table columns, shared by every method's tables.

    One gain and one loss reservoir (every network of the paper): ``gamma_i``, ``gamma_e`` and
    their ``n0_ratio_gain``, ``n0_ratio_loss``. Any further reservoir adds a column per site,
    ``gamma_i@K`` or ``gamma_e@K`` (1-based K); the unsuffixed columns are those of the first
    reservoir of each kind, so a table of several loss sites still plots against ``gamma_e``.
    ``per_site=False`` leaves the per-site columns out (``reservoir_rate_columns``). ``noise``: add
    ``n0`` and ``n_th_over_n0``, which set the noise of the SDE and quantum methods and do not
    enter the deterministic equations (amplitudes are scaled by sqrt(n0)).
    """
    gain, loss = net.gain[0], net.loss[0]
    cols = dict(n_sites=net.n_sites, gamma=net.gamma, nu=net.nu)
    if noise:
        cols.update(n0=net.n0, n_th_over_n0=net.n_th_over_n0)
    cols.update(gamma_i=gain.rate, gamma_e=loss.rate, n0_ratio_gain=gain.n0_ratio, n0_ratio_loss=loss.n0_ratio)
    return {**cols, **reservoir_rate_columns(net)} if per_site else cols


def reservoir_rate_columns(net: Network) -> dict:
    """``gamma_i@K`` / ``gamma_e@K`` per reservoir site, for networks with several of a kind."""
    cols = {}
    for key, group in (("gamma_i", net.gain), ("gamma_e", net.loss)):
        for r in group if len(group) > 1 else ():
            cols[f"{key}@{r.site + 1}"] = r.rate
    return cols
