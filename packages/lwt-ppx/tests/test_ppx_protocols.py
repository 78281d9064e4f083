"""``async for`` over lwt streams and ``async with`` over mutexes and switches."""

from __future__ import annotations

import lwt.core as lwt
from lwt.core import mutex, stream, switch
from lwt.ppx import promise


def test_async_for_reads_a_stream_until_it_closes() -> None:
    s, push = stream.create()

    @promise
    async def total() -> int:
        n = 0
        async for x in s:
            n += x
        return n

    p = total()
    push(1)
    push(2)
    assert lwt.is_sleeping(p)
    push(3)
    push(None)
    assert lwt.state(p) == lwt.Return(6)


def test_async_for_over_an_already_filled_stream_finishes_at_once() -> None:
    @promise
    async def collect() -> list[int]:
        return [x async for x in stream.of_list([1, 2, 3])]

    assert lwt.state(collect()) == lwt.Return([1, 2, 3])


def test_async_with_mutex_serialises_two_coroutines() -> None:
    m = mutex.Mutex()
    gate, open_gate = lwt.wait()
    log: list[str] = []

    @promise
    async def worker(name: str) -> None:
        async with m:
            log.append(f"{name} in")
            await gate
            log.append(f"{name} out")

    a = worker("a")
    b = worker("b")
    assert log == ["a in"]
    assert m.is_locked()
    lwt.wakeup(open_gate, None)
    assert log == ["a in", "a out", "b in", "b out"]
    assert lwt.state(a) == lwt.Return(None)
    assert lwt.state(b) == lwt.Return(None)
    assert not m.is_locked()


def test_async_with_mutex_releases_on_exception() -> None:
    m = mutex.Mutex()

    @promise
    async def failing() -> None:
        async with m:
            raise ValueError("inside")

    state = lwt.state(failing())
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, ValueError)
    assert not m.is_locked()


def test_async_with_switch_turns_it_off_at_exit() -> None:
    hooks: list[str] = []

    @promise
    async def body() -> switch.Switch:
        async with switch.Switch() as sw:
            switch.add_hook(sw, lambda: lwt.wrap(hooks.append, "off"))
            assert sw.is_on()
        return sw

    p = body()
    sw = lwt.poll(p)
    assert sw is not None
    assert not sw.is_on()
    assert hooks == ["off"]
