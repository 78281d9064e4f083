"""The ``lwt.io`` package: importable, documented, typed, and its exports sound.

These checks hold whatever ``__all__`` lists, so they keep passing as the
package grows; what they demand of each new export is that it exists and,
if it is a class, a function or a module, that it says what it is for.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.resources
import inspect
import types

PACKAGE = "lwt.io"


def _package() -> types.ModuleType:
    return importlib.import_module(PACKAGE)


def _exports() -> list[str]:
    exported = _package().__all__
    assert isinstance(exported, list)
    return exported


def _own_docstring(obj: object) -> str:
    """Return what ``obj`` says about itself, ignoring generated text."""
    doc = obj.__doc__ if inspect.isclass(obj) else inspect.getdoc(obj)
    if not isinstance(doc, str):
        return ""
    generated = (
        inspect.isclass(obj)
        and dataclasses.is_dataclass(obj)
        and doc.startswith(obj.__name__ + "(")
    )
    if generated:
        return ""  # the signature that @dataclass writes for a class without a docstring
    return doc.strip()


def test_package_is_a_sub_package_of_the_lwt_namespace() -> None:
    import lwt

    package = _package()
    assert package.__name__ == PACKAGE
    assert package.__file__ is not None
    assert package.__file__.endswith("__init__.py")
    assert getattr(lwt, "__file__", None) is None, "lwt must stay a PEP 420 namespace"


def test_package_has_a_module_docstring() -> None:
    assert (_package().__doc__ or "").strip()


def test_package_ships_py_typed() -> None:
    assert importlib.resources.files(PACKAGE).joinpath("py.typed").is_file()


def test_all_is_a_list_of_distinct_public_names() -> None:
    exported = _exports()
    assert all(isinstance(name, str) and name.isidentifier() for name in exported)
    assert len(set(exported)) == len(exported), "a name is listed twice"
    assert not [name for name in exported if name.startswith("_")], "a private name is exported"


def test_every_name_in_all_exists() -> None:
    package = _package()
    assert [name for name in _exports() if not hasattr(package, name)] == []


def test_every_exported_class_function_and_module_has_a_docstring() -> None:
    package = _package()
    needs_docstring = [
        name
        for name in _exports()
        if inspect.isclass(obj := getattr(package, name))
        or inspect.isroutine(obj)
        or inspect.ismodule(obj)
    ]
    undocumented = [name for name in needs_docstring if not _own_docstring(getattr(package, name))]
    assert undocumented == []
