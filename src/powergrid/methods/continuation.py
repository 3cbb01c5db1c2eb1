"""Stationary branches by continuation (``powergrid.continuation``): for each outer value, the
attractor from a seeded random start at each inner value (the starts) is followed along the inner
parameter in both directions across ``range``, with its stability and bifurcation points. A point
of a job is one outer value with all its starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .. import continuation, deterministic
from ..network_spec import network_from_spec
from ..parameters import apply_parameter, parameter_columns, point_seed
from . import steady_state

METHOD = "pseudo-arclength continuation of stationary states (Newton, co-rotating stability)"


@dataclass(frozen=True)
class Options:
    steady_state: deterministic.SteadyStateOptions  # the starts: attractors from a random start
    continuation: continuation.ContinuationOptions


@dataclass(frozen=True)
class Row:
    spec: dict
    outer_index: int

    @property
    def key(self) -> str:
        return str(self.outer_index)


@dataclass(frozen=True)
class Start:
    index: int  # inner index
    value: float
    kind: str  # what the seeded random start found
    branches: tuple  # ((direction, continuation.Branch), ...): empty if no fixed point to follow


def tables(section: dict) -> tuple[str, ...]:
    return ("branches", "bifurcations")


def global_sections(config: dict) -> dict:
    return {"solver": config["solver"]}


def options(spec: dict) -> Options:
    return Options(
        steady_state.options(spec),
        continuation.ContinuationOptions(**(spec.get("continuation") or {})),
    )


def points(spec: dict) -> list[Row]:
    return [Row(spec, i) for i in spec["outer_indices"]]


def solve(row: Row, options: Options, progress=None, threads: int = 1) -> list[Start]:
    spec = row.spec
    outer, inner = spec["outer"], spec["inner"]
    base = apply_parameter(network_from_spec(spec["network"]), outer["name"], outer["values"][row.outer_index])
    lo, hi = spec["range"]["min"], spec["range"]["max"]
    starts = []
    for j, value in enumerate(inner["values"]):
        net = apply_parameter(base, inner["name"], value)
        rng = np.random.default_rng(point_seed(spec["seed"], spec["dataset"], row.outer_index, j))
        state = deterministic.steady_state(
            net, deterministic.random_start(net, rng, options.steady_state.start_amplitude), options.steady_state
        )
        branches = ()
        if state.kind in ("stationary", "rotating"):
            branches = tuple(
                (
                    direction,
                    continuation.continue_branch(
                        net,
                        state.alpha,
                        state.omega,
                        inner["name"],
                        (lo, hi),
                        direction=direction,
                        value=value,
                        options=options.continuation,
                    ),
                )
                for direction in (-1, 1)
            )
        starts.append(Start(j, value, state.kind, branches))
        if progress is not None:
            progress((j + 1) / len(inner["values"]))
    return starts


def label(options: Options) -> str:
    return METHOD


def metadata(options: Options) -> dict:
    return {"continuation": asdict(options.continuation)}


def observables(net, alpha) -> dict:
    """J into the first loss site (sum over its edges), the occupations of the first gain and
    loss sites, and their asymmetry (n_gain - n_loss)/(n_gain + n_loss)."""
    g, l = net.gain[0].site, net.loss[0].site
    into = np.array([(j == l) - (i == l) for i, j in net.edges])  # +1: the edge points into l
    current = float(into @ deterministic.bond_currents(net, alpha))
    n_gain, n_loss = abs(alpha[g]) ** 2, abs(alpha[l]) ** 2
    return dict(
        J_loss=float(current),
        occupation_gain=float(n_gain),
        occupation_loss=float(n_loss),
        asymmetry=float((n_gain - n_loss) / (n_gain + n_loss)) if n_gain + n_loss > 0 else np.nan,
    )


def _branch_row(common, net, direction, k, omega, alpha, branch) -> dict:
    return dict(
        **common,
        **parameter_columns(net),
        direction=direction,
        step=k,
        omega=omega,
        **observables(net, alpha),
        n_unstable=int(branch.n_unstable[k]),
        growth_rate=float(branch.growth_rate[k]),
        stable=bool(branch.n_unstable[k] == 0),
        stopped=branch.stopped,
    )


def _bifurcation_row(common, net, direction, order, b, omega, alpha) -> dict:
    return dict(
        **common,
        **parameter_columns(net),
        direction=direction,
        order=order,
        kind=b.kind,
        located=b.located,
        value=b.value,
        omega=omega,
        **observables(net, alpha),
        eigenvalue_real=b.eigenvalue.real,
        eigenvalue_imag=b.eigenvalue.imag,
        unstable_before=b.unstable[0],
        unstable_after=b.unstable[1],
    )


def frames(row: Row, starts: list[Start], dataset: str) -> dict[str, pd.DataFrame]:
    """``branches``: one row per point of each followed branch, in arclength order;
    ``bifurcations``: one row per located point. Either may be empty (no start found a fixed
    point, or nothing bifurcates in the range); it then has the columns and types all the same."""
    spec = row.spec
    name = spec["inner"]["name"]
    base = apply_parameter(
        network_from_spec(spec["network"]), spec["outer"]["name"], spec["outer"]["values"][row.outer_index]
    )
    rows, points = [], []
    for start in starts:
        common = dict(
            dataset=dataset,
            outer_index=row.outer_index,
            inner_index=start.index,
            start_value=float(start.value),
            start_kind=start.kind,
        )
        for direction, branch in start.branches:
            for k, value in enumerate(branch.values):
                net = apply_parameter(base, name, value)
                rows.append(_branch_row(common, net, direction, k, float(branch.omega[k]), branch.alpha[k], branch))
            for order, b in enumerate(branch.bifurcations):  # in the order the continuation passed them
                alpha, omega = branch.state(b)
                net = apply_parameter(base, name, b.value)
                points.append(_bifurcation_row(common, net, direction, order, b, omega, alpha))
    # a typed template row, for empty tables
    common = dict(dataset=dataset, outer_index=row.outer_index, inner_index=0, start_value=np.nan, start_kind="")
    ones = np.ones(base.n_sites, complex)
    empty = continuation.Branch("", np.zeros(1), ones[None], np.zeros(1), np.zeros(1, int), np.zeros(1), (), "", ())
    template_point = continuation.Bifurcation("", np.nan, np.zeros(1), 0j, (0, 0))
    return {
        "branches": pd.DataFrame(rows or [_branch_row(common, base, 0, 0, 0.0, ones, empty)]).iloc[: len(rows)],
        "bifurcations": pd.DataFrame(points or [_bifurcation_row(common, base, 0, 0, template_point, 0.0, ones)]).iloc[
            : len(points)
        ],
    }
