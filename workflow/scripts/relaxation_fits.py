"""Power-law fits of tau_r: the divergence (Gamma_e - Gamma_i)^-xi and the scaling N^z."""

import numpy as np
import pandas as pd

from powergrid import tables
from powergrid.fits import fit_power_law
from powergrid.logs import job_logger

log = job_logger("relaxation_fits", snakemake.log[0])
df = tables.read_table(snakemake.input[0], snakemake.params.expect)
df = df[df["meaningful"]]
rows = []
window = snakemake.params.xi_window
for (n, direction), g in df.groupby(["n_sites", "direction"]):
    if window is None:
        break
    d = g["gamma_e"] - g["gamma_i"]
    sel = g[(d >= window["min"]) & (d <= window["max"])]
    slope, err, prefactor = fit_power_law(sel["gamma_e"] - sel["gamma_i"], sel["tau"])
    rows.append(
        dict(
            quantity="xi",
            n_sites=n,
            gamma_e=np.nan,
            direction=direction,
            value=-slope,
            stderr=err,
            prefactor=prefactor,
            points=len(sel),
            window_min=window["min"],
            window_max=window["max"],
        )
    )
for gamma_e in snakemake.params.n_exponent_at:
    for direction, g in df.groupby("direction"):
        at = g.loc[(g["gamma_e"] - gamma_e).abs().groupby(g["n_sites"]).idxmin()]
        slope, err, prefactor = fit_power_law(at["n_sites"], at["tau"])
        rows.append(
            dict(
                quantity="n_exponent",
                n_sites=np.nan,
                gamma_e=float(at["gamma_e"].mean()),
                direction=direction,
                value=slope,
                stderr=err,
                prefactor=prefactor,
                points=len(at),
                window_min=np.nan,
                window_max=np.nan,
            )
        )
fits = pd.DataFrame(rows)
tables.write_table(
    fits,
    snakemake.output[0],
    {
        **snakemake.params.expect,  # the dataset whose relaxation times were fitted
        "method": "least-squares power laws of tau_r",
        "xi_window": window,
        "n_exponent_at": snakemake.params.n_exponent_at,
    },
)
for r in fits.itertuples():
    log.info(
        f"{r.quantity} ({r.direction}, N={r.n_sites}, Gamma_e={r.gamma_e}): {r.value:.3f} +- {r.stderr:.3f} "
        f"from {r.points} points"
    )
