"""Every program in docs/examples/ runs to the end and prints what it should.

Each one is run as a user would (``python docs/examples/<name>.py``), in
a child process with the packages of the current environment; its output
is compared line by line.  The seed program, demo.py, has its own tests
(test_repo_demo.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXPECTED = {
    "echo.py": [
        "ada: 2 lines echoed, ok",
        "bob: 3 lines echoed, ok",
        "cy: 1 lines echoed, ok",
    ],
    "chat.py": [
        "ada sees '* bob joined'",
        "bob sees 'ada: hi bob'",
        "ada sees 'bob: hi ada, bye'",
        "bob sees '* ada left'",
    ],
    "crawler.py": [
        "found 10 pages:",
        *(
            f"  {page}"
            for page in [
                "/",
                "/about",
                "/blog",
                "/blog/1",
                "/blog/2",
                "/blog/3",
                "/shop",
                "/shop/cart",
                "/shop/items",
                "/team",
            ]
        ),
        "at most 3 fetches at once (limit 3)",
    ],
    "pipeline.py": [
        "APPLE  2",
        "FIG    2",
        "KIWI   1",
        "PEAR   3",
        "statuses: WEXITED(code=0), WEXITED(code=0)",
    ],
    "timeout.py": [
        "1. pick with a timeout: Timeout | cleanup of report: cancelled",
        "2. with_timeout, in time: value 'fast' | cleanup of fast: done",
        "   with_timeout, too slow: Timeout | cleanup of late: cancelled",
        "3. cancel a chain: value 'recovered from Canceled' | the sleep: rejected with Canceled",
        "4. cancel a protected view: Canceled | the work: value 'protected work'",
        "    cleanup of protected work: done",
    ],
}


def test_every_example_is_checked(repo_root: Path) -> None:
    present = {p.name for p in (repo_root / "docs" / "examples").glob("*.py")}
    assert present - {"demo.py"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_what_it_should(name: str, repo_root: Path) -> None:
    path = repo_root / "docs" / "examples" / name
    result = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=repo_root,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}{result.stderr}"
    assert result.stderr == ""
    assert result.stdout.splitlines() == EXPECTED[name]
