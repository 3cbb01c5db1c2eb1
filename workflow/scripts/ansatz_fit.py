"""|A|, |B| of the single-mode ansatz (S17) fitted to every steady state of a dataset."""

import numpy as np
import pandas as pd

from powergrid import tables
from powergrid.ansatz import fit_ansatz
from powergrid.logs import job_logger

log = job_logger("ansatz", snakemake.log[0])
sites = tables.read_table(snakemake.input.sites, snakemake.params.expect)
rows = []
keys = ["protocol", "gamma_i", "gamma_e", "gamma", "n_sites", "kind", "outer_index", "inner_index"]
for key, point in sites.sort_values("site").groupby(keys, sort=True):
    fit = fit_ansatz((point["alpha_re"] + 1j * point["alpha_im"]).to_numpy())
    rows.append(
        {**dict(zip(keys, key)), "A_abs": abs(fit.A), "B_abs": abs(fit.B), "k0": fit.k0, "fit_residual": fit.residual}
    )
df = pd.DataFrame(rows)
tables.write_table(
    df, snakemake.output[0], {**tables.read_meta(snakemake.input.sites), "method": "least-squares fit of ansatz (S17)"}
)
log.info(f"{len(df)} fits, median residual {np.median(df['fit_residual']):.2e}")
