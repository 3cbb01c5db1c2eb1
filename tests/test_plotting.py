"""Plotting layer: every registered figure renders from small synthetic tables, is saved as a
non-empty PDF + PNG, byte-stable, with the expected number of data panels; plus the few table
selections the figures make (last bond, maximal-current point, gaps of non-stationary points)."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("agg")

import numpy as np
import pandas as pd
import pytest

N = 10
GAMMA = 1e-3
POINT_COLS = [
    "dataset",
    "protocol",
    "disorder",
    "realization",
    "n_sites",
    "gamma",
    "nu",
    "gamma_i",
    "gamma_e",
    "n0_ratio_gain",
    "n0_ratio_loss",
    "outer_index",
    "inner_index",
    "kind",
    "converged",
    "omega",
    "growth_rate",
    "residual",
    "t_final",
    "Gbar",
]
SITE_COLS = POINT_COLS + ["site", "occupation", "alpha_re", "alpha_im"]
BOND_COLS = POINT_COLS + ["site_from", "site_to", "J_mean", "J_min", "J_max"]

EXPECTED_PANELS = {
    "fig1": 2,
    "fig2": 3,
    "fig6": 2,
    "figS1": 2,
    "figS3": 1,
    "figS4": 1,
    "figS5": 2,
    "fig9": 2,
    "figS6": 2,
    "figS7": 4,
    "figS9": 2,
    "extra-relaxation": 2,
    "extra-bifurcation": 2,  # one Gamma_i: its J and order-parameter panels
    "extra-phase-diagram": 2,
    "extra-transition-scaling": 2,
    # SDE figures (insets count): fig3 = a + its <J> inset + 2 x 4 histograms (b) + c + d;
    # every <J> +- Delta J panel has a <J> inset, fig7d also a Gbar inset, fig5b a Delta J inset
    "fig3": 12,
    "fig5": 3,
    "fig7": 6,
    "fig8": 3,
    "figS8": 4,
    "figS10": 4,
    "extra-sde-convergence": 3,
    # quantum figures: fig4a has the peak-height inset
    "fig4": 3,
    "figS2": 2,
    "extra-quantum-N3": 2,
    "extra-truncation-convergence": 2,
}


# --------------------------------------------------------------------------------------------------
# synthetic tables with the pipeline's columns
def _kind(gi, ge):
    if gi < 1.0 and gi <= ge < 1.0 / max(gi, 1e-9):
        return "zero"
    if abs(ge - gi) < 0.6 and gi > 2:
        return "quasi-periodic"
    if 0 < gi - ge < 1.0:
        return "periodic"
    return "stationary" if ge > gi else "rotating"


def _point(dataset, gi, ge, oi, ii, *, j_scale=1.0, n0_ratio_gain=1.0, disorder=0.0, realization=0):
    """Site and bond rows of one sweep point: a zig-zag profile and a current peaked at Ge = Gi."""
    kind = _kind(gi, ge)
    site = np.arange(1, N + 1)
    zigzag = np.where(site % 2 == 1, 2.0 + 0.1 * gi, 0.05 + 0.01 * ge)
    occ = np.zeros(N) if kind == "zero" else zigzag * (1.0 + 20.0 * (gi > ge))
    phase = 0.5 * np.pi * site
    common = dict(
        dataset=dataset,
        protocol="random",
        disorder=disorder,
        realization=realization,
        n_sites=N,
        gamma=GAMMA,
        nu=2.0,
        gamma_i=gi,
        gamma_e=ge,
        n0_ratio_gain=n0_ratio_gain,
        n0_ratio_loss=1.0,
        outer_index=oi,
        inner_index=ii,
        kind=kind,
        converged=kind != "quasi-periodic" or oi % 2 == 0,
        omega=0.0 if kind == "stationary" else 0.14,
        growth_rate=-1e-4,
        residual=1e-12,
        t_final=500.0,
    )
    # the net saturable damping Gamma_e f^2(n_N) - Gamma_i f^2(n_1) of a fixed point (nu = 2)
    common["Gbar"] = (
        ge / (1 + occ[-1]) ** 2 - gi / (1 + occ[0]) ** 2 if kind in ("zero", "stationary", "rotating") else np.nan
    )
    sites = pd.DataFrame(
        [
            dict(
                common,
                site=int(s),
                occupation=float(o),
                alpha_re=float(np.sqrt(o) * np.cos(p)),
                alpha_im=float(np.sqrt(o) * np.sin(p)),
            )
            for s, o, p in zip(site, occ, phase)
        ]
    )
    j = 0.0 if kind == "zero" else j_scale * min(1.0, np.sqrt(gi * max(ge, 1e-9)) / 4) * np.exp(-abs(ge - gi))
    spread = 0.1 if kind in ("periodic", "quasi-periodic") else 0.0
    bonds = pd.DataFrame(
        [
            dict(
                common,
                site_from=int(s),
                site_to=int(s) + 1,
                J_mean=j * (1 + 0.001 * s),
                J_min=j * (1 + 0.001 * s) - spread,
                J_max=j * (1 + 0.001 * s) + spread,
            )
            for s in site[:-1]
        ]
    )
    return sites[SITE_COLS], bonds[BOND_COLS]


def _sweep(dataset, pairs, **kw):
    parts = [_point(dataset, gi, ge, oi, ii, **kw) for gi, ge, oi, ii in pairs]
    return (pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True))


def synthetic_tables() -> dict[str, pd.DataFrame]:
    t = {}
    g6 = np.linspace(0.0, 5.0, 6)  # a 6 x 6 (Gamma_i, Gamma_e) grid
    t["fig2a/sites"], t["fig2a/bonds"] = _sweep(
        "fig2a", [(gi, ge, i, j) for i, gi in enumerate(g6) for j, ge in enumerate(g6)]
    )
    gd = np.linspace(0.5, 8.0, 16)
    t["fig2b_diagonal/sites"], t["fig2b_diagonal/bonds"] = _sweep(
        "fig2b_diagonal", [(gi, gi, i, 0) for i, gi in enumerate(gd)]
    )
    gm = np.array([2.0, 3.0, 4.0, 5.0])
    ratios = np.linspace(0.97, 1.01, 5)
    t["fig2b_max/sites"], t["fig2b_max/bonds"] = _sweep(
        "fig2b_max", [(gi, gi * r, i, j) for i, gi in enumerate(gm) for j, r in enumerate(ratios)]
    )
    t["fig2c/sites"], t["fig2c/bonds"] = _sweep("fig2c", [(4.0, 4.0 / 1.05, 0, 0), (4.0, 6.0, 0, 1)])
    gs = np.linspace(0.0, 4.0, 6)
    t["figS3/spectrum"] = pd.DataFrame(
        [
            dict(
                gamma_i=gi,
                gamma_e=ge,
                gamma=GAMMA,
                n_sites=N,
                max_real_eigenvalue=(-5e-4 if _kind(gi, ge) == "zero" else gi / 2),
            )
            for gi in gs
            for ge in gs
        ]
    )
    x_over = np.linspace(0.0, 5.0, 21)
    t["figS1/saturation"] = pd.DataFrame(
        [
            dict(n0=n0, x=xo * n0, x_over_n0=xo, f_bar=1 / (1 + xo) ** 0.8, f_classical=1 / (1 + xo))
            for n0 in (1.0, 10.0)
            for xo in x_over
        ]
    )
    ge = np.linspace(0.2, 10.0, 25)
    kind = np.where(ge < 4.0, "rotating", "stationary").astype(object)
    kind[(ge > 3.5) & (ge < 4.2)] = "quasi-periodic"
    t["figS4/ansatz"] = pd.DataFrame(
        dict(
            gamma_i=4.0,
            gamma_e=ge,
            kind=kind,
            A_abs=1.0 + 0.1 * ge,
            B_abs=np.where(ge < 4, 1e-2 * ge, 1 / ge),
            k0=np.pi / 2,
            fit_residual=1e-8,
            gamma=GAMMA,
            n_sites=N,
            protocol="up",
        )
    )
    g10 = np.linspace(0.0, 8.0, 17)
    t["figS6/sites"], t["figS6/bonds"] = _sweep("figS6", [(4.0, ge, 0, j) for j, ge in enumerate(g10)])
    for name, ratio in (("figS9_equal", 1.0), ("figS9_unequal", 1.1)):
        t[f"{name}/sites"], t[f"{name}/bonds"] = _sweep(
            name, [(gi, ge, i, j) for i, gi in enumerate((2.0, 4.0)) for j, ge in enumerate(g10)], n0_ratio_gain=ratio
        )
    t["figS7a/sites"], t["figS7a/bonds"] = _sweep(
        "figS7a", [(gi, ge, i, j) for i, gi in enumerate(g6) for j, ge in enumerate(g6)]
    )
    t["figS7bcd/sites"], t["figS7bcd/bonds"] = _sweep(
        "figS7bcd", [(gi, ge, i, j) for i, gi in enumerate((0.5, 2.0, 4.0)) for j, ge in enumerate(g10)]
    )
    parts = [
        _point("figS5a", 4.0, 8.0, i, r, disorder=sigma, realization=r, j_scale=1 - sigma)
        for i, sigma in enumerate((0.0, 0.1, 0.5))
        for r in range(4)
    ]
    t["figS5a/sites"] = pd.concat([p[0] for p in parts], ignore_index=True)
    parts = [
        _point("figS5b", 4.0, ge, r, j, disorder=0.05, realization=r, j_scale=1 + 0.05 * r)
        for r in range(3)
        for j, ge in enumerate(g10)
    ]
    t["figS5b/bonds"] = pd.concat([p[1] for p in parts], ignore_index=True)
    rows = []
    for n in (4, 6):
        for ge in g10[1:]:
            for direction in ("radial", "tangential"):
                ok = abs(ge - 4.0) > 0.3
                tau = 1000.0 if ge <= 4 else 10.0 * n**2 * (ge - 4.0) ** -1.3
                rows.append(
                    dict(
                        gamma_i=4.0,
                        gamma_e=ge,
                        n_sites=n,
                        direction=direction,
                        kind="stationary",
                        tau=tau if ok else np.nan,
                        tau_linear=tau,
                        meaningful=ok,
                    )
                )
    t["fig3c/relaxation"] = pd.DataFrame(rows)
    t["fig3c/relaxation_fits"] = pd.DataFrame(
        [
            dict(
                quantity="xi",
                n_sites=n,
                gamma_e=np.nan,
                direction="radial",
                value=1.3,
                stderr=0.01,
                prefactor=10.0 * n**2,
                points=4,
                window_min=0.5,
                window_max=2.0,
            )
            for n in (4, 6)
        ]
    )
    t["fig3d_deterministic/sites"], _ = _sweep("fig3d_deterministic", [(4.0, ge, 0, j) for j, ge in enumerate(g10)])
    t.update(sde_tables())
    t.update(quantum_tables())
    return t


def _quantum(dataset, network, outer, inner, n_basis, solver="exact"):
    """Tables of a tiny real quantum dataset (small truncations), as the workflow writes them."""
    from powergrid.methods import quantum
    from powergrid.runner import job_frames

    spec = {
        "dataset": dataset,
        "seed": 1,
        "network": network,
        "outer": outer,
        "inner": inner,
        "n_basis": n_basis,
        "outer_indices": list(range(len(outer["values"]))),
        "solver": solver,
        "leak_bound": 1.0,
        "trajectories": {"count": 4, "dt": 0.05, "t_transient": 5.0, "t_average": 20.0},
    }
    return {f"{dataset}/{k}": v for k, v in job_frames(quantum, spec).items()}


def quantum_tables() -> dict[str, pd.DataFrame]:
    two = {"n_sites": 2, "gamma": 1e-2, "gain": [{"site": 1, "rate": 4.0}], "loss": [{"site": 2, "rate": 4.0}]}
    ge = {"name": "gamma_e", "values": [2.0, 4.0, 6.0]}
    t = {}
    t.update(_quantum("fig4a_quantum", two, ge, {"name": "n0", "values": [1.0, 2.0]}, [6, 8]))
    t.update(
        _quantum("fig4a_quantum_peak", two, {"name": "gamma_e", "values": [4.0]}, {"name": "n0", "values": [5.0]}, [10])
    )
    t.update(_quantum("fig4b", two, ge, {"name": "n0", "values": [1.0, 2.0]}, [6, 8]))
    t.update(_quantum("figS2_quantum", two, ge, {"name": "n0", "values": [2.0]}, [6], solver="trajectories"))
    t.update(
        _quantum(
            "extra_quantum_n3",
            {**two, "n_sites": 3, "loss": [{"site": 3, "rate": 4.0}]},
            ge,
            {"name": "n0", "values": [1.0]},
            [5],
            solver="trajectories",
        )
    )
    on_fig4a_grid = {"name": "gamma_e", "values": [2.0, 6.0]}  # the larger boxes at some of fig4a_quantum's points
    t.update(_quantum("quantum_truncation", two, on_fig4a_grid, {"name": "n0", "values": [1.0, 2.0]}, [8, 10]))
    four_sde = {**two, "n0": 10.0}
    t.update(_ensemble("fig4a_sde", four_sde, ge, {"name": "n0", "values": [10.0, 30.0]}))
    t.update(_ensemble("figS2_sde", four_sde, ge, {"name": "n0", "values": [15.0]}))
    return t


CHAIN4 = {
    "n_sites": 4,
    "gamma": 1e-2,
    "nu": 2.0,
    "n0": 100.0,
    "n_th_over_n0": 10.0,
    "gain": [{"site": 1, "rate": 4.0}],
    "loss": [{"site": 4, "rate": 4.0}],
}
GRAPH9 = {
    "n_sites": 9,
    "edges": [[1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [4, 8], [8, 9]],
    "gamma": 1e-2,
    "nu": 2.0,
    "n0": 100.0,
    "gain": [{"site": 1, "rate": 4.0}],
    "loss": [{"site": 7, "rate": 4.0}, {"site": 9, "rate": 4.0}],
}


def _ensemble(dataset, network, outer, inner, *, trajectories=4, histogram=None):
    """Tables of a tiny real SDE dataset, as the workflow writes them (short runs, large dt)."""
    from powergrid import ensembles
    from powergrid.methods import sde
    from powergrid.runner import job_frames

    spec = {
        "dataset": dataset,
        "seed": 1,
        "network": network,
        "outer": outer,
        "inner": inner,
        "sde": {"dt": 0.05, "noise": "three-point", "sample_interval": 0.1},
        "outer_indices": list(range(len(outer["values"]))),
        "t_transient": 5.0,
        "t_average": 20.0,
        "block": {"first": 0, "count": trajectories},
        "histogram": histogram,
    }
    traj = job_frames(sde, spec)
    stats = ensembles.statistics_frames(traj["traj_bonds"], traj["traj_sites"], traj["traj_points"])
    out = {f"{dataset}/{k}": v for k, v in stats.items()}
    out[f"{dataset}/trajectory_bonds"] = traj["traj_bonds"]
    if histogram:
        out[f"{dataset}/histograms"] = ensembles.merge_histograms([traj["histograms"]])
    for df in out.values():
        df.attrs["meta"] = {"spec": spec}
    return out


def sde_tables() -> dict[str, pd.DataFrame]:
    ge = {"name": "gamma_e", "values": [1.0, 3.0, 5.0, 8.0]}
    t = {}
    t.update(_ensemble("fig3", CHAIN4, ge, {"name": "n_th_over_n0", "values": [0.0, 10.0]}))
    t.update(
        _ensemble(
            "fig3b",
            CHAIN4,
            {"name": "gamma_e", "values": [2.0, 8.0]},
            {"name": "n_th_over_n0", "values": [10.0]},
            histogram={"re": [-8.0, 8.0], "im": [-8.0, 8.0], "bins": 16, "every": 2},
        )
    )
    t.update(
        _ensemble(
            "fig5", GRAPH9, {"name": "gamma_e@7", "values": [1.0, 4.0, 8.0]}, {"name": "n_th_over_n0", "values": [3.0]}
        )
    )
    t.update(_ensemble("figS8", CHAIN4, ge, {"name": "nu", "values": [1.0, 3.0]}))
    t.update(_ensemble("figS10", CHAIN4, ge, {"name": "n0_ratio@4", "values": [1.1, 1.5]}))
    t.update(_ensemble("fig8b", CHAIN4, ge, {"name": "n0_ratio@1", "values": [1.1]}))
    t.update(
        _ensemble(
            "sde_convergence",
            CHAIN4,
            {"name": "dt", "values": [0.1, 0.05]},
            {"name": "gamma_e", "values": [2.0, 8.0]},
            trajectories=8,
        )
    )
    return t


# --------------------------------------------------------------------------------------------------


def bifurcation_tables() -> dict[str, pd.DataFrame]:
    """The continuation method's own tables for a 4-site chain at Gamma_i = 4 (seconds): the
    branches of extra-bifurcation, the lines and slices of extra-phase-diagram, and the scans of
    extra-transition-scaling."""
    from powergrid import methods
    from powergrid.runner import job_frames

    network = {
        "n_sites": 4,
        "gamma": 1e-2,
        "nu": 2.0,
        "gain": [{"site": 1, "rate": 4.0}],
        "loss": [{"site": 4, "rate": 4.0}],
    }
    base = {
        "seed": 1,
        "method": "continuation",
        "network": network,
        "outer": {"name": "gamma_i", "values": [4.0]},
        "inner": {"name": "gamma_e", "values": [0.5, 6.0]},
        "range": {"min": 0.25, "max": 6.0},
        "solver": {},
    }
    datasets = {
        "extra_bifurcation": {},
        "extra_phase_lines": {"lines": {"min": 3.5, "max": 4.0, "points": 3}},
        "extra_phase_slices": {"outer": {"name": "gamma_i", "values": [4.0]}},
        "extra_transition_gamma": {"outer": {"name": "gamma", "values": [5e-3, 1e-2, 2e-2]}},
        "extra_transition_n": {"outer": {"name": "n_sites", "values": [2, 3, 4]}},
    }
    out = {}
    for dataset, changes in datasets.items():
        spec = {**base, **changes, "dataset": dataset}
        spec["outer_indices"] = list(range(len(spec["outer"]["values"])))
        frames = job_frames(methods.load("continuation"), spec)
        out |= {f"{dataset}/{name}": df for name, df in frames.items()}
    return out


@pytest.fixture(scope="module")
def tables():
    return {**synthetic_tables(), **bifurcation_tables()}


def _panels(fig):
    """Axes (and inset axes) that carry data; colour bars excluded."""
    axes = [a for ax in fig.axes for a in (ax, *ax.child_axes)]
    return [
        ax for ax in axes if ax.get_label() != "<colorbar>" and (ax.lines or ax.collections or ax.images or ax.patches)
    ]


def test_registry_is_complete():
    from powergrid.plotting import FIGURES, TABLES

    assert set(FIGURES) == set(EXPECTED_PANELS)
    assert set(TABLES) == set(FIGURES)
    assert all(callable(f) for f in FIGURES.values())


@pytest.mark.parametrize("name", sorted(EXPECTED_PANELS))
def test_figure_renders_saves_and_is_byte_stable(name, tables, tmp_path):
    from matplotlib.figure import Figure

    from powergrid.plotting import FIGURES, TABLES, style

    needed = {k: tables[k] for k in TABLES[name]}  # a figure reads only what it declares
    fig = FIGURES[name](needed)
    assert isinstance(fig, Figure)
    assert len(_panels(fig)) == EXPECTED_PANELS[name]

    pdf, png = style.save(fig, tmp_path / "a" / name)
    assert pdf == tmp_path / "a" / f"{name}.pdf" and png == tmp_path / "a" / f"{name}.png"
    for p in (pdf, png):
        assert p.exists() and p.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF") and png.read_bytes().startswith(b"\x89PNG")
    assert b"CreationDate" not in pdf.read_bytes()

    # the same figure saved again, and a figure built again from the same tables: identical bytes
    style.save(fig, tmp_path / "b" / name)
    style.save(FIGURES[name](needed), tmp_path / "c" / name)
    for ext in ("pdf", "png"):
        ref = (tmp_path / "a" / f"{name}.{ext}").read_bytes()
        assert (tmp_path / "b" / f"{name}.{ext}").read_bytes() == ref
        assert (tmp_path / "c" / f"{name}.{ext}").read_bytes() == ref
    assert not list(tmp_path.rglob(".*"))  # no temporary files left behind


def test_save_overwrites_atomically(tmp_path):
    from powergrid.plotting import style

    with style.context():
        fig = style.figure()
        fig.subplots().plot([0, 1], [0, 1])
    stem = tmp_path / "x"
    style.save(fig, stem)
    first = (tmp_path / "x.png").read_bytes()
    style.save(fig, str(stem))
    assert (tmp_path / "x.png").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf", "x.png"]


def test_plotting_imports_no_solver():
    code = (
        "import sys, powergrid.plotting; "
        "bad = [m for m in ('powergrid.deterministic', 'powergrid.linear', 'numba', 'qutip', "
        "'matplotlib.pyplot') if m in sys.modules]; print(bad); assert not bad"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_fig2_selections(tables):
    from powergrid.plotting import fig2
    from powergrid.plotting._common import last_bond, ratio_label

    lb = last_bond(tables["fig2a/bonds"])
    assert (lb["site_to"] == N).all() and len(lb) == 36
    tp = fig2.transition_point(tables, 4.0)
    rows = last_bond(tables["fig2b_max/bonds"])
    at4 = rows[np.isclose(rows["gamma_i"], 4.0) & rows["converged"]]
    assert tp["gamma_i"] == 4.0 and tp["J_mean"] == at4["J_mean"].max()
    assert ratio_label(4.0 / (4.0 / 1.05)) == "1.05"
    assert ratio_label(4.0 / 6.0) == "2/3"


def test_fig2c_log_axis_for_zigzag(tables):
    from powergrid.plotting import fig2

    fig = fig2.plot(tables)
    ax_c = fig.axes[2]
    assert ax_c.get_yscale() == "log"  # zig-zag spans more than 100x
    assert len(ax_c.get_lines()) == 3  # two ratios + the transition profile


def test_figS4_leaves_gaps_at_non_stationary_points(tables):
    from powergrid.plotting import figS4

    fig = figS4.plot(tables)
    ax = fig.axes[0]
    df = tables["figS4/ansatz"].sort_values("gamma_e")
    bad = ~df["kind"].isin(["stationary", "rotating"]).to_numpy()
    a_line = ax.get_lines()[0]
    y = np.asarray(a_line.get_ydata(), float)
    assert np.isnan(y[bad]).all() and np.isfinite(y[~bad]).all()
    assert ax.get_yscale() == "log"


def test_figS3_diverging_ticks():
    from powergrid.plotting.figS3 import diverging_ticks

    t = diverging_ticks(-0.0048, 3.9)
    assert 0.0 in t and min(t) == pytest.approx(-0.004) and max(t) <= 3.9


def test_a_maximum_is_located_only_inside_its_grid():
    """Fig. 4 marks a maximum (4b) or draws a peak as located (4a inset) only if it is an interior
    grid point; at the grid's first or last point it is a bound, and nothing is claimed."""
    from powergrid.plotting.fig4 import _interior_maximum

    ge = np.array([3.5, 3.75, 4.0, 4.25])
    assert _interior_maximum(ge, np.array([1.0, 3.0, 2.0, 1.5]), above=0.0) == (3.75, 3.0)
    assert _interior_maximum(ge, np.array([1.0, 2.0, 3.0, 4.0]), above=0.0) is None
    assert _interior_maximum(ge, np.array([4.0, 2.0, 3.0, 1.0]), above=0.0) is None
    assert _interior_maximum(ge, np.array([1.0, 3.0, 2.0, 1.5]), above=3.6) is None  # 2 points left
