"""Virtual time (lwt.unix.testing): engine clocks, VirtualClock, VirtualTimeEngine."""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix import preemptive, throttle, timers
from lwt.unix.main import run
from lwt.unix.testing import VirtualClock, VirtualTimeEngine, virtual_time


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    """A virtual engine, current for the test, whose clock jumps as soon as it is idle."""
    with virtual_time() as c:
        yield c


@pytest.fixture
def manual_clock() -> Iterator[VirtualClock]:
    """A virtual engine whose clock moves only by advance()."""
    with virtual_time(VirtualClock(autojump_threshold=math.inf)) as c:
        yield c


# ------------------------------------------------------------ engine clocks
def test_engines_read_the_monotonic_clock_unless_given_another() -> None:
    assert engine.SelectorEngine().clock is time.monotonic
    now = [100.0]

    def fake() -> float:
        return now[0]

    e = engine.SelectEngine(clock=fake)
    try:
        assert e.clock is fake
        fired: list[float] = []
        e.on_timer(5.0, False, lambda _ev: fired.append(now[0]))
        e.iter(False)
        now[0] = 104.5
        e.iter(False)
        assert fired == []
        now[0] = 105.0
        e.iter(False)
        assert fired == [105.0]
        assert e.timer_count() == 0
    finally:
        e.destroy()


def test_an_engine_refuses_a_clock_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match="clock"):
        engine.SelectorEngine(clock=VirtualClock())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="VirtualClock"):
        VirtualTimeEngine(time.monotonic)  # type: ignore[arg-type]


def test_virtual_time_installs_a_virtual_engine_and_restores_the_previous_one() -> None:
    before = engine.get()
    with virtual_time() as c:
        current = engine.get()
        assert isinstance(current, VirtualTimeEngine)
        assert current.virtual_clock is c
        assert current.clock() == c.now() == 0.0
    assert engine.get() is before
    with pytest.raises(RuntimeError, match="destroyed"):
        current.on_timer(1.0, False, lambda _ev: None)


# ---------------------------------------------------------------- autojump
def test_an_hour_long_timeout_fires_at_once_at_its_exact_deadline(clock: VirtualClock) -> None:
    start = time.monotonic()
    with pytest.raises(unix.Timeout):
        run(unix.with_timeout(3600.0, lambda: unix.sleep(7200.0)))
    assert clock.now() == 3600.0
    assert time.monotonic() - start < 0.5
    assert engine.timer_count() == 0


def test_with_timeout_lets_a_faster_promise_win(clock: VirtualClock) -> None:
    p = unix.with_timeout(3600.0, lambda: unix.sleep(10.0).map(lambda _: "done"))
    assert run(p) == "done"
    assert clock.now() == 10.0
    assert engine.timer_count() == 0


def test_timeout_rejects_at_its_deadline(clock: VirtualClock) -> None:
    clock.advance(2.5)
    with pytest.raises(unix.Timeout):
        run(unix.timeout(0.25))
    assert clock.now() == 2.75


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), max_size=40))
def test_sleeps_wake_in_order_of_deadline_each_at_its_exact_deadline(
    durations: list[float],
) -> None:
    woke: list[tuple[float, int, float]] = []
    with virtual_time(VirtualClock(7.0, autojump_threshold=0.0)) as c:

        def sleeper(i: int, d: float) -> lwt.Promise[None]:
            return unix.sleep(d).map(lambda _: woke.append((d, i, c.now())))

        run(lwt.join([sleeper(i, d) for i, d in enumerate(durations)]))
        assert engine.timer_count() == 0
    # Deadlines are start + d in floats; equal ones wake in the order the
    # sleeps were made.
    expected = sorted((7.0 + d, i) for i, d in enumerate(durations))
    assert [(now, i) for _d, i, now in woke] == expected
    assert all(now == 7.0 + d for d, _i, now in woke)


def test_paused_promises_run_before_time_jumps(clock: VirtualClock) -> None:
    seen: list[float] = []

    def spin(n: int) -> lwt.Promise[None]:
        if n == 0:
            return lwt.return_unit
        seen.append(clock.now())
        return lwt.pause().bind(lambda _: spin(n - 1))

    slept = unix.sleep(1.0).map(lambda _: seen.append(clock.now()))
    run(lwt.join([spin(50), slept]))
    assert seen == [0.0] * 50 + [1.0]


def test_a_positive_threshold_waits_that_long_in_real_time_before_jumping() -> None:
    with virtual_time(VirtualClock(autojump_threshold=0.05)) as c:
        start = time.monotonic()
        run(unix.sleep(1e6))
        assert time.monotonic() - start >= 0.05
        assert c.now() == 1e6


def test_at_a_rate_the_clock_follows_real_time_scaled() -> None:
    with virtual_time(VirtualClock(rate=100.0)) as c:
        real_start = time.monotonic()
        run(unix.sleep(2.0))
        real = time.monotonic() - real_start
        assert c.now() >= 2.0
        assert 0.02 <= real < 1.0


def test_changing_the_rate_keeps_the_time_reached() -> None:
    c = VirtualClock(rate=1000.0)
    time.sleep(0.002)
    c.rate = 0.0
    reached = c.now()
    assert reached >= 2.0
    time.sleep(0.002)
    assert c.now() == reached


# ------------------------------------------------------------ advance
def test_advance_moves_the_clock_exactly() -> None:
    c = VirtualClock(10.0)
    c.advance(0.5)
    c.advance(0)
    assert c.now() == 10.5
    assert c.rate == 0.0
    assert c.autojump_threshold == math.inf


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_advance_refuses_negative_and_non_finite_amounts(bad: float) -> None:
    c = VirtualClock()
    with pytest.raises(lwt.InvalidArgument, match="advance"):
        c.advance(bad)
    assert c.now() == 0.0


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"rate": -1.0}, "rate"),
        ({"rate": math.inf}, "rate"),
        ({"autojump_threshold": -0.1}, "autojump_threshold"),
        ({"autojump_threshold": math.nan}, "autojump_threshold"),
        ({"start": math.inf}, "start"),
    ],
)
def test_a_clock_refuses_bad_settings(kwargs: dict[str, float], what: str) -> None:
    with pytest.raises(lwt.InvalidArgument, match=what):
        VirtualClock(**kwargs)


def test_a_timer_fires_at_the_first_iteration_after_advance_reaches_it(
    manual_clock: VirtualClock,
) -> None:
    p = unix.sleep(5.0)
    manual_clock.advance(4.0)
    run(lwt.pause())
    assert p.is_sleeping()
    manual_clock.advance(1.0)
    assert p.is_sleeping()  # nothing runs until the loop does
    run(lwt.pause())
    assert p.state() == lwt.Return(None)


def test_advancing_past_several_deadlines_runs_them_in_deadline_order(
    manual_clock: VirtualClock,
) -> None:
    woke: list[tuple[float, float]] = []

    def sleeper(d: float) -> lwt.Promise[None]:
        return unix.sleep(d).map(lambda _: woke.append((d, manual_clock.now())))

    for d in (3.0, 1.0, 2.0):
        sleeper(d)
    manual_clock.advance(10.0)
    run(lwt.pause())
    assert woke == [(1.0, 10.0), (2.0, 10.0), (3.0, 10.0)]


def test_without_autojump_time_stands_still_while_paused_work_goes_on(
    manual_clock: VirtualClock,
) -> None:
    p = unix.sleep(0.001)
    for _ in range(20):
        run(lwt.pause())
    assert p.is_sleeping()
    assert manual_clock.now() == 0.0
    p.cancel()


# ------------------------------------------------- timers, throttle, auto_pause
def test_lwt_timeout_timers_fire_at_their_virtual_deadline(clock: VirtualClock) -> None:
    fired: list[float] = []
    t = timers.Timer(60.0, lambda: fired.append(clock.now()))
    t.start()
    run(unix.sleep(59.0))
    assert fired == []
    t.change(30.0)  # re-armed at 59 with 30 s
    run(unix.sleep(100.0))
    assert fired == [89.0]
    assert not t.started


def test_a_repeating_engine_timer_keeps_its_exact_period(clock: VirtualClock) -> None:
    ticks: list[float] = []
    ev = engine.on_timer(1.5, True, lambda _ev: ticks.append(clock.now()))
    run(unix.sleep(6.0))
    ev.stop()
    assert ticks == [1.5, 3.0, 4.5, 6.0]


def test_a_throttle_hands_out_turns_each_virtual_second(clock: VirtualClock) -> None:
    th = throttle.Throttle(rate=2, max=10, n=1)
    granted: list[tuple[int, float]] = []

    def ask(i: int) -> lwt.Promise[None]:
        return th.wait("chan").map(lambda ok: granted.append((i, clock.now())) if ok else None)

    run(lwt.join([ask(i) for i in range(5)]))
    assert granted == [(0, 0.0), (1, 0.0), (2, 1.0), (3, 1.0), (4, 2.0)]
    run(unix.sleep(1.5))  # the throttle's clean-up finds nobody and stops
    assert engine.timer_count() == 0


def test_auto_pause_counts_virtual_seconds(manual_clock: VirtualClock) -> None:
    maybe_pause = unix.auto_pause(1.0)
    assert maybe_pause().state() == lwt.Return(None)
    manual_clock.advance(0.999)
    assert maybe_pause().state() == lwt.Return(None)
    manual_clock.advance(0.001)
    paused = maybe_pause()
    assert paused.is_sleeping()
    run(paused)
    assert maybe_pause().state() == lwt.Return(None)


# ------------------------------------------------------------- real I/O
def test_socket_io_works_and_beats_a_long_timeout(clock: VirtualClock) -> None:
    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        buf = bytearray(5)
        reading = unix.with_timeout(3600.0, lambda: unix.read(a, buf, 0, 5))
        writing = unix.sleep(1800.0).bind(lambda _: unix.write(b, b"hello", 0, 5))
        assert run(lwt.both(reading, writing)) == (5, 5)
        assert bytes(buf) == b"hello"
        assert clock.now() == 1800.0
    finally:
        run(lwt.join([unix.close(a), unix.close(b)]))


def test_time_does_not_jump_while_a_descriptor_is_ready(clock: VirtualClock) -> None:
    r, w = socket.socketpair()
    try:
        w.send(b"x")
        calls: list[float] = []
        e = engine.get()
        ev = e.on_readable(r.fileno(), lambda _ev: calls.append(clock.now()))
        slept = unix.sleep(10.0)
        e.iter(True)
        e.iter(True)
        assert calls == [0.0, 0.0]
        assert slept.is_sleeping()
        ev.stop()
        e.iter(True)
        assert clock.now() == 10.0
        assert slept.state() == lwt.Return(None)
    finally:
        r.close()
        w.close()


def test_time_does_not_jump_while_a_worker_thread_runs(clock: VirtualClock) -> None:
    # The thread takes real time; a virtual second of timeout must not run
    # out meanwhile, or the outcome would depend on the thread's speed.
    def slow() -> str:
        time.sleep(0.05)
        return "slept"

    p = unix.with_timeout(1.0, lambda: preemptive.detach(slow))
    assert run(p) == "slept"
    assert clock.now() == 0.0
    with pytest.raises(unix.Timeout):
        run(unix.with_timeout(1.0, lambda: unix.sleep(2.0)))
    assert clock.now() == 1.0
