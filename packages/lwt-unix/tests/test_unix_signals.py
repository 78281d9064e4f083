"""lwt.unix signal handlers: callbacks run by the loop, not in the handler."""

from __future__ import annotations

import os
import signal

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.main import run


def kill_self(signum: int) -> None:
    os.kill(os.getpid(), signum)


def test_callback_runs_in_the_loop_not_in_the_handler() -> None:
    seen: list[int] = []
    h = unix.on_signal(signal.SIGUSR1, seen.append)
    assert unix.signal_count() == 1
    try:
        kill_self(signal.SIGUSR1)
        assert seen == []  # only a notification was sent
        run(unix.sleep(0.01))
        assert seen == [signal.SIGUSR1]
    finally:
        unix.disable_signal_handler(h)
    assert unix.signal_count() == 0
    assert engine.readable_count() == 0


def test_signal_wakes_a_blocked_loop() -> None:
    p, r = lwt.wait()
    h = unix.on_signal(signal.SIGUSR2, lambda n: lwt.wakeup(r, n))
    timer = unix.sleep(0.01).map(lambda _: kill_self(signal.SIGUSR2))
    try:
        assert run(p) == signal.SIGUSR2
        run(timer)
    finally:
        h.disable()


def test_every_handler_runs_in_order_and_each_delivery_counts() -> None:
    seen: list[str] = []
    h1 = unix.on_signal(signal.SIGUSR1, lambda n: seen.append("first"))
    h2 = unix.on_signal_full(signal.SIGUSR1, lambda h, n: seen.append("second"))
    assert unix.signal_count() == 2
    try:
        kill_self(signal.SIGUSR1)
        run(unix.sleep(0.005))
        kill_self(signal.SIGUSR1)
        run(unix.sleep(0.005))
        assert seen == ["first", "second", "first", "second"]
    finally:
        h1.disable()
        h2.disable()


def test_full_handler_can_disable_itself() -> None:
    seen: list[int] = []

    def once(h: unix.SignalHandlerId, n: int) -> None:
        seen.append(n)
        unix.disable_signal_handler(h)

    h = unix.on_signal_full(signal.SIGUSR1, once)
    kill_self(signal.SIGUSR1)
    run(unix.sleep(0.005))
    assert seen == [signal.SIGUSR1]
    assert not h.active
    assert unix.signal_count() == 0
    unix.disable_signal_handler(h)  # twice: nothing


def test_previous_handler_is_restored_and_reinstall_puts_ours_back() -> None:
    before = signal.getsignal(signal.SIGUSR1)
    seen: list[int] = []
    h = unix.on_signal(signal.SIGUSR1, seen.append)
    try:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        kill_self(signal.SIGUSR1)
        run(unix.sleep(0.005))
        assert seen == []
        unix.reinstall_signal_handler(signal.SIGUSR1)
        unix.reinstall_signal_handler(signal.SIGUSR2)  # none registered: nothing
        kill_self(signal.SIGUSR1)
        run(unix.sleep(0.005))
        assert seen == [signal.SIGUSR1]
    finally:
        h.disable()
    assert signal.getsignal(signal.SIGUSR1) == before


def test_handle_signal_acts_as_if_received() -> None:
    seen: list[int] = []
    h = unix.on_signal(signal.SIGUSR2, seen.append)
    try:
        unix.handle_signal(signal.SIGUSR2)
        unix.handle_signal(signal.SIGUSR1)  # nothing registered: nothing
        run(unix.sleep(0.005))
        assert seen == [signal.SIGUSR2]
    finally:
        h.disable()


def test_callback_exception_goes_to_the_hook(async_exceptions: list[BaseException]) -> None:
    def boom(_n: int) -> None:
        raise KeyError("in callback")

    h = unix.on_signal(signal.SIGUSR1, boom)
    try:
        kill_self(signal.SIGUSR1)
        run(unix.sleep(0.005))
    finally:
        h.disable()
    assert [type(e) for e in async_exceptions] == [KeyError]


def test_uncatchable_signal_is_refused() -> None:
    with pytest.raises((ValueError, OSError), match=r"."):
        unix.on_signal(signal.SIGKILL, lambda n: None)
    assert unix.signal_count() == 0
    assert engine.readable_count() == 0


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no pthread_sigmask")
def test_on_signal_unblocks_its_signal_in_the_loop_thread() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
    try:
        got: lwt.Promise[int]
        got, r = lwt.wait()
        h = unix.on_signal(signal.SIGUSR2, lambda signum: lwt.wakeup(r, signum))
        assert signal.SIGUSR2 not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        os.kill(os.getpid(), signal.SIGUSR2)
        assert run(got) == signal.SIGUSR2
        h.disable()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2])
