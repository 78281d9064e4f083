"""The main loop (Lwt_main): running the engine until a promise resolves.

One iteration of :func:`run` checks the promise, calls the enter hooks,
runs one iteration of the engine (blocking only if no promise is paused),
wakes the paused promises, and calls the leave hooks.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import lwt.core as _lwt

from . import _engine

__all__ = [
    "Hook",
    "Hooks",
    "abandon_yielded_and_paused",
    "at_exit",
    "enter_iter_hooks",
    "exit_hooks",
    "leave_iter_hooks",
    "run",
    "yield_",
]

T = TypeVar("T")
R = TypeVar("R")


class Hook(Generic[R]):
    """A hook added to a :class:`Hooks` sequence; pass it to :meth:`Hooks.remove`."""

    __slots__ = ("_f", "_owner")

    def __init__(self, owner: Hooks[R], f: Callable[[], R]) -> None:
        self._owner: Hooks[R] | None = owner
        self._f = f

    def remove(self) -> None:
        """Remove the hook from its sequence; removing it twice does nothing."""
        owner = self._owner
        if owner is not None:
            owner.remove(self)

    def __repr__(self) -> str:
        state = "" if self._owner is not None else " removed"
        return f"<lwt.unix.main.Hook {self._f!r}{state}>"


class Hooks(Generic[R]):
    """An ordered sequence of hooks (Lwt_main's ``Hooks`` modules).

    Hooks run in order, first to last.  A hook may add or remove hooks
    while the sequence runs: a removed hook that has not run yet does not
    run, and an added one waits for the next time.
    """

    __slots__ = ("_hooks", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._hooks: list[Hook[R]] = []

    def add_first(self, f: Callable[[], R]) -> Hook[R]:
        """Add ``f`` to run before every hook already added; return its handle."""
        hook = Hook(self, f)
        self._hooks.insert(0, hook)
        return hook

    def add_last(self, f: Callable[[], R]) -> Hook[R]:
        """Add ``f`` to run after every hook already added; return its handle."""
        hook = Hook(self, f)
        self._hooks.append(hook)
        return hook

    def remove(self, hook: Hook[R]) -> None:
        """Remove ``hook``, added by :meth:`add_first` or :meth:`add_last`."""
        if hook._owner is self:
            hook._owner = None
            self._hooks.remove(hook)

    def remove_all(self) -> None:
        """Remove every hook."""
        for hook in self._hooks:
            hook._owner = None
        self._hooks = []

    def __len__(self) -> int:
        return len(self._hooks)

    def _call_all(self) -> None:
        for hook in tuple(self._hooks):
            if hook._owner is self:
                hook._f()

    def _take_first(self) -> Callable[[], R] | None:
        if not self._hooks:
            return None
        hook = self._hooks.pop(0)
        hook._owner = None
        return hook._f

    def __repr__(self) -> str:
        return f"<lwt.unix.main.{self._name}: {len(self._hooks)} hooks>"


enter_iter_hooks: Hooks[object] = Hooks("enter_iter_hooks")
"""Functions called before each iteration of :func:`run` (``Enter_iter_hooks``)."""

leave_iter_hooks: Hooks[object] = Hooks("leave_iter_hooks")
"""Functions called after each iteration of :func:`run` (``Leave_iter_hooks``)."""

exit_hooks: Hooks[_lwt.Promise[None]] = Hooks("exit_hooks")
"""Promise-returning functions run by :func:`run` at interpreter exit (``Exit_hooks``).

Their exceptions and rejections are ignored.
"""

_running = threading.Lock()

# True while run() waits for a promise that ends the engine's iteration when
# it resolves (see _end_iteration): an engine whose blocking iteration would
# otherwise return after every event (the asyncio engine) may then run on.
_watching: bool = False


def _end_iteration() -> None:
    """The promise run() waits for resolved: end a blocking iteration early.

    Only engines that can run other people's callbacks while they block
    (the asyncio engine: asyncio tasks may resolve lwt promises) need this;
    the others return from each iteration anyway.
    """
    end = getattr(_engine._current, "_end_iteration", None)
    if end is not None:
        end()


def run(p: _lwt.Promise[T]) -> T:
    """Run the engine until ``p`` resolves; return its value or raise its exception.

    Each iteration calls the ``enter_iter_hooks``, one iteration of the
    current engine (which blocks for I/O and timers only while no promise
    is paused), wakes the paused promises (:func:`lwt.core.wakeup_paused`),
    and calls the ``leave_iter_hooks``.  ``run`` may be called again
    after it returns.

    Raises:
        RuntimeError: ``run`` is already running (a nested call, or a call
            from another thread while one runs), or the current engine is
            an :class:`~lwt.unix.engine.AsyncioEngine` and an asyncio event
            loop is running in this thread (await the promise instead).
        TypeError: ``p`` is not an lwt promise.

    .. note:: Lwt raises ``Failure`` for a nested call; we raise
       :class:`RuntimeError`, Python's error for a call at the wrong time.
       Exceptions that are not :class:`Exception` (``KeyboardInterrupt``,
       ``SystemExit``) raised by callbacks propagate out of ``run``.
    """
    global _watching
    if not isinstance(p, _lwt.Promise):
        raise TypeError(f"run: expected an lwt promise, got {type(p).__name__}")
    check = getattr(_engine._current, "_check_run_allowed", None)
    if check is not None:
        check()
    if not _running.acquire(blocking=False):
        raise RuntimeError(
            "lwt.unix.main.run: nested calls are not allowed (run is already running; "
            "wait for promises with bind or await instead)"
        )
    try:
        poll = p.is_sleeping
        paused_count = _lwt.paused_count
        wakeup_paused = _lwt.wakeup_paused
        enter = enter_iter_hooks
        leave = leave_iter_hooks
        if poll():
            p.on_termination(_end_iteration)
            _watching = True
        while poll():
            if enter._hooks:
                enter._call_all()
            _engine._current.iter(paused_count() == 0)
            wakeup_paused()
            if leave._hooks:
                leave._call_all()
    finally:
        _watching = False
        _running.release()
    return p.poll()  # type: ignore[return-value]


def yield_() -> _lwt.Promise[None]:
    """Return a promise fulfilled at the next iteration (deprecated: use :func:`lwt.core.pause`)."""
    return _lwt.pause()


def abandon_yielded_and_paused() -> None:
    """Leave every paused promise pending forever (deprecated: :func:`lwt.core.abandon_paused`)."""
    _lwt.abandon_paused()


def at_exit(f: Callable[[], _lwt.Promise[None]]) -> None:
    """Run ``f()`` (and wait for its promise) at interpreter exit.

    The same as ``exit_hooks.add_first(f)``: hooks added later run first.
    """
    exit_hooks.add_first(f)


def _ignore_errors(f: Callable[[], _lwt.Promise[None]]) -> _lwt.Promise[None]:
    return _lwt.catch(f, lambda _exc: _lwt.return_unit)


def _call_exit_hooks() -> _lwt.Promise[None]:
    f = exit_hooks._take_first()
    if f is None:
        return _lwt.return_unit
    return _ignore_errors(f).bind(lambda _: _call_exit_hooks())


def _run_exit_hooks() -> None:
    """At interpreter exit: run the exit hooks under the main loop, in order."""
    if not exit_hooks._hooks:
        return
    # An exit hook cannot wait for a run that the exit interrupted.
    if _running.locked():
        _running.release()
    run(_call_exit_hooks())


atexit.register(_run_exit_hooks)
