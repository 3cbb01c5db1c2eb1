"""Every claim's verdict can flip: small synthetic tables drive each claim's function to each of
its verdicts (and to 'not decidable' where its data are missing or empty)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from powergrid import analytic, claims
from powergrid.claims import VERDICTS, Finding, evaluate, graded
from powergrid.claims.render import html_table

CONFIRMED, CORRECTED, CONTRADICTED, UNDECIDABLE = VERDICTS


def verdict(claim_id, tables) -> Finding:
    return claims.assess(claims.REGISTRY[claim_id], tables)


def bonds(rows, n=10, **extra):
    """Last-bond rows (site_to = n) from dicts with gamma_i, gamma_e, J_mean."""
    df = pd.DataFrame(rows)
    defaults = dict(n_sites=n, site_from=n - 1, site_to=n, gamma=1e-3, kind="stationary", protocol="random")
    for key, value in {**defaults, **extra}.items():
        if key not in df:
            df[key] = value
    df["outer_index"] = df.get("outer_index", pd.Series(range(len(df))))
    df["inner_index"] = df.get("inner_index", 0)
    return df


# ------------------------------------------------------------------------------------------------
def test_graded_and_findings_check_themselves():
    assert graded(1.02, 0.0, 1.0, confirm=0.05, correct=0.2) == CONFIRMED
    assert graded(1.10, 0.0, 1.0, confirm=0.05, correct=0.2) == CORRECTED
    assert graded(1.10, 0.2, 1.0, confirm=0.05, correct=0.2) == CONFIRMED  # within its uncertainty
    assert graded(1.50, 0.0, 1.0, confirm=0.05, correct=0.2) == CONTRADICTED
    assert graded(math.nan, 0.0, 1.0, confirm=0.05, correct=0.2) == UNDECIDABLE
    with pytest.raises(ValueError, match="verdict"):
        Finding("probably", 1.0, 0.0, "", "")


def test_a_claim_without_its_tables_is_not_decidable_and_names_them():
    table = evaluate({})
    assert set(table["verdict"]) == {UNDECIDABLE}
    assert len(table) == len(claims.REGISTRY) and list(table.columns) == list(claims.COLUMNS)
    row = table.set_index("id").loc["C01"]
    assert "fig2b_diagonal/bonds" in row["reason"]
    page = html_table(table)
    assert page.startswith("<!doctype html>") and "C20a" in page


def test_every_figure_a_claim_names_exists():
    from powergrid.plotting import REGISTRY

    for claim in claims.REGISTRY.values():
        assert set(claim.figures) <= set(REGISTRY), claim.id
        assert claim.tables and claim.statement and claim.where and claim.paper


# ------------------------------------------------------------------------------------------------ C01
@pytest.mark.parametrize("j, expected", [(1.02, CONFIRMED), (1.2, CORRECTED), (2.0, CONTRADICTED)])
def test_C01_current_on_the_diagonal(j, expected):
    rows = [dict(gamma_i=gi, gamma_e=gi, J_mean=j) for gi in np.linspace(4, 8, 9)]
    assert verdict("C01", {"fig2b_diagonal/bonds": bonds(rows)}).verdict == expected
    low = [dict(gamma_i=gi, gamma_e=gi, J_mean=1.0) for gi in (1.0, 2.0)]
    assert verdict("C01", {"fig2b_diagonal/bonds": bonds(low)}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C02
@pytest.mark.parametrize("wrong, expected", [(0.0, CONFIRMED), (0.05, CORRECTED), (1.0, CONTRADICTED)])
def test_C02_stalled_region(wrong, expected):
    gi, ge = np.meshgrid(np.linspace(0.05, 0.95, 19), np.linspace(0, 8, 161))
    inside = (ge >= gi) & (ge < 1 / gi)
    rate = np.where(inside, -1.0, 1.0)
    flip = np.random.default_rng(0).random(rate.shape) < wrong
    rate = np.where(flip, -rate, rate)
    spectrum = pd.DataFrame(dict(gamma_i=gi.ravel(), gamma_e=ge.ravel(), max_real_eigenvalue=rate.ravel()))
    assert verdict("C02", {"figS3/spectrum": spectrum}).verdict == expected


# ------------------------------------------------------------------------------------------------ C03
@pytest.mark.parametrize("factor, expected", [(1.0, CONFIRMED), (1.3, CORRECTED), (2.5, CONTRADICTED)])
def test_C03_position_of_the_maximum(factor, expected):
    n, gamma = 10, 1e-3
    rows = []
    for gi in (2.0, 4.0, 6.0, 8.0):
        peak = 1 - factor * n * gamma / 2
        for r in np.arange(0.97, 1.01 + 1e-12, 2.5e-4):
            rows.append(dict(gamma_i=gi, gamma_e=gi * r, J_mean=1.0 - abs(r - peak)))
    assert verdict("C03", {"fig2b_max/bonds": bonds(rows)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C04
def crossing_lines(onset):
    """A rotating Hopf line Gamma_e = Gamma_i - 0.1 and a resting one that crosses it at ``onset``."""
    gi = np.linspace(8.0, 0.5, 151)
    rot = pd.DataFrame(dict(gamma_i=gi, gamma_e=gi - 0.1, omega=0.1, kind="hopf", line=0, step=np.arange(gi.size)))
    rest_gi = gi[gi >= 0.5]
    rest = pd.DataFrame(
        dict(gamma_i=rest_gi, gamma_e=rest_gi - 0.1 - 0.5 * (rest_gi - onset), omega=0.0, kind="hopf", line=1)
    )
    rest["step"] = np.arange(len(rest))
    return pd.concat([rot, rest], ignore_index=True).assign(outer_index=0)


@pytest.mark.parametrize("onset, expected", [(4.05, CONFIRMED), (4.44, CORRECTED), (6.5, CONTRADICTED)])
def test_C04_bistability_onset(onset, expected):
    finding = verdict("C04", {"extra_phase_lines/lines": crossing_lines(onset)})
    assert finding.verdict == expected and finding.measured == pytest.approx(onset, abs=1e-9)
    no_rest = crossing_lines(4.0).query("omega != 0")
    assert verdict("C04", {"extra_phase_lines/lines": no_rest}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C05
@pytest.mark.parametrize("spread, expected", [(0.01, CONFIRMED), (0.1, CORRECTED), (0.5, CONTRADICTED)])
def test_C05_current_along_the_chain(spread, expected):
    rows = []
    for k, ge in enumerate((2.0, 3.0)):
        for b in range(9):
            j = 0.5 * (1 + spread * b / 8)
            rows.append(
                dict(gamma_i=4.0, gamma_e=ge, J_mean=j, site_from=b + 1, site_to=b + 2, outer_index=0, inner_index=k)
            )
    table = pd.DataFrame(rows).assign(n_sites=10, gamma=1e-3, kind="stationary", protocol="up")
    assert verdict("C05", {"fig2c/bonds": table}).verdict == expected


# ------------------------------------------------------------------------------------------------ C07
@pytest.mark.parametrize("error, expected", [(0.01, CONFIRMED), (0.1, CORRECTED), (0.5, CONTRADICTED)])
def test_C07_closed_forms(error, expected):
    rows = []
    for gi in (2.0, 4.0, 6.0):
        for ge in (0.5, 1.0, 1.5):  # symmetric regime
            rows.append(
                dict(gamma_i=gi, gamma_e=ge, J_mean=(1 + error) * float(analytic.J_symmetric(gi, ge, 1e-3, 10)))
            )
        for ge in (2.5 * gi, 3 * gi):  # broken regime
            rows.append(dict(gamma_i=gi, gamma_e=ge, J_mean=(1 + error) * float(analytic.J_broken(gi, ge))))
    table = {"fig2a/bonds": bonds(rows)}
    assert verdict("C07a", table).verdict == expected
    assert verdict("C07b", table).verdict == expected


# ------------------------------------------------------------------------------------------------ C10
def fits(quantity, values):
    return pd.DataFrame(
        dict(
            quantity=quantity,
            value=values,
            stderr=0.01,
            n_sites=[4, 6, 8][: len(values)],
            gamma_e=[6.0, 8.0, 10.0][: len(values)],
            direction="radial",
        )
    )


@pytest.mark.parametrize("xi, expected", [(1.32, CONFIRMED), (1.55, CORRECTED), (2.0, CONTRADICTED)])
def test_C10a_divergence_exponent(xi, expected):
    assert verdict("C10a", {"fig3c/relaxation_fits": fits("xi", [xi] * 3)}).verdict == expected


@pytest.mark.parametrize("z, expected", [(2.02, CONFIRMED), (2.3, CORRECTED), (2.75, CONTRADICTED)])
def test_C10b_chain_length_exponent(z, expected):
    assert verdict("C10b", {"fig3c/relaxation_fits": fits("n_exponent", [z, z])}).verdict == expected
    assert verdict("C10b", {"fig3c/relaxation_fits": fits("xi", [1.3])}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C17
@pytest.mark.parametrize("shift, expected", [(1.21, CONFIRMED), (1.18, CORRECTED), (1.11, CONTRADICTED)])
def test_C17_unequal_saturation(shift, expected):
    grid = np.linspace(0.0, 8.0, 3201)

    def table(position, ratio):
        rows = [dict(gamma_i=gi, gamma_e=ge, J_mean=1 - abs(ge - position * gi)) for gi in (2.0, 4.0) for ge in grid]
        return bonds(rows, n0_ratio_gain=ratio, n0_ratio_loss=1.0)

    data = {"figS9_equal/bonds": table(1.0, 1.0), "figS9_unequal/bonds": table(shift, 1.1)}
    assert verdict("C17", data).verdict == expected


# ------------------------------------------------------------------------------------------------ C18
@pytest.mark.parametrize("error, expected", [(0.02, CONFIRMED), (0.1, CORRECTED), (0.5, CONTRADICTED)])
def test_C18_saturation_factor(error, expected):
    x = np.linspace(0, 5, 51)
    classical = 1 / (1 + x)
    table = pd.DataFrame(dict(n0=1.0, x=x, x_over_n0=x, f_classical=classical, f_bar=classical * (1 + error * x / 5)))
    assert verdict("C18", {"figS1/saturation": table}).verdict == expected
    assert verdict("C18", {"figS1/saturation": table.assign(n0=10.0)}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C20
def branch_tables(gamma, n_sites=10):
    """Gamma_i = 4: a rotating state stable up to a Hopf point at 3.0, the branch point at 3.5,
    the state at rest stable above it."""
    up = np.linspace(0.5, 3.5, 31)
    common = dict(gamma_i=4.0, gamma=gamma, n_sites=n_sites, nu=2.0, J_loss=1.0)
    rot = pd.DataFrame(
        dict(inner_index=0, direction=1, step=np.arange(31), gamma_e=up, omega=0.1, stable=up < 3.0, **common)
    )
    down = np.linspace(10.0, 3.5, 66)
    rest = pd.DataFrame(
        dict(inner_index=1, direction=-1, step=np.arange(66), gamma_e=down, omega=0.0, stable=True, **common)
    )
    branches = pd.concat([rot, rest], ignore_index=True)
    branches["n_unstable"] = np.where(branches["stable"], 0, 2)

    def point(start, direction, order, kind, value, omega, before, after):
        return dict(inner_index=start, direction=direction, order=order, kind=kind, value=value, omega=omega,
                    unstable_before=before, unstable_after=after, located=True, J_loss=1.0, gamma_i=4.0)  # fmt: skip

    points = pd.DataFrame(
        [
            point(0, 1, 0, "hopf", 3.0, 0.1, 0, 2),
            point(0, 1, 1, "branch", 3.5, 0.0, 2, 2),
            point(1, -1, 0, "branch", 3.5, 0.0, 0, 1),
        ]  # fmt: skip
    )
    return {"extra_bifurcation/branches": branches, "extra_bifurcation/bifurcations": points}


@pytest.mark.parametrize("gamma, expected", [(0.25, CONFIRMED), (0.15, CORRECTED), (1e-3, CONTRADICTED)])
def test_C20a_existence_limit(gamma, expected):
    # the branch point lies 0.5 from the diagonal: 2 gamma = 0.5 confirms it
    assert verdict("C20a", branch_tables(gamma)).verdict == expected


def test_C20b_loss_of_stability_near_the_estimate():
    # the symmetric state loses stability 1.0 from the diagonal: the gamma that puts (D3) there
    match = brentq(lambda g: 4.0 - float(analytic.transition(4.0, g, 10)) - 1.0, 1e-4, 0.5)
    assert verdict("C20b", branch_tables(match)).verdict == CONFIRMED
    corrected = brentq(lambda g: 4.0 - float(analytic.transition(4.0, g, 10)) - 0.75, 1e-4, 0.5)
    assert verdict("C20b", branch_tables(corrected)).verdict == CORRECTED
    assert verdict("C20b", branch_tables(1e-3)).verdict == CONTRADICTED


@pytest.mark.parametrize("gamma, expected", [(1e-3, CONFIRMED), (0.2, CONTRADICTED)])
def test_C20c_minimal_condition(gamma, expected):
    assert verdict("C20c", branch_tables(gamma)).verdict == expected
    empty = {k: v.iloc[0:0] for k, v in branch_tables(gamma).items()}
    assert verdict("C20c", empty).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C03 edge
def test_C03_maxima_at_the_window_edge_contradict():
    rows = []
    for gi in (2.0, 4.0, 6.0, 8.0):
        for r in np.arange(0.97, 1.01 + 1e-12, 2.5e-4):
            rows.append(dict(gamma_i=gi, gamma_e=gi * r, J_mean=2.0 - r))  # J grows on below the window
    finding = verdict("C03", {"fig2b_max/bonds": bonds(rows)})
    assert finding.verdict == CONTRADICTED and "0 of 4" in finding.reason


# ------------------------------------------------------------------------------------------------ C04b
def test_C04b_oscillating_attractors_next_to_stable_states():
    data = branch_tables(1e-3)  # the rotating state is stable below Gamma_e = 3 at Gamma_i = 4 ...
    slices = data["extra_bifurcation/branches"].assign(gamma_i=2.0)
    points = data["extra_bifurcation/bifurcations"].assign(gamma_i=2.0)
    tables = {"extra_phase_slices/branches": slices, "extra_phase_slices/bifurcations": points}
    for gamma_e, expected in ((1.0, CONTRADICTED), (3.2, CONFIRMED)):  # ... and nothing in (3.0, 3.5)
        attractor = bonds([dict(gamma_i=2.0, gamma_e=gamma_e, J_mean=0.3)], kind="quasi-periodic")
        assert verdict("C04b", {**tables, "fig2a/bonds": attractor}).verdict == expected
    none = bonds([dict(gamma_i=2.5, gamma_e=1.0, J_mean=0.3)], kind="quasi-periodic")
    assert verdict("C04b", {**tables, "fig2a/bonds": none}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C06
@pytest.mark.parametrize("residual, expected", [(0.01, CONFIRMED), (0.1, CORRECTED), (0.5, CONTRADICTED)])
def test_C06_single_mode_profiles(residual, expected):
    fits = pd.DataFrame(dict(gamma_i=4.0, gamma_e=[2.0, 3.0, 6.0, 8.0], k0=np.pi / 2, fit_residual=residual))
    assert verdict("C06", {"figS4/ansatz": fits}).verdict == expected
    assert verdict("C06", {"figS4/ansatz": fits.iloc[:2]}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C08
def sde_bonds(rows, n=2, **extra):
    return bonds(rows, n=n, **{"n_th_over_n0": 10.0, "J_sem": 0.001, "J_std_sem": 0.001, **extra})


@pytest.mark.parametrize("factor, expected", [(1.01, CONFIRMED), (1.1, CORRECTED), (1.5, CONTRADICTED)])
def test_C08a_equilibrium_noise(factor, expected):
    eq = float(analytic.J_std_equilibrium(10.0))
    table = sde_bonds([dict(gamma_i=0.0, gamma_e=0.0, J_mean=0.0, J_std=factor * eq)])
    assert verdict("C08a", {"claims_equilibrium/bonds": table}).verdict == expected


@pytest.mark.parametrize(
    "factors, expected", [((0.5, 0.6), CONFIRMED), ((0.5, 1.2, 0.6), CORRECTED), ((1.2, 1.5), CONTRADICTED)]
)
def test_C08b_sub_thermal_noise(factors, expected):
    eq = float(analytic.J_std_equilibrium(10.0))
    rows = [dict(gamma_i=4.0, gamma_e=6.0 + k, J_mean=0.5, J_std=f * eq) for k, f in enumerate(factors)]
    assert verdict("C08b", {"fig3/bonds": sde_bonds(rows, n=6)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C09
def histograms(shift_sym, shift_broken):
    """Ring-shaped (Re, Im) histograms at sites 1 and 2 (of 2): the last site's ring is scaled by
    1 + shift; rings of equal radius give distance 0."""
    rows = []
    edges = np.linspace(-3, 3, 31)
    c = 0.5 * (edges[1:] + edges[:-1])
    x, y = np.meshgrid(c, c, indexing="ij")
    for gamma_e, shift in ((2.0, shift_sym), (8.0, shift_broken)):
        for site, scale in ((1, 1.0), (2, 1.0 + shift)):
            counts = np.exp(-((np.hypot(x, y) - 1.5 * scale) ** 2) / 0.05)
            for i in range(30):
                for k in range(30):
                    rows.append(dict(gamma_i=4.0, gamma_e=gamma_e, site=site, n_sites=2, re_lo=edges[i],
                                     re_hi=edges[i + 1], im_lo=edges[k], im_hi=edges[k + 1], count=counts[i, k],
                                     samples=1.0))  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "sym, broken, expected", [(0.0, 0.8, CONFIRMED), (0.2, 0.8, CORRECTED), (0.8, 0.0, CONTRADICTED)]
)
def test_C09_marginals(sym, broken, expected):
    assert verdict("C09", {"fig3b/histograms": histograms(sym, broken)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C11
@pytest.mark.parametrize(
    "sym, broken, expected", [(2.0, 100.0, CONFIRMED), (20.0, 100.0, CORRECTED), (20.0, 5.0, CONTRADICTED)]
)
def test_C11_effective_damping(sym, broken, expected):
    points = pd.DataFrame(
        dict(
            gamma_i=4.0,
            gamma=1e-3,
            n_th_over_n0=10.0,
            gamma_e=[1.0, 2.0, 8.0, 10.0],
            Gbar_mean=np.array([sym, sym, broken, broken]) * 1e-3,
        )  # fmt: skip
    )
    assert verdict("C11", {"fig3/points": points}).verdict == expected


# ------------------------------------------------------------------------------------------------ C12
@pytest.mark.parametrize(
    "peaks, expected",
    [((0.9, 0.5, 0.3, 0.1), CONFIRMED), ((0.9, 0.5, 0.6, 0.1), CORRECTED), ((0.1, 0.3, 0.5, 0.9), CONTRADICTED)],
)
def test_C12_fluctuation_peak_against_n0(peaks, expected):
    rows = [dict(gamma_i=4.0, gamma_e=ge, n0=n0, J_mean=1.0, J_std=p * (1.0 if ge == 3.5 else 0.5))
            for n0, p in zip((1.0, 2.0, 10.0, 30.0), peaks, strict=True) for ge in (2.0, 3.5, 6.0)]  # fmt: skip
    frame = sde_bonds(rows)
    tables = {"fig4a_sde/bonds": frame[frame["n0"] >= 10], "fig4a_quantum/bonds": frame[frame["n0"] < 10]}
    assert verdict("C12", tables).verdict == expected


# ------------------------------------------------------------------------------------------------ C13
def negativity(middle_first, middle_second):
    ge = np.array([0.25, 0.5, 1.0, 2.0, 2.5, 3.5, 4.0, 6.0])
    base = np.array([0.2, 0.15, 0.05, 0.0, 0.0, 0.05, 0.1, 0.0])
    rows = []
    for n0, middle in ((1.0, middle_first), (2.0, middle_second)):
        neg = base.copy()
        neg[3:5] = middle
        rows += [dict(gamma_i=4.0, gamma_e=g, n0=n0, negativity=v) for g, v in zip(ge, neg, strict=True)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "mid, expected", [((0.0, 0.0), CONFIRMED), ((0.0, 0.1), CORRECTED), ((0.1, 0.1), CONTRADICTED)]
)
def test_C13_negativity(mid, expected):
    assert verdict("C13", {"fig4b/points": negativity(*mid)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C14
@pytest.mark.parametrize("switch, expected", [(4.0, CONFIRMED), (3.0, CORRECTED), (1.5, CONTRADICTED)])
def test_C14_network_switch(switch, expected):
    x = np.arange(0.0, 10.01, 0.25)
    rows = [dict(site_from=8, site_to=9, J_mean=0.55 if v >= switch else 0.015, J_std=0.016, **{"gamma_e@7": v})
            for v in x]  # fmt: skip
    table = pd.DataFrame(rows).assign(gamma_i=4.0, n_sites=9, **{"gamma_e@9": 4.0})
    assert verdict("C14", {"fig5/bonds": table}).verdict == expected
    flat = table.assign(J_mean=0.015)
    assert verdict("C14", {"fig5/bonds": flat}).verdict == UNDECIDABLE


# ------------------------------------------------------------------------------------------------ C15
def disorder_profiles(ratios):
    rows = []
    zig = np.array([4.0, 1.0] * 5)
    for sigma, r in ratios.items():
        profile = 2.5 + (zig - 2.5) * r  # the contrast scales with r
        rows += [dict(disorder=sigma, realization=0, site=s + 1, occupation=v) for s, v in enumerate(profile)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "ratios, expected",
    [
        ({0.0: 1.0, 0.05: 0.95, 0.2: 0.5, 0.5: 0.1}, CONFIRMED),
        ({0.0: 1.0, 0.05: 0.95, 0.2: 0.5, 0.5: 0.6}, CORRECTED),
        ({0.0: 1.0, 0.05: 0.3, 0.2: 1.0, 0.5: 0.9}, CONTRADICTED),
    ],
)
def test_C15_disorder(ratios, expected):
    assert verdict("C15", {"figS5a/sites": disorder_profiles(ratios)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C16
@pytest.mark.parametrize("peak, expected", [(0.95, CONFIRMED), (0.8, CORRECTED), (0.5, CONTRADICTED)])
def test_C16a_nu3_maximum(peak, expected):
    rows = [dict(gamma_i=4.0, gamma_e=ge, J_mean=1 - abs(ge - 4.0 * peak)) for ge in np.arange(0, 10.01, 0.05)]
    assert verdict("C16a", {"figS6/bonds": bonds(rows)}).verdict == expected


@pytest.mark.parametrize("onset, expected", [(3.4, CONFIRMED), (4.0, CORRECTED), (6.0, CONTRADICTED)])
def test_C16b_nu1_limit_cycles(onset, expected):
    gis = np.arange(0.0, 8.01, 0.2)
    rows = [dict(gamma_i=gi, gamma_e=4.0, J_mean=0.5) for gi in gis]
    kinds = np.where(gis >= onset - 1e-9, "periodic", "stationary")
    assert verdict("C16b", {"figS7a/bonds": bonds(rows).assign(kind=kinds)}).verdict == expected
    assert verdict("C16b", {"figS7a/bonds": bonds(rows)}).verdict == CONTRADICTED  # no limit cycle at all


# ------------------------------------------------------------------------------------------------ C19
def thermal_tables(factor):
    gi, gamma, nth = 4.0, 1e-3, 10.0
    sym, broken = (1.0, 2.0), (8.0, 12.0)
    site_rows = [
        dict(
            gamma_i=gi,
            gamma_e=ge,
            gamma=gamma,
            n_th_over_n0=nth,
            site=1,
            occupation_sem=0.01,
            occupation=factor * float(analytic.occupation_symmetric_thermal(gi, ge, gamma, nth)),
        )
        for ge in sym
    ]
    bond_rows = [
        dict(
            gamma_i=gi,
            gamma_e=ge,
            gamma=gamma,
            J_mean=factor * float(analytic.J_symmetric_thermal(gi, ge, gamma, nth)),
            J_std=factor * float(analytic.J_std_symmetric_thermal(gi, ge, gamma, nth)),
        )
        for ge in sym
    ]
    broken_std = [factor * float(analytic.J_std_broken_thermal(gi, ge, gamma, nth)) for ge in broken]
    bond_rows += [dict(gamma_i=gi, gamma_e=ge, gamma=gamma, J_mean=0.1, J_std=s) for ge, s in zip(broken, broken_std)]
    return {"claims_thermal_n2/sites": pd.DataFrame(site_rows), "claims_thermal_n2/bonds": sde_bonds(bond_rows)}


@pytest.mark.parametrize("claim", ["C19a", "C19b", "C19c", "C19d"])
@pytest.mark.parametrize("factor, expected", [(1.02, CONFIRMED), (1.2, CORRECTED), (2.0, CONTRADICTED)])
def test_C19_thermal_estimates(claim, factor, expected):
    assert verdict(claim, thermal_tables(factor)).verdict == expected


# ------------------------------------------------------------------------------------------------ C21
@pytest.mark.parametrize("off, expected", [(0.05, CONFIRMED), (0.2, CORRECTED), (0.6, CONTRADICTED)])
def test_C21_quantum_against_sde(off, expected):
    ge = [1.0, 2.0, 3.0, 4.0, 6.0]
    std = [0.1, 0.2, 0.5, 0.3, 0.1]
    sde = bonds([dict(gamma_i=4.0, gamma_e=g, J_mean=0.5, J_std=s) for g, s in zip(ge, std, strict=True)], n=2)
    quantum = sde.assign(J_mean=0.5 * (1 + off), J_std=sde["J_std"] * (1 + off))
    assert verdict("C21", {"figS2_sde/bonds": sde, "figS2_quantum/bonds": quantum}).verdict == expected


# ------------------------------------------------------------------------------------------------ C03b
@pytest.mark.parametrize(
    "width, expected", [(0.004, CONFIRMED), (0.02, CORRECTED), (0.05, CONTRADICTED), (0.0, CONTRADICTED)]
)
def test_C03b_current_above_g_n0_only_when_fine_tuned(width, expected):
    rows = []
    for gi in (4.0, 6.0, 8.0):
        for r in np.arange(0.97, 1.01 + 1e-12, 2.5e-4):
            rows.append(dict(gamma_i=gi, gamma_e=gi * r, J_mean=1.1 if abs(r - 0.99) < width / 2 else 0.9))
    assert verdict("C03b", {"fig2b_max/bonds": bonds(rows)}).verdict == expected


# ------------------------------------------------------------------------------------------------ C08c
@pytest.mark.parametrize("scatter, expected", [(1.1, CONFIRMED), (1.8, CORRECTED), (5.0, CONTRADICTED)])
def test_C08c_noise_against_damping(scatter, expected):
    ge = np.array([6.0, 7.0, 8.0, 9.0])
    gbar = np.array([0.01, 0.02, 0.04, 0.08])
    factor = scatter ** np.array([1, -1, 1, -1])  # the ratio scatters by this factor around 2
    std = 2.0 * factor * 1e-3 * 10.0 / gbar
    b = sde_bonds([dict(gamma_i=4.0, gamma_e=g, J_mean=0.5, J_std=s) for g, s in zip(ge, std, strict=True)], n=6)
    p = pd.DataFrame(dict(gamma_e=ge, n_th_over_n0=10.0, Gbar_mean=gbar))
    assert verdict("C08c", {"fig3/bonds": b, "fig3/points": p}).verdict == expected


# ------------------------------------------------------------------------------------------------ C10c
@pytest.mark.parametrize(
    "taus, expected", [((1.5, 1.8, 2.0), CONFIRMED), ((1.0, 5.0, 8.0), CORRECTED), ((0.5, 50.0, 80.0), CONTRADICTED)]
)
def test_C10c_symmetric_relaxation(taus, expected):
    r = pd.DataFrame(
        dict(
            gamma_i=4.0,
            gamma_e=[1.0, 2.0, 3.0],
            gamma=1e-3,
            n_sites=[4, 6, 8],
            direction="radial",
            meaningful=True,
            tau=np.array(taus) / 1e-3,
        )  # fmt: skip
    )
    assert verdict("C10c", {"fig3c/relaxation": r}).verdict == expected


def test_C11_the_size_of_a_negative_symmetric_damping_counts():
    """Gbar is slightly negative in the symmetric phase; a negative broken-phase Gbar confirms nothing."""
    points = pd.DataFrame(dict(gamma_i=4.0, gamma=1e-3, n_th_over_n0=10.0, gamma_e=[1.0, 8.0], Gbar_mean=[-5e-3, 0.1]))
    assert verdict("C11", {"fig3/points": points}).verdict == CONFIRMED
    assert verdict("C11", {"fig3/points": points.assign(Gbar_mean=[-5e-3, -0.1])}).verdict == CONTRADICTED


def test_C06_reads_time_independent_states_only():
    fits = pd.DataFrame(
        dict(
            gamma_i=4.0,
            gamma_e=[2.0, 3.0, 6.0, 8.0],
            k0=np.pi / 2,
            fit_residual=[0.001, 0.9, 0.001, 0.001],
            kind=["rotating", "quasi-periodic", "stationary", "stationary"],
        )  # fmt: skip
    )
    assert verdict("C06", {"figS4/ansatz": fits}).verdict == CONFIRMED
    assert verdict("C06", {"figS4/ansatz": fits.assign(kind="quasi-periodic")}).verdict == UNDECIDABLE
