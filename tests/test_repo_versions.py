"""The five distributions move in lockstep and pin each other exactly.

The dependency graph is the one of the API contract: lwt-unix on lwt-core,
lwt-io on lwt-core and lwt-unix, lwt-ppx on lwt-core, lwt-all on the four,
lwt-core on nothing; every such dependency is ``==`` the common version.
"""

from __future__ import annotations

import email.parser
import importlib.metadata
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

EXPECTED_DEPENDENCIES = {
    "lwt-core": set(),
    "lwt-unix": {"lwt-core"},
    "lwt-io": {"lwt-core", "lwt-unix"},
    "lwt-ppx": {"lwt-core"},
    "lwt-all": {"lwt-core", "lwt-unix", "lwt-io", "lwt-ppx"},
}


def _project(repo_root: Path, distribution: str) -> dict[str, Any]:
    with (repo_root / "packages" / distribution / "pyproject.toml").open("rb") as f:
        project: dict[str, Any] = tomllib.load(f)["project"]
    return project


def _common_version(repo_root: Path) -> str:
    return str(_project(repo_root, "lwt-core")["version"])


def test_packages_directory_holds_exactly_the_five_distributions(repo_root: Path) -> None:
    found = sorted(p.parent.name for p in repo_root.glob("packages/*/pyproject.toml"))
    assert found == sorted(EXPECTED_DEPENDENCIES)


def test_every_distribution_has_the_same_version(repo_root: Path) -> None:
    versions = {d: _project(repo_root, d)["version"] for d in EXPECTED_DEPENDENCIES}
    assert len(set(versions.values())) == 1, versions
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?", _common_version(repo_root))


@pytest.mark.parametrize("distribution", sorted(EXPECTED_DEPENDENCIES))
def test_dependencies_are_exactly_the_siblings_pinned_to_the_common_version(
    distribution: str, repo_root: Path
) -> None:
    version = _common_version(repo_root)
    dependencies = _project(repo_root, distribution).get("dependencies", [])
    assert sorted(dependencies) == sorted(
        f"{sibling}=={version}" for sibling in EXPECTED_DEPENDENCIES[distribution]
    )


@pytest.mark.parametrize("distribution", sorted(EXPECTED_DEPENDENCIES))
def test_metadata_is_complete(distribution: str, repo_root: Path) -> None:
    project = _project(repo_root, distribution)
    assert project["name"] == distribution
    assert project["license"] == "LGPL-2.1-or-later"
    assert project["requires-python"] == ">=3.10"
    assert project["readme"] == "README.md"
    assert project["description"]
    assert project["urls"]["Homepage"] == "https://github.com/lwt-python/lwt"
    classifiers = project["classifiers"]
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert (repo_root / "packages" / distribution / "README.md").is_file()


def test_the_changelog_has_an_entry_for_the_common_version(repo_root: Path) -> None:
    changes = (repo_root / "CHANGES.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(_common_version(repo_root))}\b", changes, re.MULTILINE)


@pytest.mark.parametrize("distribution", ["lwt-core", "lwt-unix", "lwt-io", "lwt-ppx"])
def test_installed_distributions_match_the_checkout(distribution: str, repo_root: Path) -> None:
    """An out-of-date install would test old metadata: reinstall if this fails."""
    assert importlib.metadata.version(distribution) == _common_version(repo_root)


@pytest.mark.slow
def test_built_wheels_carry_the_version_and_pins(wheels: dict[str, Path], repo_root: Path) -> None:
    version = _common_version(repo_root)
    for distribution, wheel in wheels.items():
        assert wheel.name.startswith(f"{distribution.replace('-', '_')}-{version}-py3-none-any")
        with zipfile.ZipFile(wheel) as archive:
            (metadata_name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
        assert metadata["Name"] == distribution
        assert metadata["Version"] == version
        assert metadata["License-Expression"] == "LGPL-2.1-or-later"
        assert metadata["Requires-Python"] == ">=3.10"
        requires = metadata.get_all("Requires-Dist") or []
        # Extras (lwt-unix[pytest]) are optional: the plain dependencies are
        # exactly the siblings, and a sibling named in an extra is pinned too.
        plain = [r for r in requires if "extra ==" not in r]
        assert sorted(plain) == sorted(
            f"{sibling}=={version}" for sibling in EXPECTED_DEPENDENCIES[distribution]
        )
        for r in requires:
            if "extra ==" in r and r.startswith("lwt-"):
                assert r.split(";")[0].strip().endswith(f"=={version}"), r
