"""f-bar(alpha) = <alpha| 1/(1 + a^dag a/n0) |alpha> (Poisson series) and its classical form."""

import numpy as np
import pandas as pd

from powergrid import analytic, tables
from powergrid.logs import job_logger

log = job_logger("saturation", snakemake.log[0])
frames = []
for n0 in snakemake.params.n0:
    r = np.asarray(snakemake.params.x_over_n0)
    frames.append(
        pd.DataFrame(
            {
                "n0": n0,
                "x": r * n0,
                "x_over_n0": r,
                "f_bar": analytic.f_bar_series(r * n0, n0),
                "f_classical": 1.0 / (1.0 + r),
            }
        )
    )
df = pd.concat(frames, ignore_index=True)
tables.write_table(
    df,
    snakemake.output[0],
    {"method": "Poisson series of f-bar (Fig. S1)", "n0": snakemake.params.n0, **snakemake.params.provenance},
)
log.info(f"{len(df)} rows")
