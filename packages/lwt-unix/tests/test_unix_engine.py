"""The engines (Lwt_engine): timers, descriptors, counts, transfer, destroy.

Every test of the engine suite runs on each engine (``any_engine``:
default, select, poll), on real pipes.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator

import pytest

import lwt.core as lwt
import lwt.unix.engine as engine
from lwt.unix.engine import Engine, Event


def iterate_until(eng: Engine, cond: Callable[[], bool], limit: float = 2.0) -> None:
    """Run ``eng.iter(True)`` until ``cond()``; fail after ``limit`` seconds."""
    expired: list[bool] = []
    guard = eng.on_timer(limit, False, lambda _ev: expired.append(True))
    try:
        while not cond() and not expired:
            eng.iter(True)
    finally:
        guard.stop()
    assert cond(), "the condition did not become true in time"


@pytest.fixture
def pipe_fds() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    yield r, w
    for fd in (r, w):
        with contextlib.suppress(OSError):
            os.close(fd)


# ------------------------------------------------------------------ timers
def test_timer_fires_no_earlier_than_its_delay(any_engine: Engine) -> None:
    start = time.monotonic()
    fired: list[float] = []
    any_engine.on_timer(0.02, False, lambda _ev: fired.append(time.monotonic()))
    assert any_engine.timer_count() == 1
    iterate_until(any_engine, lambda: bool(fired))
    assert fired[0] - start >= 0.02
    assert any_engine.timer_count() == 0


def test_timers_fire_in_deadline_order_then_registration_order(any_engine: Engine) -> None:
    order: list[str] = []
    any_engine.on_timer(0.03, False, lambda _ev: order.append("late"))
    any_engine.on_timer(0.0, False, lambda _ev: order.append("first zero"))
    any_engine.on_timer(0.01, False, lambda _ev: order.append("early"))
    any_engine.on_timer(0.0, False, lambda _ev: order.append("second zero"))
    iterate_until(any_engine, lambda: len(order) == 4)
    assert order == ["first zero", "second zero", "early", "late"]


def test_many_timers_fire_in_deadline_order(any_engine: Engine) -> None:
    rng = random.Random(7)
    fired: list[Event] = []
    events = [any_engine.on_timer(rng.uniform(0.0, 0.03), False, fired.append) for _ in range(2000)]
    iterate_until(any_engine, lambda: len(fired) == len(events))
    # The deadline each timer got when it was registered (a private field:
    # deadlines computed outside the engine would be off by any preemption).
    deadlines = [ev._deadline for ev in fired]
    assert deadlines == sorted(deadlines)
    assert sorted(map(id, fired)) == sorted(map(id, events))
    assert any_engine.timer_count() == 0


def test_stopped_timer_does_not_fire_and_is_not_counted(any_engine: Engine) -> None:
    fired: list[str] = []
    ev = any_engine.on_timer(0.0, False, lambda _ev: fired.append("stopped one"))
    any_engine.on_timer(0.01, False, lambda _ev: fired.append("other"))
    assert any_engine.timer_count() == 2
    ev.stop()
    assert any_engine.timer_count() == 1
    ev.stop()  # twice: nothing happens
    assert any_engine.timer_count() == 1
    iterate_until(any_engine, lambda: bool(fired))
    assert fired == ["other"]


def test_timer_stopped_by_an_earlier_callback_of_the_same_batch_does_not_fire(
    any_engine: Engine,
) -> None:
    fired: list[str] = []
    later: list[Event] = []

    def first(_ev: Event) -> None:
        fired.append("first")
        later[0].stop()

    any_engine.on_timer(0.0, False, first)
    later.append(any_engine.on_timer(0.0, False, lambda _ev: fired.append("second")))
    time.sleep(0.005)
    any_engine.iter(False)
    assert fired == ["first"]
    assert any_engine.timer_count() == 0


def test_timer_added_by_a_callback_waits_for_the_next_iteration(any_engine: Engine) -> None:
    fired: list[str] = []

    def outer(_ev: Event) -> None:
        fired.append("outer")
        any_engine.on_timer(0.0, False, lambda _ev: fired.append("inner"))

    any_engine.on_timer(0.0, False, outer)
    any_engine.iter(True)
    assert fired == ["outer"]
    any_engine.iter(True)
    assert fired == ["outer", "inner"]


def test_stopping_a_timer_in_its_own_callback_is_harmless(any_engine: Engine) -> None:
    calls: list[int] = []

    def f(ev: Event) -> None:
        calls.append(1)
        ev.stop()

    any_engine.on_timer(0.0, False, f)
    any_engine.iter(True)
    assert calls == [1]
    assert any_engine.timer_count() == 0


def test_repeating_timer_fires_each_period_without_drift(any_engine: Engine) -> None:
    period = 0.01
    start = time.monotonic()
    times: list[float] = []

    def tick(ev: Event) -> None:
        times.append(time.monotonic())
        time.sleep(0.003)  # slow callbacks must not push later deadlines back
        if len(times) == 8:
            ev.stop()

    any_engine.on_timer(period, True, tick)
    iterate_until(any_engine, lambda: len(times) == 8)
    assert any_engine.timer_count() == 0
    for k, t in enumerate(times, start=1):
        assert t - start >= k * period  # never early
    # Without drift the k-th tick is due at start + k * period, however long
    # the callbacks take: the last one is not late by 8 callback durations.
    assert times[-1] - start < 8 * period + 0.5


def test_negative_delay_counts_as_zero(any_engine: Engine) -> None:
    fired: list[bool] = []
    any_engine.on_timer(-5.0, False, lambda _ev: fired.append(True))
    any_engine.iter(True)
    assert fired == [True]


def test_nan_delay_and_non_positive_period_are_rejected(any_engine: Engine) -> None:
    with pytest.raises(lwt.InvalidArgument, match="NaN"):
        any_engine.on_timer(float("nan"), False, lambda _ev: None)
    with pytest.raises(lwt.InvalidArgument, match="positive period"):
        any_engine.on_timer(0.0, True, lambda _ev: None)
    assert any_engine.timer_count() == 0


def test_stopped_timers_do_not_pile_up_in_the_heap(any_engine: Engine) -> None:
    events = [any_engine.on_timer(60.0, False, lambda _ev: None) for _ in range(10_000)]
    for ev in events:
        ev.stop()
    assert any_engine.timer_count() == 0
    assert len(any_engine._timers) <= 2048


def test_mass_stop_inside_a_timer_callback_keeps_repeating_timers(any_engine: Engine) -> None:
    many = [any_engine.on_timer(60.0, False, lambda _ev: None) for _ in range(3000)]
    ticks: list[int] = []

    def tick(ev: Event) -> None:
        ticks.append(1)
        if len(ticks) == 1:
            for other in many:  # enough dead entries to rebuild the heap
                other.stop()
        if len(ticks) == 3:
            ev.stop()

    any_engine.on_timer(0.005, True, tick)
    iterate_until(any_engine, lambda: len(ticks) == 3)
    assert any_engine.timer_count() == 0


def test_transfer_inside_a_timer_callback(any_engine: Engine) -> None:
    target = engine.SelectorEngine()
    ticks: list[Engine | None] = []

    def tick(ev: Event) -> None:
        ticks.append(ev._engine)
        if len(ticks) == 1:
            any_engine.transfer(target)
        elif len(ticks) == 3:
            ev.stop()

    try:
        any_engine.on_timer(0.005, True, tick)
        any_engine.iter(True)
        assert ticks == [any_engine]
        assert (any_engine.timer_count(), target.timer_count()) == (0, 1)
        iterate_until(target, lambda: len(ticks) == 3)
        assert ticks[1:] == [target, target]
        assert target.timer_count() == 0
    finally:
        target.destroy()


def test_iter_without_block_returns_at_once(any_engine: Engine) -> None:
    ev = any_engine.on_timer(10.0, False, lambda _ev: None)
    start = time.monotonic()
    any_engine.iter(False)
    assert time.monotonic() - start < 1.0
    ev.stop()


def test_blocking_iter_waits_for_the_next_timer(any_engine: Engine) -> None:
    fired: list[bool] = []
    any_engine.on_timer(0.02, False, lambda _ev: fired.append(True))
    start = time.monotonic()
    any_engine.iter(True)
    assert fired == [True]
    assert time.monotonic() - start >= 0.02


# ------------------------------------------------------------ descriptors
def test_readable_callback_runs_when_data_arrives(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    seen: list[Event] = []
    ev = any_engine.on_readable(r, seen.append)
    assert any_engine.readable_count() == 1
    any_engine.iter(False)
    assert seen == []
    os.write(w, b"x")
    iterate_until(any_engine, lambda: bool(seen))
    assert seen[0] is ev
    ev.stop()
    assert any_engine.readable_count() == 0


def test_readable_callback_runs_each_time_until_stopped(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    count: list[int] = []
    ev = any_engine.on_readable(r, lambda _ev: count.append(1))
    os.write(w, b"x")  # never read: stays readable
    any_engine.iter(True)
    any_engine.iter(True)
    assert len(count) == 2
    ev.stop()
    any_engine.iter(False)
    assert len(count) == 2


def test_callbacks_on_one_descriptor_run_in_registration_order(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    order: list[str] = []

    def reader(name: str) -> Event:
        return any_engine.on_readable(r, lambda _ev: order.append(name))

    evs = [reader(n) for n in "abc"]
    assert any_engine.readable_count() == 3
    os.write(w, b"x")
    any_engine.iter(True)
    assert order == ["a", "b", "c"]
    evs[1].stop()
    order.clear()
    any_engine.iter(True)
    assert order == ["a", "c"]
    for ev in evs:
        ev.stop()
    assert any_engine.readable_count() == 0


def test_callback_stopping_a_later_one_on_the_same_descriptor(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    order: list[str] = []
    later: list[Event] = []

    def first(ev: Event) -> None:
        order.append("first")
        later[0].stop()
        ev.stop()

    any_engine.on_readable(r, first)
    later.append(any_engine.on_readable(r, lambda _ev: order.append("second")))
    os.write(w, b"x")
    any_engine.iter(True)
    assert order == ["first"]
    assert any_engine.readable_count() == 0


def test_writable_callback_runs_on_a_pipe_with_room(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    _r, w = pipe_fds
    seen: list[bool] = []
    ev = any_engine.on_writable(w, lambda _ev: seen.append(True))
    assert any_engine.writable_count() == 1
    any_engine.iter(True)
    assert seen == [True]
    ev.stop()
    assert any_engine.writable_count() == 0


def test_readable_and_writable_on_the_same_descriptor(any_engine: Engine) -> None:
    import socket

    a, b = socket.socketpair()
    try:
        a.setblocking(False)
        seen: list[str] = []
        rev = any_engine.on_readable(a.fileno(), lambda _ev: seen.append("r"))
        wev = any_engine.on_writable(a.fileno(), lambda _ev: seen.append("w"))
        any_engine.iter(True)
        assert seen == ["w"]
        wev.stop()
        b.send(b"x")
        seen.clear()
        any_engine.iter(True)
        assert seen == ["r"]
        rev.stop()
        assert (any_engine.readable_count(), any_engine.writable_count()) == (0, 0)
    finally:
        a.close()
        b.close()


def test_fake_io_runs_the_callbacks_of_a_descriptor(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    seen: list[str] = []
    rev = any_engine.on_readable(r, lambda _ev: seen.append("read"))
    wev = any_engine.on_writable(w, lambda _ev: seen.append("write"))
    any_engine.fake_io(r)
    assert seen == ["read"]
    any_engine.fake_io(w)
    assert seen == ["read", "write"]
    any_engine.fake_io(12345)  # nothing registered: nothing happens
    rev.stop()
    wev.stop()


def test_exceptions_of_callbacks_go_to_the_hook_and_others_still_run(
    any_engine: Engine, pipe_fds: tuple[int, int], async_exceptions: list[BaseException]
) -> None:
    r, w = pipe_fds
    boom = ValueError("boom")
    ran: list[str] = []

    def bad(_ev: Event) -> None:
        raise boom

    evs = [
        any_engine.on_readable(r, bad),
        any_engine.on_readable(r, lambda _ev: ran.append("reader")),
    ]
    any_engine.on_timer(0.0, False, bad)
    any_engine.on_timer(0.0, False, lambda _ev: ran.append("timer"))
    os.write(w, b"x")
    time.sleep(0.002)
    any_engine.iter(True)
    assert ran == ["timer", "reader"]
    assert async_exceptions == [boom, boom]
    for ev in evs:
        ev.stop()


def test_keyboard_interrupt_propagates_out_of_iter(any_engine: Engine) -> None:
    def interrupt(_ev: Event) -> None:
        raise KeyboardInterrupt

    any_engine.on_timer(0.0, False, interrupt)
    with pytest.raises(KeyboardInterrupt):
        any_engine.iter(True)
    assert any_engine.timer_count() == 0


def test_closed_descriptor_wakes_its_readers_in_select_and_poll(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    if type(any_engine) is engine.SelectorEngine:
        pytest.skip("epoll drops a closed descriptor by itself")
    r, _w = pipe_fds
    seen: list[bool] = []
    ev = any_engine.on_readable(r, lambda _ev: seen.append(True))
    os.close(r)
    any_engine.iter(False)
    assert seen  # the callback meets EBADF in its own system call
    ev.stop()


def test_registering_a_bad_descriptor_raises_and_registers_nothing(any_engine: Engine) -> None:
    if type(any_engine) is not engine.SelectorEngine:
        pytest.skip("select and poll learn of bad descriptors when they wait")
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError, match=r"\[Errno 9\]"):
        any_engine.on_readable(r, lambda _ev: None)
    assert any_engine.readable_count() == 0


# ------------------------------------------------------ transfer, destroy
def test_transfer_moves_every_event_and_keeps_the_event_objects(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    seen: list[str] = []
    rev = any_engine.on_readable(r, lambda _ev: seen.append("read"))
    wev = any_engine.on_writable(w, lambda _ev: seen.append("write"))
    tev = any_engine.on_timer(0.01, False, lambda _ev: seen.append("timer"))
    target = engine.SelectorEngine()
    try:
        any_engine.transfer(target)
        assert (any_engine.readable_count(), any_engine.writable_count()) == (0, 0)
        assert any_engine.timer_count() == 0
        assert (target.readable_count(), target.writable_count(), target.timer_count()) == (1, 1, 1)
        wev.stop()
        assert target.writable_count() == 0
        os.write(w, b"x")
        iterate_until(target, lambda: "timer" in seen and "read" in seen)
        assert "write" not in seen
        rev.stop()
        tev.stop()
        assert (target.readable_count(), target.timer_count()) == (0, 0)
    finally:
        target.destroy()


def test_transfer_restarts_timers(any_engine: Engine) -> None:
    fired: list[float] = []
    any_engine.on_timer(0.03, False, lambda _ev: fired.append(time.monotonic()))
    time.sleep(0.02)
    moved = time.monotonic()
    target = engine.SelectorEngine()
    try:
        any_engine.transfer(target)
        iterate_until(target, lambda: bool(fired))
        assert fired[0] - moved >= 0.03
    finally:
        target.destroy()


def test_destroy_stops_every_event_and_refuses_new_ones(pipe_fds: tuple[int, int]) -> None:
    r, _w = pipe_fds
    eng = engine.PollEngine()
    rev = eng.on_readable(r, lambda _ev: None)
    tev = eng.on_timer(1.0, False, lambda _ev: None)
    eng.destroy()
    assert (eng.readable_count(), eng.timer_count()) == (0, 0)
    rev.stop()  # already stopped: nothing happens
    tev.stop()
    with pytest.raises(RuntimeError, match="destroyed"):
        eng.on_timer(1.0, False, lambda _ev: None)
    eng.destroy()  # twice: nothing happens


def test_set_transfers_to_the_new_engine_and_destroys_the_old(
    fresh_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    seen: list[bool] = []
    ev = engine.on_readable(r, lambda _ev: seen.append(True))
    new = engine.SelectEngine()
    engine.set(new)
    assert engine.get() is new
    assert new.readable_count() == 1
    with pytest.raises(RuntimeError):
        fresh_engine.on_timer(1.0, False, lambda _ev: None)
    os.write(w, b"x")
    engine.iter(True)
    assert seen == [True]
    engine.stop_event(ev)
    assert engine.readable_count() == 0


def test_set_without_transfer_leaves_events_behind(fresh_engine: Engine) -> None:
    ev = engine.on_timer(1.0, False, lambda _ev: None)
    new = engine.PollEngine()
    engine.set(new, transfer=False, destroy=False)
    assert engine.timer_count() == 0
    assert fresh_engine.timer_count() == 1
    ev.stop()
    assert fresh_engine.timer_count() == 0
    fresh_engine.destroy()


def test_set_rejects_what_is_not_an_engine() -> None:
    with pytest.raises(TypeError):
        engine.set(object())  # type: ignore[arg-type]


def test_fork_recreates_the_selector_and_keeps_the_events(
    any_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    r, w = pipe_fds
    seen: list[bool] = []
    ev = any_engine.on_readable(r, lambda _ev: seen.append(True))
    any_engine.fork()
    os.write(w, b"x")
    iterate_until(any_engine, lambda: bool(seen))
    ev.stop()


def test_module_functions_act_on_the_current_engine(
    fresh_engine: Engine, pipe_fds: tuple[int, int]
) -> None:
    _r, w = pipe_fds
    ev = engine.on_writable(w, lambda _ev: None)
    tev = engine.on_timer(1.0, True, lambda _ev: None)
    assert (engine.writable_count(), engine.timer_count()) == (1, 1)
    assert fresh_engine.writable_count() == 1
    assert engine.forwards_signal(2) is False
    engine.fake_io(w)
    engine.fork()
    ev.stop()
    tev.stop()
    engine.fake_event.stop()  # belongs to no engine: nothing happens
    assert (engine.readable_count(), engine.writable_count(), engine.timer_count()) == (0, 0, 0)


def test_select_engine_refuses_descriptors_beyond_fd_setsize() -> None:
    eng = engine.SelectEngine()
    try:
        with pytest.raises(ValueError, match="select"):
            eng.on_readable(5000, lambda _ev: None)
        assert eng.readable_count() == 0
    finally:
        eng.destroy()


def test_repr_names_the_engine_and_events(fresh_engine: Engine) -> None:
    ev = fresh_engine.on_timer(1.0, False, lambda _ev: None)
    assert "timer" in repr(ev)
    assert "1 timers" in repr(fresh_engine)
    ev.stop()
    assert "stopped" in repr(ev)
