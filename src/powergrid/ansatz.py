"""Fit of the single-mode ansatz (S17)/(C1), alpha_l = A sin(k0 l) + B cos(k0 l), to a steady state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnsatzFit:
    A: complex
    B: complex
    k0: float
    residual: float  # |alpha - fit| / |alpha|


def candidate_wavevectors(n_sites: int) -> tuple[float, ...]:
    """k0 = pi/2 + delta with delta = 0, +-pi/(2(N+1)) (symmetric, N even), +-pi/(2N) (broken, N odd).
    Both signs of delta occur: they are the two mirror images, rotating with opposite omega."""
    deltas = (0.0, np.pi / (2 * (n_sites + 1)), np.pi / (2 * n_sites))
    return tuple(np.pi / 2 + s * d for d in deltas for s in ((1,) if d == 0 else (1, -1)))


def fit_ansatz(alpha: np.ndarray) -> AnsatzFit:
    """Least-squares A, B for each candidate k0; the k0 with the smallest residual wins."""
    alpha = np.asarray(alpha, complex)
    l = np.arange(1, alpha.size + 1)
    best = None
    for k0 in candidate_wavevectors(alpha.size):
        basis = np.column_stack([np.sin(k0 * l), np.cos(k0 * l)]).astype(complex)
        coef, *_ = np.linalg.lstsq(basis, alpha, rcond=None)
        res = np.linalg.norm(basis @ coef - alpha) / max(np.linalg.norm(alpha), 1e-300)
        if best is None or res < best.residual:
            best = AnsatzFit(complex(coef[0]), complex(coef[1]), float(k0), float(res))
    return best
