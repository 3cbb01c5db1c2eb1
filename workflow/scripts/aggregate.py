"""Aggregate the chunk tables of one dataset into its tables (one per output name)."""

from powergrid import tables
from powergrid.logs import job_logger

log = job_logger("aggregate", snakemake.log[0])
for name, out in snakemake.output.items():
    df = tables.concat_tables(snakemake.input[name], out, {"dataset": snakemake.wildcards.dataset})
    log.info(f"{out}: {len(df)} rows from {len(snakemake.input[name])} chunks")
