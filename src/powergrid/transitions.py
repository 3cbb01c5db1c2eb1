"""Where the transition is, read off the continuation tables (``methods.continuation``): the
points where the symmetric (rotating) state loses stability, where the two senses of rotation
leave the state at rest, and where the state at rest turns stable; and how many stable
stationary states coexist at each point of a slice.

States: a row of ``branches`` with |omega| > OMEGA_REST rotates, one with |omega| <= OMEGA_REST is
at rest. The symmetric phase is the state stable at the smallest Gamma_e followed (rotating for an
even chain, at rest for an odd one), the broken phase the one stable at the largest. Every value
returned is a located bifurcation point (to ~1e-10): the stable stretches of each branch lie
between located points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .model import Network

OMEGA_REST = 1e-9  # |omega| at or below: a state at rest (continuation keeps omega = 0 there to ~1e-12)


def _rotating(frame: pd.DataFrame) -> pd.Series:
    return frame["omega"].abs() > OMEGA_REST


@dataclass(frozen=True)
class Stretch:
    """A stretch of gamma_e on which one followed state is stable, with |J| on it."""

    lo: float
    hi: float
    rotating: bool
    gamma_e: np.ndarray = field(repr=False)  # the ends and the branch's stable rows inside, ascending
    current: np.ndarray = field(repr=False)  # |J| there

    def current_at(self, gamma_e):
        """|J| interpolated on the stretch: it tells states apart."""
        return np.interp(gamma_e, self.gamma_e, self.current)


def stable_intervals(branches: pd.DataFrame, points: pd.DataFrame) -> list[Stretch]:
    """The stretches of gamma_e on which a followed stationary state of one outer value is stable,
    exact at located points: along each followed branch the count of unstable eigenvalues is
    constant between consecutive bifurcation points (and recorded on either side of each), so a
    stretch is stable where that count is 0."""
    out = []
    for (start, direction), branch in branches.groupby(["inner_index", "direction"], sort=True):
        branch = branch.sort_values("step")
        here = points[(points["inner_index"] == start) & (points["direction"] == direction)].sort_values("order")
        here = here[here["kind"] != "zero"] if len(here) else here
        ends = [float(branch["gamma_e"].iloc[0])] + list(here["value"]) + [float(branch["gamma_e"].iloc[-1])]
        currents = [abs(branch["J_loss"].iloc[0])] + list(here["J_loss"].abs()) + [abs(branch["J_loss"].iloc[-1])]
        if len(here):
            counts = list(here["unstable_before"]) + [int(here["unstable_after"].iloc[-1])]
        else:  # no bifurcation on the branch: one count throughout
            counts = [0 if branch["stable"].all() else 1]
        # a stretch rotates if a point at either end does (a branch point itself is at rest);
        # the branch's first and last rows stand for its ends
        omegas = [branch["omega"].iloc[0]] + list(here["omega"]) + [branch["omega"].iloc[-1]]
        rows = branch[branch["stable"]]
        for k, count in enumerate(counts):
            if count != 0 or ends[k] == ends[k + 1]:
                continue
            (lo, j_lo), (hi, j_hi) = sorted([(ends[k], currents[k]), (ends[k + 1], currents[k + 1])])
            omega = omegas[k] if abs(omegas[k]) > OMEGA_REST else omegas[k + 1]
            rotating = abs(omega) > OMEGA_REST
            # the branch's stable rows on this stretch: same sense of rotation (the mirror half of
            # a branch that passed a branch point covers the same gamma_e), same kind of state
            inside = rows[(rows["gamma_e"] > lo) & (rows["gamma_e"] < hi) & (_rotating(rows) == rotating)]
            if rotating:
                inside = inside[np.sign(inside["omega"]) == np.sign(omega)]
            inside = inside.sort_values("gamma_e")
            ge = np.r_[lo, inside["gamma_e"].to_numpy(), hi]
            j = np.r_[j_lo, inside["J_loss"].abs().to_numpy(), j_hi]
            out.append(Stretch(lo, hi, rotating, ge, j))
    return out


def _measure(intervals, lo, hi) -> float:
    """Length of the union of ``intervals`` within [lo, hi]."""
    clipped = sorted((max(iv.lo, lo), min(iv.hi, hi)) for iv in intervals if min(iv.hi, hi) > max(iv.lo, lo))
    total, end = 0.0, -np.inf
    for a, b in clipped:
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def transition_points(branches: pd.DataFrame, points: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of the column ``by`` (the outer parameter of a continuation dataset over gamma_e):
    - ``gamma_e_symmetric_end``: the state stable at the lowest gamma_e followed (the symmetric
      phase: rotating for even N, at rest for odd N) stops being stable, at a located point;
    - ``gamma_e_branch``: the branch point where the rotating states meet the state at rest;
    - ``gamma_e_broken_start``: the state stable at the highest gamma_e followed (the broken
      phase) is stable from this located point up;
    - ``window`` = broken_start - symmetric_end: > 0, the two phases are separated; < 0, they
      coexist (bistable);
    - ``gap``: the length of gamma_e in the window where no stationary state is stable (other
      states can be stable inside it in narrow stretches).
    NaN where a state or point was not found."""
    rows = []
    for value, group in branches.groupby(by, sort=True):
        here = points[points[by] == value]
        row = {by: value, "gamma_i": float(group["gamma_i"].iloc[0])}
        bp = here[(here["kind"] == "branch") & here["located"]]["value"]
        row["gamma_e_branch"] = float(bp.median()) if len(bp) else np.nan
        intervals = stable_intervals(group, here)
        lo, hi = float(group["gamma_e"].min()), float(group["gamma_e"].max())
        tol = 1e-9 * max(1.0, hi)  # the branch ends on the range boundary to the bisection tolerance
        low = [iv for iv in intervals if iv.lo <= lo + tol]
        high = [iv for iv in intervals if iv.hi >= hi - tol]
        row["gamma_e_symmetric_end"] = _union_end(intervals, low, up=True)
        row["gamma_e_broken_start"] = _union_end(intervals, high, up=False)
        row["window"] = row["gamma_e_broken_start"] - row["gamma_e_symmetric_end"]
        a, b = row["gamma_e_symmetric_end"], row["gamma_e_broken_start"]
        if not (np.isfinite(a) and np.isfinite(b)):
            row["gap"] = np.nan
        else:  # no gap where the phases overlap (b <= a)
            row["gap"] = (b - a) - _measure(intervals, a, b) if b > a else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def _union_end(intervals, seeds, up: bool) -> float:
    """The end of the run of stable stretches of the same kind of state (rotating or at rest) as
    the seeds, grown from them upward (up=True) or downward."""
    if not seeds:
        return np.nan
    kind = seeds[0].rotating
    same = sorted((iv for iv in intervals if iv.rotating == kind), key=lambda iv: iv.lo if up else -iv.hi)
    end = max(iv.hi for iv in seeds) if up else min(iv.lo for iv in seeds)
    for iv in same:
        if up and iv.lo <= end + 1e-9:
            end = max(end, iv.hi)
        elif not up and iv.hi >= end - 1e-9:
            end = min(end, iv.lo)
    return float(end)


def stable_state_count(branches: pd.DataFrame, points: pd.DataFrame, gamma_e, by: str = "gamma_i") -> pd.DataFrame:
    """The number of distinct stable stationary states at each ``gamma_e`` of each value of ``by``:
    the stable stretches of the followed branches (``stable_intervals``; exact ends), where two
    stretches of the same kind whose |J| agree to 2 % are one state (both mirror senses of
    rotation count once, as does a state reached from two starts), plus the zero state where it
    is stable (the unsaturated chain of the table's parameters has no eigenvalue with Re > 0).
    Columns: by, gamma_e, rotating, resting, zero, total."""
    gamma_e = np.asarray(gamma_e, float)
    out = []
    for value, group in branches.groupby(by, sort=True):
        stretches = stable_intervals(group, points[points[by] == value])
        first = group.iloc[0]
        for ge in gamma_e:
            states = []
            for iv in stretches:
                if iv.lo <= ge <= iv.hi:
                    j = float(iv.current_at(ge))
                    if not any(
                        r == iv.rotating and abs(j - other) <= 0.02 * max(abs(other), 1e-3) for r, other in states
                    ):
                        states.append((iv.rotating, j))
            rotating = sum(1 for r, _ in states if r)
            zero = int(_zero_state_stable(first, ge))
            out.append(
                {by: value, "gamma_e": ge, "rotating": rotating, "resting": len(states) - rotating, "zero": zero}
            )
    frame = pd.DataFrame(out, columns=[by, "gamma_e", "rotating", "resting", "zero"])
    frame["total"] = frame["rotating"] + frame["resting"] + frame["zero"]
    return frame


def _close(j, other) -> bool:
    return abs(j - other) <= 0.02 * max(abs(other), 1e-3)


def _zero_state_stable(row, gamma_e: float) -> bool:
    net = Network.chain(int(row["n_sites"]), float(row["gamma_i"]), float(gamma_e), float(row["gamma"]), nu=row["nu"])
    return bool(np.max(np.linalg.eigvals(net.unsaturated_matrix()).real) < 0)


__all__ = ["OMEGA_REST", "Stretch", "stable_intervals", "stable_state_count", "transition_points"]
