"""Fig. S10: SDE ensembles of the N = 10 chain with a larger saturation number at the loss site,
n0^(N) = 1.1 n0^(1) (a) and 1.5 n0^(1) (b); Gamma_i = 4 g, gamma = 1e-3 g, N_th/n0 = 10. <J> on the
last bond (points with standard errors), the band <J> +- Delta J; dashed: the equilibrium band.
Table: ``figS10/bonds``.
"""

from __future__ import annotations

from . import style
from ._common import table
from .noisy_currents import noise_title, panels_per_value

FIGURE = "figS10"
CATEGORY = "Supplement"
TABLES = ("figS10/bonds",)


def plot(tables):
    bonds = table(tables, "figS10/bonds")
    draws = panels_per_value(
        bonds, "n0_ratio_loss", lambda r: rf"$n_0^{{(N)}}={r:g}\,n_0^{{(1)}}$, " + noise_title(bonds)
    )
    return style.panel_row(draws, tables, 2.6)
