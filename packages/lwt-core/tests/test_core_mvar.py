"""Tests for lwt.core.mvar, after Lwt's test/core/test_lwt_mvar.ml, plus more."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.mvar as mvar_module
from lwt.core.mvar import MVar


def _is_canceled(p: lwt.Promise[object]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


# --------------------------------------------------------------- Lwt's suite
def test_take_from_a_full_box_is_fulfilled_at_once() -> None:
    x = MVar(0)
    assert x.take().state() == lwt.Return(0)


def test_take_available_on_a_full_box_returns_the_value() -> None:
    x = MVar(0)
    assert x.take_available() == 0


def test_take_available_on_an_empty_box_returns_none() -> None:
    x: MVar[int] = MVar.create_empty()
    assert x.take_available() is None


def test_take_available_twice_empties_the_box() -> None:
    x = MVar(0)
    x.take_available()
    assert x.take_available() is None


def test_full_box_is_not_empty() -> None:
    assert not MVar(0).is_empty()


def test_new_empty_box_is_empty() -> None:
    x: MVar[int] = MVar.create_empty()
    assert x.is_empty()


def test_put_into_a_full_box_waits() -> None:
    x = MVar(0)
    assert x.put(1).is_sleeping()


def test_put_then_take() -> None:
    x: MVar[int] = MVar.create_empty()
    x.put(0)
    assert x.take().state() == lwt.Return(0)


def test_take_then_put() -> None:
    x = MVar(0)
    x.take()
    assert x.put(1).state() == lwt.Return(None)


def test_waiting_putter_fills_the_box_when_it_is_taken() -> None:
    x = MVar(1)
    y = x.put(2)
    z = x.take()
    assert y.state() == lwt.Return(None)
    assert z.state() == lwt.Return(1)
    assert x.take_available() == 2


def test_canceled_putter_withdraws_its_value() -> None:
    x = MVar(1)
    r1 = x.put(2)
    r1.cancel()
    assert _is_canceled(r1)
    assert x.take().state() == lwt.Return(1)
    assert x.take().is_sleeping()


# ------------------------------------------------------------------- more
def test_put_goes_straight_to_a_waiting_taker() -> None:
    x: MVar[str] = MVar.create_empty()
    t = x.take()
    assert t.is_sleeping()
    p = x.put("v")
    assert p.state() == lwt.Return(None)
    assert t.state() == lwt.Return("v")
    assert x.is_empty()


def test_takers_are_served_in_order() -> None:
    x: MVar[int] = MVar.create_empty()
    takers = [x.take() for _ in range(3)]
    for v in (10, 20, 30):
        x.put(v)
    assert [t.state() for t in takers] == [lwt.Return(10), lwt.Return(20), lwt.Return(30)]


def test_putters_are_served_in_order() -> None:
    x = MVar(0)
    putters = [x.put(v) for v in (1, 2, 3)]
    got = [x.take_available() for _ in range(4)]
    assert got == [0, 1, 2, 3]
    assert all(p.state() == lwt.Return(None) for p in putters)
    assert x.is_empty()


def test_canceled_taker_is_skipped_and_loses_nothing() -> None:
    x: MVar[int] = MVar.create_empty()
    t1 = x.take()
    t2 = x.take()
    t1.cancel()
    x.put(5)
    assert _is_canceled(t1)
    assert t2.state() == lwt.Return(5)


def test_value_stays_in_the_box_when_every_taker_canceled() -> None:
    x: MVar[int] = MVar.create_empty()
    t = x.take()
    t.cancel()
    x.put(5)
    assert not x.is_empty()
    assert x.take_available() == 5


def test_none_can_be_stored() -> None:
    x: MVar[None] = MVar(None)
    assert not x.is_empty()
    assert x.take().state() == lwt.Return(None)
    assert x.is_empty()
    x.put(None)
    assert not x.is_empty()


def test_put_inside_a_callback_defers_the_takers_callbacks() -> None:
    x: MVar[int] = MVar.create_empty()
    events: list[str] = []
    x.take().on_success(lambda v: events.append(f"took {v}"))
    trigger, wake = lwt.wait()

    def callback(_: None) -> None:
        x.put(1)
        events.append("put returned")

    trigger.on_success(callback)
    lwt.wakeup(wake, None)
    assert events == ["put returned", "took 1"]


def test_many_canceled_requests_do_not_accumulate() -> None:
    empty: MVar[int] = MVar.create_empty()
    full = MVar(0)
    for i in range(100_000):
        empty.take().cancel()
        full.put(i).cancel()
    assert len(empty._readers) <= 200
    assert len(full._writers) <= 200
    assert full.take_available() == 0
    assert full.is_empty()


def test_long_ping_pong_does_not_overflow_the_stack() -> None:
    ping: MVar[int] = MVar.create_empty()
    pong: MVar[int] = MVar.create_empty()
    n = 20_000

    def player(box_in: MVar[int], box_out: MVar[int]) -> lwt.Promise[int]:
        def step(v: int) -> lwt.Promise[int]:
            if v >= n:
                return box_out.put(v + 1).map(lambda _: v)
            return box_out.put(v + 1).bind(lambda _: box_in.take().bind(step))

        return box_in.take().bind(step)

    a = player(ping, pong)
    b = player(pong, ping)
    ping.put(0)
    assert a.state() == lwt.Return(n)
    assert b.state() == lwt.Return(n + 1)
    assert ping.take_available() == n + 2


# ---------------------------------------------------------- module surface
def test_module_functions_are_the_methods() -> None:
    x: MVar[int] = mvar_module.create_empty()
    assert mvar_module.is_empty(x)
    assert mvar_module.put(x, 1).state() == lwt.Return(None)
    assert mvar_module.take(x).state() == lwt.Return(1)
    mvar_module.put(x, 2)
    assert mvar_module.take_available(x) == 2


def test_public_names_and_docstrings() -> None:
    assert MVar.__module__ == "lwt.core.mvar"
    for name in mvar_module.__all__:
        assert getattr(mvar_module, name).__doc__, name


# ------------------------------------------------------------ model check
_EMPTY = object()

_ops = st.lists(
    st.one_of(
        st.just(("put", 0)),
        st.just(("take", 0)),
        st.just(("take_available", 0)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=40)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(st.booleans(), _ops)
def test_mvar_matches_a_model(start_full: bool, ops: list[tuple[str, int]]) -> None:
    x: MVar[int] = MVar(-1) if start_full else MVar.create_empty()
    # Every put and take is a client; puts carry their own index as value.
    promises: list[lwt.Promise[object]] = []
    expected: list[object] = []  # lwt.Return(...), "pending" or "canceled"
    contents: object = -1 if start_full else _EMPTY
    writers: deque[int] = deque()
    readers: deque[int] = deque()

    def model_take() -> object:
        nonlocal contents
        v = contents
        if writers:
            w = writers.popleft()
            contents = w
            expected[w] = lwt.Return(None)
        else:
            contents = _EMPTY
        return v

    for op, arg in ops:
        i = len(promises)
        if op == "put":
            promises.append(x.put(i))
            if contents is _EMPTY:
                if readers:
                    expected[readers.popleft()] = lwt.Return(i)
                else:
                    contents = i
                expected.append(lwt.Return(None))
            else:
                writers.append(i)
                expected.append("pending")
        elif op == "take":
            promises.append(x.take())
            if contents is _EMPTY:
                readers.append(i)
                expected.append("pending")
            else:
                expected.append(lwt.Return(model_take()))
        elif op == "take_available":
            got = x.take_available()
            assert got == (None if contents is _EMPTY else model_take())
        elif promises:
            j = arg % len(promises)
            promises[j].cancel()
            for queue in (writers, readers):
                if j in queue:
                    queue.remove(j)
                    expected[j] = "canceled"

        assert x.is_empty() == (contents is _EMPTY)
        for p, e in zip(promises, expected, strict=True):
            if e == "pending":
                assert p.is_sleeping()
            elif e == "canceled":
                assert _is_canceled(p)
            else:
                assert p.state() == e
