"""Sleeping and timeouts (the timing part of Lwt_unix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import lwt.core as _lwt

from . import _engine
from ._engine import TIMER as _TIMER

__all__ = [
    "Timeout",
    "auto_pause",
    "auto_yield",
    "sleep",
    "timeout",
    "with_timeout",
    "yield_",
]

T = TypeVar("T")


class Timeout(Exception):
    """The rejection of :func:`timeout` and :func:`with_timeout` (``Lwt_unix.Timeout``)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args or ("the operation timed out",))


class _SleepEvent(_engine.Event):
    """The timer of one :func:`sleep`: it holds the resolver it fulfils.

    Calling it stops it; it is the promise's cancel callback.  One object
    for the timer, its callback's data and the cancel callback keeps a
    pending sleep small.
    """

    __slots__ = ("_resolver",)

    _resolver: _lwt.Resolver[None]

    def __call__(self) -> None:
        self.stop()


def _wake_sleeper(ev: _engine.Event) -> None:
    _lwt.wakeup(ev._resolver, None)  # type: ignore[attr-defined]


_new = object.__new__


def sleep(d: float) -> _lwt.Promise[None]:
    """Return a promise fulfilled with ``None`` after ``d`` seconds.

    The promise is cancelable: cancelling it removes its timer from the
    engine.  A negative delay counts as zero.
    """
    p: _lwt.Promise[None]
    r: _lwt.Resolver[None]
    p, r = _lwt.task()
    ev: _SleepEvent = _new(_SleepEvent)
    ev._kind = _TIMER
    ev._f = _wake_sleeper
    ev._repeat = False
    ev._resolver = r
    _engine._current._add_timer(ev, d)
    p.on_cancel(ev)
    return p


def yield_() -> _lwt.Promise[None]:
    """Return a promise fulfilled at the next iteration of the loop.

    The same as :func:`lwt.core.pause`, which Lwt now recommends.
    """
    return _lwt.pause()


def auto_pause(timeout: float) -> Callable[[], _lwt.Promise[None]]:
    """Return a function that pauses at most once every ``timeout`` seconds.

    Each call of the returned function returns :func:`lwt.core.pause` if
    ``timeout`` seconds have passed since it last paused (or since it was
    made), and an already fulfilled promise otherwise.  Useful to let other
    promises run now and then during a long computation.

    Time is read from the current engine's clock (see
    :attr:`lwt.unix.engine.Engine.clock`), so it is virtual under
    :mod:`lwt.unix.testing`; if the engine in use changes, the period
    starts again from the new engine's clock.
    """
    clock = _engine._current._clock
    limit = clock() + timeout

    def maybe_pause() -> _lwt.Promise[None]:
        nonlocal clock, limit
        current = _engine._current._clock
        if current is not clock:
            # Another engine, another time frame: the old limit means nothing.
            clock = current
            limit = current() + timeout
        now = current()
        if now >= limit:
            limit = now + timeout
            return _lwt.pause()
        return _lwt.return_unit

    return maybe_pause


def auto_yield(timeout: float) -> Callable[[], _lwt.Promise[None]]:
    """Deprecated name of :func:`auto_pause`, kept as Lwt keeps it."""
    return auto_pause(timeout)


def _raise_timeout(_: None) -> _lwt.Promise[NoReturn]:
    return _lwt.fail(Timeout())


def timeout(d: float) -> _lwt.Promise[NoReturn]:
    """Return a promise rejected with :class:`Timeout` after ``d`` seconds.

    Cancelling it removes its timer.
    """
    return sleep(d).bind(_raise_timeout)


def with_timeout(d: float, thunk: Callable[[], _lwt.Promise[T]]) -> _lwt.Promise[T]:
    """Run ``thunk()``; reject with :class:`Timeout` if it takes more than ``d`` seconds.

    The same as ``pick([timeout(d), apply(thunk)])``: whichever resolves
    first wins and the other is cancelled, so a late ``thunk()`` promise is
    cancelled at the timeout, and the timer is removed if ``thunk()`` wins.
    """
    return _lwt.pick([timeout(d), _lwt.apply(thunk)])
