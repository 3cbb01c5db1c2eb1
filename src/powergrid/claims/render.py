"""The verdict table as a self-contained HTML page for the report."""

from __future__ import annotations

import html
import math

import pandas as pd

COLOURS = {
    "confirmed": "#d9f0d3",
    "holds with a correction": "#fdf3c4",
    "contradicted": "#f8d0c8",
    "not decidable with these data": "#e6e6e6",
}


def _number(x: float) -> str:
    if not math.isfinite(x):
        return ""
    return f"{x:.4g}"


def html_table(verdicts: pd.DataFrame) -> str:
    counts = verdicts["verdict"].value_counts()
    summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in COLOURS)
    rows = []
    for r in verdicts.itertuples(index=False):
        measured = _number(r.measured)
        if measured and math.isfinite(r.uncertainty):
            measured += f" ± {_number(r.uncertainty)}"
        cells = [
            f"<b>{html.escape(r.id)}</b>",
            html.escape(r.statement),
            html.escape(r.where),
            html.escape(r.paper),
            f"{measured}<br><small>{html.escape(r.basis)}</small>",
            f"<b>{html.escape(r.verdict)}</b><br><small>{html.escape(r.reason)}</small>",
            f"<small>{html.escape(r.evidence)}<br>figures: {html.escape(r.figures)}</small>",
        ]
        style = f' style="background:{COLOURS[r.verdict]}"'
        rows.append("<tr>" + "".join(f"<td{style if k == 5 else ''}>{c}</td>" for k, c in enumerate(cells)) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("id", "claim", "where", "paper says", "we measure", "verdict", "evidence"))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Verdicts</title><style>"
        "body{font-family:sans-serif;font-size:13px} table{border-collapse:collapse} "
        "td,th{border:1px solid #bbb;padding:4px;vertical-align:top;text-align:left} th{background:#f2f2f2}"
        "</style></head><body>"
        f"<h2>What of the paper holds: {len(verdicts)} claims</h2><p>{summary}. Every verdict is computed "
        "from the tables of this run (powergrid.claims); none is typed in.</p>"
        f"<table><tr>{head}</tr>{''.join(rows)}</table></body></html>"
    )
