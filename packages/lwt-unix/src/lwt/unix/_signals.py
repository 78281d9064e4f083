"""Signals, handled in the loop (the signal part of Lwt_unix).

:func:`on_signal` installs, for a signal, a Python handler that does one
thing: :func:`lwt.unix.send_notification`.  The callbacks registered for
the signal run when the loop receives that notification, during one of its
iterations, in the order they were registered; so they may use lwt freely.
When the last callback of a signal is removed, the handler that was there
before is put back and the notification is stopped.

Python runs signal handlers in the main thread only, so these functions
must be called from it, and the loop must run in it for callbacks to run.
:func:`on_signal` unblocks its signal in that thread (lwt's worker threads
block every signal, so that the loop's thread is the one to receive them).
"""

from __future__ import annotations

import signal as _signal
from collections.abc import Callable
from typing import Any

from . import _engine, _notify

__all__ = [
    "SignalHandlerId",
    "disable_signal_handler",
    "handle_signal",
    "on_signal",
    "on_signal_full",
    "reinstall_signal_handler",
    "signal_count",
]


class SignalHandlerId:
    """What :func:`on_signal` returns: pass it to :func:`disable_signal_handler`."""

    __slots__ = ("_f", "_signum")

    def __init__(self, signum: int, f: Callable[[SignalHandlerId, int], object]) -> None:
        self._signum = signum
        self._f: Callable[[SignalHandlerId, int], object] | None = f

    @property
    def signum(self) -> int:
        """The signal this handler is for."""
        return self._signum

    @property
    def active(self) -> bool:
        """Whether the handler is still registered."""
        return self._f is not None

    def disable(self) -> None:
        """The same as :func:`disable_signal_handler`."""
        disable_signal_handler(self)

    def __repr__(self) -> str:
        name = _signal_name(self._signum)
        state = "" if self._f is not None else " disabled"
        return f"<lwt.unix.SignalHandlerId {name}{state}>"


def _signal_name(signum: int) -> str:
    try:
        return _signal.Signals(signum).name
    except ValueError:
        return str(signum)


class _Slot:
    """Everything registered for one signal."""

    __slots__ = ("handlers", "ident", "previous", "py_handler")

    def __init__(self) -> None:
        self.handlers: list[SignalHandlerId] = []
        self.ident = 0
        self.previous: Any = _signal.SIG_DFL
        self.py_handler: Callable[[int, Any], None] | None = None


_slots: dict[int, _Slot] = {}


def _run_handlers(signum: int) -> None:
    slot = _slots.get(signum)
    if slot is None:
        return
    for h in tuple(slot.handlers):
        f = h._f
        if f is None:
            continue
        try:
            f(h, signum)
        except Exception as exc:
            _engine._report(exc)


def on_signal_full(signum: int, f: Callable[[SignalHandlerId, int], object]) -> SignalHandlerId:
    """Call ``f(handler_id, signum)`` in the loop each time ``signum`` is received.

    Like :func:`on_signal`, with the handler's id passed along so that ``f``
    can disable itself.
    """
    if not callable(f):
        raise TypeError(f"on_signal: expected a callable, got {type(f).__name__}")
    slot = _slots.get(signum)
    if slot is None:
        slot = _Slot()
        ident = _notify.make_notification(lambda: _run_handlers(signum))

        def py_handler(_signum: int, _frame: Any) -> None:
            _notify.send_notification(ident)

        try:
            slot.previous = _signal.signal(signum, py_handler)
        except BaseException:
            _notify.stop_notification(ident)
            raise
        slot.ident = ident
        slot.py_handler = py_handler
        _slots[signum] = slot
    # A signal blocked in this (the loop's) thread would wait, pending, for
    # as long as every other thread blocks it too: lwt's workers all do.
    unblock = getattr(_signal, "pthread_sigmask", None)
    if unblock is not None:
        unblock(_signal.SIG_UNBLOCK, (signum,))
    h = SignalHandlerId(signum, f)
    slot.handlers.append(h)
    return h


def on_signal(signum: int, f: Callable[[int], object]) -> SignalHandlerId:
    """Call ``f(signum)`` in the loop each time the signal ``signum`` is received.

    Returns an id for :func:`disable_signal_handler`.  An exception raised
    by ``f`` goes to lwt.core's async exception hook.

    Raises:
        ValueError: ``signum`` cannot be caught (``SIGKILL``, ``SIGSTOP``),
            is not a signal, or this is not the main thread.

    .. note:: Python runs signal handlers in the main thread only.
    """
    return on_signal_full(signum, lambda _h, n: f(n))


def disable_signal_handler(h: SignalHandlerId) -> None:
    """Stop calling the function of ``h``; doing it twice does nothing.

    When it was the signal's last function, the signal's previous handler
    is put back.
    """
    if h._f is None:
        return
    h._f = None
    slot = _slots.get(h._signum)
    if slot is None:
        return
    slot.handlers.remove(h)
    if not slot.handlers:
        del _slots[h._signum]
        _notify.stop_notification(slot.ident)
        previous = slot.previous
        _signal.signal(h._signum, _signal.SIG_DFL if previous is None else previous)


def signal_count() -> int:
    """Return the number of functions registered with :func:`on_signal`."""
    return sum(len(slot.handlers) for slot in _slots.values())


def reinstall_signal_handler(signum: int) -> None:
    """Install lwt's handler for ``signum`` again, if functions are registered for it.

    Useful when other code replaced the handler.
    """
    slot = _slots.get(signum)
    if slot is not None and slot.py_handler is not None:
        _signal.signal(signum, slot.py_handler)


def handle_signal(signum: int) -> None:
    """Act as if ``signum`` had been received: its functions run in the loop.

    For libraries that install their own handler and want lwt to see the
    signal too.  Callable from any thread and from signal handlers.
    """
    slot = _slots.get(signum)
    if slot is not None:
        _notify.send_notification(slot.ident)
