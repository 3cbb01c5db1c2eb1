"""One compute job: steady states of a chunk of the sweep and their relaxation times."""

import json

from powergrid import datasets, sweep, tables
from powergrid.logs import job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("relaxation", snakemake.log[0])
outer, inner = spec["outer"], spec["inner"]
log.info(f"{spec['dataset']}: {len(spec['outer_indices'])} x {len(inner['values'])} points, "
         f"{outer['name']} x {inner['name']}, protocol {spec['protocol']}, kicks {spec['directions']}")

points = list(sweep.steady_state_sweep(
    datasets.network_from_spec(spec["network"]),
    (outer["name"], outer["values"]), (inner["name"], inner["values"]), spec["outer_indices"],
    spec["protocol"], datasets.solver_options(spec["solver"]), spec["seed"], spec["dataset"],
    disorder=spec["network"].get("disorder", 0.0)))
log.info(f"steady states done; relaxing {len(points)} points")
options = datasets.relaxation_options(spec["relaxation"], spec["kick"])
df = datasets.relaxation_frame(points, spec["dataset"], spec["directions"], options,
                               progress=sweep.ProgressLog(log.info))
tables.write_table(df, snakemake.output[0], {"method": "relaxation time, Appendix F procedure", "spec": spec})
log.info(f"meaningful tau_r: {int(df['meaningful'].sum())} of {len(df)}")
