"""A clock that tests control: it moves when told, or jumps when the loop idles.

The virtual time is ``base + (monotonic() - real_base) * rate``.  With the
default rate 0 it is simply ``base``: frozen until :meth:`VirtualClock.advance`
or a jump moves it, which is what makes tests under it exact.  Changing the
rate first folds the time elapsed so far into ``base``, so the clock never
goes backwards and never skips.

The clock does no waiting itself: :class:`lwt.unix.testing.VirtualTimeEngine`
asks it how long to really wait for a given virtual wait
(``_real_wait``) and tells it to jump to a deadline (``_jump_to``) when
it waited the autojump threshold and nothing happened.
"""

from __future__ import annotations

import math
from time import monotonic

import lwt.core as _lwt

__all__ = ["VirtualClock"]


def _check(name: str, value: float, *, allow_inf: bool) -> float:
    v = float(value)
    if not v >= 0.0 or (v == math.inf and not allow_inf):
        bound = "non-negative" if allow_inf else "non-negative and finite"
        raise _lwt.InvalidArgument(f"VirtualClock: {name} must be {bound}, got {value!r}")
    return v


class VirtualClock:
    """A clock for tests: virtual seconds that pass only when the test lets them.

    Give it to :class:`VirtualTimeEngine` (or take the ``lwt_clock`` fixture
    of the pytest plugin).  Sleeps, timeouts and every timer of that engine
    then follow it: a one-hour :func:`lwt.unix.with_timeout` fires as soon
    as the loop has nothing else to do, with the clock reading exactly the
    timer's deadline.

    Args:
        start: the time the clock reads at first.
        rate: virtual seconds that pass per real second, on top of jumps and
            :meth:`advance`; ``0`` (the default) freezes the clock between them.
        autojump_threshold: real seconds the engine must be idle (no
            descriptor ready, no paused promise, no job in a worker thread)
            before the clock jumps to the next timer's deadline; ``0`` jumps
            at once, ``math.inf`` (the default) never.

    Raises:
        lwt.core.InvalidArgument: ``rate`` or ``autojump_threshold`` is
            negative or NaN, ``rate`` or ``start`` is infinite.

    .. note:: Lwt has no virtual time.  This follows Trio's ``MockClock``:
       the same ``rate`` and ``autojump_threshold`` with the same defaults;
       ``now()`` is its ``current_time()`` and :meth:`advance` its
       ``jump()``.  Unlike Trio, pending work in worker threads
       (:mod:`lwt.unix.preemptive`, jobs) keeps the clock from jumping, so
       a timeout around a job does not fire early.
    """

    __slots__ = ("_autojump_threshold", "_base", "_rate", "_real_base")

    def __init__(
        self, start: float = 0.0, *, rate: float = 0.0, autojump_threshold: float = math.inf
    ) -> None:
        s = float(start)
        if not math.isfinite(s):
            raise _lwt.InvalidArgument(f"VirtualClock: start must be finite, got {start!r}")
        self._base = s
        self._real_base = monotonic()
        self._rate = _check("rate", rate, allow_inf=False)
        self._autojump_threshold = _check("autojump_threshold", autojump_threshold, allow_inf=True)

    def now(self) -> float:
        """Return the virtual time, in seconds."""
        rate = self._rate
        if rate == 0.0:
            return self._base
        return self._base + (monotonic() - self._real_base) * rate

    def _rebase(self) -> None:
        """Fold the time that passed at ``rate`` into ``base``."""
        real = monotonic()
        if self._rate != 0.0:
            self._base += (real - self._real_base) * self._rate
        self._real_base = real

    @property
    def rate(self) -> float:
        """Virtual seconds per real second (``0``: frozen between jumps)."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        new = _check("rate", value, allow_inf=False)
        self._rebase()
        self._rate = new

    @property
    def autojump_threshold(self) -> float:
        """Real seconds of idleness after which the clock jumps (``math.inf``: never).

        Set it to ``0`` to jump as soon as the engine would block, or to a
        small positive value when the code under test waits for something
        outside the process (a child process, a remote peer) that should
        get a chance to answer first.
        """
        return self._autojump_threshold

    @autojump_threshold.setter
    def autojump_threshold(self, value: float) -> None:
        self._autojump_threshold = _check("autojump_threshold", value, allow_inf=True)

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward.

        Timers that this makes due run at the engine's next iteration, so a
        coroutine typically follows it with ``await lwt.core.pause()``;
        they run in deadline order and see the clock at its new time.
        Call it from the thread running the loop (or while no loop runs).

        Raises:
            lwt.core.InvalidArgument: ``seconds`` is negative, infinite or NaN.
        """
        d = _check("advance", seconds, allow_inf=False)
        self._rebase()
        self._base += d

    # ------------------------------------------------------ for the engine
    def _real_wait(self, virtual: float, jump_allowed: bool) -> tuple[float | None, bool]:
        """How long to really wait when the next deadline is ``virtual`` (> 0) s away.

        Returns the real timeout (``None``: wait for descriptors only) and
        whether, if nothing happens by then, the clock should jump to that
        deadline.
        """
        threshold = self._autojump_threshold if jump_allowed else math.inf
        rate = self._rate
        if rate == 0.0:
            return (None, False) if threshold == math.inf else (threshold, True)
        at_rate = virtual / rate
        if threshold < at_rate:
            return threshold, True
        return at_rate, False

    def _jump_to(self, deadline: float) -> None:
        """Move the clock to ``deadline`` if it is ahead (exactly, at rate 0)."""
        if self._rate != 0.0:
            self._rebase()
        if deadline > self._base:
            self._base = deadline

    def __repr__(self) -> str:
        return (
            f"<lwt.unix.testing.VirtualClock now={self.now()!r} rate={self._rate!r} "
            f"autojump_threshold={self._autojump_threshold!r}>"
        )
