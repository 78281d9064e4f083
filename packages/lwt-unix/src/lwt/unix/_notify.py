"""Notifications: waking the loop thread from other threads and signal handlers.

A notification is an integer id bound to a function.  Any thread, or a
signal handler, may call :func:`send_notification`; the function then runs
in the thread running the engine, during one of its iterations.

How it works: senders append the id to a queue (``deque.append`` is atomic)
and, unless a wake-up is already on its way, write to a wake-up descriptor
(an ``eventfd`` where the system has one, else the write end of a pipe)
whose read end is registered with the engine.  The engine's callback drains
the descriptor, then clears the "on its way" flag, then empties the queue:
a sender that finds the flag set knows its id will be seen, and one that
finds it clear writes again, so no notification is lost.

The read end is registered only while some notification exists, so an idle
process has nothing registered with its engine.
"""

from __future__ import annotations

import contextlib
import os
import signal as _signal
from collections import deque
from collections.abc import Callable

import lwt.core as _lwt

from . import _engine

__all__ = [
    "call_notification",
    "make_notification",
    "send_notification",
    "set_notification",
    "stop_notification",
]


def block_signals_here() -> None:
    """Keep every signal away from the calling thread (a worker's first call).

    Python runs signal handlers in the main thread, but the kernel may hand
    a process-wide signal (SIGCHLD, SIGINT...) to any thread that does not
    block it.  Taken by a worker, the signal interrupts nothing in the main
    thread, which may sleep in the engine's wait until some other event:
    a child's exit, seen through SIGCHLD, would then go unnoticed.  Lwt's
    worker threads block all signals for the same reason.
    """
    mask = getattr(_signal, "pthread_sigmask", None)
    if mask is not None:
        mask(_signal.SIG_BLOCK, _signal.valid_signals())


# id -> (function, once)
_handlers: dict[int, tuple[Callable[[], object], bool]] = {}
_next_id = 0
_queue: deque[int] = deque()
_signalled = False  # a wake-up is on its way
_read_fd = -1
_write_fd = -1
_eventfd = False
_event: _engine.Event | None = None
_WAKE_EVENTFD = (1).to_bytes(8, "little")


def _open_channel() -> None:
    global _read_fd, _write_fd, _eventfd
    make_eventfd = getattr(os, "eventfd", None)
    if make_eventfd is not None:
        fd = make_eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        _read_fd = _write_fd = fd
        _eventfd = True
    else:
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        _read_fd, _write_fd = r, w
        _eventfd = False


def _ensure_registered() -> None:
    """Register the read end with the current engine if it is not registered."""
    global _event
    ev = _event
    if ev is not None and ev._engine is not None:
        return
    if _read_fd < 0:
        _open_channel()
    _event = _engine._current.on_readable(_read_fd, _on_readable)


def _on_readable(_ev: _engine.Event) -> None:
    global _signalled
    # Drain first, then clear the flag, then read the queue: a sender that
    # still sees the flag set has queued its id before the clear, so the
    # loop below sees it; one that sees it clear writes a new wake-up.
    # (Clearing before draining could swallow a wake-up with the flag set.)
    with contextlib.suppress(BlockingIOError, InterruptedError):
        os.read(_read_fd, 8 if _eventfd else 4096)
    _signalled = False
    queue = _queue
    try:
        while queue:
            ident = queue.popleft()
            try:
                call_notification(ident)
            except Exception as exc:
                _engine._report(exc)
    finally:
        if queue:  # left by a KeyboardInterrupt: make sure they are seen later
            _wake()


def _wake() -> None:
    global _signalled
    _signalled = True
    try:
        os.write(_write_fd, _WAKE_EVENTFD if _eventfd else b"\0")
    except (BlockingIOError, InterruptedError):
        pass  # the pipe is full: the reader has wake-ups enough
    except OSError:
        pass  # closed behind our back (interpreter shutdown): nobody to wake


def make_notification(f: Callable[[], object], once: bool = False) -> int:
    """Register ``f`` and return the id that :func:`send_notification` takes.

    Each time a notification with this id is received, ``f()`` runs in the
    loop thread.  With ``once``, the notification is stopped after the
    first time it is received.
    """
    global _next_id
    _next_id += 1
    ident = _next_id
    _handlers[ident] = (f, bool(once))
    _ensure_registered()
    return ident


def send_notification(ident: int) -> None:
    """Send the notification ``ident``.

    Safe to call from any thread and from a signal handler.  A notification
    that was stopped meanwhile is dropped.
    """
    _queue.append(ident)
    if not _signalled:
        _wake()


def stop_notification(ident: int) -> None:
    """Forget the notification ``ident``; sending it afterwards does nothing."""
    global _event
    if _handlers.pop(ident, None) is not None and not _handlers:
        ev = _event
        _event = None
        if ev is not None:
            ev.stop()


def call_notification(ident: int) -> None:
    """Run the function of notification ``ident`` now (removing it if ``once``).

    An unknown id is ignored.
    """
    entry = _handlers.get(ident)
    if entry is None:
        return
    f, once = entry
    if once:
        stop_notification(ident)
    f()


def set_notification(ident: int, f: Callable[[], object]) -> None:
    """Replace the function of notification ``ident`` by ``f``.

    Raises:
        lwt.core.NotFound: there is no notification ``ident``.
    """
    entry = _handlers.get(ident)
    if entry is None:
        raise _lwt.NotFound(f"set_notification: no notification {ident}")
    _handlers[ident] = (f, entry[1])
