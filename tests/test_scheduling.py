"""The job-cost estimates that order the workflow's compute jobs (powergrid.scheduling)."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from powergrid import methods, quantum, scheduling
from powergrid.config import validate_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
CONFIG = validate_config(yaml.safe_load((ROOT / "config.yaml").read_text()), SCHEMA)


def default_jobs():
    """(dataset, method, job, estimated seconds) of every compute job of the default config."""
    out = []
    for name, section in CONFIG["datasets"].items():
        if section["method"] not in methods.NAMES:  # made by an analysis rule, not a compute job
            continue
        section = {**section, "dataset": name}
        jobs = scheduling.dataset_jobs(section, CONFIG)
        out += [(name, section["method"], job, scheduling.estimated_seconds(section["method"], section, job, CONFIG))
                for job in jobs]  # fmt: skip
    return out


def test_every_method_has_a_model():
    assert set(methods.NAMES) <= set(scheduling.MODELS)


def test_every_default_job_gets_a_finite_positive_estimate_and_priority():
    jobs = default_jobs()
    assert len(jobs) > 50
    for name, method, job, seconds in jobs:
        assert np.isfinite(seconds) and seconds > 0, (name, job)
        assert scheduling.priority(method, CONFIG["datasets"][name], job, CONFIG) >= 1


def test_the_long_jobs_are_estimated_long():
    """Measured on a default run (the from-scratch run of e8e7e44, benchmarks/schedule.py): every
    job of Fig. 4a's n0 = 5 peak (one point each, 38-378 s) takes longer than any steady-state job
    of the Fig. 2a map (~10 s), and the longest job of all is the peak's Gamma_e = 3.5 g point."""
    jobs = default_jobs()
    fig4a = [(job, s) for name, _, job, s in jobs if name == "fig4a_quantum_peak"]
    fig2a = [s for name, _, _, s in jobs if name == "fig2a"]
    assert len(fig4a) == 4 and min(s for _, s in fig4a) > max(fig2a)
    longest = max(jobs, key=lambda j: j[3])
    assert longest[0] == "fig4a_quantum_peak" and longest[2]["outer_indices"] == [0]


def test_exact_quantum_model_counts_the_sectors_work():
    """Per point: applications (growing with n0, falling with gamma) x seconds per application x sum_k dim(k)^3 over the
    kept sectors, at each point's own truncation (Fig. 4b has one per point)."""
    section = CONFIG["datasets"]["fig4b"]
    job = {"outer_indices": [0, 1]}
    expected = 0.0
    for j, n0 in enumerate(section["inner"]["values"]):
        for i in job["outer_indices"]:
            dims = quantum.sector_dims(2, section["n_basis"][j][i], section["k_max"][j][i]).astype(float)
            applications = scheduling.exact_applications(n0, section["network"]["gamma"])
            expected += scheduling.QUANTUM_EXACT_APP * applications * np.sum(dims**3)
    assert scheduling.estimated_seconds("quantum", section, job, CONFIG) == pytest.approx(expected)
    whole_curve = dict(section, n_basis=[110] * 3)  # one truncation for every point, no cap
    dims = quantum.sector_dims(2, 110).astype(float)
    applications = sum(scheduling.exact_applications(n0, 1e-2) for n0 in section["inner"]["values"])
    del whole_curve["k_max"]
    assert scheduling.estimated_seconds("quantum", whole_curve, job, CONFIG) == pytest.approx(
        2 * scheduling.QUANTUM_EXACT_APP * applications * float(np.sum(dims**3))
    )


def test_an_unknown_method_gets_the_default():
    assert scheduling.estimated_seconds("no_such_method", {}, {}, {}) == scheduling.DEFAULT
