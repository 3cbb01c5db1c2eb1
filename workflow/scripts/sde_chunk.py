"""One compute job: a block of SDE trajectories at every point of a chunk of the sweep.

Finished points are kept in a checkpoint next to the outputs, so a killed job resumes where it
stopped; a diverging trajectory fails the job (naming parameters and time) before any table."""

import json
from pathlib import Path

import pandas as pd

from powergrid import ensembles, tables
from powergrid.checkpoint import PointCache
from powergrid.logs import ProgressLog, job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("sde", snakemake.log[0])
block = spec["block"]
points = ensembles.ensemble_points(spec)
log.info(f"{spec['dataset']}: {len(points)} points ({spec['outer']['name']} x {spec['inner']['name']}), "
         f"trajectories {block['first']}..{block['first'] + block['count'] - 1}, dt = {spec['sde']['dt']}, "
         f"t_transient = {spec['t_transient']}, t_average = {spec['t_average']}, {snakemake.threads} threads")
cache = PointCache(Path(snakemake.output.traj_bonds).parent / "checkpoint", snakemake.params.spec + snakemake.params.code)
restored = cache.open()
if restored:
    log.info(f"resuming: {len(restored)} finished points in the checkpoint")
progress = ProgressLog(log.info, interval=30.0)
frames = []
for k, point in enumerate(points):
    def compute(point=point, k=k):
        result = ensembles.run_point(point, spec, threads=snakemake.threads,
                                     progress=lambda f: progress(round(k + f, 2), len(points)))
        log.info(f"point {point.axes}: <J> last bond {result.J_mean[-1]:.4g} +- {result.J_sem[-1]:.2g}, "
                 f"Delta J {result.J_std[-1]:.4g}, {result.wall_time:.1f} s")
        return ensembles.trajectory_frames(point, result, spec["dataset"])

    frames.append(cache.load_or_compute(f"{point.outer_index}_{point.inner_index}", compute))
meta = {"method": f"SDE ensemble: {ensembles.sde.METHOD}", "spec": spec}
for name in snakemake.output.keys():
    tables.write_table(pd.concat([f[name] for f in frames], ignore_index=True), snakemake.output[name], meta)
cache.clear()
log.info(f"wrote {len(points)} points")
