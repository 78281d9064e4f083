"""Notifications: waking the loop from other threads and from signal handlers."""

from __future__ import annotations

import functools
import signal
import threading

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.main import run


def _same(p: lwt.Promise[object]) -> lwt.Promise[object]:
    return p


def test_notification_from_another_thread_runs_in_the_loop_thread() -> None:
    p: lwt.Promise[object]
    r: lwt.Resolver[object]
    p, r = lwt.wait()
    threads: list[threading.Thread] = []

    def handler() -> None:
        threads.append(threading.current_thread())
        lwt.wakeup(r, "woken")

    ident = unix.make_notification(handler, once=True)
    assert engine.readable_count() == 1  # the wake-up descriptor
    t = threading.Thread(target=unix.send_notification, args=(ident,))
    t.start()
    assert run(p) == "woken"
    t.join()
    assert threads == [threading.main_thread()]
    assert engine.readable_count() == 0  # once: stopped, nothing left


def test_repeated_notification_runs_each_time_until_stopped() -> None:
    count = [0]
    done: lwt.Promise[object]
    r: lwt.Resolver[object]
    done, r = lwt.wait()

    def handler() -> None:
        count[0] += 1
        if count[0] == 3:
            lwt.wakeup(r, None)

    ident = unix.make_notification(handler)
    for _ in range(3):
        unix.send_notification(ident)
    run(done)
    assert count[0] == 3
    unix.stop_notification(ident)
    unix.send_notification(ident)  # stopped: dropped
    run(unix.sleep(0.01))
    assert count[0] == 3
    assert engine.readable_count() == 0


def test_many_threads_sending_many_notifications_lose_none() -> None:
    per_thread, nthreads = 2000, 4
    total = per_thread * nthreads
    received = [0]
    done: lwt.Promise[object]
    r: lwt.Resolver[object]
    done, r = lwt.wait()

    def handler() -> None:
        received[0] += 1
        if received[0] == total:
            lwt.wakeup(r, None)

    ident = unix.make_notification(handler)

    def sender() -> None:
        for _ in range(per_thread):
            unix.send_notification(ident)

    threads = [threading.Thread(target=sender) for _ in range(nthreads)]
    for t in threads:
        t.start()
    run(unix.with_timeout(10.0, lambda: done))
    for t in threads:
        t.join()
    assert received[0] == total
    unix.stop_notification(ident)


def test_notification_from_a_signal_handler() -> None:
    p: lwt.Promise[object]
    r: lwt.Resolver[object]
    p, r = lwt.wait()
    ident = unix.make_notification(lambda: lwt.wakeup(r, "signalled"), once=True)
    previous = signal.signal(signal.SIGUSR1, lambda _signum, _frame: unix.send_notification(ident))
    try:
        signal.raise_signal(signal.SIGUSR1)
        assert run(p) == "signalled"
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_set_notification_replaces_the_function() -> None:
    seen: list[str] = []
    ident = unix.make_notification(lambda: seen.append("old"))
    unix.set_notification(ident, lambda: seen.append("new"))
    unix.call_notification(ident)
    assert seen == ["new"]
    unix.stop_notification(ident)
    with pytest.raises(lwt.NotFound):
        unix.set_notification(ident, lambda: None)
    unix.call_notification(ident)  # unknown: ignored
    assert seen == ["new"]


def test_call_notification_removes_a_once_notification() -> None:
    seen: list[int] = []
    ident = unix.make_notification(lambda: seen.append(1), once=True)
    unix.call_notification(ident)
    unix.call_notification(ident)
    assert seen == [1]
    assert engine.readable_count() == 0


def test_exception_in_a_handler_goes_to_the_hook_and_others_still_run(
    async_exceptions: list[BaseException],
) -> None:
    exc = ValueError("handler")
    ok: lwt.Promise[object]
    r: lwt.Resolver[object]
    ok, r = lwt.wait()

    def bad() -> None:
        raise exc

    a = unix.make_notification(bad, once=True)
    b = unix.make_notification(lambda: lwt.wakeup(r, None), once=True)
    unix.send_notification(a)
    unix.send_notification(b)
    run(ok)
    assert async_exceptions == [exc]


def test_notifications_follow_an_engine_change() -> None:
    p: lwt.Promise[object]
    r: lwt.Resolver[object]
    p, r = lwt.wait()
    ident = unix.make_notification(lambda: lwt.wakeup(r, 1), once=True)
    engine.set(engine.SelectEngine())
    unix.send_notification(ident)
    assert run(p) == 1


def test_back_to_back_round_trips_through_a_worker_lose_no_wake_up() -> None:
    # One worker thread answers each request at once: the loop thread drains
    # the wake-up descriptor while the worker may be signalling again.
    import queue

    requests: queue.Queue[int | None] = queue.Queue()

    def worker() -> None:
        while (ident := requests.get()) is not None:
            unix.send_notification(ident)

    t = threading.Thread(target=worker)
    t.start()
    try:
        for i in range(300):
            p: lwt.Promise[object]
            r: lwt.Resolver[object]
            p, r = lwt.wait()
            ident = unix.make_notification(functools.partial(lwt.wakeup, r, i), once=True)
            requests.put(ident)
            assert run(unix.with_timeout(5.0, functools.partial(_same, p))) == i
    finally:
        requests.put(None)
        t.join()
