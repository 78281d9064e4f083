"""lwt.unix.timers: Lwt_timeout's restartable timers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
import lwt.unix.timers as timers
from lwt.unix.main import run


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def default_handler() -> Iterator[None]:
    yield
    timers.set_exn_handler(timers._default_handler)


def test_timer_does_not_fire_until_started() -> None:
    fired: list[str] = []
    t = timers.Timer(0.01, lambda: fired.append("x"))
    assert not t.started
    run(unix.sleep(0.03))
    assert fired == []
    assert engine.timer_count() == 0


def test_started_timer_fires_once_after_its_delay() -> None:
    fired: list[float] = []
    t0 = time.monotonic()
    t = timers.Timer(0.02, lambda: fired.append(time.monotonic() - t0))
    t.start()
    assert t.started
    run(unix.sleep(0.08))
    assert len(fired) == 1
    assert fired[0] >= 0.02
    assert not t.started
    assert engine.timer_count() == 0


def test_stopped_timer_does_not_fire_and_stop_twice_is_harmless() -> None:
    fired: list[str] = []
    t = timers.Timer(0.01, lambda: fired.append("x"))
    timers.start(t)
    timers.stop(t)
    timers.stop(t)
    run(unix.sleep(0.03))
    assert fired == []


def test_restarting_pushes_the_deadline_back() -> None:
    fired: list[float] = []
    t = timers.Timer(0.2, lambda: fired.append(time.monotonic()))
    t.start()
    run(unix.sleep(0.1))
    restarted = time.monotonic()
    t.start()  # the full delay again, from now
    run(unix.sleep(0.1))
    assert fired == []
    while not fired:
        run(unix.sleep(0.02))
    assert fired[0] - restarted >= 0.2


def test_change_rearms_a_started_timer_and_only_stores_otherwise() -> None:
    fired: list[str] = []
    t = timers.Timer(10.0, lambda: fired.append("changed"))
    t.start()
    timers.change(t, 0.01)
    assert t.delay == 0.01
    run(unix.sleep(0.04))
    assert fired == ["changed"]
    idle = timers.Timer(10.0, lambda: fired.append("idle"))
    idle.change(0.01)
    assert not idle.started
    run(unix.sleep(0.03))
    assert fired == ["changed"]


def test_bad_delays_are_refused() -> None:
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(lwt.InvalidArgument):
            timers.Timer(bad, lambda: None)
    t = timers.Timer(1.0, lambda: None)
    with pytest.raises(lwt.InvalidArgument):
        t.change(0)


def test_action_exceptions_go_to_the_handler() -> None:
    seen: list[BaseException] = []
    timers.set_exn_handler(seen.append)

    def boom() -> None:
        raise Boom

    timers.Timer(0.001, boom).start()
    run(unix.sleep(0.02))
    assert [type(e) for e in seen] == [Boom]


def test_default_handler_is_the_async_exception_hook(async_exceptions: list[BaseException]) -> None:
    def boom() -> None:
        raise Boom

    timers.Timer(0.001, boom).start()
    run(unix.sleep(0.02))
    assert [type(e) for e in async_exceptions] == [Boom]
