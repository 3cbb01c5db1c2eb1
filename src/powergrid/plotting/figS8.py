"""Fig. S8 (panel a is the article's Fig. 7d): SDE ensembles of the N = 10 chain with other
saturation exponents, nu = 1 (a) and nu = 3 (b); Gamma_i = 4 g, gamma = 1e-3 g, N_th/n0 = 10.
<J> on the last bond (points with standard errors) and the band <J> +- Delta J; dashed: the
equilibrium band. Table: ``figS8/bonds``.
"""

from __future__ import annotations

from . import style
from ._common import table
from .noisy_currents import noise_title, panels_per_value

FIGURE = "figS8"
CATEGORY = "Supplement"
TABLES = ("figS8/bonds",)


def plot(tables):
    bonds = table(tables, "figS8/bonds")
    draws = panels_per_value(bonds, "nu", lambda nu: rf"$\nu={nu:g}$, " + noise_title(bonds))
    return style.panel_row(draws, tables, 2.6)
