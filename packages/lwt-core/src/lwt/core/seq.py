"""Lazy sequences whose nodes are promises: OCaml's ``Lwt_seq``.

A sequence is a function of no arguments that returns a promise of its first
*node*: :class:`Nil` for the end, or :class:`Cons` ``(head, tail)``, where
``tail`` is again a sequence.  Nothing is computed until a node is asked
for, and asking again computes it again: the functions here that transform
a sequence (:func:`map`, :func:`filter`, ...) only describe the work, and
the ones that consume it (:func:`fold_left`, :func:`iter`, :func:`to_list`,
...) do it.  The ``_s`` variants take callbacks that return promises and
wait for each one before asking for the next node.

The sequences made here are :class:`Seq` objects; every function also
accepts any callable that behaves like one, and any callable may be a
``tail``.  Python code can walk a :class:`Seq` with ``async for`` inside a
coroutine run by ``lwt.ppx``.

.. note::
   A sequence made here never raises when it is called: an exception from
   the user's functions (for instance from the step function of
   :func:`unfold`, or from the iterable given to :func:`of_seq`) rejects the
   node's promise instead, where Lwt's ``unfold`` and ``of_seq`` let it
   escape.  Every consumer treats both the same way.  :func:`of_seq` and
   :func:`of_seq_lwt` read a Python iterable, which can usually be read only
   once, so each of their nodes is computed once and remembered; the other
   sequences recompute their nodes as Lwt's do.  Consumers and filters loop
   instead of recursing, so long sequences, and long runs of dropped
   elements, never exhaust the stack.  ``return`` is spelled :func:`return_`.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, NoReturn, TypeVar, cast

import lwt.core as _lwt
from lwt.core import InvalidArgument, Promise

T = TypeVar("T")
U = TypeVar("U")
A = TypeVar("A")
T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "Cons",
    "Nil",
    "Node",
    "Seq",
    "append",
    "cons",
    "cons_lwt",
    "empty",
    "filter",
    "filter_map",
    "filter_map_s",
    "filter_s",
    "flat_map",
    "fold_left",
    "fold_left_s",
    "iter",
    "iter_n",
    "iter_p",
    "iter_s",
    "map",
    "map_s",
    "of_list",
    "of_seq",
    "of_seq_lwt",
    "return_",
    "return_lwt",
    "to_list",
    "unfold",
    "unfold_lwt",
]


# ---------------------------------------------------------------------- types
@dataclass(frozen=True, slots=True)
class Nil:
    """The node at the end of a sequence (Lwt_seq's ``Nil``)."""


@dataclass(slots=True)
class Cons(Generic[T_co]):
    """A node holding an element and the rest of the sequence (Lwt_seq's ``Cons``).

    Nodes may be shared between sequences and consumers: treat them as
    immutable.  (They are not frozen dataclasses only because building one
    is then much slower, and every element of every sequence builds one.)

    Attributes:
        head: the element.
        tail: the sequence of the following elements: a function of no
            arguments returning a promise of the next node.
    """

    head: T_co
    tail: Callable[[], Promise[Node[T_co]]]


Node = Nil | Cons[T]
"""Either :class:`Nil` or :class:`Cons`, the two kinds of node of a sequence."""

_SeqLike = Callable[[], Promise[Node[T]]]


class Seq(Generic[T_co]):
    """A lazy sequence of promised nodes: Lwt's ``'a Lwt_seq.t``.

    ``Seq(thunk)`` wraps a function of no arguments that returns a promise
    of the first node; calling the sequence calls it.  ``async for x in s``
    walks the elements inside a coroutine run by ``lwt.ppx``.
    """

    __slots__ = ("_thunk",)

    def __init__(self, thunk: Callable[[], Promise[Node[T_co]]]) -> None:
        if not callable(thunk):
            raise TypeError(f"Seq: expected a function of no arguments, got {type(thunk).__name__}")
        self._thunk = thunk

    def __call__(self) -> Promise[Node[T_co]]:
        """Compute the first node: a promise of :class:`Nil` or :class:`Cons`."""
        return self._thunk()

    def __repr__(self) -> str:
        return "<Seq>"

    def __aiter__(self) -> AsyncIterator[T_co]:
        """Walk the elements with ``async for``.

        Each ``__anext__`` of the iterator returns a promise of the next
        element, rejected with :class:`StopAsyncIteration` at the end.
        """
        return _Cursor(self)


class _Cursor(Generic[T]):
    """The position of an ``async for`` loop in a sequence.

    Each :meth:`__anext__` asks for the next node and returns a promise of its
    element; at the end the promise is rejected with
    :class:`StopAsyncIteration`, which ends the loop.
    """

    __slots__ = ("_rest",)

    def __init__(self, rest: _SeqLike[T]) -> None:
        self._rest = rest

    def __aiter__(self) -> _Cursor[T]:
        return self

    def __anext__(self) -> Promise[T]:
        return _force(self._rest).bind(self._advance)

    def _advance(self, n: Node[T]) -> Promise[T]:
        if isinstance(n, Cons):
            self._rest = n.tail
            return _lwt.return_(n.head)
        _expect_nil("async for", n)
        return _lwt.fail(StopAsyncIteration())


for _cls in (Nil, Cons, Seq):
    _cls.__module__ = __name__
del _cls

_NIL = Nil()
_NIL_PROMISE: Promise[Nil] = _lwt.return_(_NIL)


def _nil_node() -> Promise[Nil]:
    return _NIL_PROMISE


empty: Seq[NoReturn] = Seq(_nil_node)
"""The empty sequence."""


# -------------------------------------------------------------------- helpers
# Ask a sequence for its node; an exception or a non-promise becomes a rejection.
_force = _lwt.apply


def _expect_nil(api: str, n: object) -> None:
    if not isinstance(n, Nil):
        raise TypeError(f"{api}: a sequence gave {type(n).__name__} {n!r:.60}, not Nil or Cons")


def _promise(api: str, p: object) -> Promise[Any]:
    if not isinstance(p, Promise):
        raise TypeError(f"{api}: the callback returned {type(p).__name__}, not an lwt promise")
    return p


_Step = Callable[[Any], tuple[bool, Promise[Any]]]


def _drive(p: Promise[Any], step: _Step) -> Promise[Any]:
    """Run a loop of promises without growing the stack.

    Wait for ``p`` and hand its value to ``step``, which answers
    ``(True, result)`` to finish with ``result`` or ``(False, q)`` to wait for
    ``q`` next.  Fulfilled promises are read in a plain loop; at a pending one
    the rest of the loop becomes a callback.  A rejection, or an exception
    raised by ``step``, ends the loop with that rejection.
    """
    while True:
        if p.is_sleeping():
            return p.bind(lambda v: _resume(step, v))
        try:
            v = p.poll()
        except BaseException as exc:
            outcome = p.state()
            if not (isinstance(outcome, _lwt.Fail) and outcome.exc is exc):
                raise  # not the rejection being read, e.g. a KeyboardInterrupt
            _forget_reraise(exc, sys._getframe())
            return p
        try:
            done, p = step(v)
        except Exception as exc:
            return _lwt.fail(exc)
        if done:
            return p


def _resume(step: _Step, v: Any) -> Promise[Any]:
    # Runs as a callback of bind, which turns an exception into a rejection.
    done, p = step(v)
    return p if done else _drive(p, step)


def _forget_reraise(exc: BaseException, here: FrameType) -> None:
    """Drop from ``exc``'s traceback the frames that reading it with poll() added."""
    tb = exc.__traceback__
    while tb is not None and (tb.tb_frame is here or tb.tb_frame.f_code is _POLL_CODE):
        tb = tb.tb_next
    exc.__traceback__ = tb


_POLL_CODE = Promise.poll.__code__


# ------------------------------------------------------------- constructors
def return_(x: T) -> Seq[T]:
    """The sequence of the one element ``x`` (``Lwt_seq.return``)."""
    return Seq(lambda: _lwt.return_(Cons(x, empty)))


def return_lwt(p: Promise[T]) -> Seq[T]:
    """The sequence of the one element that ``p`` promises.

    Its node is pending until ``p`` is resolved, and rejected if ``p`` is.
    """
    return Seq(lambda: p.map(lambda x: Cons(x, empty)))


def cons(x: T, s: _SeqLike[T]) -> Seq[T]:
    """The sequence of ``x`` followed by the elements of ``s``."""
    return Seq(lambda: _lwt.return_(Cons(x, s)))


def cons_lwt(p: Promise[T], s: _SeqLike[T]) -> Seq[T]:
    """The sequence of the element promised by ``p`` followed by the elements of ``s``."""
    return Seq(lambda: p.map(lambda x: Cons(x, s)))


def unfold(f: Callable[[A], tuple[T, A] | None], seed: A) -> Seq[T]:
    """Build a sequence from a step function.

    Asking for a node calls ``f(seed)``: ``None`` ends the sequence, and
    ``(x, next_seed)`` gives the element ``x`` followed by
    ``unfold(f, next_seed)``.
    """

    def node() -> Promise[Node[T]]:
        try:
            r = f(seed)
            if r is None:
                return _NIL_PROMISE
            x, after = r
        except Exception as exc:
            return _lwt.fail(exc)
        return _lwt.return_(Cons(x, unfold(f, after)))

    return Seq(node)


def unfold_lwt(f: Callable[[A], Promise[tuple[T, A] | None]], seed: A) -> Seq[T]:
    """Like :func:`unfold`, but the step function returns a promise."""

    def on_step(r: tuple[T, A] | None) -> Node[T]:
        if r is None:
            return _NIL
        x, after = r
        return Cons(x, unfold_lwt(f, after))

    return Seq(lambda: _lwt.apply(f, seed).map(on_step))


def of_list(xs: Iterable[T]) -> Seq[T]:
    """The sequence of the elements of ``xs``, in order.

    ``xs`` is copied when this is called, so the sequence can be walked any
    number of times.
    """
    return _from_index(tuple(xs), 0)


def _from_index(items: tuple[T, ...], i: int) -> Seq[T]:
    def node() -> Promise[Node[T]]:
        if i >= len(items):
            return _NIL_PROMISE
        return _lwt.return_(Cons(items[i], _from_index(items, i + 1)))

    return Seq(node)


class _Dispenser(Generic[T]):
    """One node of a sequence read from a Python iterator, computed once.

    The first call reads the iterator (and hands it to the next node); later
    calls return the same promise, so the sequence can be walked again.
    """

    __slots__ = ("_it", "_node", "_promised")

    def __init__(self, it: Iterator[Any], promised: bool) -> None:
        self._it: Iterator[Any] | None = it
        self._node: Promise[Node[T]] | None = None
        self._promised = promised

    def __call__(self) -> Promise[Node[T]]:
        node = self._node
        if node is None:
            it = self._it
            assert it is not None
            self._it = None
            node = self._node = self._read(it)
        return node

    def _read(self, it: Iterator[Any]) -> Promise[Node[T]]:
        try:
            x = next(it)
        except StopIteration:
            return _NIL_PROMISE
        except Exception as exc:
            return _lwt.fail(exc)
        tail: Seq[T] = Seq(_Dispenser(it, self._promised))
        if not self._promised:
            return _lwt.return_(Cons(x, tail))
        if not isinstance(x, Promise):
            return _lwt.fail(
                TypeError(f"of_seq_lwt: expected lwt promises, got {type(x).__name__} {x!r:.60}")
            )
        return x.map(lambda v: Cons(v, tail))


def of_seq(xs: Iterable[T]) -> Seq[T]:
    """The sequence of the elements of the iterable ``xs``, read lazily.

    The iterable is read one element per node, when that node is first
    asked for (Lwt's ``of_seq`` takes an OCaml ``Seq.t``).  Each node is
    remembered, so walking the sequence again reads nothing more; an
    exception raised by the iterable rejects the node's promise.

    Raises:
        TypeError: ``xs`` is not iterable.
    """
    return Seq(_Dispenser(builtins.iter(xs), promised=False))


def of_seq_lwt(ps: Iterable[Promise[T]]) -> Seq[T]:
    """The sequence of the values promised by the iterable of promises ``ps``.

    Like :func:`of_seq`, read lazily and remembered; each node waits for its
    promise and is rejected if the promise is.

    Raises:
        TypeError: ``ps`` is not iterable.
    """
    return Seq(_Dispenser(builtins.iter(ps), promised=True))


# ------------------------------------------------------------ transformations
def append(s1: _SeqLike[T], s2: _SeqLike[T]) -> Seq[T]:
    """The elements of ``s1`` followed by those of ``s2``."""

    def on_node(n: Node[T]) -> Promise[Node[T]]:
        if isinstance(n, Cons):
            return _lwt.return_(Cons(n.head, append(n.tail, s2)))
        _expect_nil("append", n)
        return _force(s2)

    return Seq(lambda: _force(s1).bind(on_node))


def map(f: Callable[[T], U], s: _SeqLike[T]) -> Seq[U]:
    """The elements of ``s`` transformed by ``f``, applied as each node is asked for."""

    def on_node(n: Node[T]) -> Node[U]:
        if isinstance(n, Cons):
            return Cons(f(n.head), map(f, n.tail))
        _expect_nil("map", n)
        return _NIL

    return Seq(lambda: _force(s).map(on_node))


def map_s(f: Callable[[T], Promise[U]], s: _SeqLike[T]) -> Seq[U]:
    """Like :func:`map`, but ``f`` returns a promise, waited for before the node is ready.

    The next node of ``s`` is asked for only when the returned sequence's
    next node is, so ``f``'s promises never run concurrently with ``s``.
    """

    def on_node(n: Node[T]) -> Promise[Node[U]]:
        if isinstance(n, Cons):
            tail = n.tail
            return _lwt.apply(f, n.head).map(lambda y: Cons(y, map_s(f, tail)))
        _expect_nil("map_s", n)
        return _NIL_PROMISE

    return Seq(lambda: _force(s).bind(on_node))


def filter(f: Callable[[T], bool], s: _SeqLike[T]) -> Seq[T]:
    """The elements of ``s`` for which ``f`` is true."""

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        if isinstance(n, Cons):
            if f(n.head):
                return True, _lwt.return_(Cons(n.head, filter(f, n.tail)))
            return False, _force(n.tail)
        _expect_nil("filter", n)
        return True, _NIL_PROMISE

    return Seq(lambda: _drive(_force(s), step))


def filter_s(f: Callable[[T], Promise[bool]], s: _SeqLike[T]) -> Seq[T]:
    """Like :func:`filter`, but the test returns a promise (see :func:`map_s`)."""

    def node() -> Promise[Node[T]]:
        tested: Cons[T] | None = None

        def step(v: Any) -> tuple[bool, Promise[Any]]:
            nonlocal tested
            if tested is None:
                if isinstance(v, Cons):
                    tested = v
                    return False, _lwt.apply(f, v.head)
                _expect_nil("filter_s", v)
                return True, _NIL_PROMISE
            n, tested = tested, None
            if v:
                return True, _lwt.return_(Cons(n.head, filter_s(f, n.tail)))
            return False, _force(n.tail)

        return _drive(_force(s), step)

    return Seq(node)


def filter_map(f: Callable[[T], U | None], s: _SeqLike[T]) -> Seq[U]:
    """The values ``f(x)`` for the elements ``x`` of ``s``, leaving out ``None``."""

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        if isinstance(n, Cons):
            y = f(n.head)
            if y is not None:
                return True, _lwt.return_(Cons(y, filter_map(f, n.tail)))
            return False, _force(n.tail)
        _expect_nil("filter_map", n)
        return True, _NIL_PROMISE

    return Seq(lambda: _drive(_force(s), step))


def filter_map_s(f: Callable[[T], Promise[U | None]], s: _SeqLike[T]) -> Seq[U]:
    """Like :func:`filter_map`, but ``f`` returns a promise (see :func:`map_s`)."""

    def node() -> Promise[Node[U]]:
        tail: _SeqLike[T] | None = None

        def step(v: Any) -> tuple[bool, Promise[Any]]:
            nonlocal tail
            if tail is None:
                if isinstance(v, Cons):
                    tail = v.tail
                    return False, _lwt.apply(f, v.head)
                _expect_nil("filter_map_s", v)
                return True, _NIL_PROMISE
            rest, tail = tail, None
            if v is not None:
                return True, _lwt.return_(Cons(v, filter_map_s(f, rest)))
            return False, _force(rest)

        return _drive(_force(s), step)

    return Seq(node)


def flat_map(f: Callable[[T], _SeqLike[U]], s: _SeqLike[T]) -> Seq[U]:
    """The elements of the sequences ``f(x)``, one after the other, for each ``x`` of ``s``."""
    return Seq(lambda: _flat_map_from(f, _force(s), None))


def _flat_map_from(
    f: Callable[[T], _SeqLike[U]], first: Promise[Any], outer: _SeqLike[T] | None
) -> Promise[Node[U]]:
    """Find the next element of a :func:`flat_map`.

    ``first`` is a node of ``s`` if ``outer`` is None, otherwise a node of the
    inner sequence being walked, ``outer`` being the rest of ``s``.
    """

    def step(n: Any) -> tuple[bool, Promise[Any]]:
        nonlocal outer
        if outer is None:
            if isinstance(n, Cons):
                outer = n.tail
                return False, _force(f(n.head))
            _expect_nil("flat_map", n)
            return True, _NIL_PROMISE
        if isinstance(n, Cons):
            rest, inner = outer, n.tail
            return True, _lwt.return_(
                Cons(n.head, Seq(lambda: _flat_map_from(f, _force(inner), rest)))
            )
        _expect_nil("flat_map", n)
        p, outer = _force(outer), None
        return False, p

    return _drive(first, step)


# ------------------------------------------------------------------ consumers
def fold_left(f: Callable[[A, T], A], acc: A, s: _SeqLike[T]) -> Promise[A]:
    """Combine the elements from the left: ``acc = f(acc, x)`` for each ``x``.

    Returns:
        A promise of the final ``acc``; it never resolves on an infinite
        sequence.  An exception from ``f`` or a rejected node rejects it.
    """
    state = acc

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        nonlocal state
        if isinstance(n, Cons):
            state = f(state, n.head)
            return False, _force(n.tail)
        _expect_nil("fold_left", n)
        return True, _lwt.return_(state)

    return _drive(_force(s), step)


def fold_left_s(f: Callable[[A, T], Promise[A]], acc: A, s: _SeqLike[T]) -> Promise[A]:
    """Like :func:`fold_left`, but ``f`` returns a promise, waited for before the next node."""
    state = acc
    tail: _SeqLike[T] | None = None

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal state, tail
        if tail is None:
            if isinstance(v, Cons):
                tail = v.tail
                return False, _lwt.apply(f, state, v.head)
            _expect_nil("fold_left_s", v)
            return True, _lwt.return_(state)
        state = v
        rest, tail = tail, None
        return False, _force(rest)

    return _drive(_force(s), step)


def iter(f: Callable[[T], object], s: _SeqLike[T]) -> Promise[None]:
    """Call ``f`` on each element; the next node is asked for once ``f`` returns.

    Returns:
        A promise fulfilled with ``None`` after the last element.
    """

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        if isinstance(n, Cons):
            f(n.head)
            return False, _force(n.tail)
        _expect_nil("iter", n)
        return True, _lwt.return_unit

    return _drive(_force(s), step)


def iter_s(f: Callable[[T], Promise[object]], s: _SeqLike[T]) -> Promise[None]:
    """Call ``f`` on each element; the next node is asked for once ``f``'s promise is fulfilled."""
    tail: _SeqLike[T] | None = None

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal tail
        if tail is None:
            if isinstance(v, Cons):
                tail = v.tail
                return False, _lwt.apply(f, v.head)
            _expect_nil("iter_s", v)
            return True, _lwt.return_unit
        rest, tail = tail, None
        return False, _force(rest)

    return _drive(_force(s), step)


def iter_p(f: Callable[[T], Promise[object]], s: _SeqLike[T]) -> Promise[None]:
    """Call ``f`` on each element as soon as its node is ready, and wait for all.

    Returns:
        A promise fulfilled with ``None`` once the sequence has ended and
        every promise of ``f`` is fulfilled; otherwise rejected as
        :func:`lwt.core.join` is.  An exception raised by ``f`` rejects it at
        once and stops the walk.
    """
    started: list[Promise[object]] = []

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        if isinstance(n, Cons):
            started.append(_promise("iter_p", f(n.head)))
            return False, _force(n.tail)
        _expect_nil("iter_p", n)
        started.reverse()
        return True, _lwt.join(cast("list[Promise[None]]", started))

    return _drive(_force(s), step)


def iter_n(
    f: Callable[[T], Promise[object]], s: _SeqLike[T], *, max_concurrency: int = 1
) -> Promise[None]:
    """Call ``f`` on each element, with at most ``max_concurrency`` of its promises pending.

    A node is asked for only when there is room for another promise of
    ``f``; when there is none, the walk waits until at least one of them is
    fulfilled.

    Args:
        f: the function to call on each element.
        s: the sequence.
        max_concurrency: how many promises of ``f`` may be pending at once.

    Returns:
        A promise fulfilled with ``None`` once the sequence has ended and
        every promise of ``f`` is fulfilled.  A rejection of one of them
        rejects it (at the latest when the sequence ends).

    Raises:
        InvalidArgument: ``max_concurrency`` is less than 1.
    """
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise TypeError(
            f"iter_n: max_concurrency must be an int, got {type(max_concurrency).__name__}"
        )
    if max_concurrency < 1:
        raise InvalidArgument(f"iter_n: max_concurrency must be > 0, {max_concurrency} given")
    running: list[Promise[object]] = []  # oldest first
    room = max_concurrency
    rest: _SeqLike[T] = s
    waiting_for_room = False

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal room, rest, waiting_for_room
        if waiting_for_room:
            done, still = v
            running[:] = still[::-1]
            room += len(done)
            waiting_for_room = False
            return False, _force(rest)
        if isinstance(v, Cons):
            running.append(_promise("iter_n", f(v.head)))
            room -= 1
            rest = v.tail
            if room > 0:
                return False, _force(rest)
            waiting_for_room = True
            return False, _lwt.nchoose_split(running[::-1])
        _expect_nil("iter_n", v)
        running.reverse()
        return True, _lwt.join(cast("list[Promise[None]]", running))

    return _drive(_force(s), step)


def to_list(s: _SeqLike[T]) -> Promise[list[T]]:
    """A promise of the list of the elements of ``s``, in order."""
    out: list[T] = []

    def step(n: Node[T]) -> tuple[bool, Promise[Any]]:
        if isinstance(n, Cons):
            out.append(n.head)
            return False, _force(n.tail)
        _expect_nil("to_list", n)
        return True, _lwt.return_(out)

    return _drive(_force(s), step)
