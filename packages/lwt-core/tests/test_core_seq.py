"""Tests for lwt.core.seq, after Lwt's test/core/test_lwt_seq.ml, plus more.

Lwt's suite has a base part (each function on a small sequence, ``iter_n``
under several concurrency limits, exceptions from ``of_seq``) and a
"pseudo-fuzzing" part checking that the functions agree with their list
counterparts; the latter is restated with hypothesis.  Then come laziness,
scheduling, cancellation, long sequences and ``async for``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.seq as lwt_seq
from lwt.core.seq import Cons, Nil, Seq

L = [1, 2, 3, 4, 5]


class Boom(Exception):
    """A sample exception."""


def _value(p: lwt.Promise[Any]) -> Any:
    outcome = p.state()
    assert isinstance(outcome, lwt.Return), outcome
    return outcome.value


def _rejection(p: lwt.Promise[Any]) -> BaseException:
    outcome = p.state()
    assert isinstance(outcome, lwt.Fail), outcome
    return outcome.exc


def _run(p: lwt.Promise[Any], limit: int = 1000) -> Any:
    """Wake paused promises until ``p`` resolves, as a main loop would; return its value."""
    for _ in range(limit):
        if not p.is_sleeping():
            return p.poll()
        lwt.wakeup_paused()
    raise AssertionError("the promise did not resolve")


def _pause(n: int) -> lwt.Promise[None]:
    """Pause ``n mod 5`` times in a row, as Lwt's test helper does."""
    n %= 5
    if n <= 0:
        return lwt.return_unit
    return lwt.pause().bind(lambda _: _pause(n - 1))


def _slowly(xs: list[int]) -> Seq[int]:
    """Lwt's sequence ``b``: the elements of ``xs``, each node after a few pauses."""

    def step(rest: tuple[int, ...]) -> lwt.Promise[tuple[int, tuple[int, ...]] | None]:
        if not rest:
            return _pause(2).map(lambda _: None)
        return _pause(rest[0] + 2).map(lambda _: (rest[0], rest[1:]))

    return lwt_seq.unfold_lwt(step, tuple(xs))


# ------------------------------------------------------------- Lwt's suite
def test_fold_left_sees_the_elements_in_order() -> None:
    seen: list[int] = []
    total = lwt_seq.fold_left(lambda acc, x: seen.append(x) or acc + x, 0, lwt_seq.of_list(L))
    assert _value(total) == 15
    assert seen == L


def test_fold_left_s_sees_the_elements_in_order() -> None:
    p = lwt_seq.fold_left_s(lambda acc, x: lwt.return_([*acc, x]), [], lwt_seq.of_list(L))
    assert _value(p) == L


def test_map() -> None:
    p = lwt_seq.to_list(lwt_seq.map(lambda x: x * 2, lwt_seq.of_list(L)))
    assert _value(p) == [2, 4, 6, 8, 10]


def test_map_s() -> None:
    p = lwt_seq.to_list(lwt_seq.map_s(lambda x: lwt.return_(x * 2), lwt_seq.of_list(L)))
    assert _value(p) == [2, 4, 6, 8, 10]


def test_filter() -> None:
    p = lwt_seq.to_list(lwt_seq.filter(lambda x: x % 2 == 0, lwt_seq.of_list(L)))
    assert _value(p) == [2, 4]


def test_filter_s() -> None:
    p = lwt_seq.to_list(lwt_seq.filter_s(lambda x: lwt.return_(x % 2 == 0), lwt_seq.of_list(L)))
    assert _value(p) == [2, 4]


def test_filter_map() -> None:
    s = lwt_seq.filter_map(lambda x: x * 2 if x % 2 == 0 else None, lwt_seq.of_list(L))
    assert _value(lwt_seq.to_list(s)) == [4, 8]


def test_filter_map_s() -> None:
    s = lwt_seq.filter_map_s(
        lambda x: lwt.return_(x * 2 if x % 2 == 0 else None), lwt_seq.of_list(L)
    )
    assert _value(lwt_seq.to_list(s)) == [4, 8]


@pytest.mark.parametrize("max_concurrency", [1, 2, 100])
@pytest.mark.parametrize("source", ["immediate", "paused"])
def test_iter_n_respects_the_concurrency_limit(max_concurrency: int, source: str) -> None:
    running = 0
    most = 0
    total = 0

    def f(x: int) -> lwt.Promise[None]:
        nonlocal running, most

        def done(_: None) -> None:
            nonlocal running, total
            total += x
            running -= 1

        running += 1
        most = max(most, running)
        return _pause(x).map(done)

    s = lwt_seq.of_list(L) if source == "immediate" else _slowly(L)
    _run(lwt_seq.iter_n(f, s, max_concurrency=max_concurrency))
    assert total == sum(L)
    assert most <= max_concurrency
    assert running == 0


def test_unfold() -> None:
    def upto(last: int) -> Callable[[int], tuple[int, int] | None]:
        return lambda i: None if i > last else (i, i + 1)

    assert _value(lwt_seq.to_list(lwt_seq.unfold(upto(3), 1))) == [1, 2, 3]
    assert _value(lwt_seq.to_list(lwt_seq.unfold(upto(0), 1))) == []


def test_unfold_lwt() -> None:
    def upto(last: int) -> Callable[[int], lwt.Promise[tuple[int, int] | None]]:
        return lambda i: lwt.return_none if i > last else lwt.return_some((i, i + 1))

    assert _value(lwt_seq.to_list(lwt_seq.unfold_lwt(upto(3), 1))) == [1, 2, 3]
    assert _value(lwt_seq.to_list(lwt_seq.unfold_lwt(upto(0), 1))) == []


def _two_then_failure() -> Iterator[int]:
    yield 1
    yield 2
    raise lwt.Failure("XXX")


def _failure_at_once() -> Iterator[int]:
    raise lwt.Failure("XXX")
    yield 0  # pragma: no cover - makes this a generator


def _folded_or_minus_one(s: Seq[int]) -> int:
    def handler(exc: BaseException) -> lwt.Promise[int]:
        if isinstance(exc, lwt.Failure) and exc.args == ("XXX",):
            return lwt.return_(-1)
        return lwt.fail(exc)

    result: int = _value(lwt.catch(lambda: lwt_seq.fold_left(lambda a, b: a + b, 0, s), handler))
    return result


def test_fold_into_exception_from_of_seq() -> None:
    assert _folded_or_minus_one(lwt_seq.of_seq(_two_then_failure())) == -1


def test_fold_into_immediate_exception_from_of_seq() -> None:
    assert _folded_or_minus_one(lwt_seq.of_seq(_failure_at_once())) == -1


def test_fold_into_exception_from_of_seq_lwt() -> None:
    promises = (lwt.return_(x) for x in _two_then_failure())
    assert _folded_or_minus_one(lwt_seq.of_seq_lwt(promises)) == -1


def test_fold_into_immediate_exception_from_of_seq_lwt() -> None:
    promises = (lwt.return_(x) for x in _failure_at_once())
    assert _folded_or_minus_one(lwt_seq.of_seq_lwt(promises)) == -1


# -------------------------------------- Lwt's pseudo-fuzzing, with hypothesis
FOLDERS: list[Callable[[int, int], int]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, _b: a,
    min,
    max,
]
fuzz = settings(max_examples=40, deadline=None)
ints = st.lists(st.integers(-(2**40), 2**40), max_size=15)


@fuzz
@given(xs=ints, c=st.integers(-50, 50), k=st.integers(0, len(FOLDERS) - 1))
def test_map_agrees_with_lists(xs: list[int], c: int, k: int) -> None:
    f = FOLDERS[k]
    expected = [f(x, c) for x in xs]
    assert _value(lwt_seq.to_list(lwt_seq.map(lambda x: f(x, c), lwt_seq.of_list(xs)))) == expected
    s = lwt_seq.map_s(lambda x: lwt.return_(f(x, c)), lwt_seq.of_list(xs))
    assert _value(lwt_seq.to_list(s)) == expected


@fuzz
@given(
    xs=ints,
    c=st.integers(-50, 50),
    k=st.integers(0, len(FOLDERS) - 1),
    how=st.sampled_from(["iter", "iter_s", "iter_p", "iter_p paused", "iter_n", "iter_n paused"]),
    limit=st.integers(1, 5),
)
def test_iterators_agree_with_a_loop(xs: list[int], c: int, k: int, how: str, limit: int) -> None:
    f = FOLDERS[k]
    expected = functools.reduce(f, xs, c)
    acc = c

    def update(x: int) -> None:
        nonlocal acc
        acc = f(acc, x)

    def now(x: int) -> lwt.Promise[None]:
        update(x)
        return lwt.return_unit

    def paused(x: int) -> lwt.Promise[None]:
        return _pause(x).bind(lambda _: now(x)).bind(lambda _: _pause(x))

    s = lwt_seq.of_list(xs)
    if how == "iter":
        p = lwt_seq.iter(update, s)
    elif how == "iter_s":
        p = lwt_seq.iter_s(now, s)
    elif how == "iter_p":
        p = lwt_seq.iter_p(now, s)
    elif how == "iter_p paused":
        p = lwt_seq.iter_p(paused, s)
    elif how == "iter_n":
        p = lwt_seq.iter_n(now, s, max_concurrency=limit)
    else:
        p = lwt_seq.iter_n(paused, s, max_concurrency=limit)
    _run(p)
    assert acc == expected


# ------------------------------------------------------ beyond Lwt's tests
def test_empty_return_and_cons() -> None:
    assert _value(lwt_seq.to_list(lwt_seq.empty)) == []
    assert isinstance(_value(lwt_seq.empty()), Nil)
    assert _value(lwt_seq.to_list(lwt_seq.return_(7))) == [7]
    assert _value(lwt_seq.to_list(lwt_seq.cons(1, lwt_seq.return_(2)))) == [1, 2]


def test_return_lwt_and_cons_lwt_wait_for_their_promise() -> None:
    p, r = lwt.wait()
    single = lwt_seq.to_list(lwt_seq.return_lwt(p))
    both = lwt_seq.to_list(lwt_seq.cons_lwt(p, lwt_seq.return_(9)))
    assert single.is_sleeping()
    assert both.is_sleeping()
    lwt.wakeup(r, 8)
    assert _value(single) == [8]
    assert _value(both) == [8, 9]


def test_return_lwt_of_a_rejected_promise_gives_a_rejected_node() -> None:
    exc = Boom()
    assert _rejection(lwt_seq.to_list(lwt_seq.return_lwt(lwt.fail(exc)))) is exc


def test_append() -> None:
    s = lwt_seq.append(lwt_seq.of_list([1, 2]), lwt_seq.of_list([3]))
    assert _value(lwt_seq.to_list(s)) == [1, 2, 3]
    assert _value(lwt_seq.to_list(lwt_seq.append(lwt_seq.empty, lwt_seq.empty))) == []


def test_flat_map() -> None:
    s = lwt_seq.flat_map(lambda x: lwt_seq.of_list([x] * x), lwt_seq.of_list([0, 1, 2, 0, 3]))
    assert _value(lwt_seq.to_list(s)) == [1, 2, 2, 3, 3, 3]


def test_nodes_are_nil_and_cons() -> None:
    node = _value(lwt_seq.of_list([1])())
    match node:
        case Cons(head, tail):
            assert head == 1
            assert isinstance(_value(tail()), Nil)
        case _:
            raise AssertionError(node)


def test_transformations_are_lazy_and_recomputed_on_each_walk() -> None:
    calls: list[int] = []

    def double(x: int) -> int:
        calls.append(x)
        return 2 * x

    s = lwt_seq.map(double, lwt_seq.of_list([1, 2]))
    assert calls == []
    assert _value(lwt_seq.to_list(s)) == [2, 4]
    assert _value(lwt_seq.to_list(s)) == [2, 4]
    assert calls == [1, 2, 1, 2]


def test_of_seq_reads_lazily_and_remembers_each_node() -> None:
    read: list[int] = []

    def source() -> Iterator[int]:
        for x in (1, 2, 3):
            read.append(x)
            yield x

    s = lwt_seq.of_seq(source())
    assert read == []
    first = _value(s())
    assert read == [1]
    assert first.head == 1
    assert _value(lwt_seq.to_list(s)) == [1, 2, 3]
    assert _value(lwt_seq.to_list(s)) == [1, 2, 3]  # a generator, walked twice
    assert read == [1, 2, 3]


def test_of_seq_rejects_non_iterables_at_once() -> None:
    with pytest.raises(TypeError):
        lwt_seq.of_seq(3)  # type: ignore[arg-type]


def test_of_seq_lwt_waits_for_each_promise() -> None:
    p, r = lwt.wait()
    s = lwt_seq.of_seq_lwt([lwt.return_(1), p, lwt.return_(3)])
    out = lwt_seq.to_list(s)
    assert out.is_sleeping()
    lwt.wakeup(r, 2)
    assert _value(out) == [1, 2, 3]


def test_of_seq_lwt_rejects_elements_that_are_not_promises() -> None:
    assert isinstance(_rejection(lwt_seq.to_list(lwt_seq.of_seq_lwt([1]))), TypeError)  # type: ignore[list-item]


def test_of_list_copies_its_input() -> None:
    xs = [1, 2]
    s = lwt_seq.of_list(xs)
    xs.append(3)
    assert _value(lwt_seq.to_list(s)) == [1, 2]


def test_any_callable_is_a_sequence() -> None:
    def handmade() -> lwt.Promise[lwt_seq.Node[int]]:
        return lwt.return_(Cons(1, lambda: lwt.return_(Cons(2, lwt_seq.empty))))

    assert _value(lwt_seq.to_list(handmade)) == [1, 2]
    assert _value(lwt_seq.to_list(lwt_seq.map(str, handmade))) == ["1", "2"]


def test_a_sequence_that_raises_rejects_the_consumer() -> None:
    def broken() -> lwt.Promise[lwt_seq.Node[int]]:
        raise Boom

    assert isinstance(_rejection(lwt_seq.to_list(broken)), Boom)
    assert isinstance(_rejection(lwt_seq.to_list(lwt_seq.cons(1, broken))), Boom)
    assert isinstance(_rejection(lwt_seq.map(str, broken)()), Boom)


def test_a_node_that_is_not_nil_or_cons_rejects_with_type_error() -> None:
    def odd() -> lwt.Promise[Any]:
        return lwt.return_(42)

    for p in (
        lwt_seq.to_list(odd),
        lwt_seq.fold_left(lambda a, b: a, 0, odd),
        lwt_seq.filter(bool, odd)(),
        lwt_seq.map(str, odd)(),
    ):
        assert isinstance(_rejection(p), TypeError)


def test_unfold_with_a_raising_step_gives_a_rejected_node() -> None:
    def step(i: int) -> tuple[int, int] | None:
        if i == 2:
            raise Boom
        return i, i + 1

    s = lwt_seq.unfold(step, 0)
    assert isinstance(
        _rejection(s.__call__().bind(lambda n: n.tail().bind(lambda m: m.tail()))), Boom
    )
    assert isinstance(_rejection(lwt_seq.to_list(s)), Boom)


def test_exceptions_from_callbacks_reject_the_consumer() -> None:
    def boom(_: object) -> Any:
        raise Boom

    s = lwt_seq.of_list([1, 2])
    for p in (
        lwt_seq.to_list(lwt_seq.map(boom, s)),
        lwt_seq.to_list(lwt_seq.map_s(boom, s)),
        lwt_seq.to_list(lwt_seq.filter(boom, s)),
        lwt_seq.to_list(lwt_seq.filter_s(boom, s)),
        lwt_seq.to_list(lwt_seq.filter_map(boom, s)),
        lwt_seq.to_list(lwt_seq.filter_map_s(boom, s)),
        lwt_seq.to_list(lwt_seq.flat_map(boom, s)),
        lwt_seq.fold_left(lambda a, x: boom(x), 0, s),
        lwt_seq.fold_left_s(lambda a, x: boom(x), 0, s),
        lwt_seq.iter(boom, s),
        lwt_seq.iter_s(boom, s),
        lwt_seq.iter_p(boom, s),
        lwt_seq.iter_n(boom, s, max_concurrency=2),
    ):
        assert isinstance(_rejection(p), Boom)


def test_map_s_asks_for_the_next_node_only_after_the_callback() -> None:
    asked: list[int] = []

    def step(i: int) -> tuple[int, int] | None:
        asked.append(i)
        return None if i == 3 else (i, i + 1)

    gates: list[lwt.Resolver[int]] = []

    def slow(x: int) -> lwt.Promise[int]:
        p, r = lwt.wait()
        gates.append(r)
        return p

    out = lwt_seq.to_list(lwt_seq.map_s(slow, lwt_seq.unfold(step, 0)))
    assert asked == [0]
    lwt.wakeup(gates[0], 10)
    assert asked == [0, 1]
    lwt.wakeup(gates[1], 11)
    lwt.wakeup(gates[2], 12)
    assert _value(out) == [10, 11, 12]


def test_iter_p_starts_callbacks_as_nodes_arrive_and_waits_for_all() -> None:
    gates: list[lwt.Resolver[None]] = []

    def slow(_: int) -> lwt.Promise[None]:
        p, r = lwt.wait()
        gates.append(r)
        return p

    done = lwt_seq.iter_p(slow, lwt_seq.of_list([1, 2, 3]))
    assert len(gates) == 3
    lwt.wakeup(gates[1], None)
    lwt.wakeup(gates[0], None)
    assert done.is_sleeping()
    lwt.wakeup(gates[2], None)
    assert _value(done) is None


def test_iter_p_rejection_waits_for_all_and_is_the_first_in_time() -> None:
    gates: list[lwt.Resolver[None]] = []

    def slow(_: int) -> lwt.Promise[None]:
        p, r = lwt.wait()
        gates.append(r)
        return p

    done = lwt_seq.iter_p(slow, lwt_seq.of_list([1, 2, 3]))
    first, second = Boom("first"), Boom("second")
    lwt.wakeup_exn(gates[2], first)
    lwt.wakeup_exn(gates[0], second)
    assert done.is_sleeping()
    lwt.wakeup(gates[1], None)
    assert _rejection(done) is first


def test_iter_n_asks_for_a_node_only_when_there_is_room() -> None:
    asked: list[int] = []

    def step(i: int) -> tuple[int, int] | None:
        asked.append(i)
        return None if i == 5 else (i, i + 1)

    gates: dict[int, lwt.Resolver[None]] = {}

    def slow(x: int) -> lwt.Promise[None]:
        p, r = lwt.wait()
        gates[x] = r
        return p

    done = lwt_seq.iter_n(slow, lwt_seq.unfold(step, 0), max_concurrency=2)
    assert asked == [0, 1]
    assert sorted(gates) == [0, 1]
    lwt.wakeup(gates[1], None)
    assert asked == [0, 1, 2]
    lwt.wakeup(gates[0], None)
    lwt.wakeup(gates[2], None)
    assert asked == [0, 1, 2, 3, 4]
    lwt.wakeup(gates[3], None)
    lwt.wakeup(gates[4], None)
    assert asked == [0, 1, 2, 3, 4, 5]
    assert _value(done) is None


def test_iter_n_rejects_a_bad_limit() -> None:
    with pytest.raises(lwt.InvalidArgument, match="max_concurrency"):
        lwt_seq.iter_n(lambda _: lwt.return_unit, lwt_seq.empty, max_concurrency=0)
    with pytest.raises(TypeError, match="max_concurrency"):
        lwt_seq.iter_n(lambda _: lwt.return_unit, lwt_seq.empty, max_concurrency=1.5)  # type: ignore[arg-type]


def test_iter_n_default_limit_is_one() -> None:
    running = 0
    most = 0

    def f(_: int) -> lwt.Promise[None]:
        nonlocal running, most
        running += 1
        most = max(most, running)

        def finish(_: None) -> None:
            nonlocal running
            running -= 1

        return lwt.pause().map(finish)

    _run(lwt_seq.iter_n(f, lwt_seq.of_list(range(10))))
    assert most == 1


def test_canceling_a_consumer_cancels_the_pending_node() -> None:
    p, _ = lwt.task()
    s = lwt_seq.cons(1, lambda: p)
    out = lwt_seq.to_list(lwt_seq.map(lambda x: x, s))
    out.cancel()
    assert isinstance(_rejection(p), lwt.Canceled)
    assert isinstance(_rejection(out), lwt.Canceled)


# ---------------------------------------------------------------- async for
def test_async_iteration_protocol() -> None:
    it = lwt_seq.of_list([1, 2]).__aiter__()
    assert it.__aiter__() is it
    assert _value(it.__anext__()) == 1
    assert _value(it.__anext__()) == 2
    assert isinstance(_rejection(it.__anext__()), StopAsyncIteration)
    assert isinstance(_rejection(it.__anext__()), StopAsyncIteration)


def test_async_iteration_waits_for_pending_nodes_and_passes_rejections() -> None:
    p, r = lwt.wait()
    it = lwt_seq.cons(1, lambda: p).__aiter__()
    assert _value(it.__anext__()) == 1
    nxt = it.__anext__()
    assert nxt.is_sleeping()
    exc = Boom()
    lwt.wakeup_exn(r, exc)
    assert _rejection(nxt) is exc


def test_async_for_in_a_coroutine() -> None:
    async def total(s: Seq[int]) -> int:
        acc = 0
        async for x in s:
            acc += x
        return acc

    # Drive the coroutine by hand: every promise here is already resolved.
    coro = total(lwt_seq.of_list([1, 2, 3]))
    with pytest.raises(StopIteration) as stop:
        coro.send(None)
    assert stop.value.value == 6


# ----------------------------------------------------------- long sequences
LONG = 100_000


def test_long_sequences_do_not_overflow_when_nodes_are_ready() -> None:
    s = lwt_seq.of_list(range(LONG))
    assert _value(lwt_seq.fold_left(lambda a, x: a + x, 0, s)) == sum(range(LONG))
    assert _value(lwt_seq.to_list(lwt_seq.filter(lambda x: x == LONG - 1, s))) == [LONG - 1]
    assert _value(lwt_seq.to_list(lwt_seq.filter_s(lambda x: lwt.return_(x < 0), s))) == []
    nothing = lwt_seq.flat_map(lambda _: lwt_seq.empty, s)
    assert _value(lwt_seq.to_list(nothing)) == []
    count = 0

    def tick(_: int) -> None:
        nonlocal count
        count += 1

    assert _value(lwt_seq.iter(tick, lwt_seq.of_seq(range(LONG)))) is None
    assert count == LONG
    assert _value(lwt_seq.iter_n(lambda _: lwt.return_unit, s, max_concurrency=3)) is None
    it = lwt_seq.unfold(lambda i: None if i == LONG else (i, i + 1), 0)
    assert len(_value(lwt_seq.to_list(lwt_seq.map_s(lwt.return_, it)))) == LONG


def test_long_sequences_do_not_overflow_when_callbacks_resolve_later() -> None:
    waiting: list[lwt.Resolver[bool]] = []

    def later(_: int) -> lwt.Promise[bool]:
        p, r = lwt.wait()
        waiting.append(r)
        return p

    s = lwt_seq.of_list(range(LONG))
    kept = lwt_seq.to_list(lwt_seq.filter_s(later, s))
    while waiting:
        lwt.wakeup(waiting.pop(), False)
    assert _value(kept) == []

    done = lwt_seq.iter_s(later, s)
    while waiting:
        lwt.wakeup(waiting.pop(), True)
    assert _value(done) is None


def test_long_sequence_of_pending_nodes() -> None:
    waiting: list[lwt.Resolver[tuple[int, int] | None]] = []

    def step(i: int) -> lwt.Promise[tuple[int, int] | None]:
        p, r = lwt.wait()
        waiting.append(r)
        return p

    counter = iter(range(LONG + 1))

    def next_step(i: int) -> lwt.Promise[tuple[int, int] | None]:
        return step(i)

    total = lwt_seq.fold_left(lambda a, x: a + x, 0, lwt_seq.unfold_lwt(next_step, 0))
    while waiting:
        i = next(counter)
        lwt.wakeup(waiting.pop(), None if i == LONG else (i, i + 1))
    assert _value(total) == sum(range(LONG))


# ---------------------------------------------- hypothesis: pending nodes
class Source:
    """A sequence whose nodes are ready at once or pending, as planned."""

    def __init__(self, xs: list[int], later: list[bool]) -> None:
        self.xs = xs
        self.later = later
        self.waiting: list[Callable[[], None]] = []

    def seq(self, i: int = 0) -> Seq[int]:
        def node() -> lwt.Promise[lwt_seq.Node[int]]:
            n: lwt_seq.Node[int] = Cons(self.xs[i], self.seq(i + 1)) if i < len(self.xs) else Nil()
            if not self.later[i]:
                return lwt.return_(n)
            p, r = lwt.wait()
            self.waiting.append(lambda: lwt.wakeup(r, n))
            return p

        return Seq(node)

    def settle(self, p: lwt.Promise[Any]) -> Any:
        while self.waiting:
            assert p.is_sleeping()
            self.waiting.pop(0)()
        return _value(p)


TRANSFORMS: dict[str, tuple[Callable[[Seq[int]], Seq[Any]], Callable[[list[int]], list[Any]]]] = {
    "map": (lambda s: lwt_seq.map(lambda x: x + 1, s), lambda xs: [x + 1 for x in xs]),
    "map_s": (
        lambda s: lwt_seq.map_s(lambda x: lwt.return_(x * 3), s),
        lambda xs: [x * 3 for x in xs],
    ),
    "filter": (
        lambda s: lwt_seq.filter(lambda x: x % 2 == 0, s),
        lambda xs: [x for x in xs if x % 2 == 0],
    ),
    "filter_s": (
        lambda s: lwt_seq.filter_s(lambda x: lwt.return_(x % 3 != 0), s),
        lambda xs: [x for x in xs if x % 3 != 0],
    ),
    "filter_map": (
        lambda s: lwt_seq.filter_map(lambda x: None if x % 2 else -x, s),
        lambda xs: [-x for x in xs if not x % 2],
    ),
    "filter_map_s": (
        lambda s: lwt_seq.filter_map_s(lambda x: lwt.return_(None if x % 3 else x), s),
        lambda xs: [x for x in xs if not x % 3],
    ),
    "flat_map": (
        lambda s: lwt_seq.flat_map(lambda x: lwt_seq.of_list([x] * (x % 3)), s),
        lambda xs: [y for x in xs for y in [x] * (x % 3)],
    ),
    "append": (lambda s: lwt_seq.append(s, s), lambda xs: xs + xs),
}


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.integers(0, 20), max_size=10),
    data=st.data(),
    name=st.sampled_from(sorted(TRANSFORMS)),
)
def test_transformations_agree_with_lists_when_nodes_are_pending(
    xs: list[int], data: st.DataObject, name: str
) -> None:
    later = data.draw(st.lists(st.booleans(), min_size=len(xs) + 1, max_size=len(xs) + 1))
    source = Source(xs, later)
    transform, model = TRANSFORMS[name]
    assert source.settle(lwt_seq.to_list(transform(source.seq()))) == model(xs)


@settings(max_examples=60, deadline=None)
@given(xs=st.lists(st.integers(0, 20), max_size=10), data=st.data())
def test_consumers_agree_with_lists_when_nodes_are_pending(
    xs: list[int], data: st.DataObject
) -> None:
    later = data.draw(st.lists(st.booleans(), min_size=len(xs) + 1, max_size=len(xs) + 1))
    source = Source(xs, later)
    assert source.settle(lwt_seq.fold_left(lambda a, x: [*a, x], [], source.seq())) == xs
    assert source.settle(lwt_seq.fold_left_s(lambda a, x: lwt.return_(a + x), 0, source.seq())) == (
        sum(xs)
    )
    seen: list[int] = []
    source.settle(lwt_seq.iter(seen.append, source.seq()))
    source.settle(lwt_seq.iter_s(lambda x: lwt.return_(seen.append(x)), source.seq()))
    source.settle(lwt_seq.iter_p(lambda x: lwt.return_(seen.append(x)), source.seq()))
    source.settle(
        lwt_seq.iter_n(lambda x: lwt.return_(seen.append(x)), source.seq(), max_concurrency=2)
    )
    assert seen == xs * 4


def test_a_rejected_node_passes_through_unchanged() -> None:
    def raises() -> lwt.Promise[lwt_seq.Node[int]]:
        raise Boom

    rejected = lwt.apply(raises)
    exc = _rejection(rejected)
    traceback_before = exc.__traceback__
    s = lwt_seq.cons(1, lambda: rejected)
    assert _rejection(lwt_seq.to_list(s)) is exc
    assert _rejection(lwt_seq.to_list(lwt_seq.filter(lambda _: False, s))) is exc
    assert exc.__traceback__ is traceback_before
