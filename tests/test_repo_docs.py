"""The Sphinx site builds without a single warning, offline.

``docs/conf.py`` is nitpicky, so ``-W`` also fails on any reference that does
not resolve; intersphinx stays off unless ``LWT_DOCS_INTERSPHINX=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(docs_site: Path) -> Path:
    return docs_site


def test_site_has_the_front_page_and_installation(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "installation.html").is_file()


@pytest.mark.parametrize("sub", ["core", "unix", "io", "ppx"])
def test_reference_page_documents_the_package(sub: str, site: Path) -> None:
    page = (site / "reference" / f"{sub}.html").read_text(encoding="utf-8")
    assert f'id="module-lwt.{sub}"' in page, "automodule did not document the package"
