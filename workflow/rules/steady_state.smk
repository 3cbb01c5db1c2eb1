# Deterministic (noise-free) steady states over a parameter sweep: one job per chunk of the
# outer axis, then one table per dataset.

SOLVER_CODE = ("model", "deterministic", "sweep", "datasets", "tables")


rule steady_state_chunk:
    output:
        sites="results/{dataset}/chunks/{chunk}/sites.parquet",
        bonds="results/{dataset}/chunks/{chunk}/bonds.parquet",
    wildcard_constraints:
        dataset=one_of(datasets_with("steady_state")),
    params:
        spec=chunk_spec,
        code=code_version(*SOLVER_CODE),
    log:
        "logs/{dataset}/steady_state_{chunk}.log",
    benchmark:
        "logs/{dataset}/steady_state_{chunk}.benchmark.tsv"
    resources:
        mem_mb=1000,
        runtime=30,
    conda:
        ENV
    script:
        "../scripts/steady_state_chunk.py"


rule ansatz_fit:
    input:
        sites="results/{dataset}/sites.parquet",
    output:
        "results/{dataset}/ansatz.parquet",
    params:
        code=code_version("ansatz", "tables"),
    log:
        "logs/{dataset}/ansatz_fit.log",
    conda:
        ENV
    script:
        "../scripts/ansatz_fit.py"
