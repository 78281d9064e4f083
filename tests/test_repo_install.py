"""Installed from its wheel alone, each distribution brings exactly its part.

A fresh virtual environment (no pip of its own: the current pip installs
into it with ``--python``) receives the wheels one at a time, from the
directory the ``wheels`` fixture built, with no index.  Imports run in
isolated mode from an empty directory, so the checkout cannot leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


class Environment:
    """A throwaway virtual environment."""

    def __init__(self, path: Path) -> None:
        venv.EnvBuilder(with_pip=False).create(path)
        self.path = path
        bin_dir = "Scripts" if os.name == "nt" else "bin"
        self.python = path / bin_dir / ("python.exe" if os.name == "nt" else "python")

    def install(self, wheel: Path) -> None:
        command = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(self.python),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"installing {wheel.name} failed:\n{result.stderr}"

    def run(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), "-I", "-c", code],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
        )

    def imports(self, module: str) -> bool:
        return self.run(f"import {module}").returncode == 0


@pytest.fixture
def env(tmp_path: Path) -> Environment:
    return Environment(tmp_path / "venv")


def test_lwt_core_alone_installs_lwt_core_and_nothing_else(
    env: Environment, wheels: dict[str, Path]
) -> None:
    assert not env.imports("lwt")
    env.install(wheels["lwt-core"])
    where = env.run("import lwt.core; print(lwt.core.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(env.path)
    missing = env.run("import lwt.unix")
    assert missing.returncode != 0
    assert "No module named 'lwt.unix'" in missing.stderr
    assert not env.imports("lwt.io")
    assert not env.imports("lwt.ppx")


def test_wheels_installed_side_by_side_share_one_namespace(
    env: Environment, wheels: dict[str, Path]
) -> None:
    for distribution in ("lwt-core", "lwt-unix", "lwt-io", "lwt-ppx"):
        env.install(wheels[distribution])
    check = env.run(
        "import lwt, lwt.core, lwt.unix, lwt.io, lwt.ppx\n"
        "assert getattr(lwt, '__file__', None) is None, lwt.__file__\n"
        "assert len(list(lwt.__path__)) == 1, list(lwt.__path__)\n"
        "print(list(lwt.__path__)[0])\n"
    )
    assert check.returncode == 0, check.stderr
    namespace_dir = Path(check.stdout.strip())
    assert not (namespace_dir / "__init__.py").exists()
    assert sorted(p.name for p in namespace_dir.iterdir()) == ["core", "io", "ppx", "unix"]


def test_meta_distribution_installs_metadata_that_requires_the_four(
    env: Environment, wheels: dict[str, Path]
) -> None:
    env.install(wheels["lwt-all"])
    requires = env.run(
        "import importlib.metadata as m; print('\\n'.join(m.requires('lwt-all') or []))"
    )
    assert requires.returncode == 0, requires.stderr
    names = sorted(line.split("==")[0] for line in requires.stdout.split())
    assert names == ["lwt-core", "lwt-io", "lwt-ppx", "lwt-unix"]
    assert not env.imports("lwt")
