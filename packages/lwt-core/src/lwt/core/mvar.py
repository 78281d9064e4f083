"""Mailbox variables: OCaml's ``Lwt_mvar``.

An :class:`MVar` is a box that holds at most one value.  :meth:`MVar.put`
fills it, waiting while it is full; :meth:`MVar.take` empties it, waiting
while it is empty.  Putters and takers that have to wait are each served in
the order they came, and a value put while a taker waits goes straight to
that taker, so an MVar is a one-place synchronous channel.

.. note::
   Lwt's ``create v`` is the constructor ``MVar(v)``; ``create_empty ()``
   is :meth:`MVar.create_empty`.  :meth:`MVar.take_available` returns
   ``None`` for an empty box, so it cannot tell an empty box from one that
   holds ``None``; use :meth:`MVar.is_empty` first if ``None`` can be stored.
   Cancelling a pending ``put`` or ``take`` withdraws it, as in Lwt;
   canceled entries are dropped lazily, which does not change what anyone
   observes.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar, cast

from lwt.core import Promise, Resolver, return_, return_unit, task, wakeup_later

T = TypeVar("T")
U = TypeVar("U")

__all__ = ["MVar", "create_empty", "is_empty", "put", "take", "take_available"]

_COMPACT_FLOOR = 64

# What an empty box holds, so that None can be stored like any other value.
_EMPTY: Any = object()


class MVar(Generic[T]):
    """A mailbox variable holding at most one value of type ``T`` (``Lwt_mvar.t``).

    ``MVar(v)`` makes a box holding ``v`` (Lwt's ``create v``); use
    :meth:`create_empty` for an empty one.
    """

    __slots__ = ("_contents", "_readers", "_rlimit", "_wlimit", "_writers")

    def __init__(self, value: T) -> None:
        self._contents: Any = value
        # Pending take() promises, oldest first; canceled ones are skipped.
        self._readers: deque[Promise[T]] = deque()
        # Pending put() calls as (value, promise), oldest first.
        self._writers: deque[tuple[T, Promise[None]]] = deque()
        self._rlimit = _COMPACT_FLOOR
        self._wlimit = _COMPACT_FLOOR

    @staticmethod
    def create_empty() -> MVar[U]:
        """Make an empty mailbox variable (Lwt's ``create_empty ()``)."""
        m: MVar[U] = MVar(_EMPTY)
        return m

    def __repr__(self) -> str:
        if self._contents is _EMPTY:
            return "<MVar empty>"
        return f"<MVar full: {self._contents!r}>"

    def put(self, value: T) -> Promise[None]:
        """Put ``value`` into the box, waiting while it is full.

        If a taker is waiting, the value goes to the oldest one directly.

        Returns:
            A promise fulfilled with ``None`` once the value is in the box
            (or handed to a taker): at once if the box was empty, otherwise
            when the earlier values have been taken.  It is cancelable:
            cancelling it while it waits withdraws the value.
        """
        if self._contents is _EMPTY:
            readers = self._readers
            while readers:
                r = readers.popleft()
                if r.is_sleeping():
                    wakeup_later(cast("Resolver[T]", r), value)
                    return return_unit
            self._rlimit = _COMPACT_FLOOR
            self._contents = value
            return return_unit
        p: Promise[None]
        p, _ = task()
        writers = self._writers
        writers.append((value, p))
        if len(writers) > self._wlimit:
            live = [e for e in writers if e[1].is_sleeping()]
            self._writers = deque(live)
            self._wlimit = max(_COMPACT_FLOOR, 2 * len(live))
        return p

    def take_available(self) -> T | None:
        """Take the value at once if there is one, else return ``None``.

        Taking the value lets the oldest waiting putter fill the box again.
        """
        v: T = self._contents
        if v is _EMPTY:
            return None
        self._refill()
        return v

    def _refill(self) -> None:
        """After a take, move the oldest waiting putter's value into the box."""
        writers = self._writers
        while writers:
            nv, w = writers.popleft()
            if w.is_sleeping():
                self._contents = nv
                wakeup_later(cast("Resolver[None]", w), None)
                return
        self._wlimit = _COMPACT_FLOOR
        self._contents = _EMPTY

    def take(self) -> Promise[T]:
        """Take the value out of the box, waiting while it is empty.

        Returns:
            A promise of the value: fulfilled at once if the box was full,
            otherwise by the put that serves this taker.  It is cancelable:
            cancelling it while it waits withdraws the taker, and no value is
            lost.
        """
        v: T = self._contents
        if v is not _EMPTY:
            self._refill()
            return return_(v)
        p: Promise[T]
        p, _ = task()
        readers = self._readers
        readers.append(p)
        if len(readers) > self._rlimit:
            live = [r for r in readers if r.is_sleeping()]
            self._readers = deque(live)
            self._rlimit = max(_COMPACT_FLOOR, 2 * len(live))
        return p

    def is_empty(self) -> bool:
        """Return whether the box is empty, that is, whether :meth:`put` would not wait."""
        return self._contents is _EMPTY


MVar.__module__ = __name__

create_empty = MVar.create_empty

put = MVar.put
take = MVar.take
take_available = MVar.take_available
is_empty = MVar.is_empty
