"""Claims about the saturation function: f-bar against its classical form (Fig. S1)."""

from __future__ import annotations

import numpy as np

from . import Claim, Finding, undecidable


def _classical_form(tables) -> Finding:
    s = tables["figS1/saturation"]
    s = s[np.isclose(s["n0"], 1.0)]
    if s.empty:
        return undecidable("needs f-bar at n0 = 1 (figS1, n0: [1.0, ...])")
    dev = np.abs(s["f_bar"].to_numpy(float) / s["f_classical"].to_numpy(float) - 1)
    worst = float(np.max(dev))
    at = float(s["x_over_n0"].to_numpy(float)[np.argmax(dev)])
    verdict = "confirmed" if worst <= 0.05 else "holds with a correction" if worst <= 0.2 else "contradicted"
    return Finding(
        verdict,
        worst,
        float("nan"),
        f"largest |f-bar / f_classical - 1| at n0 = 1 over |alpha|^2/n0 in [{s['x_over_n0'].min():g}, "
        f"{s['x_over_n0'].max():g}] (exact Poisson series; no uncertainty beyond rounding)",
        f"they differ by up to {100 * worst:.1f} % (at |alpha|^2/n0 = {at:g}); 'a few percent' read as <= 5 %",
        "figS1/saturation: f_bar, f_classical",
    )


CLAIMS = (
    Claim(
        "C18",
        "The quantum saturation factor f-bar agrees with its classical form 1/(1 + |alpha|^2/n0) to a few "
        "percent, even for n0 ~ 1.",
        "supplement S1, Fig. S1",
        "agreement up to a few percent for n0 ~ 1",
        ("figS1/saturation",),
        ("figS1", "fig1"),
        _classical_form,
    ),
)
