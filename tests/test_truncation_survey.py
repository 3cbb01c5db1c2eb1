"""powergrid.truncation_survey: per-point truncation lists from a survey's points table."""

import pandas as pd
import pytest

from powergrid import truncation_survey


def survey_points():
    rows = []
    for j, (box, needed) in enumerate(
        [(100, [(73, 118), (91, 102), (32, 36)]), (130, [(140, 214), (120, 150), (45, 51)])]
    ):
        for i, (nb, k) in enumerate(needed):
            rows.append(
                dict(
                    outer_index=i,
                    inner_index=j,
                    n_sites=2,
                    n_basis=box,
                    k_max=2 * (box - 1),
                    n_basis_needed=nb,
                    k_max_needed=k,
                )
            )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)  # any row order


def test_each_point_gets_its_needed_truncation_within_the_survey_box():
    n_basis, k_max = truncation_survey.per_point_truncations(survey_points())
    assert n_basis == [[73, 91, 32], [130, 120, 45]]  # 140 needs more than the survey had: its box
    assert k_max == [[118, 102, 36], [214, 150, 51]]
    for bs, ks in zip(n_basis, k_max):
        assert all(k <= 2 * (b - 1) for b, k in zip(bs, ks))


def test_a_table_without_survey_columns_is_refused():
    points = survey_points().assign(n_basis_needed=0)  # trajectories record 0
    with pytest.raises(ValueError, match="exact quantum dataset"):
        truncation_survey.per_point_truncations(points)


def test_the_command_prints_the_config_lists_and_the_work(tmp_path, capsys):
    path = tmp_path / "points.parquet"
    survey_points().to_parquet(path)
    truncation_survey.main([str(path)])
    out = capsys.readouterr().out
    assert "n_basis: [[73, 91, 32], [130, 120, 45]]" in out and "k_max: [[118, 102, 36], [214, 150, 51]]" in out
    fraction = float(out.split("summed over the points: ")[1].split()[0])
    expected = sum(
        truncation_survey.work(2, b, k) for b, k in [(73, 118), (91, 102), (32, 36), (130, 214), (120, 150), (45, 51)]
    )
    assert fraction == pytest.approx(
        expected / (3 * truncation_survey.work(2, 100, None) + 3 * truncation_survey.work(2, 130, None)), abs=1e-3
    )
