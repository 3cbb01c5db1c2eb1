"""Decide every claim of powergrid.claims from the tables: results/claims.parquet and the report's
verdict table (HTML)."""

from powergrid import claims, tables
from powergrid.claims.render import html_table
from powergrid.logs import job_logger

log = job_logger("claims", snakemake.log[0])
data = {
    key: tables.read_table(path, snakemake.params.expect[key])
    for key, path in zip(snakemake.params.tables, snakemake.input)
}
verdicts = claims.evaluate(data)
tables.write_table(
    verdicts,
    snakemake.output.table,
    {"method": "claims of powergrid.claims decided from the tables", "tables": list(snakemake.params.tables)},
)
with open(snakemake.output.html, "w", encoding="utf-8") as f:
    f.write(html_table(verdicts))
counts = verdicts["verdict"].value_counts().to_dict()
log.info(f"{len(verdicts)} claims: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
