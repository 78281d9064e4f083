"""Fixtures shared by the lwt-core tests."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

import lwt.core


@pytest.fixture(autouse=True)
def async_exceptions(request: pytest.FixtureRequest) -> Iterator[list[BaseException]]:
    """Collect what reaches the async exception hook instead of exiting.

    Every test gets it.  A test that expects the hook to be called takes the
    fixture as an argument and inspects the list; in any other test, an
    exception reaching the hook fails the test, so none is lost silently.
    """
    seen: list[BaseException] = []
    previous = lwt.core.set_async_exception_hook(seen.append)
    try:
        yield seen
    finally:
        lwt.core.set_async_exception_hook(previous)
        lwt.core.abandon_paused()
    test_function = getattr(request.node, "function", None)
    asked = (
        test_function is not None
        and "async_exceptions" in inspect.signature(test_function).parameters
    )
    if not asked:
        assert not seen, f"unexpected exceptions reached the async exception hook: {seen!r}"
