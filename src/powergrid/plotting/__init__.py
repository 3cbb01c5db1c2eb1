"""Plotting layer: one module per figure, each reading tables only (no solver is imported here).

A figure module registers itself by declaring, next to its ``plot(tables) -> Figure``:

    FIGURE = "fig2"                # output name: figures/fig2.pdf and .png
    CATEGORY = "Main text"         # the report's section
    TABLES = ("fig2a/bonds", ...)  # <dataset>/<table> keys it reads

``REGISTRY`` holds every module of this package that declares ``FIGURE`` (helper modules such as
``style`` declare none); the workflow makes one rule per entry, with the caption
``workflow/report/<FIGURE>.rst``. A new figure is therefore one module plus one caption.
``FIGURES`` (name -> plot) and ``TABLES`` (name -> table keys) are views of the registry.
Save a figure with ``style.save(fig, stem)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

CATEGORIES = ("Main text", "Supplement", "Article appendix", "Beyond the paper")


@dataclass(frozen=True)
class FigureEntry:
    name: str
    module: str  # dotted name of the plotting module (its code version's entry)
    tables: tuple[str, ...]
    category: str
    plot: Callable


def discover() -> dict[str, FigureEntry]:
    """The figure modules of this package, by figure name."""
    entries = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if not hasattr(module, "FIGURE"):
            continue
        name = module.FIGURE
        if name in entries:
            raise ValueError(f"figure {name!r} is declared by {entries[name].module} and {module.__name__}")
        if module.CATEGORY not in CATEGORIES:
            raise ValueError(f"{module.__name__}: CATEGORY = {module.CATEGORY!r}; expected one of {CATEGORIES}")
        entries[name] = FigureEntry(name, module.__name__, tuple(module.TABLES), module.CATEGORY, module.plot)
    return entries


REGISTRY = discover()
FIGURES = {name: entry.plot for name, entry in REGISTRY.items()}
TABLES = {name: entry.tables for name, entry in REGISTRY.items()}
