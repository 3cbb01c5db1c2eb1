"""Plotting layer: one module per figure, each ``plot(tables) -> Figure`` reading tables only.

``FIGURES`` maps an output name (``figures/<name>.pdf/.png``) to its ``plot`` function; the table
keys each one reads are in ``TABLES[name]`` (and the module's ``TABLES``). Save with
``style.save(fig, stem)``. No solver is imported here.
"""

from . import extra_relaxation, fig1, fig2, fig6, figS1, figS3, figS4, figS5, figS6, figS7, figS9, style  # noqa: F401

FIGURES = {
    "fig1": fig1.plot,
    "fig2": fig2.plot,
    "fig6": fig6.plot,
    "figS1": figS1.plot,
    "figS3": figS3.plot,
    "figS4": figS4.plot,
    "figS5": figS5.plot,
    "fig9": figS5.plot,
    "figS6": figS6.plot,
    "figS7": figS7.plot,
    "figS9": figS9.plot,
    "extra-relaxation": extra_relaxation.plot,
}

TABLES = {
    "fig1": fig1.TABLES,
    "fig2": fig2.TABLES,
    "fig6": fig6.TABLES,
    "figS1": figS1.TABLES,
    "figS3": figS3.TABLES,
    "figS4": figS4.TABLES,
    "figS5": figS5.TABLES,
    "fig9": figS5.TABLES,
    "figS6": figS6.TABLES,
    "figS7": figS7.TABLES,
    "figS9": figS9.TABLES,
    "extra-relaxation": extra_relaxation.TABLES,
}
