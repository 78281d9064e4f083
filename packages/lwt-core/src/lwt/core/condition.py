"""Condition variables for promises: OCaml's ``Lwt_condition``.

Promises wait on a :class:`Condition` with :meth:`Condition.wait`; another
part of the program wakes the oldest waiter with :meth:`Condition.signal`,
every waiter with :meth:`Condition.broadcast`, or rejects them all with
:meth:`Condition.broadcast_exn`.  The value given to the notification is what
the waiters' promises are fulfilled with.  A notification finds only the
promises waiting at that moment: it is not remembered for later waiters.

A waiter may name a :class:`~lwt.core.mutex.Mutex` it holds: the mutex is
released while the waiter sleeps and taken again before its promise resolves,
the pattern that protects a shared state checked in a loop.

.. note::
   ``wait`` raises :class:`~lwt.core.InvalidArgument` when it is given a
   mutex that is not locked (Lwt does not check, and would then leave the
   mutex locked on the waiter's behalf).  Canceled waiters are dropped
   lazily; the observable behaviour is Lwt's.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar, cast

from lwt.core import (
    InvalidArgument,
    Promise,
    Resolver,
    finalize,
    task,
    wakeup_later,
    wakeup_later_exn,
)
from lwt.core.mutex import Mutex

T = TypeVar("T")

__all__ = ["Condition", "broadcast", "broadcast_exn", "signal", "wait"]

_COMPACT_FLOOR = 64


class Condition(Generic[T]):
    """A condition variable carrying values of type ``T`` (``Lwt_condition.t``).

    ``Condition()`` is Lwt's ``create ()``.
    """

    __slots__ = ("_limit", "_waiters")

    def __init__(self) -> None:
        # Pending wait() promises, oldest first; canceled ones are skipped.
        self._waiters: deque[Promise[T]] = deque()
        self._limit = _COMPACT_FLOOR

    def __repr__(self) -> str:
        return f"<Condition waiters={sum(1 for w in self._waiters if w.is_sleeping())}>"

    def wait(self, mutex: Mutex | None = None) -> Promise[T]:
        """Wait for the next notification.

        Args:
            mutex: a mutex the caller holds, or ``None``.  It is unlocked
                once the caller is queued, and locked again before the
                returned promise resolves, however it resolves: with a
                value, with the exception of :meth:`broadcast_exn`, or with
                :class:`~lwt.core.Canceled`.

        Returns:
            A cancelable promise fulfilled with the value of the
            :meth:`signal` or :meth:`broadcast` that wakes this waiter.
            Cancelling it withdraws the waiter.

        Raises:
            InvalidArgument: ``mutex`` is given but not locked.
        """
        if mutex is not None and not mutex.is_locked():
            raise InvalidArgument("wait: the mutex must be locked by the caller")
        p: Promise[T]
        p, _ = task()
        waiters = self._waiters
        waiters.append(p)
        if len(waiters) > self._limit:
            live = [w for w in waiters if w.is_sleeping()]
            self._waiters = deque(live)
            self._limit = max(_COMPACT_FLOOR, 2 * len(live))
        if mutex is None:
            return p
        mutex.unlock()
        return finalize(lambda: p, mutex.lock)

    def signal(self, value: T) -> None:
        """Fulfil the oldest waiter's promise with ``value``.

        With no waiter, nothing happens and the value is dropped.  The
        promise is resolved as :func:`lwt.core.wakeup_later` does.
        """
        waiters = self._waiters
        while waiters:
            p = waiters.popleft()
            if p.is_sleeping():
                wakeup_later(cast("Resolver[T]", p), value)
                return
        self._limit = _COMPACT_FLOOR

    def broadcast(self, value: T) -> None:
        """Fulfil the promise of every current waiter with ``value``, oldest first.

        Promises that start waiting while the waiters are being woken wait
        for the next notification.
        """
        for p in self._take_all():
            if p.is_sleeping():
                wakeup_later(cast("Resolver[T]", p), value)

    def broadcast_exn(self, exc: BaseException) -> None:
        """Reject the promise of every current waiter with ``exc``, oldest first.

        Raises:
            TypeError: ``exc`` is not an exception (checked before anyone is woken).
        """
        if not isinstance(exc, BaseException):
            raise TypeError(f"broadcast_exn: expected an exception, got {type(exc).__name__}")
        for p in self._take_all():
            if p.is_sleeping():
                wakeup_later_exn(cast("Resolver[T]", p), exc)

    def _take_all(self) -> deque[Promise[T]]:
        waiters = self._waiters
        self._waiters = deque()
        self._limit = _COMPACT_FLOOR
        return waiters


Condition.__module__ = __name__

wait = Condition.wait
signal = Condition.signal
broadcast = Condition.broadcast
broadcast_exn = Condition.broadcast_exn
