"""The ensemble driver shared by ``powergrid.sde`` and ``powergrid.quantum_trajectories``.

Seeds: trajectory k of ``seed`` (a ``numpy.random.SeedSequence``) draws from
``default_rng(SeedSequence(seed.entropy, spawn_key=seed.spawn_key + (k,)))``, the k-th child that
``seed.spawn`` returns on a fresh SeedSequence; ``seed`` itself is not advanced, so passing the same
object twice gives the same numbers. ``first_trajectory`` selects the children first_trajectory ..
first_trajectory + n_traj - 1, so an ensemble split into chunks and joined with the result's
``merge`` is bit for bit the ensemble run in one call. A list of SeedSequences (one per trajectory)
may be passed instead; trajectory k is then the k-th of the list.

Blocks and threads: the steps (t_transient, then t_average, each rounded to whole steps of dt) are
run in blocks of at most ``block_steps``; within a block the work units (a trajectory, or a group
of trajectories that never interact) are advanced by a pool of threads. Every trajectory owns its
generator and accumulators and each of its steps is computed by one thread, so the numbers depend
neither on the number of threads, nor on the blocks, nor on chunking.

Statistics: every step of the averaging window enters per-trajectory time means; the ensemble
values are means over trajectories and their standard errors come from the spread across the
independent trajectories (``ensemble_statistics``).

Arguments are checked where they enter (``TrajectoryEnsemble.of``, ``check_real``, ``check_int``):
a wrong type raises TypeError, a wrong value ValueError, both naming the function, the argument
and the value, before any compiled code sees them. Valid values are passed on unchanged, so the
numbers do not depend on the checks.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

MAX_STEPS = 2**53  # steps of one run (t_transient + t_average over dt) beyond this are refused


def describe(value) -> str:
    """``value`` for an error message: its repr (shortened) and its type."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _is_real(value) -> bool:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_real(where: str, name: str, value, *, low: float = 0.0, strict: bool = True, none: bool = False):
    """``value`` itself (unchanged: arithmetic with it stays what it was) if it is a finite real
    number > low (>= low unless ``strict``; None too if ``none``); TypeError for anything that is
    not a real number (a string, a bool, a complex number, an array), ValueError otherwise."""
    if value is None and none:
        return None
    want = f"a finite number {'>' if strict else '>='} {low:g}" + (" (or None)" if none else "")
    if not _is_real(value):
        raise TypeError(f"{where}: {name} must be {want}, got {describe(value)}")
    if not (math.isfinite(value) and (value > low if strict else value >= low)):
        raise ValueError(f"{where}: {name} must be {want}, got {describe(value)}")
    return value


def check_int(where: str, name: str, value, *, low: int | None = None, high: int | None = None, none: bool = False):
    """int(value) if ``value`` is an integer (Python or numpy, not a bool and not a float, even an
    integral one) in low..high (None: unbounded), or None if ``none``; TypeError or ValueError
    naming the argument otherwise."""
    if value is None and none:
        return None
    lo = "" if low is None else f" >= {low}"
    want = f"an integer{lo}" if high is None else f"an integer in {low}..{high}"
    if none:
        want += " (or None)"
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be {want}, got {describe(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{where}: {name} must be {want}, got {value!r}")
    return value


def check_callable(where: str, name: str, value):
    """``value`` if it is None or callable, else TypeError."""
    if value is not None and not callable(value):
        raise TypeError(f"{where}: {name} must be a callable or None, got {describe(value)}")
    return value


def trajectory_seeds(seed: np.random.SeedSequence, first: int, n: int) -> list[np.random.SeedSequence]:
    """Children first .. first+n-1 of ``seed``, as seed.spawn would give them, without advancing seed."""
    return [
        np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + (k,), pool_size=seed.pool_size)
        for k in range(first, first + n)
    ]


@dataclass(frozen=True)
class TrajectoryEnsemble:
    """Who the trajectories are (seeds, ids), how many steps they take, and who computes them."""

    seeds: tuple[np.random.SeedSequence, ...]
    ids: np.ndarray  # (n_traj,) child indices of the seed, or positions in the given list
    n_transient: int
    n_average: int
    threads: int
    block_steps: int

    @classmethod
    def of(
        cls,
        seed: np.random.SeedSequence | Sequence[np.random.SeedSequence],
        n_traj: int | None,
        first_trajectory: int,
        dt: float,
        t_transient: float,
        t_average: float,
        threads: int | None,
        block_steps: int,
        where: str = "trajectory ensemble",
    ) -> TrajectoryEnsemble:
        """Check the arguments common to both engines (TypeError / ValueError naming ``where``, the
        argument and its value); t_average is at least one step."""
        first_trajectory = check_int(where, "first_trajectory", first_trajectory, low=0)
        n_traj = check_int(where, "n_traj", n_traj, low=1, none=True)
        if isinstance(seed, np.random.SeedSequence):
            if n_traj is None:
                raise ValueError(f"{where}: n_traj (an integer >= 1) is needed with a single SeedSequence as seed")
            seeds = trajectory_seeds(seed, first_trajectory, n_traj)
            ids = np.arange(first_trajectory, first_trajectory + n_traj, dtype=np.int64)
        else:
            want = "a numpy.random.SeedSequence (e.g. SeedSequence(42)) or a non-empty sequence of them"
            if isinstance(seed, (str, bytes, numbers.Number)) or not isinstance(seed, Iterable):
                raise TypeError(f"{where}: seed must be {want}, got {describe(seed)}")
            seeds = list(seed)
            if not seeds:
                raise ValueError(f"{where}: seed must be {want}, got an empty sequence")
            bad = next((s for s in seeds if not isinstance(s, np.random.SeedSequence)), None)
            if bad is not None:
                raise TypeError(f"{where}: seed must be {want}; the sequence holds {describe(bad)}")
            if n_traj is not None and n_traj != len(seeds):
                raise ValueError(f"{where}: n_traj = {n_traj} but {len(seeds)} seed sequences were given")
            ids = np.arange(len(seeds), dtype=np.int64)
        check_real(where, "dt", dt)
        check_real(where, "t_transient", t_transient, strict=False)
        check_real(where, "t_average", t_average)
        threads = check_int(where, "threads", threads, low=1, none=True)
        block_steps = check_int(where, "block_steps", block_steps, low=1)
        n_transient, n_average = int(round(t_transient / dt)), max(1, int(round(t_average / dt)))
        if n_transient + n_average > MAX_STEPS:
            raise ValueError(
                f"{where}: (t_transient + t_average)/dt = ({t_transient!r} + {t_average!r})/{dt!r} = "
                f"{n_transient + n_average} steps, more than {MAX_STEPS}"
            )
        return cls(
            tuple(seeds),
            ids,
            n_transient,
            n_average,
            threads or max(1, int(numba.get_num_threads())),
            block_steps,
        )

    @property
    def n_traj(self) -> int:
        return len(self.seeds)

    def generators(self) -> list[np.random.Generator]:
        return [np.random.default_rng(s) for s in self.seeds]

    def run(
        self,
        n_units: int,
        advance: Callable[[int, int, int, bool], None],
        progress: Callable[[float], None] | None = None,
    ) -> float:
        """Call ``advance(unit, first_step, n_steps, accumulate)`` for every unit 0 .. n_units-1 and
        block (accumulate: the block lies in the averaging window), units in parallel, blocks in
        order; ``progress(fraction)`` after each block, from the calling thread. An exception of an
        ``advance`` propagates (the lowest unit's first). Returns the wall time in seconds."""
        total = self.n_transient + self.n_average
        blocks = [
            (a, min(self.block_steps, hi - a), accumulate)
            for lo, hi, accumulate in ((0, self.n_transient, False), (self.n_transient, total, True))
            for a in range(lo, hi, self.block_steps)
        ]
        workers = min(self.threads, n_units)
        t0 = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        try:
            for a, length, accumulate in blocks:
                if pool is None:
                    for j in range(n_units):
                        advance(j, a, length, accumulate)
                else:
                    list(pool.map(lambda j: advance(j, a, length, accumulate), range(n_units)))  # noqa: B023
                if progress is not None:
                    progress((a + length) / total)
        finally:
            if pool is not None:
                pool.shutdown()
        return time.perf_counter() - t0


def merged_fields(parts: Sequence, same: Sequence[str], joined: Sequence[str], what: str) -> dict:
    """The per-trajectory arrays ``joined`` of chunks of one ensemble, concatenated in the given
    order; ValueError ("can only merge chunks of the same {what}") unless the ``same`` attributes agree."""
    first = parts[0]
    for p in parts[1:]:
        if any(getattr(p, name) != getattr(first, name) for name in same):
            raise ValueError(f"can only merge chunks of the same {what}")
    return {name: np.concatenate([getattr(p, name) for p in parts]) for name in joined}


def _sem(x: np.ndarray):
    k = x.shape[0]
    if k < 2:
        return np.full(x.shape[1:], np.nan) if x.ndim > 1 else np.float64(np.nan)
    return np.std(x, axis=0, ddof=1) / math.sqrt(k)


def _delta_j(j, j2):
    return np.sqrt(np.maximum(j2 - j * j, 0.0))


def ensemble_statistics(tj: np.ndarray, tj2: np.ndarray, tocc: np.ndarray, tg: np.ndarray) -> dict:
    """Ensemble values and standard errors from per-trajectory time means: tj, tj2 (n_traj, n_edges)
    means of J and J^2, tocc (n_traj, n_sites) of the occupations, tg (n_traj,) of Gbar.

    The values are means over trajectories (all trajectories have the same length, so this is the
    pooled time-and-ensemble mean); Delta J = sqrt(<J^2> - <J>^2) from the pooled <J^2> and <J>
    (it includes the spread of the per-trajectory means, as a stationary variance must). Standard
    errors: std(ddof=1)/sqrt(n_traj) of the per-trajectory means for <J>, occupations and Gbar; for
    Delta J the jackknife over trajectories (leave one out, recompute Delta J from the remaining
    means of J and J^2). They are honest when n_traj is not tiny (>= 10, say) and the transient
    covers the relaxation. The same function serves one ensemble and the merge of chunks computed
    by separate jobs."""
    k = tj.shape[0]
    jm, j2m = tj.mean(axis=0), tj2.mean(axis=0)
    dj = _delta_j(jm, j2m)
    if k >= 2:
        djl = _delta_j((k * jm - tj) / (k - 1), (k * j2m - tj2) / (k - 1))
        dj_sem = np.sqrt((k - 1) / k * np.sum((djl - djl.mean(axis=0)) ** 2, axis=0))
    else:
        dj_sem = np.full(jm.shape, np.nan)
    return dict(
        J_mean=jm,
        J_sem=_sem(tj),
        J_std=dj,
        J_std_sem=dj_sem,
        occupation=tocc.mean(axis=0),
        occupation_sem=_sem(tocc),
        Gbar_mean=float(tg.mean()),
        Gbar_sem=float(_sem(tg)),
    )
