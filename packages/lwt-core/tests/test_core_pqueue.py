"""Tests for lwt.core.pqueue (Lwt_pqueue), and a model against a sorted list.

Lwt has no test file for Lwt_pqueue; these cases follow its interface.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
from lwt.core.pqueue import Make, PQueue


def _compare(a: int, b: int) -> int:
    return (a > b) - (a < b)


IntQueue = Make(_compare)


def _drain(q: PQueue[int]) -> list[int]:
    out = []
    while not q.is_empty():
        out.append(q.find_min())
        q = q.remove_min()
    return out


def _of(xs: list[int]) -> PQueue[int]:
    q: PQueue[int] = IntQueue.empty
    for x in xs:
        q = q.add(x)
    return q


def test_empty_queue() -> None:
    q = IntQueue.empty
    assert q.is_empty()
    assert q.size() == 0
    assert len(q) == 0
    assert not q
    assert q.lookup_min() is None
    with pytest.raises(lwt.NotFound):
        q.find_min()
    with pytest.raises(lwt.NotFound):
        q.remove_min()
    assert IntQueue().is_empty()


def test_add_find_and_remove_in_order() -> None:
    q = _of([5, 3, 8, 1, 9, 2])
    assert q.size() == 6
    assert q.find_min() == 1
    assert q.lookup_min() == 1
    assert _drain(q) == [1, 2, 3, 5, 8, 9]


def test_duplicates_are_kept() -> None:
    q = _of([2, 1, 2, 1, 2])
    assert q.size() == 5
    assert _drain(q) == [1, 1, 2, 2, 2]


def test_queues_are_persistent() -> None:
    base = _of([4, 2, 6])
    bigger = base.add(1)
    smaller = base.remove_min()
    merged = base.union(_of([3, 5]))
    assert _drain(base) == [2, 4, 6]
    assert _drain(bigger) == [1, 2, 4, 6]
    assert _drain(smaller) == [4, 6]
    assert _drain(merged) == [2, 3, 4, 5, 6]
    assert IntQueue.empty.is_empty()


def test_union() -> None:
    a = _of([7, 1, 4])
    b = _of([3, 9, 0, 5])
    assert _drain(a.union(b)) == [0, 1, 3, 4, 5, 7, 9]
    assert _drain(b.union(a)) == [0, 1, 3, 4, 5, 7, 9]
    assert a.union(IntQueue.empty) is a
    assert IntQueue.empty.union(b) is b
    assert a.union(b).size() == 7


def test_order_comes_from_compare() -> None:
    backwards = Make(lambda a, b: _compare(b, a))
    q = backwards.empty
    for x in [3, 1, 2]:
        q = q.add(x)
    assert q.find_min() == 3
    assert _drain(q) == [3, 2, 1]


@dataclass(frozen=True)
class Job:
    priority: int
    name: str


def test_elements_equal_by_compare_are_all_kept() -> None:
    Jobs = Make(lambda a, b: _compare(a.priority, b.priority))
    q = Jobs.empty
    for job in [Job(2, "x"), Job(1, "a"), Job(1, "b"), Job(0, "first")]:
        q = q.add(job)
    out = []
    while q:
        out.append(q.find_min())
        q = q.remove_min()
    assert out[0] == Job(0, "first")
    assert {j.name for j in out[1:3]} == {"a", "b"}
    assert out[3] == Job(2, "x")


def test_queues_of_different_makes_do_not_mix() -> None:
    Other = Make(_compare)
    with pytest.raises(TypeError, match="same Make"):
        IntQueue.empty.add(1).union(Other.empty.add(2))
    with pytest.raises(TypeError):
        IntQueue.empty.union([1])  # type: ignore[arg-type]


def test_the_base_class_and_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="Make"):
        PQueue()
    with pytest.raises(TypeError, match="callable"):
        Make(3)  # type: ignore[arg-type]


def test_made_classes_are_queue_classes() -> None:
    assert issubclass(IntQueue, PQueue)
    assert isinstance(IntQueue.empty, IntQueue)
    assert IntQueue.__module__ == "lwt.core.pqueue"
    assert "size=3" in repr(_of([1, 2, 3]))
    assert "empty" in repr(IntQueue.empty)


def test_large_queue() -> None:
    xs = [(i * 7919) % 10007 for i in range(10007)]
    q = _of(xs)
    assert q.size() == 10007
    assert _drain(q) == sorted(xs)


# ------------------------------------------------------------ model test
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(-20, 20)),
        st.tuples(st.just("remove_min"), st.just(0)),
        st.tuples(st.just("union"), st.lists(st.integers(-20, 20), max_size=6)),
        st.tuples(st.just("union_self"), st.just(0)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=operations)
def test_queue_matches_a_sorted_list(ops: list[tuple[str, object]]) -> None:
    q: PQueue[int] = IntQueue.empty
    model: list[int] = []
    history: list[tuple[PQueue[int], list[int]]] = []
    for op, arg in ops:
        history.append((q, list(model)))
        if op == "add":
            assert isinstance(arg, int)
            q = q.add(arg)
            model = sorted([*model, arg])
        elif op == "remove_min":
            if model:
                q = q.remove_min()
                model = model[1:]
            else:
                with pytest.raises(lwt.NotFound):
                    q.remove_min()
        elif op == "union":
            assert isinstance(arg, list)
            q = q.union(_of(arg))
            model = sorted(model + arg)
        else:
            q = q.union(q)
            model = sorted(model + model)
        assert q.size() == len(model)
        assert q.is_empty() == (not model)
        assert q.lookup_min() == (model[0] if model else None)
        if model:
            assert q.find_min() == model[0]
    assert _drain(q) == model
    # Every earlier version is unchanged.
    for old, old_model in history:
        assert _drain(old) == old_model
