"""Handlers and resolution: on_success/on_failure/on_termination/on_any, async_,
dont_wait, ignore_result, state queries, wakeup and wakeup_later.

After the suites of Lwt's ``test/core/test_lwt.ml`` that cover these functions,
restated for Python, plus checks of the Python port's own guarantees (the async
exception hook, FIFO order, the deferral done by ``wakeup_later``).
"""

from __future__ import annotations

import pytest

import lwt.core as lwt


class Boom(Exception):
    """The sample exception of these tests (OCaml's local ``Exception``)."""


class Other(Exception):
    """A second, distinct exception (OCaml's ``Exit`` in Lwt's tests)."""


def _raise(exc: BaseException) -> None:
    raise exc


# =================================================================== on_success
def test_on_success_runs_at_once_on_fulfilled_promise() -> None:
    seen: list[str] = []
    lwt.on_success(lwt.return_("value"), seen.append)
    assert seen == ["value"]


def test_on_success_exception_on_fulfilled_promise_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.on_success(lwt.return_unit, lambda _: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_success_ignores_rejected_promise() -> None:
    calls: list[object] = []
    lwt.on_success(lwt.fail(Boom()), calls.append)
    assert calls == []


def test_on_success_waits_while_promise_is_pending() -> None:
    calls: list[object] = []
    p, _ = lwt.wait()
    lwt.on_success(p, calls.append)
    assert calls == []
    assert lwt.is_sleeping(p)


def test_on_success_runs_when_pending_promise_is_fulfilled() -> None:
    calls: list[object] = []
    p, r = lwt.wait()
    lwt.on_success(p, calls.append)
    assert calls == []
    lwt.wakeup(r, 7)
    assert calls == [7]


def test_on_success_exception_after_fulfilment_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.on_success(p, lambda _: _raise(exc))
    assert async_exceptions == []
    lwt.wakeup(r, None)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc
    assert lwt.state(p) == lwt.Return(None)


def test_on_success_skipped_when_pending_promise_is_rejected() -> None:
    calls: list[object] = []
    p, r = lwt.wait()
    lwt.on_success(p, calls.append)
    lwt.wakeup_exn(r, Boom())
    assert calls == []


# =================================================================== on_failure
def test_on_failure_ignores_fulfilled_promise() -> None:
    calls: list[BaseException] = []
    lwt.on_failure(lwt.return_unit, calls.append)
    assert calls == []


def test_on_failure_runs_at_once_on_rejected_promise() -> None:
    exc = Boom()
    calls: list[BaseException] = []
    lwt.on_failure(lwt.fail(exc), calls.append)
    assert len(calls) == 1
    assert calls[0] is exc


def test_on_failure_exception_on_rejected_promise_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    raised = Boom()
    lwt.on_failure(lwt.fail(Other()), lambda _: _raise(raised))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is raised


def test_on_failure_waits_while_promise_is_pending() -> None:
    calls: list[BaseException] = []
    p, _ = lwt.wait()
    lwt.on_failure(p, calls.append)
    assert calls == []


def test_on_failure_skipped_when_pending_promise_is_fulfilled() -> None:
    calls: list[BaseException] = []
    p, r = lwt.wait()
    lwt.on_failure(p, calls.append)
    lwt.wakeup(r, None)
    assert calls == []


def test_on_failure_runs_when_pending_promise_is_rejected() -> None:
    exc = Boom()
    calls: list[BaseException] = []
    p, r = lwt.wait()
    lwt.on_failure(p, calls.append)
    assert calls == []
    lwt.wakeup_exn(r, exc)
    assert len(calls) == 1
    assert calls[0] is exc


def test_on_failure_exception_after_rejection_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    raised = Boom()
    p, r = lwt.wait()
    lwt.on_failure(p, lambda _: _raise(raised))
    lwt.wakeup_exn(r, Other())
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is raised


# =============================================================== on_termination
def test_on_termination_runs_at_once_on_fulfilled_promise() -> None:
    calls: list[str] = []
    lwt.on_termination(lwt.return_unit, lambda: calls.append("ran"))
    assert calls == ["ran"]


def test_on_termination_exception_on_fulfilled_promise_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.on_termination(lwt.return_unit, lambda: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_termination_runs_at_once_on_rejected_promise() -> None:
    calls: list[str] = []
    lwt.on_termination(lwt.fail(Boom()), lambda: calls.append("ran"))
    assert calls == ["ran"]


def test_on_termination_exception_on_rejected_promise_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.on_termination(lwt.fail(Other()), lambda: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_termination_waits_while_promise_is_pending() -> None:
    calls: list[str] = []
    p, _ = lwt.wait()
    lwt.on_termination(p, lambda: calls.append("ran"))
    assert calls == []


def test_on_termination_runs_when_pending_promise_is_fulfilled() -> None:
    calls: list[str] = []
    p, r = lwt.wait()
    lwt.on_termination(p, lambda: calls.append("ran"))
    assert calls == []
    lwt.wakeup(r, None)
    assert calls == ["ran"]


def test_on_termination_exception_after_fulfilment_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.on_termination(p, lambda: _raise(exc))
    lwt.wakeup(r, None)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_termination_runs_when_pending_promise_is_rejected() -> None:
    calls: list[str] = []
    p, r = lwt.wait()
    lwt.on_termination(p, lambda: calls.append("ran"))
    lwt.wakeup_exn(r, Boom())
    assert calls == ["ran"]


def test_on_termination_exception_after_rejection_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.on_termination(p, lambda: _raise(exc))
    lwt.wakeup_exn(r, Other())
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


# ======================================================================= on_any
def test_on_any_calls_only_first_function_on_fulfilled_promise() -> None:
    values: list[object] = []
    errors: list[BaseException] = []
    lwt.on_any(lwt.return_("v"), values.append, errors.append)
    assert values == ["v"]
    assert errors == []


def test_on_any_exception_from_value_handler_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.on_any(lwt.return_unit, lambda _: _raise(exc), lambda _: None)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_any_calls_only_second_function_on_rejected_promise() -> None:
    exc = Boom()
    values: list[object] = []
    errors: list[BaseException] = []
    lwt.on_any(lwt.fail(exc), values.append, errors.append)
    assert values == []
    assert len(errors) == 1
    assert errors[0] is exc


def test_on_any_exception_from_error_handler_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.on_any(lwt.fail(Other()), lambda _: None, lambda _: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_any_calls_nothing_while_promise_is_pending() -> None:
    calls: list[object] = []
    p, _ = lwt.wait()
    lwt.on_any(p, calls.append, calls.append)
    assert calls == []


def test_on_any_calls_value_handler_when_pending_promise_is_fulfilled() -> None:
    values: list[object] = []
    errors: list[BaseException] = []
    p, r = lwt.wait()
    lwt.on_any(p, values.append, errors.append)
    lwt.wakeup(r, 3)
    assert values == [3]
    assert errors == []


def test_on_any_value_handler_exception_after_fulfilment_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.on_any(p, lambda _: _raise(exc), lambda _: None)
    lwt.wakeup(r, None)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_on_any_calls_error_handler_when_pending_promise_is_rejected() -> None:
    exc = Boom()
    values: list[object] = []
    errors: list[BaseException] = []
    p, r = lwt.wait()
    lwt.on_any(p, values.append, errors.append)
    lwt.wakeup_exn(r, exc)
    assert values == []
    assert len(errors) == 1
    assert errors[0] is exc


def test_on_any_error_handler_exception_after_rejection_goes_to_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.on_any(p, lambda _: None, lambda _: _raise(exc))
    lwt.wakeup_exn(r, Other())
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


# ------------------------------------------------- on_*: Python-specific checks
def test_handler_exception_does_not_stop_later_handlers_of_pending_promise(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    log: list[str] = []
    p, r = lwt.wait()
    lwt.on_success(p, lambda _: log.append("first"))
    lwt.on_success(p, lambda _: _raise(exc))
    lwt.on_termination(p, lambda: log.append("third"))
    mapped = p.map(lambda v: v + 1)
    lwt.wakeup(r, 1)
    assert log == ["first", "third"]
    assert async_exceptions == [exc]
    assert lwt.state(mapped) == lwt.Return(2)


def test_each_raising_handler_on_resolved_promises_reaches_hook_in_order(
    async_exceptions: list[BaseException],
) -> None:
    e1, e2, e3, e4 = Boom("1"), Boom("2"), Boom("3"), Boom("4")
    lwt.on_success(lwt.return_unit, lambda _: _raise(e1))
    lwt.on_failure(lwt.fail(Other()), lambda _: _raise(e2))
    lwt.on_termination(lwt.return_unit, lambda: _raise(e3))
    lwt.on_any(lwt.fail(Other()), lambda _: None, lambda _: _raise(e4))
    assert len(async_exceptions) == 4
    assert all(a is b for a, b in zip(async_exceptions, [e1, e2, e3, e4], strict=True))


def test_handlers_of_all_kinds_run_in_order_of_attachment() -> None:
    log: list[str] = []
    p, r = lwt.wait()
    lwt.on_termination(p, lambda: log.append("termination"))
    lwt.on_success(p, lambda v: log.append(f"success {v}"))
    lwt.on_failure(p, lambda _: log.append("failure"))
    lwt.on_any(p, lambda v: log.append(f"any {v}"), lambda _: log.append("any error"))
    p.on_success(lambda v: log.append(f"method {v}"))
    lwt.wakeup(r, "x")
    assert log == ["termination", "success x", "any x", "method x"]


def test_handler_methods_behave_like_the_functions() -> None:
    exc = Boom()
    log: list[object] = []
    p, r = lwt.wait()
    p.on_success(lambda v: log.append(("success", v)))
    p.on_failure(lambda e: log.append(("failure", e)))
    p.on_termination(lambda: log.append("termination"))
    p.on_any(lambda v: log.append(("any", v)), lambda e: log.append(("any error", e)))
    lwt.wakeup_exn(r, exc)
    assert log == [("failure", exc), "termination", ("any error", exc)]


def test_handler_return_value_is_ignored() -> None:
    p, r = lwt.wait()
    # Returning something that is not a promise is fine for on_* handlers.
    lwt.on_success(p, lambda v: v * 2)
    lwt.on_success(lwt.return_(1), lambda v: "not a promise")
    lwt.wakeup(r, 21)
    assert lwt.state(p) == lwt.Return(21)


def test_base_exception_from_handler_escapes_the_resolving_call(
    async_exceptions: list[BaseException],
) -> None:
    p, r = lwt.wait()
    lwt.on_success(p, lambda _: _raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        lwt.wakeup(r, None)
    assert async_exceptions == []
    assert lwt.state(p) == lwt.Return(None)
    # The resolution machinery is usable afterwards.
    q, s = lwt.wait()
    seen: list[int] = []
    lwt.on_success(q, seen.append)
    lwt.wakeup(s, 5)
    assert seen == [5]


def test_handler_attached_to_bound_promise_runs_after_proxying() -> None:
    # The promise returned by the function given to bind becomes one with the
    # result of bind: a handler attached to it still runs.
    seen: list[int] = []
    outer, r_outer = lwt.wait()
    inner, r_inner = lwt.wait()
    lwt.on_success(inner, seen.append)
    bound = lwt.bind(outer, lambda _: inner)
    lwt.wakeup(r_outer, None)
    assert seen == []
    lwt.wakeup(r_inner, 9)
    assert seen == [9]
    assert lwt.state(bound) == lwt.Return(9)


# ======================================================================= async_
def test_async_runs_the_function_at_once() -> None:
    ran: list[bool] = []

    def thunk() -> lwt.Promise[None]:
        ran.append(True)
        return lwt.return_unit

    lwt.async_(thunk)
    assert ran == [True]


def test_async_function_raising_reaches_hook(async_exceptions: list[BaseException]) -> None:
    exc = Boom()
    lwt.async_(lambda: _raise(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_async_function_returning_rejected_promise_reaches_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    lwt.async_(lambda: lwt.fail(exc))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_async_lets_pending_work_complete() -> None:
    done: list[bool] = []
    p, r = lwt.wait()

    def finish(_: object) -> lwt.Promise[None]:
        done.append(True)
        return lwt.return_unit

    lwt.async_(lambda: lwt.bind(p, finish))
    assert done == []
    lwt.wakeup(r, None)
    assert done == [True]


def test_async_later_rejection_reaches_hook(async_exceptions: list[BaseException]) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.async_(lambda: p)
    assert async_exceptions == []
    lwt.wakeup_exn(r, exc)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


def test_async_function_returning_non_promise_reports_type_error(
    async_exceptions: list[BaseException],
) -> None:
    lwt.async_(lambda: 42)
    assert len(async_exceptions) == 1
    assert isinstance(async_exceptions[0], TypeError)


def test_async_fulfilment_reports_nothing(async_exceptions: list[BaseException]) -> None:
    p, r = lwt.wait()
    lwt.async_(lambda: p)
    lwt.wakeup(r, "ignored")
    assert async_exceptions == []


# ==================================================================== dont_wait
def test_dont_wait_runs_the_function_at_once() -> None:
    ran: list[bool] = []
    handled: list[BaseException] = []

    def thunk() -> lwt.Promise[None]:
        ran.append(True)
        return lwt.return_unit

    lwt.dont_wait(thunk, handled.append)
    assert ran == [True]
    assert handled == []


def test_dont_wait_passes_exception_raised_by_function_to_handler() -> None:
    exc = Boom()
    handled: list[BaseException] = []
    lwt.dont_wait(lambda: _raise(exc), handled.append)
    assert len(handled) == 1
    assert handled[0] is exc


def test_dont_wait_passes_rejection_of_returned_promise_to_handler() -> None:
    exc = Boom()
    handled: list[BaseException] = []
    lwt.dont_wait(lambda: lwt.fail(exc), handled.append)
    assert len(handled) == 1
    assert handled[0] is exc


def test_dont_wait_lets_pending_work_complete() -> None:
    done: list[bool] = []
    handled: list[BaseException] = []
    p, r = lwt.wait()

    def finish(_: object) -> lwt.Promise[None]:
        done.append(True)
        return lwt.return_unit

    lwt.dont_wait(lambda: lwt.bind(p, finish), handled.append)
    lwt.wakeup(r, None)
    assert done == [True]
    assert handled == []


def test_dont_wait_passes_later_rejection_to_handler() -> None:
    exc = Boom()
    handled: list[BaseException] = []
    p, r = lwt.wait()
    lwt.dont_wait(lambda: p, handled.append)
    assert handled == []
    lwt.wakeup_exn(r, exc)
    assert len(handled) == 1
    assert handled[0] is exc


def test_dont_wait_handler_raising_on_later_rejection_reaches_hook(
    async_exceptions: list[BaseException],
) -> None:
    raised = Boom()
    p, r = lwt.wait()
    lwt.dont_wait(lambda: p, lambda _: _raise(raised))
    lwt.wakeup_exn(r, Other())
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is raised


def test_dont_wait_handler_raising_on_immediate_rejection_reaches_hook(
    async_exceptions: list[BaseException],
) -> None:
    raised = Boom()
    lwt.dont_wait(lambda: lwt.fail(Other()), lambda _: _raise(raised))
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is raised


# ================================================================ ignore_result
def test_ignore_result_of_fulfilled_promise_does_nothing(
    async_exceptions: list[BaseException],
) -> None:
    p = lwt.return_("v")
    assert lwt.ignore_result(p) is None
    assert async_exceptions == []
    assert lwt.state(p) == lwt.Return("v")


def test_ignore_result_of_rejected_promise_raises_its_exception() -> None:
    exc = Boom()
    with pytest.raises(Boom) as info:
        lwt.ignore_result(lwt.fail(exc))
    assert info.value is exc


def test_ignore_result_of_pending_promise_later_fulfilled_reports_nothing(
    async_exceptions: list[BaseException],
) -> None:
    p, r = lwt.wait()
    lwt.ignore_result(p)
    lwt.wakeup(r, None)
    assert async_exceptions == []
    assert lwt.state(p) == lwt.Return(None)


def test_ignore_result_of_pending_promise_later_rejected_reaches_hook(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.ignore_result(p)
    assert async_exceptions == []
    lwt.wakeup_exn(r, exc)
    assert len(async_exceptions) == 1
    assert async_exceptions[0] is exc


# ================================================================= state query
def test_is_sleeping_is_false_for_fulfilled_promise() -> None:
    assert not lwt.is_sleeping(lwt.return_unit)
    assert not lwt.return_unit.is_sleeping()


def test_is_sleeping_is_false_for_rejected_promise() -> None:
    assert not lwt.is_sleeping(lwt.fail(Boom()))


def test_is_sleeping_is_true_for_pending_promise() -> None:
    p, _ = lwt.wait()
    assert lwt.is_sleeping(p)
    assert p.is_sleeping()


def test_is_sleeping_sees_through_a_promise_that_bind_took_over() -> None:
    p1, r1 = lwt.wait()
    p2, _ = lwt.wait()
    bound = lwt.bind(p1, lambda _: p2)
    lwt.wakeup(r1, None)
    assert lwt.is_sleeping(p2)
    assert lwt.is_sleeping(bound)


def test_poll_returns_value_of_fulfilled_promise() -> None:
    assert lwt.poll(lwt.return_("foo")) == "foo"
    assert lwt.return_("foo").poll() == "foo"


def test_poll_raises_rejection_of_rejected_promise() -> None:
    exc = Boom()
    with pytest.raises(Boom) as info:
        lwt.poll(lwt.fail(exc))
    assert info.value is exc


def test_poll_returns_none_for_pending_promise() -> None:
    p, _ = lwt.wait()
    assert lwt.poll(p) is None


def test_poll_sees_through_a_promise_that_bind_took_over() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    bound = lwt.bind(p1, lambda _: p2)
    lwt.wakeup(r1, None)
    assert lwt.poll(p2) is None
    lwt.wakeup(r2, "done")
    assert lwt.poll(p2) == "done"
    assert lwt.poll(bound) == "done"


def test_state_of_each_kind_of_promise() -> None:
    exc = Boom()
    p, _ = lwt.wait()
    assert lwt.state(lwt.return_(1)) == lwt.Return(1)
    assert lwt.state(lwt.fail(exc)) == lwt.Fail(exc)
    assert lwt.state(p) == lwt.Sleep()
    assert p.state() == lwt.Sleep()


# ======================================================================= wakeup
def test_wakeup_result_inside_handler_runs_callbacks_at_once() -> None:
    ran: list[object] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    lwt.on_success(p2, ran.append)
    inside: list[object] = []

    def on_first(s: str) -> None:
        lwt.wakeup_result(r2, lwt.Ok(s + "bar"))
        inside.append(lwt.state(p2))
        inside.append(list(ran))

    lwt.on_success(p1, on_first)
    lwt.wakeup_result(r1, lwt.Ok("foo"))
    assert inside == [lwt.Return("foobar"), ["foobar"]]
    assert ran == ["foobar"]
    assert lwt.state(p2) == lwt.Return("foobar")


def test_wakeup_result_with_error_rejects() -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.wakeup_result(r, lwt.Error(exc))
    assert lwt.state(p) == lwt.Fail(exc)


@pytest.mark.parametrize(
    ("name", "resolve"),
    [
        ("wakeup", lambda r: lwt.wakeup(r, None)),
        ("wakeup_exn", lambda r: lwt.wakeup_exn(r, Boom())),
        ("wakeup_result", lambda r: lwt.wakeup_result(r, lwt.Ok(None))),
    ],
)
def test_immediate_wakeups_refuse_resolved_promise(name: str, resolve: object) -> None:
    p, r = lwt.wait()
    lwt.wakeup(r, "first")
    with pytest.raises(lwt.InvalidArgument, match=rf"^{name}:"):
        resolve(r)
    assert lwt.state(p) == lwt.Return("first")


# ================================================================= wakeup_later
def test_wakeup_later_result_outside_callbacks_resolves_at_once() -> None:
    p, r = lwt.wait()
    bound = lwt.bind(p, lambda s: lwt.return_(s + "bar"))
    lwt.wakeup_later_result(r, lwt.Ok("foo"))
    assert lwt.state(bound) == lwt.Return("foobar")


_LATER_WAKEUPS = [
    ("wakeup_later", lambda r: lwt.wakeup_later(r, None)),
    ("wakeup_later_result", lambda r: lwt.wakeup_later_result(r, lwt.Ok(None))),
    ("wakeup_later_exn", lambda r: lwt.wakeup_later_exn(r, Boom())),
]


@pytest.mark.parametrize(("name", "resolve"), _LATER_WAKEUPS)
@pytest.mark.parametrize("make", [lwt.wait, lwt.task], ids=["wait", "task"])
def test_later_wakeups_refuse_resolved_promise(name: str, resolve: object, make: object) -> None:
    p, r = make()
    lwt.wakeup(r, "first")
    with pytest.raises(lwt.InvalidArgument, match=rf"^{name}:"):
        resolve(r)
    assert lwt.state(p) == lwt.Return("first")


@pytest.mark.parametrize(("name", "resolve"), _LATER_WAKEUPS)
def test_later_wakeups_refuse_rejected_promise(name: str, resolve: object) -> None:
    exc = Other()
    p, r = lwt.wait()
    lwt.wakeup_exn(r, exc)
    with pytest.raises(lwt.InvalidArgument, match=rf"^{name}:"):
        resolve(r)
    assert lwt.state(p) == lwt.Fail(exc)


def test_wakeup_later_result_inside_handler_defers_callbacks() -> None:
    ran: list[object] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    lwt.on_success(p2, ran.append)
    inside: list[object] = []

    def on_first(s: str) -> None:
        lwt.wakeup_later_result(r2, lwt.Ok(s + "bar"))
        # Resolved at once, but its callbacks wait for the outer resolution.
        inside.append(lwt.state(p2))
        inside.append(list(ran))

    lwt.on_success(p1, on_first)
    lwt.wakeup_later_result(r1, lwt.Ok("foo"))
    assert inside == [lwt.Return("foobar"), []]
    assert ran == ["foobar"]
    assert lwt.state(p2) == lwt.Return("foobar")


def test_wakeup_later_fulfils() -> None:
    p, r = lwt.wait()
    lwt.wakeup_later(r, "foo")
    assert lwt.state(p) == lwt.Return("foo")


def test_wakeup_later_exn_rejects() -> None:
    exc = Boom()
    p, r = lwt.wait()
    lwt.wakeup_later_exn(r, exc)
    assert lwt.state(p) == lwt.Fail(exc)


# ----------------------------------------- wakeup_later: order of the callbacks
def _two_stage(
    resolve_second: str,
) -> list[str]:
    """Resolve p1, whose first handler resolves p2; return the order of events."""
    log: list[str] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    lwt.on_success(p2, lambda v: log.append(f"p2 handler {v}"))

    def first(_: object) -> None:
        log.append("p1 first handler starts")
        if resolve_second == "wakeup":
            lwt.wakeup(r2, "x")
        else:
            lwt.wakeup_later(r2, "x")
        log.append("p1 first handler ends")

    lwt.on_success(p1, first)
    lwt.on_success(p1, lambda _: log.append("p1 second handler"))
    lwt.wakeup(r1, None)
    log.append("wakeup returned")
    return log


def test_wakeup_inside_handler_runs_nested_callbacks_immediately() -> None:
    assert _two_stage("wakeup") == [
        "p1 first handler starts",
        "p2 handler x",
        "p1 first handler ends",
        "p1 second handler",
        "wakeup returned",
    ]


def test_wakeup_later_inside_handler_runs_callbacks_after_outer_resolution() -> None:
    assert _two_stage("wakeup_later") == [
        "p1 first handler starts",
        "p1 first handler ends",
        "p1 second handler",
        "p2 handler x",
        "wakeup returned",
    ]


def test_wakeup_later_deep_inside_callbacks_waits_for_outermost_resolution() -> None:
    log: list[str] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    p3, r3 = lwt.wait()
    lwt.on_success(p3, lambda _: log.append("p3 handler"))

    def on_p2(_: object) -> None:
        lwt.wakeup_later(r3, None)
        log.append("p2 handler done")

    lwt.on_success(p2, on_p2)
    lwt.on_success(p2, lambda _: log.append("p2 second handler"))

    def on_p1(_: object) -> None:
        lwt.wakeup(r2, None)
        log.append("p1 handler done")

    lwt.on_success(p1, on_p1)
    lwt.on_success(p1, lambda _: log.append("p1 second handler"))
    lwt.wakeup(r1, None)
    assert log == [
        "p2 handler done",
        "p2 second handler",
        "p1 handler done",
        "p1 second handler",
        "p3 handler",
    ]


def test_wakeup_later_exn_inside_handler_defers_failure_callbacks() -> None:
    exc = Boom()
    log: list[object] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    lwt.on_failure(p2, lambda e: log.append(("p2 failure", e)))

    def first(_: object) -> None:
        lwt.wakeup_later_exn(r2, exc)
        log.append(("p2 state", lwt.state(p2)))

    lwt.on_success(p1, first)
    lwt.on_success(p1, lambda _: log.append("p1 second handler"))
    lwt.wakeup(r1, None)
    assert log == [("p2 state", lwt.Fail(exc)), "p1 second handler", ("p2 failure", exc)]


def test_wakeup_later_inside_bind_callback_defers_dependent_bind() -> None:
    log: list[str] = []
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    after = lwt.map(lambda v: log.append(f"map on p2 {v}"), p2)

    def step(_: object) -> lwt.Promise[None]:
        lwt.wakeup_later(r2, 1)
        log.append("bind callback ends")
        return lwt.return_unit

    bound = lwt.bind(p1, step)
    lwt.on_success(p1, lambda _: log.append("p1 handler"))
    lwt.wakeup(r1, None)
    assert log == ["bind callback ends", "p1 handler", "map on p2 1"]
    assert lwt.state(bound) == lwt.Return(None)
    assert lwt.state(after) == lwt.Return(None)
