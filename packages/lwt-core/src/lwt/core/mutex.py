"""Cooperative mutual exclusion between promises: OCaml's ``Lwt_mutex``.

A :class:`Mutex` is either free or held.  :meth:`Mutex.lock` returns a
promise that is fulfilled once the caller holds the mutex; callers that find
it held queue up and are served strictly in the order they asked, the mutex
passing from :meth:`Mutex.unlock` straight to the oldest of them.

There is no owner: any code may unlock a held mutex, as in Lwt.  Python code
can also write ``async with m:`` inside a coroutine driven by ``lwt.ppx``.

.. note::
   Cancelling a pending :meth:`Mutex.lock` takes the caller out of the queue,
   as in Lwt.  Canceled entries are dropped lazily (when they reach the front
   of the queue, or when the queue is compacted), which keeps the common path
   free of bookkeeping; the observable behaviour is Lwt's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar, cast

from lwt.core import Promise, Resolver, finalize, return_false, return_unit, task, wakeup_later

T = TypeVar("T")

__all__ = ["Mutex", "is_empty", "is_locked", "lock", "unlock", "with_lock"]

# A queue of waiters is compacted (canceled entries dropped) once it is
# longer than twice the number of live entries found by the last compaction,
# and never below this size.
_COMPACT_FLOOR = 64


class Mutex:
    """A lock for promises (``Lwt_mutex.t``); ``Mutex()`` is Lwt's ``create ()``.

    The mutex starts unlocked.  It also works as an asynchronous context
    manager: ``async with m:`` locks it on entry and unlocks it on exit,
    whether the block ends normally or with an exception.
    """

    __slots__ = ("_limit", "_locked", "_waiters")

    def __init__(self) -> None:
        self._locked = False
        # Pending lock() promises, oldest first; canceled ones are skipped.
        self._waiters: deque[Promise[None]] = deque()
        self._limit = _COMPACT_FLOOR

    def __repr__(self) -> str:
        if not self._locked:
            return "<Mutex unlocked>"
        return f"<Mutex locked, waiters={sum(1 for w in self._waiters if w.is_sleeping())}>"

    def lock(self) -> Promise[None]:
        """Lock the mutex, waiting for it if it is held.

        Returns:
            A promise fulfilled with ``None`` once the caller holds the
            mutex: at once if the mutex was free, otherwise when every
            earlier caller has had it and the mutex is handed over.  The
            promise is cancelable; cancelling it before it is fulfilled
            withdraws the request, and the mutex skips over it.
        """
        if not self._locked:
            self._locked = True
            return return_unit
        p: Promise[None]
        p, _ = task()
        waiters = self._waiters
        waiters.append(p)
        if len(waiters) > self._limit:
            self._compact()
        return p

    def unlock(self) -> None:
        """Release the mutex, handing it to the oldest waiter if there is one.

        The waiter's promise is fulfilled as :func:`lwt.core.wakeup_later`
        does: inside a callback, its own callbacks run once the current
        resolution finishes.  The mutex stays locked on its behalf meanwhile.
        Unlocking a mutex that is not locked does nothing, as in Lwt.
        """
        if not self._locked:
            return
        waiters = self._waiters
        while waiters:
            p = waiters.popleft()
            if p.is_sleeping():
                wakeup_later(cast("Resolver[None]", p), None)
                return
        self._limit = _COMPACT_FLOOR
        self._locked = False

    def is_locked(self) -> bool:
        """Return whether the mutex is held."""
        return self._locked

    def is_empty(self) -> bool:
        """Return whether no caller is waiting for the mutex."""
        waiters = self._waiters
        while waiters:
            if waiters[0].is_sleeping():
                return False
            waiters.popleft()
        return True

    def with_lock(self, f: Callable[[], Promise[T]]) -> Promise[T]:
        """Run ``f()`` while holding the mutex, and release it afterwards.

        Waits for the mutex, calls ``f()``, and unlocks once the promise
        ``f`` returned is resolved, whether fulfilled or rejected (an
        exception raised by ``f`` counts as a rejection).

        Returns:
            A promise resolved like the one returned by ``f``.  Cancelling it
            while it waits for the mutex withdraws the request; cancelling it
            while ``f`` runs cancels ``f``'s promise, and the mutex is still
            released.
        """
        return self.lock().bind(lambda _: finalize(f, self._unlock_promise))

    def _unlock_promise(self) -> Promise[None]:
        self.unlock()
        return return_unit

    def _compact(self) -> None:
        live = [p for p in self._waiters if p.is_sleeping()]
        self._waiters = deque(live)
        self._limit = max(_COMPACT_FLOOR, 2 * len(live))

    def __aenter__(self) -> Promise[None]:
        """Lock the mutex on entering ``async with``; see :meth:`lock`."""
        return self.lock()

    def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Promise[bool]:
        """Unlock the mutex on leaving ``async with``; exceptions propagate."""
        self.unlock()
        return return_false


Mutex.__module__ = __name__

lock = Mutex.lock
unlock = Mutex.unlock
is_locked = Mutex.is_locked
is_empty = Mutex.is_empty
with_lock = Mutex.with_lock
