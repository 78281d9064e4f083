"""Lwt's ppx test suite (test/ppx/main.ml), restated as async def code.

Each OCaml construct has its Python form: ``let%lwt`` is ``await``,
``try%lwt`` is ``try``/``except``, ``[%finally]`` is ``try``/``finally``,
``match%lwt`` is ``await`` then ``match``; the helpers in ``lwt.ppx`` cover
``assert%lwt``, ``if%lwt``, ``for%lwt`` and ``while%lwt`` for callback code.
"""

from __future__ import annotations

from typing import Any

import pytest

import lwt.core as lwt
from lwt.ppx import assert_, for_downto, for_to, if_, of_coroutine, promise, while_


class NotFoundError(Exception):
    pass


def fulfilled(p: lwt.Promise[Any]) -> Any:
    assert lwt.state(p) == lwt.Return(lwt.poll(p)), f"not fulfilled: {p!r}"
    return lwt.poll(p)


def later() -> tuple[lwt.Promise[Any], lwt.Resolver[Any]]:
    return lwt.wait()


# --------------------------------------------------------------- let%lwt
def test_await_of_a_resolved_promise_gives_its_value_at_once() -> None:
    @promise
    async def body() -> bool:
        x = await lwt.return_(3)
        return x + 1 == 4

    assert fulfilled(body()) is True


def test_nested_awaits_combine_values() -> None:
    @promise
    async def body() -> int:
        x = await lwt.return_(3)
        y = await lwt.return_(4)
        return x + y

    assert fulfilled(body()) == 7


def test_parallel_let_is_await_of_both() -> None:
    a, ra = later()
    b, rb = later()

    @promise
    async def body() -> int:
        x, y = await lwt.both(a, b)
        return x + y

    p = body()
    lwt.wakeup(rb, 4)
    assert lwt.is_sleeping(p)
    lwt.wakeup(ra, 3)
    assert fulfilled(p) == 7


def test_await_of_pending_promise_resumes_when_it_resolves() -> None:
    a, ra = later()
    steps: list[str] = []

    @promise
    async def body() -> str:
        steps.append("start")
        v = await a
        steps.append(f"got {v}")
        return v

    p = body()
    assert steps == ["start"]
    assert lwt.is_sleeping(p)
    lwt.wakeup(ra, "x")
    assert steps == ["start", "got x"]
    assert fulfilled(p) == "x"


# ------------------------------------------------------------- match%lwt
def test_match_on_awaited_value() -> None:
    @promise
    async def body() -> bool:
        match await lwt.return_(3):
            case 3:
                return True
            case _:
                return False

    assert fulfilled(body()) is True


def test_match_with_exception_case() -> None:
    @promise
    async def classify(p: lwt.Promise[int | None]) -> str:
        try:
            v = await p
        except NotFoundError:
            return "exception"
        match v:
            case None:
                return "none"
            case _:
                return f"some {v}"

    assert fulfilled(classify(lwt.return_(3))) == "some 3"
    assert fulfilled(classify(lwt.return_(None))) == "none"
    assert fulfilled(classify(lwt.fail(NotFoundError()))) == "exception"


# ---------------------------------------------------------------- if%lwt
def test_if_helper_runs_the_branch_chosen_by_the_promise() -> None:
    assert fulfilled(if_(lwt.return_true, lambda: lwt.return_(1), lambda: lwt.return_(2))) == 1
    assert fulfilled(if_(lwt.return_false, lambda: lwt.return_(1), lambda: lwt.return_(2))) == 2


def test_if_helper_without_else_gives_none_when_false() -> None:
    ran: list[int] = []
    p = if_(lwt.return_false, lambda: lwt.wrap(ran.append, 1))
    assert fulfilled(p) is None
    assert ran == []


def test_if_helper_waits_for_a_pending_condition() -> None:
    c, rc = later()
    p = if_(c, lambda: lwt.return_("yes"), lambda: lwt.return_("no"))
    assert lwt.is_sleeping(p)
    lwt.wakeup(rc, False)
    assert fulfilled(p) == "no"


def test_if_in_a_coroutine_awaits_the_condition() -> None:
    @promise
    async def body() -> bool:
        a = True if await lwt.return_true else False  # noqa: SIM210 - restates if%lwt
        b = not await lwt.return_true
        return a and not b

    assert fulfilled(body()) is True


# --------------------------------------------------------------- for%lwt
def test_for_to_runs_bodies_in_sequence() -> None:
    seen: list[int] = []
    resolvers: list[lwt.Resolver[None]] = []

    def body(i: int) -> lwt.Promise[None]:
        seen.append(i)
        p, r = lwt.wait()
        resolvers.append(r)
        return p

    p = for_to(3, 5, body)
    assert seen == [3]
    lwt.wakeup(resolvers[0], None)
    assert seen == [3, 4]
    lwt.wakeup(resolvers[1], None)
    lwt.wakeup(resolvers[2], None)
    assert seen == [3, 4, 5]
    assert fulfilled(p) is None


def test_for_downto_counts_down_including_both_ends() -> None:
    seen: list[int] = []
    p = for_downto(5, 3, lambda i: lwt.wrap(seen.append, i))
    assert fulfilled(p) is None
    assert seen == [5, 4, 3]


def test_for_to_with_empty_range_does_nothing() -> None:
    seen: list[int] = []
    assert fulfilled(for_to(5, 3, lambda i: lwt.wrap(seen.append, i))) is None
    assert seen == []


def test_for_to_stops_at_the_first_rejection() -> None:
    seen: list[int] = []

    def body(i: int) -> lwt.Promise[None]:
        seen.append(i)
        return lwt.fail(NotFoundError()) if i == 2 else lwt.return_unit

    p = for_to(1, 5, body)
    assert isinstance(lwt.state(p), lwt.Fail)
    assert seen == [1, 2]


def test_for_loop_in_a_coroutine_sequences_awaits() -> None:
    order: list[int] = []
    resolvers: list[lwt.Resolver[None]] = []

    def f(x: int) -> lwt.Promise[None]:
        p, r = lwt.wait()
        resolvers.append(r)
        return p.map(lambda _: order.append(x))

    @promise
    async def body() -> list[int]:
        for x in range(3, 6):
            await f(x)
        return order

    p = body()
    while resolvers:
        lwt.wakeup(resolvers.pop(0), None)
    assert fulfilled(p) == [3, 4, 5]


def test_for_to_over_a_long_range_does_not_overflow_the_stack() -> None:
    count = [0]

    def body(_i: int) -> lwt.Promise[None]:
        count[0] += 1
        return lwt.return_unit

    assert fulfilled(for_to(1, 100_000, body)) is None
    assert count[0] == 100_000


# ------------------------------------------------------------- while%lwt
def test_while_helper_checks_condition_before_each_turn() -> None:
    c = [2]
    seen: list[int] = []

    def body() -> lwt.Promise[None]:
        c[0] += 1
        seen.append(c[0])
        return lwt.return_unit

    assert fulfilled(while_(lambda: c[0] < 5, body)) is None
    assert seen == [3, 4, 5]


def test_while_helper_waits_for_each_body() -> None:
    resolvers: list[lwt.Resolver[None]] = []
    turns = [0]

    def body() -> lwt.Promise[None]:
        turns[0] += 1
        p, r = lwt.wait()
        resolvers.append(r)
        return p

    p = while_(lambda: turns[0] < 2, body)
    assert turns[0] == 1
    lwt.wakeup(resolvers[0], None)
    assert turns[0] == 2
    assert lwt.is_sleeping(p)
    lwt.wakeup(resolvers[1], None)
    assert fulfilled(p) is None


# ------------------------------------------------------------ assert%lwt
def test_assert_helper_true_is_fulfilled() -> None:
    assert fulfilled(assert_(True)) is None


def test_assert_helper_false_is_a_rejection_not_a_raise() -> None:
    p = assert_(False)
    state = lwt.state(p)
    assert isinstance(state, lwt.Fail)
    assert isinstance(state.exc, AssertionError)


def test_awaiting_assert_helper_inside_coroutine() -> None:
    @promise
    async def body() -> bool:
        await assert_(1 + 1 == 2)
        return True

    assert fulfilled(body()) is True


# --------------------------------------------------------------- try%lwt
def test_try_catches_a_rejected_await() -> None:
    @promise
    async def body() -> bool:
        try:
            await lwt.fail(NotFoundError())
        except Exception:
            return True
        return False

    assert fulfilled(body()) is True


def test_try_catches_a_plain_raise() -> None:
    @promise
    async def body() -> bool:
        try:
            raise NotFoundError
        except Exception:
            return True

    assert fulfilled(body()) is True


def test_try_falls_back_to_the_outer_handler() -> None:
    @promise
    async def body() -> bool:
        try:
            try:
                await lwt.fail(NotFoundError())
            except ValueError:
                return False
        except NotFoundError:
            return True
        return False

    assert fulfilled(body()) is True


def test_try_catches_a_later_rejection() -> None:
    a, ra = later()

    @promise
    async def body() -> str:
        try:
            await a
        except NotFoundError as exc:
            return f"caught {exc.args[0]}"
        return "no"

    p = body()
    lwt.wakeup_exn(ra, NotFoundError("late"))
    assert fulfilled(p) == "caught late"


# ------------------------------------------------------------- [%finally]
def test_finally_runs_after_the_body() -> None:
    ran: list[str] = []

    @promise
    async def body() -> None:
        try:
            await lwt.return_unit
        finally:
            ran.append("finally")

    assert fulfilled(body()) is None
    assert ran == ["finally"]


def test_finally_runs_after_a_handled_exception() -> None:
    ran: list[str] = []

    @promise
    async def body() -> None:
        try:
            try:
                raise NotFoundError
            except NotFoundError:
                pass
        finally:
            ran.append("finally")

    assert fulfilled(body()) is None
    assert ran == ["finally"]


def test_finally_runs_and_the_exception_continues() -> None:
    ran: list[str] = []

    @promise
    async def inner() -> None:
        try:
            raise NotFoundError
        finally:
            ran.append("finally")

    @promise
    async def outer() -> bool:
        try:
            await inner()
        except NotFoundError:
            return ran == ["finally"]
        return False

    assert fulfilled(outer()) is True


def test_finally_may_await_before_completing() -> None:
    a, ra = later()
    ran: list[str] = []

    @promise
    async def body() -> str:
        try:
            return "value"
        finally:
            await a
            ran.append("cleaned")

    p = body()
    assert lwt.is_sleeping(p)
    lwt.wakeup(ra, None)
    assert fulfilled(p) == "value"
    assert ran == ["cleaned"]


# ------------------------------------------------------------- patterns
def test_await_with_ignored_binding() -> None:
    @promise
    async def body() -> bool:
        _ = await lwt.return_(0)
        return True

    assert fulfilled(body()) is True


def test_await_with_destructuring() -> None:
    @promise
    async def body() -> int:
        (a, b) = await lwt.return_((1, 2))
        return a + b

    assert fulfilled(body()) == 3


# -------------------------------------------------------- of_coroutine
def test_of_coroutine_runs_one_coroutine() -> None:
    async def body() -> int:
        return await lwt.return_(5)

    assert fulfilled(of_coroutine(body())) == 5


def test_of_coroutine_rejects_what_is_not_a_coroutine() -> None:
    with pytest.raises(TypeError, match="expected a coroutine"):
        of_coroutine(42)  # type: ignore[arg-type]


def test_promise_keeps_the_function_name_and_docstring() -> None:
    @promise
    async def documented() -> None:
        """Some documentation."""

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Some documentation."
