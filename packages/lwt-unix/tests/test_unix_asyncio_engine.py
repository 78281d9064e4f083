"""The asyncio engine, on asyncio's own loop and on uvloop.

Driven by ``lwt.unix.main.run`` (lwt runs the loop) and inside a running
asyncio application (asyncio runs the loop).  uvloop cases are skipped
where uvloop is not installed.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
import lwt.unix.main as lwt_main
from lwt.ppx import promise
from lwt.unix import preemptive
from lwt.unix.main import run

T = TypeVar("T")
LOOPBACK = "127.0.0.1"


def rejection(p: lwt.Promise[Any]) -> BaseException:
    """The exception ``p`` was rejected with (failing if it was not)."""
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail), state
    return state.exc


class Boom(Exception):
    pass


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        return uvloop.new_event_loop()  # type: ignore[no-any-return]
    return asyncio.new_event_loop()


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
    """A new event loop of each kind, closed after the test."""
    lp = new_loop(request.param)
    yield lp
    if not lp.is_closed():
        lp.close()


@pytest.fixture
def aengine(
    loop: asyncio.AbstractEventLoop, fresh_engine: engine.Engine
) -> Iterator[engine.AsyncioEngine]:
    """An asyncio engine on ``loop``, current for the test (lwt runs the loop)."""
    e = engine.AsyncioEngine(loop)
    engine.set(e, transfer=False, destroy=True)
    yield e
    restore_default_engine()


@pytest.fixture
def in_app(
    loop: asyncio.AbstractEventLoop, fresh_engine: engine.Engine
) -> Iterator[Callable[[Callable[[], Coroutine[Any, Any, T]]], T]]:
    """Run ``main()`` as an asyncio application on ``loop``, with an asyncio engine made inside."""

    def go(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
        async def app() -> T:
            engine.set(engine.AsyncioEngine(), transfer=False, destroy=True)
            assert engine.get().loop is loop  # type: ignore[attr-defined]
            return await main()

        return loop.run_until_complete(app())

    yield go
    restore_default_engine()


# ------------------------------------------------------------ echo server
@promise
async def read_exactly(fd: unix.FileDescr, n: int) -> bytes:
    out = bytearray()
    buf = bytearray(4096)
    while len(out) < n:
        got = await unix.read(fd, buf, 0, min(len(buf), n - len(out)))
        if got == 0:
            raise EOFError
        out += buf[:got]
    return bytes(out)


@promise
async def write_all(fd: unix.FileDescr, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = await unix.write(fd, view, 0, len(view))
        view = view[n:]


@promise
async def echo_session(clients: int, rounds: int) -> list[bytes]:
    """A server echoing on 127.0.0.1 and ``clients`` clients talking to it at once."""
    lfd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    unix.setsockopt(lfd, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    await unix.bind(lfd, (LOOPBACK, 0))
    unix.listen(lfd, 64)
    addr = unix.getsockname(lfd)

    @promise
    async def serve(conn: unix.FileDescr) -> None:
        buf = bytearray(4096)
        while True:
            n = await unix.read(conn, buf, 0, len(buf))
            if n == 0:
                break
            await write_all(conn, bytes(buf[:n]))
        await unix.close(conn)

    @promise
    async def server() -> None:
        handlers = []
        for _ in range(clients):
            conn, _peer = await unix.accept(lfd)
            handlers.append(serve(conn))
        await lwt.join(handlers)

    @promise
    async def client(i: int) -> bytes:
        fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
        await unix.connect(fd, addr)
        heard = bytearray()
        for r in range(rounds):
            msg = f"client {i} round {r}\n".encode()
            await write_all(fd, msg)
            heard += await read_exactly(fd, len(msg))
        unix.shutdown(fd, socket.SHUT_WR)
        assert await unix.read(fd, bytearray(1), 0, 1) == 0
        await unix.close(fd)
        return bytes(heard)

    done = server()
    answers = await lwt.all([client(i) for i in range(clients)])
    await done
    await unix.close(lfd)
    return answers


@pytest.mark.parametrize("kind", ["default", "asyncio", "uvloop"])
def test_echo_server_on_each_engine(kind: str, fresh_engine: engine.Engine) -> None:
    lp = None if kind == "default" else new_loop(kind)
    if lp is not None:
        engine.set(engine.AsyncioEngine(lp), transfer=False, destroy=True)
    try:
        answers = run(echo_session(clients=5, rounds=20))
    finally:
        restore_default_engine()
        if lp is not None:
            lp.close()
    for i, heard in enumerate(answers):
        assert heard == b"".join(f"client {i} round {r}\n".encode() for r in range(20))


def test_echo_server_inside_a_running_asyncio_application(in_app: Any) -> None:
    async def main() -> list[bytes]:
        return await echo_session(clients=3, rounds=10)

    answers = in_app(main)
    assert answers[2].startswith(b"client 2 round 0\n")
    assert answers[2].endswith(b"client 2 round 9\n")


# ------------------------------------------------------------------ timers
def record(into: list[float], what: float, _ev: engine.Event) -> None:
    into.append(what)


def test_timers_fire_in_deadline_order(aengine: engine.AsyncioEngine) -> None:
    fired: list[float] = []
    done: lwt.Promise[Any]
    r: lwt.Resolver[Any]
    done, r = lwt.wait()
    for delay in (0.03, 0.01, 0.02):
        aengine.on_timer(delay, False, functools.partial(record, fired, delay))
    aengine.on_timer(0.04, False, lambda _ev: lwt.wakeup(r, None))
    assert aengine.timer_count() == 4
    run(done)
    assert fired == [0.01, 0.02, 0.03]
    assert aengine.timer_count() == 0


def test_repeating_timer_fires_until_stopped(aengine: engine.AsyncioEngine) -> None:
    ticks: list[int] = []
    done: lwt.Promise[Any]
    r: lwt.Resolver[Any]
    done, r = lwt.wait()

    def tick(ev: engine.Event) -> None:
        ticks.append(len(ticks))
        if len(ticks) == 3:
            ev.stop()
            lwt.wakeup(r, None)

    aengine.on_timer(0.005, True, tick)
    run(done)
    assert ticks == [0, 1, 2]
    assert aengine.timer_count() == 0


def test_a_stopped_timer_does_not_fire(aengine: engine.AsyncioEngine) -> None:
    fired: list[str] = []
    early = aengine.on_timer(0.005, False, lambda _ev: fired.append("stopped"))
    early.stop()
    run(unix.sleep(0.02))
    assert fired == []
    assert aengine.timer_count() == 0


def test_sleep_waits_at_least_its_delay(aengine: engine.AsyncioEngine) -> None:
    start = time.monotonic()
    run(unix.sleep(0.03))
    assert time.monotonic() - start >= 0.03


def test_with_timeout_rejects_with_timeout_and_cleans_up(aengine: engine.AsyncioEngine) -> None:
    never: lwt.Promise[Any]
    _r: lwt.Resolver[Any]
    never, _r = lwt.task()
    with pytest.raises(unix.Timeout):
        run(unix.with_timeout(0.01, lambda: never))
    assert lwt.is_sleeping(never) is False  # pick cancelled the loser
    assert run(unix.with_timeout(1.0, lambda: unix.sleep(0.001).map(lambda _: "in time"))) == (
        "in time"
    )
    assert aengine.timer_count() == 0


def test_iter_without_blocking_returns_at_once(aengine: engine.AsyncioEngine) -> None:
    ev = aengine.on_timer(10.0, False, lambda _ev: None)
    start = time.monotonic()
    aengine.iter(False)
    assert time.monotonic() - start < 1.0
    ev.stop()


def test_blocking_iter_returns_once_a_timer_ran(aengine: engine.AsyncioEngine) -> None:
    fired: list[int] = []
    aengine.on_timer(0.01, False, lambda _ev: fired.append(1))
    while not fired:
        aengine.iter(True)
    assert fired == [1]


def test_timer_callback_exception_goes_to_the_hook(
    aengine: engine.AsyncioEngine, async_exceptions: list[BaseException]
) -> None:
    boom = Boom()

    def fail(_ev: engine.Event) -> None:
        raise boom

    aengine.on_timer(0.0, False, fail)
    run(unix.sleep(0.01))
    assert async_exceptions == [boom]


def test_timers_run_inside_a_running_asyncio_application(in_app: Any) -> None:
    async def main() -> tuple[list[int], int]:
        ticks: list[int] = []
        third: lwt.Promise[Any]
        r: lwt.Resolver[Any]
        third, r = lwt.wait()

        def tick(ev: engine.Event) -> None:
            ticks.append(len(ticks))
            if len(ticks) == 3:
                ev.stop()
                lwt.wakeup(r, None)

        engine.on_timer(0.002, True, tick)
        turns = 0
        while lwt.is_sleeping(third):  # asyncio keeps the loop: lwt's timers run in it
            turns += 1
            await asyncio.sleep(0.001)
        return ticks, turns

    ticks, turns = in_app(main)
    assert ticks == [0, 1, 2]
    assert turns >= 1


# ----------------------------------------------------------- descriptors
def test_readable_and_writable_events_and_fake_io(aengine: engine.AsyncioEngine) -> None:
    r, w = os.pipe()
    try:
        seen: list[str] = []
        got: lwt.Promise[Any]
        wake: lwt.Resolver[Any]
        got, wake = lwt.wait()
        ev_w = aengine.on_writable(w, lambda _ev: seen.append("writable"))

        def on_read(_ev: engine.Event) -> None:
            seen.append(os.read(r, 10).decode())
            if lwt.is_sleeping(got):
                lwt.wakeup(wake, None)

        ev_r = aengine.on_readable(r, on_read)
        assert (aengine.readable_count(), aengine.writable_count()) == (1, 1)
        os.write(w, b"ping")
        run(got)
        assert "ping" in seen
        assert "writable" in seen
        ev_w.stop()
        seen.clear()
        os.write(w, b"x")
        aengine.fake_io(r)  # runs the readable callbacks of r now
        assert seen == ["x"]
        ev_r.stop()
        assert (aengine.readable_count(), aengine.writable_count()) == (0, 0)
    finally:
        os.close(r)
        os.close(w)


def test_a_closed_descriptor_is_refused(aengine: engine.AsyncioEngine) -> None:
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError):  # noqa: PT011  (the loop reports EBADF its own way)
        aengine.on_readable(r, lambda _ev: None)
    assert aengine.readable_count() == 0


# ---------------------------------------------------- transfer and destroy
def test_transfer_moves_events_between_engines(loop: asyncio.AbstractEventLoop) -> None:
    selector = engine.SelectorEngine()
    r, w = os.pipe()
    try:
        seen: list[str] = []
        done: lwt.Promise[Any]
        wake: lwt.Resolver[Any]
        done, wake = lwt.wait()
        ev = selector.on_readable(r, lambda _ev: seen.append(os.read(r, 10).decode()))
        selector.on_timer(0.01, False, lambda _ev: lwt.wakeup(wake, None))
        aengine = engine.AsyncioEngine(loop)
        selector.transfer(aengine)
        assert (selector.readable_count(), selector.timer_count()) == (0, 0)
        assert (aengine.readable_count(), aengine.timer_count()) == (1, 1)
        os.write(w, b"moved")
        while lwt.is_sleeping(done):
            aengine.iter(True)
        assert seen == ["moved"]
        ev.stop()  # the same event object, now in the asyncio engine
        assert aengine.readable_count() == 0
        back = engine.SelectorEngine()
        aengine.on_timer(5.0, False, lambda _ev: None)
        aengine.transfer(back)
        assert (aengine.timer_count(), back.timer_count()) == (0, 1)
        back.destroy()
        aengine.destroy()
        selector.destroy()
    finally:
        os.close(r)
        os.close(w)
    assert not loop.is_closed()  # a loop given to the engine is the caller's


def test_destroy_closes_the_loop_the_engine_made(fresh_engine: engine.Engine) -> None:
    e = engine.AsyncioEngine()
    e.on_timer(1.0, False, lambda _ev: None)
    e.destroy()
    assert e.loop.is_closed()
    assert e.timer_count() == 0
    with pytest.raises(RuntimeError, match="destroyed"):
        e.on_timer(1.0, False, lambda _ev: None)


def test_constructor_checks_its_loop(loop: asyncio.AbstractEventLoop) -> None:
    with pytest.raises(TypeError, match="asyncio event loop"):
        engine.AsyncioEngine("loop")  # type: ignore[arg-type]
    loop.close()
    with pytest.raises(RuntimeError, match="closed"):
        engine.AsyncioEngine(loop)


def test_repr_names_the_loop(aengine: engine.AsyncioEngine) -> None:
    assert "AsyncioEngine on" in repr(aengine)
    assert "0 timers" in repr(aengine)


# ------------------------------------------------------------- main loop
def test_run_refuses_a_running_event_loop(in_app: Any) -> None:
    async def main() -> str:
        with pytest.raises(RuntimeError, match="running asyncio event loop"):
            run(lwt.return_(1))
        with pytest.raises(RuntimeError, match="running asyncio event loop"):
            engine.iter(False)
        return "refused"

    assert in_app(main) == "refused"


def test_run_wakes_paused_promises(aengine: engine.AsyncioEngine) -> None:
    order: list[int] = []

    @promise
    async def worker(i: int) -> None:
        for _ in range(3):
            order.append(i)
            await lwt.pause()

    run(lwt.join([worker(1), worker(2)]))
    assert order == [1, 2, 1, 2, 1, 2]


def test_run_returns_when_asyncio_code_resolves_the_promise(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    p: lwt.Promise[Any]
    r: lwt.Resolver[Any]
    p, r = lwt.wait()
    loop.call_later(0.01, lwt.wakeup, r, "from asyncio")
    assert run(p) == "from asyncio"


def test_asyncio_callbacks_run_while_run_waits(
    aengine: engine.AsyncioEngine, loop: asyncio.AbstractEventLoop
) -> None:
    seen: list[str] = []
    loop.call_later(0.005, seen.append, "asyncio callback")
    run(unix.sleep(0.03))
    assert seen == ["asyncio callback"]


def test_iteration_hooks_run_around_iterations(aengine: engine.AsyncioEngine) -> None:
    calls: list[str] = []
    enter = lwt_main.enter_iter_hooks.add_last(lambda: calls.append("enter"))
    leave = lwt_main.leave_iter_hooks.add_last(lambda: calls.append("leave"))
    try:
        run(unix.sleep(0.01).bind(lambda _: unix.sleep(0.01)))
    finally:
        enter.remove()
        leave.remove()
    assert calls[:2] == ["enter", "leave"]
    assert calls.count("enter") == calls.count("leave") >= 2


def test_paused_promises_are_woken_inside_a_running_application(in_app: Any) -> None:
    async def main() -> list[str]:
        order: list[str] = []

        @promise
        async def lwt_side() -> None:
            order.append("lwt before pause")
            await lwt.pause()
            order.append("lwt after pause")

        p = lwt_side()
        order.append("asyncio")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert not lwt.is_sleeping(p)
        return order

    assert in_app(main) == ["lwt before pause", "asyncio", "lwt after pause"]


# ------------------------------------------- threads, signals, processes
def test_worker_thread_jobs(aengine: engine.AsyncioEngine, tmp_path: Path) -> None:
    st = run(unix.stat(str(tmp_path)))
    assert st.st_ino == os.stat(tmp_path).st_ino
    main_thread = threading.get_ident()
    ident, total = run(preemptive.detach(lambda a, b: (threading.get_ident(), a + b), 40, 2))
    assert total == 42
    assert ident != main_thread


def test_worker_thread_jobs_inside_a_running_application(in_app: Any, tmp_path: Path) -> None:
    async def main() -> tuple[int, int]:
        st = await unix.stat(str(tmp_path))
        total = await preemptive.detach(sum, [1, 2, 3])
        return st.st_ino, total

    assert in_app(main) == (os.stat(tmp_path).st_ino, 6)


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="needs SIGUSR1")
def test_signals_reach_on_signal_handlers(aengine: engine.AsyncioEngine) -> None:
    got: lwt.Promise[Any]
    r: lwt.Resolver[Any]
    got, r = lwt.wait()
    h = unix.on_signal(signal.SIGUSR1, lambda n: lwt.wakeup(r, n))
    try:
        aengine.on_timer(0.0, False, lambda _ev: os.kill(os.getpid(), signal.SIGUSR1))
        assert run(got) == signal.SIGUSR1
    finally:
        unix.disable_signal_handler(h)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")
def test_child_processes_are_waited_for(aengine: engine.AsyncioEngine) -> None:
    assert run(unix.system("exit 3")) == unix.WEXITED(3)
