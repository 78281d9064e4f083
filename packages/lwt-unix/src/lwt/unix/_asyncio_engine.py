"""An engine that runs on an asyncio event loop (asyncio's own, uvloop, ...).

Which loop, and who runs it
===========================

:class:`AsyncioEngine` registers lwt's events with an event loop:
descriptors with ``loop.add_reader``/``loop.add_writer``, timers with one
``loop.call_later`` handle armed for the earliest deadline (the base class
keeps the heap, the counts and the order of callbacks, as for every
engine).  Made without a loop, it takes the loop running in this thread,
or else makes a new one with :func:`asyncio.new_event_loop` (which follows
the event loop policy, so ``uvloop.install()`` gives a uvloop loop); a
loop it made is closed by :meth:`~lwt.unix.engine.Engine.destroy`.

There are two ways to run it:

* *lwt runs the loop*: :func:`lwt.unix.main.run` calls :meth:`iter`, and
  each call runs the loop with ``loop.run_forever()`` until it has done
  enough: one turn if ``block`` is false; if ``block`` is true, until lwt
  events ran (or, under :func:`~lwt.unix.main.run` with no iteration hooks,
  until the promise it waits for is resolved; going in and out of
  ``run_forever`` costs tens of microseconds, so it is not done per event).
  asyncio tasks and callbacks on the same loop run meanwhile.
* *asyncio runs the loop*: inside an asyncio application (``asyncio.run``),
  make the engine current and never call :func:`~lwt.unix.main.run`: lwt's
  I/O and timer callbacks run as the loop runs.  Await promises from
  tasks with ``await p`` (see :mod:`lwt.unix.interop`).
  :func:`~lwt.unix.main.run` and :meth:`iter` raise :class:`RuntimeError`
  while an asyncio loop runs in this thread, as :func:`asyncio.run` does.

Paused promises (:func:`lwt.core.pause`) are woken by a ``call_soon``
callback at the next turn of the loop when they are paused while the loop
runs in this thread; otherwise :func:`~lwt.unix.main.run` wakes them as
usual.  The engine registers lwt.core's pause notifier for that
(:func:`lwt.core.register_pause_notifier`), calling the one registered
before it.

Notifications, and so worker-thread jobs, :mod:`lwt.unix.preemptive`,
signals and child processes, go through a descriptor registered with the
current engine, so they work unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from heapq import heappop
from typing import Any

import lwt.core as _lwt
import lwt.core._scheduling as _scheduling

from . import _engine, _main
from ._engine import READ, WRITE, Engine, Event, _Watch

__all__ = ["AsyncioEngine"]

_get_running_loop = asyncio.events._get_running_loop

# call_later is given at most this many seconds: uvloop counts whole
# milliseconds in 64 bits, and a far deadline is re-armed when reached.
_MAX_DELAY = 86400.0


class AsyncioEngine(Engine):
    """An engine that runs on an asyncio event loop (uvloop's included).

    Descriptors are waited for with ``loop.add_reader`` and
    ``loop.add_writer``, timers with ``loop.call_later``; lwt's callbacks
    run as callbacks of the loop.  Either :func:`lwt.unix.main.run` runs
    the loop (through :meth:`iter`), or an asyncio application already
    runs it and lwt progresses with it: see the module's documentation
    (``lwt.unix.engine``) and :mod:`lwt.unix.interop`.

    Args:
        loop: the event loop to run on.  If ``None``, the loop running in
            this thread, else a new loop from :func:`asyncio.new_event_loop`
            that the engine owns and closes when destroyed.

    Raises:
        TypeError: ``loop`` is not an :class:`asyncio.AbstractEventLoop`.
        RuntimeError: ``loop`` is closed.

    Inside an asyncio application, put another engine back
    (``lwt.unix.engine.set(lwt.unix.engine.SelectorEngine())``) before
    the application's loop is closed: the engine cannot outlive its loop.

    .. note:: Lwt has no such engine (its engines are libev, select and
       poll).  Timers use :func:`time.monotonic`, as the other engines
       do; :meth:`~lwt.unix.engine.Engine.fork` is not supported (asyncio
       loops cannot be carried into a child process).
    """

    __slots__ = (
        "_armed_at",
        "_eager",
        "_ended",
        "_io_closed",
        "_iterating",
        "_iteration",
        "_loop",
        "_owns_loop",
        "_pause_handle",
        "_stopping",
        "_timer_handle",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        owns = False
        if loop is None:
            loop = _get_running_loop()
            if loop is None:
                loop = asyncio.new_event_loop()
                owns = True
        elif not isinstance(loop, asyncio.AbstractEventLoop):
            raise TypeError(
                f"AsyncioEngine: expected an asyncio event loop, got {type(loop).__name__}"
            )
        elif loop.is_closed():
            raise RuntimeError("AsyncioEngine: the event loop is closed")
        super().__init__()
        self._loop: asyncio.AbstractEventLoop = loop
        self._owns_loop = owns
        self._timer_handle: asyncio.TimerHandle | None = None
        self._armed_at = 0.0
        self._pause_handle: asyncio.Handle | None = None
        # The state of iter(), see there.
        self._iterating = False
        self._eager = False
        self._stopping = False
        self._ended = False
        self._io_closed = False
        self._iteration = 0
        _install_pause_notifier()
        from . import _interop  # here: _interop imports this module

        _interop._install()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The asyncio event loop the engine runs on."""
        return self._loop

    # ------------------------------------------------------------ iter
    def iter(self, block: bool) -> None:
        """Run the loop until lwt has something to look at.

        With ``block`` false, run one turn of the loop without waiting.
        With ``block`` true, run it until callbacks of lwt events ran (a
        descriptor, timers, an asyncio future followed by a promise, a
        batch of paused promises woken), asyncio's own callbacks and tasks
        running meanwhile; the lwt events of that turn run, later ones
        wait for the next call.  Due timers run before descriptors.

        Raises:
            RuntimeError: an asyncio event loop is running in this thread
                (asyncio runs the loop: lwt progresses with it; await the
                promise instead), or the engine was destroyed, or the loop
                is closed.
        """
        self._check_alive()
        self._check_not_in_loop("iter")
        loop = self._loop
        self._iteration += 1
        self._ended = self._io_closed = False
        if block:
            # Under main.run without iteration hooks, returning after each
            # event would only make main.run look at its promise, still
            # pending, and going in and out of run_forever is slow: run on
            # until main.run's callback on its promise ends the iteration.
            hooks = _main.enter_iter_hooks._hooks or _main.leave_iter_hooks._hooks
            self._eager = not _main._watching or bool(hooks)
            self._stopping = False
        else:
            self._stopping = True
            loop.stop()  # before run_forever: one turn that does not wait
        self._iterating = True
        try:
            loop.run_forever()
        finally:
            self._iterating = False
            self._eager = self._stopping = self._ended = self._io_closed = False

    def _check_not_in_loop(self, what: str) -> None:
        if _get_running_loop() is not None:
            raise RuntimeError(
                f"lwt.unix.main.run ({what}) cannot be called from a running asyncio event "
                "loop: when asyncio runs the loop, lwt progresses with it; await the "
                "promise instead (await p, or lwt.unix.interop.to_future(p))"
            )

    def _check_run_allowed(self) -> None:
        """Called by :func:`lwt.unix.main.run` before it starts."""
        self._check_not_in_loop("run")

    def _end_iteration(self) -> None:
        """End the current blocking :meth:`iter` with the loop's current turn.

        ``loop.stop()`` ends asyncio's loop after the current turn, but
        uvloop's only after one more, when it is called from a descriptor's
        callback.  So from now on lwt's timers wait for the next
        :meth:`iter` (``_ended``), and so do descriptors once a turn has
        passed (``_io_closed``, set by a callback queued now, which asyncio
        only runs at the next :meth:`iter`, where it is stale).  Nothing is
        lost: readiness is reported again, and deferred timers are re-armed.
        """
        if self._iterating and not self._stopping:
            self._stopping = self._ended = True
            loop = self._loop
            loop.stop()
            loop.call_soon(self._turn_passed, self._iteration)

    def _turn_passed(self, iteration: int) -> None:
        if iteration == self._iteration and self._iterating:
            self._io_closed = True

    def _activity(self) -> None:
        """lwt callbacks ran: end a blocking :meth:`iter` that waits for that."""
        if self._eager:
            self._end_iteration()

    # ---------------------------------------------------- descriptors
    def _watch(self, fd: int, watch: _Watch, old: int, new: int) -> None:
        loop = self._loop
        added = new & ~old
        removed = old & ~new
        if added & READ:
            loop.add_reader(fd, self._ready, watch, READ)
        if added & WRITE:
            try:
                loop.add_writer(fd, self._ready, watch, WRITE)
            except BaseException:
                if added & READ:
                    loop.remove_reader(fd)
                raise
        if removed:
            # Stopping an event must not fail, even on a closed descriptor
            # or a loop closed behind the engine's back.
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                if removed & READ:
                    loop.remove_reader(fd)
                if removed & WRITE:
                    loop.remove_writer(fd)

    def _ready(self, watch: _Watch, mask: int) -> None:
        if self._io_closed:
            return  # for the next iter(): see _end_iteration
        heap = self._timers
        if heap and not self._ended and heap[0][0] <= self._clock():
            # Timers first, as the other engines do (asyncio runs the
            # callbacks of descriptors before those of timers).
            self._run_timers()
        self._dispatch(watch, mask)
        if self._eager:
            self._end_iteration()

    # ---------------------------------------------------------- timers
    def _add_timer(self, ev: Event, delay: float) -> None:
        super()._add_timer(ev, delay)
        self._arm_if_earlier(ev._deadline)

    def _arm_if_earlier(self, deadline: float) -> None:
        if self._timer_handle is None or deadline < self._armed_at:
            self._arm(deadline)

    def _arm(self, deadline: float) -> None:
        """Make the loop call ``_on_timer`` at ``deadline`` (engine clock)."""
        handle = self._timer_handle
        if handle is not None:
            handle.cancel()
        self._armed_at = deadline
        delay = deadline - self._clock()
        if delay < 0.0:
            delay = 0.0
        elif delay > _MAX_DELAY:
            delay = _MAX_DELAY
        self._timer_handle = self._loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer_handle = None
        if self._ntimers and not self._ended:
            # The loop may call a little early (uvloop rounds to whole
            # milliseconds): nothing runs then, and the handle is re-armed.
            self._run_timers()
            if self._eager:
                self._end_iteration()
        heap = self._timers
        while heap:
            deadline, _seq, ev = heap[0]
            if ev._engine is self:
                # A callback above may have armed the handle already.
                self._arm_if_earlier(deadline)
                return
            heappop(heap)

    # ---------------------------------------------------------- pauses
    def _paused(self) -> None:
        """A promise was paused: see that something wakes it."""
        if self._eager:
            # A blocking iter() for main.run or a caller that wakes paused
            # promises itself after each iteration.
            self._end_iteration()
        elif self._pause_handle is None and _get_running_loop() is self._loop:
            self._pause_handle = self._loop.call_soon(self._wake_paused)

    def _wake_paused(self) -> None:
        self._pause_handle = None
        _lwt.wakeup_paused()

    # ---------------------------------------------------- whole engine
    def _drop_all(self) -> list[Event]:
        evs = super()._drop_all()
        self._cancel_handles()
        return evs

    def _cancel_handles(self) -> None:
        handle = self._timer_handle
        self._timer_handle = None
        if handle is not None:
            handle.cancel()
        pause = self._pause_handle
        self._pause_handle = None
        if pause is not None:
            pause.cancel()

    def _cleanup(self) -> None:
        self._cancel_handles()
        loop = self._loop
        if self._owns_loop and not loop.is_running() and not loop.is_closed():
            loop.close()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__module__}.{type(self).__qualname__} on "
            f"{type(self._loop).__module__}.{type(self._loop).__qualname__}: "
            f"{self._nread} readable, {self._nwrite} writable, {self._ntimers} timers>"
        )


# --------------------------------------------------------- pause notifier
_previous_notifier: Callable[[int], object] | None = None
_notifier_installed = False


def _on_pause(count: int) -> None:
    current = _engine._current
    if isinstance(current, AsyncioEngine):
        current._paused()
    previous = _previous_notifier
    if previous is not None:
        previous(count)


def _install_pause_notifier() -> None:
    """Register ``_on_pause`` with lwt.core once, keeping the notifier found there."""
    global _notifier_installed, _previous_notifier
    if _notifier_installed:
        return
    previous: Any = getattr(_scheduling, "_pause_notifier", None)
    _previous_notifier = previous if callable(previous) else None
    _lwt.register_pause_notifier(_on_pause)
    _notifier_installed = True


AsyncioEngine.__module__ = "lwt.unix.engine"
