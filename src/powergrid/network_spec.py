"""A ``Network`` from a config ``network`` section (1-based sites; no ``edges`` means a chain).

Its ``disorder`` (sigma of random detunings) is not part of the network: the steady-state sweep
applies it per point (``sweep``).
"""

from __future__ import annotations

from .model import Network, Reservoir


def network_from_spec(spec: dict) -> Network:
    n = int(spec["n_sites"])
    edges = spec.get("edges") or [[l, l + 1] for l in range(1, n)]

    def reservoirs(key):
        return tuple(Reservoir(int(r["site"]) - 1, float(r["rate"]), float(r.get("n0_ratio", 1.0))) for r in spec[key])

    return Network(
        n_sites=n,
        edges=tuple((int(i) - 1, int(j) - 1) for i, j in edges),
        gain=reservoirs("gain"),
        loss=reservoirs("loss"),
        gamma=float(spec["gamma"]),
        nu=float(spec.get("nu", 2.0)),
        n0=float(spec.get("n0", 1.0)),
        n_th_over_n0=float(spec.get("n_th_over_n0", 0.0)),
        detuning=tuple(spec["detuning"]) if spec.get("detuning") else None,
    )
