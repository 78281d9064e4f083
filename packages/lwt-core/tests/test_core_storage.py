"""Implicit storage (keys) and context variables flowing through callbacks.

Restates Lwt's "storage" suite: a callback sees the values bound where it
was attached, not where the promise it waits on is resolved.  Then the same
guarantees for plain :class:`contextvars.ContextVar` values, and the
isolation between callbacks: what one callback sets reaches neither its
siblings nor the code that resolved the promise.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

import lwt.core as lwt

R = TypeVar("R")


class Boom(Exception):
    """A failure private to this file."""


def is_canceled(p: lwt.Promise[Any]) -> bool:
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


# ================================================ keys: binding and restoring
def test_a_new_key_is_unbound() -> None:
    key: lwt.Key[int] = lwt.new_key()
    assert lwt.get(key) is None


def test_with_value_binds_the_key_inside_the_thunk() -> None:
    key: lwt.Key[int] = lwt.new_key()
    assert lwt.with_value(key, 42, lambda: lwt.get(key)) == 42


def test_with_value_returns_what_the_thunk_returns() -> None:
    key: lwt.Key[int] = lwt.new_key()
    p = lwt.with_value(key, 42, lambda: lwt.return_(lwt.get(key)))
    assert lwt.state(p) == lwt.Return(42)


def test_with_value_restores_the_key_afterwards() -> None:
    key: lwt.Key[int] = lwt.new_key()
    lwt.with_value(key, 42, lambda: None)
    assert lwt.get(key) is None


def test_with_value_restores_the_key_when_the_thunk_raises() -> None:
    key: lwt.Key[int] = lwt.new_key()

    def raiser() -> None:
        raise Boom

    with pytest.raises(Boom):
        lwt.with_value(key, 42, raiser)
    assert lwt.get(key) is None


def test_nested_with_value_overrides_then_restores_the_outer_value() -> None:
    key: lwt.Key[int] = lwt.new_key()
    seen: list[int | None] = []

    def outer() -> None:
        lwt.with_value(key, 1337, lambda: seen.append(lwt.get(key)))
        seen.append(lwt.get(key))

    lwt.with_value(key, 42, outer)
    assert seen == [1337, 42]


def test_with_value_none_unbinds_the_key_inside_the_thunk() -> None:
    key: lwt.Key[int] = lwt.new_key()
    inner = lwt.with_value(key, 42, lambda: lwt.with_value(key, None, lambda: lwt.get(key)))
    assert inner is None


def test_keys_are_distinct() -> None:
    key1: lwt.Key[int] = lwt.new_key()
    key2: lwt.Key[int] = lwt.new_key()
    assert lwt.with_value(key1, 42, lambda: lwt.get(key2)) is None


# ============================ keys: callbacks see the binding where attached
# Each case attaches a callback under key = 1337, resolves the promise under
# key = 42, and checks both that the callback saw 1337 and that the resolver's
# binding is intact afterwards.
KEY: lwt.Key[int] = lwt.new_key()


def attach_then_resolve(
    attach: Callable[[lwt.Promise[Any]], Any],
    resolve: Callable[[lwt.Resolver[Any]], None],
) -> tuple[Any, int | None]:
    """Attach under 1337, resolve under 42; return what ``attach`` gave and the key after."""
    p, r = lwt.wait()

    def under_42() -> tuple[Any, int | None]:
        attached = lwt.with_value(KEY, 1337, lambda: attach(p))
        resolve(r)
        return attached, lwt.get(KEY)

    return lwt.with_value(KEY, 42, under_42)


def fulfil(r: lwt.Resolver[Any]) -> None:
    lwt.wakeup(r, None)


def reject(r: lwt.Resolver[Any]) -> None:
    lwt.wakeup_exn(r, Boom())


def test_key_bind_callback_sees_the_binding_of_attachment() -> None:
    q, after = attach_then_resolve(lambda p: p.bind(lambda _: lwt.return_(lwt.get(KEY))), fulfil)
    assert lwt.state(q) == lwt.Return(1337)
    assert after == 42


def test_key_map_callback_sees_the_binding_of_attachment() -> None:
    q, after = attach_then_resolve(lambda p: lwt.map(lambda _: lwt.get(KEY), p), fulfil)
    assert lwt.state(q) == lwt.Return(1337)
    assert after == 42


def test_key_catch_handler_sees_the_binding_of_attachment() -> None:
    q, after = attach_then_resolve(
        lambda p: lwt.catch(lambda: p, lambda _: lwt.return_(lwt.get(KEY))), reject
    )
    assert lwt.state(q) == lwt.Return(1337)
    assert after == 42


def test_key_try_bind_success_handler_sees_the_binding_of_attachment() -> None:
    q, after = attach_then_resolve(
        lambda p: lwt.try_bind(lambda: p, lambda _: lwt.return_(lwt.get(KEY)), lwt.fail), fulfil
    )
    assert lwt.state(q) == lwt.Return(1337)
    assert after == 42


def test_key_try_bind_error_handler_sees_the_binding_of_attachment() -> None:
    q, after = attach_then_resolve(
        lambda p: lwt.try_bind(lambda: p, lwt.return_, lambda _: lwt.return_(lwt.get(KEY))),
        reject,
    )
    assert lwt.state(q) == lwt.Return(1337)
    assert after == 42


def test_key_finalize_finaliser_sees_the_binding_of_attachment() -> None:
    seen: list[int | None] = []

    def fin() -> lwt.Promise[None]:
        seen.append(lwt.get(KEY))
        return lwt.return_unit

    q, after = attach_then_resolve(lambda p: lwt.finalize(lambda: p, fin), fulfil)
    assert seen == [1337]
    assert lwt.state(q) == lwt.Return(None)
    assert after == 42


def test_key_on_success_sees_the_binding_of_attachment() -> None:
    seen: list[int | None] = []
    _, after = attach_then_resolve(
        lambda p: p.on_success(lambda _: seen.append(lwt.get(KEY))), fulfil
    )
    assert seen == [1337]
    assert after == 42


def test_key_on_failure_sees_the_binding_of_attachment() -> None:
    seen: list[int | None] = []
    _, after = attach_then_resolve(
        lambda p: p.on_failure(lambda _: seen.append(lwt.get(KEY))), reject
    )
    assert seen == [1337]
    assert after == 42


@pytest.mark.parametrize("resolve", [fulfil, reject], ids=["fulfilled", "rejected"])
def test_key_on_termination_sees_the_binding_of_attachment(
    resolve: Callable[[lwt.Resolver[Any]], None],
) -> None:
    seen: list[int | None] = []
    _, after = attach_then_resolve(
        lambda p: p.on_termination(lambda: seen.append(lwt.get(KEY))), resolve
    )
    assert seen == [1337]
    assert after == 42


def test_key_on_any_value_branch_sees_the_binding_of_attachment() -> None:
    seen: list[object] = []
    _, after = attach_then_resolve(
        lambda p: p.on_any(lambda _: seen.append(lwt.get(KEY)), lambda _: seen.append("error")),
        fulfil,
    )
    assert seen == [1337]
    assert after == 42


def test_key_on_any_error_branch_sees_the_binding_of_attachment() -> None:
    seen: list[object] = []
    _, after = attach_then_resolve(
        lambda p: p.on_any(lambda _: seen.append("value"), lambda _: seen.append(lwt.get(KEY))),
        reject,
    )
    assert seen == [1337]
    assert after == 42


def test_key_on_cancel_sees_the_binding_of_attachment() -> None:
    seen: list[int | None] = []
    p, _ = lwt.task()

    def under_42() -> int | None:
        lwt.with_value(KEY, 1337, lambda: p.on_cancel(lambda: seen.append(lwt.get(KEY))))
        lwt.cancel(p)
        return lwt.get(KEY)

    assert lwt.with_value(KEY, 42, under_42) == 42
    assert seen == [1337]
    assert is_canceled(p)


def test_key_binding_flows_along_a_chain_of_binds() -> None:
    seen: list[int | None] = []
    p, r = lwt.wait()
    inner, r_inner = lwt.wait()

    def step1(_: object) -> lwt.Promise[None]:
        seen.append(lwt.get(KEY))
        # Attached while running step1, so under step1's binding.
        return inner.bind(step2)

    def step2(_: object) -> lwt.Promise[None]:
        seen.append(lwt.get(KEY))
        return lwt.return_unit

    lwt.with_value(KEY, 7, lambda: p.bind(step1))
    lwt.wakeup(r, None)
    lwt.with_value(KEY, 99, lambda: lwt.wakeup(r_inner, None))
    assert seen == [7, 7]


# ============================================= contextvars.ContextVar values
VAR: contextvars.ContextVar[str] = contextvars.ContextVar("test_core_storage.VAR", default="unset")


def in_context(value: str, thunk: Callable[[], R]) -> R:
    """Run ``thunk`` in a copy of the current context where VAR is ``value``."""

    def run() -> R:
        VAR.set(value)
        return thunk()

    return contextvars.copy_context().run(run)


def test_contextvar_bind_callback_sees_the_value_of_attachment() -> None:
    p, r = lwt.wait()
    q = in_context("attached", lambda: p.bind(lambda _: lwt.return_(VAR.get())))
    in_context("resolver", lambda: lwt.wakeup(r, None))
    assert lwt.state(q) == lwt.Return("attached")


def test_contextvar_map_callback_sees_the_value_of_attachment() -> None:
    p, r = lwt.wait()
    q = in_context("attached", lambda: p.map(lambda _: VAR.get()))
    in_context("resolver", lambda: lwt.wakeup(r, None))
    assert lwt.state(q) == lwt.Return("attached")


def test_contextvar_catch_handler_sees_the_value_of_attachment() -> None:
    p, r = lwt.wait()
    q = in_context("attached", lambda: lwt.catch(lambda: p, lambda _: lwt.return_(VAR.get())))
    in_context("resolver", lambda: lwt.wakeup_exn(r, Boom()))
    assert lwt.state(q) == lwt.Return("attached")


def test_contextvar_on_handlers_see_the_value_of_attachment() -> None:
    seen: list[tuple[str, str]] = []
    p, r = lwt.wait()

    def attach() -> None:
        p.on_success(lambda _: seen.append(("success", VAR.get())))
        p.on_termination(lambda: seen.append(("termination", VAR.get())))
        p.on_any(lambda _: seen.append(("any", VAR.get())), lambda _: None)

    in_context("attached", attach)
    in_context("resolver", lambda: lwt.wakeup(r, None))
    assert seen == [("success", "attached"), ("termination", "attached"), ("any", "attached")]


def test_contextvar_on_failure_and_on_cancel_see_the_value_of_attachment() -> None:
    seen: list[tuple[str, str]] = []
    p, _ = lwt.task()

    def attach() -> None:
        p.on_failure(lambda _: seen.append(("failure", VAR.get())))
        p.on_cancel(lambda: seen.append(("cancel", VAR.get())))

    in_context("attached", attach)
    in_context("canceller", lambda: lwt.cancel(p))
    assert seen == [("cancel", "attached"), ("failure", "attached")]


def test_contextvar_each_callback_sees_its_own_attachment_context() -> None:
    seen: list[str] = []
    p, r = lwt.wait()
    in_context("first", lambda: p.on_success(lambda _: seen.append(VAR.get())))
    in_context("second", lambda: p.on_success(lambda _: seen.append(VAR.get())))
    p.on_success(lambda _: seen.append(VAR.get()))
    in_context("resolver", lambda: lwt.wakeup(r, None))
    assert seen == ["first", "second", "unset"]


def test_contextvar_set_in_a_callback_does_not_reach_a_sibling_callback() -> None:
    seen: list[str] = []
    p, r = lwt.wait()

    def setter(_: object) -> None:
        VAR.set("set by first callback")
        seen.append(VAR.get())

    def attach() -> None:
        p.on_success(setter)
        p.on_success(lambda _: seen.append(VAR.get()))
        p.map(lambda _: seen.append(VAR.get()))

    in_context("attached", attach)
    lwt.wakeup(r, None)
    assert seen == ["set by first callback", "attached", "attached"]


def test_contextvar_set_in_a_bind_callback_does_not_reach_a_sibling_bind() -> None:
    p, r = lwt.wait()

    def setter(_: object) -> lwt.Promise[str]:
        VAR.set("leaked")
        return lwt.return_(VAR.get())

    q1 = p.bind(setter)
    q2 = p.bind(lambda _: lwt.return_(VAR.get()))
    lwt.wakeup(r, None)
    assert lwt.state(q1) == lwt.Return("leaked")
    assert lwt.state(q2) == lwt.Return("unset")


def test_contextvar_set_in_a_callback_does_not_reach_the_resolver() -> None:
    p, r = lwt.wait()

    def setter(_: object) -> None:
        VAR.set("leaked")

    p.on_success(setter)
    p.bind(lambda _: lwt.return_(VAR.set("leaked too")))

    def resolve() -> str:
        lwt.wakeup(r, None)
        return VAR.get()

    assert in_context("resolver", resolve) == "resolver"
    assert VAR.get() == "unset"


def test_contextvar_set_in_an_on_cancel_callback_does_not_reach_the_canceller() -> None:
    p, _ = lwt.task()
    p.on_cancel(lambda: VAR.set("leaked"))

    def cancel() -> str:
        lwt.cancel(p)
        return VAR.get()

    assert in_context("canceller", cancel) == "canceller"


def test_contextvar_set_in_a_bind_callback_reaches_the_callbacks_it_attaches() -> None:
    seen: list[str] = []
    p, r = lwt.wait()
    inner, r_inner = lwt.wait()

    def first(_: object) -> lwt.Promise[None]:
        VAR.set("set in first")
        return inner.map(lambda _: seen.append(VAR.get()))

    p.bind(first)
    lwt.wakeup(r, None)
    in_context("resolver", lambda: lwt.wakeup(r_inner, None))
    assert seen == ["set in first"]


def test_contextvar_callbacks_attached_to_a_resolved_promise_are_isolated_too() -> None:
    # Whether the promise is still pending should not change what a
    # callback's context sees: a value set in one callback stays there.
    # (Run in a scratch context so that a leak cannot spill into other tests.)
    def body() -> tuple[list[str], str]:
        seen: list[str] = []
        p = lwt.return_(None)

        def setter(_: object) -> None:
            VAR.set("leaked")

        p.on_success(setter)
        p.on_success(lambda _: seen.append(VAR.get()))
        return seen, VAR.get()

    seen, after = contextvars.copy_context().run(body)
    assert seen == ["unset"]
    assert after == "unset"


def leak(_: object = None) -> lwt.Promise[None]:
    VAR.set("leaked")
    return lwt.return_unit


def leak_value(_: object = None) -> None:
    VAR.set("leaked")


# Handlers attached to an already-resolved promise run at once, in a copy of
# the current context: isolated exactly as if they had waited.
HANDLERS_AT_ONCE: list[tuple[str, Callable[[], object]]] = [
    ("on_success", lambda: lwt.return_(None).on_success(leak_value)),
    ("on_failure", lambda: lwt.fail(Boom()).on_failure(leak_value)),
    ("on_termination", lambda: lwt.return_(None).on_termination(leak_value)),
    ("on_any", lambda: lwt.return_(None).on_any(leak_value, leak_value)),
]

# The continuation of bind, map, catch or try_bind on an already-resolved
# promise is, by design (see the Context section of lwt.core._promise), a
# plain call in the caller's context, as the code after an await of a done
# future is in asyncio.
CONTINUATIONS_AT_ONCE: list[tuple[str, Callable[[], object]]] = [
    ("bind", lambda: lwt.return_(None).bind(leak)),
    ("map", lambda: lwt.return_(None).map(leak_value)),
    ("catch", lambda: lwt.catch(lambda: lwt.fail(Boom()), leak)),
    ("try_bind_ok", lambda: lwt.try_bind(lambda: lwt.return_unit, leak, lwt.fail)),
    ("try_bind_error", lambda: lwt.try_bind(lambda: lwt.fail(Boom()), lwt.return_, leak)),
]


def var_after(run: Callable[[], object]) -> str:
    """VAR as the caller sees it after ``run()``, in a scratch context."""

    def body() -> str:
        run()
        return VAR.get()

    return contextvars.copy_context().run(body)


@pytest.mark.parametrize(
    "run", [r for _, r in HANDLERS_AT_ONCE], ids=[n for n, _ in HANDLERS_AT_ONCE]
)
def test_contextvar_set_by_a_handler_run_at_once_does_not_reach_the_caller(
    run: Callable[[], object],
) -> None:
    assert var_after(run) == "unset"


@pytest.mark.parametrize(
    "run", [r for _, r in CONTINUATIONS_AT_ONCE], ids=[n for n, _ in CONTINUATIONS_AT_ONCE]
)
def test_contextvar_continuation_run_at_once_is_a_plain_call_in_the_callers_context(
    run: Callable[[], object],
) -> None:
    assert var_after(run) == "leaked"


def test_contextvar_continuation_run_at_once_sees_the_callers_values() -> None:
    def body() -> lwt.Promise[str]:
        VAR.set("caller")
        return lwt.return_(None).bind(lambda _: lwt.return_(VAR.get()))

    p = contextvars.copy_context().run(body)
    assert lwt.state(p) == lwt.Return("caller")
