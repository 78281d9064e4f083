"""Tests for lwt.core.result, after Lwt's test/core/test_lwt_result.ml, plus more.

Lwt compares promises structurally; here each case looks at the state of
the promise it gets.  Lwt's cases for the ``Infix`` and ``Syntax`` operators
are restated with the functions those operators stand for.
"""

from __future__ import annotations

from typing import Any

import pytest

import lwt.core as lwt
import lwt.core.result as lwt_result
from lwt.core import Error, Ok


class DummyError(Exception):
    """A sample exception, as in Lwt's tests."""


def _fulfilled(p: lwt.Promise[Any]) -> Any:
    outcome = p.state()
    assert isinstance(outcome, lwt.Return), outcome
    return outcome.value


def _rejected(p: lwt.Promise[Any]) -> BaseException:
    outcome = p.state()
    assert isinstance(outcome, lwt.Fail), outcome
    return outcome.exc


# ------------------------------------------------------------- Lwt's suite
def test_return_and_fail_make_fulfilled_promises_of_results() -> None:
    assert lwt_result.return_(0).state() == lwt.Return(Ok(0))
    assert lwt_result.fail(0).state() == lwt.Return(Error(0))


def test_map_applies_to_ok() -> None:
    assert _fulfilled(lwt_result.map(lambda x: x + 1, lwt_result.return_(0))) == Ok(1)


def test_map_passes_error_on() -> None:
    assert _fulfilled(lwt_result.map(lambda x: x + 1, lwt_result.fail(0))) == Error(0)


def test_map_error_passes_ok_on() -> None:
    assert _fulfilled(lwt_result.map_error(lambda e: e + 1, lwt_result.return_(0))) == Ok(0)


def test_map_error_applies_to_error() -> None:
    assert _fulfilled(lwt_result.map_error(lambda e: e + 1, lwt_result.fail(0))) == Error(1)


def test_bind_continues_after_ok() -> None:
    p = lwt_result.bind(lwt_result.return_(0), lambda y: lwt_result.return_(y + 1))
    assert _fulfilled(p) == Ok(1)


def test_bind_skips_the_function_after_error() -> None:
    p = lwt_result.bind(lwt_result.fail(0), lambda y: lwt_result.return_(y + 1))
    assert _fulfilled(p) == Error(0)


def test_bind_error_skips_the_function_after_ok() -> None:
    p = lwt_result.bind_error(lwt_result.return_(0), lambda e: lwt_result.return_(e + 1))
    assert _fulfilled(p) == Ok(0)


def test_bind_error_continues_after_error() -> None:
    p = lwt_result.bind_error(lwt_result.fail(0), lambda e: lwt_result.return_(e + 1))
    assert _fulfilled(p) == Ok(1)


def test_ok_wraps_the_value() -> None:
    assert lwt_result.ok(lwt.return_(0)).state() == lwt_result.return_(0).state()


def test_error_wraps_the_value() -> None:
    assert lwt_result.error(lwt.return_(0)).state() == lwt_result.fail(0).state()


def test_catch_turns_a_value_into_ok() -> None:
    assert _fulfilled(lwt_result.catch(lambda: lwt.return_(0))) == Ok(0)


def test_catch_turns_an_immediate_raise_into_error() -> None:
    def raises() -> lwt.Promise[int]:
        raise DummyError

    r = _fulfilled(lwt_result.catch(raises))
    assert isinstance(r, Error)
    assert isinstance(r.error, DummyError)


def test_catch_turns_a_raise_inside_bind_into_error() -> None:
    def bound_raise(_: None) -> lwt.Promise[int]:
        raise DummyError

    r = _fulfilled(lwt_result.catch(lambda: lwt.return_unit.bind(bound_raise)))
    assert isinstance(r, Error)
    assert isinstance(r.error, DummyError)


def test_get_exn_unwraps_ok() -> None:
    assert lwt_result.get_exn(lwt_result.return_(0)).state() == lwt.Return(0)


def test_get_exn_rejects_with_the_error() -> None:
    exc = DummyError()
    assert _rejected(lwt_result.get_exn(lwt_result.fail(exc))) is exc


def test_bind_lwt_wraps_the_plain_promise_in_ok() -> None:
    p = lwt_result.bind_lwt(lwt_result.return_(0), lambda y: lwt.return_(y + 1))
    assert _fulfilled(p) == Ok(1)


def test_bind_lwt_passes_error_on() -> None:
    p = lwt_result.bind_lwt(lwt_result.fail(0), lambda y: lwt.return_(y + 1))
    assert _fulfilled(p) == Error(0)


def test_bind_lwt_error_passes_ok_on() -> None:
    p = lwt_result.bind_lwt_error(lwt_result.return_(0), lambda e: lwt.return_(e + 1))
    assert _fulfilled(p) == Ok(0)


def test_bind_lwt_error_wraps_the_plain_promise_in_error() -> None:
    p = lwt_result.bind_lwt_error(lwt_result.fail(0), lambda e: lwt.return_(e + 1))
    assert _fulfilled(p) == Error(1)


def test_bind_result_replaces_ok_with_the_result() -> None:
    p = lwt_result.bind_result(lwt_result.return_(0), lambda y: Ok(y + 1))
    assert _fulfilled(p) == Ok(1)
    q = lwt_result.bind_result(lwt_result.return_(0), lambda y: Error(y - 1))
    assert _fulfilled(q) == Error(-1)


def test_bind_result_passes_error_on() -> None:
    p = lwt_result.bind_result(lwt_result.fail(0), lambda y: Ok(y + 1))
    assert _fulfilled(p) == Error(0)


def test_both_ok() -> None:
    p = lwt_result.both(lwt_result.return_(0), lwt_result.return_(1))
    assert p.state() == lwt.Return(Ok((0, 1)))


def test_both_only_first_is_error() -> None:
    p = lwt_result.both(lwt_result.fail(0), lwt_result.return_(1))
    assert p.state() == lwt.Return(Error(0))


def test_both_only_second_is_error() -> None:
    p = lwt_result.both(lwt_result.return_(0), lwt_result.fail(1))
    assert p.state() == lwt.Return(Error(1))


def test_both_errors_the_first_one_there_wins() -> None:
    second, resolve_second = lwt.wait()
    p = lwt_result.both(lwt_result.fail(0), second)
    lwt.wakeup_later(resolve_second, Error(1))
    assert p.state() == lwt.Return(Error(0))

    first, resolve_first = lwt.wait()
    q = lwt_result.both(first, lwt_result.fail(1))
    lwt.wakeup_later(resolve_first, Error(0))
    assert q.state() == lwt.Return(Error(1))


def test_iter_runs_on_ok() -> None:
    seen: list[int] = []

    def record(y: int) -> lwt.Promise[None]:
        seen.append(y + 1)
        return lwt.return_unit

    assert lwt_result.iter(record, lwt_result.return_(1)).state() == lwt.Return(None)
    assert seen == [2]
    assert lwt_result.iter(record, lwt_result.fail(1)).state() == lwt.Return(None)
    assert seen == [2]


def test_iter_error_runs_on_error() -> None:
    seen: list[int] = []

    def record(e: int) -> lwt.Promise[None]:
        seen.append(e + 1)
        return lwt.return_unit

    assert lwt_result.iter_error(record, lwt_result.fail(1)).state() == lwt.Return(None)
    assert seen == [2]
    assert lwt_result.iter_error(record, lwt_result.return_(1)).state() == lwt.Return(None)
    assert seen == [2]


# Lwt's let* / and* / let+ / and+ cases, written with bind, both and map.
def test_bind_chain_over_pending_promises() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    joined = lwt_result.bind(
        p1, lambda s1: lwt_result.bind(p2, lambda s2: lwt.return_(Ok(s1 + s2)))
    )
    lwt.wakeup(r1, Ok("foo"))
    assert joined.is_sleeping()
    lwt.wakeup(r2, Ok("bar"))
    assert joined.state() == lwt.Return(Ok("foobar"))


def test_both_then_bind_over_pending_promises() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    joined = lwt_result.bind(
        lwt_result.both(p1, p2), lambda pair: lwt.return_(Ok(pair[0] + pair[1]))
    )
    lwt.wakeup(r1, Ok("foo"))
    lwt.wakeup(r2, Ok("bar"))
    assert joined.state() == lwt.Return(Ok("foobar"))


def test_both_then_map_over_pending_promises() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    joined = lwt_result.map(lambda pair: pair[0] + pair[1], lwt_result.both(p1, p2))
    lwt.wakeup(r1, Ok("foo"))
    lwt.wakeup(r2, Ok("bar"))
    assert joined.state() == lwt.Return(Ok("foobar"))


# ------------------------------------------------------ beyond Lwt's tests
def test_lift_makes_a_fulfilled_promise_of_the_result() -> None:
    assert lwt_result.lift(Ok(3)).state() == lwt.Return(Ok(3))
    assert lwt_result.lift(Error("e")).state() == lwt.Return(Error("e"))
    with pytest.raises(TypeError, match="lift"):
        lwt_result.lift(3)  # type: ignore[arg-type]


def test_rejections_pass_through_as_rejections() -> None:
    exc = DummyError()
    rejected: lwt.Promise[Any] = lwt.fail(exc)
    for p in (
        lwt_result.ok(rejected),
        lwt_result.error(rejected),
        lwt_result.map(lambda x: x, rejected),
        lwt_result.map_error(lambda x: x, rejected),
        lwt_result.bind(rejected, lwt_result.return_),
        lwt_result.bind_error(rejected, lwt_result.return_),
        lwt_result.bind_lwt(rejected, lwt.return_),
        lwt_result.bind_lwt_error(rejected, lwt.return_),
        lwt_result.bind_result(rejected, Ok),
        lwt_result.get_exn(rejected),
        lwt_result.iter(lambda _: lwt.return_unit, rejected),
        lwt_result.iter_error(lambda _: lwt.return_unit, rejected),
        lwt_result.both(rejected, lwt_result.return_(1)),
        lwt_result.both(lwt_result.fail(0), rejected),
    ):
        assert _rejected(p) is exc


def test_catch_turns_a_rejection_into_error() -> None:
    exc = DummyError()
    assert _fulfilled(lwt_result.catch(lambda: lwt.fail(exc))) == Error(exc)


def test_catch_sees_cancellation() -> None:
    p, _ = lwt.task()
    caught = lwt_result.catch(lambda: p)
    p.cancel()
    r = _fulfilled(caught)
    assert isinstance(r, Error)
    assert isinstance(r.error, lwt.Canceled)


def test_catch_of_a_thunk_returning_a_non_promise_gives_type_error() -> None:
    r = _fulfilled(lwt_result.catch(lambda: 3))  # type: ignore[arg-type, return-value]
    assert isinstance(r, Error)
    assert isinstance(r.error, TypeError)


def test_functions_wait_for_pending_promises() -> None:
    p, r = lwt.wait()
    mapped = lwt_result.map(lambda x: x * 10, p)
    bound = lwt_result.bind(p, lambda x: lwt_result.return_(x + 1))
    unwrapped = lwt_result.get_exn(p)
    assert mapped.is_sleeping()
    assert bound.is_sleeping()
    assert unwrapped.is_sleeping()
    lwt.wakeup(r, Ok(2))
    assert mapped.state() == lwt.Return(Ok(20))
    assert bound.state() == lwt.Return(Ok(3))
    assert unwrapped.state() == lwt.Return(2)


def test_both_waits_for_both_even_after_an_error() -> None:
    second, resolve_second = lwt.wait()
    p = lwt_result.both(lwt_result.fail("early"), second)
    assert p.is_sleeping()
    lwt.wakeup(resolve_second, Ok(1))
    assert p.state() == lwt.Return(Error("early"))


def test_both_errors_in_time_order_when_both_pending() -> None:
    first, resolve_first = lwt.wait()
    second, resolve_second = lwt.wait()
    p = lwt_result.both(first, second)
    lwt.wakeup(resolve_second, Error("second"))
    lwt.wakeup(resolve_first, Error("first"))
    assert p.state() == lwt.Return(Error("second"))


def test_both_with_two_errors_already_there_takes_the_first_argument() -> None:
    p = lwt_result.both(lwt_result.fail("a"), lwt_result.fail("b"))
    assert p.state() == lwt.Return(Error("a"))


def test_exceptions_raised_by_callbacks_reject() -> None:
    def boom(_: object) -> Any:
        raise DummyError

    for p in (
        lwt_result.map(boom, lwt_result.return_(0)),
        lwt_result.map_error(boom, lwt_result.fail(0)),
        lwt_result.bind(lwt_result.return_(0), boom),
        lwt_result.bind_error(lwt_result.fail(0), boom),
        lwt_result.bind_lwt(lwt_result.return_(0), boom),
        lwt_result.bind_lwt_error(lwt_result.fail(0), boom),
        lwt_result.bind_result(lwt_result.return_(0), boom),
        lwt_result.iter(boom, lwt_result.return_(0)),
        lwt_result.iter_error(boom, lwt_result.fail(0)),
    ):
        assert isinstance(_rejected(p), DummyError)


def test_values_that_are_not_results_reject_with_type_error() -> None:
    not_a_result: lwt.Promise[Any] = lwt.return_(42)
    for p in (
        lwt_result.map(lambda x: x, not_a_result),
        lwt_result.map_error(lambda x: x, not_a_result),
        lwt_result.bind(not_a_result, lwt_result.return_),
        lwt_result.bind_error(not_a_result, lwt_result.return_),
        lwt_result.bind_lwt(not_a_result, lwt.return_),
        lwt_result.bind_lwt_error(not_a_result, lwt.return_),
        lwt_result.bind_result(not_a_result, Ok),
        lwt_result.bind_result(lwt_result.return_(0), lambda x: x),  # type: ignore[arg-type, return-value]
        lwt_result.get_exn(not_a_result),
        lwt_result.iter(lambda _: lwt.return_unit, not_a_result),
        lwt_result.iter_error(lambda _: lwt.return_unit, not_a_result),
        lwt_result.both(not_a_result, lwt_result.return_(1)),
    ):
        assert isinstance(_rejected(p), TypeError)


def test_get_exn_of_an_error_that_is_not_an_exception_rejects_with_type_error() -> None:
    assert isinstance(_rejected(lwt_result.get_exn(lwt_result.fail("oops"))), TypeError)


def test_bind_lwt_callback_must_return_a_promise() -> None:
    p = lwt_result.bind_lwt(lwt_result.return_(0), lambda x: x)  # type: ignore[arg-type, return-value]
    assert isinstance(_rejected(p), TypeError)


def test_canceling_bind_cancels_the_promise_it_waits_for() -> None:
    p, _ = lwt.task()
    bound = lwt_result.bind(p, lwt_result.return_)
    bound.cancel()
    assert isinstance(_rejected(p), lwt.Canceled)
    assert isinstance(_rejected(bound), lwt.Canceled)


def test_deprecated_aliases_warn_and_work() -> None:
    with pytest.warns(DeprecationWarning, match="map_error"):
        p = lwt_result.map_err(lambda e: e + 1, lwt_result.fail(0))
    assert _fulfilled(p) == Error(1)
    with pytest.warns(DeprecationWarning, match="bind_lwt_error"):
        q = lwt_result.bind_lwt_err(lwt_result.fail(0), lambda e: lwt.return_(e + 1))
    assert _fulfilled(q) == Error(1)


def test_module_exports_every_value_of_lwt_result() -> None:
    expected = {
        "return_", "fail", "lift", "ok", "error", "catch", "get_exn", "map", "map_error",
        "bind", "bind_error", "bind_lwt", "bind_lwt_error", "bind_result", "both", "iter",
        "iter_error", "map_err", "bind_lwt_err",
    }  # fmt: skip
    assert set(lwt_result.__all__) == expected
    for name in expected:
        assert getattr(lwt_result, name).__doc__
