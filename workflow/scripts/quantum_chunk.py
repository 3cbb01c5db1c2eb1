"""One compute job: quantum steady states for a chunk of the outer sweep axis.

Finished points are kept in a checkpoint next to the outputs (a point can take minutes), so a
killed job resumes where it stopped; a point whose truncation leaks fails the job before any table."""

import json
from pathlib import Path

import pandas as pd

from powergrid import quantum_sweeps, tables
from powergrid.checkpoint import PointCache
from powergrid.logs import ProgressLog, job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("quantum", snakemake.log[0])
points = quantum_sweeps.quantum_points(spec)
log.info(f"{spec['dataset']}: {len(points)} points ({spec['outer']['name']} x {spec['inner']['name']}), "
         f"solver {spec['solver']}, n_basis {spec['n_basis']}, k_max {spec.get('k_max', 'none')}, "
         f"leak bound {spec['leak_bound']:g}")
cache = PointCache(Path(snakemake.output.points).parent / "checkpoint", snakemake.params.spec + snakemake.params.code)
restored = cache.open()
if restored:
    log.info(f"resuming: {len(restored)} finished points in the checkpoint")
progress = ProgressLog(log.info, interval=30.0)
frames = []
for k, point in enumerate(points):
    def compute(point=point, k=k):
        result = quantum_sweeps.solve_point(point, spec, threads=snakemake.threads,
                                            progress=lambda f: progress(round(k + f, 2), len(points)))
        log.info(f"point {point.axes} (n_basis {point.n_basis}, k_max {point.k_max}): <J> {result.J_mean[-1]:.4g}, "
                 f"Delta J {result.J_std[-1]:.4g}, max leak {max(result.leak):.2g}, top sector "
                 f"{result.leak_total:.2g}, {result.wall_time:.1f} s")
        return quantum_sweeps.point_frames(point, result, spec["dataset"])

    frames.append(cache.load_or_compute(f"{point.outer_index}_{point.inner_index}", compute))
    progress(k + 1, len(points))
meta = {"method": f"quantum steady state ({spec['solver']})", "spec": spec}
for name in ("bonds", "sites", "points"):
    tables.write_table(pd.concat([f[name] for f in frames], ignore_index=True), snakemake.output[name], meta)
cache.clear()
log.info(f"wrote {len(points)} points")
