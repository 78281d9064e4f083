"""pause, wakeup_paused, paused_count and the pause notifier.

Restates Lwt's "pause" suite, with a few cases of our own: the order in
which paused promises wake up, cancellation of a paused promise, and
abandon_paused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import lwt.core as lwt


@pytest.fixture(autouse=True)
def quiet_notifier() -> Iterator[None]:
    """Every test starts and ends with a notifier that does nothing."""
    lwt.register_pause_notifier(lambda _count: None)
    yield
    lwt.register_pause_notifier(lambda _count: None)


def is_canceled(p: lwt.Promise[Any]) -> bool:
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def test_nothing_is_paused_initially() -> None:
    assert lwt.paused_count() == 0


def test_one_paused_promise_waits_for_wakeup_paused() -> None:
    p = lwt.pause()
    assert lwt.paused_count() == 1
    assert lwt.state(p) == lwt.Sleep()
    lwt.wakeup_paused()
    assert lwt.paused_count() == 0
    assert lwt.state(p) == lwt.Return(None)


def test_several_paused_promises_all_wake_up_at_once() -> None:
    p1 = lwt.pause()
    p2 = lwt.pause()
    assert lwt.paused_count() == 2
    assert lwt.state(p1) == lwt.Sleep()
    assert lwt.state(p2) == lwt.Sleep()
    lwt.wakeup_paused()
    assert lwt.paused_count() == 0
    assert lwt.state(p1) == lwt.Return(None)
    assert lwt.state(p2) == lwt.Return(None)


def test_paused_promises_wake_up_in_the_order_they_were_paused() -> None:
    log: list[int] = []
    for i in range(5):
        lwt.pause().on_success(lambda _, i=i: log.append(i))
    lwt.wakeup_paused()
    assert log == [0, 1, 2, 3, 4]


def test_wakeup_paused_with_nothing_paused_does_nothing() -> None:
    assert lwt.paused_count() == 0
    lwt.wakeup_paused()
    assert lwt.paused_count() == 0


def test_the_pause_notifier_receives_the_new_count() -> None:
    seen: list[int] = []
    lwt.register_pause_notifier(seen.append)
    lwt.pause()
    assert lwt.paused_count() == 1
    assert seen == [1]
    lwt.pause()
    assert seen == [1, 2]
    lwt.wakeup_paused()
    lwt.pause()
    assert seen == [1, 2, 1]


def test_registering_a_notifier_replaces_the_previous_one() -> None:
    first: list[int] = []
    second: list[int] = []
    lwt.register_pause_notifier(first.append)
    lwt.register_pause_notifier(second.append)
    lwt.pause()
    assert first == []
    assert second == [1]


def test_pausing_while_paused_promises_wake_up_waits_for_the_next_wakeup() -> None:
    p1 = lwt.pause()
    p2 = p1.bind(lambda _: lwt.pause())
    assert lwt.paused_count() == 1
    lwt.wakeup_paused()
    # The pause made by p1's callback belongs to the next round.
    assert lwt.paused_count() == 1
    assert lwt.state(p2) == lwt.Sleep()
    lwt.wakeup_paused()
    assert lwt.paused_count() == 0
    assert lwt.state(p2) == lwt.Return(None)


def test_the_notifier_may_pause_again() -> None:
    counts: list[int] = []

    def notifier(_count: int) -> None:
        # Called from pause(): that promise is already counted.
        counts.append(lwt.paused_count())
        lwt.register_pause_notifier(lambda _c: None)
        lwt.pause()

    lwt.register_pause_notifier(notifier)
    p = lwt.pause()
    assert counts == [1]
    assert lwt.paused_count() == 2
    lwt.wakeup_paused()
    assert lwt.paused_count() == 0
    assert lwt.state(p) == lwt.Return(None)


def test_the_notifier_may_wake_up_the_promise_being_paused() -> None:
    counts: list[int] = []

    def notifier(_count: int) -> None:
        counts.append(lwt.paused_count())
        lwt.wakeup_paused()

    lwt.register_pause_notifier(notifier)
    p = lwt.pause()
    assert counts == [1]
    assert lwt.paused_count() == 0
    assert lwt.state(p) == lwt.Return(None)


def test_a_paused_promise_is_cancelable_and_then_skipped() -> None:
    p1 = lwt.pause()
    p2 = lwt.pause()
    lwt.cancel(p1)
    assert is_canceled(p1)
    lwt.wakeup_paused()
    assert is_canceled(p1)
    assert lwt.state(p2) == lwt.Return(None)


def test_abandon_paused_leaves_paused_promises_pending_forever() -> None:
    p = lwt.pause()
    lwt.abandon_paused()
    assert lwt.paused_count() == 0
    lwt.wakeup_paused()
    assert lwt.state(p) == lwt.Sleep()


def test_a_loop_over_pause_advances_one_step_per_wakeup() -> None:
    steps: list[int] = []

    def loop(n: int) -> lwt.Promise[None]:
        steps.append(n)
        if n == 0:
            return lwt.return_unit
        return lwt.pause().bind(lambda _: loop(n - 1))

    p = loop(3)
    assert steps == [3]
    rounds = 0
    while lwt.is_sleeping(p):
        lwt.wakeup_paused()
        rounds += 1
    assert rounds == 3
    assert steps == [3, 2, 1, 0]
    assert lwt.state(p) == lwt.Return(None)


def test_wakeup_paused_runs_callbacks_left_queued_by_an_interrupt() -> None:
    # A chain deeper than the nesting bound queues its tail; if a
    # KeyboardInterrupt cuts the outermost resolution short, the queued
    # callbacks must still run at the main loop's next turn.
    source, r = lwt.wait()
    tail, r_tail = lwt.wait()
    log: list[str] = []

    def resolve_tail_then_interrupt(_: None) -> lwt.Promise[None]:
        # Resolving `tail` here, inside a callback, makes its chain deep
        # enough to be queued; the interrupt then escapes before the drain.
        lwt.wakeup(r_tail, None)
        raise KeyboardInterrupt

    p: lwt.Promise[None] = tail
    for _ in range(2 * lwt.MAXIMUM_DEPTH):
        p = p.bind(lwt.return_)
    p.on_success(lambda _: log.append("deep chain finished"))
    source.bind(resolve_tail_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        lwt.wakeup(r, None)
    lwt.wakeup_paused()
    assert log == ["deep chain finished"]
