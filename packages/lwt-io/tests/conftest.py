"""Fixtures shared by the lwt-io tests."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator

import pytest

import lwt.core
import lwt.unix.engine as engine

ENGINES: dict[str, Callable[[], engine.Engine]] = {
    "default": engine.SelectorEngine,
    "select": engine.SelectEngine,
    "poll": engine.PollEngine,
}


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


def _fresh(make: Callable[[], engine.Engine]) -> engine.Engine:
    new = make()
    engine.set(new, transfer=False, destroy=True)
    return new


def _assert_nothing_registered(e: engine.Engine) -> None:
    counts = (e.readable_count(), e.writable_count(), e.timer_count())
    assert counts == (0, 0, 0), (
        f"the test left events registered with the engine (readable, writable, timers): {counts}"
    )


@pytest.fixture(autouse=True)
def fresh_engine() -> Iterator[engine.Engine]:
    """Give each test a fresh default engine; fail it if it leaves events registered."""
    yield _fresh(engine.SelectorEngine)
    _assert_nothing_registered(engine.get())


@pytest.fixture(params=sorted(ENGINES))
def any_engine(request: pytest.FixtureRequest, fresh_engine: engine.Engine) -> engine.Engine:
    """Run the test once on each engine (default, select, poll), made current."""
    return _fresh(ENGINES[request.param])
