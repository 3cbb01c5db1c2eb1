"""Sweeps are reproducible whatever the chunking; tables keep provenance and fail loudly."""

import numpy as np
import pandas as pd
import pytest

from powergrid import tables
from powergrid.deterministic import SteadyStateOptions, random_start, steady_state
from powergrid.model import Network
from powergrid.sweep import point_seed, steady_state_sweep

OPT = SteadyStateOptions(t_max=2000.0)


def run(indices, protocol="random"):
    base = Network.chain(6, 4.0, 4.0, 1e-2)
    pts = steady_state_sweep(
        base,
        ("gamma_i", [2.0, 4.0, 6.0]),
        ("gamma_e", [1.0, 3.0, 7.0]),
        indices,
        protocol,
        OPT,
        root_seed=11,
        dataset="t",
    )
    return {(p.outer_index, p.inner_index): p.result for p in pts}


@pytest.mark.parametrize("protocol", ["random", "up"])
def test_results_do_not_depend_on_chunking(protocol):
    whole = run([0, 1, 2], protocol)
    split = {**run([0], protocol), **run([2, 1], protocol)}
    assert whole.keys() == split.keys()
    for k in whole:
        assert whole[k].kind == split[k].kind
        np.testing.assert_array_equal(whole[k].J_mean, split[k].J_mean)


def test_disorder_zero_is_the_clean_chain_and_patterns_are_seeded():
    base = Network.chain(6, 4.0, 8.0, 1e-2)

    def points(sigmas, seed=11):
        return list(
            steady_state_sweep(
                base,
                ("disorder", sigmas),
                ("realization", [0.0, 1.0]),
                list(range(len(sigmas))),
                "random",
                OPT,
                root_seed=seed,
                dataset="d",
            )
        )

    pts = points([0.0, 0.3])
    for p in (p for p in pts if p.disorder == 0.0):  # sigma = 0 is the clean chain, exactly
        rng = np.random.default_rng(point_seed(11, "d", p.outer_index, p.inner_index))
        clean = steady_state(base, random_start(base, rng, OPT.start_amplitude), OPT)
        assert p.network == base
        np.testing.assert_array_equal(p.result.J_mean, clean.J_mean)
    pattern = {p.realization: np.array(p.network.detuning) for p in pts if p.disorder == 0.3}
    assert not np.allclose(pattern[0], pattern[1]) and np.all(np.abs(pattern[0]) <= 0.3)
    again = {p.realization: np.array(p.network.detuning) for p in points([0.3])}
    np.testing.assert_array_equal(again[0], pattern[0])  # the same seed, the same pattern
    other = {p.realization: np.array(p.network.detuning) for p in points([0.3], seed=12)}
    assert not np.allclose(other[0], pattern[0])  # another root seed, another pattern


def test_table_roundtrip_keeps_provenance(tmp_path):
    df = pd.DataFrame({"gamma_i": [1.0, 2.0], "J_mean": [0.1, 0.2]})
    tables.write_table(df, tmp_path / "t.parquet", {"method": "test", "seed": 3})
    pd.testing.assert_frame_equal(tables.read_table(tmp_path / "t.parquet"), df)
    meta = tables.read_meta(tmp_path / "t.parquet")
    assert meta["seed"] == 3 and meta["provenance"]["versions"]["powergrid"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_truncated_table_is_reported_by_name(tmp_path):
    path = tmp_path / "t.parquet"
    tables.write_table(pd.DataFrame({"x": np.arange(100.0)}), path, {})
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(tables.TableError, match="t.parquet"):
        tables.read_table(path)
