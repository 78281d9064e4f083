"""Sequential composition: bind, map, catch, try_bind and finalize.

Restates, for the Python port, the "bind", "map", "catch", "try_bind" and
"finalize" suites of Lwt's ``test/core/test_lwt.ml`` (and the cases of the
``backtrace_*`` suites that add something against the plain functions).

Where the port deliberately differs from Lwt (see API.md, section 3):

* Lwt's "bind quirk" (a callback that raises on an already-resolved promise
  makes ``bind`` itself raise) is gone: the result promise is rejected in both
  cases, so those Lwt cases are restated with the port's behaviour.
* Lwt's exception filter for OCaml runtime errors becomes: only ``Exception``
  is captured; a ``BaseException`` such as ``KeyboardInterrupt`` propagates.

Python-specific checks follow the Lwt suites: callbacks returning something
that is not a promise, ``KeyboardInterrupt`` escaping a resolution, and the
FIFO order of callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import lwt.core as lwt


class Boom(Exception):
    """The sample exception of these tests (OCaml's local ``Exception``)."""


class Other(Exception):
    """A second, distinct exception (OCaml's ``Exit`` in Lwt's tests)."""


def raise_(exc: BaseException) -> Any:
    raise exc


def fail_state(p: lwt.Promise[Any]) -> BaseException:
    """The exception that ``p`` is rejected with; fails the test otherwise."""
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail), state
    return state.exc


# =============================================================================
# bind
# =============================================================================
class TestBind:
    def test_on_fulfilled_promise_runs_f_at_once(self) -> None:
        p = lwt.bind(lwt.return_("foo"), lambda s: lwt.return_(s + "bar"))
        assert lwt.state(p) == lwt.Return("foobar")

    def test_on_fulfilled_promise_f_raising_rejects_the_result(self) -> None:
        # Lwt raises out of bind here (its "bind quirk"); the port rejects.
        exc = Boom()
        p = lwt.bind(lwt.return_("foo"), lambda _: raise_(exc))
        assert fail_state(p) is exc

    def test_on_rejected_promise_skips_f_and_keeps_the_rejection(self) -> None:
        exc = Boom()
        calls: list[object] = []
        p = lwt.bind(lwt.fail(exc), lambda v: calls.append(v) or lwt.return_("foo"))
        assert fail_state(p) is exc
        assert calls == []

    def test_on_pending_promise_waits_without_calling_f(self) -> None:
        calls: list[object] = []
        source, _ = lwt.wait()
        p = lwt.bind(source, lambda v: calls.append(v) or lwt.return_unit)
        assert lwt.state(p) == lwt.Sleep()
        assert calls == []

    def test_pending_then_fulfilled(self) -> None:
        source, r = lwt.wait()
        p = lwt.bind(source, lambda s: lwt.return_(s + "bar"))
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foobar")

    def test_pending_then_fulfilled_f_raising_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.bind(source, lambda _: raise_(exc))
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_pending_then_rejected_skips_f(self) -> None:
        exc = Boom()
        calls: list[object] = []
        source, r = lwt.wait()
        p = lwt.bind(source, lambda v: calls.append(v) or lwt.return_("foo"))
        lwt.wakeup_exn(r, exc)
        assert fail_state(p) is exc
        assert calls == []

    def test_chain_of_binds(self) -> None:
        p1, r1 = lwt.wait()
        p2 = lwt.bind(p1, lambda s: lwt.return_(s + "bar"))
        p3 = lwt.bind(p2, lambda s: lwt.return_(s + "!!1"))
        lwt.wakeup(r1, "foo")
        assert lwt.state(p3) == lwt.Return("foobar!!1")

    def test_suspended_chain(self) -> None:
        # The second bind's f returns the result of the first bind, which is
        # resolved by then because callbacks run in order.
        p1, r = lwt.wait()
        p2 = lwt.return_("foo")
        p3 = lwt.bind(p1, lambda _: p2)
        p4 = lwt.bind(p1, lambda _: p3)
        lwt.wakeup(r, None)
        assert lwt.state(p4) == lwt.Return("foo")

    def test_fanout_from_one_promise(self) -> None:
        p1, r = lwt.wait()
        p2 = lwt.bind(p1, lambda s: lwt.return_(s + "bar"))
        p3 = lwt.bind(p1, lambda s: lwt.return_(s + "!!1"))
        p4 = lwt.bind(p1, lambda s: lwt.return_(s + "omg"))
        lwt.wakeup(r, "foo")
        assert lwt.state(p2) == lwt.Return("foobar")
        assert lwt.state(p3) == lwt.Return("foo!!1")
        assert lwt.state(p4) == lwt.Return("fooomg")

    def test_f_returning_pending_promise(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.bind(p1, lambda _: p2)
        lwt.wakeup(r1, "foo")
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, "bar")
        assert lwt.state(p) == lwt.Return("bar")

    def test_f_returning_the_source_promise(self) -> None:
        source, r = lwt.wait()
        p = lwt.bind(source, lambda _: source)
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    def test_nested_bind_inside_f(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.bind(p1, lambda s: lwt.bind(p2, lambda t: lwt.return_(s + t)))
        lwt.wakeup(r1, "foo")
        lwt.wakeup(r2, "bar")
        assert lwt.state(p) == lwt.Return("foobar")

    def test_chain_of_promises_taken_over_by_bind(self) -> None:
        # p3 is handed to p4's bind, and p4 to p5's; all three end up as one.
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p3, r3 = lwt.wait()
        p4 = lwt.bind(p1, lambda _: p3)
        p5 = lwt.bind(p2, lambda _: p4)
        lwt.wakeup(r1, None)
        lwt.wakeup(r2, None)
        lwt.wakeup(r3, "bar")
        assert lwt.state(p3) == lwt.Return("bar")
        assert lwt.state(p4) == lwt.Return("bar")
        assert lwt.state(p5) == lwt.Return("bar")

    def test_f_returning_the_result_of_its_own_bind_stays_pending(self) -> None:
        # A promise waiting for itself: no cycle, no hang, just pending.
        source, r = lwt.wait()
        holder: list[lwt.Promise[Any]] = [lwt.return_unit]
        holder[0] = lwt.bind(source, lambda _: holder[0])
        lwt.wakeup(r, None)
        assert lwt.state(holder[0]) == lwt.Sleep()

    def test_result_taken_over_while_f_still_runs(self) -> None:
        # While f runs, it resolves p2, which makes p3 (the result of this
        # bind) be taken over by p4. The outcome of f must still reach p4.
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def f(_: None) -> lwt.Promise[bool]:
            lwt.wakeup(r2, None)
            return lwt.return_true

        p3 = lwt.bind(p1, f)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup(r1, None)
        assert lwt.state(p4) == lwt.Return(True)
        assert lwt.state(p3) == lwt.Return(True)

    # --- Python-specific ------------------------------------------------------
    def test_f_on_fulfilled_promise_runs_before_bind_returns(self) -> None:
        order: list[str] = []
        lwt.bind(lwt.return_("v"), lambda v: order.append("f") or lwt.return_(v))
        order.append("after bind")
        assert order == ["f", "after bind"]

    def test_method_form_behaves_like_the_function(self) -> None:
        source, r = lwt.wait()
        p = source.bind(lambda s: lwt.return_(s + "bar"))
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foobar")
        assert lwt.state(lwt.return_(1).bind(lambda n: lwt.return_(n + 1))) == lwt.Return(2)

    def test_f_returning_rejected_promise_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.bind(source, lambda _: lwt.fail(exc))
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_f_returning_pending_promise_later_rejected(self) -> None:
        exc = Boom()
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.bind(p1, lambda _: p2)
        lwt.wakeup(r1, None)
        lwt.wakeup_exn(r2, exc)
        assert fail_state(p) is exc

    def test_long_chain_of_pending_binds_resolves_in_one_wakeup(self) -> None:
        # Far deeper than MAXIMUM_DEPTH: the overflow is queued and drained
        # before wakeup returns.
        source, r = lwt.wait()
        p: lwt.Promise[int] = source
        for _ in range(3 * lwt.MAXIMUM_DEPTH):
            p = lwt.bind(p, lambda n: lwt.return_(n + 1))
        lwt.wakeup(r, 0)
        assert lwt.state(p) == lwt.Return(3 * lwt.MAXIMUM_DEPTH)


# =============================================================================
# map
# =============================================================================
class TestMap:
    def test_on_fulfilled_promise(self) -> None:
        p = lwt.map(lambda s: s + "bar", lwt.return_("foo"))
        assert lwt.state(p) == lwt.Return("foobar")

    def test_on_fulfilled_promise_f_raising_rejects_the_result(self) -> None:
        exc = Boom()
        p = lwt.map(lambda _: raise_(exc), lwt.return_("foo"))
        assert fail_state(p) is exc

    def test_on_rejected_promise_skips_f(self) -> None:
        exc = Boom()
        calls: list[object] = []
        p = lwt.map(calls.append, lwt.fail(exc))
        assert fail_state(p) is exc
        assert calls == []

    def test_on_pending_promise_waits_without_calling_f(self) -> None:
        calls: list[object] = []
        source, _ = lwt.wait()
        p = lwt.map(calls.append, source)
        assert lwt.state(p) == lwt.Sleep()
        assert calls == []

    def test_pending_then_fulfilled(self) -> None:
        source, r = lwt.wait()
        p = lwt.map(lambda s: s + "bar", source)
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foobar")

    def test_pending_then_fulfilled_f_raising_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.map(lambda _: raise_(exc), source)
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_pending_then_rejected_skips_f(self) -> None:
        exc = Boom()
        calls: list[object] = []
        source, r = lwt.wait()
        p = lwt.map(calls.append, source)
        lwt.wakeup_exn(r, exc)
        assert fail_state(p) is exc
        assert calls == []

    def test_result_taken_over_while_f_still_runs(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def f(_: None) -> bool:
            lwt.wakeup(r2, None)
            return True

        p3 = lwt.map(f, p1)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup(r1, None)
        assert lwt.state(p4) == lwt.Return(True)

    # --- Python-specific ------------------------------------------------------
    def test_f_returning_a_promise_is_not_flattened(self) -> None:
        inner = lwt.return_("foo")
        p = lwt.map(lambda _: inner, lwt.return_unit)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is inner

    def test_method_form_behaves_like_the_function(self) -> None:
        source, r = lwt.wait()
        p = source.map(lambda n: n * 2)
        lwt.wakeup(r, 21)
        assert lwt.state(p) == lwt.Return(42)


# =============================================================================
# catch
# =============================================================================
class TestCatch:
    def test_fulfilled_thunk_skips_handler(self) -> None:
        calls: list[object] = []
        p = lwt.catch(lambda: lwt.return_("foo"), lambda e: calls.append(e) or lwt.return_("bar"))
        assert lwt.state(p) == lwt.Return("foo")
        assert calls == []

    def test_thunk_raising_is_handled(self) -> None:
        exc = Boom()
        p = lwt.catch(lambda: raise_(exc), lwt.return_)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_thunk_returning_rejected_promise_is_handled(self) -> None:
        exc = Boom()
        p = lwt.catch(lambda: lwt.fail(exc), lwt.return_)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_rejected_handler_raising_rejects_the_result(self) -> None:
        # Lwt raises out of catch here (an analog of the bind quirk).
        exc = Boom()
        p = lwt.catch(lambda: lwt.fail(Other()), lambda _: raise_(exc))
        assert fail_state(p) is exc

    def test_rejected_handler_reraising_keeps_the_rejection(self) -> None:
        exc = Boom()
        p = lwt.catch(lambda: lwt.fail(exc), raise_)
        assert fail_state(p) is exc

    def test_pending_thunk_waits_without_calling_handler(self) -> None:
        calls: list[object] = []
        p = lwt.catch(lambda: lwt.wait()[0], lambda e: calls.append(e) or lwt.return_unit)
        assert lwt.state(p) == lwt.Sleep()
        assert calls == []

    def test_pending_then_fulfilled(self) -> None:
        source, r = lwt.wait()
        p = lwt.catch(lambda: source, lambda _: lwt.return_("bar"))
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    def test_pending_then_rejected_is_handled(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.catch(lambda: source, lwt.return_)
        lwt.wakeup_exn(r, exc)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_pending_then_rejected_handler_raising_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.catch(lambda: source, lambda _: raise_(exc))
        lwt.wakeup_exn(r, Other())
        assert fail_state(p) is exc

    def test_pending_then_rejected_handler_returning_pending_promise(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.catch(lambda: p1, lambda _: p2)
        lwt.wakeup_exn(r1, Boom())
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    def test_result_taken_over_while_handler_still_runs(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def handler(_: BaseException) -> lwt.Promise[bool]:
            lwt.wakeup(r2, None)
            return lwt.return_true

        p3 = lwt.catch(lambda: p1, handler)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup_exn(r1, Other())
        assert lwt.state(p4) == lwt.Return(True)

    # Lwt's "ocaml-runtime exception" cases: with the exception filter that
    # lets runtime errors through, Out_of_memory escapes catch/try_bind. The
    # port's equivalent is a BaseException that is not an Exception.
    def test_keyboard_interrupt_from_thunk_escapes_catch(self) -> None:
        calls: list[object] = []
        with pytest.raises(KeyboardInterrupt):
            lwt.catch(
                lambda: raise_(KeyboardInterrupt()),
                lambda e: calls.append(e) or lwt.return_false,
            )
        assert calls == []

    def test_keyboard_interrupt_from_thunk_escapes_try_bind(self) -> None:
        calls: list[object] = []
        with pytest.raises(KeyboardInterrupt):
            lwt.try_bind(
                lambda: raise_(KeyboardInterrupt()),
                lambda v: calls.append(v) or lwt.return_false,
                lambda e: calls.append(e) or lwt.return_false,
            )
        assert calls == []

    def test_keyboard_interrupt_from_on_ok_escapes_try_bind(self) -> None:
        calls: list[object] = []
        with pytest.raises(KeyboardInterrupt):
            lwt.try_bind(
                lambda: lwt.return_unit,
                lambda _: raise_(KeyboardInterrupt()),
                lambda e: calls.append(e) or lwt.return_false,
            )
        assert calls == []

    # --- Python-specific ------------------------------------------------------
    def test_catch_sees_canceled(self) -> None:
        source, _ = lwt.task()
        p = lwt.catch(lambda: source, lambda e: lwt.return_(type(e).__name__))
        lwt.cancel(source)
        assert lwt.state(p) == lwt.Return("Canceled")

    def test_thunk_returning_pending_promise_later_fulfilled_leaves_handler_alone(
        self,
    ) -> None:
        calls: list[object] = []
        source, r = lwt.wait()
        p = lwt.catch(lambda: source, lambda e: calls.append(e) or lwt.return_(0))
        lwt.wakeup(r, 7)
        assert lwt.state(p) == lwt.Return(7)
        assert calls == []


# =============================================================================
# try_bind
# =============================================================================
class TestTryBind:
    def test_fulfilled_calls_on_ok(self) -> None:
        p = lwt.try_bind(
            lambda: lwt.return_("foo"),
            lambda s: lwt.return_(s + "bar"),
            lambda _: lwt.return_("!!1"),
        )
        assert lwt.state(p) == lwt.Return("foobar")

    def test_fulfilled_on_ok_raising_rejects_the_result(self) -> None:
        # Lwt raises out of try_bind here (an analog of the bind quirk).
        exc = Boom()
        calls: list[object] = []
        p = lwt.try_bind(
            lambda: lwt.return_unit,
            lambda _: raise_(exc),
            lambda e: calls.append(e) or lwt.return_unit,
        )
        assert fail_state(p) is exc
        assert calls == []  # on_error is not a handler for on_ok's exception

    def test_thunk_returning_rejected_promise_calls_on_error(self) -> None:
        exc = Boom()
        p = lwt.try_bind(lambda: lwt.fail(exc), lambda _: lwt.return_(Other), lwt.return_)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_thunk_raising_calls_on_error(self) -> None:
        exc = Boom()
        p = lwt.try_bind(lambda: raise_(exc), lambda _: lwt.return_(Other), lwt.return_)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_rejected_on_error_raising_rejects_the_result(self) -> None:
        # Another analog of Lwt's bind quirk.
        exc = Boom()
        p = lwt.try_bind(lambda: raise_(Other()), lambda _: lwt.return_unit, lambda _: raise_(exc))
        assert fail_state(p) is exc

    def test_pending_waits_without_calling_either(self) -> None:
        calls: list[object] = []
        source, _ = lwt.wait()
        p = lwt.try_bind(
            lambda: source,
            lambda v: calls.append(v) or lwt.return_unit,
            lambda e: calls.append(e) or lwt.return_unit,
        )
        assert lwt.state(p) == lwt.Sleep()
        assert calls == []

    def test_pending_then_fulfilled(self) -> None:
        source, r = lwt.wait()
        p = lwt.try_bind(
            lambda: source, lambda s: lwt.return_(s + "bar"), lambda _: lwt.return_("!!1")
        )
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foobar")

    def test_pending_then_fulfilled_on_ok_raising_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.try_bind(lambda: source, lambda _: raise_(exc), lambda _: lwt.return_unit)
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_pending_then_fulfilled_on_ok_returning_pending_promise(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.try_bind(lambda: p1, lambda _: p2, lambda _: lwt.return_("bar"))
        lwt.wakeup(r1, None)
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    def test_pending_then_rejected_calls_on_error(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.try_bind(lambda: source, lambda _: lwt.return_(Other), lwt.return_)
        lwt.wakeup_exn(r, exc)
        state = lwt.state(p)
        assert isinstance(state, lwt.Return)
        assert state.value is exc

    def test_pending_then_rejected_on_error_raising_rejects_the_result(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.try_bind(lambda: source, lambda _: lwt.return_unit, lambda _: raise_(exc))
        lwt.wakeup_exn(r, Other())
        assert fail_state(p) is exc

    def test_pending_then_rejected_on_error_returning_pending_promise(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.try_bind(lambda: p1, lambda _: lwt.return_("foo"), lambda _: p2)
        lwt.wakeup_exn(r1, Boom())
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, "bar")
        assert lwt.state(p) == lwt.Return("bar")

    def test_result_taken_over_while_on_ok_still_runs(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def on_ok(_: None) -> lwt.Promise[bool]:
            lwt.wakeup(r2, None)
            return lwt.return_true

        p3 = lwt.try_bind(lambda: p1, on_ok, lambda _: lwt.return_false)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup(r1, None)
        assert lwt.state(p4) == lwt.Return(True)

    def test_result_taken_over_while_on_error_still_runs(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def on_error(_: BaseException) -> lwt.Promise[bool]:
            lwt.wakeup(r2, None)
            return lwt.return_true

        p3 = lwt.try_bind(lambda: p1, lambda _: lwt.return_false, on_error)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup_exn(r1, Other())
        assert lwt.state(p4) == lwt.Return(True)


# =============================================================================
# finalize
# =============================================================================
class TestFinalize:
    def test_fulfilled_runs_fin_and_keeps_the_value(self) -> None:
        ran: list[str] = []
        p = lwt.finalize(lambda: lwt.return_("foo"), lambda: ran.append("fin") or lwt.return_unit)
        assert lwt.state(p) == lwt.Return("foo")
        assert ran == ["fin"]

    def test_fulfilled_fin_rejected_replaces_the_value(self) -> None:
        exc = Boom()
        p = lwt.finalize(lambda: lwt.return_unit, lambda: lwt.fail(exc))
        assert fail_state(p) is exc

    def test_fulfilled_fin_raising_rejects_the_result(self) -> None:
        # Lwt raises out of finalize here (an instance of the bind quirk).
        exc = Boom()
        p = lwt.finalize(lambda: lwt.return_unit, lambda: raise_(exc))
        assert fail_state(p) is exc

    def test_rejected_runs_fin_and_keeps_the_rejection(self) -> None:
        exc = Boom()
        ran: list[str] = []
        p = lwt.finalize(lambda: lwt.fail(exc), lambda: ran.append("fin") or lwt.return_unit)
        assert fail_state(p) is exc
        assert ran == ["fin"]

    def test_thunk_raising_runs_fin_and_keeps_the_exception(self) -> None:
        # From Lwt's backtrace_finalize suite, where the thunk raises.
        exc = Boom()
        ran: list[str] = []
        p = lwt.finalize(lambda: raise_(exc), lambda: ran.append("fin") or lwt.return_unit)
        assert fail_state(p) is exc
        assert ran == ["fin"]

    def test_rejected_fin_rejected_replaces_the_rejection(self) -> None:
        exc = Boom()
        p = lwt.finalize(lambda: lwt.fail(Other()), lambda: lwt.fail(exc))
        assert fail_state(p) is exc

    def test_thunk_raising_fin_raising_rejects_with_fins_exception(self) -> None:
        # Lwt raises out of finalize here (an instance of the bind quirk).
        exc = Boom()
        p = lwt.finalize(lambda: raise_(Other()), lambda: raise_(exc))
        assert fail_state(p) is exc

    def test_pending_waits_without_running_fin(self) -> None:
        ran: list[str] = []
        source, _ = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: ran.append("fin") or lwt.return_unit)
        assert lwt.state(p) == lwt.Sleep()
        assert ran == []

    def test_pending_then_fulfilled_runs_fin_and_keeps_the_value(self) -> None:
        ran: list[str] = []
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: ran.append("fin") or lwt.return_unit)
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foo")
        assert ran == ["fin"]

    def test_pending_then_fulfilled_fin_rejected(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: lwt.fail(exc))
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_pending_then_fulfilled_fin_raising(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: raise_(exc))
        lwt.wakeup(r, None)
        assert fail_state(p) is exc

    def test_pending_then_fulfilled_fin_pending_then_fulfilled(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.finalize(lambda: p1, lambda: p2)
        lwt.wakeup(r1, "foo")
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, None)
        assert lwt.state(p) == lwt.Return("foo")

    def test_pending_then_fulfilled_fin_pending_then_rejected(self) -> None:
        exc = Boom()
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.finalize(lambda: p1, lambda: p2)
        lwt.wakeup(r1, None)
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup_exn(r2, exc)
        assert fail_state(p) is exc

    def test_pending_then_rejected_runs_fin_and_keeps_the_rejection(self) -> None:
        exc = Boom()
        ran: list[str] = []
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: ran.append("fin") or lwt.return_unit)
        lwt.wakeup_exn(r, exc)
        assert fail_state(p) is exc
        assert ran == ["fin"]

    def test_pending_then_rejected_fin_rejected(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: lwt.fail(exc))
        lwt.wakeup_exn(r, Other())
        assert fail_state(p) is exc

    def test_pending_then_rejected_fin_raising(self) -> None:
        exc = Boom()
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: raise_(exc))
        lwt.wakeup_exn(r, Other())
        assert fail_state(p) is exc

    def test_pending_then_rejected_fin_pending_then_fulfilled(self) -> None:
        exc = Boom()
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.finalize(lambda: p1, lambda: p2)
        lwt.wakeup_exn(r1, exc)
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup(r2, None)
        assert fail_state(p) is exc

    def test_pending_then_rejected_fin_pending_then_rejected(self) -> None:
        exc = Boom()
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        p = lwt.finalize(lambda: p1, lambda: p2)
        lwt.wakeup_exn(r1, Other())
        assert lwt.state(p) == lwt.Sleep()
        lwt.wakeup_exn(r2, exc)
        assert fail_state(p) is exc

    def test_result_taken_over_while_fin_still_runs_after_fulfilment(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def fin() -> lwt.Promise[None]:
            lwt.wakeup(r2, None)
            return lwt.return_unit

        p3 = lwt.finalize(lambda: p1, fin)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup(r1, "done")
        assert lwt.state(p4) == lwt.Return("done")

    def test_result_taken_over_while_fin_still_runs_after_rejection(self) -> None:
        exc = Other()
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()

        def fin() -> lwt.Promise[None]:
            lwt.wakeup(r2, None)
            return lwt.return_unit

        p3 = lwt.finalize(lambda: p1, fin)
        p4 = lwt.bind(p2, lambda _: p3)
        lwt.wakeup_exn(r1, exc)
        assert fail_state(p4) is exc

    # --- Python-specific ------------------------------------------------------
    def test_fin_runs_exactly_once_and_after_the_thunk_resolves(self) -> None:
        order: list[str] = []
        source, r = lwt.wait()
        p = lwt.finalize(lambda: source, lambda: order.append("fin") or lwt.return_unit)
        order.append("before wakeup")
        lwt.wakeup(r, "v")
        order.append("after wakeup")
        assert order == ["before wakeup", "fin", "after wakeup"]
        assert lwt.state(p) == lwt.Return("v")


# =============================================================================
# Python-specific: a callback that returns something other than a promise.
# =============================================================================
# Each case builds a composition whose callback (named ``callback``) returns
# 42, with the first promise either already resolved or pending (resolved
# afterwards by ``go``). The result must be rejected with a TypeError naming
# the callback.


def _setup_bind(resolved: bool) -> tuple[lwt.Promise[Any], Callable[[], None]]:
    def callback(_: object) -> Any:
        return 42

    if resolved:
        return lwt.bind(lwt.return_("v"), callback), lambda: None
    source, r = lwt.wait()
    return lwt.bind(source, callback), lambda: lwt.wakeup(r, "v")


def _setup_catch_handler(resolved: bool) -> tuple[lwt.Promise[Any], Callable[[], None]]:
    def callback(_: BaseException) -> Any:
        return 42

    if resolved:
        return lwt.catch(lambda: lwt.fail(Boom()), callback), lambda: None
    source, r = lwt.wait()
    return lwt.catch(lambda: source, callback), lambda: lwt.wakeup_exn(r, Boom())


def _setup_try_bind_on_ok(resolved: bool) -> tuple[lwt.Promise[Any], Callable[[], None]]:
    def callback(_: object) -> Any:
        return 42

    if resolved:
        return lwt.try_bind(lambda: lwt.return_("v"), callback, lwt.fail), lambda: None
    source, r = lwt.wait()
    return lwt.try_bind(lambda: source, callback, lwt.fail), lambda: lwt.wakeup(r, "v")


def _setup_try_bind_on_error(resolved: bool) -> tuple[lwt.Promise[Any], Callable[[], None]]:
    def callback(_: BaseException) -> Any:
        return 42

    if resolved:
        return lwt.try_bind(lambda: lwt.fail(Boom()), lwt.return_, callback), lambda: None
    source, r = lwt.wait()
    return (
        lwt.try_bind(lambda: source, lwt.return_, callback),
        lambda: lwt.wakeup_exn(r, Boom()),
    )


def _setup_finalize_fin(resolved: bool) -> tuple[lwt.Promise[Any], Callable[[], None]]:
    def callback() -> Any:
        return 42

    if resolved:
        return lwt.finalize(lambda: lwt.return_("v"), callback), lambda: None
    source, r = lwt.wait()
    return lwt.finalize(lambda: source, callback), lambda: lwt.wakeup(r, "v")


_NON_PROMISE_SETUPS = [
    pytest.param("bind", _setup_bind, id="bind"),
    pytest.param("catch", _setup_catch_handler, id="catch-handler"),
    pytest.param("try_bind", _setup_try_bind_on_ok, id="try_bind-on_ok"),
    pytest.param("try_bind", _setup_try_bind_on_error, id="try_bind-on_error"),
    pytest.param(None, _setup_finalize_fin, id="finalize-fin"),
]


@pytest.mark.parametrize("resolved", [True, False], ids=["resolved", "pending"])
@pytest.mark.parametrize(("api", "setup"), _NON_PROMISE_SETUPS)
def test_callback_returning_non_promise_rejects_with_type_error_naming_it(
    api: str | None,
    setup: Callable[[bool], tuple[lwt.Promise[Any], Callable[[], None]]],
    resolved: bool,
) -> None:
    p, go = setup(resolved)
    go()
    exc = fail_state(p)
    assert type(exc) is TypeError
    assert "callback" in str(exc)
    assert "42" in str(exc)
    if api is not None:
        assert str(exc).startswith(f"{api}: ")


@pytest.mark.parametrize(
    ("api", "combine"),
    [
        ("catch", lambda thunk: lwt.catch(thunk, lwt.return_)),
        ("try_bind", lambda thunk: lwt.try_bind(thunk, lwt.return_, lwt.return_)),
    ],
    ids=["catch", "try_bind"],
)
def test_thunk_returning_non_promise_is_a_type_error_naming_it(
    api: str, combine: Callable[[Callable[[], Any]], lwt.Promise[Any]]
) -> None:
    # The thunk's failure is a failure like any other: the handler sees it.
    def thunk() -> Any:
        return "not a promise"

    p = combine(thunk)
    state = lwt.state(p)
    assert isinstance(state, lwt.Return)
    assert type(state.value) is TypeError
    assert str(state.value).startswith(f"{api}: ")
    assert "thunk" in str(state.value)


def test_finalize_thunk_returning_non_promise_runs_fin_and_rejects() -> None:
    ran: list[str] = []

    def thunk() -> Any:
        return "not a promise"

    p = lwt.finalize(thunk, lambda: ran.append("fin") or lwt.return_unit)
    exc = fail_state(p)
    assert type(exc) is TypeError
    assert "thunk" in str(exc)
    assert ran == ["fin"]


def test_bind_callback_returning_none_is_rejected_not_fulfilled() -> None:
    # A frequent mistake: forgetting to return lwt.return_unit.
    source, r = lwt.wait()
    p = lwt.bind(source, lambda _: None)
    lwt.wakeup(r, "v")
    exc = fail_state(p)
    assert type(exc) is TypeError
    assert "None" in str(exc)


# =============================================================================
# Python-specific: exceptions in callbacks, resolved vs pending first promise.
# =============================================================================
_RAISING_SETUPS: list[Any] = [
    pytest.param(lambda first, f: lwt.bind(first, lambda v: f()), "fulfil", id="bind"),
    pytest.param(lambda first, f: lwt.map(lambda v: f(), first), "fulfil", id="map"),
    pytest.param(lambda first, f: lwt.catch(lambda: first, lambda e: f()), "reject", id="catch"),
    pytest.param(
        lambda first, f: lwt.try_bind(lambda: first, lambda v: f(), lwt.fail),
        "fulfil",
        id="try_bind-on_ok",
    ),
    pytest.param(
        lambda first, f: lwt.try_bind(lambda: first, lwt.return_, lambda e: f()),
        "reject",
        id="try_bind-on_error",
    ),
    pytest.param(
        lambda first, f: lwt.finalize(lambda: first, f), "fulfil", id="finalize-fulfilled"
    ),
    pytest.param(lambda first, f: lwt.finalize(lambda: first, f), "reject", id="finalize-rejected"),
]


@pytest.mark.parametrize("resolved", [True, False], ids=["resolved", "pending"])
@pytest.mark.parametrize(("combine", "outcome"), _RAISING_SETUPS)
def test_exception_raised_by_callback_rejects_result_with_that_exception(
    combine: Callable[[lwt.Promise[Any], Callable[[], Any]], lwt.Promise[Any]],
    outcome: str,
    resolved: bool,
) -> None:
    exc = Boom()
    calls: list[str] = []

    def f() -> Any:
        calls.append("f")
        raise exc

    first_exc = Other()
    if resolved:
        first = lwt.return_("v") if outcome == "fulfil" else lwt.fail(first_exc)
        p = combine(first, f)
    else:
        first, r = lwt.wait()
        p = combine(first, f)
        assert lwt.state(p) == lwt.Sleep()
        assert calls == []
        if outcome == "fulfil":
            lwt.wakeup(r, "v")
        else:
            lwt.wakeup_exn(r, first_exc)
    assert fail_state(p) is exc
    assert calls == ["f"]


# =============================================================================
# Python-specific: BaseExceptions are not captured.
# =============================================================================
class TestBaseExceptions:
    def test_keyboard_interrupt_in_bind_callback_propagates_out_of_wakeup(self) -> None:
        source, r = lwt.wait()
        bound = lwt.bind(source, lambda _: raise_(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            lwt.wakeup(r, "v")
        # The source was resolved before its callbacks ran; the result of
        # bind was never resolved.
        assert lwt.state(source) == lwt.Return("v")
        assert lwt.state(bound) == lwt.Sleep()

    def test_library_works_after_keyboard_interrupt_escaped_a_wakeup(self) -> None:
        source, r = lwt.wait()
        lwt.bind(source, lambda _: raise_(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            lwt.wakeup(r, "v")

        # Callbacks of fresh promises run at once again, in order, and a
        # chain deeper than MAXIMUM_DEPTH still completes within one wakeup.
        order: list[int] = []
        p, r2 = lwt.wait()
        last: lwt.Promise[int] = p
        for i in range(2 * lwt.MAXIMUM_DEPTH):
            last = lwt.bind(last, lambda n, i=i: order.append(i) or lwt.return_(n + 1))
        lwt.wakeup(r2, 0)
        assert order == list(range(2 * lwt.MAXIMUM_DEPTH))
        assert lwt.state(last) == lwt.Return(2 * lwt.MAXIMUM_DEPTH)
        # Resolved binds run at once too.
        ran: list[str] = []
        lwt.bind(lwt.return_unit, lambda _: ran.append("now") or lwt.return_unit)
        assert ran == ["now"]

    def test_keyboard_interrupt_deep_in_a_chain_propagates_and_library_recovers(
        self,
    ) -> None:
        # Raised beyond MAXIMUM_DEPTH, from a callback the outermost wakeup
        # would have drained from its queue.
        depth = 2 * lwt.MAXIMUM_DEPTH
        source, r = lwt.wait()
        last: lwt.Promise[int] = source
        for _ in range(depth):
            last = lwt.bind(last, lambda n: lwt.return_(n + 1))
        lwt.bind(last, lambda _: raise_(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            lwt.wakeup(r, 0)
        assert lwt.state(last) == lwt.Return(depth)

        p, r2 = lwt.wait()
        seen: list[object] = []
        lwt.on_success(p, seen.append)
        lwt.wakeup(r2, "again")
        assert seen == ["again"]

    def test_keyboard_interrupt_in_bind_callback_on_resolved_promise_escapes_bind(
        self,
    ) -> None:
        with pytest.raises(KeyboardInterrupt):
            lwt.bind(lwt.return_unit, lambda _: raise_(KeyboardInterrupt()))
        ran: list[str] = []
        lwt.bind(lwt.return_unit, lambda _: ran.append("ok") or lwt.return_unit)
        assert ran == ["ok"]

    def test_keyboard_interrupt_in_map_function_propagates_out_of_wakeup(self) -> None:
        source, r = lwt.wait()
        mapped = lwt.map(lambda _: raise_(KeyboardInterrupt()), source)
        with pytest.raises(KeyboardInterrupt):
            lwt.wakeup(r, None)
        assert lwt.state(mapped) == lwt.Sleep()

    def test_system_exit_in_catch_handler_propagates_out_of_wakeup_exn(self) -> None:
        source, r = lwt.wait()
        caught = lwt.catch(lambda: source, lambda _: raise_(SystemExit(3)))
        with pytest.raises(SystemExit) as info:
            lwt.wakeup_exn(r, Boom())
        assert info.value.code == 3
        assert lwt.state(caught) == lwt.Sleep()

    def test_keyboard_interrupt_in_finalize_fin_propagates_out_of_wakeup(self) -> None:
        source, r = lwt.wait()
        lwt.finalize(lambda: source, lambda: raise_(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            lwt.wakeup(r, None)

    def test_keyboard_interrupt_from_finalize_thunk_escapes_without_running_fin(
        self,
    ) -> None:
        ran: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            lwt.finalize(
                lambda: raise_(KeyboardInterrupt()),
                lambda: ran.append("fin") or lwt.return_unit,
            )
        assert ran == []


# =============================================================================
# Python-specific: callbacks run at once and in the order they were attached.
# =============================================================================
class TestCallbackOrder:
    def test_binds_on_one_promise_run_in_attachment_order(self) -> None:
        order: list[int] = []
        source, r = lwt.wait()
        for i in range(10):
            lwt.bind(source, lambda _, i=i: order.append(i) or lwt.return_unit)
        lwt.wakeup(r, None)
        assert order == list(range(10))

    def test_mixed_callbacks_on_fulfilment_run_in_attachment_order(self) -> None:
        order: list[str] = []
        source, r = lwt.wait()
        lwt.bind(source, lambda _: order.append("bind") or lwt.return_unit)
        lwt.map(lambda _: order.append("map"), source)
        lwt.catch(lambda: source, lambda _: order.append("catch") or lwt.return_unit)
        lwt.on_success(source, lambda _: order.append("on_success"))
        lwt.try_bind(
            lambda: source,
            lambda _: order.append("try_bind") or lwt.return_unit,
            lambda _: lwt.return_unit,
        )
        lwt.finalize(lambda: source, lambda: order.append("finalize") or lwt.return_unit)
        lwt.wakeup(r, None)
        assert order == ["bind", "map", "on_success", "try_bind", "finalize"]

    def test_mixed_callbacks_on_rejection_run_in_attachment_order(self) -> None:
        order: list[str] = []
        source, r = lwt.wait()
        lwt.finalize(lambda: source, lambda: order.append("finalize") or lwt.return_unit)
        lwt.catch(lambda: source, lambda _: order.append("catch 1") or lwt.return_unit)
        lwt.bind(source, lambda _: order.append("bind") or lwt.return_unit)
        lwt.try_bind(
            lambda: source,
            lambda _: lwt.return_unit,
            lambda _: order.append("try_bind") or lwt.return_unit,
        )
        lwt.on_failure(source, lambda _: order.append("on_failure"))
        lwt.catch(lambda: source, lambda _: order.append("catch 2") or lwt.return_unit)
        lwt.wakeup_exn(r, Boom())
        assert order == ["finalize", "catch 1", "try_bind", "on_failure", "catch 2"]

    def test_callbacks_of_promise_resolved_inside_a_callback_run_before_the_rest(
        self,
    ) -> None:
        order: list[str] = []
        outer, r_outer = lwt.wait()
        inner, r_inner = lwt.wait()
        lwt.bind(inner, lambda _: order.append("inner") or lwt.return_unit)

        def first(_: None) -> lwt.Promise[None]:
            order.append("outer 1 start")
            lwt.wakeup(r_inner, None)
            order.append("outer 1 end")
            return lwt.return_unit

        lwt.bind(outer, first)
        lwt.bind(outer, lambda _: order.append("outer 2") or lwt.return_unit)
        lwt.wakeup(r_outer, None)
        assert order == ["outer 1 start", "inner", "outer 1 end", "outer 2"]

    def test_every_callback_has_run_when_wakeup_returns(self) -> None:
        order: list[str] = []
        source, r = lwt.wait()
        b = lwt.bind(source, lambda s: lwt.return_(s + "1"))
        lwt.bind(b, lambda s: order.append(s) or lwt.return_unit)
        lwt.map(lambda s: order.append(s + "m"), source)
        lwt.wakeup(r, "x")
        order.append("returned")
        assert order == ["x1", "xm", "returned"]
