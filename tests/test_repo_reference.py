"""The API reference covers every public name, and every public name says what it does.

Public names are those in the ``__all__`` of the four packages and of
their public modules (``lwt.core.stream``, ``lwt.io.process``...).  Each
must appear in the built site's inventory (``objects.inv``), under its own
name or, for an alias such as ``lwt.io.read_line``, under the name of what
it stands for.  Each class and function, and each public method of a class,
must have a docstring of its own.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sphinx.util.inventory import InventoryFile

pytestmark = pytest.mark.slow

PACKAGES = ["lwt.core", "lwt.unix", "lwt.io", "lwt.ppx"]


def public_modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                yield importlib.import_module(f"{name}.{info.name}")


def public_names() -> Iterator[tuple[str, object]]:
    for module in public_modules():
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{module.__name__} has no __all__"
        for name in exported:
            yield f"{module.__name__}.{name}", getattr(module, name)


def canonical(obj: object) -> str | None:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return f"{module}.{qualname}"
    return None


@pytest.fixture(scope="module")
def documented(docs_site: Path) -> set[str]:
    with (docs_site / "objects.inv").open("rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    names: set[str] = set()
    for role, entries in inventory.items():
        if role.startswith("py:"):
            names.update(entries)
    return names


def test_every_public_name_is_in_the_reference(documented: set[str]) -> None:
    missing = [
        full
        for full, obj in public_names()
        if full not in documented and canonical(obj) not in documented
    ]
    assert missing == [], f"public names missing from docs/reference: {missing}"


def own_doc(obj: object) -> bool:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    return bool(doc and doc.strip())


def test_every_public_class_and_function_has_a_docstring() -> None:
    undocumented: list[str] = []
    for full, obj in public_names():
        if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismethod(obj)):
            continue  # constants and type aliases are described in the reference pages
        if not own_doc(obj):
            undocumented.append(full)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = member.fget if isinstance(member, property) else member
                if isinstance(target, (staticmethod, classmethod)):
                    target = target.__func__
                if inspect.isfunction(target) and not own_doc(target):
                    undocumented.append(f"{full}.{attr}")
    assert undocumented == [], f"public names without a docstring: {sorted(set(undocumented))}"
