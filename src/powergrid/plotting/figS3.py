"""Fig. S3 (= article Fig. 6a): largest real part of the eigenvalues of the linear chain.

Map of ``max_real_eigenvalue`` (units of g) over (Gamma_i, Gamma_e) for the unsaturated chain
(Gamma(alpha) -> Gamma), N = 10, gamma = 1e-3 g, on a diverging colour scale centred at 0; the
numerical contour max Re lambda = 0 and the analytic stalled-region boundary Gamma_e = g^2/Gamma_i
(Gamma_i < g, dashed). Table: ``figS3/spectrum``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from . import style
from ._common import grid, stalled_boundary, table

FIGURE = "figS3"
CATEGORY = "Supplement"
TABLES = ("figS3/spectrum",)


def diverging_ticks(vmin: float, vmax: float, nbins: int = 4):
    """Ticks for a colour bar centred at 0: nice ticks on the longer side, the end of the shorter one."""
    from matplotlib.ticker import MaxNLocator

    long_lo, long_hi = (0.0, vmax) if vmax >= -vmin else (vmin, 0.0)
    ticks = [t for t in MaxNLocator(nbins).tick_values(long_lo, long_hi) if long_lo <= t <= long_hi]
    short = vmin if vmax >= -vmin else vmax
    if short != 0:
        digits = -int(np.floor(np.log10(abs(short))))  # one significant digit, rounded towards 0
        ticks.append(float(np.trunc(short * 10**digits) / 10**digits))
    return sorted(set(ticks) | {0.0})


def draw(ax, tables, *, colorbar: bool = True):
    spec = table(tables, "figS3/spectrum")
    x, y, z = grid(spec, "max_real_eigenvalue")
    xe, ye = style.cell_edges(x), style.cell_edges(y)
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else -1.0
    hi = float(finite.max()) if finite.size else 1.0
    scale = max(abs(lo), abs(hi), 1e-12)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(lo, -1e-6 * scale), vmax=max(hi, 1e-6 * scale))
    mesh = ax.pcolormesh(
        xe, ye, np.ma.masked_invalid(z), cmap=style.CMAP_DIVERGING, norm=norm, shading="flat", rasterized=True
    )
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])

    handles = []
    if finite.size and lo < 0 < hi and min(z.shape) >= 2:
        ax.contour(x, y, z, levels=[0.0], colors="black", linewidths=1.0)
        handles.append(Line2D([], [], color="black", lw=1.0, label=r"max Re$\,\lambda=0$"))
    gi, ge = stalled_boundary(ax)
    if gi.size:
        ax.plot(gi, ge, color="white", lw=1.2, ls=(0, (3, 2)))
        handles.append(Line2D([], [], color="0.45", lw=1.2, ls=(0, (3, 2)), label=r"$\Gamma_e=g^2/\Gamma_i$"))
    if handles:
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncol=len(handles),
            borderaxespad=0.1,
            fontsize=7,
            handlelength=1.6,
            columnspacing=1.0,
        )
    ax.set_xlabel(r"$\Gamma_i\,/\,g$")
    ax.set_ylabel(r"$\Gamma_e\,/\,g$")
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, pad=0.02, fraction=0.06, aspect=25)
        cb.set_label(r"max Re$\,\lambda\,/\,g$")
        cb.set_ticks(diverging_ticks(norm.vmin, norm.vmax))
        cb.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}".replace("-", "\u2212")))
        cb.ax.tick_params(labelsize=7.5)
    return mesh


def plot(tables):
    return style.single_panel(draw, tables, 2.8)
