"""Tests for lwt.core.sequence, after Lwt's test/core/test_lwt_sequence.ml, plus a model.

Lwt's cases run on the sequence 1..6 (and a second sequence 7, 8 for the
transfers); the hypothesis model drives a sequence and a
:class:`collections.deque` with the same random operations.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.sequence as lwt_sequence
from lwt.core.sequence import Empty, Node, Sequence

LEFT_TO_RIGHT = [1, 2, 3, 4, 5, 6]
FACTORIAL_6 = 720


def _filled() -> Sequence[int]:
    s: Sequence[int] = lwt_sequence.create()
    for x in LEFT_TO_RIGHT:
        lwt_sequence.add_r(x, s)
    return s


def _to_transfer() -> Sequence[int]:
    s: Sequence[int] = Sequence()
    s.add_r(7)
    s.add_r(8)
    return s


def _left_to_right(s: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    s.iter_l(out.append)
    return out


def _right_to_left(s: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    s.iter_r(out.append)
    return out


# ------------------------------------------------------------- Lwt's suite
def test_create_makes_an_empty_sequence() -> None:
    s = lwt_sequence.create()
    assert lwt_sequence.is_empty(s)
    assert lwt_sequence.length(s) == 0


@pytest.mark.parametrize("add", [lwt_sequence.add_l, lwt_sequence.add_r])
def test_add_returns_the_node_of_the_element(add: Any) -> None:
    s: Sequence[int] = Sequence()
    node = add(1, s)
    assert lwt_sequence.get(node) == 1
    assert lwt_sequence.length(s) == 1


def test_take_from_an_empty_sequence_raises_empty() -> None:
    s: Sequence[int] = Sequence()
    with pytest.raises(Empty):
        lwt_sequence.take_l(s)
    with pytest.raises(Empty):
        lwt_sequence.take_r(s)


def test_take_l_and_take_r() -> None:
    assert lwt_sequence.take_l(_filled()) == 1
    assert lwt_sequence.take_r(_filled()) == 6


def test_take_opt() -> None:
    empty: Sequence[int] = Sequence()
    assert lwt_sequence.take_opt_l(empty) is None
    assert lwt_sequence.take_opt_r(empty) is None
    assert lwt_sequence.take_opt_l(_filled()) == 1
    assert lwt_sequence.take_opt_r(_filled()) == 6


@pytest.mark.parametrize("transfer", [lwt_sequence.transfer_l, lwt_sequence.transfer_r])
def test_transferring_an_empty_sequence_changes_nothing(transfer: Any) -> None:
    s = _filled()
    transfer(Sequence(), s)
    assert lwt_sequence.length(s) == 6
    assert _left_to_right(s) == LEFT_TO_RIGHT


def test_transfer_l_puts_the_elements_on_the_left() -> None:
    s = _filled()
    source = _to_transfer()
    lwt_sequence.transfer_l(source, s)
    assert lwt_sequence.length(s) == 8
    assert lwt_sequence.take_opt_l(s) == 7
    assert _left_to_right(s) == [8, *LEFT_TO_RIGHT]
    assert source.is_empty()


def test_transfer_r_puts_the_elements_on_the_right() -> None:
    s = _filled()
    source = _to_transfer()
    lwt_sequence.transfer_r(source, s)
    assert lwt_sequence.length(s) == 8
    assert lwt_sequence.take_opt_r(s) == 8
    assert _left_to_right(s) == [*LEFT_TO_RIGHT, 7]
    assert source.is_empty()


def test_iteration_in_both_directions() -> None:
    assert _left_to_right(Sequence()) == []
    assert _right_to_left(Sequence()) == []
    assert _left_to_right(_filled()) == LEFT_TO_RIGHT
    assert _right_to_left(_filled()) == LEFT_TO_RIGHT[::-1]


def test_node_iteration_in_both_directions() -> None:
    left: list[int] = []
    lwt_sequence.iter_node_l(lambda n: left.append(n.get()), _filled())
    right: list[int] = []
    lwt_sequence.iter_node_r(lambda n: right.append(n.get()), _filled())
    assert left == LEFT_TO_RIGHT
    assert right == LEFT_TO_RIGHT[::-1]
    nothing: list[int] = []
    lwt_sequence.iter_node_l(lambda n: nothing.append(n.get()), Sequence())
    lwt_sequence.iter_node_r(lambda n: nothing.append(n.get()), Sequence())
    assert nothing == []


@pytest.mark.parametrize(
    ("walk", "order"),
    [(lwt_sequence.iter_node_l, LEFT_TO_RIGHT), (lwt_sequence.iter_node_r, LEFT_TO_RIGHT[::-1])],
)
def test_node_iteration_removing_each_node(walk: Any, order: list[int]) -> None:
    s = _filled()
    seen: list[int] = []

    def take_out(node: Node[int]) -> None:
        seen.append(node.get())
        lwt_sequence.remove(node)

    walk(take_out, s)
    assert seen == order
    assert s.is_empty()


def test_folds() -> None:
    assert lwt_sequence.fold_l(lambda x, acc: x * acc, _filled(), 1) == FACTORIAL_6
    assert lwt_sequence.fold_r(lambda x, acc: x * acc, _filled(), 1) == FACTORIAL_6
    assert lwt_sequence.fold_l(lambda x, acc: x * acc, Sequence(), 1) == 1
    assert lwt_sequence.fold_r(lambda x, acc: x * acc, Sequence(), 1) == 1
    assert lwt_sequence.fold_l(lambda x, acc: [*acc, x], _filled(), []) == LEFT_TO_RIGHT
    assert lwt_sequence.fold_r(lambda x, acc: [*acc, x], _filled(), []) == LEFT_TO_RIGHT[::-1]


def test_find_node_opt() -> None:
    for find in (lwt_sequence.find_node_opt_l, lwt_sequence.find_node_opt_r):
        assert find(lambda v: v == 1, Sequence()) is None
        assert find(lambda v: v == 1, _to_transfer()) is None
        node = find(lambda v: v == 1, _filled())
        assert node is not None
        assert node.get() == 1


def test_find_node_raises_not_found() -> None:
    for find in (lwt_sequence.find_node_l, lwt_sequence.find_node_r):
        with pytest.raises(lwt.NotFound):
            find(lambda v: v == 1, Sequence())
        assert find(lambda v: v == 1, _filled()).get() == 1


def test_find_node_searches_from_its_side() -> None:
    s = _filled()
    assert s.find_node_l(lambda v: v % 2 == 0).get() == 2
    assert s.find_node_r(lambda v: v % 2 == 0).get() == 6


def test_set_changes_the_element_of_a_node() -> None:
    s = _filled()
    node = lwt_sequence.find_node_opt_l(lambda v: v == 4, s)
    assert node is not None
    lwt_sequence.set(node, 10)
    assert _left_to_right(s) == [1, 2, 3, 10, 5, 6]


def test_fold_r_removing_several_nodes_midway() -> None:
    s = _filled()
    three, two, four = (s.find_node_r(lambda v, k=k: v == k) for k in (3, 2, 4))

    def multiply(v: int, acc: int) -> int:
        if v == 3:
            three.remove()
            two.remove()
            four.remove()
        return v * acc

    # 6 * 5 * 4 are met before 3 is; 2 is skipped after.
    assert lwt_sequence.fold_r(multiply, s, 1) == FACTORIAL_6 // 2


def test_fold_l_removing_several_nodes_midway() -> None:
    s = _filled()
    four, five, three = (s.find_node_r(lambda v, k=k: v == k) for k in (4, 5, 3))

    def multiply(v: int, acc: int) -> int:
        if v == 4:
            four.remove()
            five.remove()
            three.remove()
        return v * acc

    assert lwt_sequence.fold_l(multiply, s, 1) == FACTORIAL_6 // 5


def test_find_node_r_removing_nodes_midway() -> None:
    s = _filled()
    three, two = s.find_node_r(lambda v: v == 3), s.find_node_r(lambda v: v == 2)

    def test(v: int) -> bool:
        if v == 3:
            three.remove()
            two.remove()
        return v == 1

    assert lwt_sequence.find_node_r(test, s).get() == 1


def test_find_node_l_removing_nodes_midway() -> None:
    s = _filled()
    three, four = s.find_node_r(lambda v: v == 3), s.find_node_r(lambda v: v == 4)

    def test(v: int) -> bool:
        if v == 3:
            three.remove()
            four.remove()
        return v == 6

    assert lwt_sequence.find_node_l(test, s).get() == 6


# ------------------------------------------------------ beyond Lwt's tests
def test_removing_a_node_twice_does_nothing() -> None:
    s = _filled()
    node = s.find_node_l(lambda v: v == 3)
    node.remove()
    node.remove()
    assert _left_to_right(s) == [1, 2, 4, 5, 6]


def test_node_of_a_taken_element_is_removed() -> None:
    s: Sequence[str] = Sequence()
    node = s.add_l("a")
    s.add_r("b")
    assert s.take_l() == "a"
    node.remove()  # already out: no effect on the rest
    assert list(s) == ["b"]


def test_clear_empties_and_detaches_the_nodes() -> None:
    s = _filled()
    node = s.find_node_l(lambda v: v == 3)
    s.clear()
    assert s.is_empty()
    assert len(s) == 0
    s.add_r(9)
    node.remove()  # the node was dropped by clear: nothing happens
    assert list(s) == [9]


def test_clear_during_a_walk_ends_the_walk() -> None:
    s = _filled()
    seen: list[int] = []

    def visit(v: int) -> None:
        seen.append(v)
        if v == 2:
            s.clear()

    s.iter_l(visit)
    assert seen == [1, 2]
    assert s.is_empty()


def test_elements_added_during_a_walk() -> None:
    s = _filled()
    seen: list[int] = []

    def visit(v: int) -> None:
        seen.append(v)
        if v == 6:
            s.add_r(7)
        if v == 1:
            s.add_l(0)  # behind the walk: not visited

    s.iter_l(visit)
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert list(s) == [0, 1, 2, 3, 4, 5, 6, 7]


def test_transfer_onto_itself_does_nothing() -> None:
    s = _filled()
    s.transfer_l(s)
    s.transfer_r(s)
    assert list(s) == LEFT_TO_RIGHT


def test_nodes_stay_valid_after_a_transfer() -> None:
    source = _to_transfer()
    seven = source.find_node_l(lambda v: v == 7)
    target = _filled()
    source.transfer_r(target)
    seven.remove()
    assert list(target) == [*LEFT_TO_RIGHT, 8]
    assert source.is_empty()
    source.add_l(1)
    assert list(source) == [1]


def test_python_protocols() -> None:
    s = _filled()
    assert len(s) == 6
    assert bool(s)
    assert not Sequence()
    assert list(s) == LEFT_TO_RIGHT
    assert list(reversed(s)) == LEFT_TO_RIGHT[::-1]
    assert 3 in s
    assert repr(s) == "Sequence([1, 2, 3, 4, 5, 6])"
    removed = []
    for v in s:  # removing while iterating is fine
        if v % 2:
            removed.append(v)
            s.find_node_l(lambda x, v=v: x == v).remove()
    assert removed == [1, 3, 5]
    assert list(s) == [2, 4, 6]


def test_methods_and_module_functions_agree() -> None:
    s: Sequence[int] = Sequence()
    s.add_l(2)
    lwt_sequence.add_l(1, s)
    s.add_r(3)
    assert s.length() == 3
    assert s.fold_l(lambda x, acc: [*acc, x], []) == [1, 2, 3]
    assert s.take_opt_l() == 1
    assert s.take_r() == 3
    assert lwt_sequence.take_l(s) == 2
    assert s.is_empty()


def test_long_sequence() -> None:
    s: Sequence[int] = Sequence()
    nodes = [s.add_r(i) for i in range(100_000)]
    for node in nodes[::2]:
        node.remove()
    assert len(s) == 50_000
    assert s.fold_l(lambda x, acc: acc + x, 0) == sum(range(1, 100_000, 2))


# ------------------------------------------------------------------ model
operations = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["add_l", "add_r"]), st.integers(0, 99)),
        st.tuples(st.sampled_from(["take_l", "take_r", "take_opt_l", "take_opt_r"]), st.just(0)),
        st.tuples(st.just("remove"), st.integers(0, 1000)),
        st.tuples(st.just("set"), st.integers(0, 1000)),
        st.tuples(st.sampled_from(["transfer_in_l", "transfer_in_r"]), st.integers(0, 3)),
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(ops=operations)
def test_sequence_matches_a_deque(ops: list[tuple[str, int]]) -> None:
    s: Sequence[int] = Sequence()
    model: deque[int] = deque()
    # The model's deque holds tokens (unique ids); values[token] is the element.
    nodes: dict[int, Node[int]] = {}
    values: dict[int, int] = {}
    live: deque[int] = deque()
    fresh = iter(range(10**9))

    def add(where: str, value: int) -> None:
        token = next(fresh)
        values[token] = value
        if where == "l":
            nodes[token] = s.add_l(value)
            live.appendleft(token)
        else:
            nodes[token] = s.add_r(value)
            live.append(token)

    for op, arg in ops:
        if op in ("add_l", "add_r"):
            add(op[-1], arg)
        elif op in ("take_l", "take_r"):
            if live:
                token = live.popleft() if op == "take_l" else live.pop()
                assert getattr(s, op)() == values[token]
            else:
                with pytest.raises(Empty):
                    getattr(s, op)()
        elif op in ("take_opt_l", "take_opt_r"):
            expected = None
            if live:
                token = live.popleft() if op == "take_opt_l" else live.pop()
                expected = values[token]
            assert getattr(s, op)() == expected
        elif op == "remove":
            if nodes:
                token = sorted(nodes)[arg % len(nodes)]
                nodes[token].remove()  # removing a node already out is fine
                if token in live:
                    live.remove(token)
        elif op == "set":
            if live:
                token = live[arg % len(live)]
                values[token] = arg
                nodes[token].set(arg)
        else:
            other: Sequence[int] = Sequence()
            extra: list[int] = []
            for k in range(arg):
                token = next(fresh)
                values[token] = 1000 + k
                nodes[token] = other.add_r(1000 + k)
                extra.append(token)
            if op == "transfer_in_l":
                other.transfer_l(s)
                live.extendleft(reversed(extra))
            else:
                other.transfer_r(s)
                live.extend(extra)
            assert other.is_empty()
        model = deque(values[t] for t in live)
        assert list(s) == list(model)
        assert list(reversed(s)) == list(reversed(model))
        assert _left_to_right(s) == list(model)
        assert _right_to_left(s) == list(reversed(model))
        assert len(s) == s.length() == len(model)
        assert s.is_empty() == (not model)
