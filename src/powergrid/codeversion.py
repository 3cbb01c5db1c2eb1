"""Code versions of jobs, from the import closure of their entry points.

Snakemake does not track the Python modules a job imports. A job therefore passes, as a param,
a hash of the source of every ``powergrid`` module it can execute: the modules its entry points
import, transitively, and the ``__init__`` of every package on the way (Python runs those on
import). An edit of any of them changes the hash and reruns the job; a module the job never
imports cannot rerun it; a ``touch`` without a change reruns nothing.

The imports are read statically (``ast``), so computing a version runs no project code and is
fast enough for every planning of the workflow. Imports inside functions count as well: a module
that a job may import lazily is part of what it runs.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

PACKAGE = "powergrid"
ROOT = Path(__file__).resolve().parent  # src/powergrid


def module_path(module: str, root: Path = ROOT) -> Path:
    """The source file of a dotted module name of the package (a package's ``__init__.py``)."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        raise ValueError(f"{module!r} is not a module of {PACKAGE}")
    base = root.joinpath(*parts[1:])
    if base.is_dir():
        return base / "__init__.py"
    path = base.with_suffix(".py")
    if not path.exists():
        raise ValueError(f"no module {module!r} (looked for {path})")
    return path


def _exists(module: str, root: Path) -> bool:
    try:
        module_path(module, root)
        return True
    except ValueError:
        return False


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def direct_imports(path: Path, module: str | None, root: Path = ROOT) -> set[str]:
    """The package modules one source file imports (``module`` is its dotted name, None for a
    file outside the package, such as a workflow script)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if module is None:
                    continue
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from pkg import name`: name is a submodule, or an attribute of pkg
            names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == PACKAGE and _exists(name, root):
                found.add(name)
    return found


@cache
def _closure(entries: tuple[str, ...], root: Path) -> frozenset[str]:
    todo, seen = [], set()
    for entry in entries:
        if entry.endswith(".py"):  # a script outside the package
            todo.extend(direct_imports(Path(entry), None, root))
        else:
            todo.append(entry)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(_parents(module))
        todo.extend(direct_imports(module_path(module, root), module, root))
    return frozenset(seen)


def import_closure(*entries: str, root: Path = ROOT) -> set[str]:
    """Every package module that importing the entries executes. An entry is a dotted module
    name (``powergrid.methods.sde``) or the path of a script that imports the package."""
    return set(_closure(tuple(str(e) for e in entries), Path(root)))


def code_version(*entries: str, root: Path = ROOT) -> str:
    """A 16-hex-digit hash of the source of the entries' import closure."""
    digest = hashlib.sha256()
    for module in sorted(import_closure(*entries, root=root)):
        digest.update(module.encode() + b"\0" + module_path(module, root).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
