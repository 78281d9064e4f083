"""pick and npick, cancellation through every combinator, apply/wrap, cleanup, tail calls.

Restates, in Python terms, Lwt's suites "pick", "npick", "cancel bind",
"cancel map", "cancel catch", "cancel try_bind", "cancel finalize",
"cancel with direct handler", "cancel join", "cancel choose", "cancel pick",
"cancel nchoose", "cancel npick", "cancel nchoose_split", "apply and wrap",
"callback cleanup" and "tailrec", with a few cases of our own in each group.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

import lwt.core as lwt


class Boom(Exception):
    """A failure private to this file (Lwt's tests use a local ``Exception``)."""


def is_canceled(p: lwt.Promise[Any]) -> bool:
    """Whether ``p`` is rejected with ``Canceled`` (each cancel makes a fresh instance)."""
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def pending() -> lwt.Promise[Any]:
    """A promise made by ``wait`` that nobody will ever resolve."""
    p, _ = lwt.wait()
    return p


def pending_task() -> lwt.Promise[Any]:
    """A cancelable promise that nobody will ever resolve."""
    p, _ = lwt.task()
    return p


def returning(
    log: list[str], entry: str, value: object = None
) -> Callable[..., lwt.Promise[object]]:
    """A callback that records ``entry`` and gives back a promise of ``value``."""

    def callback(*_args: object) -> lwt.Promise[object]:
        log.append(entry)
        return lwt.return_(value)

    return callback


# ============================================================== pick
def test_pick_of_no_promises_is_an_invalid_argument() -> None:
    with pytest.raises(lwt.InvalidArgument, match=r"^pick"):
        lwt.pick([])


def test_pick_with_a_fulfilled_input_takes_its_value_and_cancels_the_pending_task() -> None:
    t = pending_task()
    p = lwt.pick([t, lwt.return_("foo")])
    assert is_canceled(t)
    assert lwt.state(p) == lwt.Return("foo")


def test_pick_with_a_rejected_input_takes_its_exception_and_cancels_the_pending_task() -> None:
    t = pending_task()
    exc = Boom()
    p = lwt.pick([t, lwt.fail(exc)])
    assert is_canceled(t)
    assert lwt.state(p) == lwt.Fail(exc)


def test_pick_among_several_resolved_inputs_always_prefers_the_rejected_one() -> None:
    exc = Boom()
    # The choice among resolved inputs is random: repeat to see it is never a value.
    for _ in range(100):
        t = pending_task()
        p = lwt.pick([t, lwt.return_("foo"), lwt.fail(exc), lwt.return_("bar")])
        assert lwt.state(p) == lwt.Fail(exc)
        assert is_canceled(t)


def test_pick_among_several_fulfilled_inputs_takes_one_of_their_values() -> None:
    seen = set()
    for _ in range(200):
        p = lwt.pick([lwt.return_("foo"), pending(), lwt.return_("bar")])
        s = lwt.state(p)
        assert isinstance(s, lwt.Return)
        seen.add(s.value)
    assert seen <= {"foo", "bar"}
    assert seen  # at least one was observed, and nothing else


def test_pick_of_pending_inputs_is_pending() -> None:
    p = lwt.pick([pending(), pending()])
    assert lwt.state(p) == lwt.Sleep()


def test_pick_follows_the_first_input_fulfilled_and_cancels_the_other() -> None:
    p1, r1 = lwt.task()
    p2, _ = lwt.task()
    p = lwt.pick([p1, p2])
    lwt.wakeup(r1, "foo")
    assert is_canceled(p2)
    assert lwt.state(p) == lwt.Return("foo")


def test_pick_follows_the_first_input_rejected_and_cancels_the_other() -> None:
    p1, _ = lwt.task()
    p2, r2 = lwt.task()
    p = lwt.pick([p1, p2])
    exc = Boom()
    lwt.wakeup_exn(r2, exc)
    assert is_canceled(p1)
    assert lwt.state(p) == lwt.Fail(exc)


def test_pick_leaves_pending_inputs_made_by_wait_untouched() -> None:
    p1, r1 = lwt.task()
    p2, r2 = lwt.wait()
    p = lwt.pick([p1, p2])
    lwt.wakeup(r1, 1)
    assert lwt.state(p) == lwt.Return(1)
    assert lwt.state(p2) == lwt.Sleep()
    # The other input lives on, and resolving it later changes nothing.
    lwt.wakeup(r2, 2)
    assert lwt.state(p2) == lwt.Return(2)
    assert lwt.state(p) == lwt.Return(1)


def test_pick_of_the_same_promise_twice_resolves_once_with_its_value() -> None:
    p, r = lwt.wait()
    q = lwt.pick([p, p])
    calls: list[str] = []
    q.on_success(calls.append)
    lwt.wakeup(r, "foo")
    assert lwt.state(q) == lwt.Return("foo")
    assert calls == ["foo"]


def test_cancelling_a_pending_pick_cancels_every_task_input() -> None:
    p1 = pending_task()
    p2 = pending_task()
    p = lwt.pick([p1, p2])
    lwt.cancel(p)
    assert is_canceled(p1)
    assert is_canceled(p2)
    assert is_canceled(p)


def test_pick_cancels_the_losers_before_its_result_is_resolved() -> None:
    log: list[str] = []
    p1, r1 = lwt.task()
    p2, _ = lwt.task()
    p3 = lwt.pick([p1, p2])
    lwt.catch(lambda: p2, returning(log, "loser canceled"))
    p3.bind(returning(log, "pick resolved"))
    lwt.wakeup_later(r1, None)
    assert log == ["loser canceled", "pick resolved"]


def test_a_resolved_pick_ignores_later_cancellation() -> None:
    p1, r1 = lwt.task()
    p = lwt.pick([p1, pending_task()])
    lwt.wakeup(r1, 5)
    lwt.cancel(p)
    assert lwt.state(p) == lwt.Return(5)
    assert lwt.state(p1) == lwt.Return(5)


# ============================================================== npick
def test_npick_of_no_promises_is_an_invalid_argument() -> None:
    with pytest.raises(lwt.InvalidArgument, match=r"^npick"):
        lwt.npick([])


def test_npick_of_fulfilled_inputs_gives_all_their_values_in_order() -> None:
    p = lwt.npick([lwt.return_("foo"), lwt.return_("bar")])
    assert lwt.state(p) == lwt.Return(["foo", "bar"])


def test_npick_with_a_rejected_input_after_a_fulfilled_one_is_rejected() -> None:
    exc = Boom()
    p = lwt.npick([lwt.return_("foo"), lwt.fail(exc)])
    assert lwt.state(p) == lwt.Fail(exc)


def test_npick_with_a_rejected_input_before_a_fulfilled_one_is_rejected() -> None:
    exc = Boom()
    p = lwt.npick([lwt.fail(exc), lwt.return_("foo")])
    assert lwt.state(p) == lwt.Fail(exc)


def test_npick_collects_the_resolved_inputs_and_cancels_the_pending_task() -> None:
    t = pending_task()
    p = lwt.npick([lwt.return_("foo"), t, lwt.return_("bar")])
    assert is_canceled(t)
    assert lwt.state(p) == lwt.Return(["foo", "bar"])


def test_npick_rejected_at_once_still_cancels_the_pending_task() -> None:
    t = pending_task()
    exc = Boom()
    p = lwt.npick([t, lwt.fail(exc)])
    assert is_canceled(t)
    assert lwt.state(p) == lwt.Fail(exc)


def test_npick_of_pending_inputs_is_pending() -> None:
    p = lwt.npick([pending_task(), pending_task()])
    assert lwt.state(p) == lwt.Sleep()


def test_npick_fulfilled_later_gives_that_value_and_cancels_the_other() -> None:
    p1, _ = lwt.task()
    p2, r = lwt.task()
    p = lwt.npick([p1, p2])
    lwt.wakeup(r, "foo")
    assert is_canceled(p1)
    assert lwt.state(p) == lwt.Return(["foo"])


def test_npick_rejected_later_takes_that_exception_and_cancels_the_other() -> None:
    p1, _ = lwt.task()
    p2, r = lwt.task()
    p = lwt.npick([p1, p2])
    exc = Boom()
    lwt.wakeup_exn(r, exc)
    assert is_canceled(p1)
    assert lwt.state(p) == lwt.Fail(exc)


def test_npick_of_the_same_promise_twice_lists_its_value_twice() -> None:
    p, r = lwt.wait()
    q = lwt.npick([p, p])
    lwt.wakeup(r, "foo")
    assert lwt.state(q) == lwt.Return(["foo", "foo"])


def test_npick_of_the_same_promise_twice_rejected_takes_the_exception() -> None:
    p, r = lwt.wait()
    q = lwt.npick([p, p])
    exc = Boom()
    lwt.wakeup_exn(r, exc)
    assert lwt.state(q) == lwt.Fail(exc)


def test_cancelling_a_pending_npick_cancels_every_task_input() -> None:
    p1 = pending_task()
    p2 = pending_task()
    p = lwt.npick([p1, p2])
    lwt.cancel(p)
    assert is_canceled(p1)
    assert is_canceled(p2)
    assert is_canceled(p)


def test_npick_cancels_the_losers_before_its_result_is_resolved() -> None:
    log: list[str] = []
    p1, r1 = lwt.task()
    p2, _ = lwt.task()
    p3 = lwt.npick([p1, p2])
    lwt.catch(lambda: p2, returning(log, "loser canceled"))
    p3.bind(returning(log, "npick resolved"))
    lwt.wakeup_later(r1, None)
    assert log == ["loser canceled", "npick resolved"]


# ======================================================= cancel bind
def test_cancel_bind_on_pending_wait_promise_does_nothing() -> None:
    log: list[str] = []
    p, _ = lwt.wait()
    q = p.bind(returning(log, "f"))
    lwt.cancel(q)
    assert log == []
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_bind_on_pending_task_cancels_both_without_calling_f() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    q = p.bind(returning(log, "f"))
    lwt.cancel(q)
    assert log == []
    assert is_canceled(p)
    assert is_canceled(q)


def test_cancel_bind_after_f_returned_a_pending_wait_promise_does_nothing() -> None:
    p, r = lwt.wait()
    inner, _ = lwt.wait()
    q = p.bind(lambda _: inner)
    lwt.wakeup(r, None)
    # f ran: q and inner now behave as one promise.
    lwt.cancel(q)
    assert lwt.state(inner) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_bind_after_f_returned_a_pending_task_cancels_that_task() -> None:
    p, r = lwt.wait()
    inner, _ = lwt.task()
    q = lwt.bind(p, lambda _: inner)
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert is_canceled(inner)
    assert is_canceled(q)
    assert q is not inner


def test_cancel_reaches_a_task_through_two_binds_that_already_ran() -> None:
    p1, r = lwt.wait()
    t, _ = lwt.task()
    p3 = p1.bind(lambda _: t)
    p4 = p1.bind(lambda _: p3)
    lwt.wakeup(r, None)
    # p4 follows p3, which follows t: cancelling p4 reaches t.
    lwt.cancel(p4)
    assert is_canceled(t)
    assert is_canceled(p3)
    assert is_canceled(p4)


def test_cancel_bind_before_f_ran_never_reaches_the_promise_f_would_return() -> None:
    log: list[str] = []
    inner, _ = lwt.task()
    q = pending_task().bind(lambda _: inner)
    inner.on_cancel(lambda: log.append("inner"))
    q.on_cancel(lambda: log.append("outer"))
    lwt.cancel(q)
    assert log == ["outer"]
    assert lwt.state(inner) == lwt.Sleep()


def test_cancel_bind_after_f_ran_runs_the_cancel_callbacks_of_both() -> None:
    log: list[str] = []
    p1, r = lwt.task()
    inner, _ = lwt.task()
    q = p1.bind(lambda _: inner)
    inner.on_cancel(lambda: log.append("inner"))
    q.on_cancel(lambda: log.append("outer"))
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert sorted(log) == ["inner", "outer"]
    assert is_canceled(q)


# ======================================================== cancel map
def test_cancel_map_on_pending_wait_promise_does_nothing() -> None:
    log: list[str] = []
    p, _ = lwt.wait()
    q = lwt.map(log.append, p)
    lwt.cancel(q)
    assert log == []
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_map_on_pending_task_cancels_both_without_calling_f() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    q = p.map(log.append)
    lwt.cancel(q)
    assert log == []
    assert is_canceled(p)
    assert is_canceled(q)


# ====================================================== cancel catch
def test_cancel_catch_on_pending_wait_promise_does_nothing() -> None:
    log: list[str] = []
    p, _ = lwt.wait()
    q = lwt.catch(lambda: p, returning(log, "handler"))
    lwt.cancel(q)
    assert log == []
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_catch_on_pending_task_lets_the_handler_intercept_canceled() -> None:
    saw: list[BaseException] = []
    p, _ = lwt.task()

    def handler(exc: BaseException) -> lwt.Promise[str]:
        saw.append(exc)
        return lwt.return_("foo")

    q = lwt.catch(lambda: p, handler)
    lwt.cancel(q)
    assert len(saw) == 1
    assert isinstance(saw[0], lwt.Canceled)
    assert is_canceled(p)
    assert lwt.state(q) == lwt.Return("foo")


def test_cancel_catch_intercepted_runs_only_the_inner_cancel_callback() -> None:
    log: list[str] = []
    p, _ = lwt.task()

    def handler(_exc: BaseException) -> lwt.Promise[str]:
        log.append("handler")
        return lwt.return_("foo")

    q = lwt.catch(lambda: p, handler)
    p.on_cancel(lambda: log.append("inner on_cancel"))
    q.on_cancel(lambda: log.append("outer on_cancel"))
    lwt.cancel(q)
    # The inner promise's cancel callback runs before the handler; the outer
    # promise is fulfilled, so its cancel callback never runs.
    assert log == ["inner on_cancel", "handler"]
    assert is_canceled(p)
    assert lwt.state(q) == lwt.Return("foo")


def test_cancel_catch_forwarded_by_the_handler_runs_the_outer_cancel_callback() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    q = lwt.catch(lambda: p, lwt.fail)
    q.on_cancel(lambda: log.append("outer on_cancel"))
    lwt.cancel(q)
    assert is_canceled(p)
    assert is_canceled(q)
    assert log == ["outer on_cancel"]


def test_cancel_catch_after_handler_returned_a_pending_wait_promise_does_nothing() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.wait()
    q = lwt.catch(lambda: p1, lambda _: p2)
    lwt.wakeup_exn(r, Boom())
    lwt.cancel(q)
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_catch_after_handler_returned_a_pending_task_cancels_it() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.task()
    q = lwt.catch(lambda: p1, lambda _: p2)
    lwt.wakeup_exn(r, Boom())
    lwt.cancel(q)
    assert is_canceled(p2)
    assert is_canceled(q)


# =================================================== cancel try_bind
def test_cancel_try_bind_on_pending_wait_promise_does_nothing() -> None:
    log: list[str] = []
    p, _ = lwt.wait()
    q = lwt.try_bind(lambda: p, returning(log, "on_ok"), returning(log, "on_error"))
    lwt.cancel(q)
    assert log == []
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_try_bind_on_pending_task_passes_canceled_to_the_error_handler() -> None:
    log: list[str] = []
    saw: list[BaseException] = []
    p, _ = lwt.task()

    def on_error(exc: BaseException) -> lwt.Promise[str]:
        saw.append(exc)
        return lwt.return_("bar")

    q = lwt.try_bind(lambda: p, returning(log, "on_ok", "foo"), on_error)
    lwt.cancel(q)
    assert log == []
    assert len(saw) == 1
    assert isinstance(saw[0], lwt.Canceled)
    assert is_canceled(p)
    assert lwt.state(q) == lwt.Return("bar")


def test_cancel_try_bind_after_on_ok_returned_a_pending_wait_promise_does_nothing() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.wait()
    q = lwt.try_bind(lambda: p1, lambda _: p2, lambda _: lwt.return_("foo"))
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_try_bind_after_on_ok_returned_a_pending_task_cancels_it() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.task()
    q = lwt.try_bind(lambda: p1, lambda _: p2, lambda _: lwt.return_("foo"))
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert is_canceled(p2)
    assert is_canceled(q)


def test_cancel_try_bind_after_on_error_returned_a_pending_wait_promise_does_nothing() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.wait()
    q = lwt.try_bind(lambda: p1, lambda _: lwt.return_("foo"), lambda _: p2)
    lwt.wakeup_exn(r, Boom())
    lwt.cancel(q)
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_try_bind_after_on_error_returned_a_pending_task_cancels_it() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.task()
    q = lwt.try_bind(lambda: p1, lambda _: lwt.return_("foo"), lambda _: p2)
    lwt.wakeup_exn(r, Boom())
    lwt.cancel(q)
    assert is_canceled(p2)
    assert is_canceled(q)


# =================================================== cancel finalize
def test_cancel_finalize_on_pending_wait_promise_does_nothing() -> None:
    log: list[str] = []
    p, _ = lwt.wait()
    q = lwt.finalize(lambda: p, returning(log, "fin"))
    lwt.cancel(q)
    assert log == []
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_finalize_on_pending_task_runs_the_finaliser_and_stays_canceled() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    q = lwt.finalize(lambda: p, returning(log, "fin"))
    lwt.cancel(q)
    assert log == ["fin"]
    assert is_canceled(p)
    assert is_canceled(q)


def test_cancel_finalize_whose_finaliser_fails_takes_the_finaliser_exception() -> None:
    exc = Boom()
    p, _ = lwt.task()
    q = lwt.finalize(lambda: p, lambda: lwt.fail(exc))
    lwt.cancel(p)
    assert lwt.state(q) == lwt.Fail(exc)


def test_cancel_finalize_while_a_wait_finaliser_runs_does_nothing() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.wait()
    q = lwt.finalize(lambda: p1, lambda: p2)
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(q) == lwt.Sleep()


def test_cancel_finalize_while_a_task_finaliser_runs_cancels_the_finaliser() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.task()
    q = lwt.finalize(lambda: p1, lambda: p2)
    lwt.wakeup(r, None)
    lwt.cancel(q)
    assert is_canceled(p2)
    assert is_canceled(q)


# ========================================= cancel with direct handler
def test_cancel_does_not_call_on_success() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    p.on_success(lambda _: log.append("success"))
    lwt.cancel(p)
    assert log == []


def test_cancel_calls_on_failure_with_canceled() -> None:
    saw: list[BaseException] = []
    p, _ = lwt.task()
    lwt.on_failure(p, saw.append)
    lwt.cancel(p)
    assert len(saw) == 1
    assert isinstance(saw[0], lwt.Canceled)


def test_cancel_calls_on_termination() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    lwt.on_termination(p, lambda: log.append("done"))
    lwt.cancel(p)
    assert log == ["done"]


def test_cancel_calls_the_failure_branch_of_on_any() -> None:
    log: list[str] = []
    saw: list[BaseException] = []
    p, _ = lwt.task()
    lwt.on_any(p, lambda _: log.append("value"), saw.append)
    lwt.cancel(p)
    assert log == []
    assert len(saw) == 1
    assert isinstance(saw[0], lwt.Canceled)


def test_cancel_runs_on_cancel_before_the_direct_handlers() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    p.on_termination(lambda: log.append("termination"))
    p.on_cancel(lambda: log.append("cancel"))
    p.on_failure(lambda _: log.append("failure"))
    lwt.cancel(p)
    assert log == ["cancel", "termination", "failure"]


# ======================================================= cancel join
def test_cancel_join_of_wait_promises_does_nothing() -> None:
    p1, p2 = pending(), pending()
    p3 = lwt.join([p1, p2])
    lwt.cancel(p3)
    assert lwt.state(p1) == lwt.Sleep()
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(p3) == lwt.Sleep()


def test_cancel_join_of_tasks_cancels_all_of_them() -> None:
    p1, p2 = pending_task(), pending_task()
    p3 = lwt.join([p1, p2])
    lwt.cancel(p3)
    assert is_canceled(p1)
    assert is_canceled(p2)
    assert is_canceled(p3)


def test_cancel_join_of_wait_and_task_waits_for_the_wait_promise() -> None:
    p1, r = lwt.wait()
    p2, _ = lwt.task()
    p3 = lwt.join([p1, p2])
    lwt.cancel(p3)
    assert lwt.state(p1) == lwt.Sleep()
    assert is_canceled(p2)
    assert lwt.state(p3) == lwt.Sleep()
    lwt.wakeup(r, None)
    assert lwt.state(p1) == lwt.Return(None)
    assert is_canceled(p3)


def test_cancel_join_reaching_a_task_twice_runs_its_cancel_callback_once() -> None:
    count = [0]
    p, _ = lwt.task()
    q = lwt.join([p, p])

    def bump() -> None:
        count[0] += 1

    p.on_cancel(bump)
    lwt.cancel(q)
    assert count == [1]
    assert is_canceled(q)


def test_cancel_all_and_both_reach_their_task_inputs() -> None:
    a, b = pending_task(), pending_task()
    lwt.cancel(lwt.all([a, b]))
    assert is_canceled(a)
    assert is_canceled(b)
    c, d = pending_task(), pending_task()
    both = lwt.both(c, d)
    lwt.cancel(both)
    assert is_canceled(c)
    assert is_canceled(d)
    assert is_canceled(both)


# ============================= cancel choose, pick, nchoose, npick, nchoose_split
COMBINATORS: list[tuple[str, Callable[[list[lwt.Promise[Any]]], lwt.Promise[Any]]]] = [
    ("choose", lwt.choose),
    ("pick", lwt.pick),
    ("nchoose", lwt.nchoose),
    ("npick", lwt.npick),
    ("nchoose_split", lwt.nchoose_split),
]


@pytest.mark.parametrize(("name", "combine"), COMBINATORS, ids=[n for n, _ in COMBINATORS])
def test_cancel_combinator_of_wait_promises_does_nothing(
    name: str, combine: Callable[[list[lwt.Promise[Any]]], lwt.Promise[Any]]
) -> None:
    p1, p2 = pending(), pending()
    p3 = combine([p1, p2])
    lwt.cancel(p3)
    assert lwt.state(p1) == lwt.Sleep(), name
    assert lwt.state(p2) == lwt.Sleep()
    assert lwt.state(p3) == lwt.Sleep()


@pytest.mark.parametrize(("name", "combine"), COMBINATORS, ids=[n for n, _ in COMBINATORS])
def test_cancel_combinator_of_wait_and_task_cancels_the_task_and_the_result(
    name: str, combine: Callable[[list[lwt.Promise[Any]]], lwt.Promise[Any]]
) -> None:
    p1, p2 = pending(), pending_task()
    p3 = combine([p1, p2])
    lwt.cancel(p3)
    assert lwt.state(p1) == lwt.Sleep(), name
    assert is_canceled(p2)
    assert is_canceled(p3)


# ==================================================== apply and wrap
def test_apply_calls_the_function_with_its_argument() -> None:
    p = lwt.apply(lambda s: lwt.return_(s + "bar"), "foo")
    assert lwt.state(p) == lwt.Return("foobar")


def test_apply_turns_a_raised_exception_into_a_rejection() -> None:
    exc = Boom()

    def raiser(_arg: object) -> lwt.Promise[None]:
        raise exc

    p = lwt.apply(raiser, None)
    assert lwt.state(p) == lwt.Fail(exc)


def test_apply_returns_the_functions_own_pending_promise() -> None:
    inner, r = lwt.wait()
    p = lwt.apply(lambda: inner)
    assert lwt.state(p) == lwt.Sleep()
    lwt.wakeup(r, 3)
    assert lwt.state(p) == lwt.Return(3)


def test_wrap_with_no_arguments_gives_the_return_value() -> None:
    assert lwt.state(lwt.wrap(lambda: "foo")) == lwt.Return("foo")


def test_wrap_with_no_arguments_turns_a_raised_exception_into_a_rejection() -> None:
    exc = Boom()

    def raiser() -> str:
        raise exc

    assert lwt.state(lwt.wrap(raiser)) == lwt.Fail(exc)


@pytest.mark.parametrize("arity", range(1, 8))
def test_wrap_passes_every_argument(arity: int) -> None:
    args = list(range(1, arity + 1))
    p = lwt.wrap(lambda *xs: sum(xs), *args)
    assert lwt.state(p) == lwt.Return(sum(args))


@pytest.mark.parametrize("arity", range(1, 8))
def test_wrap_with_arguments_turns_a_raised_exception_into_a_rejection(arity: int) -> None:
    exc = Boom()
    received: list[tuple[object, ...]] = []

    def raiser(*xs: object) -> None:
        received.append(xs)
        raise exc

    p = lwt.wrap(raiser, *([None] * arity))
    assert lwt.state(p) == lwt.Fail(exc)
    assert received == [(None,) * arity]


# ================================================== callback cleanup
# Lwt cleans up the callbacks that choose leaves on inputs still pending; these
# check that what survives the cleanup still works.
CLEANUP_POINT = 42


def test_repeated_choose_on_a_pending_promise_keeps_its_other_callbacks() -> None:
    p1, r1 = lwt.wait()
    p2 = p1.bind(lambda s: lwt.return_(s + "bar"))
    p3 = lwt.choose([p1, pending()])
    for _ in range(CLEANUP_POINT + 1):
        p4, r4 = lwt.wait()
        lwt.choose([p1, p4])
        lwt.wakeup(r4, "")
    lwt.wakeup(r1, "foo")
    assert lwt.state(p2) == lwt.Return("foobar")
    assert lwt.state(p3) == lwt.Return("foo")


def test_repeated_choose_on_a_bound_promise_keeps_the_callbacks_moved_into_it() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    p3 = p1.bind(lambda _: p2)
    p4 = lwt.map(lambda _: "p4", p2)
    p5 = lwt.map(lambda _: "p5", p3)
    for _ in range(CLEANUP_POINT // 2 + 1):
        p6, r6 = lwt.wait()
        lwt.choose([p2, p3, p6])
        lwt.wakeup(r6, None)
    # Binding makes p2 a proxy of p3: the callbacks of both must survive.
    lwt.wakeup(r1, None)
    lwt.wakeup(r2, None)
    assert lwt.state(p4) == lwt.Return("p4")
    assert lwt.state(p5) == lwt.Return("p5")


def test_repeated_choose_on_a_pending_promise_does_not_grow_it() -> None:
    p1, r1 = lwt.wait()
    p2 = p1.map(lambda v: v * 2)

    def churn(times: int) -> None:
        for _ in range(times):
            p4, r4 = lwt.wait()
            lwt.choose([p1, p4])
            lwt.wakeup(r4, 0)

    churn(1000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        churn(20_000)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # Left behind, 20,000 dead callbacks would take far more than this.
    assert after - before < 16 * 1024
    lwt.wakeup(r1, 21)
    assert lwt.state(p2) == lwt.Return(42)


# =========================================================== tailrec
def test_recursive_bind_on_resolved_promises_does_not_grow_the_stack() -> None:
    def aux(f: Callable[[int], lwt.Promise[int]], acc: int, n: int) -> lwt.Promise[int]:
        if n == 0:
            return lwt.return_(acc)
        return lwt.bind(f(n), lambda s: aux(f, s + acc, n - 1))

    n = 200_000
    p = aux(lwt.return_, 0, n)
    assert lwt.state(p) == lwt.Return(n * (n + 1) // 2)
