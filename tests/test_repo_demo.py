"""``python3 dev.py demo`` runs docs/examples/demo.py, which checks first.

Until the packages it uses are implemented, the demo must say which ones are
missing and exit non-zero; once they are, it must run to the end.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def demo(repo_root: Path) -> types.ModuleType:
    path = repo_root / "docs" / "examples" / "demo.py"
    spec = importlib.util.spec_from_file_location("lwt_docs_demo", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_names_reports_absent_modules_and_attributes(demo: types.ModuleType) -> None:
    needs = {
        "lwt.core": ["__doc__", "no_such_function"],
        "lwt.no_such_package": ["anything"],
        "lwt.core.no_such_module": ["x"],
    }
    assert demo.missing_names(needs) == [
        "lwt.core.no_such_function",
        "lwt.no_such_package",
        "lwt.core.no_such_module",
    ]


def test_missing_names_is_empty_when_everything_is_there(demo: types.ModuleType) -> None:
    assert demo.missing_names({"lwt.core": ["__name__"], "sys": ["path"]}) == []


def test_packages_of_groups_names_by_lwt_package(demo: types.ModuleType) -> None:
    names = ["lwt.unix.sleep", "lwt.unix.main", "lwt.io.stdout", "lwt.unix.timeout"]
    assert demo.packages_of(names) == ["lwt.unix", "lwt.io"]


def test_demo_runs_or_names_what_it_still_needs(demo: types.ModuleType, repo_root: Path) -> None:
    missing = demo.missing_names(demo.NEEDS)
    result = subprocess.run(
        [sys.executable, str(repo_root / "docs" / "examples" / "demo.py")],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if missing:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "not implemented yet" in result.stderr
        for package in demo.packages_of(missing):
            assert package in result.stderr.splitlines()[0]
        for name in missing:
            if name in demo.NEEDS:  # a whole module
                assert re.search(rf"^\s*{re.escape(name)}:", result.stderr, re.MULTILINE)
            else:
                module, _, attribute = name.rpartition(".")
                line = rf"^\s*{re.escape(module)}:.*\b{re.escape(attribute)}\b"
                assert re.search(line, result.stderr, re.MULTILINE), name
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "winner" in result.stdout
        assert "status line: HTTP/1.0 200 OK" in result.stdout
        assert re.search(r"^body length: [1-9][0-9]*$", result.stdout, re.MULTILINE)
        assert "Timeout" not in result.stdout
