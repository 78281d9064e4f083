"""The layout rules of CONTRIBUTING.md, checked so they cannot drift.

Every distribution has its README, licence and typed sub-package; test files
have names unique across the repository and no ``__init__.py`` beside them
(pytest runs with ``--import-mode=importlib``); the CI script is exactly the
README's test command.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("sub", ["core", "unix", "io", "ppx"])
def test_each_code_distribution_has_its_typed_sub_package(sub: str, repo_root: Path) -> None:
    package = repo_root / "packages" / f"lwt-{sub}"
    assert (package / "src" / "lwt" / sub / "__init__.py").is_file()
    assert (package / "src" / "lwt" / sub / "py.typed").is_file()
    assert (package / "tests" / f"test_{sub}_package.py").is_file()
    assert sorted(p.name for p in (package / "src").iterdir()) == ["lwt"]
    assert sorted(p.name for p in (package / "src" / "lwt").iterdir()) == [sub]


def test_every_distribution_carries_the_licence(
    repo_root: Path, distributions: dict[str, str | None]
) -> None:
    licence = (repo_root / "COPYING").read_bytes()
    assert b"GNU LESSER GENERAL PUBLIC LICENSE" in licence
    for distribution in distributions:
        assert (repo_root / "packages" / distribution / "COPYING").read_bytes() == licence


def _test_directories(repo_root: Path) -> list[Path]:
    return [repo_root / "tests", *sorted(repo_root.glob("packages/*/tests"))]


def test_test_directories_are_not_packages(repo_root: Path) -> None:
    assert [d for d in _test_directories(repo_root) if (d / "__init__.py").exists()] == []


def test_test_file_names_are_unique_across_the_repository(repo_root: Path) -> None:
    names = collections.Counter(
        path.name for d in _test_directories(repo_root) for path in d.rglob("test_*.py")
    )
    assert [name for name, count in names.items() if count > 1] == []


def test_package_test_files_carry_their_package_prefix(repo_root: Path) -> None:
    wrong = [
        path.relative_to(repo_root).as_posix()
        for package in repo_root.glob("packages/lwt-*/tests")
        for path in package.rglob("test_*.py")
        if not path.name.startswith(f"test_{package.parent.name.removeprefix('lwt-')}_")
    ]
    assert wrong == []


def test_ci_runs_exactly_the_readme_test_command(repo_root: Path) -> None:
    script = repo_root / ".ci" / "run"
    if os.name != "nt":
        assert os.access(script, os.X_OK)
    lines = [line.strip() for line in script.read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands[0] == "set -euo pipefail"
    assert commands[-1] == "exec python3 dev.py test"
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert "python3 dev.py test" in readme
    assert "python3 dev.py demo" in readme
