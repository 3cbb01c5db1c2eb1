"""One compute job of any method (powergrid.methods): its points solved, its tables written."""

import json

from powergrid import methods
from powergrid.logs import job_logger
from powergrid.runner import run_job

spec = json.loads(snakemake.params.spec)
log = job_logger(spec["method"], snakemake.log[0])
run_job(
    methods.load(spec["method"]),
    spec,
    dict(snakemake.output.items()),
    code=snakemake.params.code,
    threads=snakemake.threads,
    log=log.info,
)
