"""Fixtures shared by the lwt-ppx tests."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

import lwt.core
import lwt.ppx


@pytest.fixture(autouse=True)
def async_exceptions(request: pytest.FixtureRequest) -> Iterator[list[BaseException]]:
    """Collect what reaches lwt's async exception hook; fail tests that did not expect it."""
    seen: list[BaseException] = []
    previous = lwt.core.set_async_exception_hook(seen.append)
    debug = lwt.ppx.get_debug()
    try:
        yield seen
    finally:
        lwt.core.set_async_exception_hook(previous)
        lwt.ppx.set_debug(debug)
        lwt.core.abandon_paused()
    function = getattr(request.node, "function", None)
    asked = function is not None and "async_exceptions" in inspect.signature(function).parameters
    if not asked:
        assert not seen, f"unexpected exceptions reached the async exception hook: {seen!r}"
