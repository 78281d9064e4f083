"""Streams of values that arrive over time: OCaml's ``Lwt_stream``.

A :class:`Stream` hands out elements one at a time through promises.  Its
*source* decides where they come from: a push function (:func:`create`), a
bounded push object that makes producers wait (:func:`create_bounded`), or a
function called whenever a reader needs more (:func:`from_`,
:func:`from_direct`).  Everything else in this module (``map``, ``filter``,
``append``, ``choose`` ...) builds new streams of the second kind on top of
existing ones.

How elements are kept
=====================
As in Lwt, the elements waiting to be read form a singly linked list of
nodes shared by a stream and its clones.  The last node is always an empty
*hole*; adding an element fills the hole and hangs a new hole after it, and
the end of the stream is a node holding an end marker, which is never
consumed.  Each stream (each clone) only remembers its own first unread
node, so a node that every clone has read is unreachable and freed at once:
a long stream runs in constant memory as long as it is read.  Cloning is
just copying that pointer, which is why a clone sees every element added
after it was made.

A reader that reaches the hole asks the source for more.  It waits on a
promise of its own, so cancelling it withdraws that reader and nobody else;
the element it waited for stays in the list for the next reader.  Readers
only decide which node to take when they start, so, as in Lwt, several
``get`` calls waiting at the same time all receive the *same* next element
(it is consumed once).

The consumers walk the nodes that are already available in a loop and only
go through ``bind`` when they must wait; the combinators that chain reads
with ``bind`` rely on the core's bound on nesting.  Either way no stream is
too long for the Python stack.

.. note::
   Differences from Lwt, all small:

   * Constructors are module functions, consumers and combinators are
     methods, and each is also a module function with Lwt's argument order
     (``stream.get(s)``, ``stream.map(f, s)``, ``stream.fold(f, s, init)``).
   * ``None`` ends a stream where Lwt uses ``None`` (the push function of
     :func:`create`, the functions given to :func:`from_` and
     :func:`from_direct`, the result of :meth:`Stream.get`).  Elements
     themselves may be ``None`` in streams made by :func:`of_list`,
     :meth:`Stream.map` and the like, and in bounded streams;
     :meth:`Stream.next`, :meth:`Stream.to_list`, ``async for`` and the
     other consumers see them correctly, only ``get``/``peek`` cannot tell
     them from the end.
   * Exceptions raised by the functions given to consumers
     (``iter``, ``fold``, ``find``...) reject the returned promise instead of
     escaping from the call.
   * ``of_seq`` is :func:`of_iterable`; ``of_array`` is :func:`of_list`
     (which takes any iterable); :func:`of_string` yields 1-character
     ``str`` and :func:`of_bytes` 1-byte ``bytes``; :meth:`Stream.to_bytes`
     is the ``bytes`` twin of :meth:`Stream.to_string`.
   * :meth:`Stream.hexdump` prints each line exactly as ``hexdump -C`` does
     (Lwt's differs by a ``|`` after the offset) and accepts chunks of any
     length, ``bytes`` or ``str`` (encoded as UTF-8).
   * Moving a blocked push into a bounded stream with
     :meth:`BoundedPush.resize` also wakes readers waiting for it (Lwt
     leaves them asleep).
   * :meth:`Stream.closed` is resolved before readers waiting on the stream
     see its end, for every kind of source.
   * :func:`choose` reads a failing stream again at the next read instead of
     repeating the same failure forever.
   * Waiting readers are resumed with :func:`lwt.core.wakeup_later` for every
     kind of source (Lwt does so for push streams; for ``from`` streams it
     resumes them at once).
   * The deprecated ``on_termination``, ``on_terminate`` and ``junk_old``
     emit a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import builtins as _builtins
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from lwt.core import (
    Error,
    InvalidArgument,
    Ok,
    Promise,
    Resolver,
    apply,
    catch,
    fail,
    join,
    nchoose_split,
    return_false,
    return_none,
    return_true,
    return_unit,
    task,
    try_bind,
    wait,
    wakeup,
    wakeup_later,
    wakeup_later_exn,
)
from lwt.core import choose as _choose_promise
from lwt.core import return_ as _ret

if TYPE_CHECKING:
    from lwt.core.seq import Node

T = TypeVar("T")
U = TypeVar("U")
A = TypeVar("A")

__all__ = [
    "BoundedPush",
    "Closed",
    "Empty",
    "Full",
    "Stream",
    "append",
    "choose",
    "clone",
    "closed",
    "combine",
    "concat",
    "create",
    "create_bounded",
    "create_with_reference",
    "filter",
    "filter_map",
    "filter_map_s",
    "filter_s",
    "find",
    "find_map",
    "find_map_s",
    "find_s",
    "flatten",
    "fold",
    "fold_s",
    "from_",
    "from_direct",
    "get",
    "get_available",
    "get_available_up_to",
    "get_while",
    "get_while_s",
    "hexdump",
    "is_closed",
    "is_empty",
    "iter",
    "iter_n",
    "iter_p",
    "iter_s",
    "junk",
    "junk_available",
    "junk_old",
    "junk_while",
    "junk_while_s",
    "last_new",
    "map",
    "map_list",
    "map_list_s",
    "map_s",
    "next",
    "nget",
    "njunk",
    "npeek",
    "of_bytes",
    "of_iterable",
    "of_list",
    "of_lwt_seq",
    "of_string",
    "on_terminate",
    "on_termination",
    "parse",
    "peek",
    "return_",
    "return_lwt",
    "to_bytes",
    "to_list",
    "to_string",
    "wrap_exn",
]


# ------------------------------------------------------------------ exceptions
class Closed(Exception):
    """Pushing to a stream that is already closed (``Lwt_stream.Closed``).

    The push function of :func:`create` raises it; :meth:`BoundedPush.push`
    returns a promise rejected with it, and so does a push that was blocked
    when the bounded stream was closed.
    """


class Full(Exception):
    """A bounded stream is full and a push is already waiting (``Lwt_stream.Full``)."""


class Empty(Exception):
    """The stream has no more elements (``Lwt_stream.Empty``), from :meth:`Stream.next`."""


for _cls in (Closed, Full, Empty):
    _cls.__module__ = __name__
del _cls


# ------------------------------------------------------------------ the queue
class _Marker:
    """A private sentinel: the hole at the end of the queue, or the end of the stream."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


_HOLE: Any = _Marker("<hole>")
_END: Any = _Marker("<end of stream>")

# A list of waiting readers is compacted (canceled ones dropped) when it grows
# past twice the live count found by the previous compaction, never below this.
_COMPACT_FLOOR = 64


class _Node:
    """One cell of the queue: an element, the end marker, or the hole.

    ``next`` is set when the hole is filled; the hole itself has none.
    Nodes are made by :func:`_hole`, which skips ``__init__``.
    """

    __slots__ = ("data", "next")

    data: Any
    next: _Node


_alloc = object.__new__


def _hole() -> _Node:
    node: _Node = _alloc(_Node)
    node.data = _HOLE
    return node


class _Source:
    """What a stream and its clones share: the end of the queue and the supplier.

    Subclasses say how more elements are obtained: :meth:`poke` tries
    without waiting, :meth:`pull` returns a promise to wait on when that
    fails.  Both raise the supplier's exception when it fails at once.
    """

    __slots__ = ("closed", "closer", "done", "external", "last", "limit", "waiters")

    bounded = False

    def __init__(self) -> None:
        self.last = _hole()
        self.closed: Promise[None]
        self.closer: Resolver[None]
        self.closed, self.closer = wait()
        self.done = False
        # Pending readers' promises (made by task(), so they are resolvers too).
        self.waiters: list[Any] = []
        self.limit = _COMPACT_FLOOR
        self.external: object = None

    def enqueue(self, x: Any) -> None:
        node = self.last
        new = _alloc(_Node)
        new.data = _HOLE
        node.next = new
        node.data = x
        self.last = new

    def finish(self) -> None:
        """Add the end marker and resolve the promise of :meth:`Stream.closed`."""
        self.done = True
        self.enqueue(_END)
        wakeup(self.closer, None)

    def poke(self) -> bool:
        """Try to add something to the queue at once; report whether it grew."""
        return False

    def pull(self) -> Promise[None] | None:
        """Return ``None`` if the queue grew at once, else a promise to wait for."""
        if self.poke():
            return None
        return self.waiter()

    def waiter(self) -> Promise[None]:
        """A cancelable promise resolved when the queue grows or the supplier fails."""
        p, _ = task()
        ws = self.waiters
        ws.append(p)
        if len(ws) > self.limit:
            live = [w for w in ws if w.is_sleeping()]
            self.waiters = live
            self.limit = max(_COMPACT_FLOOR, 2 * len(live))
        return p

    def wake(self) -> None:
        ws = self.waiters
        if ws:
            self.waiters = []
            self.limit = _COMPACT_FLOOR
            for w in ws:
                # A canceled waiter is skipped by wakeup_later itself.
                wakeup_later(w, None)

    def wake_exn(self, exc: BaseException) -> None:
        ws = self.waiters
        if ws:
            self.waiters = []
            self.limit = _COMPACT_FLOOR
            for w in ws:
                wakeup_later_exn(w, exc)

    def consumed(self) -> None:
        """Called when the stream reads an element (bounded streams count them)."""


class _PushSource(_Source):
    """The source of :func:`create`: elements come from the push function."""

    __slots__ = ()

    def pull(self) -> Promise[None] | None:
        return self.waiter()

    def push(self, x: object) -> None:
        if self.done:
            raise Closed("push: the stream is closed")
        if x is None:
            self.finish()
        else:
            self.enqueue(x)
        self.wake()

    def set_reference(self, x: object) -> None:
        self.external = x


class _BoundedSource(_Source):
    """The source of :func:`create_bounded`: at most ``size`` queued elements."""

    __slots__ = ("blocked", "count", "pending", "pusher", "size")

    bounded = True

    def pull(self) -> Promise[None] | None:
        return self.waiter()

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.count = 0
        # At most one push waits for room: its element and its promise.
        self.blocked = False
        self.pending: Any = None
        # The blocked push's promise, made by task() (so also its resolver).
        self.pusher: Any = None

    def is_blocked(self) -> bool:
        # A canceled push is noticed here, lazily: it gives up its place.
        if self.blocked and not self.pusher.is_sleeping():
            self.blocked = False
            self.pending = None
            self.pusher = None
        return self.blocked

    def admit(self) -> None:
        """Move the blocked element into the queue and fulfil its push."""
        x = self.pending
        pusher = self.pusher
        self.blocked = False
        self.pending = None
        self.pusher = None
        self.enqueue(x)
        self.wake()
        wakeup_later(pusher, None)

    def consumed(self) -> None:
        if self.blocked and self.is_blocked():
            self.admit()
        else:
            self.count -= 1


class _FromSource(_Source):
    """Elements come from promises returned by a function (:func:`from_`)."""

    __slots__ = ("busy", "end_value", "fn")

    def __init__(self, fn: Callable[[], Promise[Any]], end_value: Any) -> None:
        super().__init__()
        self.fn = fn
        self.end_value = end_value
        self.busy = False

    def poke(self) -> bool:
        if self.busy:
            return False
        p: Any = self.fn()
        if not isinstance(p, Promise):
            raise TypeError(
                f"from_: the function {_name(self.fn)} returned {type(p).__name__}, "
                "but it must return an lwt promise"
            )
        if p.is_sleeping():
            self.busy = True
            p.on_any(self._fulfilled, self._rejected)
            return False
        self._put(p.poll())
        return True

    def _put(self, v: Any) -> None:
        if v is self.end_value:
            self.finish()
        else:
            self.enqueue(v)

    def _fulfilled(self, v: Any) -> None:
        self.busy = False
        self._put(v)
        self.wake()

    def _rejected(self, exc: BaseException) -> None:
        self.busy = False
        self.wake_exn(exc)


class _DirectSource(_Source):
    """Elements come from a plain function (:func:`from_direct`)."""

    __slots__ = ("end_value", "fn")

    def __init__(self, fn: Callable[[], Any], end_value: Any) -> None:
        super().__init__()
        self.fn = fn
        self.end_value = end_value

    def poke(self) -> bool:
        v = self.fn()
        if v is self.end_value:
            self.finish()
        else:
            self.enqueue(v)
        return True


def _name(f: object) -> str:
    return getattr(f, "__qualname__", None) or repr(f)


def _feed(src: _Source, cont: Callable[[Any], Promise[Any]]) -> Promise[Any] | None:
    """At the hole: ``None`` if the queue grew at once, else ``cont`` after waiting.

    A supplier failing at once gives a rejected promise.
    """
    try:
        w = src.pull()
    except Exception as exc:
        return fail(exc)
    if w is None:
        return None
    return w.bind(cont)


def _not_a_promise(api: str, f: object, r: object) -> TypeError:
    return TypeError(
        f"{api}: the function {_name(f)} returned {type(r).__name__}, "
        "but it must return an lwt promise"
    )


def _stop_at_end(x: Any) -> Promise[Any]:
    if x is _END:
        return fail(StopAsyncIteration())
    return _ret(x)


def _none_at_end(x: Any) -> Any:
    return None if x is _END else x


def _empty_at_end(x: Any) -> Promise[Any]:
    if x is _END:
        return fail(Empty())
    return _ret(x)


def _new_stream(src: _Source, node: _Node | None = None) -> Stream[Any]:
    s: Stream[Any] = object.__new__(Stream)
    s._src = src
    s._node = src.last if node is None else node
    return s


def _derived(fn: Callable[[], Promise[Any]]) -> Stream[Any]:
    """A stream fed by ``fn``, whose promises give ``_END`` at the end."""
    return _new_stream(_FromSource(fn, _END))


# ------------------------------------------------------------------ the stream
class Stream(Generic[T]):
    """A stream of elements of type ``T`` (``'a Lwt_stream.t``).

    Streams are made by the functions of this module (:func:`create`,
    :func:`from_`, :func:`of_list` ...), never by calling the class.  Reading
    is destructive: an element read by one consumer is gone for every other
    consumer of the same stream, but not for its clones (:meth:`clone`).
    ``async for x in s`` reads the stream to its end inside a coroutine
    driven by ``lwt.ppx``.
    """

    __slots__ = ("__weakref__", "_node", "_src")

    _node: _Node
    _src: _Source

    def __init__(self) -> None:
        raise TypeError("streams are made by lwt.core.stream.create(), from_(), of_list() ...")

    def __repr__(self) -> str:
        return f"<Stream {'closed' if self._src.done else 'open'}>"

    # ---------------------------------------------------------------- helpers
    def _consume(self, node: _Node) -> None:
        """Drop ``node`` from the front of the stream if it is still there."""
        if node is self._node:
            self._node = node.next
            self._src.consumed()

    def _get_raw(self) -> Promise[Any]:
        """Like :meth:`get`, but the end of the stream is ``_END``, not ``None``."""
        node = self._node
        data = node.data
        if data is _HOLE:
            return self._get_slow(node)
        if data is not _END:
            self._consume(node)
        return _ret(data)

    def _get_slow(self, node: _Node) -> Promise[Any]:
        src = self._src

        def retry(_: object = None) -> Promise[Any]:
            while True:
                data = node.data
                if data is not _HOLE:
                    if data is not _END:
                        self._consume(node)
                    return _ret(data)
                p = _feed(src, retry)
                if p is not None:
                    return p

        return retry()

    def _peek_raw(self) -> Promise[Any]:
        node = self._node
        src = self._src

        def retry(_: object = None) -> Promise[Any]:
            while True:
                data = node.data
                if data is not _HOLE:
                    return _ret(data)
                p = _feed(src, retry)
                if p is not None:
                    return p

        return retry()

    # ------------------------------------------------------ async iteration
    def __aiter__(self) -> Stream[T]:
        """Return the stream itself: ``async for`` reads it element by element."""
        return self

    def __anext__(self) -> Promise[T]:
        """Return a promise of the next element, rejected with ``StopAsyncIteration`` at the end."""
        return self._get_raw().bind(_stop_at_end)

    # ------------------------------------------------------------ inspection
    def is_closed(self) -> bool:
        """Return whether the stream's source has ended.

        A closed stream may still hold unread elements, but reading it
        never waits any more.
        """
        return self._src.done

    def closed(self) -> Promise[None]:
        """Return a promise fulfilled when the stream's source ends.

        The promise is shared by every caller and cannot be canceled.
        """
        return self._src.closed

    def on_termination(self, f: Callable[[], object]) -> None:
        """Call ``f()`` once the stream is closed (deprecated: use :meth:`closed`).

        Runs ``f`` at once if the stream is already closed.  Emits a
        :class:`DeprecationWarning`, as Lwt deprecates it.
        """
        warnings.warn(
            "on_termination is deprecated: use stream.closed().on_termination(f)",
            DeprecationWarning,
            stacklevel=2,
        )
        self._src.closed.on_termination(f)

    def on_terminate(self, f: Callable[[], object]) -> None:
        """Same as :meth:`on_termination` (deprecated as well)."""
        warnings.warn(
            "on_terminate is deprecated: use stream.closed().on_termination(f)",
            DeprecationWarning,
            stacklevel=2,
        )
        self._src.closed.on_termination(f)

    def clone(self) -> Stream[T]:
        """Return a stream that reads the same elements independently.

        The clone starts at this stream's first unread element and sees every
        element added afterwards; reading one of them does not consume the
        other's.

        Raises:
            InvalidArgument: the stream is a bounded push-stream.
        """
        if self._src.bounded:
            raise InvalidArgument("clone: a bounded push-stream cannot be cloned")
        return _new_stream(self._src, self._node)

    # ------------------------------------------------------------- retrieval
    def get(self) -> Promise[T | None]:
        """Remove and return the next element, or ``None`` at the end of the stream.

        Waits for an element if none is available.  Cancelling the promise
        withdraws the request: the element stays for the next reader.
        """
        return self._get_raw().map(_none_at_end)

    def next(self) -> Promise[T]:
        """Remove and return the next element; reject with :class:`Empty` at the end."""
        return self._get_raw().bind(_empty_at_end)

    def peek(self) -> Promise[T | None]:
        """Return the next element without removing it, or ``None`` at the end."""
        return self._peek_raw().map(_none_at_end)

    def junk(self) -> Promise[None]:
        """Remove the next element, waiting for it if needed (nothing at the end)."""
        return self._get_raw().map(_to_none)

    def is_empty(self) -> Promise[bool]:
        """Return a promise of whether the stream has no more elements.

        Waits until an element or the end is known; removes nothing.
        """
        src = self._src

        def retry(_: object = None) -> Promise[bool]:
            while True:
                data = self._node.data
                if data is not _HOLE:
                    return return_true if data is _END else return_false
                p = _feed(src, retry)
                if p is not None:
                    return p

        return retry()

    def npeek(self, n: int) -> Promise[list[T]]:
        """Return up to the first ``n`` elements without removing them.

        Waits until ``n`` elements are available or the stream ends.
        """
        acc: list[T] = []
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[list[T]]:
            nonlocal node
            while len(acc) < n:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    break
                acc.append(data)
                node = node.next
            return _ret(acc)

        return step()

    def nget(self, n: int) -> Promise[list[T]]:
        """Remove and return up to the next ``n`` elements.

        Waits until ``n`` elements were read or the stream ends.  Elements
        are removed as they arrive, so cancelling a partial read loses them.
        """
        acc: list[T] = []
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[list[T]]:
            nonlocal node
            while len(acc) < n:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    break
                self._consume(node)
                acc.append(data)
                node = node.next
            return _ret(acc)

        return step()

    def njunk(self, n: int) -> Promise[None]:
        """Remove up to the next ``n`` elements."""
        return self.nget(n).map(_to_none)

    def get_while(self, f: Callable[[T], bool]) -> Promise[list[T]]:
        """Remove and return the longest prefix whose elements satisfy ``f``.

        The first element that fails ``f`` stays in the stream.
        """
        acc: list[T] = []
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[list[T]]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END or not f(data):
                    return _ret(acc)
                self._consume(node)
                acc.append(data)
                node = node.next

        return _guard(step)

    def get_while_s(self, f: Callable[[T], Promise[bool]]) -> Promise[list[T]]:
        """Like :meth:`get_while` with a test that returns a promise."""
        acc: list[T] = []
        return self._while_s("get_while_s", f, acc.append).map(lambda _: acc)

    def junk_while(self, f: Callable[[T], bool]) -> Promise[None]:
        """Remove the elements at the front of the stream that satisfy ``f``."""
        return self.get_while(f).map(_to_none)

    def junk_while_s(self, f: Callable[[T], Promise[bool]]) -> Promise[None]:
        """Like :meth:`junk_while` with a test that returns a promise."""
        return self._while_s("junk_while_s", f, _to_none)

    def _while_s(
        self, api: str, f: Callable[[T], Promise[bool]], keep: Callable[[Any], object]
    ) -> Promise[None]:
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[None]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    return return_unit
                r: Any = f(data)
                if not isinstance(r, Promise):
                    return fail(_not_a_promise(api, f, r))
                if r.is_sleeping():
                    return r.bind(decided)
                if not r.poll():
                    return return_unit
                self._consume(node)
                keep(data)
                node = node.next

        def decided(ok: bool) -> Promise[None]:
            nonlocal node
            if not ok:
                return return_unit
            self._consume(node)
            keep(node.data)
            node = node.next
            return step()

        return _guard(step)

    def last_new(self) -> Promise[T]:
        """Return the last element available without waiting, removing all of them.

        If no element is available, wait for the next one.  Rejects with
        :class:`Empty` if the stream has ended.
        """
        node = self._node
        if node.data is _HOLE:
            first = self.next()
            if first.is_sleeping():
                return first
            try:
                x = first.poll()
            except Exception:
                return first
            return self._last_available(node.next, x)
        if node.data is _END:
            return fail(Empty())
        self._consume(node)
        return self._last_available(node.next, node.data)

    def _last_available(self, node: _Node, x: Any) -> Promise[Any]:
        src = self._src
        while True:
            data = node.data
            if data is _HOLE:
                try:
                    grew = src.poke()
                except Exception as exc:
                    return fail(exc)
                if grew:
                    continue
                return _ret(x)
            if data is _END:
                return _ret(x)
            self._consume(node)
            x = data
            node = node.next

    def get_available(self) -> list[T]:
        """Remove and return every element available without waiting.

        Raises:
            Exception: whatever the stream's source raises at once.
        """
        return self._available(-1, True)

    def get_available_up_to(self, n: int) -> list[T]:
        """Remove and return at most ``n`` elements available without waiting."""
        if n <= 0:
            return []
        return self._available(n, True)

    def junk_available(self) -> None:
        """Remove every element available without waiting."""
        self._available(-1, False)

    def junk_old(self) -> Promise[None]:
        """Same as :meth:`junk_available`, as a promise (deprecated in Lwt)."""
        warnings.warn(
            "junk_old is deprecated: use junk_available", DeprecationWarning, stacklevel=2
        )
        self._available(-1, False)
        return return_unit

    def _available(self, n: int, keep: bool) -> list[Any]:
        acc: list[Any] = []
        node = self._node
        src = self._src
        while n != 0:
            data = node.data
            if data is _HOLE:
                if src.poke():
                    continue
                break
            if data is _END:
                break
            self._consume(node)
            if keep:
                acc.append(data)
            node = node.next
            n -= 1
        return acc

    def to_list(self) -> Promise[list[T]]:
        """Read the whole stream and return its elements."""
        acc: list[T] = []
        return self.iter(acc.append).map(lambda _: acc)

    def to_string(self: Stream[str]) -> Promise[str]:
        """Read a stream of strings (characters) to its end and join them."""
        return self.to_list().map("".join)

    def to_bytes(self: Stream[bytes]) -> Promise[bytes]:
        """Read a stream of ``bytes`` to its end and join them."""
        return self.to_list().map(b"".join)

    # ------------------------------------------------------------ traversal
    def iter(self, f: Callable[[T], object]) -> Promise[None]:
        """Call ``f`` on every element, in order, until the stream ends.

        An exception raised by ``f`` rejects the result and stops the loop.
        """
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[None]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    return return_unit
                self._consume(node)
                node = node.next
                f(data)

        return _guard(step)

    def iter_s(self, f: Callable[[T], Promise[None]]) -> Promise[None]:
        """Call ``f`` on every element, waiting for each promise before the next call.

        The first rejection (or exception raised by ``f``) rejects the result
        and stops the loop.
        """
        node = self._node
        src: Any = self._src
        bounded = src.bounded
        unit = return_unit

        def step(_: object = None) -> Promise[None]:
            # The loop keeps its position in a local; the cell ``node`` is
            # only updated when the loop has to wait.
            nonlocal node
            n = node
            while True:
                data = n.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    node = n
                    return p
                if data is _END:
                    return unit
                nxt = n.next
                if n is self._node:
                    self._node = nxt
                    if bounded:
                        if src.blocked:
                            src.consumed()
                        else:
                            src.count -= 1
                n = nxt
                r: Any = f(data)
                if r is unit:
                    continue
                if r.__class__ is not Promise and not isinstance(r, Promise):
                    return fail(_not_a_promise("iter_s", f, r))
                if r.is_sleeping():
                    node = n
                    return r.bind(step)
                r.poll()

        return _guard(step)

    def iter_p(self, f: Callable[[T], Promise[None]]) -> Promise[None]:
        """Call ``f`` on every element as it arrives, without waiting between calls.

        The result is fulfilled once the stream has ended and every call's
        promise is fulfilled.  It is rejected with the rejection of the
        earliest call (in stream order) that fails, once all calls before it
        are fulfilled; the stream is still read to its end.

        .. note::
           Cancelling the result stops reading the stream and cancels the
           calls still pending; in Lwt it cancels only the promise the
           chain is waiting on at that moment.
        """
        result: Promise[None]
        resolver: Resolver[None]
        result, resolver = task()
        # The calls not yet known to be fulfilled, in stream order, then
        # _END once the stream has ended or a rejected promise if reading
        # it failed.  Fulfilled calls are never stored.
        order: deque[Any] = deque()
        watched: list[Any] = [None]
        node = self._node
        src = self._src

        def settle(_: object = None) -> None:
            while order:
                head = order[0]
                if head is _END:
                    order.clear()
                    wakeup(resolver, None)
                    return
                if head.is_sleeping():
                    if watched[0] is not head:
                        watched[0] = head
                        head.on_termination(settle)
                    return
                order.popleft()
                try:
                    head.poll()
                except Exception as exc:
                    order.clear()
                    wakeup_later_exn(resolver, exc)
                    return

        def step(_: object = None) -> Promise[None]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    if result.is_sleeping():
                        order.append(_END)
                        settle()
                    return return_unit
                self._consume(node)
                node = node.next
                r = apply(f, data)
                if not r.is_sleeping():
                    try:
                        r.poll()
                        continue
                    except Exception:
                        pass
                if result.is_sleeping():
                    order.append(r)
                    if len(order) == 1:
                        settle()

        def read_failed(exc: BaseException) -> None:
            if result.is_sleeping():
                order.append(fail(exc))
                settle()

        reading = _guard(step)

        def stop() -> None:
            reading.cancel()
            pending = list(order)
            order.clear()
            for p in pending:
                if p is not _END:
                    p.cancel()

        result.on_cancel(stop)
        reading.on_failure(read_failed)
        return result

    def iter_n(self, f: Callable[[T], Promise[None]], max_concurrency: int = 1) -> Promise[None]:
        """Call ``f`` on the elements with at most ``max_concurrency`` calls pending.

        Calls are started in stream order but may finish in any order.  A
        rejected call is noticed when the loop waits for room, or at the end,
        and then rejects the result (no new call starts after that).

        Raises:
            InvalidArgument: ``max_concurrency`` is below 1.
        """
        if max_concurrency < 1:
            raise InvalidArgument(
                f"iter_n: max_concurrency must be at least 1, got {max_concurrency}"
            )
        running: list[Promise[None]] = []
        available = max_concurrency

        def loop(_: object = None) -> Promise[None]:
            nonlocal available, running
            while True:
                if available <= 0:
                    split = nchoose_split(running)
                    if split.is_sleeping():
                        return split.bind(room)
                    try:
                        done, running = cast("tuple[list[None], list[Promise[None]]]", split.poll())
                    except Exception:
                        return cast(Promise[None], split)
                    available += len(done)
                    continue
                g = self._get_raw()
                if g.is_sleeping():
                    return g.bind(got)
                try:
                    x = g.poll()
                except Exception:
                    return g
                if x is _END:
                    return join(running)
                running.append(apply(f, x))
                available -= 1

        def room(split: tuple[list[None], list[Promise[None]]]) -> Promise[None]:
            nonlocal available, running
            done, running = split
            available += len(done)
            return loop()

        def got(x: Any) -> Promise[None]:
            nonlocal available
            if x is _END:
                return join(running)
            running.append(apply(f, x))
            available -= 1
            return loop()

        return loop()

    def fold(self, f: Callable[[T, A], A], init: A) -> Promise[A]:
        """Combine the elements in order: ``acc = f(x, acc)``, starting from ``init``."""
        acc = init

        def add(x: T) -> None:
            nonlocal acc
            acc = f(x, acc)

        return self.iter(add).map(lambda _: acc)

    def fold_s(self, f: Callable[[T, A], Promise[A]], init: A) -> Promise[A]:
        """Like :meth:`fold` with a function that returns a promise of the new value."""
        acc = init

        def add(x: T) -> Promise[None]:
            r: Any = f(x, acc)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("fold_s", f, r))
            return r.map(store)

        def store(v: A) -> None:
            nonlocal acc
            acc = v

        return self.iter_s(add).map(lambda _: acc)

    def find(self, f: Callable[[T], bool]) -> Promise[T | None]:
        """Remove elements up to the first that satisfies ``f`` and return it.

        That element is removed as well.  ``None`` if the stream ends first.
        """
        return self.find_map(lambda x: _Found(x) if f(x) else None).map(_unwrap)

    def find_s(self, f: Callable[[T], Promise[bool]]) -> Promise[T | None]:
        """Like :meth:`find` with a test that returns a promise."""

        def test(x: T) -> Promise[_Found | None]:
            r: Any = f(x)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("find_s", f, r))
            return r.map(lambda ok: _Found(x) if ok else None)

        return self.find_map_s(test).map(_unwrap)

    def find_map(self, f: Callable[[T], U | None]) -> Promise[U | None]:
        """Remove elements until ``f`` returns something other than ``None``; return it."""
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[U | None]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    return return_none
                self._consume(node)
                node = node.next
                y = f(data)
                if y is not None:
                    return _ret(y)

        return _guard(step)

    def find_map_s(self, f: Callable[[T], Promise[U | None]]) -> Promise[U | None]:
        """Like :meth:`find_map` with a function that returns a promise."""
        node = self._node
        src = self._src

        def step(_: object = None) -> Promise[U | None]:
            nonlocal node
            while True:
                data = node.data
                if data is _HOLE:
                    p = _feed(src, step)
                    if p is None:
                        continue
                    return p
                if data is _END:
                    return return_none
                self._consume(node)
                node = node.next
                r: Any = f(data)
                if not isinstance(r, Promise):
                    return fail(_not_a_promise("find_map_s", f, r))
                if r.is_sleeping():
                    return r.bind(found)
                y = r.poll()
                if y is not None:
                    return _ret(y)

        def found(y: U | None) -> Promise[U | None]:
            if y is not None:
                return _ret(y)
            return step()

        return _guard(step)

    # ---------------------------------------------------------- combinators
    def map(self, f: Callable[[T], U]) -> Stream[U]:
        """Return the stream of ``f(x)`` for each element ``x`` (read lazily)."""

        def apply_f(x: Any) -> Any:
            return x if x is _END else f(x)

        return _derived(lambda: self._get_raw().map(apply_f))

    def map_s(self, f: Callable[[T], Promise[U]]) -> Stream[U]:
        """Like :meth:`map` with a function that returns a promise."""

        def apply_f(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            r: Any = f(x)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("map_s", f, r))
            return r

        return _derived(lambda: self._get_raw().bind(apply_f))

    def filter(self, f: Callable[[T], bool]) -> Stream[T]:
        """Return the stream of the elements that satisfy ``f``."""

        def pull() -> Promise[Any]:
            while True:
                p = self._get_raw()
                if p.is_sleeping():
                    return p.bind(check)
                x: Any = p.poll()
                if x is _END or f(x):
                    return _ret(x)

        def check(x: Any) -> Promise[Any]:
            if x is _END or f(x):
                return _ret(x)
            return pull()

        return _derived(pull)

    def filter_s(self, f: Callable[[T], Promise[bool]]) -> Stream[T]:
        """Like :meth:`filter` with a test that returns a promise."""

        def verdict(x: Any) -> Callable[[bool], Promise[Any]]:
            # Once f has answered about x: the element if it passed, else read on.
            def on(ok: bool) -> Promise[Any]:
                return _ret(x) if ok else pull()

            return on

        def pull() -> Promise[Any]:
            while True:
                p = self._get_raw()
                if p.is_sleeping():
                    return p.bind(check)
                x: Any = p.poll()
                if x is _END:
                    return _ret(_END)
                r: Any = f(x)
                if not isinstance(r, Promise):
                    raise _not_a_promise("filter_s", f, r)
                if r.is_sleeping():
                    return r.bind(verdict(x))
                if r.poll():
                    return _ret(x)

        def check(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            r: Any = f(x)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("filter_s", f, r))
            return r.bind(verdict(x))

        return _derived(pull)

    def filter_map(self, f: Callable[[T], U | None]) -> Stream[U]:
        """Return the stream of the values ``f(x)`` that are not ``None``."""

        def pull() -> Promise[Any]:
            while True:
                p = self._get_raw()
                if p.is_sleeping():
                    return p.bind(check)
                x: Any = p.poll()
                if x is _END:
                    return _ret(_END)
                y = f(x)
                if y is not None:
                    return _ret(y)

        def check(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            y = f(x)
            if y is not None:
                return _ret(y)
            return pull()

        return _derived(pull)

    def filter_map_s(self, f: Callable[[T], Promise[U | None]]) -> Stream[U]:
        """Like :meth:`filter_map` with a function that returns a promise."""

        def pull() -> Promise[Any]:
            while True:
                p = self._get_raw()
                if p.is_sleeping():
                    return p.bind(check)
                x: Any = p.poll()
                if x is _END:
                    return _ret(_END)
                r: Any = f(x)
                if not isinstance(r, Promise):
                    raise _not_a_promise("filter_map_s", f, r)
                if r.is_sleeping():
                    return r.bind(keep)
                y = r.poll()
                if y is not None:
                    return _ret(y)

        def check(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            r: Any = f(x)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("filter_map_s", f, r))
            return r.bind(keep)

        def keep(y: Any) -> Promise[Any]:
            if y is not None:
                return _ret(y)
            return pull()

        return _derived(pull)

    def map_list(self, f: Callable[[T], Iterable[U]]) -> Stream[U]:
        """Return the stream of the elements of ``f(x)``, for each element ``x`` in turn."""
        pending: deque[Any] = deque()

        def pull() -> Promise[Any]:
            while not pending:
                p = self._get_raw()
                if p.is_sleeping():
                    return p.bind(refill)
                x: Any = p.poll()
                if x is _END:
                    return _ret(_END)
                pending.extend(f(x))
            return _ret(pending.popleft())

        def refill(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            pending.extend(f(x))
            return pull()

        return _derived(pull)

    def map_list_s(self, f: Callable[[T], Promise[Iterable[U]]]) -> Stream[U]:
        """Like :meth:`map_list` with a function that returns a promise."""
        pending: deque[Any] = deque()

        def pull() -> Promise[Any]:
            if pending:
                return _ret(pending.popleft())
            return self._get_raw().bind(expand)

        def expand(x: Any) -> Promise[Any]:
            if x is _END:
                return _ret(_END)
            r: Any = f(x)
            if not isinstance(r, Promise):
                return fail(_not_a_promise("map_list_s", f, r))
            return r.bind(refill)

        def refill(items: Iterable[U]) -> Promise[Any]:
            pending.extend(items)
            return pull()

        return _derived(pull)

    def flatten(self: Stream[Iterable[U]]) -> Stream[U]:
        """Return the stream of the elements of each element (a stream of iterables)."""
        return self.map_list(_identity)

    def combine(self, other: Stream[U]) -> Stream[tuple[T, U]]:
        """Return the stream of pairs of elements of the two streams, in step.

        It ends when either stream ends; each read takes one element from each.
        """

        def pull() -> Promise[Any]:
            p1 = self._get_raw()
            p2 = other._get_raw()
            return p1.bind(lambda x1: p2.map(lambda x2: _pair(x1, x2)))

        return _derived(pull)

    def append(self, other: Stream[T]) -> Stream[T]:
        """Return the elements of this stream, then those of ``other``."""
        current: list[Stream[Any]] = [self]

        def pull() -> Promise[Any]:
            return current[0]._get_raw().bind(check)

        def check(x: Any) -> Promise[Any]:
            if x is _END and current[0] is not other:
                current[0] = other
                return pull()
            return _ret(x)

        return _derived(pull)

    def concat(self: Stream[Stream[U]]) -> Stream[U]:
        """Return the elements of each stream of this stream of streams, in turn."""
        current: list[Stream[Any] | None] = [None]

        def pull() -> Promise[Any]:
            inner = current[0]
            if inner is None:
                return self._get_raw().bind(next_stream)
            return inner._get_raw().bind(check)

        def check(x: Any) -> Promise[Any]:
            if x is _END:
                current[0] = None
                return pull()
            return _ret(x)

        def next_stream(s: Any) -> Promise[Any]:
            if s is _END:
                return _ret(_END)
            current[0] = s
            return pull()

        return _derived(pull)

    def wrap_exn(self) -> Stream[Ok[T] | Error[Exception]]:
        """Return a stream of ``Ok(x)`` for each element and ``Error(exc)`` for each failure.

        Each time reading this stream fails (its source raised ``exc``), the
        new stream yields ``Error(exc)`` and goes on reading.
        """

        def ok(x: Any) -> Promise[Any]:
            return _ret(_END if x is _END else Ok(x))

        def error(exc: BaseException) -> Promise[Any]:
            return _ret(Error(exc))

        return _derived(lambda: try_bind(self._get_raw, ok, error))

    def parse(self, f: Callable[[Stream[T]], Promise[U]]) -> Promise[U]:
        """Run the parser ``f`` on the stream; if it fails, put back what it read.

        Raises:
            InvalidArgument: the stream is a bounded push-stream.
        """
        if self._src.bounded:
            raise InvalidArgument("parse: a bounded push-stream cannot be parsed")
        start = self._node

        def restore(exc: BaseException) -> Promise[U]:
            self._node = start
            return fail(exc)

        return catch(lambda: f(self), restore)

    def hexdump(self: Stream[bytes] | Stream[str]) -> Stream[str]:
        """Return the lines ``hexdump -C`` would print for the bytes of this stream.

        Elements may be ``bytes`` of any length (Lwt's characters are 1-byte
        ``bytes``) or ``str`` (encoded as UTF-8).  Each line covers 16 bytes:
        offset, bytes in hexadecimal, and the printable ones between bars.
        No final offset line is produced and repeated lines are not folded.
        """
        source: Stream[Any] = self
        buf = bytearray()
        offset = 0
        ended = False

        def produce() -> Promise[Any]:
            nonlocal offset
            if len(buf) >= 16 or (ended and buf):
                line = _hexdump_line(offset, bytes(buf[:16]))
                del buf[:16]
                offset += 16
                return _ret(line)
            if ended:
                return _ret(_END)
            want = 16 - len(buf)
            return source.nget(want).bind(lambda chunks: add(chunks, want))

        def add(chunks: list[Any], want: int) -> Promise[Any]:
            nonlocal ended
            for c in chunks:
                buf.extend(c.encode() if isinstance(c, str) else c)
            if len(chunks) < want:
                ended = True
            return produce()

        return _derived(produce)


Stream.__module__ = __name__


class _Found:
    """A found element, boxed so that ``None`` elements can be found too."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _unwrap(x: _Found | None) -> Any:
    return None if x is None else x.value


def _identity(x: Any) -> Any:
    return x


def _to_none(_: object) -> None:
    return None


def _pair(x1: Any, x2: Any) -> Any:
    if x1 is _END or x2 is _END:
        return _END
    return (x1, x2)


def _guard(step: Callable[[], Promise[T]]) -> Promise[T]:
    """Start a consumer loop; an exception raised on the way rejects the result."""
    try:
        return step()
    except Exception as exc:
        return fail(exc)


def _hexdump_line(offset: int, chunk: bytes) -> str:
    left = " ".join(f"{b:02x}" for b in chunk[:8])
    right = " ".join(f"{b:02x}" for b in chunk[8:])
    text = "".join(chr(b) if 0x20 <= b <= 0x7E else "." for b in chunk)
    return f"{offset:08x}  {left:<23}  {right:<23}  |{text}|"


# ----------------------------------------------------------- bounded pushing
class BoundedPush(Generic[T]):
    """The producer's side of a bounded stream (Lwt's ``bounded_push`` object).

    Returned by :func:`create_bounded`.  It holds no reference to the stream
    itself, so a stream nobody reads can be freed while producers live on.
    """

    __slots__ = ("_src",)

    _src: _BoundedSource

    def __init__(self) -> None:
        raise TypeError("bounded push objects are made by lwt.core.stream.create_bounded()")

    def __repr__(self) -> str:
        src = self._src
        state = "closed" if src.done else "blocked" if src.is_blocked() else "open"
        return f"<BoundedPush {state} count={src.count} size={src.size}>"

    def push(self, x: T) -> Promise[None]:
        """Add ``x`` to the stream, waiting for room if it is full.

        Returns:
            A promise fulfilled once ``x`` is in the stream: at once if there
            was room, otherwise when a reader makes room (or :meth:`resize`
            does).  Cancelling a waiting push withdraws ``x``.  The promise
            is rejected with :class:`Full` if another push is already
            waiting, and with :class:`Closed` if the stream is closed (or
            gets closed while this push waits).
        """
        src = self._src
        if src.count < src.size and not src.done:
            # Room: no push can be blocked (a blocked push means a full stream).
            node = src.last
            new = _alloc(_Node)
            new.data = _HOLE
            node.next = new
            node.data = x
            src.last = new
            src.count += 1
            if src.waiters:
                src.wake()
            return return_unit
        if src.done:
            return fail(Closed("push: the stream is closed"))
        if src.is_blocked():
            return fail(Full("push: the stream is full and another push is waiting"))
        if src.count < src.size:
            # A canceled push was just dropped and left room.
            return self.push(x)
        p: Promise[None]
        p, _ = task()
        src.blocked = True
        src.pending = x
        src.pusher = p
        return p

    def close(self) -> None:
        """Close the stream; a waiting push is rejected with :class:`Closed`.

        Elements already in the stream can still be read.  Closing twice
        does nothing.
        """
        src = self._src
        if src.done:
            return
        if src.is_blocked():
            pusher = src.pusher
            src.blocked = False
            src.pending = None
            src.pusher = None
            wakeup_later_exn(pusher, Closed("push: the stream was closed"))
        src.finish()
        src.wake()

    def count(self) -> int:
        """Return how many elements wait in the stream (a blocked push not counted)."""
        return self._src.count

    def blocked(self) -> bool:
        """Return whether a push is waiting for room."""
        return self._src.is_blocked()

    def size(self) -> int:
        """Return how many elements the stream may hold."""
        return self._src.size

    def resize(self, size: int) -> None:
        """Change how many elements the stream may hold.

        The new size may be below the current count: nothing is dropped,
        pushes just wait longer.  If the new size leaves room, a waiting push
        goes in at once.

        Raises:
            InvalidArgument: ``size`` is negative.
        """
        if size < 0:
            raise InvalidArgument(f"resize: the size must not be negative, got {size}")
        src = self._src
        src.size = size
        if src.count < size and src.is_blocked():
            src.count += 1
            src.admit()

    def set_reference(self, x: object) -> None:
        """Keep ``x`` alive as long as this object is (for external sources)."""
        self._src.external = x

    def closed(self) -> bool:
        """Return whether :meth:`close` was called."""
        return self._src.done


BoundedPush.__module__ = __name__


# ---------------------------------------------------------------- creation
def create() -> tuple[Stream[T], Callable[[T | None], None]]:
    """Return a new stream and the function that pushes into it.

    ``push(x)`` adds ``x`` at the end of the stream and wakes readers waiting
    for it; ``push(None)`` closes the stream.  The push function holds no
    reference to the stream, so an unread stream can be freed while its
    producer lives on.  There is no way to push an exception: use a stream of
    ``Ok``/``Error`` values for that.

    Raises (from ``push``):
        Closed: the stream is already closed.
    """
    src = _PushSource()
    return _new_stream(src), src.push


def create_with_reference() -> tuple[
    Stream[T], Callable[[T | None], None], Callable[[object], None]
]:
    """Like :func:`create`, plus a function that keeps an object alive.

    ``set_ref(x)`` stores ``x`` for as long as the push function lives,
    typically the external source that calls ``push``.
    """
    src = _PushSource()
    return _new_stream(src), src.push, src.set_reference


def create_bounded(size: int) -> tuple[Stream[T], BoundedPush[T]]:
    """Return a new stream holding at most ``size`` elements, and its producer side.

    See :class:`BoundedPush`.  A bounded stream cannot be cloned or parsed.
    With ``size`` 0 every push waits until :meth:`BoundedPush.resize` makes
    room, as in Lwt.

    Raises:
        InvalidArgument: ``size`` is negative.
    """
    if size < 0:
        raise InvalidArgument(f"create_bounded: the size must not be negative, got {size}")
    src = _BoundedSource(size)
    pusher: BoundedPush[T] = object.__new__(BoundedPush)
    pusher._src = src
    return _new_stream(src), pusher


def from_(f: Callable[[], Promise[T | None]]) -> Stream[T]:
    """Return a stream whose elements are produced by calling ``f``.

    ``f()`` returns a promise of the next element, or of ``None`` to end the
    stream.  It is called whenever a reader needs an element and no call is
    already under way.  If ``f`` raises or its promise is rejected, the
    readers waiting at that moment get the exception; the stream stays open
    and the next read calls ``f`` again.
    """
    return _new_stream(_FromSource(f, None))


def from_direct(f: Callable[[], T | None]) -> Stream[T]:
    """Like :func:`from_` with a function that returns the element (or ``None``) itself."""
    return _new_stream(_DirectSource(f, None))


def return_(x: T) -> Stream[T]:
    """Return a closed stream holding just ``x``."""
    src = _PushSource()
    s: Stream[T] = _new_stream(src)
    src.enqueue(x)
    src.finish()
    return s


def return_lwt(p: Promise[T]) -> Stream[T]:
    """Return a stream holding the value of ``p`` once it is fulfilled, then closed.

    If ``p`` is rejected, the stream is closed without any element.
    """
    src = _PushSource()
    s: Stream[T] = _new_stream(src)

    def fulfilled(x: T) -> None:
        src.enqueue(x)
        src.finish()
        src.wake()

    def rejected(_: BaseException) -> None:
        src.finish()
        src.wake()

    p.on_any(fulfilled, rejected)
    return s


def of_list(xs: Iterable[T]) -> Stream[T]:
    """Return a closed stream holding the elements of ``xs`` (any iterable, read now)."""
    src = _PushSource()
    s: Stream[T] = _new_stream(src)
    for x in xs:
        src.enqueue(x)
    src.finish()
    return s


def of_iterable(xs: Iterable[T]) -> Stream[T]:
    """Return a stream of the elements of ``xs``, taken from it only as they are read.

    This is Lwt's ``of_seq``.  An exception raised by the iterator reaches
    the reader and leaves the stream open.
    """
    it = _builtins.iter(xs)
    take = _builtins.next
    return _new_stream(_DirectSource(lambda: take(it, _END), _END))


def of_lwt_seq(seq: Callable[[], Promise[Node[T]]]) -> Stream[T]:
    """Return a stream of the elements of the :mod:`lwt.core.seq` sequence ``seq``.

    Each node is asked for only when a reader needs the next element.  If
    asking fails, the reader gets the exception and the next read asks for
    the same node again.
    """
    from lwt.core.seq import Cons

    rest: list[Callable[[], Promise[Any]]] = [seq]

    def step(node: object) -> Promise[Any]:
        if isinstance(node, Cons):
            rest[0] = node.tail
            return _ret(node.head)
        return _ret(_END)

    return _derived(lambda: apply(rest[0]).bind(step))


def of_string(text: str) -> Stream[str]:
    """Return a closed stream of the characters of ``text`` (1-character ``str``)."""
    return of_list(text)


def of_bytes(data: bytes) -> Stream[bytes]:
    """Return a closed stream of the bytes of ``data`` (1-byte ``bytes``)."""
    return of_list([data[i : i + 1] for i in range(len(data))])


def choose(streams: Iterable[Stream[T]]) -> Stream[T]:
    """Return a stream of the elements of all ``streams``, as they arrive.

    Elements of each stream keep their order; between streams the order is
    the order of arrival (chosen at random among elements ready together).
    The result ends when every stream has ended.
    """
    entries: list[tuple[Stream[Any], Promise[Any]]] = []

    def watch(s: Stream[Any]) -> tuple[Stream[Any], Promise[Any]]:
        def ok(x: Any) -> Promise[Any]:
            return _ret((s, True, x))

        def error(exc: BaseException) -> Promise[Any]:
            return _ret((s, False, exc))

        return (s, try_bind(s._get_raw, ok, error))

    for s in streams:
        entries.append(watch(s))

    def pull() -> Promise[Any]:
        if not entries:
            return _ret(_END)
        return _choose_promise([p for _, p in entries]).bind(picked)

    def picked(outcome: tuple[Stream[Any], bool, Any]) -> Promise[Any]:
        s, ok, x = outcome
        for i, (t, _) in enumerate(entries):
            if t is s:
                del entries[i]
                break
        if not ok:
            entries.insert(0, watch(s))
            return fail(x)
        if x is _END:
            return pull()
        entries.insert(0, watch(s))
        return _ret(x)

    return _derived(pull)


# ---------------------------------------------------- module functions
# API.md keeps Lwt's argument order for module functions.  Where Lwt takes
# the stream first, the function is the method itself; where it takes a
# count or a function first (npeek n s, map f s, fold f s init ...), a small
# function restores that order.
get = Stream.get
next = Stream.next
peek = Stream.peek
junk = Stream.junk
junk_available = Stream.junk_available
junk_old = Stream.junk_old
get_available = Stream.get_available
is_empty = Stream.is_empty
is_closed = Stream.is_closed
closed = Stream.closed
on_termination = Stream.on_termination
on_terminate = Stream.on_terminate
to_list = Stream.to_list
to_string = Stream.to_string
to_bytes = Stream.to_bytes
last_new = Stream.last_new
clone = Stream.clone
combine = Stream.combine
append = Stream.append
concat = Stream.concat
flatten = Stream.flatten
wrap_exn = Stream.wrap_exn
parse = Stream.parse
hexdump = Stream.hexdump


def npeek(n: int, s: Stream[T]) -> Promise[list[T]]:
    """Return up to ``n`` elements without consuming them (``Lwt_stream.npeek n s``)."""
    return s.npeek(n)


def nget(n: int, s: Stream[T]) -> Promise[list[T]]:
    """Consume and return up to ``n`` elements (``Lwt_stream.nget n s``)."""
    return s.nget(n)


def get_while(f: Callable[[T], bool], s: Stream[T]) -> Promise[list[T]]:
    """Consume elements while ``f`` holds (``Lwt_stream.get_while f s``)."""
    return s.get_while(f)


def get_while_s(f: Callable[[T], Promise[bool]], s: Stream[T]) -> Promise[list[T]]:
    """Like :func:`get_while` with a promise-returning test."""
    return s.get_while_s(f)


def njunk(n: int, s: Stream[T]) -> Promise[None]:
    """Drop up to ``n`` elements (``Lwt_stream.njunk n s``)."""
    return s.njunk(n)


def junk_while(f: Callable[[T], bool], s: Stream[T]) -> Promise[None]:
    """Drop elements while ``f`` holds."""
    return s.junk_while(f)


def junk_while_s(f: Callable[[T], Promise[bool]], s: Stream[T]) -> Promise[None]:
    """Like :func:`junk_while` with a promise-returning test."""
    return s.junk_while_s(f)


def get_available_up_to(n: int, s: Stream[T]) -> list[T]:
    """Take up to ``n`` elements available now, without waiting."""
    return s.get_available_up_to(n)


def map(f: Callable[[T], U], s: Stream[T]) -> Stream[U]:
    """The stream of ``f(x)`` for each element ``x`` (``Lwt_stream.map f s``)."""
    return s.map(f)


def map_s(f: Callable[[T], Promise[U]], s: Stream[T]) -> Stream[U]:
    """Like :func:`map` with a promise-returning function."""
    return s.map_s(f)


def filter(f: Callable[[T], bool], s: Stream[T]) -> Stream[T]:
    """The elements for which ``f`` holds."""
    return s.filter(f)


def filter_s(f: Callable[[T], Promise[bool]], s: Stream[T]) -> Stream[T]:
    """Like :func:`filter` with a promise-returning test."""
    return s.filter_s(f)


def filter_map(f: Callable[[T], U | None], s: Stream[T]) -> Stream[U]:
    """The results of ``f`` that are not ``None``."""
    return s.filter_map(f)


def filter_map_s(f: Callable[[T], Promise[U | None]], s: Stream[T]) -> Stream[U]:
    """Like :func:`filter_map` with a promise-returning function."""
    return s.filter_map_s(f)


def map_list(f: Callable[[T], list[U]], s: Stream[T]) -> Stream[U]:
    """The elements of the lists ``f`` returns, in order."""
    return s.map_list(f)


def map_list_s(f: Callable[[T], Promise[list[U]]], s: Stream[T]) -> Stream[U]:
    """Like :func:`map_list` with a promise-returning function."""
    return s.map_list_s(f)


def fold(f: Callable[[T, A], A], s: Stream[T], init: A) -> Promise[A]:
    """Fold ``f`` over every element (``Lwt_stream.fold f s init``)."""
    return s.fold(f, init)


def fold_s(f: Callable[[T, A], Promise[A]], s: Stream[T], init: A) -> Promise[A]:
    """Like :func:`fold` with a promise-returning function."""
    return s.fold_s(f, init)


def iter(f: Callable[[T], object], s: Stream[T]) -> Promise[None]:
    """Call ``f`` on every element."""
    return s.iter(f)


def iter_s(f: Callable[[T], Promise[None]], s: Stream[T]) -> Promise[None]:
    """Call ``f`` on every element, one after the other."""
    return s.iter_s(f)


def iter_p(f: Callable[[T], Promise[None]], s: Stream[T]) -> Promise[None]:
    """Call ``f`` on every element, concurrently."""
    return s.iter_p(f)


def find(f: Callable[[T], bool], s: Stream[T]) -> Promise[T | None]:
    """The first element for which ``f`` holds, or ``None``."""
    return s.find(f)


def find_s(f: Callable[[T], Promise[bool]], s: Stream[T]) -> Promise[T | None]:
    """Like :func:`find` with a promise-returning test."""
    return s.find_s(f)


def find_map(f: Callable[[T], U | None], s: Stream[T]) -> Promise[U | None]:
    """The first result of ``f`` that is not ``None``."""
    return s.find_map(f)


def find_map_s(f: Callable[[T], Promise[U | None]], s: Stream[T]) -> Promise[U | None]:
    """Like :func:`find_map` with a promise-returning function."""
    return s.find_map_s(f)


def iter_n(
    f: Callable[[T], Promise[None]], s: Stream[T], max_concurrency: int = 1
) -> Promise[None]:
    """Call ``f`` on every element, at most ``max_concurrency`` at a time."""
    return s.iter_n(f, max_concurrency=max_concurrency)
