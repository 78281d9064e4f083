"""The default async exception hook: print the exception and exit with status 2."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import lwt.core as lwt

PROGRAM = textwrap.dedent(
    """
    import lwt.core as lwt

    p, r = lwt.wait()
    lwt.on_success(p, lambda v: 1 / v)
    lwt.wakeup(r, 0)
    print("not reached")
    """
)


def test_default_hook_prints_the_exception_and_exits_with_status_2() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
    )
    assert done.returncode == 2
    assert "ZeroDivisionError" in done.stderr
    assert "not reached" not in done.stdout


def test_set_async_exception_hook_returns_the_previous_hook() -> None:
    seen: list[BaseException] = []
    hook = seen.append
    first = lwt.set_async_exception_hook(hook)
    try:
        assert lwt.set_async_exception_hook(first) is hook
    finally:
        lwt.set_async_exception_hook(first)


def _env() -> dict[str, str]:
    # The child must import the same lwt.core as this test, installed or not.
    src = os.path.dirname(os.path.dirname(os.path.dirname(lwt.__file__ or "")))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    return env
