"""lwt.unix.timers: restartable timeouts that call a function (Lwt_timeout).

A :class:`Timer` holds a delay and an *action*.  :meth:`Timer.start` arms
it: the action is called once, in the loop, when the delay has passed.
Starting an armed timer re-arms it with its full delay; :meth:`Timer.stop`
disarms it; :meth:`Timer.change` sets a new delay (re-arming an armed
timer).  An exception raised by an action goes to the handler set by
:func:`set_exn_handler` (by default, lwt.core's async exception hook).

.. note:: Differences from Lwt_timeout: the type is :class:`Timer` (because
   :func:`lwt.unix.timeout` is a function) and ``create`` is its
   constructor; delays are float seconds, any positive value, and timers
   are engine timers with their exact deadline (Lwt rounds to whole
   seconds on a one-second wheel).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import lwt.core as _lwt

from . import _engine

__all__ = ["Timer", "change", "set_exn_handler", "start", "stop"]


def _default_handler(exc: BaseException) -> None:
    _lwt.async_(lambda: _lwt.fail(exc))


_exn_handler: Callable[[BaseException], object] = _default_handler


def set_exn_handler(f: Callable[[BaseException], object]) -> None:
    """Make ``f(exc)`` handle the exceptions raised by timer actions.

    The default hands them to lwt.core's async exception hook.
    """
    global _exn_handler
    _exn_handler = f


def _check_delay(api: str, delay: float) -> float:
    d = float(delay)
    if not d > 0 or math.isinf(d):
        raise _lwt.InvalidArgument(f"{api}: the delay must be positive and finite, got {delay!r}")
    return d


class Timer:
    """A timeout: ``action()`` is called ``delay`` seconds after :meth:`start`.

    The timer is not armed until :meth:`start` is called.

    Args:
        delay: seconds, positive.
        action: the function to call; it should not raise (see
            :func:`set_exn_handler`).

    Raises:
        lwt.core.InvalidArgument: ``delay`` is not positive and finite.
    """

    __slots__ = ("_action", "_delay", "_event")

    def __init__(self, delay: float, action: Callable[[], object]) -> None:
        self._delay = _check_delay("Timer", delay)
        self._action = action
        self._event: _engine.Event | None = None

    @property
    def delay(self) -> float:
        """The delay, in seconds."""
        return self._delay

    @property
    def started(self) -> bool:
        """Whether the timer is armed."""
        return self._event is not None

    def _fire(self, _ev: _engine.Event) -> None:
        self._event = None
        try:
            self._action()
        except Exception as exc:
            _exn_handler(exc)

    def start(self) -> None:
        """Arm the timer with its full delay (re-arming it if it is armed)."""
        ev = self._event
        if ev is not None:
            ev.stop()
        self._event = _engine._current.on_timer(self._delay, False, self._fire)

    def stop(self) -> None:
        """Disarm the timer; stopping a timer that is not armed does nothing."""
        ev = self._event
        if ev is not None:
            self._event = None
            ev.stop()

    def change(self, delay: float) -> None:
        """Set the delay to ``delay``; an armed timer is re-armed with it.

        Raises:
            lwt.core.InvalidArgument: ``delay`` is not positive and finite.
        """
        self._delay = _check_delay("change", delay)
        if self._event is not None:
            self.start()

    def __repr__(self) -> str:
        state = "started" if self._event is not None else "stopped"
        return f"<lwt.unix.timers.Timer {self._delay}s {state}>"


Timer.__module__ = __name__

start = Timer.start
stop = Timer.stop
change = Timer.change
