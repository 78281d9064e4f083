"""lwt.unix.interop: promises and asyncio futures following each other, both ways.

Each test runs on asyncio's own loop and on uvloop (skipped where uvloop is
not installed), either under ``lwt.unix.main.run`` (lwt runs the loop) or
as an asyncio application (asyncio runs the loop).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Generator, Iterator
from typing import Any, TypeVar

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.interop import of_awaitable, of_future, to_future
from lwt.unix.main import run

T = TypeVar("T")


def rejection(p: lwt.Promise[Any]) -> BaseException:
    """The exception ``p`` was rejected with (failing if it was not)."""
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail), state
    return state.exc


class Boom(Exception):
    pass


def restore_default_engine() -> None:
    """Fail on events left behind, after putting a fresh default engine back."""
    current = engine.get()
    counts = (current.readable_count(), current.writable_count(), current.timer_count())
    engine.set(engine.SelectorEngine(), transfer=False, destroy=True)
    assert counts == (0, 0, 0), (
        f"the test left events registered with {current!r} (readable, writable, timers): {counts}"
    )


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
def aengine(
    loop: asyncio.AbstractEventLoop, fresh_engine: engine.Engine
) -> Iterator[engine.AsyncioEngine]:
    """An asyncio engine on ``loop``, current for the test."""
    e = engine.AsyncioEngine(loop)
    engine.set(e, transfer=False, destroy=True)
    yield e
    restore_default_engine()


@pytest.fixture
def in_app(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> Callable[[Callable[[], Coroutine[Any, Any, T]]], T]:
    """Run ``main()`` as an asyncio application on the asyncio engine's loop."""

    def go(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return loop.run_until_complete(main())

    return go


def turn(loop: asyncio.AbstractEventLoop) -> None:
    """Let asyncio run the loop until the callbacks scheduled now have run."""
    loop.run_until_complete(asyncio.sleep(0))


# --------------------------------------------------------------- to_future
def test_to_future_takes_the_value(in_app: Any) -> None:
    async def main() -> int:
        return await to_future(unix.sleep(0.005).map(lambda _: 42))

    assert in_app(main) == 42


def test_to_future_takes_the_very_exception(in_app: Any) -> None:
    boom = Boom()

    async def main() -> BaseException:
        p = unix.sleep(0.005).map(lambda _: lwt.fail(boom).poll())
        try:
            await to_future(p)
        except Boom as exc:
            return exc
        raise AssertionError("no exception")

    assert in_app(main) is boom


def test_to_future_of_resolved_promises_is_done_at_once(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    boom = Boom()
    ok = to_future(lwt.return_(1))
    failed = to_future(lwt.fail(boom))
    canceled: lwt.Promise[Any]
    _r: lwt.Resolver[Any]
    canceled, _r = lwt.task()
    canceled.cancel()
    cancelled = to_future(canceled)
    assert ok.result() == 1
    assert failed.exception() is boom
    assert cancelled.cancelled()
    assert all(f.get_loop() is loop for f in (ok, failed, cancelled))


def test_cancelling_the_promise_cancels_the_future(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    p: lwt.Promise[Any]
    _r: lwt.Resolver[Any]
    p, _r = lwt.task()
    fut = to_future(p)
    p.cancel()
    turn(loop)
    assert fut.cancelled()


def test_cancelling_the_future_cancels_the_promise(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    p = unix.sleep(10.0)
    fut = to_future(p)
    assert aengine.timer_count() == 1
    fut.cancel()
    turn(loop)
    assert isinstance(lwt.state(p), lwt.Fail)
    assert isinstance(rejection(p), lwt.Canceled)
    assert aengine.timer_count() == 0


def test_to_future_turns_stop_iteration_into_runtime_error(aengine: engine.AsyncioEngine) -> None:
    stop = StopIteration(3)
    fut = to_future(lwt.fail(stop))
    exc = fut.exception()
    assert isinstance(exc, RuntimeError)
    assert exc.__cause__ is stop


def test_to_future_checks_its_arguments(
    aengine: engine.AsyncioEngine, fresh_engine: engine.Engine
) -> None:
    with pytest.raises(TypeError, match="expected an lwt promise"):
        to_future(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="loop"):
        to_future(lwt.return_(1), loop="loop")  # type: ignore[arg-type]
    engine.set(engine.SelectorEngine(), transfer=False, destroy=True)
    with pytest.raises(RuntimeError, match="no asyncio event loop"):
        to_future(lwt.return_(1))


# --------------------------------------------------------------- of_future
def test_of_future_takes_the_result(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    loop.call_later(0.005, fut.set_result, "from asyncio")
    assert run(of_future(fut)) == "from asyncio"


def test_of_future_takes_the_very_exception(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    boom = Boom()
    fut = loop.create_future()
    loop.call_soon(fut.set_exception, boom)
    with pytest.raises(Boom) as info:
        run(of_future(fut))
    assert info.value is boom


def test_a_cancelled_future_cancels_the_promise(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    p = of_future(fut)
    loop.call_soon(fut.cancel)
    with pytest.raises(lwt.Canceled):
        run(p)


def test_cancelling_the_promise_cancels_the_asyncio_future(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    fut = loop.create_future()
    p = of_future(fut)
    p.cancel()
    assert fut.cancelled()
    assert isinstance(rejection(p), lwt.Canceled)
    turn(loop)  # the future's done callback finds the promise resolved already
    assert isinstance(rejection(p), lwt.Canceled)


def test_of_future_of_done_futures_is_resolved_at_once(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    boom = Boom()
    ok, failed, cancelled = loop.create_future(), loop.create_future(), loop.create_future()
    ok.set_result(1)
    failed.set_exception(boom)
    cancelled.cancel()
    assert lwt.state(of_future(ok)) == lwt.Return(1)
    assert lwt.state(of_future(failed)) == lwt.Fail(boom)
    assert isinstance(rejection(of_future(cancelled)), lwt.Canceled)


def test_of_future_refuses_what_is_not_a_future(aengine: engine.AsyncioEngine) -> None:
    with pytest.raises(TypeError, match="expected an asyncio future"):
        of_future(42)  # type: ignore[arg-type]
    coro = asyncio.sleep(0)
    with pytest.raises(TypeError, match="use of_awaitable"):
        of_future(coro)  # type: ignore[arg-type]
    coro.close()


# ------------------------------------------------------------ of_awaitable
def test_of_awaitable_runs_a_coroutine_as_a_task(aengine: engine.AsyncioEngine) -> None:
    async def compute() -> int:
        await asyncio.sleep(0.001)
        return 7

    assert run(of_awaitable(compute())) == 7


def test_of_awaitable_keeps_the_very_exception(aengine: engine.AsyncioEngine) -> None:
    boom = Boom()

    async def fail() -> None:
        await asyncio.sleep(0)
        raise boom

    with pytest.raises(Boom) as info:
        run(of_awaitable(fail()))
    assert info.value is boom


def test_cancelling_the_promise_cancels_the_task(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    started = loop.create_future()
    saw_cancel = loop.create_future()

    async def victim() -> None:
        started.set_result(None)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            saw_cancel.set_result("CancelledError at the await")
            raise

    p = of_awaitable(victim())
    run(of_future(started))
    p.cancel()
    assert run(of_future(saw_cancel)) == "CancelledError at the await"
    assert isinstance(rejection(p), lwt.Canceled)


def test_of_awaitable_takes_any_awaitable(aengine: engine.AsyncioEngine) -> None:
    class Answer:
        def __await__(self) -> Generator[Any, None, int]:
            yield from asyncio.sleep(0).__await__()
            return 42

    assert run(of_awaitable(Answer())) == 42
    p = lwt.return_(1)
    assert of_awaitable(p) is p


def test_of_awaitable_refuses_what_is_not_awaitable(aengine: engine.AsyncioEngine) -> None:
    with pytest.raises(TypeError, match="expected an awaitable"):
        of_awaitable(42)  # type: ignore[arg-type]


def test_of_awaitable_without_a_loop_closes_the_coroutine(fresh_engine: engine.Engine) -> None:
    async def never() -> None:
        return None

    coro = never()
    with pytest.raises(RuntimeError, match="no asyncio event loop"):
        of_awaitable(coro)
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


def test_lwt_and_asyncio_wait_for_each_other_under_main_run(
    aengine: engine.AsyncioEngine,
) -> None:
    async def asyncio_side(x: int) -> int:
        await asyncio.sleep(0.001)
        return await to_future(unix.sleep(0.001).map(lambda _: x * 2))

    p = of_awaitable(asyncio_side(5)).bind(lambda v: unix.sleep(0.001).map(lambda _: v + 1))
    assert run(p) == 11


# ------------------------------------------------ await p in an asyncio task
def test_a_task_awaits_a_promise(in_app: Any) -> None:
    async def main() -> tuple[int, int]:
        a = await unix.sleep(0.002).map(lambda _: 1)
        b = await lwt.return_(2)
        return a, b

    assert in_app(main) == (1, 2)


def test_a_task_gets_the_very_exception_of_a_promise(in_app: Any) -> None:
    boom = Boom()
    p: lwt.Promise[Any]
    r: lwt.Resolver[Any]
    p, r = lwt.wait()

    async def main() -> BaseException:
        asyncio.get_running_loop().call_soon(lwt.wakeup_exn, r, boom)
        try:
            await p
        except Boom as exc:
            return exc
        raise AssertionError("no exception")

    assert in_app(main) is boom


def test_a_cancelled_promise_raises_cancelled_error_in_the_task(in_app: Any) -> None:
    p: lwt.Promise[Any]
    _r: lwt.Resolver[Any]
    p, _r = lwt.task()

    async def main() -> str:
        asyncio.get_running_loop().call_soon(p.cancel)
        try:
            await p
        except asyncio.CancelledError:
            return "CancelledError"
        return "nothing"

    assert in_app(main) == "CancelledError"


def test_cancelling_the_task_cancels_the_awaited_promise(in_app: Any) -> None:
    async def main() -> tuple[str, Any]:
        p = unix.sleep(10.0)
        seen: list[str] = []

        async def waiter() -> None:
            try:
                await p
            except asyncio.CancelledError:
                seen.append("CancelledError at the await")
                raise

        task = asyncio.ensure_future(waiter())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return seen[0], lwt.state(p)

    seen, state = in_app(main)
    assert seen == "CancelledError at the await"
    assert isinstance(state.exc, lwt.Canceled)


def test_cancelling_a_task_stops_its_wait_even_for_an_uncancelable_promise(in_app: Any) -> None:
    async def main() -> bool:
        p: lwt.Promise[Any]
        r: lwt.Resolver[Any]
        p, r = lwt.wait()
        task = asyncio.ensure_future(p)  # wrapped in a task that awaits it
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        still = lwt.is_sleeping(p)
        lwt.wakeup(r, None)
        return still

    assert in_app(main) is True


def test_gather_wait_for_and_shield_take_promises(in_app: Any) -> None:
    async def main() -> tuple[Any, Any, int]:
        both = await asyncio.gather(
            unix.sleep(0.002).map(lambda _: 1), unix.sleep(0.001).map(lambda _: 2)
        )
        slow = unix.sleep(10.0)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(slow, 0.005)
        shielded = await asyncio.shield(unix.sleep(0.001).map(lambda _: 3))
        return both, lwt.state(slow), shielded

    both, slow_state, shielded = in_app(main)
    assert list(both) == [1, 2]
    assert isinstance(slow_state.exc, lwt.Canceled)
    assert shielded == 3


def test_the_pure_python_task_awaits_promises_too(
    in_app: Any, loop: asyncio.AbstractEventLoop
) -> None:
    py_task = getattr(asyncio.tasks, "_PyTask", None)
    if py_task is None:
        pytest.skip("no pure-Python Task in this Python")

    def factory(lp: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        return py_task(coro, loop=lp, **kwargs)  # type: ignore[no-any-return]

    async def main() -> tuple[int, Any]:
        p = unix.sleep(10.0)

        async def waiter() -> None:
            await p

        value = await asyncio.ensure_future(unix.sleep(0.001).map(lambda _: 5))
        task = asyncio.ensure_future(waiter())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return value, lwt.state(p)

    loop.set_task_factory(factory)
    try:
        value, state = in_app(main)
    finally:
        loop.set_task_factory(None)
    assert value == 5
    assert isinstance(state.exc, lwt.Canceled)


def test_an_application_awaits_promises_while_lwt_timers_run(in_app: Any) -> None:
    async def main() -> tuple[int, int, int]:
        ticks: list[int] = []
        ev = engine.on_timer(0.001, True, lambda _ev: ticks.append(1))
        direct = await unix.sleep(0.005).map(lambda _: len(ticks))
        through_future = await to_future(unix.sleep(0.005).map(lambda _: len(ticks)))
        ev.stop()
        return direct, through_future, len(ticks)

    direct, through_future, total = in_app(main)
    assert 0 < direct <= through_future <= total
