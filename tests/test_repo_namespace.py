"""``lwt`` is one PEP 420 namespace shared by four distributions.

A stray ``lwt/__init__.py`` in any of them would make ``lwt`` a regular
package and hide the sub-packages of the others (hatchling would ship it
without a word), so it is looked for in the sources, in the environment and
in every built wheel.  Each wheel must also hold its own sub-package and
nothing else, and the meta-distribution ``lwt-all`` no module at all.
"""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _modules_in(wheel: Path) -> list[str]:
    """The paths in ``wheel`` outside its ``.dist-info`` directory."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return sorted(name for name in names if not name.split("/", 1)[0].endswith(".dist-info"))


def test_lwt_is_a_namespace_package() -> None:
    lwt = importlib.import_module("lwt")
    assert getattr(lwt, "__file__", None) is None
    assert lwt.__spec__ is not None
    assert lwt.__spec__.origin in (None, "namespace")
    assert lwt.__spec__.submodule_search_locations is not None


def test_every_sub_package_imports_into_the_one_namespace(
    distributions: dict[str, str | None],
) -> None:
    lwt = importlib.import_module("lwt")
    for sub in filter(None, distributions.values()):
        module = importlib.import_module(f"lwt.{sub}")
        assert getattr(lwt, sub) is module


def test_no_directory_of_the_namespace_has_an_init_file() -> None:
    lwt = importlib.import_module("lwt")
    assert [p for p in lwt.__path__ if (Path(p) / "__init__.py").exists()] == []


def test_no_source_tree_has_lwt_init(repo_root: Path) -> None:
    assert list(repo_root.glob("packages/*/src/lwt/__init__.py")) == []
    assert list(repo_root.glob("packages/*/src/*/__init__.py")) == []


def test_no_wheel_ships_lwt_init(wheels: dict[str, Path]) -> None:
    offenders = {
        name: wheel.name
        for name, wheel in wheels.items()
        if "lwt/__init__.py" in _modules_in(wheel)
    }
    assert offenders == {}


@pytest.mark.parametrize("distribution", ["lwt-core", "lwt-unix", "lwt-io", "lwt-ppx"])
def test_each_wheel_holds_only_its_own_sub_package(
    distribution: str, wheels: dict[str, Path], distributions: dict[str, str | None]
) -> None:
    sub = distributions[distribution]
    files = _modules_in(wheels[distribution])
    assert [f for f in files if not f.startswith(f"lwt/{sub}/")] == []
    assert f"lwt/{sub}/__init__.py" in files
    assert f"lwt/{sub}/py.typed" in files


def test_each_wheel_ships_every_module_of_its_source_tree(
    wheels: dict[str, Path], distributions: dict[str, str | None], repo_root: Path
) -> None:
    for distribution, sub in distributions.items():
        if sub is None:
            continue
        src = repo_root / "packages" / distribution / "src"
        expected = sorted(
            path.relative_to(src).as_posix() for path in (src / "lwt" / sub).rglob("*.py")
        )
        shipped = [f for f in _modules_in(wheels[distribution]) if f.endswith(".py")]
        assert shipped == expected, distribution


def test_the_meta_distribution_ships_no_module(wheels: dict[str, Path]) -> None:
    assert _modules_in(wheels["lwt-all"]) == []


def test_every_wheel_carries_the_licence_text(wheels: dict[str, Path], repo_root: Path) -> None:
    licence = (repo_root / "COPYING").read_bytes()
    for distribution, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            found = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/COPYING")]
            assert len(found) == 1, distribution
            assert archive.read(found[0]) == licence, distribution
