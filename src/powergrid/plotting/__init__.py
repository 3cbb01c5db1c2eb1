"""Plotting layer: one module per figure, each ``plot(tables) -> Figure`` reading tables only.

``FIGURES`` maps an output name (``figures/<name>.pdf/.png``) to its ``plot`` function; the tables
each one reads are listed in the module's ``TABLES``. Save with ``style.save(fig, stem)``.
"""

from . import fig2, style  # noqa: F401

FIGURES = {
    "fig2": fig2.plot,
}
