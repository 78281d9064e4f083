"""lwt.unix.pytest_plugin: run ``async def`` tests and fixtures on lwt's main loop.

Installed with lwt-unix and loaded by pytest through its ``pytest11`` entry
point (named ``lwt``; disable it with ``-p no:lwt``).  It only acts on the
tests it claims; every other test runs exactly as without it.

Claimed tests
    A test marked ``@pytest.mark.lwt`` is claimed.  With the ini option
    ``lwt_mode = auto`` (default ``strict``), so is every ``async def`` test
    that no other plugin claims: not marked ``asyncio``, ``anyio`` or
    ``trio``, not using ``anyio_backend``, not a :mod:`unittest` method.

    A test that another plugin claims too (also marked ``asyncio``,
    ``anyio`` or ``trio``, as pytest-asyncio's auto mode marks every
    ``async def`` test) errors at set-up: use such plugins in their strict
    mode next to this one.

What a claimed test gets
    A fresh engine, current from before its ``async def`` fixtures run
    until after they are torn down (the ``lwt_engine`` fixture); events
    registered with the engine before the test move to it and back
    afterwards.  An ``async def`` test runs as
    ``lwt.unix.main.run(lwt.ppx.of_coroutine(test(...)))``.  ``async def``
    fixtures of function scope (coroutines, and async generators with one
    ``yield``) requested by a claimed test run the same way.  Exceptions
    that reach lwt's async exception hook during the test are collected
    instead of ending the process, and fail the test.

Leaks
    When a claimed test passes but leaves an engine event it registered
    (a pending timer, such as an unfinished :func:`lwt.unix.sleep`, or a
    descriptor still waited for), the test fails with a message naming each
    event; the events are stopped.  Events left by fixtures after their
    teardown make the test error at teardown the same way.  Paused
    promises left behind are abandoned.

Fixtures
    ``lwt_engine``: the test's engine (a
    :class:`lwt.unix.engine.SelectorEngine`, or a
    :class:`lwt.unix.testing.VirtualTimeEngine` when the test also takes
    ``lwt_clock``).  Any test may take it, claimed or not.
    ``lwt_clock``: the :class:`lwt.unix.testing.VirtualClock` of that
    engine, with ``autojump_threshold`` 0: timers fire as soon as nothing
    else can happen.

Running ``async def`` tests and fixtures needs lwt-ppx (a soft dependency:
``pip install 'lwt-unix[pytest]'`` brings it and pytest); plain tests using
the fixtures do not.

.. note:: Lwt has no test-runner integration.  This plays the part of
   pytest-asyncio's or pytest-trio's plugins, with a leak check of its own.
"""

from __future__ import annotations

import inspect
import traceback
import unittest
from collections.abc import Callable, Coroutine, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

import lwt.core as _lwt

from . import _engine, _main
from ._virtual_clock import VirtualClock
from ._virtual_engine import VirtualTimeEngine

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable

__all__ = [
    "lwt_clock",
    "lwt_engine",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_fixture_setup",
    "pytest_pyfunc_call",
    "pytest_runtest_setup",
]

_MODES = ("strict", "auto")
# Markers by which other async plugins claim a test.
_FOREIGN_MARKERS = ("asyncio", "anyio", "trio")


class _TestState:
    """What the ``lwt_engine`` fixture shares with the test's call."""

    __slots__ = ("engine", "exceptions")

    def __init__(self, engine: _engine.Engine, exceptions: list[BaseException]) -> None:
        self.engine = engine
        self.exceptions = exceptions


_STATE = pytest.StashKey[_TestState]()
_CLAIMED = pytest.StashKey[bool]()


# ---------------------------------------------------------------- hooks
def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``lwt_mode`` ini option."""
    parser.addini(
        "lwt_mode",
        "lwt: 'strict' (default) runs only async def tests marked lwt; 'auto' runs every "
        "async def test that no other async plugin claims",
        default="strict",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``lwt`` marker and check ``lwt_mode``."""
    config.addinivalue_line(
        "markers",
        "lwt: run this test on a fresh lwt engine; an async def test runs under "
        "lwt.unix.main.run (lwt.unix.pytest_plugin)",
    )
    mode = _mode(config)
    if mode not in _MODES:
        raise pytest.UsageError(f"lwt_mode: expected 'strict' or 'auto', got {mode!r}")


def _mode(config: pytest.Config) -> str:
    return str(config.getini("lwt_mode")).strip()


def _claimed(item: pytest.Item) -> bool:
    """Whether the plugin runs ``item`` (computed once per item)."""
    claimed = item.stash.get(_CLAIMED, None)
    if claimed is None:
        claimed = _claims(item)
        item.stash[_CLAIMED] = claimed
    return claimed


def _claims(item: pytest.Item) -> bool:
    if not isinstance(item, pytest.Function):
        return False
    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, unittest.TestCase):
        return False
    if item.get_closest_marker("lwt") is not None:
        return True
    if _mode(item.config) != "auto":
        return False
    if not inspect.iscoroutinefunction(item.obj):
        return False
    if any(item.get_closest_marker(name) is not None for name in _FOREIGN_MARKERS):
        return False
    return "anyio_backend" not in item.fixturenames


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each claimed test the ``lwt_engine`` fixture."""
    for item in items:
        if _claimed(item):
            names: list[str] = item.fixturenames  # type: ignore[attr-defined]
            if "lwt_engine" not in names:
                names.append("lwt_engine")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Refuse a test that both this plugin and another async plugin claim."""
    if not _claimed(item):
        return
    for name in _FOREIGN_MARKERS:
        if item.get_closest_marker(name) is not None:
            pytest.fail(
                f"lwt: {item.name} is marked both lwt and {name}; only one plugin can run it "
                "(pytest-asyncio's auto mode marks every async def test asyncio: use its "
                "strict mode next to this plugin)",
                pytrace=False,
            )


def _of_coroutine() -> Callable[[Coroutine[Any, Any, Any]], _lwt.Promise[Any]]:
    try:
        from lwt.ppx import of_coroutine
    except ImportError:
        pytest.fail(
            "lwt: running async def tests and fixtures needs lwt-ppx "
            "(pip install 'lwt-unix[pytest]')",
            pytrace=False,
        )
    return of_coroutine


def _describe(what: str, events: list[_engine.Event]) -> str:
    s = "" if len(events) == 1 else "s"
    listed = ", ".join(repr(ev) for ev in events)
    return (
        f"lwt: {what} left {len(events)} event{s} registered with the engine: {listed} "
        "(stop the timers and descriptor waits it starts, or cancel the promises that use them)"
    )


def _fail_on_async_exceptions(state: _TestState, when: str) -> None:
    seen = state.exceptions
    if not seen:
        return
    found = list(seen)
    seen.clear()
    first = "".join(traceback.format_exception(type(found[0]), found[0], found[0].__traceback__))
    pytest.fail(
        f"lwt: {len(found)} exception(s) reached lwt's async exception hook {when}: "
        f"{found!r}\n{first}",
        pytrace=False,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a claimed ``async def`` test under :func:`lwt.unix.main.run`."""
    if not _claimed(pyfuncitem):
        return None
    func = pyfuncitem.obj
    if inspect.isasyncgenfunction(func):
        pytest.fail("lwt: a test cannot be an async generator", pytrace=False)
    if not inspect.iscoroutinefunction(func):
        return None  # a plain test marked lwt: pytest calls it, on the fresh engine
    of_coroutine = _of_coroutine()
    state = pyfuncitem.stash[_STATE]
    engine = state.engine
    before = set(engine._events())
    funcargs = pyfuncitem.funcargs
    kwargs = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    try:
        _main.run(of_coroutine(func(**kwargs)))
    except BaseException:
        # The test's own failure is the story; what it left behind is
        # stopped quietly so that teardown does not report it again.
        for ev in engine._events():
            if ev not in before:
                ev.stop()
        raise
    leaked = [ev for ev in engine._events() if ev not in before]
    if leaked:
        message = _describe("the test", leaked)
        for ev in leaked:
            ev.stop()
        pytest.fail(message, pytrace=False)
    _fail_on_async_exceptions(state, "during the test")
    return True


# ------------------------------------------------------- async fixtures
async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _drive(awaitable: Awaitable[Any]) -> Any:
    return _main.run(_of_coroutine()(_await(awaitable)))


def _sync_fixture(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A synchronous fixture function running the ``async def`` fixture ``func``."""
    if inspect.isasyncgenfunction(func):

        def generator_fixture(**kwargs: Any) -> Generator[Any, None, None]:
            agen: AsyncGenerator[Any, None] = func(**kwargs)
            try:
                value = _drive(agen.__anext__())
            except StopAsyncIteration:
                raise ValueError(f"{name} did not yield a value") from None
            yield value
            try:
                _drive(agen.__anext__())
            except StopAsyncIteration:
                return
            pytest.fail(f"lwt: the async fixture {name} yielded more than once", pytrace=False)

        return generator_fixture

    def coroutine_fixture(**kwargs: Any) -> Any:
        return _drive(func(**kwargs))

    return coroutine_fixture


def _bound_fixture_function(fixturedef: Any, request: pytest.FixtureRequest) -> Any:
    """The fixture function bound to the test's instance, as pytest would call it."""
    try:
        from _pytest.fixtures import resolve_fixture_function
    except ImportError:  # pragma: no cover - pytest moved it
        return fixturedef.func
    return resolve_fixture_function(fixturedef, request)


# tryfirst: outside other plugins' wrappers (pytest-asyncio's auto mode takes
# every coroutine fixture), so that they see the synchronous function.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(
    fixturedef: Any, request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    """Run the ``async def`` fixtures of claimed tests under :func:`lwt.unix.main.run`."""
    func = fixturedef.func
    if not (inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)):
        return (yield)
    item = getattr(request, "_pyfuncitem", None)
    if item is None or not _claimed(item):
        return (yield)
    name = fixturedef.argname
    if fixturedef.scope != "function":
        pytest.fail(
            f"lwt: the async fixture {name} has scope {fixturedef.scope!r}; lwt runs async "
            "fixtures of function scope only (each test has its own engine)",
            pytrace=False,
        )
    request.getfixturevalue("lwt_engine")  # the engine first, torn down last
    fixturedef.func = _sync_fixture(_bound_fixture_function(fixturedef, request), name)
    try:
        return (yield)
    finally:
        fixturedef.func = func


# ------------------------------------------------------------- fixtures
@pytest.fixture
def lwt_engine(request: pytest.FixtureRequest) -> Iterator[_engine.Engine]:
    """A fresh engine, current for the test (virtual time if the test takes ``lwt_clock``).

    Events registered before the test move to it and back afterwards.  The
    test errors at teardown if events it registered are still there.
    """
    if "lwt_clock" in request.fixturenames:
        engine: _engine.Engine = VirtualTimeEngine(VirtualClock(autojump_threshold=0.0))
    else:
        engine = _engine.SelectorEngine()
    previous = _engine.get()
    _engine.set(engine, transfer=True, destroy=False)
    inherited = set(engine._events())
    seen: list[BaseException] = []
    previous_hook = _lwt.set_async_exception_hook(seen.append)
    state = _TestState(engine, seen)
    request.node.stash[_STATE] = state
    try:
        yield engine
    finally:
        _lwt.set_async_exception_hook(previous_hook)
        _lwt.abandon_paused()
        leaked = [ev for ev in engine._events() if ev not in inherited]
        message = _describe("the test's fixtures", leaked)
        for ev in leaked:
            ev.stop()
        current = _engine.get()
        _engine.set(previous, transfer=True, destroy=True)
        if current is not engine:  # the test set an engine of its own
            engine.destroy()
        del request.node.stash[_STATE]
    if leaked:
        pytest.fail(message, pytrace=False)
    _fail_on_async_exceptions(state, "in the test's fixtures")


@pytest.fixture
def lwt_clock(lwt_engine: _engine.Engine) -> VirtualClock:
    """The virtual clock of the test's engine, jumping as soon as the engine is idle.

    Set its ``autojump_threshold`` to ``math.inf`` to move it by hand only
    (:meth:`lwt.unix.testing.VirtualClock.advance`).
    """
    if not isinstance(lwt_engine, VirtualTimeEngine):
        raise TypeError(
            f"lwt_clock: the lwt_engine fixture gave {type(lwt_engine).__name__}, "
            "not a VirtualTimeEngine (was lwt_engine overridden?)"
        )
    return lwt_engine.virtual_clock
