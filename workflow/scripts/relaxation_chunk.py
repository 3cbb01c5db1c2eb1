"""One compute job: steady states of a chunk of the sweep and their relaxation times."""

import json

from powergrid import datasets, tables
from powergrid.logs import ProgressLog, job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("relaxation", snakemake.log[0])
log.info(f"{spec['dataset']}: {len(spec['outer_indices'])} x {len(spec['inner']['values'])} points, "
         f"{spec['outer']['name']} x {spec['inner']['name']}, protocol {spec['protocol']}, kicks {spec['directions']}")
points = list(datasets.sweep_points(spec))
log.info(f"steady states done; relaxing {len(points)} points")
options = datasets.relaxation_options(spec["relaxation"], spec["kick"])
df = datasets.relaxation_frame(points, spec["dataset"], spec["directions"], options,
                               progress=ProgressLog(log.info))
tables.write_table(df, snakemake.output[0], {"method": "relaxation time, Appendix F procedure", "spec": spec})
log.info(f"meaningful tau_r: {int(df['meaningful'].sum())} of {len(df)}")
