"""lwt.unix.engine: what waits for file descriptors and timers (Lwt_engine).

An engine registers callbacks on readable and writable file descriptors
and on timers (:meth:`Engine.on_readable`, :meth:`Engine.on_writable`,
:meth:`Engine.on_timer`, each returning an :class:`Event` that
:meth:`Event.stop` unregisters) and runs one iteration of waiting at a time
(:meth:`Engine.iter`).  :func:`lwt.unix.main.run` drives the current engine
(:func:`get`, :func:`set`).  The default, :class:`SelectorEngine`, waits
with :class:`selectors.DefaultSelector` (epoll on Linux);
:class:`SelectEngine` and :class:`PollEngine` use ``select(2)`` and
``poll(2)``.  :class:`AsyncioEngine` runs on an asyncio event loop
(asyncio's own or uvloop), either driven by :func:`lwt.unix.main.run` or
inside a running asyncio application; see :mod:`lwt.unix.interop` for
awaiting across the two libraries.  Write another engine by subclassing
:class:`Engine`.

:class:`AsyncioEngine` runs its loop in one of two ways.  When
:func:`lwt.unix.main.run` runs it, each :meth:`AsyncioEngine.iter` runs the
loop (``loop.run_forever()``) until lwt's callbacks ran, or, under
:func:`~lwt.unix.main.run` with no iteration hooks, until the promise being
waited for is resolved; asyncio tasks on the loop run meanwhile.  When an
asyncio application runs the loop (``asyncio.run``), make the engine
current from inside it and do not call :func:`~lwt.unix.main.run` (it
raises :class:`RuntimeError` there, as :func:`asyncio.run` does): lwt's
I/O and timers progress as the loop runs, and paused promises are woken
at the loop's next turn.  This module imports :mod:`asyncio` only when
:class:`AsyncioEngine` is first used.

The functions of this module act on the current engine, as Lwt_engine's do.

.. note:: Differences from Lwt: there is no libev engine (the selector
   engine takes its place) and no ``id``/``engine_id`` (use the engine's
   class); timers use the engine's clock (``Engine.clock``,
   :func:`time.monotonic` unless given with ``clock=``); a repeating timer needs a
   positive period; callbacks' exceptions go to the async exception hook.
   The asyncio engine is ours.  With it, the iteration hooks of
   :mod:`lwt.unix.main` run only while :func:`~lwt.unix.main.run` runs
   the loop, not when an asyncio application does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from ._asyncio_engine import AsyncioEngine

__all__ = [
    "AsyncioEngine",
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
        obj = g.get(name)
        if getattr(obj, "__module__", "") == "lwt.unix._engine":
            obj.__module__ = __name__


_publish()
del _publish


def __getattr__(name: str) -> Any:
    # AsyncioEngine imports asyncio, which lwt.unix does not need otherwise:
    # load it on first use.
    if name == "AsyncioEngine":
        from ._asyncio_engine import AsyncioEngine

        globals()[name] = AsyncioEngine
        return AsyncioEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # (``set`` here is this module's function, not the builtin.)
    names = list(globals())
    if "AsyncioEngine" not in names:
        names.append("AsyncioEngine")
    return sorted(names)
