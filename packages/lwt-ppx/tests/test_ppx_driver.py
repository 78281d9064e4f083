"""How lwt.ppx runs coroutines: timing, errors, cancellation, context, depth."""

from __future__ import annotations

import asyncio
import contextvars
import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lwt.core as lwt
from lwt.ppx import of_coroutine, promise, set_debug


def outcome(p: lwt.Promise[Any]) -> lwt.Return[Any] | lwt.Fail | lwt.Sleep:
    return lwt.state(p)


# ---------------------------------------------------------------- timing
def test_coroutine_that_never_waits_gives_a_resolved_promise() -> None:
    @promise
    async def body() -> int:
        return 1

    assert outcome(body()) == lwt.Return(1)


def test_coroutine_runs_synchronously_until_its_first_pending_await() -> None:
    a, ra = lwt.wait()
    log: list[str] = []

    @promise
    async def body() -> None:
        log.append("before")
        await lwt.return_unit
        log.append("after resolved await")
        await a
        log.append("after pending await")

    p = body()
    assert log == ["before", "after resolved await"]
    lwt.wakeup(ra, None)
    assert log == ["before", "after resolved await", "after pending await"]
    assert outcome(p) == lwt.Return(None)


def test_coroutine_resumes_inside_the_resolving_call() -> None:
    a, ra = lwt.wait()
    log: list[str] = []

    @promise
    async def body() -> None:
        await a
        log.append("resumed")

    body()
    log.append("before wakeup")
    lwt.wakeup(ra, None)
    log.append("after wakeup")
    assert log == ["before wakeup", "resumed", "after wakeup"]


def test_awaiting_a_promise_that_becomes_a_proxy_still_resumes() -> None:
    inner, r_inner = lwt.wait()
    source, r_source = lwt.wait()
    # bind makes `inner` a proxy for its own result once source is fulfilled.
    outer = source.bind(lambda _: inner)

    @promise
    async def body() -> str:
        return await inner

    p = body()
    lwt.wakeup(r_source, None)
    lwt.wakeup(r_inner, "done")
    assert outcome(p) == lwt.Return("done")
    assert outcome(outer) == lwt.Return("done")


# ---------------------------------------------------------------- errors
def test_raise_in_coroutine_rejects_its_promise_with_that_exception() -> None:
    error = ValueError("x")

    @promise
    async def body() -> None:
        raise error

    assert outcome(body()) == lwt.Fail(error)


def test_raise_after_a_pending_await_rejects_later() -> None:
    a, ra = lwt.wait()
    error = KeyError("k")

    @promise
    async def body() -> None:
        await a
        raise error

    p = body()
    assert lwt.is_sleeping(p)
    lwt.wakeup(ra, None)
    assert outcome(p) == lwt.Fail(error)


def test_rejection_of_awaited_promise_raises_the_same_object() -> None:
    a, ra = lwt.wait()
    error = RuntimeError("same")
    caught: list[BaseException] = []

    @promise
    async def body() -> None:
        try:
            await a
        except RuntimeError as exc:
            caught.append(exc)

    body()
    lwt.wakeup_exn(ra, error)
    assert caught == [error]
    assert caught[0] is error


def test_awaiting_something_else_raises_type_error_naming_it() -> None:
    @promise
    async def body() -> None:
        await asyncio.sleep(0)

    state = outcome(body())
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, TypeError)
    assert "sleep" in str(state.exc)
    assert "not an lwt promise" in str(state.exc)


def test_type_error_is_raised_at_the_await_and_can_be_caught() -> None:
    @promise
    async def body() -> str:
        try:
            await asyncio.sleep(0)
        except TypeError:
            return "caught"
        return "not caught"

    assert outcome(body()) == lwt.Return("caught")


def test_keyboard_interrupt_in_a_resumed_coroutine_propagates_out_of_wakeup() -> None:
    a, ra = lwt.wait()

    @promise
    async def body() -> None:
        await a
        raise KeyboardInterrupt

    body()
    with pytest.raises(KeyboardInterrupt):
        lwt.wakeup(ra, None)
    # The library still works afterwards.
    b, rb = lwt.wait()
    q = b.map(lambda v: v + 1)
    lwt.wakeup(rb, 1)
    assert outcome(q) == lwt.Return(2)


# ---------------------------------------------------------- cancellation
def test_cancel_raises_canceled_at_the_await() -> None:
    t, _rt = lwt.task()
    seen: list[str] = []

    @promise
    async def body() -> None:
        try:
            await t
        except lwt.Canceled:
            seen.append("canceled")
            raise

    p = body()
    lwt.cancel(p)
    assert seen == ["canceled"]
    assert isinstance(lwt.state(t), lwt.Fail)
    state = outcome(p)
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, lwt.Canceled)


def test_coroutine_that_catches_cancel_and_returns_is_fulfilled() -> None:
    t, _rt = lwt.task()

    @promise
    async def body() -> str:
        try:
            await t
        except lwt.Canceled:
            return "recovered"
        return "no"

    p = body()
    p.cancel()
    assert outcome(p) == lwt.Return("recovered")


def test_cancel_reaches_the_promise_awaited_now_not_an_earlier_one() -> None:
    first, r_first = lwt.task()
    second, _r_second = lwt.task()

    @promise
    async def body() -> None:
        await first
        await second

    p = body()
    lwt.wakeup(r_first, None)
    p.cancel()
    assert outcome(first) == lwt.Return(None)
    assert isinstance(lwt.state(second), lwt.Fail)
    assert isinstance(lwt.state(p), lwt.Fail)


def test_cancel_of_a_coroutine_awaiting_a_wait_promise_does_nothing() -> None:
    w, rw = lwt.wait()

    @promise
    async def body() -> int:
        return await w

    p = body()
    p.cancel()
    assert lwt.is_sleeping(p)
    lwt.wakeup(rw, 3)
    assert outcome(p) == lwt.Return(3)


def test_cancel_goes_through_nested_coroutines() -> None:
    t, _rt = lwt.task()

    @promise
    async def inner() -> None:
        await t

    @promise
    async def outer() -> None:
        await inner()

    p = outer()
    p.cancel()
    assert isinstance(lwt.state(t), lwt.Fail)
    assert isinstance(lwt.state(p), lwt.Fail)


@given(points=st.integers(min_value=1, max_value=6), cancel_at=st.integers(0, 5))
def test_cancel_at_any_await_point(points: int, cancel_at: int) -> None:
    cancel_at = cancel_at % points
    tasks = [lwt.task() for _ in range(points)]
    reached: list[int] = []
    canceled_at: list[int] = []

    @promise
    async def body() -> int:
        for i, (t, _r) in enumerate(tasks):
            reached.append(i)
            try:
                await t
            except lwt.Canceled:
                canceled_at.append(i)
                raise
        return len(reached)

    p = body()
    for i in range(cancel_at):
        lwt.wakeup(tasks[i][1], None)
    assert reached == list(range(cancel_at + 1))
    p.cancel()
    assert canceled_at == [cancel_at]
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, lwt.Canceled)
    for i, (t, _r) in enumerate(tasks):
        if i < cancel_at:
            assert lwt.state(t) == lwt.Return(None)
        elif i == cancel_at:
            assert isinstance(lwt.state(t), lwt.Fail)
        else:
            assert lwt.is_sleeping(t)


# ----------------------------------------------------------------- depth
def test_chain_of_100000_coroutines_each_awaiting_the_next() -> None:
    source, r = lwt.wait()

    @promise
    async def relay(q: lwt.Promise[int]) -> int:
        return (await q) + 1

    p: lwt.Promise[int] = source
    for _ in range(100_000):
        p = relay(p)
    lwt.wakeup(r, 0)
    assert outcome(p) == lwt.Return(100_000)


def test_long_loop_of_awaits_on_pause_runs_in_one_coroutine() -> None:
    @promise
    async def body() -> int:
        n = 0
        for _ in range(10_000):
            await lwt.pause()
            n += 1
        return n

    p = body()
    turns = 0
    while lwt.is_sleeping(p):
        lwt.wakeup_paused()
        turns += 1
    assert turns == 10_000
    assert outcome(p) == lwt.Return(10_000)


# --------------------------------------------------------------- context
VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


def test_what_a_coroutine_sets_does_not_leak_to_its_caller() -> None:
    @promise
    async def body() -> str:
        VAR.set("inside")
        return VAR.get()

    assert outcome(body()) == lwt.Return("inside")
    assert VAR.get() == "unset"


def test_what_a_coroutine_sets_survives_its_awaits() -> None:
    a, ra = lwt.wait()

    @promise
    async def body() -> str:
        VAR.set("mine")
        await a
        return VAR.get()

    p = body()
    token = VAR.set("resolver's")
    try:
        lwt.wakeup(ra, None)
    finally:
        VAR.reset(token)
    assert outcome(p) == lwt.Return("mine")


def test_coroutine_sees_the_context_of_its_caller() -> None:
    @promise
    async def body() -> str:
        return VAR.get()

    token = VAR.set("caller")
    try:
        p = body()
    finally:
        VAR.reset(token)
    assert outcome(p) == lwt.Return("caller")


# ----------------------------------------------------------------- debug
def _chain_of_ten(debug: bool) -> BaseException:
    set_debug(debug)
    source, r = lwt.wait()

    @promise
    async def level0(p: lwt.Promise[None]) -> None:
        await p
        raise ValueError("deep")

    async def relay(p: lwt.Promise[None]) -> None:
        await p

    p = level0(source)
    for _ in range(9):
        p = of_coroutine(relay(p))
    lwt.wakeup(r, None)
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail)
    return state.exc


def test_exception_crossing_ten_coroutines_shows_every_frame() -> None:
    for debug in (False, True):
        exc = _chain_of_ten(debug)
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        assert text.count("in relay") == 9, text
        assert text.count("in level0") == 1, text


def test_debug_on_records_the_chain_of_awaits() -> None:
    exc = _chain_of_ten(True)
    notes = getattr(exc, "__notes__", [])
    assert len(notes) == 9
    assert all("awaited in" in note and "relay" in note for note in notes)
    assert all("started at" in note for note in notes)


def test_debug_off_adds_nothing() -> None:
    exc = _chain_of_ten(False)
    assert getattr(exc, "__notes__", None) is None
