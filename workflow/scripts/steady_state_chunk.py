"""One compute job: deterministic steady states for a chunk of the outer sweep axis."""

import json

from powergrid import datasets, tables
from powergrid.logs import ProgressLog, job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("steady_state", snakemake.log[0])
log.info(f"{spec['dataset']}: {len(spec['outer_indices'])} x {len(spec['inner']['values'])} points, "
         f"{spec['outer']['name']} x {spec['inner']['name']}, protocol {spec['protocol']}")
points = list(datasets.sweep_points(spec, progress=ProgressLog(log.info)))
sites, bonds = datasets.steady_state_frames(points, spec["dataset"])
meta = {"method": "deterministic steady state (RK4 + Newton in the co-rotating frame)", "spec": spec}
tables.write_table(sites, snakemake.output.sites, meta)
tables.write_table(bonds, snakemake.output.bonds, meta)
log.info(f"kinds: {sites.drop_duplicates(['protocol', 'outer_index', 'inner_index'])['kind'].value_counts().to_dict()}")
