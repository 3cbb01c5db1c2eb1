# Tables made from tables: each dataset's table from its jobs' tables, ensemble statistics,
# histograms, fits; and the closed-form saturation function. Each rule X runs
# workflow/scripts/X.py, whose import closure is its code version.

SDE_DATASETS = datasets_with("sde")
HISTOGRAM_DATASETS = [d for d in SDE_DATASETS if DATASETS[d].get("histogram")]


rule aggregate_table:
    input:
        lambda wc: chunk_tables(wc.table)(wc),
    output:
        "results/{dataset}/{table}.parquet",
    log:
        "logs/{dataset}/aggregate_{table}.log",
    wildcard_constraints:
        # an SDE dataset's sites and bonds are ensemble statistics (rule sde_statistics)
        dataset=one_of(d for d in DATASETS if DATASETS[d]["method"] not in ("sde", *CLOSED_FORM_METHODS)),
        table=one_of(sorted({t for (m, ts) in _compute_rules for t in ts if m != "sde"})),
    localrule: True
    conda:
        ENV
    params:
        expect=chunk_provenance,
        code=code_version(script_path("aggregate_table")),
    script:
        "../scripts/aggregate_table.py"


rule sde_statistics:
    input:
        traj_bonds=chunk_tables("traj_bonds"),
        traj_sites=chunk_tables("traj_sites"),
        traj_points=chunk_tables("traj_points"),
    output:
        bonds="results/{dataset}/bonds.parquet",
        sites="results/{dataset}/sites.parquet",
        points="results/{dataset}/points.parquet",
        trajectories="results/{dataset}/trajectory_bonds.parquet",
    log:
        "logs/{dataset}/sde_statistics.log",
    wildcard_constraints:
        dataset=one_of(SDE_DATASETS),
    localrule: True
    conda:
        ENV
    params:
        expect=chunk_provenance,
        code=code_version(script_path("sde_statistics")),
    script:
        "../scripts/sde_statistics.py"


rule sde_histograms:
    input:
        chunk_tables("histograms"),
    output:
        "results/{dataset}/histograms.parquet",
    log:
        "logs/{dataset}/sde_histograms.log",
    wildcard_constraints:
        dataset=one_of(HISTOGRAM_DATASETS),
    localrule: True
    conda:
        ENV
    params:
        expect=chunk_provenance,
        code=code_version(script_path("sde_histograms")),
    script:
        "../scripts/sde_histograms.py"


rule ansatz_fit:
    input:
        sites="results/{dataset}/sites.parquet",
    output:
        "results/{dataset}/ansatz.parquet",
    log:
        "logs/{dataset}/ansatz_fit.log",
    conda:
        ENV
    params:
        expect=expect_dataset,
        code=code_version(script_path("ansatz_fit")),
    script:
        "../scripts/ansatz_fit.py"


rule relaxation_fits:
    input:
        "results/{dataset}/relaxation.parquet",
    output:
        "results/{dataset}/relaxation_fits.parquet",
    log:
        "logs/{dataset}/relaxation_fits.log",
    localrule: True
    conda:
        ENV
    params:
        xi_window=lambda wc: DATASETS[wc.dataset].get("fit_xi"),
        n_exponent_at=lambda wc: DATASETS[wc.dataset].get("fit_n_exponent_at", []),
        expect=expect_dataset,
        code=code_version(script_path("relaxation_fits")),
    script:
        "../scripts/relaxation_fits.py"


# f-bar (Fig. S1): a closed-form series, no sweep.
rule saturation:
    output:
        "results/{dataset}/saturation.parquet",
    log:
        "logs/{dataset}/saturation.log",
    conda:
        ENV
    params:
        n0=lambda wc: [float(x) for x in DATASETS[wc.dataset]["n0"]],
        x_over_n0=lambda wc: axis_values(DATASETS[wc.dataset]["x_over_n0"]),
        provenance=expect_dataset,
        code=code_version(script_path("saturation")),
    script:
        "../scripts/saturation.py"


# The verdicts: every claim of powergrid.claims decided from the tables it reads (a claim whose
# dataset is not configured is 'not decidable', naming it).
from powergrid import claims as _claims

CLAIM_TABLES = [t for t in _claims.tables_needed() if t.split("/")[0] in DATASETS]


rule claims:
    input:
        [f"results/{t}.parquet" for t in CLAIM_TABLES],
    output:
        table="results/claims.parquet",
        html=report(
            "results/claims.html",
            caption="../report/claims.rst",
            category=_claims.CATEGORY,
            labels={"table": "verdicts"},
        ),
    log:
        "logs/claims.log",
    localrule: True
    conda:
        ENV
    params:
        tables=CLAIM_TABLES,
        expect={t: dataset_provenance(t.split("/")[0]) for t in CLAIM_TABLES},
        code=code_version(script_path("claims"), *_claims.MODULES),
    script:
        "../scripts/claims.py"
