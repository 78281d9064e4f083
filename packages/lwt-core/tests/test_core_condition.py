"""Tests for lwt.core.condition, after Lwt's test/core/test_lwt_condition.ml, plus more."""

from __future__ import annotations

import pytest

import lwt.core as lwt
import lwt.core.condition as condition_module
from lwt.core.condition import Condition
from lwt.core.mutex import Mutex


class Boom(Exception):
    pass


def _is_canceled(p: lwt.Promise[object]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


# --------------------------------------------------------------- Lwt's suite
def test_signal_fulfils_a_waiter_with_its_value() -> None:
    c: Condition[int] = Condition()
    w = c.wait()
    c.signal(1)
    assert w.state() == lwt.Return(1)


def test_mutex_is_released_while_waiting() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w = c.wait(mutex=m)
    assert w.is_sleeping()
    assert not m.is_locked()


def test_mutex_is_held_again_when_the_wait_ends() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w = c.wait(mutex=m)
    c.signal(1)
    seen: list[tuple[int, bool]] = []
    w.on_success(lambda v: seen.append((v, m.is_locked())))
    assert seen == [(1, True)]


def test_signal_is_forgotten_when_nobody_waits() -> None:
    c: Condition[int] = Condition()
    c.signal(1)
    w = c.wait()
    assert w.is_sleeping()


def test_broadcast_fulfils_every_waiter() -> None:
    c: Condition[int] = Condition()
    w1 = c.wait()
    w2 = c.wait()
    c.broadcast(1)
    assert w1.state() == lwt.Return(1)
    assert w2.state() == lwt.Return(1)


def test_broadcast_exn_rejects_every_waiter() -> None:
    c: Condition[int] = Condition()
    w1 = c.wait()
    w2 = c.wait()
    exc = Boom()
    c.broadcast_exn(exc)
    assert w1.state() == lwt.Fail(exc)
    assert w2.state() == lwt.Fail(exc)


# ------------------------------------------------------------------ signal
def test_signal_wakes_only_the_oldest_waiter() -> None:
    c: Condition[str] = Condition()
    w1 = c.wait()
    w2 = c.wait()
    c.signal("a")
    assert w1.state() == lwt.Return("a")
    assert w2.is_sleeping()
    c.signal("b")
    assert w2.state() == lwt.Return("b")


def test_canceled_waiter_is_skipped_by_signal() -> None:
    c: Condition[str] = Condition()
    w1 = c.wait()
    w2 = c.wait()
    w1.cancel()
    assert _is_canceled(w1)
    c.signal("x")
    assert w2.state() == lwt.Return("x")


def test_signal_inside_a_callback_defers_the_waiters_callbacks() -> None:
    c: Condition[int] = Condition()
    events: list[str] = []
    c.wait().on_success(lambda v: events.append(f"woken with {v}"))
    trigger, wake = lwt.wait()

    def callback(_: None) -> None:
        c.signal(3)
        events.append("signal returned")

    trigger.on_success(callback)
    lwt.wakeup(wake, None)
    assert events == ["signal returned", "woken with 3"]


def test_many_canceled_waiters_do_not_accumulate() -> None:
    c: Condition[int] = Condition()
    for _ in range(100_000):
        c.wait().cancel()
    assert len(c._waiters) <= 200
    w = c.wait()
    c.signal(5)
    assert w.state() == lwt.Return(5)


# --------------------------------------------------------------- broadcast
def test_broadcast_wakes_waiters_oldest_first() -> None:
    c: Condition[int] = Condition()
    order: list[int] = []
    for i in range(4):
        c.wait().on_success(lambda _, i=i: order.append(i))
    c.broadcast(0)
    assert order == [0, 1, 2, 3]


def test_broadcast_does_not_wake_those_that_wait_afterwards() -> None:
    c: Condition[int] = Condition()
    later: list[lwt.Promise[int]] = []

    def wait_again(_: int) -> None:
        later.append(c.wait())

    c.wait().on_success(wait_again)
    c.broadcast(1)
    assert len(later) == 1
    assert later[0].is_sleeping()
    c.broadcast(2)
    assert later[0].state() == lwt.Return(2)


def test_broadcast_with_no_waiter_does_nothing() -> None:
    c: Condition[int] = Condition()
    c.broadcast(1)
    c.broadcast_exn(Boom())
    w = c.wait()
    assert w.is_sleeping()


def test_broadcast_skips_canceled_waiters() -> None:
    c: Condition[int] = Condition()
    w1 = c.wait()
    w2 = c.wait()
    w1.cancel()
    c.broadcast(9)
    assert _is_canceled(w1)
    assert w2.state() == lwt.Return(9)


def test_broadcast_exn_rejects_a_non_exception_before_waking_anyone() -> None:
    c: Condition[int] = Condition()
    w = c.wait()
    with pytest.raises(TypeError, match="broadcast_exn"):
        c.broadcast_exn("not an exception")  # type: ignore[arg-type]
    assert w.is_sleeping()
    c.signal(1)
    assert w.state() == lwt.Return(1)


# ------------------------------------------------------------ with a mutex
def test_wait_requires_the_mutex_to_be_locked() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    with pytest.raises(lwt.InvalidArgument, match="mutex"):
        c.wait(mutex=m)
    c.signal(1)
    assert not m.is_locked()


def test_woken_waiter_waits_for_the_mutex_before_resolving() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w = c.wait(mutex=m)
    other = m.lock()
    assert other.state() == lwt.Return(None)
    c.signal(4)
    assert w.is_sleeping()
    m.unlock()
    assert w.state() == lwt.Return(4)
    assert m.is_locked()


def test_canceled_wait_takes_the_mutex_back_before_rejecting() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w = c.wait(mutex=m)
    other = m.lock()
    assert other.state() == lwt.Return(None)
    w.cancel()
    assert w.is_sleeping()
    m.unlock()
    assert _is_canceled(w)
    assert m.is_locked()
    c.signal(1)  # the canceled waiter is gone; nothing happens
    assert m.is_locked()


def test_broadcast_exn_takes_the_mutex_back_before_rejecting() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w = c.wait(mutex=m)
    exc = Boom()
    c.broadcast_exn(exc)
    assert w.state() == lwt.Fail(exc)
    assert m.is_locked()


def test_waiters_with_a_mutex_take_it_one_after_the_other() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    log: list[str] = []
    waits = []
    for name in ("a", "b"):
        m.lock()
        waits.append(c.wait(mutex=m).map(lambda v, name=name: log.append(f"{name}{v}")))
    c.broadcast(1)
    assert log == ["a1"]
    m.unlock()
    assert log == ["a1", "b1"]
    m.unlock()
    assert not m.is_locked()


# ---------------------------------------------------------- module surface
def test_module_functions_are_the_methods() -> None:
    c: Condition[int] = Condition()
    m = Mutex()
    m.lock()
    w1 = condition_module.wait(c)
    w2 = condition_module.wait(c, mutex=m)
    w3 = condition_module.wait(c)
    condition_module.signal(c, 1)
    assert w1.state() == lwt.Return(1)
    condition_module.broadcast(c, 2)
    assert w2.state() == lwt.Return(2)
    assert w3.state() == lwt.Return(2)
    w4 = condition_module.wait(c)
    exc = Boom()
    condition_module.broadcast_exn(c, exc)
    assert w4.state() == lwt.Fail(exc)


def test_public_names_and_docstrings() -> None:
    assert Condition.__module__ == "lwt.core.condition"
    for name in condition_module.__all__:
        assert getattr(condition_module, name).__doc__, name
