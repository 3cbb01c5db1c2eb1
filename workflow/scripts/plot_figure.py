"""Render one figure from its tables (PDF + PNG)."""

import matplotlib

matplotlib.use("agg")

from pathlib import Path

from powergrid import tables
from powergrid.logs import job_logger
from powergrid.plotting import REGISTRY, style

log = job_logger("figure", snakemake.log[0])
data = {}
for key, path in zip(snakemake.params.tables, snakemake.input):
    data[key] = tables.read_table(path, snakemake.params.expect[key])
    data[key].attrs["meta"] = tables.read_meta(path)  # the spec that made the table (numerics, seeds)
fig = REGISTRY[snakemake.params.figure].plot(data)
stem = str(Path(snakemake.output.pdf).with_suffix(""))
style.save(fig, stem)
log.info(f"wrote {stem}.pdf and .png from {', '.join(snakemake.params.tables)}")
