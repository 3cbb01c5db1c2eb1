# One table per dataset from the tables of its compute jobs (chunks of the outer sweep axis).


rule aggregate_table:
    input:
        lambda wc: expand(
            "results/{{dataset}}/chunks/{chunk}/{{table}}.parquet",
            chunk=range(len(dataset_chunks(wc.dataset))),
        ),
    output:
        "results/{dataset}/{table}.parquet",
    wildcard_constraints:
        table="sites|bonds|relaxation",
    log:
        "logs/{dataset}/aggregate_{table}.log",
    localrule: True
    conda:
        ENV
    script:
        "../scripts/aggregate.py"
