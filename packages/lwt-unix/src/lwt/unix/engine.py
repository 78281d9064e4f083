"""lwt.unix.engine: what waits for file descriptors and timers (Lwt_engine).

An engine registers callbacks on readable and writable file descriptors
and on timers (:meth:`Engine.on_readable`, :meth:`Engine.on_writable`,
:meth:`Engine.on_timer`, each returning an :class:`Event` that
:meth:`Event.stop` unregisters) and runs one iteration of waiting at a time
(:meth:`Engine.iter`).  :func:`lwt.unix.main.run` drives the current engine
(:func:`get`, :func:`set`).  The default, :class:`SelectorEngine`, waits
with :class:`selectors.DefaultSelector` (epoll on Linux);
:class:`SelectEngine` and :class:`PollEngine` use ``select(2)`` and
``poll(2)``.  Write another engine by subclassing :class:`Engine`.

The functions of this module act on the current engine, as Lwt_engine's do.

.. note:: Differences from Lwt: there is no libev engine (the selector
   engine takes its place) and no ``id``/``engine_id`` (use the engine's
   class); timers use the monotonic clock; a repeating timer needs a
   positive period; callbacks' exceptions go to the async exception hook.
"""

from __future__ import annotations

from ._engine import (
    Engine,
    Event,
    PollEngine,
    SelectEngine,
    SelectorEngine,
    fake_event,
    fake_io,
    fork,
    forwards_signal,
    get,
    iter,
    on_readable,
    on_timer,
    on_writable,
    readable_count,
    set,
    stop_event,
    timer_count,
    writable_count,
)

__all__ = [
    "Engine",
    "Event",
    "PollEngine",
    "SelectEngine",
    "SelectorEngine",
    "fake_event",
    "fake_io",
    "fork",
    "forwards_signal",
    "get",
    "iter",
    "on_readable",
    "on_timer",
    "on_writable",
    "readable_count",
    "set",
    "stop_event",
    "timer_count",
    "writable_count",
]


def _publish() -> None:
    g = globals()
    for name in __all__:
        obj = g[name]
        if getattr(obj, "__module__", "") == "lwt.unix._engine":
            obj.__module__ = __name__


_publish()
del _publish
