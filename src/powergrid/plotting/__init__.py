"""Plotting layer: one module per figure, each ``plot(tables) -> Figure`` reading tables only.

``FIGURES`` maps an output name (``figures/<name>.pdf/.png``) to its ``plot`` function; the table
keys each one reads are in ``TABLES[name]`` (and the module's ``TABLES``). Save with
``style.save(fig, stem)``. No solver is imported here.
"""

from . import (extra_quantum_n3, extra_relaxation, extra_sde_convergence, extra_truncation_convergence,  # noqa: F401
               fig1, fig2, fig3, fig4, fig5, fig6, fig7, fig8, figS1, figS2, figS3, figS4, figS5, figS6, figS7,
               figS8, figS9, figS10, style)

# output name -> plotting module (fig9 is the same figure as S5)
_MODULES = {
    "fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4, "fig5": fig5, "fig6": fig6, "fig7": fig7, "fig8": fig8,
    "fig9": figS5, "figS1": figS1, "figS2": figS2, "figS3": figS3, "figS4": figS4, "figS5": figS5, "figS6": figS6,
    "figS7": figS7, "figS8": figS8, "figS9": figS9, "figS10": figS10,
    "extra-relaxation": extra_relaxation, "extra-sde-convergence": extra_sde_convergence,
    "extra-quantum-N3": extra_quantum_n3, "extra-truncation-convergence": extra_truncation_convergence,
}

FIGURES = {name: module.plot for name, module in _MODULES.items()}
TABLES = {name: module.TABLES for name, module in _MODULES.items()}
