"""Style and types are part of the test run, not a separate chore.

Each check runs one tool of the current environment from the root of the
checkout with the root ``pyproject.toml``; a failure shows the tool's output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKS = {
    "ruff-check": ["ruff", "check", "--no-fix", "."],
    "ruff-format": ["ruff", "format", "--check", "."],
    # The four packages, as configured in pyproject.toml ([tool.mypy] packages).
    "mypy-packages": ["mypy"],
    # The bootstrap script and the cross-package tests are code too.
    "mypy-tooling": ["mypy", "dev.py", "tests"],
    # The example programs are read by users: they are held to the same bar.
    "mypy-examples": ["mypy", "docs/examples", "docs/_tools"],
    # The benchmark suite, with or without its optional peers installed.
    "mypy-benchmarks": ["mypy", "benchmarks"],
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_tool_passes(check: str, repo_root: Path) -> None:
    command = [sys.executable, "-m", *CHECKS[check]]
    result = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (
        f"`{' '.join(CHECKS[check])}` exited with {result.returncode}:\n"
        f"{result.stdout}{result.stderr}"
    )
