"""Aggregate the chunk tables of one dataset into its table."""

from powergrid import tables
from powergrid.logs import job_logger

log = job_logger("aggregate", snakemake.log[0])
df = tables.concat_tables(
    list(snakemake.input),
    snakemake.output[0],
    {"dataset": snakemake.wildcards.dataset},
    expect=snakemake.params.expect,
)
log.info(f"{snakemake.output[0]}: {len(df)} rows from {len(snakemake.input)} chunks")
