"""Sweeps of the deterministic model over two parameter axes, with a switch-on protocol.

A sweep point sets one or two parameters of a base network (``parameters.apply_parameter``). The outer axis is
split into jobs; along the inner axis the protocol decides where each point starts:
  random - a tiny seeded random amplitude on every site (independent of the order of points);
  up / down - continuation: each point starts from the previous point's final state (plus the
              same tiny seeded kick, so that a zero state can leave an unstable origin), sweeping
              the inner axis upward / downward. This follows one branch and exposes bistability.
  up_down   - both continuations; every point appears twice, tagged 'up' and 'down'.

Disorder: detunings Delta_l = sigma * u_l with u_l ~ U[-1, 1] drawn from a seed of its own per
realization (``parameters.disorder_pattern``), so the same realization at two sigma differs only in scale
and sigma = 0 is the clean network exactly. sigma and the realization index are sweep axes
('disorder', 'realization') or fixed (``disorder`` argument, realization 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from . import deterministic
from .model import Network
from .parameters import DISORDER_AXES, apply_parameter, disorder_pattern, point_seed

PROTOCOLS = ("random", "up", "down", "up_down")


@dataclass(frozen=True)
class SweepPoint:
    protocol: str  # 'random', 'up' or 'down': how this point was started
    disorder: float  # sigma of the detunings
    realization: int  # index of the disorder pattern
    outer_index: int
    inner_index: int
    network: Network
    result: deterministic.SteadyState


def steady_state_sweep(
    base: Network,
    outer: tuple[str, list[float]],
    inner: tuple[str, list[float]],
    outer_indices: list[int],
    protocol: str,
    options: deterministic.SteadyStateOptions,
    root_seed: int,
    dataset: str,
    disorder: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[SweepPoint]:
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
                    raise FloatingPointError(
                        f"{dataset}: {outer_name} = {outer_values[i]:g}, {inner_name} = "
                        f"{inner_values[j]:g} ({direction} protocol): {err}"
                    ) from err
                previous = result.alpha
                done += 1
                if progress is not None:
                    progress(done, total)
                yield SweepPoint(direction, sigma, realization, i, j, net, result)
