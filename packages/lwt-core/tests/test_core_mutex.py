"""Tests for lwt.core.mutex, after Lwt's test/core/test_lwt_mutex.ml, plus more."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.mutex as mutex_module
from lwt.core.mutex import Mutex


class Boom(Exception):
    pass


def _is_canceled(p: lwt.Promise[object]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


# --------------------------------------------------------------- Lwt's suite
def test_canceled_waiter_never_gets_the_mutex() -> None:
    m = Mutex()
    hold, release = lwt.wait()
    first = m.with_lock(lambda: hold)
    second_ran: list[bool] = []
    second = m.lock().map(lambda _: second_ran.append(True))

    second.cancel()
    assert _is_canceled(second)

    lwt.wakeup(release, None)
    assert first.state() == lwt.Return(None)
    # The canceled waiter was withdrawn, so the mutex is free for a newcomer.
    assert not m.is_locked()
    third = m.lock()
    assert third.state() == lwt.Return(None)
    assert second_ran == []


def test_cancel_after_unlock_queued_the_handover_has_no_effect() -> None:
    m = Mutex()
    hold, release = lwt.wait()
    first = m.with_lock(lambda: hold)
    second_ran: list[bool] = []

    def second_body(_: None) -> None:
        second_ran.append(True)
        m.unlock()

    second = m.lock().map(second_body)
    observed: dict[str, bool] = {}

    def inside_a_callback(_: None) -> lwt.Promise[None]:
        # Releasing the mutex here queues the handover (wakeup_later).
        lwt.wakeup(release, None)
        assert first.state() == lwt.Return(None)
        observed["passed"] = m.is_locked()
        observed["queued"] = not second_ran
        second.cancel()
        return lwt.return_unit

    outer, wake_outer = lwt.wait()
    done = outer.bind(inside_a_callback)
    lwt.wakeup_later(wake_outer, None)

    assert done.state() == lwt.Return(None)
    assert observed == {"passed": True, "queued": True}
    # The cancel came too late: the second waiter had the mutex and ran.
    assert second.state() == lwt.Return(None)
    assert second_ran == [True]
    assert not m.is_locked()


# ------------------------------------------------------------- lock, unlock
def test_new_mutex_is_unlocked_and_empty() -> None:
    m = Mutex()
    assert not m.is_locked()
    assert m.is_empty()


def test_lock_on_free_mutex_is_fulfilled_at_once() -> None:
    m = Mutex()
    p = m.lock()
    assert p.state() == lwt.Return(None)
    assert m.is_locked()
    assert m.is_empty()


def test_lock_on_held_mutex_waits() -> None:
    m = Mutex()
    m.lock()
    p = m.lock()
    assert p.is_sleeping()
    assert not m.is_empty()


def test_unlock_hands_the_mutex_to_the_waiter_without_freeing_it() -> None:
    m = Mutex()
    m.lock()
    p = m.lock()
    m.unlock()
    assert p.state() == lwt.Return(None)
    assert m.is_locked()
    assert m.is_empty()
    m.unlock()
    assert not m.is_locked()


def test_waiters_get_the_mutex_in_the_order_they_asked() -> None:
    m = Mutex()
    m.lock()
    order: list[int] = []
    for i in range(5):
        m.lock().on_success(lambda _, i=i: order.append(i))
    for _ in range(5):
        m.unlock()
    assert order == [0, 1, 2, 3, 4]
    assert m.is_locked()
    m.unlock()
    assert not m.is_locked()


def test_unlocking_an_unlocked_mutex_does_nothing() -> None:
    m = Mutex()
    m.unlock()
    assert not m.is_locked()
    assert m.lock().state() == lwt.Return(None)
    assert m.is_locked()


def test_canceled_waiter_is_skipped_by_unlock() -> None:
    m = Mutex()
    m.lock()
    a = m.lock()
    b = m.lock()
    a.cancel()
    m.unlock()
    assert _is_canceled(a)
    assert b.state() == lwt.Return(None)
    assert m.is_locked()


def test_canceling_the_only_waiter_empties_the_queue() -> None:
    m = Mutex()
    m.lock()
    a = m.lock()
    assert not m.is_empty()
    a.cancel()
    assert m.is_empty()
    m.unlock()
    assert not m.is_locked()


def test_canceling_the_holder_promise_does_not_release_the_mutex() -> None:
    m = Mutex()
    p = m.lock()
    p.cancel()
    assert p.state() == lwt.Return(None)
    assert m.is_locked()


def test_unlock_inside_a_callback_defers_the_waiters_callbacks() -> None:
    m = Mutex()
    m.lock()
    events: list[str] = []
    m.lock().on_success(lambda _: events.append("waiter runs"))
    trigger, wake = lwt.wait()

    def callback(_: None) -> None:
        m.unlock()
        events.append("unlock returned")

    trigger.on_success(callback)
    lwt.wakeup(wake, None)
    assert events == ["unlock returned", "waiter runs"]


def test_long_chain_of_waiters_does_not_overflow_the_stack() -> None:
    m = Mutex()
    m.lock()
    n = 20_000
    served = [0]

    def body(_: None) -> None:
        served[0] += 1
        m.unlock()

    for _ in range(n):
        m.lock().on_success(body)
    m.unlock()
    assert served[0] == n
    assert not m.is_locked()
    assert m.is_empty()


def test_many_canceled_waiters_do_not_accumulate() -> None:
    m = Mutex()
    m.lock()
    for _ in range(100_000):
        m.lock().cancel()
    assert m.is_empty()
    assert len(m._waiters) <= 200
    live = m.lock()
    m.unlock()
    assert live.state() == lwt.Return(None)


# --------------------------------------------------------------- with_lock
def test_with_lock_runs_f_holding_the_mutex_and_releases_it() -> None:
    m = Mutex()
    seen: list[bool] = []

    def f() -> lwt.Promise[int]:
        seen.append(m.is_locked())
        return lwt.return_(7)

    p = m.with_lock(f)
    assert p.state() == lwt.Return(7)
    assert seen == [True]
    assert not m.is_locked()


def test_with_lock_releases_after_rejection() -> None:
    m = Mutex()
    exc = Boom()
    p = m.with_lock(lambda: lwt.fail(exc))
    assert p.state() == lwt.Fail(exc)
    assert not m.is_locked()


def test_with_lock_releases_when_f_raises() -> None:
    m = Mutex()
    exc = Boom()

    def f() -> lwt.Promise[None]:
        raise exc

    p = m.with_lock(f)
    assert p.state() == lwt.Fail(exc)
    assert not m.is_locked()


def test_with_lock_waits_for_the_mutex_and_keeps_it_until_f_resolves() -> None:
    m = Mutex()
    m.lock()
    inner, resolve_inner = lwt.wait()
    calls: list[str] = []

    def f() -> lwt.Promise[str]:
        calls.append("f")
        return inner

    p = m.with_lock(f)
    assert calls == []
    m.unlock()
    assert calls == ["f"]
    assert m.is_locked()
    lwt.wakeup(resolve_inner, "done")
    assert p.state() == lwt.Return("done")
    assert not m.is_locked()


def test_with_lock_canceled_while_waiting_never_runs_f() -> None:
    m = Mutex()
    m.lock()
    calls: list[str] = []

    def f() -> lwt.Promise[None]:
        calls.append("f")
        return lwt.return_unit

    p = m.with_lock(f)
    p.cancel()
    assert _is_canceled(p)
    m.unlock()
    assert calls == []
    assert not m.is_locked()


def test_with_lock_canceled_while_f_runs_cancels_f_and_unlocks() -> None:
    m = Mutex()
    inner, _ = lwt.task()
    p = m.with_lock(lambda: inner)
    p.cancel()
    assert _is_canceled(inner)
    assert _is_canceled(p)
    assert not m.is_locked()


def test_with_lock_serialises_critical_sections() -> None:
    m = Mutex()
    log: list[str] = []
    gates = [lwt.wait() for _ in range(3)]

    def section(i: int) -> lwt.Promise[None]:
        log.append(f"enter {i}")
        return gates[i][0].map(lambda _: log.append(f"leave {i}"))

    for i in range(3):
        m.with_lock(lambda i=i: section(i))
    for i in (0, 1, 2):
        lwt.wakeup(gates[i][1], None)
    assert log == ["enter 0", "leave 0", "enter 1", "leave 1", "enter 2", "leave 2"]


# -------------------------------------------------------------- async with
def test_aenter_locks_and_aexit_unlocks_without_suppressing() -> None:
    m = Mutex()
    entered = m.__aenter__()
    assert entered.state() == lwt.Return(None)
    assert m.is_locked()
    exited = m.__aexit__(Boom, Boom(), None)
    assert exited.state() == lwt.Return(False)
    assert not m.is_locked()


def test_aenter_waits_while_the_mutex_is_held() -> None:
    m = Mutex()
    m.lock()
    entered = m.__aenter__()
    assert entered.is_sleeping()
    m.unlock()
    assert entered.state() == lwt.Return(None)
    assert m.is_locked()


# ---------------------------------------------------------- module surface
def test_module_functions_are_the_methods() -> None:
    m = Mutex()
    assert mutex_module.lock(m).state() == lwt.Return(None)
    assert mutex_module.is_locked(m)
    assert mutex_module.is_empty(m)
    mutex_module.unlock(m)
    assert not mutex_module.is_locked(m)
    assert mutex_module.with_lock(m, lambda: lwt.return_(1)).state() == lwt.Return(1)


def test_public_names_and_docstrings() -> None:
    assert Mutex.__module__ == "lwt.core.mutex"
    for name in mutex_module.__all__:
        assert getattr(mutex_module, name).__doc__, name


# ------------------------------------------------------------ model check
_ops = st.lists(
    st.one_of(
        st.just(("lock", 0)),
        st.just(("unlock", 0)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_ops)
def test_mutex_matches_a_fifo_model(ops: list[tuple[str, int]]) -> None:
    m = Mutex()
    promises: list[lwt.Promise[None]] = []
    granted: list[int] = []
    model_locked = False
    model_queue: deque[int] = deque()
    model_granted: list[int] = []
    model_canceled: set[int] = set()

    for op, arg in ops:
        if op == "lock":
            i = len(promises)
            p = m.lock()
            promises.append(p)
            p.on_success(lambda _, i=i: granted.append(i))
            if model_locked:
                model_queue.append(i)
            else:
                model_locked = True
                model_granted.append(i)
        elif op == "unlock":
            m.unlock()
            if model_queue:
                model_granted.append(model_queue.popleft())
            else:
                model_locked = False
        elif promises:
            i = arg % len(promises)
            promises[i].cancel()
            if i in model_queue:
                model_queue.remove(i)
                model_canceled.add(i)

        assert m.is_locked() == model_locked
        assert m.is_empty() == (not model_queue)
        assert granted == model_granted
        for i, p in enumerate(promises):
            if i in model_canceled:
                assert _is_canceled(p)
            elif i in model_granted:
                assert p.state() == lwt.Return(None)
            else:
                assert p.is_sleeping()
