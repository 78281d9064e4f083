"""The Sphinx site builds without a single warning, offline.

``docs/conf.py`` is nitpicky, so ``-W`` also fails on any reference that does
not resolve; intersphinx stays off unless ``LWT_DOCS_INTERSPHINX=1``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
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
        str(repo_root / "docs"),
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}{result.stderr}"
    return out


def test_site_has_the_front_page_and_installation(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "installation.html").is_file()


@pytest.mark.parametrize("sub", ["core", "unix", "io", "ppx"])
def test_reference_page_documents_the_package(sub: str, site: Path) -> None:
    page = (site / "reference" / f"{sub}.html").read_text(encoding="utf-8")
    assert f'id="module-lwt.{sub}"' in page, "automodule did not document the package"
