"""docs/porting.csv, the table from OCaml Lwt to lwt, cannot drift from the packages.

Every Python name in the table must resolve; a row without one must say
why; and every public name of the four packages must be in the table,
unless it is listed below as something OCaml Lwt does not have.
"""

from __future__ import annotations

import csv
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow

PACKAGES = ["lwt.core", "lwt.unix", "lwt.io", "lwt.ppx"]

# Public names with no OCaml counterpart, so no row in the table.
PYTHON_ONLY = {
    "lwt.core.MAXIMUM_DEPTH",  # Lwt's bound is internal
    "lwt.core.stream.of_bytes",  # bytes twins of of_string/to_string
    "lwt.core.stream.to_bytes",
    "lwt.io.read_exactly",  # the bytes-returning twin of read_into_exactly
    "lwt.unix.engine.AsyncioEngine",  # running on asyncio's loop
    "lwt.unix.interop.of_awaitable",  # the bridges to asyncio
    "lwt.unix.interop.of_future",
    "lwt.unix.interop.to_future",
    "lwt.unix.testing.VirtualClock",  # virtual time for tests
    "lwt.unix.testing.VirtualTimeEngine",
    "lwt.unix.testing.virtual_time",
}
# The pytest plugin is a pytest entry point: its hooks and fixtures.
PYTHON_ONLY_MODULES = {"lwt.unix.pytest_plugin"}


def rows(repo_root: Path) -> list[dict[str, str]]:
    with (repo_root / "docs" / "porting.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted``, then get the rest as attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def public_modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                yield importlib.import_module(f"{name}.{info.name}")


def test_table_has_its_columns_and_one_row_per_ocaml_name(repo_root: Path) -> None:
    table = rows(repo_root)
    assert table, "docs/porting.csv is empty"
    assert list(table[0]) == ["ocaml", "python", "note"]
    names = [r["ocaml"] for r in table]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == []
    assert len(table) > 700  # every val of the interface files, and the types


def test_every_python_name_resolves(repo_root: Path) -> None:
    broken = []
    for r in rows(repo_root):
        if r["python"]:
            try:
                resolve(r["python"])
            except (ImportError, AttributeError):
                broken.append(f"{r['ocaml']} -> {r['python']}")
    assert broken == [], f"names in docs/porting.csv that do not exist: {broken}"


def test_a_row_without_a_python_name_says_why(repo_root: Path) -> None:
    silent = [r["ocaml"] for r in rows(repo_root) if not r["python"] and not r["note"].strip()]
    assert silent == []


def test_every_public_name_is_in_the_table(repo_root: Path) -> None:
    table = rows(repo_root)
    listed = {r["python"] for r in table if r["python"]}
    # An alias (lwt.io.read_line is InputChannel.read_line) counts as listed.
    listed_objects = {id(resolve(name)) for name in listed}
    missing = []
    for module in public_modules():
        if module.__name__ in PYTHON_ONLY_MODULES:
            continue
        for name in module.__all__:
            full = f"{module.__name__}.{name}"
            obj = getattr(module, name)
            if full in listed or full in PYTHON_ONLY:
                continue
            if not isinstance(obj, (int, str, bool)) and id(obj) in listed_objects:
                continue
            missing.append(full)
    assert missing == [], f"public names missing from docs/porting.csv: {missing}"
