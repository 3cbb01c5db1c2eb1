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
            f"logs/{{dataset}}/{_method_name}_{{chunk}}.log",
        benchmark:
            f"logs/{{dataset}}/{_method_name}_{{chunk}}.benchmark.tsv"
        wildcard_constraints:
            dataset=one_of(_datasets),
        priority: job_priority(_method_name)
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


# Sizes that cannot fit stop the planning, before any job: a run of more jobs than Snakemake
# plans in reasonable time, and a job whose estimated memory exceeds what it can get (this
# machine's memory when jobs run here, or --resources mem_mb, e.g. from a cluster profile).
MAX_JOBS = 10000


def check_sizes():
    counts = {d: len(dataset_jobs(d)) for d in DATASETS if DATASETS[d]["method"] in methods.NAMES}
    if sum(counts.values()) > MAX_JOBS:
        largest = sorted(counts, key=counts.get, reverse=True)[:3]
        raise WorkflowError(
            f"config: {sum(counts.values())} compute jobs exceed the {MAX_JOBS} that one run plans quickly; "
            + "; ".join(
                f"datasets.{d}: {len(axis_values(DATASETS[d]['outer'])) * len(axis_values(DATASETS[d]['inner']))} "
                f"points in {counts[d]} jobs"
                for d in largest
            )
            + f". Raise chunk_size (now {config['chunk_size']}) or split the sweep into several runs"
        )
    limit = workflow.global_resources.get("mem_mb")
    limit = getattr(limit, "value", limit)  # a snakemake Resource, or a number
    where = "--resources mem_mb"
    if limit is None and workflow.local_exec:
        limit, where = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20, "this machine's memory"
    if limit is None:
        return
    for d in counts:
        method = method_of(d)
        for k, job in enumerate(dataset_jobs(d)):
            mem = method.resources(DATASETS[d], job, config)["mem_mb"] if hasattr(method, "resources") else 0
            if mem > limit:
                sizes = [n for e in DATASETS[d].get("n_basis", []) for n in (e if isinstance(e, list) else [e])]
                truncation = f", largest n_basis {max(sizes)}" if sizes else ""
                raise WorkflowError(
                    f"config: datasets.{d}: job {k} (outer indices {job['outer_indices'][0]}.."
                    f"{job['outer_indices'][-1]} of {DATASETS[d]['outer']['name']}{truncation}) needs an estimated "
                    f"{mem:,} MB of memory, more than {where} ({limit:,} MB)"
                )


if not (workflow.remote_exec or workflow.subprocess_exec):
    check_sizes()
