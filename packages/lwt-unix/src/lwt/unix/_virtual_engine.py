"""An engine whose timers follow a :class:`VirtualClock` while its I/O stays real.

When should time jump?
======================

Only when nothing else could happen first.  The main loop asks for a
blocking iteration only when no promise is paused, so a jump needs
``block``; then the engine polls its descriptors for the autojump
threshold (real seconds) and jumps to the next timer's deadline only if
none became ready.  A descriptor that is ready is served first, at the
current virtual time, however long the timers are.

Work in worker threads (jobs of :mod:`lwt.unix`, :func:`lwt.unix.preemptive.detach`)
reports back through one-shot notifications; while one is pending the
engine does not jump but waits, in real time, for the notification (or
for a timer at the clock's rate), so that how fast a thread runs cannot
decide whether a timeout fires.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
from collections.abc import Iterator
from heapq import heappop

from . import _engine, _notify
from ._engine import SelectorEngine
from ._virtual_clock import VirtualClock

__all__ = ["VirtualTimeEngine", "virtual_time"]


def _thread_work_pending() -> bool:
    """Whether some worker thread still has to report back (a one-shot notification exists)."""
    return any(once for _f, once in _notify._handlers.values())


class VirtualTimeEngine(SelectorEngine):
    """A :class:`lwt.unix.engine.SelectorEngine` on virtual time.

    Timers (and so :func:`lwt.unix.sleep`, :func:`lwt.unix.timeout`,
    :func:`lwt.unix.with_timeout`, :class:`lwt.unix.timers.Timer`,
    :class:`lwt.unix.throttle.Throttle`) count in the seconds of
    ``clock``; sockets, pipes and other descriptors are waited for for
    real.  When the engine would block with a timer pending, no descriptor
    ready and no job running in a worker thread, and that has lasted the
    clock's ``autojump_threshold`` (real seconds), the clock jumps to the
    next timer's deadline and the timer runs.

    Make it current with :func:`lwt.unix.engine.set`, or use
    :func:`virtual_time`.

    Args:
        clock: the virtual clock; if ``None``, a new
            ``VirtualClock(autojump_threshold=0)``, which jumps as soon as
            the engine is idle.
        selector: a :class:`selectors.BaseSelector` subclass, as for
            :class:`lwt.unix.engine.SelectorEngine`.

    Raises:
        TypeError: ``clock`` is not a :class:`VirtualClock`.

    .. note:: Lwt has nothing similar.  Trio's counterpart is
       ``trio.run(..., clock=MockClock(...))``.
    """

    __slots__ = ("_virtual",)

    def __init__(
        self,
        clock: VirtualClock | None = None,
        *,
        selector: type[selectors.BaseSelector] | None = None,
    ) -> None:
        if clock is None:
            clock = VirtualClock(autojump_threshold=0.0)
        elif not isinstance(clock, VirtualClock):
            raise TypeError(
                f"VirtualTimeEngine: expected a VirtualClock, got {type(clock).__name__}"
            )
        super().__init__(selector, clock=clock.now)
        self._virtual = clock

    @property
    def virtual_clock(self) -> VirtualClock:
        """The :class:`VirtualClock` this engine follows."""
        return self._virtual

    def iter(self, block: bool) -> None:
        """Like :meth:`lwt.unix.engine.SelectorEngine.iter`, jumping the clock when idle."""
        timeout: float | None = 0.0
        jump = False
        if block:
            timeout = self._timeout()
            if timeout:  # a positive virtual wait: time has to pass
                timeout, jump = self._virtual._real_wait(timeout, not _thread_work_pending())
        try:
            ready = self._selector.select(timeout)
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise
            ready = self._bad_descriptors()
        if jump and not ready:
            deadline = self._next_deadline()
            if deadline is not None:
                self._virtual._jump_to(deadline)
        if self._timers:
            self._run_timers()
        if ready:
            dispatch = self._dispatch
            for key, mask in ready:
                dispatch(key.data, mask)

    def _next_deadline(self) -> float | None:
        """The deadline of the earliest live timer, or None."""
        heap = self._timers
        while heap:
            entry = heap[0]
            if entry[2]._engine is self:
                return entry[0]
            heappop(heap)
        return None

    def __repr__(self) -> str:
        return (
            f"<lwt.unix.testing.VirtualTimeEngine at {self._virtual.now()!r}s: "
            f"{self._nread} readable, {self._nwrite} writable, {self._ntimers} timers>"
        )


@contextlib.contextmanager
def virtual_time(clock: VirtualClock | None = None) -> Iterator[VirtualClock]:
    """Make a :class:`VirtualTimeEngine` the current engine for the ``with`` block.

    The events of the engine in use move to the virtual engine on entry and
    back on exit (timers restart at each move, as with
    :func:`lwt.unix.engine.set`); the virtual engine is then destroyed.

    Args:
        clock: the clock to follow; if ``None``, one that jumps as soon
            as the engine is idle.

    Returns:
        A context manager giving the clock.

    Example::

        with lwt.unix.testing.virtual_time() as clock:
            lwt.unix.main.run(lwt.unix.sleep(3600))
            assert clock.now() == 3600
    """
    previous = _engine._current
    virtual = VirtualTimeEngine(clock)
    _engine.set(virtual, transfer=True, destroy=False)
    try:
        yield virtual._virtual
    finally:
        _engine.set(previous, transfer=True, destroy=True)
