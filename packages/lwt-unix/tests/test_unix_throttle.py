"""lwt.unix.throttle: Lwt_throttle's per-channel rate limiter."""

from __future__ import annotations

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
import lwt.unix.throttle as throttle
from lwt.unix.main import run

PERIOD = 0.02


@pytest.fixture(autouse=True)
def short_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "_PERIOD", PERIOD)


def drain() -> None:
    """Let the clean-up run until the throttle is idle (no timer left)."""
    run(unix.sleep(PERIOD * 4))


def test_creation_checks_its_arguments() -> None:
    for args in ((0, 1, 0), (1, 0, 0), (1, 1, -1)):
        with pytest.raises(lwt.InvalidArgument):
            throttle.Throttle(*args)


def test_within_the_rate_promises_are_fulfilled_at_once() -> None:
    t = throttle.Throttle(rate=3, max=10, n=1)
    ps = [t.wait("a") for _ in range(3)]
    assert [lwt.state(p) for p in ps] == [lwt.Return(True)] * 3
    drain()
    assert engine.timer_count() == 0


def test_beyond_the_rate_callers_wait_for_the_next_period_in_order() -> None:
    t = throttle.Throttle(rate=2, max=10, n=1)
    assert [lwt.poll(t.wait("a")) for _ in range(2)] == [True, True]
    late = [t.wait("a") for _ in range(3)]
    assert all(lwt.is_sleeping(p) for p in late)
    order: list[int] = []
    for i, p in enumerate(late):
        p.on_success(lambda _v, i=i: order.append(i))
    run(late[1])
    assert order == [0, 1]
    assert lwt.is_sleeping(late[2])
    assert run(late[2]) is True
    assert order == [0, 1, 2]
    drain()


def test_channels_are_independent() -> None:
    t = throttle.Throttle(rate=1, max=10, n=2)
    assert lwt.poll(t.wait("a")) is True
    assert lwt.poll(t.wait(("b", 1))) is True
    assert lwt.is_sleeping(t.wait("a"))
    drain()


def test_over_max_waiting_the_answer_is_false_at_once() -> None:
    t = throttle.Throttle(rate=1, max=2, n=1)
    assert lwt.poll(t.wait("k")) is True
    waiting = [t.wait("k"), t.wait("other-but-counted")]
    assert lwt.is_sleeping(waiting[0])
    assert lwt.poll(waiting[1]) is True  # a fresh channel has its turn
    w2 = t.wait("k")
    assert lwt.is_sleeping(w2)
    assert lwt.state(t.wait("k")) == lwt.Return(False)
    assert run(lwt.all([waiting[0], w2])) == [True, True]
    drain()


def test_cancelling_a_waiter_gives_its_place_back() -> None:
    t = throttle.Throttle(rate=1, max=1, n=1)
    assert lwt.poll(t.wait("k")) is True
    w = t.wait("k")
    assert lwt.state(t.wait("k")) == lwt.Return(False)
    w.cancel()
    w2 = t.wait("k")
    assert lwt.is_sleeping(w2)
    assert run(w2) is True
    drain()


def test_module_function_is_the_method() -> None:
    t = throttle.Throttle(rate=1, max=1, n=0)
    assert lwt.poll(throttle.wait(t, "x")) is True
    drain()
