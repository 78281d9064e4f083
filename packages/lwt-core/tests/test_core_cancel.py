"""Cancellation: cancel, on_cancel, protected, wrap_in_cancelable, no_cancel, and
resolving a promise that was canceled.

After the suites of Lwt's ``test/core/test_lwt.ml`` for these functions,
restated for Python, plus Python-port checks: the order of cancel callbacks,
exceptions from them reaching the async exception hook, and the backwards
search through combinators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import lwt.core as lwt


class Boom(Exception):
    """The sample exception of these tests (OCaml's local ``Exception``)."""


def _raise(exc: BaseException) -> None:
    raise exc


def _is_canceled(p: lwt.Promise[Any]) -> bool:
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


# ======================================================================= cancel
def test_cancel_leaves_fulfilled_promise_alone() -> None:
    p = lwt.return_(None)
    lwt.cancel(p)
    assert lwt.state(p) == lwt.Return(None)


def test_cancel_leaves_rejected_promise_alone() -> None:
    exc = Boom()
    p = lwt.fail(exc)
    lwt.cancel(p)
    assert lwt.state(p) == lwt.Fail(exc)


def test_cancel_cannot_cancel_wait_promise() -> None:
    p, _ = lwt.wait()
    lwt.cancel(p)
    assert lwt.state(p) == lwt.Sleep()


def test_cancel_rejects_task_promise_with_canceled() -> None:
    p, _ = lwt.task()
    lwt.cancel(p)
    assert _is_canceled(p)


def test_cancel_runs_failure_callbacks_with_canceled() -> None:
    seen: list[BaseException] = []
    p, _ = lwt.task()
    lwt.on_failure(p, seen.append)
    lwt.cancel(p)
    assert len(seen) == 1
    assert isinstance(seen[0], lwt.Canceled)
    assert lwt.state(p) == lwt.Fail(seen[0])


def test_cancel_inside_callback_runs_nested_callbacks_at_once() -> None:
    log: list[object] = []
    p1, _ = lwt.task()
    p2, _ = lwt.task()
    lwt.on_failure(p2, lambda _: log.append("p2 failure"))

    def on_p1(_: BaseException) -> None:
        lwt.cancel(p2)
        log.append(("inside", _is_canceled(p2), list(log)))

    lwt.on_failure(p1, on_p1)
    lwt.cancel(p1)
    assert log == ["p2 failure", ("inside", True, ["p2 failure"])]
    assert _is_canceled(p2)


# --------------------------------------------------------- cancel: Python-specific
def test_cancel_method_is_the_same_as_the_function() -> None:
    p, _ = lwt.task()
    p.cancel()
    assert _is_canceled(p)


def test_each_cancel_makes_a_fresh_canceled_exception() -> None:
    p1, _ = lwt.task()
    p2, _ = lwt.task()
    lwt.cancel(p1)
    lwt.cancel(p2)
    s1, s2 = lwt.state(p1), lwt.state(p2)
    assert isinstance(s1, lwt.Fail)
    assert isinstance(s2, lwt.Fail)
    assert s1.exc is not s2.exc


def test_cancelling_twice_changes_nothing_the_second_time() -> None:
    calls: list[BaseException] = []
    p, _ = lwt.task()
    lwt.on_failure(p, calls.append)
    lwt.cancel(p)
    first = lwt.state(p)
    lwt.cancel(p)
    assert lwt.state(p) == first
    assert len(calls) == 1


def test_cancel_searches_back_through_bind_and_map() -> None:
    called: list[object] = []
    source, _ = lwt.task()
    chained = lwt.map(called.append, lwt.bind(source, lambda v: lwt.return_(v)))
    lwt.cancel(chained)
    assert _is_canceled(source)
    assert _is_canceled(chained)
    assert called == []


def test_cancel_reaches_catch_handler_as_canceled() -> None:
    handled: list[BaseException] = []
    source, _ = lwt.task()

    def handler(exc: BaseException) -> lwt.Promise[str]:
        handled.append(exc)
        return lwt.return_("recovered")

    caught = lwt.catch(lambda: source, handler)
    lwt.cancel(caught)
    assert len(handled) == 1
    assert isinstance(handled[0], lwt.Canceled)
    assert lwt.state(caught) == lwt.Return("recovered")


def test_cancel_of_join_cancels_every_pending_input() -> None:
    (p1, _), (p2, _) = lwt.task(), lwt.task()
    joined = lwt.join([p1, p2, lwt.return_unit])
    lwt.cancel(joined)
    assert _is_canceled(p1)
    assert _is_canceled(p2)
    assert _is_canceled(joined)


def test_cancel_stops_at_wait_promise_in_a_chain() -> None:
    source, _ = lwt.wait()
    chained = lwt.bind(source, lambda v: lwt.return_(v))
    lwt.cancel(chained)
    assert lwt.state(source) == lwt.Sleep()
    assert lwt.state(chained) == lwt.Sleep()


# ==================================================================== on_cancel
def test_on_cancel_runs_when_pending_task_is_canceled() -> None:
    ran: list[bool] = []
    p, _ = lwt.task()
    lwt.on_cancel(p, lambda: ran.append(True))
    assert ran == []
    lwt.cancel(p)
    assert ran == [True]


def test_on_cancel_runs_every_registered_function() -> None:
    ran: list[str] = []
    p, _ = lwt.task()
    lwt.on_cancel(p, lambda: ran.append("f"))
    lwt.on_cancel(p, lambda: ran.append("g"))
    lwt.on_cancel(p, lambda: ran.append("h"))
    lwt.cancel(p)
    assert ran == ["f", "g", "h"]


def test_on_cancel_functions_run_before_ordinary_callbacks() -> None:
    log: list[object] = []
    p, _ = lwt.task()
    lwt.on_cancel(p, lambda: log.append("cancel 1"))
    lwt.on_failure(p, lambda _: log.append(("failure sees", list(log))))
    lwt.on_cancel(p, lambda: log.append("cancel 2"))
    lwt.cancel(p)
    assert log == ["cancel 1", "cancel 2", ("failure sees", ["cancel 1", "cancel 2"])]


def test_on_cancel_ignores_fulfilled_promise() -> None:
    ran: list[bool] = []
    lwt.on_cancel(lwt.return_unit, lambda: ran.append(True))
    assert ran == []


def test_on_cancel_ignores_promise_rejected_otherwise() -> None:
    ran: list[bool] = []
    lwt.on_cancel(lwt.fail(Boom()), lambda: ran.append(True))
    assert ran == []


def test_on_cancel_runs_at_once_on_promise_already_canceled() -> None:
    ran: list[bool] = []
    lwt.on_cancel(lwt.fail(lwt.Canceled()), lambda: ran.append(True))
    assert ran == [True]


def test_on_cancel_runs_when_promise_is_rejected_with_canceled() -> None:
    # Rejecting with Canceled is the same as cancelling, even for wait().
    ran: list[bool] = []
    p, r = lwt.wait()
    lwt.on_cancel(p, lambda: ran.append(True))
    lwt.wakeup_exn(r, lwt.Canceled())
    assert ran == [True]


# ----------------------------------------------------- on_cancel: Python-specific
def test_on_cancel_runs_before_callbacks_of_every_kind_attached_earlier() -> None:
    log: list[str] = []
    p, _ = lwt.task()
    bound = lwt.bind(p, lambda _: lwt.return_unit)  # the promise's first callback
    lwt.on_failure(bound, lambda _: log.append("bind result rejected"))
    mapped = lwt.map(lambda v: v, p)
    lwt.on_failure(mapped, lambda _: log.append("map result rejected"))
    lwt.on_failure(p, lambda _: log.append("on_failure"))
    lwt.on_cancel(p, lambda: log.append("cancel 1"))
    lwt.on_termination(p, lambda: log.append("on_termination"))
    lwt.on_any(p, lambda _: None, lambda _: log.append("on_any"))
    lwt.on_cancel(p, lambda: log.append("cancel 2"))
    lwt.cancel(p)
    assert log == [
        "cancel 1",
        "cancel 2",
        "bind result rejected",
        "map result rejected",
        "on_failure",
        "on_termination",
        "on_any",
    ]


def test_on_cancel_runs_first_when_wait_promise_rejected_with_canceled() -> None:
    log: list[str] = []
    p, r = lwt.wait()
    lwt.on_failure(p, lambda _: log.append("on_failure"))
    lwt.on_cancel(p, lambda: log.append("on_cancel"))
    lwt.wakeup_exn(r, lwt.Canceled())
    assert log == ["on_cancel", "on_failure"]


def test_on_cancel_not_run_when_task_is_rejected_otherwise_or_fulfilled() -> None:
    ran: list[str] = []
    p1, r1 = lwt.task()
    p2, r2 = lwt.task()
    lwt.on_cancel(p1, lambda: ran.append("p1"))
    lwt.on_cancel(p2, lambda: ran.append("p2"))
    lwt.wakeup_exn(r1, Boom())
    lwt.wakeup(r2, None)
    assert ran == []


def test_on_cancel_of_derived_promise_runs_when_source_is_canceled() -> None:
    ran: list[str] = []
    source, _ = lwt.task()
    derived = lwt.bind(source, lambda _: lwt.return_unit)
    derived.on_cancel(lambda: ran.append("derived"))
    lwt.cancel(source)
    assert ran == ["derived"]
    assert _is_canceled(derived)


def test_on_cancel_exception_goes_to_hook_and_others_still_run(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    log: list[str] = []
    p, _ = lwt.task()
    lwt.on_cancel(p, lambda: _raise(exc))
    lwt.on_cancel(p, lambda: log.append("second cancel callback"))
    lwt.on_failure(p, lambda _: log.append("on_failure"))
    lwt.cancel(p)
    assert log == ["second cancel callback", "on_failure"]
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc
    assert _is_canceled(p)


def test_on_cancel_exception_on_already_canceled_promise_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, _ = lwt.task()
    lwt.cancel(p)
    lwt.on_cancel(p, lambda: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


# ==================================================================== protected
def test_protected_fulfilled_promise_stays_fulfilled() -> None:
    assert lwt.state(lwt.protected(lwt.return_unit)) == lwt.Return(None)


def test_protected_rejected_promise_stays_rejected() -> None:
    exc = Boom()
    assert lwt.state(lwt.protected(lwt.fail(exc))) == lwt.Fail(exc)


def test_protected_pending_promise_is_pending() -> None:
    p, _ = lwt.task()
    guarded = lwt.protected(p)
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(guarded) == lwt.Sleep()


def test_protected_follows_fulfilment() -> None:
    p, r = lwt.task()
    guarded = lwt.protected(p)
    lwt.wakeup(r, "foo")
    assert lwt.state(guarded) == lwt.Return("foo")


def test_cancelling_protected_result_spares_the_original() -> None:
    p, _ = lwt.task()
    guarded = lwt.protected(p)
    lwt.cancel(guarded)
    assert lwt.state(p) == lwt.Sleep()
    assert _is_canceled(guarded)


def test_protected_result_stays_canceled_when_original_resolves() -> None:
    p, r = lwt.task()
    guarded = lwt.protected(p)
    lwt.cancel(guarded)
    lwt.wakeup(r, "foo")
    assert lwt.state(p) == lwt.Return("foo")
    assert _is_canceled(guarded)


def test_protected_result_taken_over_by_bind_still_follows_original() -> None:
    p1, r1 = lwt.task()
    guarded = lwt.protected(p1)
    p3, r3 = lwt.wait()
    bound = lwt.bind(p3, lambda _: guarded)
    lwt.wakeup(r3, None)
    lwt.wakeup(r1, "foo")
    assert lwt.state(guarded) == lwt.Return("foo")
    assert lwt.state(bound) == lwt.Return("foo")


# ----------------------------------------------------- protected: Python-specific
def test_protected_follows_rejection() -> None:
    exc = Boom()
    p, r = lwt.task()
    guarded = lwt.protected(p)
    lwt.wakeup_exn(r, exc)
    assert lwt.state(guarded) == lwt.Fail(exc)


def test_protected_result_of_wait_promise_is_cancelable() -> None:
    p, _ = lwt.wait()
    guarded = lwt.protected(p)
    lwt.cancel(guarded)
    assert _is_canceled(guarded)
    assert lwt.state(p) == lwt.Sleep()


def test_protected_cancel_runs_result_callbacks_not_originals() -> None:
    log: list[str] = []
    p, r = lwt.task()
    lwt.on_termination(p, lambda: log.append("original"))
    guarded = lwt.protected(p)
    lwt.on_cancel(guarded, lambda: log.append("guarded on_cancel"))
    lwt.on_termination(guarded, lambda: log.append("guarded"))
    lwt.cancel(guarded)
    assert log == ["guarded on_cancel", "guarded"]
    lwt.wakeup(r, None)
    assert log == ["guarded on_cancel", "guarded", "original"]


def test_protected_in_a_chain_stops_cancellation_of_the_source() -> None:
    source, r = lwt.task()
    chained = lwt.bind(lwt.protected(source), lambda v: lwt.return_(v + 1))
    lwt.cancel(chained)
    assert _is_canceled(chained)
    assert lwt.state(source) == lwt.Sleep()
    lwt.wakeup(r, 1)
    assert lwt.state(source) == lwt.Return(1)
    assert _is_canceled(chained)


def test_canceled_protected_results_leave_no_callbacks_on_original() -> None:
    p, r = lwt.wait()
    seen: list[object] = []
    lwt.on_success(p, seen.append)
    for _ in range(1_000):
        lwt.cancel(lwt.protected(p))
    # Internal look: _cbs holds the callbacks after the first, which is stored
    # inline (see lwt/core/_promise.py); the canceled results left none there.
    assert p._cbs is None or p._cbs == []
    lwt.wakeup(r, "v")
    assert seen == ["v"]


# =========================================================== wrap_in_cancelable
def test_wrap_in_cancelable_fulfilled_promise_stays_fulfilled() -> None:
    assert lwt.state(lwt.wrap_in_cancelable(lwt.return_unit)) == lwt.Return(None)


def test_wrap_in_cancelable_rejected_promise_stays_rejected() -> None:
    exc = Boom()
    assert lwt.state(lwt.wrap_in_cancelable(lwt.fail(exc))) == lwt.Fail(exc)


@pytest.mark.parametrize("make", [lwt.task, lwt.wait], ids=["task", "wait"])
def test_wrap_in_cancelable_pending_promise_is_pending(make: Callable[[], Any]) -> None:
    p, _ = make()
    wrapped = lwt.wrap_in_cancelable(p)
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(wrapped) == lwt.Sleep()


@pytest.mark.parametrize("make", [lwt.task, lwt.wait], ids=["task", "wait"])
def test_wrap_in_cancelable_follows_fulfilment(make: Callable[[], Any]) -> None:
    p, r = make()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.wakeup(r, "foo")
    assert lwt.state(p) == lwt.Return("foo")
    assert lwt.state(wrapped) == lwt.Return("foo")


def test_cancelling_wrapped_task_cancels_both() -> None:
    p, _ = lwt.task()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.cancel(wrapped)
    assert _is_canceled(p)
    assert _is_canceled(wrapped)


def test_cancelling_wrapped_wait_promise_cancels_only_the_wrapper() -> None:
    p, _ = lwt.wait()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.cancel(wrapped)
    assert lwt.state(p) == lwt.Sleep()
    assert _is_canceled(wrapped)


def test_wrapped_task_canceled_then_resolved_stays_canceled() -> None:
    p, r = lwt.task()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.cancel(wrapped)
    lwt.wakeup(r, "foo")
    assert _is_canceled(p)
    assert _is_canceled(wrapped)


def test_wrapped_wait_promise_canceled_then_resolved() -> None:
    p, r = lwt.wait()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.cancel(wrapped)
    lwt.wakeup(r, "foo")
    assert lwt.state(p) == lwt.Return("foo")
    assert _is_canceled(wrapped)


def test_wrap_in_cancelable_result_taken_over_by_bind_still_follows_original() -> None:
    p1, r1 = lwt.task()
    wrapped = lwt.wrap_in_cancelable(p1)
    p3, r3 = lwt.wait()
    bound = lwt.bind(p3, lambda _: wrapped)
    lwt.wakeup(r3, None)
    lwt.wakeup(r1, "foo")
    assert lwt.state(wrapped) == lwt.Return("foo")
    assert lwt.state(bound) == lwt.Return("foo")


# ---------------------------------------------- wrap_in_cancelable: Python-specific
def test_wrap_in_cancelable_makes_chain_through_wait_cancelable() -> None:
    source, _ = lwt.wait()
    chained = lwt.bind(lwt.wrap_in_cancelable(source), lambda v: lwt.return_(v))
    lwt.cancel(chained)
    assert _is_canceled(chained)
    assert lwt.state(source) == lwt.Sleep()


def test_wrap_in_cancelable_follows_rejection() -> None:
    exc = Boom()
    p, r = lwt.wait()
    wrapped = lwt.wrap_in_cancelable(p)
    lwt.wakeup_exn(r, exc)
    assert lwt.state(wrapped) == lwt.Fail(exc)


# ==================================================================== no_cancel
def test_no_cancel_fulfilled_promise_stays_fulfilled() -> None:
    assert lwt.state(lwt.no_cancel(lwt.return_unit)) == lwt.Return(None)


def test_no_cancel_rejected_promise_stays_rejected() -> None:
    exc = Boom()
    assert lwt.state(lwt.no_cancel(lwt.fail(exc))) == lwt.Fail(exc)


def test_no_cancel_pending_promise_is_pending() -> None:
    p, _ = lwt.task()
    shielded = lwt.no_cancel(p)
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(shielded) == lwt.Sleep()


def test_no_cancel_follows_fulfilment() -> None:
    p, r = lwt.task()
    shielded = lwt.no_cancel(p)
    lwt.wakeup(r, "foo")
    assert lwt.state(shielded) == lwt.Return("foo")


def test_no_cancel_result_ignores_cancel() -> None:
    p, _ = lwt.task()
    shielded = lwt.no_cancel(p)
    lwt.cancel(shielded)
    assert lwt.state(p) == lwt.Sleep()
    assert lwt.state(shielded) == lwt.Sleep()


# ------------------------------------------------------ no_cancel: Python-specific
def test_no_cancel_in_a_chain_stops_the_search() -> None:
    source, r = lwt.task()
    chained = lwt.bind(lwt.no_cancel(source), lambda v: lwt.return_(v * 2))
    lwt.cancel(chained)
    assert lwt.state(source) == lwt.Sleep()
    assert lwt.state(chained) == lwt.Sleep()
    lwt.wakeup(r, 21)
    assert lwt.state(chained) == lwt.Return(42)


def test_no_cancel_result_follows_cancellation_of_the_source() -> None:
    p, _ = lwt.task()
    shielded = lwt.no_cancel(p)
    lwt.cancel(p)
    assert _is_canceled(shielded)


# ============================================================ resolve canceled
def test_wakeup_of_canceled_task_does_nothing() -> None:
    p, r = lwt.task()
    lwt.cancel(p)
    lwt.wakeup(r, None)
    assert _is_canceled(p)


def test_wakeup_later_of_canceled_task_does_nothing() -> None:
    p, r = lwt.task()
    lwt.cancel(p)
    lwt.wakeup_later(r, None)
    assert _is_canceled(p)


# ---------------------------------------------- resolve canceled: Python-specific
_ALL_WAKEUPS: list[tuple[str, Callable[[Any], None]]] = [
    ("wakeup", lambda r: lwt.wakeup(r, "v")),
    ("wakeup_exn", lambda r: lwt.wakeup_exn(r, Boom())),
    ("wakeup_result", lambda r: lwt.wakeup_result(r, lwt.Ok("v"))),
    ("wakeup_later", lambda r: lwt.wakeup_later(r, "v")),
    ("wakeup_later_exn", lambda r: lwt.wakeup_later_exn(r, Boom())),
    ("wakeup_later_result", lambda r: lwt.wakeup_later_result(r, lwt.Error(Boom()))),
]


@pytest.mark.parametrize("resolve", [f for _, f in _ALL_WAKEUPS], ids=[n for n, _ in _ALL_WAKEUPS])
def test_every_wakeup_of_canceled_task_is_silently_ignored(
    resolve: Callable[[Any], None],
) -> None:
    calls: list[object] = []
    p, r = lwt.task()
    lwt.cancel(p)
    before = lwt.state(p)
    lwt.on_success(p, calls.append)
    resolve(r)
    assert lwt.state(p) == before
    assert calls == []


@pytest.mark.parametrize("resolve", [f for _, f in _ALL_WAKEUPS], ids=[n for n, _ in _ALL_WAKEUPS])
def test_every_wakeup_of_wait_promise_rejected_with_canceled_is_ignored(
    resolve: Callable[[Any], None],
) -> None:
    exc = lwt.Canceled()
    p, r = lwt.wait()
    lwt.wakeup_exn(r, exc)
    resolve(r)
    assert lwt.state(p) == lwt.Fail(exc)


def test_wakeup_later_of_task_canceled_inside_a_callback_does_nothing() -> None:
    outer, r_outer = lwt.wait()
    p, r = lwt.task()
    states: list[object] = []

    def inside(_: object) -> None:
        lwt.cancel(p)
        lwt.wakeup_later(r, None)
        states.append(_is_canceled(p))

    lwt.on_success(outer, inside)
    lwt.wakeup(r_outer, None)
    assert states == [True]
    assert _is_canceled(p)
