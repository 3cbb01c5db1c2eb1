"""The linear (unsaturated) chain's spectrum over the (Gamma_i, Gamma_e) plane (Fig. S3):
the largest real part of its eigenvalues. A point is one row of the plane (one outer value)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import linear
from ..model import Network
from ..network_spec import network_from_spec
from ..parameters import axis_values

METHOD = "eigenvalues of the unsaturated chain"


@dataclass(frozen=True)
class Row:
    network: Network
    gamma_i: float
    gamma_e: tuple[float, ...]

    @property
    def key(self) -> str:
        return f"{self.gamma_i!r}"


def tables(section: dict) -> tuple[str, ...]:
    return ("spectrum",)


def jobs(section: dict, config: dict) -> list[dict]:
    """One job for the whole plane: a 10-site eigenproblem per point costs microseconds, less
    than starting a job."""
    return [{"outer_indices": list(range(len(axis_values(section["outer"]))))}]


def resources(section: dict, job: dict, config: dict) -> dict:
    return {"mem_mb": 1000, "runtime": 30}


def options(spec: dict) -> None:
    if (spec["outer"]["name"], spec["inner"]["name"]) != ("gamma_i", "gamma_e"):
        raise ValueError(
            f"{spec['dataset']}: the spectrum is a map over outer = gamma_i, inner = gamma_e; "
            f"got {spec['outer']['name']!r}, {spec['inner']['name']!r}"
        )
    return None


def points(spec: dict) -> list[Row]:
    net = network_from_spec(spec["network"])
    return [Row(net, spec["outer"]["values"][i], tuple(spec["inner"]["values"])) for i in spec["outer_indices"]]


def solve(row: Row, options=None, progress=None, threads: int = 1) -> np.ndarray:
    return linear.max_growth_rate_map(row.network, np.array([row.gamma_i]), np.array(row.gamma_e))[0]


def label(options) -> str:
    return METHOD


def frames(row: Row, rate: np.ndarray, dataset: str) -> dict[str, pd.DataFrame]:
    net = row.network
    return {
        "spectrum": pd.DataFrame(
            {
                "gamma_i": row.gamma_i,
                "gamma_e": np.array(row.gamma_e),
                "gamma": net.gamma,
                "n_sites": net.n_sites,
                "max_real_eigenvalue": rate,
            }
        )
    }
