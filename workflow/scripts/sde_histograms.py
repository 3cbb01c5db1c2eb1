"""Histograms of an SDE dataset (Fig. 3b): the counts of all its jobs, summed."""

from powergrid import ensembles, tables
from powergrid.logs import job_logger

log = job_logger("sde_histograms", snakemake.log[0])
df = ensembles.merge_histograms([tables.read_table(p, e) for p, e in zip(snakemake.input, snakemake.params.expect)])
tables.write_table(df, snakemake.output[0], tables.dataset_meta(tables.read_meta(snakemake.input[0])))
log.info(f"{snakemake.output[0]}: {len(df)} non-empty bins")
