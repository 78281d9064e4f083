"""lwt.unix.throttle: rate limiters with channels (Lwt_throttle).

A :class:`Throttle` lets at most ``rate`` promises per second and per
*channel* (any hashable key) be fulfilled.  :meth:`Throttle.wait` returns a
promise of ``True`` when the caller may go on; callers beyond the rate wait
their turn, in order, and at most ``max`` of them wait at once (over all
channels): the next ones get ``False`` at once.

Every second, a clean-up hands each channel's ``rate`` new turns to its
oldest waiters; it stops running when no channel has been used for a
whole period, so an idle throttle registers no timer.

.. note:: Differences from Lwt_throttle: there is no functor; channels are
   any hashable Python values (``Make(H)`` is not needed).  Cancelling a
   waiting promise gives its place back (Lwt keeps it until its turn).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

import lwt.core as _lwt

from ._time import sleep

__all__ = ["Throttle", "wait"]

_PERIOD = 1.0  # seconds; the tests shorten it


class _Channel:
    __slots__ = ("consumed", "queue")

    def __init__(self) -> None:
        self.consumed = 1
        self.queue: deque[tuple[_lwt.Promise[bool], _lwt.Resolver[bool]]] = deque()


class Throttle:
    """A rate limiter (Lwt_throttle's ``create ~rate ~max ~n``).

    Args:
        rate: promises fulfilled per second and per channel, at least 1.
        max: promises waiting at once over all channels, at least 1.
        n: the expected number of channels (a sizing hint; Python's dicts
            need none), at least 0.

    Raises:
        lwt.core.InvalidArgument: one of the arguments is out of range.
    """

    __slots__ = ("_cleaning", "_max", "_rate", "_table", "_waiting")

    def __init__(self, rate: int, max: int, n: int) -> None:
        if rate < 1 or max < 1 or n < 0:
            raise _lwt.InvalidArgument(
                f"Throttle: expected rate >= 1, max >= 1, n >= 0; got rate={rate}, max={max}, n={n}"
            )
        self._rate = rate
        self._max = max
        self._waiting = 0
        self._table: dict[Hashable, _Channel] = {}
        self._cleaning: _lwt.Promise[None] | None = None

    def wait(self, channel: Hashable) -> _lwt.Promise[bool]:
        """Return a promise of ``True`` once ``channel`` may go on within the rate.

        The promise is already fulfilled with ``True`` when the channel has
        turns left this second, pending when it must wait, and already
        fulfilled with ``False`` when ``max`` promises are waiting already.
        """
        ch = self._table.get(channel)
        if ch is None:
            self._table[channel] = _Channel()
            result = _lwt.return_true
        elif ch.consumed < self._rate:
            ch.consumed += 1
            result = _lwt.return_true
        elif self._waiting < self._max:
            p: _lwt.Promise[bool]
            r: _lwt.Resolver[bool]
            p, r = _lwt.task()
            entry = (p, r)
            ch.queue.append(entry)
            self._waiting += 1
            p.on_cancel(lambda: self._forget(ch, entry))
            result = p
        else:
            result = _lwt.return_false
        if self._cleaning is None:
            self._launch_cleaning()
        return result

    def _forget(self, ch: _Channel, entry: tuple[_lwt.Promise[bool], _lwt.Resolver[bool]]) -> None:
        try:
            ch.queue.remove(entry)
        except ValueError:
            return
        self._waiting -= 1

    def _launch_cleaning(self) -> None:
        self._cleaning = sleep(_PERIOD).map(lambda _: self._clean())

    def _clean(self) -> None:
        waiting = 0
        to_run: list[_lwt.Resolver[bool]] = []
        rate = self._rate
        for key, ch in list(self._table.items()):
            taken = 0
            queue = ch.queue
            while queue and taken < rate:
                to_run.append(queue.popleft()[1])
                taken += 1
            if taken == 0:
                del self._table[key]
            else:
                ch.consumed = taken
            waiting += len(queue)
        self._waiting = waiting
        if waiting == 0 and not to_run and not self._table:
            self._cleaning = None
        else:
            self._launch_cleaning()
        for r in to_run:
            _lwt.wakeup(r, True)

    def __repr__(self) -> str:
        return (
            f"<lwt.unix.throttle.Throttle rate={self._rate} max={self._max} "
            f"channels={len(self._table)} waiting={self._waiting}>"
        )


Throttle.__module__ = __name__

wait = Throttle.wait
