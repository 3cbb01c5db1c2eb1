"""Stationary branches by continuation (``powergrid.continuation``): for each outer value, the
attractor from a seeded random start at each inner value (the starts) is followed along the inner
parameter in both directions across ``range``, with its stability and bifurcation points. A point
of a job is one outer value with all its starts.

With a ``lines`` section, the fold points, branch points and the Hopf points where a state gains
or loses stability, located at each outer value, are followed along the outer parameter across
``lines`` (``powergrid.bifurcation_curves``): table ``lines``. Each outer value is a seed: a line
that passes through several seeds appears once per seed; within one seed, a point located twice
(on both mirror branches, or on a rotating and the resting branch) is followed once. The zero
state's stability boundary (Appendix B, at the actual gamma) is added as kind 'zero', solved on
``lines.points`` values of the outer parameter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from .. import bifurcation_curves, continuation, deterministic
from ..network_spec import network_from_spec
from ..parameters import apply_parameter, parameter_columns, point_seed
from . import steady_state

METHOD = "pseudo-arclength continuation of stationary states (Newton, co-rotating stability)"


@dataclass(frozen=True)
class LineOptions:
    min: float  # the lines are followed while the outer parameter stays in [min, max]
    max: float
    points: int  # values of the outer parameter on which the zero state's boundary is solved
    continuation: continuation.ContinuationOptions


@dataclass(frozen=True)
class Options:
    steady_state: deterministic.SteadyStateOptions  # the starts: attractors from a random start
    continuation: continuation.ContinuationOptions
    lines: LineOptions | None = None


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


@dataclass(frozen=True)
class Solved:
    starts: list[Start]
    lines: list  # (seed point, direction, bifurcation_curves.BifurcationCurve)
    zero: list  # (outer value, inner value, frequency) on the zero state's boundary


def followed_points(starts: list[Start]) -> list[tuple[continuation.Bifurcation, np.ndarray, float]]:
    """The located points whose lines bound stability or existence: folds, branch points, and
    Hopf points with a stable side; each (kind, parameter value) once, as (point, A, omega)."""
    found = [(b, *branch.state(b)) for start in starts for _, branch in start.branches for b in branch.bifurcations]
    # a branch point is met on the state at rest and on the rotating branch: the former first
    found.sort(key=lambda p: abs(p[2]))
    chosen, seen = [], []
    for b, alpha, omega in found:
        wanted = b.kind in ("fold", "branch") or (b.kind == "hopf" and 0 in b.unstable)
        if not (wanted and b.located):
            continue
        if any(k == b.kind and abs(v - b.value) <= 1e-7 * max(1.0, abs(v)) for k, v in seen):
            continue
        seen.append((b.kind, b.value))
        chosen.append((b, alpha, omega))
    return chosen


def tables(section: dict) -> tuple[str, ...]:
    return ("branches", "bifurcations", "lines") if "lines" in section else ("branches", "bifurcations")


def global_sections(config: dict) -> dict:
    return {"solver": config["solver"]}


def options(spec: dict) -> Options:
    lines = spec.get("lines")
    if lines is not None:
        numerics = replace(bifurcation_curves.LINE_OPTIONS, **(lines.get("continuation") or {}))
        lines = LineOptions(lines["min"], lines["max"], lines["points"], numerics)
    return Options(
        steady_state.options(spec),
        continuation.ContinuationOptions(**(spec.get("continuation") or {})),
        lines,
    )


def points(spec: dict) -> list[Row]:
    return [Row(spec, i) for i in spec["outer_indices"]]


def solve(row: Row, options: Options, progress=None, threads: int = 1) -> Solved:
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
            progress((j + 1) / len(inner["values"]) / (2 if options.lines else 1))
    if options.lines is None:
        return Solved(starts, [], [])
    lines = []
    seeds = followed_points(starts)
    seed_value = outer["values"][row.outer_index]
    plane = (inner["name"], outer["name"])
    for k, (point, alpha, omega) in enumerate(seeds):
        net = apply_parameter(base, inner["name"], point.value)
        for direction in (-1, 1):
            curve = bifurcation_curves.continue_bifurcation(
                net,
                alpha,
                omega,
                point.kind,
                plane,
                (point.value, seed_value),
                (options.lines.min, options.lines.max),
                direction=direction,
                options=options.lines.continuation,
            )
            if curve.first.size > 1:
                lines.append((point, direction, curve))
        if progress is not None:
            progress(0.5 + 0.5 * (k + 1) / len(seeds))
    network = network_from_spec(spec["network"])
    grid = np.linspace(options.lines.min, options.lines.max, options.lines.points)
    zero = bifurcation_curves.zero_state_line(network, plane, grid, (lo, hi)) if row.outer_index == 0 else []
    return Solved(starts, lines, zero)


def label(options: Options) -> str:
    return METHOD


def metadata(options: Options) -> dict:
    return {"continuation": asdict(options.continuation), "lines": asdict(options.lines) if options.lines else None}


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


def _line_row(common, net, line, kind, seed, direction, step, omega, frequency, alpha, stopped) -> dict:
    return dict(
        **common,
        **parameter_columns(net),
        line=line,
        kind=kind,
        seed_value=seed,
        direction=direction,
        step=step,
        omega=omega,
        frequency=frequency,
        **(observables(net, alpha) if np.max(np.abs(alpha)) > 0 else dict.fromkeys(_OBSERVABLES, np.nan)),
        stopped=stopped,
    )


_OBSERVABLES = ("J_loss", "occupation_gain", "occupation_loss", "asymmetry")


def _lines_frame(row: Row, solved: Solved, dataset: str) -> pd.DataFrame:
    """One row per point of each followed line, in arclength order, then the zero state's
    boundary (kind 'zero': ``line`` numbers the crossings at one outer value, ``step`` the value)."""
    spec = row.spec
    inner, outer = spec["inner"]["name"], spec["outer"]["name"]
    network = network_from_spec(spec["network"])
    common = dict(dataset=dataset, outer_index=row.outer_index)
    rows = []
    for line, (point, direction, curve) in enumerate(solved.lines):
        for k in range(curve.first.size):
            net = apply_parameter(apply_parameter(network, outer, curve.second[k]), inner, curve.first[k])
            rows.append(
                _line_row(
                    common, net, line, curve.kind, point.value, direction, k, float(curve.omega[k]),
                    float(curve.frequency[k]), curve.alpha[k], curve.stopped,
                )
            )  # fmt: skip
    zeros = np.zeros(network.n_sites, complex)
    previous, order = None, 0
    for step, (second, first, frequency) in enumerate(solved.zero):
        order = order + 1 if second == previous else 0
        previous = second
        net = apply_parameter(apply_parameter(network, outer, second), inner, first)
        line = len(solved.lines) + order
        rows.append(_line_row(common, net, line, "zero", np.nan, 0, step, frequency, frequency, zeros, ""))
    template = _line_row(common, network, 0, "", np.nan, 0, 0, 0.0, 0.0, zeros, "")
    return pd.DataFrame(rows or [template]).iloc[: len(rows)]


def frames(row: Row, solved: Solved, dataset: str) -> dict[str, pd.DataFrame]:
    """``branches``: one row per point of each followed branch, in arclength order;
    ``bifurcations``: one row per located point; ``lines`` (with a ``lines`` section): see
    ``_lines_frame``. Any may be empty (no start found a fixed point, or nothing bifurcates in
    the range); it then has the columns and types all the same."""
    starts = solved.starts
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
    tables = {
        "branches": pd.DataFrame(rows or [_branch_row(common, base, 0, 0, 0.0, ones, empty)]).iloc[: len(rows)],
        "bifurcations": pd.DataFrame(points or [_bifurcation_row(common, base, 0, 0, template_point, 0.0, ones)]).iloc[
            : len(points)
        ],
    }
    if "lines" in spec:
        tables["lines"] = _lines_frame(row, solved, dataset)
    return tables
