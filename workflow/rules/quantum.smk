# Quantum steady states of eq. (1): one job per chunk of the outer sweep axis, each point solved
# exactly (sector-resolved) or by quantum trajectories; tables of bonds, sites and points.

QUANTUM_CODE = ("model", "quantum", "quantum_trajectories", "quantum_sweeps", "sweep", "datasets", "checkpoint", "tables")


rule quantum_chunk:
    output:
        bonds="results/{dataset}/chunks/{chunk}/bonds.parquet",
        sites="results/{dataset}/chunks/{chunk}/sites.parquet",
        points="results/{dataset}/chunks/{chunk}/points.parquet",
    wildcard_constraints:
        dataset=one_of(datasets_with("quantum")),
    params:
        spec=chunk_spec,
        code=code_version(*QUANTUM_CODE),
    # one thread: the exact solver is sequential, and single-thread trajectory jobs pack beside
    # the long exact ones (results do not depend on the thread count)
    threads: 1
    log:
        "logs/{dataset}/quantum_{chunk}.log",
    benchmark:
        "logs/{dataset}/quantum_{chunk}.benchmark.tsv"
    resources:
        mem_mb=quantum_mem_mb,
        runtime=120,
    conda:
        ENV
    script:
        "../scripts/quantum_chunk.py"
