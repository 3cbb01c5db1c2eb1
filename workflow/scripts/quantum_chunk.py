"""One compute job: quantum steady states for a chunk of the outer sweep axis."""

import json

import pandas as pd

from powergrid import quantum_sweeps, tables
from powergrid.logs import ProgressLog, job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("quantum", snakemake.log[0])
points = quantum_sweeps.quantum_points(spec)
log.info(f"{spec['dataset']}: {len(points)} points ({spec['outer']['name']} x {spec['inner']['name']}), "
         f"solver {spec['solver']}, n_basis {spec['n_basis']}, leak bound {spec['leak_bound']:g}")
progress = ProgressLog(log.info, interval=30.0)
frames = []
for k, point in enumerate(points):
    result = quantum_sweeps.solve_point(point, spec, threads=snakemake.threads,
                                        progress=lambda f, k=k: progress(round(k + f, 2), len(points)))
    frames.append(quantum_sweeps.point_frames(point, result, spec["dataset"]))
    log.info(f"point {point.axes} (n_basis {point.n_basis}): <J> {result.J_mean[-1]:.4g}, Delta J {result.J_std[-1]:.4g}, "
             f"max leak {max(result.leak):.2g}, {result.wall_time:.1f} s")
    progress(k + 1, len(points))
meta = {"method": f"quantum steady state ({spec['solver']})", "spec": spec}
for name in ("bonds", "sites", "points"):
    tables.write_table(pd.concat([f[name] for f in frames], ignore_index=True), snakemake.output[name], meta)
log.info(f"wrote {len(points)} points")
