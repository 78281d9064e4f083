"""Tests for lwt.core.lists, after Lwt's test/core/test_lwt_list.ml, plus models.

The first part restates Lwt's suite: each function on a small list, what
happens when the callback raises, how the ``_p`` functions run callbacks
side by side and the ``_s`` ones one after the other.  Then come checks of
the rules Lwt's code fixes but its tests do not (which rejection wins,
cancellation, long lists), and hypothesis models that compare every function
with Python's builtins while the callbacks' promises resolve in random order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.lists as lists


class Boom(Exception):
    """A sample exception, standing for OCaml's local exceptions in Lwt's tests."""


class Tagged(Exception):
    """An exception that says which element raised it."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _fails_with(p: lwt.Promise[Any], exc_type: type[BaseException]) -> BaseException:
    outcome = p.state()
    assert isinstance(outcome, lwt.Fail), outcome
    assert isinstance(outcome.exc, exc_type), outcome.exc
    return outcome.exc


def _run_paused(p: lwt.Promise[Any], limit: int = 100) -> None:
    """Wake paused promises until ``p`` resolves (the job of a main loop)."""
    for _ in range(limit):
        if not p.is_sleeping():
            return
        lwt.wakeup_paused()
    raise AssertionError("the promise did not resolve")


# Every function of Lwt_list, adapted to a one-argument callback ``g`` that
# returns a promise, so that the generic cases below apply to all of them.
ADAPTED: dict[str, Callable[[Callable[[Any], lwt.Promise[Any]], list[Any]], lwt.Promise[Any]]] = {
    "iter_s": lists.iter_s,
    "iter_p": lists.iter_p,
    "iteri_s": lambda g, xs: lists.iteri_s(lambda _i, x: g(x), xs),
    "iteri_p": lambda g, xs: lists.iteri_p(lambda _i, x: g(x), xs),
    "map_s": lists.map_s,
    "map_p": lists.map_p,
    "mapi_s": lambda g, xs: lists.mapi_s(lambda _i, x: g(x), xs),
    "mapi_p": lambda g, xs: lists.mapi_p(lambda _i, x: g(x), xs),
    "rev_map_s": lists.rev_map_s,
    "rev_map_p": lists.rev_map_p,
    "fold_left_s": lambda g, xs: lists.fold_left_s(lambda _acc, x: g(x), None, xs),
    "fold_right_s": lambda g, xs: lists.fold_right_s(lambda x, _acc: g(x), xs, None),
    "for_all_s": lambda g, xs: lists.for_all_s(lambda x: g(x).map(lambda _: True), xs),
    "for_all_p": lambda g, xs: lists.for_all_p(lambda x: g(x).map(lambda _: True), xs),
    "exists_s": lambda g, xs: lists.exists_s(lambda x: g(x).map(lambda _: False), xs),
    "exists_p": lambda g, xs: lists.exists_p(lambda x: g(x).map(lambda _: False), xs),
    "find_s": lambda g, xs: lists.find_s(lambda x: g(x).map(lambda _: False), xs),
    "filter_s": lambda g, xs: lists.filter_s(lambda x: g(x).map(lambda _: True), xs),
    "filter_p": lambda g, xs: lists.filter_p(lambda x: g(x).map(lambda _: True), xs),
    "filter_map_s": lambda g, xs: lists.filter_map_s(lambda x: g(x).map(lambda _: x), xs),
    "filter_map_p": lambda g, xs: lists.filter_map_p(lambda x: g(x).map(lambda _: x), xs),
    "partition_s": lambda g, xs: lists.partition_s(lambda x: g(x).map(lambda _: True), xs),
    "partition_p": lambda g, xs: lists.partition_p(lambda x: g(x).map(lambda _: True), xs),
}
SEQUENTIAL = sorted(name for name in ADAPTED if name.endswith("_s"))
CONCURRENT = sorted(name for name in ADAPTED if name.endswith("_p"))


def test_every_function_of_lwt_list_is_here() -> None:
    assert sorted(lists.__all__) == sorted(ADAPTED)
    assert len(lists.__all__) == 23


# ------------------------------------------------------- Lwt's suite: iter
@pytest.mark.parametrize(("name", "after_call"), [("iter_p", [1, 0, 1]), ("iter_s", [1, 0, 0])])
def test_iter_waits_for_a_pending_callback(name: str, after_call: list[int]) -> None:
    iterate = getattr(lists, name)
    counters = [0, 0, 0]

    def bump(i: int) -> lwt.Promise[None]:
        counters[i] += 1
        return lwt.return_unit

    everything_at_once = iterate(bump, range(3))
    assert everything_at_once.state() == lwt.Return(None)
    assert counters == [1, 1, 1]

    counters[:] = [0, 0, 0]
    gate, open_gate = lwt.wait()
    # The second element's callback waits for the gate before counting.
    behaviours = [bump, lambda i: gate.bind(lambda _: bump(i)), bump]
    p = iterate(lambda i: behaviours[i](i), range(3))
    assert p.is_sleeping()
    assert counters == after_call
    lwt.wakeup(open_gate, None)
    assert counters == [1, 1, 1]
    assert p.state() == lwt.Return(None)


# --------------------------------------------- Lwt's suite: raising callbacks
@pytest.mark.parametrize("name", sorted(ADAPTED))
def test_callback_that_raises_rejects_the_result_instead_of_raising(name: str) -> None:
    calls = 0

    def second_call_raises(_: object) -> lwt.Promise[None]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Boom
        return lwt.return_unit

    p = ADAPTED[name](second_call_raises, [None, None, None])
    _fails_with(p, Boom)


# ------------------------------------------------------- Lwt's suite: map
@pytest.mark.parametrize(("name", "second_result"), [("map_p", [4, 8, 5]), ("map_s", [4, 7, 8])])
def test_map_with_pending_and_canceled_callbacks(name: str, second_result: list[int]) -> None:
    mapping = getattr(lists, name)
    gate, open_gate = lwt.wait()
    cancelable, _ = lwt.task()
    counter = 0
    calls = 0

    def next_number(_: object) -> lwt.Promise[int]:
        nonlocal calls
        calls += 1
        first: lwt.Promise[None] = lwt.return_unit
        if calls == 5:
            first = gate
        elif calls == 8:
            first = cancelable

        def count(_: None) -> lwt.Promise[int]:
            nonlocal counter
            counter += 1
            return lwt.return_(counter)

        return first.bind(count)

    assert mapping(next_number, [None] * 3).state() == lwt.Return([1, 2, 3])
    second = mapping(next_number, [None] * 3)
    assert second.is_sleeping()
    third = mapping(next_number, [None] * 3)
    assert third.is_sleeping()
    cancelable.cancel()
    _fails_with(third, lwt.Canceled)
    lwt.wakeup(open_gate, None)
    assert second.state() == lwt.Return(second_result)


# ------------------------------------- Lwt's suite: parallelism of the _p ones
@pytest.mark.parametrize("name", CONCURRENT)
def test_concurrent_function_calls_later_callbacks_before_earlier_ones_finish(name: str) -> None:
    gate, open_gate = lwt.wait()

    def g(x: int) -> lwt.Promise[None]:
        if x == 0:
            return gate.bind(lambda _: lwt.return_unit)
        # Only a concurrent function gets here before the gate opens.
        lwt.wakeup_later(open_gate, None)
        return lwt.return_unit

    p = ADAPTED[name](g, [0, 1])
    assert not p.is_sleeping()
    assert isinstance(p.state(), lwt.Return)


# ----------------------------------- Lwt's suite: serialization of the _s ones
@pytest.mark.parametrize("name", SEQUENTIAL)
def test_sequential_function_finishes_one_callback_before_starting_the_next(name: str) -> None:
    other_ran = False
    # fold_right_s starts from the last element.
    slow = 1 if name == "fold_right_s" else 0
    order: list[str] = []

    def g(x: int) -> lwt.Promise[None]:
        nonlocal other_ran
        if x == slow:

            def after_pause(_: None) -> lwt.Promise[None]:
                order.append(f"slow finished, other ran: {other_ran}")
                return lwt.return_unit

            return lwt.pause().bind(after_pause)
        other_ran = True
        order.append("other")
        return lwt.return_unit

    p = ADAPTED[name](g, [0, 1])
    _run_paused(p)
    assert order == ["slow finished, other ran: False", "other"]
    if name == "find_s":
        _fails_with(p, lwt.NotFound)
    else:
        assert isinstance(p.state(), lwt.Return)


# -------------------------------------------- Lwt's suite: small examples
def test_fold_left_s_accumulates_from_the_left() -> None:
    p = lists.fold_left_s(lambda acc, x: lwt.return_([x, *acc]), [], [1, 2, 3])
    assert p.state() == lwt.Return([3, 2, 1])


def test_fold_right_s_accumulates_from_the_right() -> None:
    p = lists.fold_right_s(lambda x, acc: lwt.return_(x + acc), [1, 2, 3], 0)
    assert p.state() == lwt.Return(6)
    order = lists.fold_right_s(lambda x, acc: lwt.return_([*acc, x]), [1, 2, 3], [])
    assert order.state() == lwt.Return([3, 2, 1])


@pytest.mark.parametrize("name", ["for_all_s", "for_all_p"])
def test_for_all(name: str) -> None:
    for_all = getattr(lists, name)
    assert for_all(lambda x: lwt.return_(x), [True, True]).state() == lwt.Return(True)
    assert for_all(lambda x: lwt.return_(not x), [True, True]).state() == lwt.Return(False)
    assert for_all(lambda x: lwt.return_(x), []).state() == lwt.Return(True)


@pytest.mark.parametrize("name", ["exists_s", "exists_p"])
def test_exists(name: str) -> None:
    exists = getattr(lists, name)
    assert exists(lambda x: lwt.return_(x), [True, False]).state() == lwt.Return(True)
    assert exists(lambda x: lwt.return_(not x), [True, True]).state() == lwt.Return(False)
    assert exists(lambda x: lwt.return_(x), []).state() == lwt.Return(False)


@pytest.mark.parametrize("name", ["filter_s", "filter_p"])
def test_filter_keeps_the_even_numbers(name: str) -> None:
    p = getattr(lists, name)(lambda x: lwt.return_(x % 2 == 0), [1, 2, 3, 4])
    assert p.state() == lwt.Return([2, 4])


@pytest.mark.parametrize("name", ["filter_s", "filter_p"])
def test_filter_can_keep_none_elements(name: str) -> None:
    p = getattr(lists, name)(lambda x: lwt.return_(x is None), [None, 0, None])
    assert p.state() == lwt.Return([None, None])


@pytest.mark.parametrize("name", ["partition_s", "partition_p"])
def test_partition_splits_by_the_test(name: str) -> None:
    p = getattr(lists, name)(lambda x: lwt.return_(x <= 2), [1, 2, 3, 4])
    assert p.state() == lwt.Return(([1, 2], [3, 4]))


@pytest.mark.parametrize("name", ["filter_map_s", "filter_map_p"])
def test_filter_map_drops_none(name: str) -> None:
    p = getattr(lists, name)(lambda x: lwt.return_(x * 2 if x % 2 == 0 else None), [1, 2, 3, 4])
    assert p.state() == lwt.Return([4, 8])


@pytest.mark.parametrize("name", ["iteri_s", "iteri_p"])
def test_iteri_passes_the_index(name: str) -> None:
    total = 0

    def add(i: int, x: int) -> lwt.Promise[None]:
        nonlocal total
        total += i + x
        return lwt.return_unit

    assert getattr(lists, name)(add, [1, 2, 3]).state() == lwt.Return(None)
    assert total == 9


@pytest.mark.parametrize("name", ["mapi_s", "mapi_p"])
def test_mapi_passes_the_index(name: str) -> None:
    p = getattr(lists, name)(lambda i, x: lwt.return_(i + x), [0, 0, 0])
    assert p.state() == lwt.Return([0, 1, 2])


@pytest.mark.parametrize("name", ["rev_map_s", "rev_map_p"])
def test_rev_map_reverses(name: str) -> None:
    p = getattr(lists, name)(lambda x: lwt.return_(x * 2), [1, 2, 3])
    assert p.state() == lwt.Return([6, 4, 2])


def test_find_s_finds_the_first_match() -> None:
    p = lists.find_s(lambda x: lwt.return_(x % 2 == 0), [1, 2, 3, 4])
    assert p.state() == lwt.Return(2)


def test_find_s_rejects_with_not_found_when_nothing_matches() -> None:
    p = lists.find_s(lambda x: lwt.return_(x % 2 == 0), [1, 3])
    _fails_with(p, lwt.NotFound)
    _fails_with(lists.find_s(lambda _: lwt.return_true, []), lwt.NotFound)


# ---------------------------------------------------- beyond Lwt's own tests
@pytest.mark.parametrize("name", sorted(ADAPTED))
def test_empty_input(name: str) -> None:
    def never(_: object) -> lwt.Promise[None]:
        raise AssertionError("no element, no call")

    p = ADAPTED[name](never, [])
    if name == "find_s":
        _fails_with(p, lwt.NotFound)
    else:
        assert not p.is_sleeping()
        assert isinstance(p.state(), lwt.Return)


def test_inputs_may_be_any_iterable() -> None:
    def doubled(x: int) -> lwt.Promise[int]:
        return lwt.return_(2 * x)

    def numbers() -> Iterator[int]:
        yield from (1, 2, 3)

    for source in (numbers(), (1, 2, 3), range(1, 4), {1: "a", 2: "b", 3: "c"}):
        assert lists.map_p(doubled, source).state() == lwt.Return([2, 4, 6])
    assert lists.map_s(doubled, numbers()).state() == lwt.Return([2, 4, 6])
    assert lists.fold_right_s(
        lambda x, acc: lwt.return_([*acc, x]), numbers(), []
    ).state() == lwt.Return([3, 2, 1])


def test_callback_returning_a_non_promise_rejects_with_type_error() -> None:
    p = lists.map_s(lambda x: x, [1])  # type: ignore[arg-type, return-value]
    _fails_with(p, TypeError)
    q = lists.iter_p(lambda x: x, [1])  # type: ignore[arg-type, return-value]
    _fails_with(q, TypeError)


def test_predicates_are_tested_for_truth() -> None:
    p = lists.filter_s(lambda x: lwt.return_(x), [0, 1, "", "a", [], [0]])  # type: ignore[arg-type]
    assert p.state() == lwt.Return([1, "a", [0]])


def test_sequential_function_stops_at_the_first_rejection() -> None:
    seen: list[int] = []

    def g(x: int) -> lwt.Promise[int]:
        seen.append(x)
        return lwt.fail(Tagged(x)) if x >= 2 else lwt.return_(x)

    p = lists.map_s(g, [0, 1, 2, 3, 4])
    assert _fails_with(p, Tagged).index == 2  # type: ignore[attr-defined]
    assert seen == [0, 1, 2]


def test_exists_s_and_for_all_s_stop_at_the_decisive_element() -> None:
    seen: list[int] = []

    def is_big(x: int) -> lwt.Promise[bool]:
        seen.append(x)
        return lwt.return_(x > 1)

    assert lists.exists_s(is_big, [0, 1, 2, 3]).state() == lwt.Return(True)
    assert seen == [0, 1, 2]
    seen.clear()
    assert lists.for_all_s(lambda x: is_big(x).map(lambda b: not b), [0, 1, 2, 3]).state() == (
        lwt.Return(False)
    )
    assert seen == [0, 1, 2]


def test_concurrent_functions_test_every_element_even_when_decided() -> None:
    seen: list[int] = []

    def is_big(x: int) -> lwt.Promise[bool]:
        seen.append(x)
        return lwt.return_(x > 1)

    assert lists.exists_p(is_big, [0, 1, 2, 3]).state() == lwt.Return(True)
    assert seen == [0, 1, 2, 3]


def _controlled(n: int) -> tuple[list[lwt.Promise[int]], list[lwt.Resolver[int]]]:
    promises, resolvers = [], []
    for _ in range(n):
        p, r = lwt.task()
        promises.append(p)
        resolvers.append(r)
    return promises, resolvers


def test_map_p_is_rejected_by_the_rightmost_rejection() -> None:
    ps, rs = _controlled(3)
    p = lists.map_p(lambda i: ps[i], range(3))
    lwt.wakeup_exn(rs[0], Tagged(0))
    assert p.is_sleeping()
    lwt.wakeup_exn(rs[1], Tagged(1))
    assert p.is_sleeping()  # the last element is still pending
    lwt.wakeup(rs[2], 2)
    assert _fails_with(p, Tagged).index == 1  # type: ignore[attr-defined]


def test_map_p_does_not_wait_for_elements_left_of_a_rejection() -> None:
    ps, rs = _controlled(3)
    p = lists.map_p(lambda i: ps[i], range(3))
    lwt.wakeup(rs[2], 2)
    lwt.wakeup_exn(rs[1], Tagged(1))
    assert _fails_with(p, Tagged).index == 1  # type: ignore[attr-defined]
    assert ps[0].is_sleeping()


def test_map_p_with_every_element_already_rejected_takes_the_last() -> None:
    p = lists.map_p(lambda i: lwt.fail(Tagged(i)), range(4))
    assert _fails_with(p, Tagged).index == 3  # type: ignore[attr-defined]
    q = lists.rev_map_p(lambda i: lwt.fail(Tagged(i)), range(4))
    assert _fails_with(q, Tagged).index == 3  # type: ignore[attr-defined]


def test_iter_p_waits_for_all_and_takes_the_first_rejection_in_time() -> None:
    ps, rs = _controlled(3)
    p = lists.iter_p(lambda i: ps[i], range(3))
    lwt.wakeup_exn(rs[2], Tagged(2))
    lwt.wakeup_exn(rs[0], Tagged(0))
    assert p.is_sleeping()  # join waits for every promise
    lwt.wakeup(rs[1], 1)
    assert _fails_with(p, Tagged).index == 2  # type: ignore[attr-defined]


def test_iter_p_with_elements_already_rejected_takes_the_rightmost() -> None:
    p = lists.iter_p(lambda i: lwt.fail(Tagged(i)), range(3))
    assert _fails_with(p, Tagged).index == 2  # type: ignore[attr-defined]
    q = lists.iteri_p(lambda _i, x: lwt.fail(Tagged(x)), range(3))
    assert _fails_with(q, Tagged).index == 2  # type: ignore[attr-defined]


def test_canceling_iter_p_cancels_every_pending_callback() -> None:
    ps, _ = _controlled(3)
    p = lists.iter_p(lambda i: ps[i], range(3))
    p.cancel()
    assert all(isinstance(q.state(), lwt.Fail) for q in ps)
    _fails_with(p, lwt.Canceled)


def test_canceling_map_p_cancels_the_promise_it_waits_for() -> None:
    ps, rs = _controlled(3)
    p = lists.map_p(lambda i: ps[i], range(3))
    lwt.wakeup(rs[2], 2)
    p.cancel()  # it was waiting for the middle element
    _fails_with(ps[1], lwt.Canceled)
    assert ps[0].is_sleeping()
    _fails_with(p, lwt.Canceled)


def test_canceling_map_s_cancels_the_current_callback_and_stops() -> None:
    ps, rs = _controlled(3)
    seen: list[int] = []

    def g(i: int) -> lwt.Promise[int]:
        seen.append(i)
        return ps[i]

    p = lists.map_s(g, range(3))
    lwt.wakeup(rs[0], 0)
    p.cancel()
    _fails_with(ps[1], lwt.Canceled)
    _fails_with(p, lwt.Canceled)
    assert seen == [0, 1]


# ----------------------------------------------------------------- long lists
LONG = 100_000


@pytest.mark.parametrize("name", ["iter_s", "map_s", "fold_left_s", "filter_s", "for_all_s"])
def test_long_list_with_resolved_promises_does_not_overflow(name: str) -> None:
    count = 0

    def step(_: object) -> lwt.Promise[None]:
        nonlocal count
        count += 1
        return lwt.return_unit

    p = ADAPTED[name](step, range(LONG))
    assert isinstance(p.state(), lwt.Return)
    assert count == LONG


@pytest.mark.parametrize("name", ["iter_s", "map_s", "fold_right_s", "exists_s", "partition_s"])
def test_long_list_with_promises_resolved_later_does_not_overflow(name: str) -> None:
    waiting: list[lwt.Resolver[None]] = []

    def later(_: object) -> lwt.Promise[None]:
        p, r = lwt.wait()
        waiting.append(r)
        return p

    p = ADAPTED[name](later, range(LONG))
    resolved = 0
    while waiting:
        assert len(waiting) == 1  # one callback at a time
        lwt.wakeup(waiting.pop(), None)
        resolved += 1
    assert resolved == LONG
    assert isinstance(p.state(), lwt.Return)


@pytest.mark.parametrize("name", ["iter_p", "map_p", "rev_map_p", "partition_p"])
@pytest.mark.parametrize("backwards", [False, True])
def test_long_list_concurrently_resolved_later_does_not_overflow(
    name: str, backwards: bool
) -> None:
    waiting: list[lwt.Resolver[None]] = []

    def later(_: object) -> lwt.Promise[None]:
        p, r = lwt.wait()
        waiting.append(r)
        return p

    p = ADAPTED[name](later, range(LONG))
    assert len(waiting) == LONG
    if backwards:
        waiting.reverse()
    for r in waiting:
        lwt.wakeup(r, None)
    assert isinstance(p.state(), lwt.Return)


# ----------------------------------------------------------- hypothesis models
@dataclass
class Plan:
    """What the callback does for one element."""

    value: int
    later: bool  # return a pending promise, resolved by the test, or a resolved one
    fails: bool  # reject (with Tagged(index)) rather than fulfil


class Harness:
    """Callbacks whose promises the test resolves, recording calls."""

    def __init__(self, plans: list[Plan]) -> None:
        self.plans = plans
        self.calls: list[int] = []
        self.pending: dict[int, tuple[lwt.Resolver[Any], Any]] = {}
        self.status: list[str] = ["unknown"] * len(plans)
        self.most_pending = 0
        self.rejection_order: list[int] = []

    def respond(self, i: int, value: Any) -> lwt.Promise[Any]:
        self.calls.append(i)
        plan = self.plans[i]
        if not plan.later:
            self.status[i] = "fail" if plan.fails else "ok"
            return lwt.fail(Tagged(i)) if plan.fails else lwt.return_(value)
        p, r = lwt.wait()
        self.pending[i] = (r, value)
        self.status[i] = "pending"
        self.most_pending = max(self.most_pending, len(self.pending))
        return p

    def resolve(self, i: int) -> None:
        r, value = self.pending.pop(i)
        if self.plans[i].fails:
            self.status[i] = "fail"
            self.rejection_order.append(i)
            lwt.wakeup_exn(r, Tagged(i))
        else:
            self.status[i] = "ok"
            lwt.wakeup(r, value)


@dataclass
class Spec:
    """One function of Lwt_list, run on element indices, and its Python twin.

    ``run(respond, n)`` calls the lwt function with callbacks built on
    ``respond(i, value)``; ``model(call, n)`` computes the same thing with
    plain Python, where ``call(i, value)`` returns ``value`` or raises.
    """

    run: Callable[[Callable[[int, Any], lwt.Promise[Any]], int, list[int]], lwt.Promise[Any]]
    model: Callable[[Callable[[int, Any], Any], int, list[int]], Any]


def _find_model(call: Callable[[int, Any], Any], n: int, v: list[int]) -> Any:
    for i in range(n):
        if call(i, v[i] % 3 == 0):
            return i
    raise lwt.NotFound


def _partition_model(call: Callable[[int, Any], Any], n: int, v: list[int]) -> Any:
    flags = [call(i, v[i] % 2 == 0) for i in range(n)]
    return [i for i in range(n) if flags[i]], [i for i in range(n) if not flags[i]]


def _iter_model(call: Callable[[int, Any], Any], n: int, _v: list[int]) -> None:
    for i in range(n):
        call(i, None)


SPECS: dict[str, Spec] = {}
for _suffix in ("s", "p"):
    _f = functools.partial
    SPECS[f"iter_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"iter_{s}")(
            lambda i: respond(i, None), range(n)
        ),
        _iter_model,
    )
    SPECS[f"iteri_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"iteri_{s}")(
            lambda k, i: respond(i, None) if k == i else lwt.fail(AssertionError(k)), range(n)
        ),
        _iter_model,
    )
    SPECS[f"map_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"map_{s}")(
            lambda i: respond(i, 2 * v[i]), range(n)
        ),
        lambda call, n, v: [call(i, 2 * v[i]) for i in range(n)],
    )
    SPECS[f"mapi_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"mapi_{s}")(
            lambda k, i: respond(i, (k, v[i])), range(n)
        ),
        lambda call, n, v: [call(i, (k, v[i])) for k, i in enumerate(range(n))],
    )
    SPECS[f"rev_map_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"rev_map_{s}")(
            lambda i: respond(i, 2 * v[i]), range(n)
        ),
        lambda call, n, v: [call(i, 2 * v[i]) for i in range(n)][::-1],
    )
    SPECS[f"for_all_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"for_all_{s}")(
            lambda i: respond(i, v[i] % 3 != 0), range(n)
        ),
        lambda call, n, v: all(call(i, v[i] % 3 != 0) for i in range(n)),
    )
    SPECS[f"exists_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"exists_{s}")(
            lambda i: respond(i, v[i] % 3 == 0), range(n)
        ),
        lambda call, n, v: any(call(i, v[i] % 3 == 0) for i in range(n)),
    )
    SPECS[f"filter_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"filter_{s}")(
            lambda i: respond(i, v[i] % 2 == 0), range(n)
        ),
        lambda call, n, v: [i for i in range(n) if call(i, v[i] % 2 == 0)],
    )
    SPECS[f"filter_map_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"filter_map_{s}")(
            lambda i: respond(i, None if v[i] % 3 == 0 else 10 * v[i]), range(n)
        ),
        lambda call, n, v: [
            y for i in range(n) if (y := call(i, None if v[i] % 3 == 0 else 10 * v[i])) is not None
        ],
    )
    SPECS[f"partition_{_suffix}"] = Spec(
        lambda respond, n, v, s=_suffix: getattr(lists, f"partition_{s}")(
            lambda i: respond(i, v[i] % 2 == 0), range(n)
        ),
        _partition_model,
    )
SPECS["fold_left_s"] = Spec(
    lambda respond, n, v: lists.fold_left_s(lambda acc, i: respond(i, (*acc, v[i])), (), range(n)),
    lambda call, n, v: functools.reduce(lambda acc, i: call(i, (*acc, v[i])), range(n), ()),
)
SPECS["fold_right_s"] = Spec(
    lambda respond, n, v: lists.fold_right_s(lambda i, acc: respond(i, (*acc, v[i])), range(n), ()),
    lambda call, n, v: functools.reduce(
        lambda acc, i: call(i, (*acc, v[i])), reversed(range(n)), ()
    ),
)
SPECS["find_s"] = Spec(
    lambda respond, n, v: lists.find_s(lambda i: respond(i, v[i] % 3 == 0), range(n)),
    _find_model,
)


def test_every_function_has_a_model() -> None:
    assert sorted(SPECS) == sorted(lists.__all__)


plans_strategy = st.lists(
    st.builds(
        Plan,
        value=st.integers(0, 9),
        later=st.booleans(),
        fails=st.integers(0, 7).map(lambda k: k == 0),
    ),
    max_size=8,
)


def _python_outcome(spec: Spec, plans: list[Plan], raising: bool) -> tuple[str, Any, list[int]]:
    """Run the Python model; return ("ok", value, calls) or ("fail", index, calls)."""
    calls: list[int] = []
    values = [plan.value for plan in plans]

    def call(i: int, value: Any) -> Any:
        calls.append(i)
        if raising and plans[i].fails:
            raise Tagged(i)
        return value

    try:
        return "ok", spec.model(call, len(plans), values), calls
    except Tagged as exc:
        return "fail", exc.index, calls
    except lwt.NotFound:
        return "not found", None, calls


def _observed(p: lwt.Promise[Any]) -> tuple[str, Any]:
    outcome = p.state()
    if isinstance(outcome, lwt.Return):
        return "ok", outcome.value
    if isinstance(outcome, lwt.Fail):
        if isinstance(outcome.exc, Tagged):
            return "fail", outcome.exc.index
        assert isinstance(outcome.exc, lwt.NotFound), outcome.exc
        return "not found", None
    return "pending", None


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(SEQUENTIAL), plans=plans_strategy, data=st.data())
def test_sequential_functions_match_python(
    name: str, plans: list[Plan], data: st.DataObject
) -> None:
    spec = SPECS[name]
    harness = Harness(plans)
    p = spec.run(harness.respond, len(plans), [plan.value for plan in plans])
    while harness.pending:
        assert p.is_sleeping()
        harness.resolve(data.draw(st.sampled_from(sorted(harness.pending))))
    # One callback at a time, in the order Python's own loop calls them.
    assert harness.most_pending <= 1
    kind, value, calls = _python_outcome(spec, plans, raising=True)
    assert harness.calls == calls
    assert _observed(p) == (kind, value)


def _right_scan(status: list[str]) -> tuple[str, int | None]:
    """Where a map_p-like function stands: look from the last element back."""
    for i in reversed(range(len(status))):
        if status[i] == "pending":
            return "pending", None
        if status[i] == "fail":
            return "fail", i
    return "ok", None


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from([n for n in CONCURRENT if not n.startswith("iter")]),
    plans=plans_strategy,
    data=st.data(),
)
def test_concurrent_functions_match_python_and_reject_from_the_right(
    name: str, plans: list[Plan], data: st.DataObject
) -> None:
    spec = SPECS[name]
    harness = Harness(plans)
    p = spec.run(harness.respond, len(plans), [plan.value for plan in plans])
    assert harness.calls == list(range(len(plans)))  # every callback at once, in order
    kind, value, _ = _python_outcome(spec, plans, raising=False)

    def check() -> None:
        where, index = _right_scan(harness.status)
        if where == "pending":
            assert p.is_sleeping()
        elif where == "fail":
            assert _observed(p) == ("fail", index)
        else:
            assert _observed(p) == (kind, value)

    check()
    while harness.pending:
        decided = not p.is_sleeping()
        before = p.state()
        harness.resolve(data.draw(st.sampled_from(sorted(harness.pending))))
        if decided:
            assert p.state() == before
        else:
            check()


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["iter_p", "iteri_p"]), plans=plans_strategy, data=st.data())
def test_iter_p_matches_join(name: str, plans: list[Plan], data: st.DataObject) -> None:
    spec = SPECS[name]
    harness = Harness(plans)
    p = spec.run(harness.respond, len(plans), [plan.value for plan in plans])
    assert harness.calls == list(range(len(plans)))
    at_once = [i for i, plan in enumerate(plans) if plan.fails and not plan.later]
    while harness.pending:
        assert p.is_sleeping()
        harness.resolve(data.draw(st.sampled_from(sorted(harness.pending))))
    if at_once:
        assert _observed(p) == ("fail", at_once[-1])
    elif harness.rejection_order:
        assert _observed(p) == ("fail", harness.rejection_order[0])
    else:
        assert p.state() == lwt.Return(None)


def test_a_rejection_passes_through_unchanged() -> None:
    def raises() -> lwt.Promise[None]:
        raise Boom

    rejected = lwt.apply(raises)
    exc = _fails_with(rejected, Boom)
    traceback_before = exc.__traceback__
    for p in (
        lists.iter_s(lambda _: rejected, [1]),
        lists.map_p(lambda _: rejected, [1, 2]),
        lists.fold_left_s(lambda _a, _x: rejected, None, [1]),
    ):
        assert _fails_with(p, Boom) is exc
    assert exc.__traceback__ is traceback_before
