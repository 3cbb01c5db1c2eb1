"""Tests of powergrid.config: the real configuration validates, bad ones fail with a clear message."""

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from powergrid.config import ConfigError, validate_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
SMOKE = ROOT / "tests" / "smoke" / "config.yaml"
SNAKEFILE = ROOT / "Snakefile"


def _load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


REAL = _load(ROOT / "config.yaml")


def test_real_config_validates():
    validate_config(REAL, SCHEMA)


def test_smoke_config_validates():
    validate_config(_load(SMOKE), SCHEMA)


def test_defaults_are_filled_and_input_untouched():
    before = copy.deepcopy(REAL)
    out = validate_config(REAL, SCHEMA)
    network = out["datasets"]["fig2a"]["network"]
    assert (network["nu"], network["n0"], network["n_th_over_n0"]) == (2.0, 1.0, 0.0)
    assert network["gain"][0]["n0_ratio"] == 1.0
    assert REAL == before


def _fig2a_network(cfg):
    """fig2a's own network: the YAML anchor shares one dict between several datasets."""
    net = cfg["datasets"]["fig2a"]["network"] = copy.deepcopy(cfg["datasets"]["fig2a"]["network"])
    return net


def _set_network(**changes):
    def edit(cfg):
        _fig2a_network(cfg).update(changes)

    return edit


def _set(path, value):
    def edit(cfg):
        *parents, last = path.split(".")
        node = cfg
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


def _edit_reservoir(kind, **changes):
    def edit(cfg):
        _fig2a_network(cfg)[kind][0].update(changes)

    return edit


def _yaml_scalar(text):
    # what PyYAML (YAML 1.1) makes of a value typed into config.yaml
    return yaml.safe_load(f"x: {text}")["x"]


def _add_gain(site):
    def edit(cfg):
        _fig2a_network(cfg)["gain"].append({"site": site, "rate": 1.0})

    return edit


# (id, edit of a copy of the real config, substrings the message must contain)
BAD = [
    ("negative rate", _edit_reservoir("gain", rate=-1.0), ["datasets.fig2a.network.gain[0].rate", "-1.0", ">= 0"]),
    (
        "non-numeric rate",
        _edit_reservoir("loss", rate="fast"),
        ["datasets.fig2a.network.loss[0].rate", "'fast'", "must be a number"],
    ),
    (
        "1e-3 read as string",
        _set_network(gamma=_yaml_scalar("1e-3")),
        ["datasets.fig2a.network.gamma", "'1e-3' is a string", "without a dot", "write 1.0e-3"],
    ),
    ("negative gamma", _set_network(gamma=-0.001), ["datasets.fig2a.network.gamma = -0.001: must be >= 0"]),
    ("N < 2", _set_network(n_sites=1), ["datasets.fig2a.network.n_sites", "= 1", ">= 2"]),
    ("float N", _set_network(n_sites=10.0), ["datasets.fig2a.network.n_sites", "10.0", "integer"]),
    ("unknown top-level key", _set("seeds", 3), ["seeds = 3", "unknown key at the top level", "seed, chunk_size"]),
    (
        "unknown network key",
        _set_network(gama=0.1),
        ["datasets.fig2a.network.gama = 0.1", "unknown key in datasets.fig2a.network", "gamma"],
    ),
    (
        "key of another method",
        _set("datasets.fig2a.n0", [1.0]),
        ["datasets.fig2a.n0 = [1.0]", "unknown key", "protocol"],
    ),
    ("missing key", lambda cfg: cfg["datasets"]["fig2a"].pop("protocol"), ["datasets.fig2a.protocol is missing"]),
    (
        "zero-point sweep",
        _set("datasets.fig2a.outer.points", 0),
        ["datasets.fig2a.outer.points = 0", ">= 1", "at least one point"],
    ),
    ("one point, min != max", _set("datasets.fig2a.outer.points", 1), ["datasets.fig2a.outer.points = 1", "ambiguous"]),
    ("min > max", _set("datasets.fig2a.inner.min", 8.0001), ["datasets.fig2a.inner.min = 8.0001", "<= max = 8.0"]),
    (
        "min > max in saturation range",
        _set("datasets.figS1.x_over_n0", {"min": 5.0, "max": 0.0, "points": 11}),
        ["datasets.figS1.x_over_n0.min = 5.0", "<= max"],
    ),
    (
        "range and values",
        _set("datasets.fig2a.outer", {"name": "gamma_i", "min": 0.0, "values": [1.0]}),
        ["datasets.fig2a.outer.min = 0.0", "not allowed together with 'values'"],
    ),
    (
        "axis without range or values",
        _set("datasets.fig2a.outer", {"name": "gamma_i"}),
        ["datasets.fig2a.outer.min is missing", "min, max and points or values"],
    ),
    (
        "edge to a missing site",
        _set_network(edges=[[i, i + 1] for i in range(1, 10)] + [[10, 11]]),
        ["datasets.fig2a.network.edges[9] = [10, 11]", "missing site"],
    ),
    (
        "self-loop",
        _set_network(edges=[[i, i + 1] for i in range(1, 10)] + [[3, 3]]),
        ["datasets.fig2a.network.edges[9] = [3, 3]", "self-loop"],
    ),
    (
        "duplicate edge",
        _set_network(edges=[[i, i + 1] for i in range(1, 10)] + [[2, 1]]),
        ["datasets.fig2a.network.edges[9] = [2, 1]", "duplicate edge", "edges[0] already joins sites 1 and 2"],
    ),
    (
        "disconnected graph",
        _set_network(edges=[[1, 2], [2, 3], [4, 5]] + [[i, i + 1] for i in range(5, 10)]),
        ["datasets.fig2a.network.edges = [[1, 2]", "not connected", "site(s) 4, 5, 6, 7, 8, 9, 10"],
    ),
    ("gain site out of range", _edit_reservoir("gain", site=11), ["datasets.fig2a.network.gain[0].site = 11", "1..10"]),
    (
        "duplicate reservoir site",
        _edit_reservoir("loss", site=1),
        ["datasets.fig2a.network.loss[0].site = 1", "already has a reservoir (gain[0])"],
    ),
    (
        "detuning of wrong length",
        _set_network(detuning=[0.0, 0.1]),
        ["datasets.fig2a.network.detuning = [0.0, 0.1]", "one per site (n_sites = 10)"],
    ),
    (
        "unknown method",
        _set("datasets.fig2a.method", "steady"),
        [
            "datasets.fig2a.method = 'steady'",
            "'steady_state', 'relaxation', 'sde', 'quantum', 'linear_spectrum', 'saturation'",
        ],
    ),
    (
        "fractional realization index",
        _set("datasets.fig2a.outer", {"name": "realization", "values": [0, 1.5]}),
        ["datasets.fig2a.outer.values[1] = 1.5", "whole number >= 0 for realization"],
    ),
    (
        "chain length below 2",
        _set("datasets.fig2a.outer", {"name": "n_sites", "values": [1, 4]}),
        ["datasets.fig2a.outer.values[0] = 1", "whole number >= 2 for n_sites"],
    ),
    (
        "unknown protocol",
        _set("datasets.fig2a.protocol", "sideways"),
        ["datasets.fig2a.protocol = 'sideways'", "'random', 'up', 'down', 'up_down'"],
    ),
    ("bool as number", _set_network(nu=True), ["datasets.fig2a.network.nu = True", "must be a number", "not a number"]),
    ("NaN", _set_network(gamma=_yaml_scalar(".nan")), ["datasets.fig2a.network.gamma = nan", "finite"]),
    ("inf", _set("solver.t_max", float("inf")), ["solver.t_max = inf", "finite"]),
    (
        "unknown axis name",
        _set("datasets.fig2a.outer.name", "gamma_x"),
        ["datasets.fig2a.outer.name = 'gamma_x'", "gamma_e@K"],
    ),
    (
        "gamma_e@K with K not a loss site",
        _set("datasets.fig2a.inner.name", "gamma_e@3"),
        ["datasets.fig2a.inner.name = 'gamma_e@3'", "site 3 has no loss reservoir", "(loss sites 10)"],
    ),
    (
        "gamma_i with two gain sites",
        _add_gain(5),
        ["datasets.fig2a.outer.name = 'gamma_i'", "exactly one gain site", "sites 1, 5"],
    ),
    (
        "same parameter on both axes",
        _set("datasets.fig2a.inner.name", "gamma_i"),
        ["datasets.fig2a.inner.name = 'gamma_i'", "same rate as outer.name = 'gamma_i'"],
    ),
    (
        "gamma_e and gamma_e_over_gamma_i",
        _set("datasets.figS3.outer.name", "gamma_e_over_gamma_i"),
        ["datasets.figS3.inner.name = 'gamma_e'", "same rate as outer.name = 'gamma_e_over_gamma_i'"],
    ),
    (
        "gamma_e and gamma_e@K on the same site",
        _set("datasets.figS3.outer.name", "gamma_e@10"),
        ["datasets.figS3.inner.name = 'gamma_e'", "same rate as outer.name = 'gamma_e@10'"],
    ),
    (
        "bad dataset name",
        lambda cfg: cfg["datasets"].update({"fig-2a": cfg["datasets"]["fig2a"]}),
        ["datasets.fig-2a", "'fig-2a'", "letters, digits and _"],
    ),
    ("negative seed", _set("seed", -1), ["seed = -1", ">= 0"]),
    ("empty gain list", _set_network(gain=[]), ["datasets.fig2a.network.gain = []", "at least 1 item"]),
    (
        "n_basis not one per inner value",
        _set("datasets.fig4b.n_basis", [50, 80]),
        ["datasets.fig4b.n_basis = [50, 80]", "one truncation per value of inner (3 values of n0)"],
    ),
    (
        "k_max above the box",
        _set("datasets.fig4b.k_max", [50, 80, 300]),
        ["datasets.fig4b.k_max = [50, 80, 300]", "exceeds the box n_sites (n_basis - 1) = 218"],
    ),
]


@pytest.mark.parametrize("edit, expected", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_config_is_rejected(edit, expected):
    cfg = copy.deepcopy(REAL)
    edit(cfg)
    with pytest.raises(ConfigError) as info:
        validate_config(cfg, SCHEMA)
    message = str(info.value)
    assert message.startswith("config: ")
    assert "\n" not in message
    for text in expected:
        assert text in message, f"{text!r} not in {message!r}"


def test_snakemake_stops_on_bad_config(tmp_path):
    cfg = copy.deepcopy(REAL)
    _set_network(gamma=-0.001)(cfg)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--cores",
            "1",
            "--configfile",
            str(path),
            "-d",
            str(tmp_path),
            "-s",
            str(SNAKEFILE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "network.gamma" in output and "-0.001" in output, output
    assert "Job stats" not in output, output  # the DAG was never built, so no job was planned
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (((0, 1), (1, 0)), "edges[1] = (1, 0): a duplicate edge; edges[0] already joins sites 0 and 1"),
        (((0, 1), (1, 1)), "edges[1] = (1, 1): a self-loop"),
        (((0, 1),), "the graph is not connected: site(s) 2 have no path to site 0"),
    ],
)
def test_the_model_refuses_what_the_config_refuses_with_the_same_reason(edges, message):
    """One set of structural rules: Network's validation, which the config's check reuses."""
    from powergrid.model import Network, Reservoir

    with pytest.raises(ValueError, match=re.escape(message)):
        Network(n_sites=3, edges=edges, gain=(Reservoir(0, 1.0),), loss=(Reservoir(2, 1.0),), gamma=0.0)
