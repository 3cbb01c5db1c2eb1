"""The paper's checkable claims, each decided from the pipeline's tables.

A claim module of this package declares ``CLAIMS``, a tuple of ``Claim``. Each claim names the
tables it reads (``<dataset>/<table>``), the figures it bears on, what the paper says, and a
function ``assess(tables) -> Finding``. The finding holds the measured number with its
uncertainty (and what the uncertainty is), the verdict and the reason for it: the criterion with
the numbers it compared, the correction, or what data would decide it. A verdict is never typed
in: it is computed, so a different config can change it, and every claim's tests give it tables
that produce each of its verdicts.

``REGISTRY`` holds every claim by id, in id order. ``evaluate(tables)`` decides them all; a claim
whose tables are missing (its dataset is not in the config) is 'not decidable with these data',
naming them.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

# The report's first section: categories are sorted, and "A. " sorts before "Article appendix".
CATEGORY = "A. Verdicts: what of the paper holds"
VERDICTS = ("confirmed", "holds with a correction", "contradicted", "not decidable with these data")


@dataclass(frozen=True)
class Finding:
    verdict: str
    measured: float  # the measured quantity (nan if none)
    uncertainty: float  # its uncertainty (nan if none)
    basis: str  # what the number and its uncertainty are
    reason: str  # the criterion and the numbers compared; the correction; what would decide it
    evidence: str = ""  # table, columns, rows

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"Finding.verdict = {self.verdict!r}: must be one of {VERDICTS}")


@dataclass(frozen=True)
class Claim:
    id: str  # 'C01' ...
    statement: str  # the claim in our words
    where: str  # letter or article: section, equation, figure
    paper: str  # what the paper says, as a number or a short statement
    tables: tuple[str, ...]  # <dataset>/<table> keys it reads
    figures: tuple[str, ...]  # figures that bear on it
    assess: Callable[[Mapping[str, pd.DataFrame]], Finding]


def last_bond(bonds: pd.DataFrame) -> pd.DataFrame:
    """Rows of the bond into the extraction site (site_to == n_sites), as plotting._common's
    (not imported from there: that package loads every figure module and matplotlib)."""
    return bonds[bonds["site_to"] == bonds["n_sites"]]


def undecidable(reason: str, evidence: str = "") -> Finding:
    return Finding("not decidable with these data", math.nan, math.nan, "", reason, evidence)


def graded(measured: float, uncertainty: float, target: float, *, confirm: float, correct: float) -> str:
    """The verdict for a number that the paper gives as ``target``: confirmed if the relative
    deviation is within ``confirm`` or within the uncertainty; 'holds with a correction' within
    ``correct``; contradicted beyond."""
    if not math.isfinite(measured):
        return "not decidable with these data"
    deviation = abs(measured - target)
    if deviation <= max(confirm * abs(target), uncertainty if math.isfinite(uncertainty) else 0.0):
        return "confirmed"
    if deviation <= correct * abs(target):
        return "holds with a correction"
    return "contradicted"


def _discover() -> tuple[dict[str, Claim], tuple[str, ...]]:
    found, modules = {}, []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "CLAIMS"):
            modules.append(module.__name__)
        for claim in getattr(module, "CLAIMS", ()):
            if claim.id in found:
                raise ValueError(f"claim {claim.id} is declared twice ({module.__name__})")
            found[claim.id] = claim
    return dict(sorted(found.items())), tuple(modules)


# MODULES: the claim modules, found at run time (not by a static import): the rule's code version
# names them as entry points, so that an edited claim reruns the verdicts
REGISTRY, MODULES = _discover()


def tables_needed() -> tuple[str, ...]:
    return tuple(sorted({t for c in REGISTRY.values() for t in c.tables}))


def assess(claim: Claim, tables: Mapping[str, pd.DataFrame]) -> Finding:
    missing = [t for t in claim.tables if t not in tables]
    if missing:
        return undecidable(f"needs the table(s) {', '.join(missing)}: add their dataset(s) to the config")
    return claim.assess(tables)


COLUMNS = (
    "id",
    "statement",
    "where",
    "paper",
    "measured",
    "uncertainty",
    "basis",
    "verdict",
    "reason",
    "evidence",
    "tables",
    "figures",
)


def evaluate(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per claim of the registry: its finding on these tables."""
    rows = []
    for claim in REGISTRY.values():
        f = assess(claim, tables)
        rows.append(
            dict(
                id=claim.id,
                statement=claim.statement,
                where=claim.where,
                paper=claim.paper,
                measured=f.measured,
                uncertainty=f.uncertainty,
                basis=f.basis,
                verdict=f.verdict,
                reason=f.reason,
                evidence=f.evidence,
                tables=", ".join(claim.tables),
                figures=", ".join(claim.figures),
            )
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def claims_of_figure(figure: str) -> tuple[str, ...]:
    """The ids of the claims that bear on ``figure``."""
    return tuple(c.id for c in REGISTRY.values() if figure in c.figures)


__all__ = [
    "CATEGORY",
    "COLUMNS",
    "MODULES",
    "REGISTRY",
    "VERDICTS",
    "Claim",
    "Finding",
    "evaluate",
    "graded",
    "undecidable",
]
