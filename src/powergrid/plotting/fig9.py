"""Fig. 9 of the article's appendix: the disorder figure of the supplement, drawn by ``figS5``."""

from .figS5 import TABLES, plot  # noqa: F401

FIGURE = "fig9"
CATEGORY = "Article appendix"
