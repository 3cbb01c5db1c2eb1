# Compute jobs: one rule per method (powergrid.methods) and set of tables it writes. Every job
# runs workflow/scripts/compute_chunk.py on a chunk of its dataset (and, for SDE ensembles, a
# block of trajectories): points from the config section, each solved with frozen options,
# tidy tables with shared parameter columns, checkpointed so that a killed job resumes.
# A new method is one module in src/powergrid/methods plus its schema definition; nothing here.

_compute_rules = {}  # (method, tables) -> datasets
for _dataset, _section in DATASETS.items():
    if _section["method"] in methods.NAMES:
        _method = methods.load(_section["method"])
        _compute_rules.setdefault((_section["method"], tuple(_method.tables(_section))), []).append(_dataset)

for (_method_name, _tables), _datasets in _compute_rules.items():
    _method = methods.load(_method_name)

    rule:
        name:
            compute_rule(_method_name, _tables)
        output:
            **{t: f"results/{{dataset}}/chunks/{{chunk}}/{t}.parquet" for t in _tables},
        log:
            "logs/{dataset}/" + _method_name + "_{chunk}.log",
        benchmark:
            "logs/{dataset}/" + _method_name + "_{chunk}.benchmark.tsv"
        wildcard_constraints:
            dataset=one_of(_datasets),
        conda:
            ENV
        threads: _method.threads(config) if hasattr(_method, "threads") else 1
        resources:
            mem_mb=job_resources("mem_mb"),
            runtime=job_resources("runtime"),
        params:
            spec=job_spec,
            code=compute_code(_method_name),
        script:
            "../scripts/compute_chunk.py"
