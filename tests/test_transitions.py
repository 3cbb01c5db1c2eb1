"""Reading the transition off continuation tables (powergrid.transitions), on small hand-made
tables with known answers, and on the method's own tables for a short chain."""

import numpy as np
import pandas as pd
import pytest

from powergrid.transitions import stable_intervals, stable_state_count, transition_points


def branch(start, direction, gamma_e, omega, stable, j=None):
    gamma_e = np.asarray(gamma_e, float)
    return pd.DataFrame(
        dict(
            gamma_i=4.0,
            gamma=1e-3,
            n_sites=10,
            nu=2.0,
            inner_index=start,
            direction=direction,
            step=np.arange(gamma_e.size),
            gamma_e=gamma_e,
            omega=np.broadcast_to(np.asarray(omega, float), gamma_e.shape),
            stable=np.asarray(stable, bool),
            n_unstable=np.where(np.asarray(stable, bool), 0, 2),
            J_loss=gamma_e if j is None else j,
        )
    )


def point(start, direction, order, kind, value, omega, before, after, j=0.0):
    return dict(
        gamma_i=4.0,
        inner_index=start,
        direction=direction,
        order=order,
        kind=kind,
        value=value,
        omega=omega,
        unstable_before=before,
        unstable_after=after,
        located=True,
        J_loss=j,
    )


def scenario(restable=False, bistable=False):
    """A rotating state from Gamma_e = 0.5 up (stable to a Hopf point at 3.0, optionally again in
    [3.2, 3.3]), through the branch point at 3.5 onto its mirror; the state at rest from 10 down,
    stable to the branch point at 3.5 (or, bistable, down to 2.5 through a Hopf point)."""
    up = np.linspace(0.5, 3.5, 31)
    rot = branch(0, 1, np.r_[up, up[::-1][1:]], np.r_[np.full(31, 0.1), np.full(30, -0.1)], False)
    rot.loc[rot["gamma_e"] < 3.0, "stable"] = True
    rest_ge = np.linspace(10.0, 2.0, 81)
    rest = branch(1, -1, rest_ge, 0.0, rest_ge > (2.5 if bistable else 3.5))
    low = branch(0, -1, [0.5, 0.25], 0.1, True)
    pts = [point(0, 1, 0, "hopf", 3.0, 0.1, 0, 2, 3.0)]
    if restable:
        pts += [point(0, 1, 1, "hopf", 3.2, 0.1, 2, 0, 3.2), point(0, 1, 2, "hopf", 3.3, 0.1, 0, 2, 3.3)]
    k = len(pts)
    pts += [point(0, 1, k, "branch", 3.5, 0.0, 2, 2, 3.5), point(0, 1, k + 1, "hopf", 3.0, -0.1, 2, 0, 3.0)]
    if bistable:
        pts += [point(1, -1, 0, "branch", 3.5, 0.0, 0, 0, 3.5), point(1, -1, 1, "hopf", 2.5, 0.0, 0, 2, 2.5)]
    else:
        pts += [point(1, -1, 0, "branch", 3.5, 0.0, 0, 1, 3.5)]
    return pd.concat([low, rot, rest], ignore_index=True), pd.DataFrame(pts)


@pytest.mark.parametrize(
    "restable, bistable, expected",
    [
        (False, False, dict(gamma_e_symmetric_end=3.0, gamma_e_branch=3.5, gamma_e_broken_start=3.5, gap=0.5)),
        (True, False, dict(gamma_e_symmetric_end=3.0, gamma_e_branch=3.5, gamma_e_broken_start=3.5, gap=0.4)),
        (False, True, dict(gamma_e_symmetric_end=3.0, gamma_e_branch=3.5, gamma_e_broken_start=2.5, gap=0.0)),
    ],
)
def test_transition_points_of_hand_made_branches(restable, bistable, expected):
    branches, points = scenario(restable, bistable)
    row = transition_points(branches, points, "gamma_i").iloc[0]
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, abs=1e-12), key
    assert row["window"] == pytest.approx(expected["gamma_e_broken_start"] - expected["gamma_e_symmetric_end"])


def test_stable_stretches_end_on_located_points_not_on_rows():
    branches, points = scenario(restable=True)
    stretches = stable_intervals(branches, points)
    rotating = sorted((s.lo, s.hi) for s in stretches if s.rotating)
    # [0.25, 0.5], [0.5, 3.0], [3.2, 3.3] and the mirror's [0.5, 3.0] (ends at the branch's last row)
    assert (3.2, 3.3) in rotating and (0.5, 3.0) in rotating and (0.25, 0.5) in rotating
    assert [(s.lo, s.hi) for s in stretches if not s.rotating] == [(3.5, 10.0)]


def test_counts_merge_mirror_images_and_see_coexistence():
    branches, points = scenario(bistable=True)
    counts = stable_state_count(branches, points, np.array([1.0, 2.75, 3.25, 5.0])).set_index("gamma_e")
    # the mirror image of the rotating state is not a second state
    assert counts.loc[1.0, "rotating"] == 1 and counts.loc[1.0, "resting"] == 0
    assert counts.loc[2.75, "total"] == 2  # the rotating state and the state at rest coexist
    assert counts.loc[3.25, "total"] == 1 and counts.loc[3.25, "resting"] == 1
    assert (counts["zero"] == 0).all()  # Gamma_i = 4 > g: the zero state is unstable everywhere
