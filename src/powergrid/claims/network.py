"""Claims about the network of Fig. 5: the switch of the branch's current."""

from __future__ import annotations

import numpy as np

from . import Claim, Finding, graded, undecidable


def _switch(tables) -> Finding:
    bonds = tables["fig5/bonds"]
    swept = next((c for c in bonds.columns if c.startswith("gamma_e@")), None)
    if swept is None or bonds.empty:
        return undecidable("needs the network ensembles over a swept loss rate (fig5)")
    loss_sites = sorted(int(c.split("@")[1]) for c in bonds.columns if c.startswith("gamma_e@"))
    branch_end = max(s for s in loss_sites if f"gamma_e@{s}" != swept)
    into = bonds[bonds["site_to"] == branch_end].sort_values(swept)
    if len(into) < 3:
        return undecidable("needs three or more values of the swept loss rate (fig5)")
    x, j, dj = (into[c].to_numpy(float) for c in (swept, "J_mean", "J_std"))
    thermal = abs(j[0]) + 3 * dj[0]  # the first point: only thermal current reaches the branch
    on = np.flatnonzero(j > max(10 * abs(j[0]), thermal))
    if not on.size:
        return undecidable(f"the current into site {branch_end} never leaves its thermal level in the sweep (fig5)")
    threshold = float(x[on[0]])
    step = float(x[on[0]] - x[on[0] - 1]) if on[0] > 0 else float("nan")
    gain = float(bonds["gamma_i"].iloc[0])
    verdict = graded(threshold, step, gain, confirm=0.1, correct=0.3)
    return Finding(
        verdict,
        threshold,
        step,
        f"the first {swept} (g) at which the current into site {branch_end} exceeds 10 x its value at the start of "
        "the sweep and its thermal level; +- the sweep's step",
        f"the branch switches on at {swept} = {threshold:g} g = {threshold / gain:.2f} Gamma_i(1); the paper says "
        "about Gamma_i(1); confirmed within 10 %, a correction within 30 %",
        f"fig5/bonds: J_mean, J_std into site {branch_end}",
    )


CLAIMS = (
    Claim(
        "C14",
        "In the network, only thermal current reaches the side branch until the loss on the main line passes "
        "about the gain rate Gamma_i(1); then current and noise jump.",
        "letter, Fig. 5",
        "switch at Gamma_e(7) ~ Gamma_i(1)",
        ("fig5/bonds",),
        ("fig5",),
        _switch,
    ),
)
