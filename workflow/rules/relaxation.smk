# Relaxation times (Fig. 3c, Appendix F): steady states of a sweep, each kicked at site 1 and
# relaxed without noise; then power-law fits of the divergence and of the N dependence.

RELAXATION_CODE = ("model", "deterministic", "relaxation", "sweep", "datasets", "tables")


rule relaxation_chunk:
    output:
        "results/{dataset}/chunks/{chunk}/relaxation.parquet",
    params:
        spec=chunk_spec,
        code=code_version(*RELAXATION_CODE),
    log:
        "logs/{dataset}/relaxation_{chunk}.log",
    benchmark:
        "logs/{dataset}/relaxation_{chunk}.benchmark.tsv"
    resources:
        mem_mb=1000,
        runtime=60,
    conda:
        ENV
    script:
        "../scripts/relaxation_chunk.py"


rule relaxation_fits:
    input:
        "results/{dataset}/relaxation.parquet",
    output:
        "results/{dataset}/relaxation_fits.parquet",
    params:
        xi_window=lambda wc: DATASETS[wc.dataset].get("fit_xi"),
        n_exponent_at=lambda wc: DATASETS[wc.dataset].get("fit_n_exponent_at", []),
        code=code_version("relaxation", "tables"),
    log:
        "logs/{dataset}/relaxation_fits.log",
    localrule: True
    conda:
        ENV
    script:
        "../scripts/relaxation_fits.py"
