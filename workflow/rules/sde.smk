# SDE ensembles (eqs. 3-5 with noise): each job runs a block of trajectories at every point of a
# chunk of the outer sweep axis and keeps per-trajectory time means; one rule per dataset turns
# them into ensemble statistics with standard errors, another sums the histograms (Fig. 3b).

SDE_CODE = ("model", "sde", "ensembles", "sweep", "datasets", "checkpoint", "tables")
SDE_DATASETS = datasets_with("sde")
HISTOGRAM_DATASETS = [d for d in SDE_DATASETS if DATASETS[d].get("histogram")]


rule sde_chunk:
    output:
        traj_bonds="results/{dataset}/chunks/{chunk}/traj_bonds.parquet",
        traj_sites="results/{dataset}/chunks/{chunk}/traj_sites.parquet",
        traj_points="results/{dataset}/chunks/{chunk}/traj_points.parquet",
    wildcard_constraints:
        dataset=one_of(d for d in SDE_DATASETS if d not in HISTOGRAM_DATASETS),
    params:
        spec=chunk_spec,
        code=code_version(*SDE_CODE),
    threads: config["sde"]["threads"]
    log:
        "logs/{dataset}/sde_{chunk}.log",
    benchmark:
        "logs/{dataset}/sde_{chunk}.benchmark.tsv"
    resources:
        mem_mb=1000,
        runtime=sde_minutes,
    conda:
        ENV
    script:
        "../scripts/sde_chunk.py"


use rule sde_chunk as sde_histogram_chunk with:
    output:
        traj_bonds="results/{dataset}/chunks/{chunk}/traj_bonds.parquet",
        traj_sites="results/{dataset}/chunks/{chunk}/traj_sites.parquet",
        traj_points="results/{dataset}/chunks/{chunk}/traj_points.parquet",
        histograms="results/{dataset}/chunks/{chunk}/histograms.parquet",
    wildcard_constraints:
        dataset=one_of(HISTOGRAM_DATASETS),
    log:
        "logs/{dataset}/sde_{chunk}.log",
    benchmark:
        "logs/{dataset}/sde_{chunk}.benchmark.tsv"


rule sde_statistics:
    input:
        traj_bonds=sde_chunk_tables("traj_bonds"),
        traj_sites=sde_chunk_tables("traj_sites"),
        traj_points=sde_chunk_tables("traj_points"),
    output:
        bonds="results/{dataset}/bonds.parquet",
        sites="results/{dataset}/sites.parquet",
        points="results/{dataset}/points.parquet",
        trajectories="results/{dataset}/trajectory_bonds.parquet",
    wildcard_constraints:
        dataset=one_of(SDE_DATASETS),
    params:
        code=code_version("sde", "ensembles", "tables"),
    log:
        "logs/{dataset}/sde_statistics.log",
    localrule: True
    conda:
        ENV
    script:
        "../scripts/sde_statistics.py"


rule sde_histograms:
    input:
        sde_chunk_tables("histograms"),
    output:
        "results/{dataset}/histograms.parquet",
    wildcard_constraints:
        dataset=one_of(HISTOGRAM_DATASETS),
    params:
        code=code_version("ensembles", "tables"),
    log:
        "logs/{dataset}/sde_histograms.log",
    localrule: True
    conda:
        ENV
    script:
        "../scripts/sde_histograms.py"
