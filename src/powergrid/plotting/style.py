"""Shared look of every figure: rcParams, colours, figure sizes, panel letters, byte-stable saving.

The caller selects the ``agg`` backend; this module never touches pyplot state. Figures are built
as ``matplotlib.figure.Figure`` objects inside ``context()``, so that the rcParams below apply to
every artist, and written with ``save``, which is byte-stable (no dates, no software stamp).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure

# Figure widths (inches): single and double column of a two-column journal.
SINGLE = 3.4
DOUBLE = 7.0

# Okabe-Ito palette (colour-blind safe).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

# One colour per physical role, the same in every figure.
COLORS = {
    "symmetric": "#D55E00",  # symmetric phase, Gamma_i > Gamma_e (vermillion)
    "broken": "#0072B2",  # symmetry-broken phase, Gamma_e > Gamma_i (blue)
    "transition": "#009E73",  # at the transition / maximal current (green)
    "diagonal": "#000000",  # Gamma_e = Gamma_i
    "max": "#009E73",  # J_max over Gamma_e
    "analytic": "0.35",  # dashed analytic overlays
    "reference": "0.45",  # guide lines (J = g n0, Gamma_i = 4 g)
    "quantum": "#CC79A7",  # f-bar (Poisson average) in Fig. S1
    "classical": "#000000",  # classical 1/(1 + |alpha|^2/n0)
    "A": "#0072B2",  # |A| of the ansatz
    "B": "#D55E00",  # |B| of the ansatz
    "gain": "#D55E00",  # generator G
    "loss": "#0072B2",  # engine E
    "bath": "#56B4E9",  # thermal bath
    "oscillator": "#F2F2F2",
    "unsteady": "0.6",  # shading of non-stationary attractors
}

# One colour per chain length (relaxation times): ordered light to dark by N.
SERIES = ("#E69F00", "#009E73", "#0072B2", "#CC79A7", "#000000")

# Colour-blind-safe maps: sequential for currents, diverging (centred at 0) for growth rates.
CMAP_SEQUENTIAL = "viridis"
CMAP_DIVERGING = "RdBu_r"

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "font.size": 9.0,
    "axes.labelsize": 9.0,
    "axes.titlesize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "legend.handlelength": 1.8,
    "legend.borderaxespad": 0.4,
    "legend.labelspacing": 0.3,
    "axes.linewidth": 0.8,
    "axes.labelpad": 2.5,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "lines.linewidth": 1.4,
    "lines.markersize": 4.0,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "xtick.minor.size": 1.6,
    "ytick.minor.size": 1.6,
    "xtick.major.width": 0.7,
    "ytick.major.width": 0.7,
    "xtick.major.pad": 2.5,
    "ytick.major.pad": 2.5,
    "image.cmap": CMAP_SEQUENTIAL,
    "hatch.linewidth": 0.5,
    "hatch.color": "white",
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "figure.constrained_layout.h_pad": 0.03,
    "figure.constrained_layout.w_pad": 0.05,
    "figure.constrained_layout.hspace": 0.02,
    "figure.constrained_layout.wspace": 0.03,
}

PNG_DPI = 200


def context():
    """Context manager with the shared rcParams; build and save figures inside it."""
    return mpl.rc_context(RC)


def apply() -> None:
    """Set the shared rcParams globally (for scripts and notebooks)."""
    mpl.rcParams.update(RC)


def figure(width: float = SINGLE, height: float = 2.6, *, layout: str | None = "constrained") -> Figure:
    """A new Figure (not registered with pyplot); call inside ``context()``."""
    return Figure(figsize=(width, height), layout=layout)


def panel_label(ax, letter: str, *, x: float = 0.0, y: float = 1.0, color: str = "black", inside: bool = False) -> None:
    """Panel letter '(a)' in the upper-left corner (outside the frame, or inside with inside=True)."""
    if inside:
        ax.text(
            0.03,
            0.97,
            f"({letter})",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9.5,
            fontweight="bold",
            color=color,
        )
    else:
        ax.annotate(
            f"({letter})",
            xy=(x, y),
            xycoords="axes fraction",
            xytext=(-2.0, 4.0),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=9.5,
            fontweight="bold",
            color=color,
            annotation_clip=False,
        )


def cell_edges(centres):
    """Edges of cells centred on sorted ``centres`` (half a spacing beyond the outer points)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def panel_row(draws, tables, height: float, width_ratios=None) -> Figure:
    """A two-column figure with one panel per ``draw(ax, tables)``, lettered (a), (b), ..."""
    with context():
        fig = figure(DOUBLE, height)
        axes = fig.subplots(1, len(draws), width_ratios=width_ratios, squeeze=False)[0]
        for ax, draw, letter in zip(axes, draws, "abcdefgh"):
            draw(ax, tables)
            panel_label(ax, letter)
    return fig


def single_panel(draw, tables, height: float) -> Figure:
    """A one-panel, single-column figure drawn by ``draw(ax, tables)``."""
    with context():
        fig = figure(SINGLE, height)
        draw(fig.subplots(), tables)
    return fig


def save(fig: Figure, stem) -> tuple[Path, Path]:
    """Write ``stem.pdf`` and ``stem.png`` (200 dpi), byte-stable, atomically; returns both paths.

    A constrained layout is computed once and then frozen on ``fig`` (its layout engine is set to
    'none'), so that every later save of the same figure gives the same bytes."""
    stem = str(stem)
    # Constrained layout is iterative: each draw starts from the positions of the previous one, so
    # two saves of one figure would differ in the last digits. Lay the figure out once, then freeze.
    if fig.get_layout_engine() is not None and type(fig.get_layout_engine()).__name__ != "PlaceHolderLayoutEngine":
        with context():
            fig.draw_without_rendering()
        fig.set_layout_engine("none")
    paths = []
    for ext, metadata, kw in (
        ("pdf", {"CreationDate": None}, {}),
        ("png", {"Software": None}, {"dpi": PNG_DPI}),
    ):
        path = Path(f"{stem}.{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{ext}", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh, context():
                fig.savefig(fh, format=ext, metadata=metadata, facecolor="white", **kw)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        paths.append(path)
    return paths[0], paths[1]
