"""Largest real part of the linear chain's eigenvalues over the (Gamma_i, Gamma_e) plane."""

import json

import numpy as np
import pandas as pd

from powergrid import datasets, linear, tables
from powergrid.logs import job_logger

spec = json.loads(snakemake.params.spec)
log = job_logger("linear", snakemake.log[0])
net = datasets.network_from_spec(spec["network"])
gi, ge = np.array(spec["outer"]["values"]), np.array(spec["inner"]["values"])
rate = linear.max_growth_rate_map(net, gi, ge)
GI, GE = np.meshgrid(gi, ge, indexing="ij")
df = pd.DataFrame({"gamma_i": GI.ravel(), "gamma_e": GE.ravel(), "gamma": net.gamma, "n_sites": net.n_sites,
                   "max_real_eigenvalue": rate.ravel()})
tables.write_table(df, snakemake.output[0], {"method": "eigenvalues of the unsaturated chain", "spec": spec})
log.info(f"{df.shape[0]} points; stalled (all Re < 0): {(rate < 0).sum()}")
