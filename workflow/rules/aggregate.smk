# One table per dataset from the tables of its compute jobs (chunks of the outer sweep axis).


rule aggregate_table:
    input:
        lambda wc: expand(
            "results/{{dataset}}/chunks/{chunk}/{{table}}.parquet",
            chunk=range(job_count(wc.dataset)),
        ),
    output:
        "results/{dataset}/{table}.parquet",
    wildcard_constraints:
        # an SDE dataset's sites and bonds are ensemble statistics (rule sde_statistics)
        dataset=one_of(d for d in DATASETS if DATASETS[d]["method"] != "sde"),
        table="sites|bonds|points|relaxation",
    log:
        "logs/{dataset}/aggregate_{table}.log",
    localrule: True
    conda:
        ENV
    script:
        "../scripts/aggregate.py"
