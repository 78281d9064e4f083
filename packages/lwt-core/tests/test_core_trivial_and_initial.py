"""Resolved promises, promises made by wait()/task(), and resolving them.

Restates, for the Python port, the "trivial promises", "initial promises" and
"double resolve" suites of Lwt's ``test/core/test_lwt.ml``, and adds checks of
what is particular to Python: the six ``wakeup*`` functions on both kinds of
initial promise, the name carried by the error for each of them, resolvers
that are not resolvers, arguments of the wrong type, and ``repr``.
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


Maker = Callable[[], "tuple[lwt.Promise[Any], lwt.Resolver[Any]]"]
MAKERS = [pytest.param(lwt.wait, id="wait"), pytest.param(lwt.task, id="task")]


# =============================================================================
# Trivial promises: made already resolved.
# =============================================================================
class TestTrivialPromises:
    def test_return_is_fulfilled_with_the_value(self) -> None:
        assert lwt.state(lwt.return_("foo")) == lwt.Return("foo")

    def test_fail_is_rejected_with_the_very_exception(self) -> None:
        exc = Boom()
        p = lwt.fail(exc)
        assert lwt.state(p) == lwt.Fail(exc)
        state = lwt.state(p)
        assert isinstance(state, lwt.Fail)
        assert state.exc is exc

    def test_of_result_ok_is_fulfilled(self) -> None:
        assert lwt.state(lwt.of_result(lwt.Ok("foo"))) == lwt.Return("foo")

    def test_of_result_error_is_rejected_with_the_very_exception(self) -> None:
        exc = Boom()
        state = lwt.state(lwt.of_result(lwt.Error(exc)))
        assert isinstance(state, lwt.Fail)
        assert state.exc is exc

    def test_return_unit_is_fulfilled_with_none(self) -> None:
        assert lwt.state(lwt.return_unit) == lwt.Return(None)

    def test_return_true_is_fulfilled_with_true(self) -> None:
        assert lwt.state(lwt.return_true) == lwt.Return(True)

    def test_return_false_is_fulfilled_with_false(self) -> None:
        assert lwt.state(lwt.return_false) == lwt.Return(False)

    def test_return_none_is_fulfilled_with_none(self) -> None:
        assert lwt.state(lwt.return_none) == lwt.Return(None)

    def test_return_some_is_fulfilled_with_the_bare_value(self) -> None:
        # OCaml's [Some "foo"] is just "foo" in Python.
        assert lwt.state(lwt.return_some("foo")) == lwt.Return("foo")

    def test_return_ok_is_fulfilled_with_an_ok_result(self) -> None:
        assert lwt.state(lwt.return_ok("foo")) == lwt.Return(lwt.Ok("foo"))

    def test_return_error_is_fulfilled_with_an_error_result(self) -> None:
        # A fulfilled promise whose value is an Error, not a rejection.
        assert lwt.state(lwt.return_error("foo")) == lwt.Return(lwt.Error("foo"))

    def test_fail_with_rejects_with_failure_carrying_the_message(self) -> None:
        state = lwt.state(lwt.fail_with("foo"))
        assert isinstance(state, lwt.Fail)
        assert type(state.exc) is lwt.Failure
        assert state.exc.args == ("foo",)

    def test_fail_invalid_arg_rejects_with_invalid_argument(self) -> None:
        state = lwt.state(lwt.fail_invalid_arg("foo"))
        assert isinstance(state, lwt.Fail)
        assert type(state.exc) is lwt.InvalidArgument
        assert isinstance(state.exc, ValueError)
        assert state.exc.args == ("foo",)

    # --- Python-specific ------------------------------------------------------
    def test_poll_and_is_sleeping_on_resolved_promises(self) -> None:
        exc = Boom()
        assert lwt.poll(lwt.return_("foo")) == "foo"
        assert not lwt.is_sleeping(lwt.return_("foo"))
        assert not lwt.is_sleeping(lwt.fail(exc))
        with pytest.raises(Boom) as info:
            lwt.poll(lwt.fail(exc))
        assert info.value is exc

    def test_fail_refuses_a_non_exception(self) -> None:
        with pytest.raises(TypeError, match=r"^fail:"):
            lwt.fail("not an exception")  # type: ignore[arg-type]

    def test_of_result_refuses_a_non_result(self) -> None:
        with pytest.raises(TypeError, match=r"^of_result:"):
            lwt.of_result("foo")  # type: ignore[arg-type]

    def test_promises_and_resolvers_cannot_be_instantiated_directly(self) -> None:
        with pytest.raises(TypeError):
            lwt.Promise()
        with pytest.raises(TypeError):
            lwt.Resolver()


# =============================================================================
# Initial promises: wait() and task().
# =============================================================================
class TestInitialPromises:
    def test_wait_promise_starts_pending(self) -> None:
        p, _ = lwt.wait()
        assert lwt.state(p) == lwt.Sleep()
        assert lwt.is_sleeping(p)
        assert lwt.poll(p) is None

    def test_task_promise_starts_pending(self) -> None:
        p, _ = lwt.task()
        assert lwt.state(p) == lwt.Sleep()
        assert lwt.is_sleeping(p)

    def test_wait_and_task_give_a_promise_and_a_resolver(self) -> None:
        for make in (lwt.wait, lwt.task):
            p, r = make()
            assert isinstance(p, lwt.Promise)
            assert isinstance(r, lwt.Resolver)

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_fulfils(self, make: Maker) -> None:
        p, r = make()
        lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_exn_rejects(self, make: Maker) -> None:
        exc = Boom()
        p, r = make()
        lwt.wakeup_exn(r, exc)
        assert lwt.state(p) == lwt.Fail(exc)

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_result_with_ok_fulfils(self, make: Maker) -> None:
        p, r = make()
        lwt.wakeup_result(r, lwt.Ok("foo"))
        assert lwt.state(p) == lwt.Return("foo")

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_result_with_error_rejects(self, make: Maker) -> None:
        exc = Boom()
        p, r = make()
        lwt.wakeup_result(r, lwt.Error(exc))
        assert lwt.state(p) == lwt.Fail(exc)


# --- Every wakeup function on both kinds of initial promise -----------------
# (name, how to call it, the state expected afterwards); the exception objects
# are module-level so that the expected state can name them.
_EXC = Boom()
SIX_WAKEUPS: list[tuple[str, Callable[[Any], None], object]] = [
    ("wakeup", lambda r: lwt.wakeup(r, "v"), lwt.Return("v")),
    ("wakeup_exn", lambda r: lwt.wakeup_exn(r, _EXC), lwt.Fail(_EXC)),
    ("wakeup_result", lambda r: lwt.wakeup_result(r, lwt.Ok("v")), lwt.Return("v")),
    ("wakeup_later", lambda r: lwt.wakeup_later(r, "v"), lwt.Return("v")),
    ("wakeup_later_exn", lambda r: lwt.wakeup_later_exn(r, _EXC), lwt.Fail(_EXC)),
    (
        "wakeup_later_result",
        lambda r: lwt.wakeup_later_result(r, lwt.Ok("v")),
        lwt.Return("v"),
    ),
]
SIX_IDS = [name for name, _, _ in SIX_WAKEUPS]


@pytest.mark.parametrize(("name", "resolve", "expected"), SIX_WAKEUPS, ids=SIX_IDS)
@pytest.mark.parametrize("make", MAKERS)
def test_each_wakeup_resolves_a_fresh_promise_and_runs_its_callbacks_at_once(
    make: Maker, name: str, resolve: Callable[[Any], None], expected: object
) -> None:
    p, r = make()
    seen: list[object] = []
    lwt.on_any(p, lambda v: seen.append(("ok", v)), lambda e: seen.append(("error", e)))
    resolve(r)
    assert lwt.state(p) == expected
    # Outside any callback, even the "later" variants run callbacks at once.
    assert len(seen) == 1


# =============================================================================
# Double resolve.
# =============================================================================
class TestDoubleResolve:
    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_twice_is_refused(self, make: Maker) -> None:
        p, r = make()
        lwt.wakeup(r, "foo")
        with pytest.raises(lwt.InvalidArgument, match=r"^wakeup:"):
            lwt.wakeup(r, "foo")
        assert lwt.state(p) == lwt.Return("foo")

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_exn_twice_is_refused(self, make: Maker) -> None:
        exc = Boom()
        p, r = make()
        lwt.wakeup_exn(r, exc)
        with pytest.raises(lwt.InvalidArgument, match=r"^wakeup_exn:"):
            lwt.wakeup_exn(r, Other())
        assert lwt.state(p) == lwt.Fail(exc)

    @pytest.mark.parametrize("make", MAKERS)
    def test_wakeup_result_after_rejection_is_refused(self, make: Maker) -> None:
        exc = Boom()
        p, r = make()
        lwt.wakeup_exn(r, exc)
        with pytest.raises(lwt.InvalidArgument, match=r"^wakeup_result:"):
            lwt.wakeup_result(r, lwt.Ok(None))
        assert lwt.state(p) == lwt.Fail(exc)


@pytest.mark.parametrize(("name", "resolve", "expected"), SIX_WAKEUPS, ids=SIX_IDS)
@pytest.mark.parametrize("make", MAKERS)
def test_each_wakeup_on_resolved_promise_names_itself_and_changes_nothing(
    make: Maker, name: str, resolve: Callable[[Any], None], expected: object
) -> None:
    p, r = make()
    lwt.wakeup(r, "first")
    calls: list[object] = []
    lwt.on_any(p, calls.append, calls.append)  # runs once, at once
    with pytest.raises(lwt.InvalidArgument) as info:
        resolve(r)
    assert str(info.value).startswith(f"{name}: ")
    assert "already resolved" in str(info.value)
    assert lwt.state(p) == lwt.Return("first")
    assert calls == ["first"]


@pytest.mark.parametrize(("name", "resolve", "expected"), SIX_WAKEUPS, ids=SIX_IDS)
def test_each_wakeup_on_rejected_promise_names_itself(
    name: str, resolve: Callable[[Any], None], expected: object
) -> None:
    exc = Other()
    p, r = lwt.wait()
    lwt.wakeup_exn(r, exc)
    with pytest.raises(lwt.InvalidArgument, match=f"^{name}: "):
        resolve(r)
    assert lwt.state(p) == lwt.Fail(exc)


@pytest.mark.parametrize(("name", "resolve", "expected"), SIX_WAKEUPS, ids=SIX_IDS)
def test_each_wakeup_on_canceled_promise_does_nothing(
    name: str, resolve: Callable[[Any], None], expected: object
) -> None:
    p, r = lwt.task()
    lwt.cancel(p)
    resolve(r)  # no error: whoever resolves cannot know about the cancellation
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, lwt.Canceled)


def test_resolver_of_promise_taken_over_by_bind_is_refused_once_resolved() -> None:
    # p2 becomes one with the result of bind; its resolver resolves that
    # result, and resolving it a second time is refused like any other.
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    bound = lwt.bind(p1, lambda _: p2)
    lwt.wakeup(r1, None)
    lwt.wakeup(r2, "foo")
    assert lwt.state(bound) == lwt.Return("foo")
    with pytest.raises(lwt.InvalidArgument, match=r"^wakeup: "):
        lwt.wakeup(r2, "bar")
    assert lwt.state(bound) == lwt.Return("foo")
    assert lwt.state(p2) == lwt.Return("foo")


# =============================================================================
# Python-specific: arguments of the wrong kind.
# =============================================================================
def _not_resolvers() -> list[Any]:
    pending, _ = lwt.wait()
    return [
        pytest.param(lwt.return_("foo"), id="fulfilled-promise"),
        pytest.param(lwt.fail(Boom()), id="rejected-promise"),
        pytest.param(lwt.bind(pending, lwt.return_), id="derived-pending-promise"),
        pytest.param(None, id="None"),
        pytest.param("resolver", id="str"),
    ]


@pytest.mark.parametrize("not_a_resolver", _not_resolvers())
@pytest.mark.parametrize(("name", "resolve", "expected"), SIX_WAKEUPS, ids=SIX_IDS)
def test_each_wakeup_refuses_what_is_not_a_resolver(
    name: str, resolve: Callable[[Any], None], expected: object, not_a_resolver: Any
) -> None:
    with pytest.raises(TypeError, match=f"^{name}: "):
        resolve(not_a_resolver)


def test_wakeup_on_derived_promise_leaves_it_pending() -> None:
    source, source_resolver = lwt.wait()
    derived = lwt.bind(source, lambda s: lwt.return_(s + "!"))
    with pytest.raises(TypeError):
        lwt.wakeup(derived, "sneaky")  # type: ignore[arg-type]
    assert lwt.state(derived) == lwt.Sleep()
    lwt.wakeup(source_resolver, "foo")
    assert lwt.state(derived) == lwt.Return("foo!")


@pytest.mark.parametrize(
    ("name", "resolve"),
    [
        ("wakeup_exn", lambda r: lwt.wakeup_exn(r, "not an exception")),
        ("wakeup_later_exn", lambda r: lwt.wakeup_later_exn(r, "not an exception")),
        ("wakeup_result", lambda r: lwt.wakeup_result(r, "neither Ok nor Error")),
        ("wakeup_later_result", lambda r: lwt.wakeup_later_result(r, "neither")),
        ("wakeup_result", lambda r: lwt.wakeup_result(r, lwt.Error("not an exception"))),
    ],
    ids=["exn", "later_exn", "result", "later_result", "result-error-payload"],
)
def test_wakeup_with_argument_of_wrong_type_is_refused_and_keeps_promise_pending(
    name: str, resolve: Callable[[Any], None]
) -> None:
    p, r = lwt.wait()
    with pytest.raises(TypeError, match=f"^{name}: "):
        resolve(r)
    assert lwt.state(p) == lwt.Sleep()
    lwt.wakeup(r, "still usable")
    assert lwt.state(p) == lwt.Return("still usable")


# =============================================================================
# Python-specific: repr in each state.
# =============================================================================
class TestRepr:
    def test_repr_of_pending_promise(self) -> None:
        p, _ = lwt.wait()
        text = repr(p)
        assert "Promise" in text
        assert "pending" in text

    def test_repr_of_fulfilled_promise_shows_the_value(self) -> None:
        text = repr(lwt.return_("foo"))
        assert "Promise" in text
        assert "fulfilled" in text
        assert repr("foo") in text

    def test_repr_of_rejected_promise_shows_the_exception(self) -> None:
        text = repr(lwt.fail(Boom("kaput")))
        assert "Promise" in text
        assert "rejected" in text
        assert repr(Boom("kaput")) in text

    def test_repr_follows_the_promise_through_its_resolution(self) -> None:
        p, r = lwt.wait()
        before = repr(p)
        lwt.wakeup(r, 42)
        after = repr(p)
        assert "pending" in before
        assert "fulfilled" in after
        assert "42" in after

    def test_repr_of_canceled_task_shows_rejection_with_canceled(self) -> None:
        p, _ = lwt.task()
        lwt.cancel(p)
        text = repr(p)
        assert "rejected" in text
        assert "Canceled" in text

    def test_repr_of_promise_taken_over_by_bind_shows_the_shared_state(self) -> None:
        p1, r1 = lwt.wait()
        p2, r2 = lwt.wait()
        bound = lwt.bind(p1, lambda _: p2)
        lwt.wakeup(r1, None)
        assert "pending" in repr(p2)
        lwt.wakeup(r2, "foo")
        assert repr(p2) == repr(bound)
        assert "fulfilled" in repr(p2)
        assert repr("foo") in repr(p2)
