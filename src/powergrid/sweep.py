"""Sweeps of the deterministic model over two parameter axes, with a switch-on protocol.

A sweep point sets one or two rates of a base network (``apply_parameter``). The outer axis is
split into jobs; along the inner axis the protocol decides where each point starts:
  random - a tiny seeded random amplitude on every site (independent of the order of points);
  up / down - continuation: each point starts from the previous point's final state (plus the
              same tiny seeded kick, so that a zero state can leave an unstable origin), sweeping
              the inner axis upward / downward. This follows one branch and exposes bistability.
  up_down   - both continuations; every point appears twice, tagged 'up' and 'down'.

Disorder: detunings Delta_l = sigma * u_l with u_l ~ U[-1, 1] drawn from a seed of its own per
realization (``disorder_pattern``), so the same realization at two sigma differs only in scale
and sigma = 0 is the clean network exactly. sigma and the realization index are sweep axes
('disorder', 'realization') or fixed (``disorder`` argument, realization 0).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from . import deterministic
from .model import Network

PROTOCOLS = ("random", "up", "down", "up_down")
DISORDER_AXES = ("disorder", "realization")


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


@dataclass(frozen=True)
class SweepPoint:
    protocol: str          # 'random', 'up' or 'down': how this point was started
    disorder: float        # sigma of the detunings
    realization: int       # index of the disorder pattern
    outer_index: int
    inner_index: int
    network: Network
    result: deterministic.SteadyState


def steady_state_sweep(base: Network, outer: tuple[str, list[float]], inner: tuple[str, list[float]],
                       outer_indices: list[int], protocol: str, options: deterministic.SteadyStateOptions,
                       root_seed: int, dataset: str, disorder: float = 0.0,
                       progress: Callable[[int, int], None] | None = None) -> Iterator[SweepPoint]:
    """Steady states for the given outer indices, each swept along the whole inner axis."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol = {protocol!r}; expected one of {PROTOCOLS}")
    outer_name, outer_values = outer
    inner_name, inner_values = inner
    directions = ("up", "down") if protocol == "up_down" else (protocol,)
    total, done = len(outer_indices) * len(inner_values) * len(directions), 0
    for i in outer_indices:
        for direction in directions:
            order = range(len(inner_values) - 1, -1, -1) if direction == "down" else range(len(inner_values))
            previous = None
            for j in order:
                values = {outer_name: outer_values[i], inner_name: inner_values[j]}
                net = base
                for name, value in values.items():
                    if name not in DISORDER_AXES:
                        net = apply_parameter(net, name, value)
                sigma, realization = float(values.get("disorder", disorder)), int(values.get("realization", 0))
                if sigma:
                    u = disorder_pattern(root_seed, dataset, realization, net.n_sites)
                    net = net.replace(detuning=tuple(sigma * u))
                rng = np.random.default_rng(point_seed(root_seed, dataset, i, j))
                start = deterministic.random_start(net, rng, options.start_amplitude)
                if direction != "random" and previous is not None:
                    start = start + previous
                try:
                    result = deterministic.steady_state(net, start, options)
                except FloatingPointError as err:  # name the point, not only the rates
                    raise FloatingPointError(f"{dataset}: {outer_name} = {outer_values[i]:g}, {inner_name} = "
                                             f"{inner_values[j]:g} ({direction} protocol): {err}") from err
                previous = result.alpha
                done += 1
                if progress is not None:
                    progress(done, total)
                yield SweepPoint(direction, sigma, realization, i, j, net, result)
