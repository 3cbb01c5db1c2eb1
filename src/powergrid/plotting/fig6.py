"""Fig. 6 of the article: (a) = Fig. S3 (largest Re of the linear chain's eigenvalues),
(b) = Fig. S4 (|A|, |B| of the ansatz at Gamma_i = 4 g). Tables: ``figS3/spectrum``, ``figS4/ansatz``.
"""

from __future__ import annotations

from . import figS3, figS4, style

FIGURE = "fig6"
CATEGORY = "Article appendix"
TABLES = figS3.TABLES + figS4.TABLES


def plot(tables):
    with style.context():
        fig = style.figure(style.DOUBLE, 2.7)
        fig.get_layout_engine().set(wspace=0.12)  # room for (a)'s colour bar label next to (b)
        axes = fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        figS3.draw(axes[0], tables)
        figS4.draw(axes[1], tables)
        for ax, letter in zip(axes, "ab"):
            style.panel_label(ax, letter)
    return fig
