"""lwt.ppx coroutines awaiting asyncio futures on lwt.unix's asyncio engine.

Needs lwt.unix (skipped without it); runs on asyncio's own loop and on
uvloop (skipped where uvloop is not installed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

import lwt.core as lwt
from lwt.ppx import promise

unix = pytest.importorskip("lwt.unix")
engine = pytest.importorskip("lwt.unix.engine")
interop = pytest.importorskip("lwt.unix.interop")
run = pytest.importorskip("lwt.unix.main").run

T = TypeVar("T")


def rejection(p: lwt.Promise[Any]) -> BaseException:
    """The exception ``p`` was rejected with (failing if it was not)."""
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail), state
    return state.exc


class Boom(Exception):
    pass


@pytest.fixture(params=["asyncio", "uvloop"])
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        lp: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        lp = asyncio.new_event_loop()
    yield lp
    if not lp.is_closed():
        lp.close()


@pytest.fixture
def aengine(loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """An asyncio engine on ``loop``, current for the test; the previous one comes back."""
    previous = engine.get()
    e = engine.AsyncioEngine(loop)
    engine.set(e, transfer=False, destroy=False)
    yield e
    counts = (e.readable_count(), e.writable_count(), e.timer_count())
    engine.set(previous, transfer=False, destroy=True)
    assert counts == (0, 0, 0), f"the test left events registered: {counts}"


@pytest.fixture
def in_app(
    aengine: Any, loop: asyncio.AbstractEventLoop
) -> Callable[[Callable[[], Coroutine[Any, Any, T]]], T]:
    """Run ``main()`` as an asyncio application on the engine's loop."""

    def go(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return loop.run_until_complete(main())

    return go


def test_a_coroutine_awaits_asyncio_sleep_inside_an_application(in_app: Any) -> None:
    @promise
    async def co() -> list[str]:
        steps = ["start"]
        await asyncio.sleep(0.002)
        steps.append("slept")
        await asyncio.sleep(0)  # a bare yield: the next turn of the loop
        steps.append("yielded")
        await unix.sleep(0.001)
        steps.append("lwt sleep")
        return steps

    async def main() -> list[str]:
        return await co()

    assert in_app(main) == ["start", "slept", "yielded", "lwt sleep"]


def test_a_coroutine_awaits_a_future_under_main_run(
    aengine: Any, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    loop.call_later(0.002, fut.set_result, "set by asyncio")

    @promise
    async def co() -> tuple[str, int]:
        got = await fut
        # Resumed from the loop, so asyncio's functions find it running.
        await asyncio.sleep(0.001)
        return got, await asyncio.sleep(0, result=3)

    assert run(co()) == ("set by asyncio", 3)


def test_the_future_exception_reaches_the_coroutine_unchanged(
    aengine: Any, loop: asyncio.AbstractEventLoop
) -> None:
    boom = Boom()
    fut = loop.create_future()
    loop.call_soon(fut.set_exception, boom)

    @promise
    async def co() -> BaseException:
        try:
            await fut
        except Boom as exc:
            return exc
        raise AssertionError("no exception")

    assert run(co()) is boom


def test_cancelling_the_coroutine_cancels_the_future(
    aengine: Any, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    seen: list[str] = []

    @promise
    async def co() -> None:
        try:
            await fut
        except lwt.Canceled:
            seen.append("Canceled at the await")
            raise

    p = co()
    assert lwt.is_sleeping(p)
    p.cancel()
    assert fut.cancelled()
    assert seen == ["Canceled at the await"]
    assert isinstance(rejection(p), lwt.Canceled)


def test_a_cancelled_future_raises_canceled_at_the_await(
    aengine: Any, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    loop.call_soon(fut.cancel)

    @promise
    async def co() -> str:
        try:
            await fut
        except (lwt.Canceled, asyncio.CancelledError) as exc:
            return type(exc).__name__
        return "nothing"

    assert run(co()) == "Canceled"


def test_a_coroutine_started_in_a_task_awaits_lwt_promises(in_app: Any) -> None:
    @promise
    async def co() -> int:
        a: int = await unix.sleep(0.001).map(lambda _: 1)
        b: int = await unix.sleep(0.001).map(lambda _: 2)
        return a + b

    async def main() -> int:
        return await co()  # co's first steps run inside this task

    assert in_app(main) == 3


def test_a_future_of_another_loop_is_refused_at_the_await(aengine: Any) -> None:
    other = asyncio.new_event_loop()
    try:
        fut = other.create_future()

        @promise
        async def co() -> None:
            await fut

        with pytest.raises(RuntimeError, match="another loop"):
            run(co())
    finally:
        other.close()


def test_foreign_awaits_stay_type_errors_without_the_asyncio_engine(
    loop: asyncio.AbstractEventLoop,
) -> None:
    previous = engine.get()
    engine.set(engine.SelectorEngine(), transfer=False, destroy=False)
    try:
        fut = loop.create_future()

        @promise
        async def co() -> None:
            await fut

        p = co()
        assert isinstance(rejection(p), TypeError)
        assert "not an lwt promise" in str(rejection(p))
    finally:
        engine.set(previous, transfer=False, destroy=True)
