"""Fixtures for the cross-package tests: the checkout and its built wheels.

These tests look at the repository as a whole: how the five distributions
are built and installed, the tools that guard style and types, the docs.
They run the tools of the current environment (``sys.executable -m ...``),
which ``python3 dev.py test`` has filled from ``requirements-dev.txt``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Every distribution in packages/, and the sub-package of ``lwt`` it ships.
DISTRIBUTIONS: dict[str, str | None] = {
    "lwt-core": "core",
    "lwt-unix": "unix",
    "lwt-io": "io",
    "lwt-ppx": "ppx",
    "lwt-all": None,
}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the checkout under test."""
    return ROOT


@pytest.fixture(scope="session")
def distributions() -> dict[str, str | None]:
    """Distribution name -> the ``lwt`` sub-package it ships (``None``: none)."""
    return dict(DISTRIBUTIONS)


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the five wheels from the checkout with hatchling, once per run.

    The build uses the hatchling installed in the current environment
    (``--no-build-isolation``) and no index, so it needs no network and
    tests exactly the sources of the checkout.
    """
    out = tmp_path_factory.mktemp("wheels")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--wheel-dir",
        str(out),
        *(str(ROOT / "packages" / name) for name in DISTRIBUTIONS),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"building the wheels failed:\n{result.stdout}{result.stderr}"
    built: dict[str, Path] = {}
    for wheel in out.glob("*.whl"):
        distribution = wheel.name.split("-")[0].replace("_", "-")
        built[distribution] = wheel
    assert sorted(built) == sorted(DISTRIBUTIONS), f"unexpected wheels: {sorted(built)}"
    return built


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the Sphinx site once per run, offline, warnings as errors.

    ``docs/conf.py`` is nitpicky, so ``-W`` also fails on any reference that
    does not resolve; the live intersphinx inventory is never used here.
    """
    out = tmp_path_factory.mktemp("docs") / "html"
    env = {k: v for k, v in os.environ.items() if k != "LWT_DOCS_INTERSPHINX"}
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-E",
        "-q",
        "-b",
        "html",
        "-d",
        str(out.parent / "doctrees"),
        str(ROOT / "docs"),
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}{result.stderr}"
    return out
