"""Ensemble statistics of an SDE dataset from the per-trajectory tables of all its jobs."""

import pandas as pd

from powergrid import ensembles, tables
from powergrid.logs import job_logger

log = job_logger("sde_statistics", snakemake.log[0])
expect = snakemake.params.expect  # the provenance of each job's tables, in job order
traj = {
    name: pd.concat([tables.read_table(p, e) for p, e in zip(snakemake.input[name], expect)], ignore_index=True)
    for name in ("traj_bonds", "traj_sites", "traj_points")
}
stats = ensembles.statistics_frames(traj["traj_bonds"], traj["traj_sites"], traj["traj_points"])
meta = tables.dataset_meta(tables.read_meta(snakemake.input.traj_bonds[0]))
meta["jobs"] = len(snakemake.input.traj_bonds)
for name in ("bonds", "sites", "points"):
    tables.write_table(stats[name], snakemake.output[name], meta)
tables.write_table(traj["traj_bonds"], snakemake.output.trajectories, meta)
log.info(
    f"{len(stats['points'])} points, {int(stats['points']['n_traj'].min())} trajectories each, "
    f"{stats['points']['wall_time'].sum():.0f} s of job wall time"
)
