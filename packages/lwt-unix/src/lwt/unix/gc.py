"""lwt.unix.gc: promise-returning finalisers (Lwt_gc).

:func:`finalise` arranges for ``f()`` to run in the loop after an object
is garbage collected; the program waits for the promise of ``f()`` at
exit (through :func:`lwt.unix.main.at_exit`).  :func:`finalise_or_exit`
also runs ``f()`` at exit for the objects still alive then: exactly once
either way.

How it works: a :class:`weakref.finalize` on the object queues ``f`` and
sends a notification (the collector may run in any thread, and at any
point of the loop's own code); the loop calls ``f()`` when it receives
the notification.  The notification exists while some finaliser is pending,
so nothing is registered with the engine when there is none.

.. note:: Differences from Lwt_gc: ``f`` takes no argument.  OCaml hands
   the finaliser the collected value; Python's weak references cannot, so
   ``f`` must not refer to the object (a closure over the object would keep
   it alive).  Give it what it needs to clean up instead.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable

import lwt.core as _lwt

from . import _main, _notify

__all__ = ["finalise", "finalise_or_exit"]

_queue: deque[Callable[[], _lwt.Promise[None]]] = deque()
_ident = 0
_alive = 0  # weakref.finalize objects not yet fired or detached, plus queued calls
_running: set[_lwt.Promise[None]] = set()
_or_exit: set[weakref.finalize[..., object]] = set()
_exit_hook_added = False


def _deliver() -> None:
    while _queue:
        f = _queue.popleft()
        _call(f)
        _release()


def _call(f: Callable[[], _lwt.Promise[None]]) -> None:
    p = _lwt.apply(f)
    if p.is_sleeping():
        _running.add(p)
        p.on_termination(lambda: _running.discard(p))
    else:
        p.on_failure(lambda exc: _lwt.async_(lambda: _lwt.fail(exc)))


def _hold() -> None:
    global _alive, _ident
    if _alive == 0:
        _ident = _notify.make_notification(_deliver)
    _alive += 1


def _release() -> None:
    global _alive, _ident
    _alive -= 1
    if _alive == 0:
        _notify.stop_notification(_ident)
        _ident = 0


def _collected(f: Callable[[], _lwt.Promise[None]]) -> None:
    """Run by the collector: hand ``f`` to the loop."""
    _queue.append(f)
    ident = _ident
    if ident:
        _notify.send_notification(ident)


def _at_exit() -> _lwt.Promise[None]:
    for fin in list(_or_exit):
        got = fin.detach()
        if got is not None:
            _release()
            _call(got[2][0])
    _or_exit.clear()
    _deliver()
    return _lwt.join(list(_running))


def _register(f: Callable[[], _lwt.Promise[None]], obj: object) -> weakref.finalize[..., object]:
    global _exit_hook_added
    if not callable(f):
        raise TypeError(f"finalise: expected a callable, got {type(f).__name__}")
    if not _exit_hook_added:
        _exit_hook_added = True
        _main.at_exit(_at_exit)
    fin = weakref.finalize(obj, _collected, f)
    fin.atexit = False
    _hold()
    return fin


def finalise(f: Callable[[], _lwt.Promise[None]], obj: object) -> None:
    """Call ``f()`` in the loop some time after ``obj`` is garbage collected.

    If ``f()`` returns a pending promise, the program waits for it at exit.
    An exception from ``f`` (or a rejection) goes to the async exception hook.

    Raises:
        TypeError: ``obj`` cannot be weakly referenced, or ``f`` is not callable.
    """
    _register(f, obj)


def finalise_or_exit(f: Callable[[], _lwt.Promise[None]], obj: object) -> None:
    """Call ``f()`` once: after ``obj`` is collected, or at exit if it is still alive.

    Raises:
        TypeError: ``obj`` cannot be weakly referenced, or ``f`` is not callable.
    """
    fin = _register(f, obj)
    _or_exit.add(fin)
    # Drop the entry once the object is collected (the finalize object is then dead).
    weakref.finalize(obj, _or_exit.discard, fin).atexit = False
