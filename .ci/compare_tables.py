"""Compare every Parquet table under two result trees, bit for bit.

Usage: python .ci/compare_tables.py OLD_DIR NEW_DIR

A refactoring that changes structure, not numbers, must leave every table identical: same
columns in the same order, same values (NaN = NaN), same types, and the same metadata apart from
the provenance block (git commit, versions). Columns and metadata keys only in NEW are reported
as additions; anything else that differs is a failure. Exit status 1 on any failure.
"""

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

META_KEY = b"powergrid"
# An aggregated table used to carry the outer indices of its first job; it holds all of them
ALLOWED_REMOVALS = {"spec.outer_indices", "spec.block"}
TIMING = ("wall_time",)  # seconds a job took: differ between any two runs, not compared


def tables(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p for p in sorted(root.rglob("results/**/*.parquet")) if "checkpoint" not in p.parts
    }


def meta(table) -> dict:
    raw = (table.schema.metadata or {}).get(META_KEY)
    m = json.loads(raw) if raw else {}
    m.pop("provenance", None)
    return m


def diff(a: dict, b: dict, prefix="") -> tuple[list, list, list]:
    """Dotted keys removed, changed and added from metadata a to b."""
    removed, changed, added = [], [], []
    for key in a.keys() | b.keys():
        path = prefix + key
        if key not in b:
            removed.append(path)
        elif key not in a:
            added.append(path)
        elif isinstance(a[key], dict) and isinstance(b[key], dict):
            r, c, d = diff(a[key], b[key], path + ".")
            removed, changed, added = removed + r, changed + c, added + d
        elif a[key] != b[key]:
            changed.append(path)
    return sorted(removed), sorted(changed), sorted(added)


def compare(old: Path, new: Path) -> tuple[bool, str]:
    a, b = pq.read_table(old), pq.read_table(new)
    a, b = (t.drop_columns([c for c in TIMING if c in t.column_names]) for t in (a, b))
    added = [c for c in b.column_names if c not in a.column_names]
    b_common = b.select([c for c in b.column_names if c in a.column_names])
    notes = [f"added columns {added}"] if added else []
    if a.column_names != b_common.column_names:
        return False, f"columns differ: {a.column_names} vs {b_common.column_names}"
    if not a.cast(a.schema.remove_metadata()).equals(b_common.cast(b_common.schema.remove_metadata())):
        bad = [c for c in a.column_names if not a[c].equals(b_common[c])]
        return False, f"values differ in {bad}"
    removed, changed, added = diff(meta(a), meta(b))
    if changed or set(removed) - ALLOWED_REMOVALS:
        return False, f"metadata differs in {changed + removed}"
    notes += [f"added metadata {added}"] * bool(added) + [f"removed metadata {removed}"] * bool(removed)
    return True, "; ".join(notes) or "identical"


def main(old_root: str, new_root: str) -> int:
    old, new = tables(Path(old_root)), tables(Path(new_root))
    failures = 0
    for name in sorted(old.keys() | new.keys()):
        if name not in old or name not in new:
            print(f"ONLY IN {'NEW' if name in new else 'OLD'}  {name}")
            failures += name not in new
            continue
        ok, why = compare(old[name], new[name])
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {why}")
    print(f"{len(old.keys() & new.keys())} tables compared, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
