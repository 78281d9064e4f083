"""Sleeping and timeouts (Lwt_unix's sleep, timeout, with_timeout, pause, auto_pause)."""

from __future__ import annotations

import time

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.main import run


class Boom(Exception):
    pass


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


def test_sleep_ends_no_earlier_than_asked() -> None:
    start = time.monotonic()
    p = unix.sleep(0.03)
    assert p.is_sleeping()
    assert engine.timer_count() == 1
    assert run(p) is None
    assert elapsed_since(start) >= 0.03
    assert engine.timer_count() == 0


def test_sleeps_end_in_order_of_their_durations() -> None:
    order: list[float] = []
    durations = [0.03, 0.0, 0.02, 0.01, 0.025]

    def record(d: float) -> lwt.Promise[None]:
        return unix.sleep(d).map(lambda _: order.append(d))

    ps = [record(d) for d in durations]
    run(lwt.join(ps))
    assert order == sorted(durations)


def test_cancelling_a_sleep_rejects_it_and_removes_its_timer() -> None:
    p = unix.sleep(10.0)
    assert engine.timer_count() == 1
    p.cancel()
    assert engine.timer_count() == 0
    assert isinstance(p.state(), lwt.Fail)
    with pytest.raises(lwt.Canceled):
        run(p)


def test_cancelling_a_finished_sleep_does_nothing() -> None:
    p = unix.sleep(0.0)
    run(p)
    p.cancel()
    assert p.state() == lwt.Return(None)


def test_timeout_is_rejected_with_timeout_after_the_delay() -> None:
    start = time.monotonic()
    with pytest.raises(unix.Timeout):
        run(unix.timeout(0.02))
    assert elapsed_since(start) >= 0.02


def test_cancelling_a_timeout_removes_its_timer() -> None:
    p = unix.timeout(10.0)
    assert engine.timer_count() == 1
    p.cancel()
    assert engine.timer_count() == 0
    assert isinstance(p.state(), lwt.Fail)


def test_with_timeout_returns_the_value_when_in_time() -> None:
    assert run(unix.with_timeout(1.0, lambda: lwt.pause().map(lambda _: "ok"))) == "ok"
    assert engine.timer_count() == 0  # the timeout was cancelled


def test_with_timeout_of_an_already_resolved_promise() -> None:
    p = unix.with_timeout(1.0, lambda: lwt.return_(5))
    assert p.state() == lwt.Return(5)
    assert engine.timer_count() == 0


def test_with_timeout_rejects_and_cancels_a_late_promise() -> None:
    start = time.monotonic()
    inner = unix.sleep(10.0)
    with pytest.raises(unix.Timeout):
        run(unix.with_timeout(0.02, lambda: inner))
    assert elapsed_since(start) >= 0.02
    assert isinstance(inner.state(), lwt.Fail)
    assert isinstance(inner.state().exc, lwt.Canceled)  # type: ignore[union-attr]
    assert engine.timer_count() == 0


def test_with_timeout_passes_on_what_the_thunk_raises() -> None:
    exc = Boom()

    def thunk() -> lwt.Promise[None]:
        raise exc

    with pytest.raises(Boom) as info:
        run(unix.with_timeout(1.0, thunk))
    assert info.value is exc
    assert engine.timer_count() == 0


def test_pause_is_not_immediate_while_bind_on_resolved_is() -> None:
    bound: list[bool] = []
    lwt.async_(lambda: lwt.return_unit.map(lambda _: bound.append(True)))
    paused: list[bool] = []
    lwt.async_(lambda: unix.yield_().map(lambda _: paused.append(True)))
    assert bound == [True]
    assert paused == []
    run(unix.sleep(0.0))
    assert paused == [True]


def test_auto_pause_pauses_once_the_period_has_passed() -> None:
    f = unix.auto_pause(0.02)

    def immediate() -> bool:
        done: list[bool] = []
        lwt.async_(lambda: f().map(lambda _: done.append(True)))
        return bool(done)

    assert immediate()
    assert immediate()
    run(unix.sleep(0.03))
    assert not immediate()  # the period passed: this one pauses
    assert immediate()  # and the period starts again
    assert immediate()
    run(lwt.pause())


def test_auto_yield_is_auto_pause() -> None:
    f = unix.auto_yield(10.0)
    assert f().state() == lwt.Return(None)


def test_timeout_exception_has_a_message() -> None:
    assert str(unix.Timeout()) == "the operation timed out"
    assert str(unix.Timeout("custom")) == "custom"


def test_thousands_of_sleeps_all_complete() -> None:
    ps = [unix.sleep(i % 10 * 0.002) for i in range(5000)]
    assert engine.timer_count() == 5000
    run(lwt.join(ps))
    assert engine.timer_count() == 0
