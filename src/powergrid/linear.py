"""The linear (unsaturated) network of Appendix B: its spectrum over a parameter plane."""

from __future__ import annotations

import numpy as np

from .model import Network


def max_growth_rate_map(base: Network, gamma_i: np.ndarray, gamma_e: np.ndarray) -> np.ndarray:
    """Largest Re of the eigenvalues of the unsaturated dynamical matrix for every (Gamma_i, Gamma_e).

    Only the two diagonal entries of the gain and loss site change across the plane, so the
    matrix is built once and patched."""
    if len(base.gain) != 1 or len(base.loss) != 1:
        raise ValueError("the (gamma_i, gamma_e) plane needs exactly one gain and one loss site")
    m = base.linear_matrix()
    i, e = base.gain[0].site, base.loss[0].site
    out = np.empty((len(gamma_i), len(gamma_e)))
    for a, gi in enumerate(gamma_i):
        for b, ge in enumerate(gamma_e):
            mm = m.copy()
            mm[i, i] += 0.5 * gi
            mm[e, e] -= 0.5 * ge
            out[a, b] = np.max(np.linalg.eigvals(mm).real)
    return out
