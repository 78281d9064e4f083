"""Model-based tests of lwt.core.stream: push streams against a plain Python list.

Random programs of pushes, closes and reads run against a real stream and
against a small model (a deque of queued elements, a closed flag, at most
one read waiting, and for bounded streams the size and the one push that
may wait for room).  After every step, every promise handed out so far must
be in the state the model predicts, and the bounded push object's counters
must agree with it.

A read that has to wait stays the only read in flight: the next read
operation cancels it first (with several readers at once Lwt's streams give
them the same element, which the dedicated tests of ``test_core_stream.py``
cover).  Cancelling never loses an element that arrives later; a partial
``nget`` keeps what it had already taken out of the stream, as in Lwt.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.stream as stream
from lwt.core.stream import Closed, Full

# ------------------------------------------------------------------- program
Op = tuple[Any, ...]

values = st.integers(min_value=0, max_value=99)
counts = st.integers(min_value=-1, max_value=4)

reads = st.one_of(
    st.tuples(st.just("get")),
    st.tuples(st.just("next")),
    st.tuples(st.just("peek")),
    st.tuples(st.just("junk")),
    st.tuples(st.just("nget"), counts),
    st.tuples(st.just("npeek"), counts),
    st.tuples(st.just("njunk"), counts),
    st.tuples(st.just("get_available")),
    st.tuples(st.just("get_available_up_to"), counts),
    st.tuples(st.just("is_empty")),
    st.tuples(st.just("cancel_read")),
)

pushes = st.tuples(st.just("push"), values)
closes = st.tuples(st.just("close"))
resizes = st.tuples(st.just("resize"), st.integers(min_value=0, max_value=4))
cancel_pushes = st.tuples(st.just("cancel_push"))


def _weighted(*choices: tuple[int, st.SearchStrategy[Op]]) -> st.SearchStrategy[Op]:
    """Pick among strategies with the given weights."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(min_value=0, max_value=len(table) - 1).flatmap(lambda i: table[i])


# Pushes come often and closes rarely, so that bounded streams fill up and
# programs run a while before everything is just rejected as closed.
push_ops = _weighted((5, pushes), (4, reads), (1, closes))
bounded_ops = _weighted((5, pushes), (4, reads), (1, resizes), (1, cancel_pushes), (1, closes))


# --------------------------------------------------------------------- model
@dataclass
class Pending:
    kind: str
    n: int
    promise: lwt.Promise[Any]
    acc: list[int] = field(default_factory=list)


@dataclass
class Model:
    bounded: bool
    size: int = 0
    items: deque[int] = field(default_factory=deque)
    closed: bool = False
    # The waiting read, and for bounded streams the waiting push.
    read: Pending | None = None
    blocked: tuple[int, lwt.Promise[None]] | None = None
    # Every promise handed out, with the state it must be in now.
    expected: list[tuple[lwt.Promise[Any], Any]] = field(default_factory=list)

    def settle(self, p: lwt.Promise[Any], outcome: Any) -> None:
        for i, (q, _) in enumerate(self.expected):
            if q is p:
                self.expected[i] = (p, outcome)
                return
        self.expected.append((p, outcome))

    def take(self) -> int:
        """Remove the first element; a blocked push then gets its place."""
        x = self.items.popleft()
        if self.blocked is not None:
            y, pusher = self.blocked
            self.blocked = None
            self.items.append(y)
            self.settle(pusher, lwt.Return(None))
        return x

    def try_read(self, kind: str, n: int, acc: list[int]) -> tuple[bool, Any]:
        """Advance a read as far as the queue allows; ``(done, value)``."""
        if kind in ("get", "next", "junk"):
            if self.items:
                x = self.take()
                return True, None if kind == "junk" else x
            if self.closed:
                if kind == "next":
                    return True, stream.Empty
                return True, None
            return False, None
        if kind == "peek":
            if self.items:
                return True, self.items[0]
            return (True, None) if self.closed else (False, None)
        if kind == "is_empty":
            if self.items:
                return True, False
            return (True, True) if self.closed else (False, None)
        if kind == "npeek":
            if n <= 0:
                return True, []
            if len(self.items) >= n or self.closed:
                return True, list(self.items)[:n]
            return False, None
        # nget / njunk take elements as they come.
        while len(acc) < n and self.items:
            acc.append(self.take())
        if len(acc) >= n or self.closed:
            return True, None if kind == "njunk" else list(acc)
        return False, None

    def wake_read(self) -> None:
        r = self.read
        if r is None:
            return
        done, value = self.try_read(r.kind, r.n, r.acc)
        if done:
            self.read = None
            self.settle(r.promise, _outcome(value))


def _outcome(value: Any) -> Any:
    if value is stream.Empty:
        return ("rejected", stream.Empty)
    return lwt.Return(value)


def _matches(p: lwt.Promise[Any], outcome: Any) -> bool:
    s = p.state()
    if isinstance(outcome, tuple) and outcome[0] == "rejected":
        return isinstance(s, lwt.Fail) and isinstance(s.exc, outcome[1])
    return s == outcome


READERS: dict[str, Callable[..., lwt.Promise[Any]]] = {
    "get": stream.get,
    "next": stream.next,
    "peek": stream.peek,
    "junk": stream.junk,
    "is_empty": stream.is_empty,
    "nget": lambda s, n: stream.nget(n, s),
    "npeek": lambda s, n: stream.npeek(n, s),
    "njunk": lambda s, n: stream.njunk(n, s),
}


class Runner:
    """Applies one operation to the real stream and to the model."""

    def __init__(self, bounded: bool, size: int) -> None:
        self.bounded = bounded
        if bounded:
            self.s, self.pusher = stream.create_bounded(size)
        else:
            self.s, self.push = stream.create()
        self.m = Model(bounded=bounded, size=size)

    def push_or_close(self, x: int | None) -> None:
        m = self.m
        if m.closed:
            try:
                self.push(x)
            except Closed:
                return
            raise AssertionError("pushing to a closed stream must raise Closed")
        self.push(x)
        if x is None:
            m.closed = True
        else:
            m.items.append(x)
        m.wake_read()

    def bounded_push(self, x: int) -> None:
        m = self.m
        p = self.pusher.push(x)
        if m.closed:
            m.settle(p, ("rejected", Closed))
        elif m.blocked is not None:
            m.settle(p, ("rejected", Full))
        elif len(m.items) >= m.size:
            m.blocked = (x, p)
            m.settle(p, lwt.Sleep())
        else:
            m.items.append(x)
            m.settle(p, lwt.Return(None))
            m.wake_read()

    def bounded_close(self) -> None:
        m = self.m
        self.pusher.close()
        if m.closed:
            return
        m.closed = True
        if m.blocked is not None:
            m.settle(m.blocked[1], ("rejected", Closed))
            m.blocked = None
        m.wake_read()

    def apply(self, op: Op) -> None:
        m = self.m
        name = op[0]
        if name == "push":
            if self.bounded:
                self.bounded_push(op[1])
            else:
                self.push_or_close(op[1])
        elif name == "close":
            if self.bounded:
                self.bounded_close()
            else:
                self.push_or_close(None)
        elif name == "resize":
            self.pusher.resize(op[1])
            m.size = op[1]
            if m.blocked is not None and len(m.items) < m.size:
                y, waiting = m.blocked
                m.blocked = None
                m.items.append(y)
                m.settle(waiting, lwt.Return(None))
                m.wake_read()
        elif name == "cancel_push":
            if m.blocked is not None:
                waiting = m.blocked[1]
                waiting.cancel()
                m.blocked = None
                m.settle(waiting, ("rejected", lwt.Canceled))
        elif name == "cancel_read":
            self.cancel_read()
        else:
            # One waiting read at a time: a new read first cancels it.
            self.cancel_read()
            self.read(op)

    def cancel_read(self) -> None:
        """Cancel the waiting read; what it had already taken stays taken."""
        m = self.m
        r = m.read
        if r is not None:
            r.promise.cancel()
            m.read = None
            m.settle(r.promise, ("rejected", lwt.Canceled))

    def read(self, op: Op) -> None:
        m = self.m
        name = op[0]
        if name == "get_available":
            got = self.s.get_available()
            want = []
            while m.items:
                want.append(m.take())
            assert got == want
        elif name == "get_available_up_to":
            got = self.s.get_available_up_to(op[1])
            want = []
            while m.items and len(want) < op[1]:
                want.append(m.take())
            assert got == want
        else:
            n = op[1] if len(op) > 1 else 1
            p = READERS[name](self.s, *op[1:])
            acc: list[int] = []
            done, value = m.try_read(name, n, acc)
            if done:
                m.settle(p, _outcome(value))
            else:
                m.read = Pending(name, n, p, acc)
                m.settle(p, lwt.Sleep())

    def check(self, op: Op) -> None:
        m = self.m
        for promise, outcome in m.expected:
            assert _matches(promise, outcome), (op, promise, outcome)
        assert self.s.is_closed() == m.closed
        if self.bounded:
            assert self.pusher.count() == len(m.items), op
            assert self.pusher.blocked() == (m.blocked is not None), op
            assert self.pusher.size() == m.size
            assert self.pusher.closed() == m.closed
        # Resolved promises cannot change any more: stop tracking them.
        m.expected = [(p, o) for p, o in m.expected if isinstance(o, lwt.Sleep)]


def _run(ops: list[Op], bounded: bool, size: int) -> None:
    run = Runner(bounded, size)
    for op in ops:
        run.apply(op)
        run.check(op)
    # Close (if not yet), then the stream holds exactly what the model holds.
    if not run.m.closed:
        run.apply(("close",))
        run.check(("close",))
    assert run.m.read is None
    assert run.m.blocked is None
    assert run.s.to_list().poll() == list(run.m.items)


@settings(max_examples=300, deadline=None)
@given(st.lists(push_ops, min_size=5, max_size=80))
def test_push_stream_behaves_like_a_list(ops: list[Op]) -> None:
    _run(ops, bounded=False, size=0)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=3), st.lists(bounded_ops, min_size=10, max_size=80))
def test_bounded_stream_behaves_like_a_bounded_list(size: int, ops: list[Op]) -> None:
    _run(ops, bounded=True, size=size)


@settings(max_examples=200, deadline=None)
@given(st.lists(push_ops, max_size=40))
def test_clone_sees_every_element_pushed_after_it(ops: list[Op]) -> None:
    s, push = stream.create()
    c = s.clone()
    pushed: list[int] = []
    closed = False
    for op in ops:
        if op[0] == "push" and not closed:
            push(op[1])
            pushed.append(op[1])
        elif op[0] == "close" and not closed:
            push(None)
            closed = True
        elif op[0] in ("get", "junk", "get_available"):
            # Reading the original never takes anything from the clone.
            if op[0] == "get_available":
                s.get_available()
            else:
                READERS[op[0]](s)
    if not closed:
        push(None)
    assert c.to_list().poll() == pushed
