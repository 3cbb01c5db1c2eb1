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


def _edits(*edits):
    def edit(cfg):
        for e in edits:
            e(cfg)

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
        "dataset chunk_size 0",
        _set("datasets.fig4a_quantum_peak.chunk_size", 0),
        ["datasets.fig4a_quantum_peak.chunk_size = 0", ">= 1"],
    ),
    (
        "dataset chunk_size 2.5",
        _set("datasets.fig2a.chunk_size", 2.5),
        ["datasets.fig2a.chunk_size = 2.5", "integer"],
    ),
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
            "'steady_state', 'relaxation', 'sde', 'quantum', 'linear_spectrum', 'continuation', 'saturation'",
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
        _edits(_set("datasets.fig4b.n_basis", [50, 80, 110]), _set("datasets.fig4b.k_max", [50, 80, 300])),
        ["datasets.fig4b.k_max[2] = 300", "exceeds the box n_sites (n_basis - 1) = 218"],
    ),
    (
        "per-point n_basis not one per outer value",
        _set("datasets.fig4b.n_basis", [50, [80, 90], 110]),
        ["datasets.fig4b.n_basis[1] = [80, 90]", "one value per value of outer (26 values of gamma_e)"],
    ),
    (
        "per-point k_max above its point's box",
        _edits(
            _set("datasets.fig4b.n_basis", [50, 80, 110]), _set("datasets.fig4b.k_max", [50, 80, [200] * 25 + [300]])
        ),
        ["datasets.fig4b.k_max[2][25] = 300", "exceeds the box n_sites (n_basis - 1) = 218"],
    ),
    (
        "per-point n_basis below 2",
        _set("datasets.fig4b.n_basis", [50, 80, [110] * 25 + [1]]),
        ["datasets.fig4b.n_basis[2][25] = 1", "must be >= 2"],
    ),
    # numerics that cannot be right (issue 13, part 3): refused before any job
    (
        "solver step longer than a check interval",
        _set("solver.dt", 60.0),
        ["solver.dt = 60.0: must be <= solver.check_interval = 50.0 (default)"],
    ),
    (
        "solver check interval longer than a window",
        _set("solver.check_interval", 600.0),
        ["solver.check_interval = 600.0: must be <= solver.t_window = 500.0", "whole number of check intervals"],
    ),
    (
        "solver t_max before t_settle + t_window",
        _set("solver.t_max", 1800.0),
        [
            "solver.t_max = 1800.0: must be >= max(t_settle, t_window) + t_window = 2000.0",
            "solver.t_settle = 1500.0 and solver.t_window = 500.0",
            "none could converge",
        ],
    ),
    (
        "solver t_settle beyond t_max",
        _set("solver.t_settle", 9000.0),
        ["solver.t_max = 8000.0: must be >= max(t_settle, t_window) + t_window = 9500.0", "solver.t_settle = 9000.0"],
    ),
    (
        "solver window longer than half of t_max",
        _set("solver.t_window", 5000.0),
        ["solver.t_max = 8000.0: must be >= max(t_settle, t_window) + t_window = 10000.0", "solver.t_window = 5000.0"],
    ),
    ("solver step of zero", _set("solver.dt", 0.0), ["solver.dt = 0.0", "> 0"]),
    (
        "relaxation hi below lo",
        _set("relaxation.hi", 1.0e-9),
        ["relaxation.hi = 1e-09: must be > relaxation.lo = 1e-08", "ln(hi/lo)"],
    ),
    (
        "relaxation hi equal to lo",
        _set("relaxation.hi", 1.0e-8),
        ["relaxation.hi = 1e-08: must be > relaxation.lo = 1e-08"],
    ),
    (
        "relaxation step longer than a chunk",
        _set("relaxation.dt", 300.0),
        ["relaxation.dt = 300.0: must be <= relaxation.chunk = 200.0 (default)"],
    ),
    (
        "relaxation step not on the checking grid",
        _set("relaxation.step", 0.025),
        ["relaxation.step = 0.025: must be a whole multiple of relaxation.dt = 0.01", "dt grid"],
    ),
    (
        "relaxation t_max within three chunks",
        _set("relaxation.t_max", 500.0),
        ["relaxation.t_max = 500.0: must be > 3 chunk = 600.0, with relaxation.chunk = 200.0 (default)", "no tau_r"],
    ),
    (
        "relaxation chunk set with t_max",
        _set("relaxation.chunk", 1.0e5),
        ["relaxation.t_max = 200000.0: must be > 3 chunk = 300000.0, with relaxation.chunk = 100000.0:"],
    ),
    (
        "sde step not shorter than t_average",
        _set("datasets.fig3.t_average", 0.01),
        ["datasets.fig3.t_average = 0.01: must be longer than one time step sde.dt = 0.01"],
    ),
    (
        "unknown sde increments",
        _set("sde.noise", "uniform"),
        ["sde.noise = 'uniform': must be one of 'three-point', 'gaussian'"],
    ),
    (
        "global sde step longer than a run",
        _set("sde.dt", 50000.0),
        ["datasets.fig3.t_average = 20000.0: must be longer than one time step sde.dt = 50000.0"],
    ),
    (
        "sde step longer than the transient",
        _set("datasets.fig3.t_transient", 0.001),
        ["datasets.fig3.t_transient = 0.001: is shorter than one time step sde.dt = 0.01", "0 for no transient"],
    ),
    (
        "dt axis value longer than t_average",
        _set("datasets.sde_convergence.outer.values", [0.04, 20000.0, 0.01]),
        [
            "datasets.sde_convergence.t_average = 10000.0",
            "one time step datasets.sde_convergence.outer.values[1] = 20000.0",
        ],
    ),
    (
        "dt axis range longer than the transient",
        _set("datasets.sde_convergence.outer", {"name": "dt", "min": 0.01, "max": 6000.0, "points": 3}),
        ["datasets.sde_convergence.t_transient = 5000.0", "datasets.sde_convergence.outer.max = 6000.0"],
    ),
    (
        "histogram sampled once per trajectory",
        _set("datasets.fig3b.histogram.every", 1000000),
        [
            "datasets.fig3b.histogram.every = 1000000: samples every 1000000 steps of sde.dt = 0.01",
            "datasets.fig3b.t_average = 10000.0",
            "a single sample",
        ],
    ),
    (
        "quantum trajectory step longer than t_average",
        _set("datasets.extra_quantum_n3.trajectories.dt", 5000.0),
        [
            "datasets.extra_quantum_n3.trajectories.t_average = 3000.0: must be longer than one time step "
            "datasets.extra_quantum_n3.trajectories.dt = 5000.0"
        ],
    ),
    (
        "quantum trajectory step longer than the transient",
        _set("datasets.extra_quantum_n3.trajectories.t_transient", 0.01),
        [
            "datasets.extra_quantum_n3.trajectories.t_transient = 0.01: is shorter than one time step "
            "datasets.extra_quantum_n3.trajectories.dt = 0.05"
        ],
    ),
    (
        "leak bound above 1",
        _set("datasets.fig4b.leak_bound", 1.5),
        ["datasets.fig4b.leak_bound = 1.5: must be <= 1", "population"],
    ),
    (
        "negative saturation argument",
        _set("datasets.figS1.x_over_n0", {"min": -1.0, "max": 5.0, "points": 11}),
        ["datasets.figS1.x_over_n0.min = -1.0: must be >= 0"],
    ),
    (
        "fit window with min > max",
        _set("datasets.fig3c.fit_xi", {"min": 1.0, "max": 0.1}),
        ["datasets.fig3c.fit_xi.min = 1.0: must be < fit_xi.max = 0.1"],
    ),
    (
        "fit window of zero width",
        _set("datasets.fig3c.fit_xi", {"min": 0.5, "max": 0.5}),
        ["datasets.fig3c.fit_xi.min = 0.5: must be < fit_xi.max = 0.5"],
    ),
    (
        "N exponent without an n_sites axis",
        _set("datasets.fig3c.inner", {"name": "gamma", "values": [1.0e-3]}),
        ["datasets.fig3c.fit_n_exponent_at = [6.0, 8.0]", "needs n_sites as the outer or inner axis"],
    ),
    (
        "unsorted values with continuation",
        _set("datasets.fig2c.inner.values", [0.5, 0.7, 0.6, 0.8]),
        ["datasets.fig2c.inner.values[2] = 0.6: must be > values[1] = 0.7", "protocol 'up'", "increase strictly"],
    ),
    (
        "repeated value with continuation",
        _set("datasets.fig2c.inner.values", [0.5, 0.5]),
        ["datasets.fig2c.inner.values[1] = 0.5: must be > values[0] = 0.5"],
    ),
    (
        "decreasing values with down continuation",
        lambda cfg: cfg["datasets"]["fig2c"].update(protocol="down", inner={"name": "gamma_e", "values": [2.0, 1.0]}),
        ["datasets.fig2c.inner.values[1] = 1.0: must be > values[0] = 2.0", "protocol 'down'"],
    ),
    (
        "constant range with continuation",
        _set("datasets.figS4.inner", {"name": "gamma_e", "min": 4.0, "max": 4.0, "points": 3}),
        ["datasets.figS4.inner.min = 4.0: must be < max = 4.0 with 3 points", "protocol 'up_down'"],
    ),
    (
        "branch start outside the continuation range",
        _set("datasets.extra_bifurcation.inner.values", [0.5, 12.0]),
        ["datasets.extra_bifurcation.inner.values[1] = 12.0: a start must lie in range [0.25, 10.0]"],
    ),
    (
        "empty continuation range",
        _set("datasets.extra_bifurcation.range", {"min": 5.0, "max": 5.0}),
        ["datasets.extra_bifurcation.range.min = 5.0: must be < range.max = 5.0"],
    ),
    (
        "branch along a discrete parameter",
        _set("datasets.extra_bifurcation.inner", {"name": "n_sites", "values": [4, 6]}),
        ["datasets.extra_bifurcation.inner.name = 'n_sites': cannot be followed by continuation"],
    ),
    (
        "continuation steps out of order",
        _set("datasets.extra_bifurcation.continuation", {"step": 0.5}),
        ["datasets.extra_bifurcation.continuation", "needs min_step <= step <= max_step, here 1e-09 <= 0.5 <= 0.05"],
    ),
    (
        "line seed outside the lines' range",
        _set("datasets.extra_phase_lines.lines", {"min": 0.0, "max": 6.0, "points": 11}),
        ["datasets.extra_phase_lines.outer.values[0] = 8.0: a seed of the lines must lie in lines [0.0, 6.0]"],
    ),
    (
        "lines along a discrete parameter",
        _set("datasets.extra_transition_n.lines", {"min": 2.0, "max": 20.0, "points": 5}),
        ["datasets.extra_transition_n.outer.name = 'n_sites': the lines are followed along it"],
    ),
    (
        "line steps out of order",
        _set("datasets.extra_phase_lines.lines.continuation", {"step": 0.5}),
        ["datasets.extra_phase_lines.lines.continuation", "here 1e-09 <= 0.5 <= 0.2"],
    ),
    (
        "continuation across chain lengths",
        _set("datasets.fig3c.protocol", "up"),
        ["datasets.fig3c.inner.name = 'n_sites'", "chains of different length"],
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


def test_unsorted_values_are_fine_without_continuation():
    cfg = copy.deepcopy(REAL)
    _set("datasets.fig2c.inner.values", [0.9, 0.5, 0.7])(cfg)
    _set("datasets.fig2c.protocol", "random")(cfg)
    validate_config(cfg, SCHEMA)


def test_zero_transient_and_leak_bound_one_are_allowed():
    cfg = copy.deepcopy(REAL)
    _set("datasets.fig3.t_transient", 0.0)(cfg)
    _set("datasets.extra_quantum_n3.trajectories.t_transient", 0.0)(cfg)
    _set("datasets.fig4b.leak_bound", 1.0)(cfg)  # the smoke run's "no check"
    validate_config(cfg, SCHEMA)


def test_solver_sections_build_the_options_the_jobs_use():
    """What the config accepts, the option classes accept too (the same rules, one source)."""
    from powergrid.deterministic import SteadyStateOptions
    from powergrid.relaxation import RelaxationOptions

    for cfg in (REAL, _load(SMOKE)):
        out = validate_config(cfg, SCHEMA)
        SteadyStateOptions(**{k: float(v) for k, v in out["solver"].items()})
        RelaxationOptions(kick=0.1, **{k: float(v) for k, v in out["relaxation"].items()})


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
