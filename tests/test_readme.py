"""The README's Python examples run as written and print what the README says they print."""

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_examples_run_and_print_what_the_readme_says():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) >= 2
    out = io.StringIO()
    namespace = {}
    with contextlib.redirect_stdout(out):
        for block in blocks:  # one namespace: later examples build on the first
            exec(compile(block, "README.md", "exec"), namespace)
    lines = out.getvalue().splitlines()
    assert re.match(r"stationary 0\.609\d* 0\.582\d*$", lines[0]), lines[0]
    assert "This prints `stationary 0.609… 0.582…`" in README
    assert re.match(r"branch 3\.96027849\d* \(0, 1\)$", lines[-3]), lines[-3]
    assert re.match(r"hopf 3\.94488721\d* \(1, 3\)$", lines[-2]), lines[-2]
    assert re.match(r"2\.0\d* 1\.98670950\d*$", lines[-1]), lines[-1]
    assert "2.0 1.98670950…" in README
    assert "branch 3.96027849…, then hopf 3.94488721…" in README


def test_readme_counts_the_claims_it_decides():
    from powergrid.claims import REGISTRY

    assert f"({len(REGISTRY)}, registered in `powergrid.claims`)" in README
