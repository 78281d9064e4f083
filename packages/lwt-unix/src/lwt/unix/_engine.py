"""Engines: what waits for file descriptors and timers (Lwt_engine).

How the pieces fit
==================

An *engine* keeps three kinds of *events*: a callback waiting for a file
descriptor to become readable, one waiting for it to become writable, and a
timer.  Registering one returns an :class:`Event`; :meth:`Event.stop`
unregisters it.  :meth:`Engine.iter` waits (or only looks, when it must not
block) for something to happen and runs the callbacks of what happened.
:func:`lwt.unix.main.run` calls it in a loop.

The base class :class:`Engine` holds the bookkeeping that every engine
shares, so that counting, :meth:`~Engine.fake_io`,
:meth:`~Engine.transfer` and :meth:`~Engine.destroy` work the same way
whatever does the waiting:

* per file descriptor, a :class:`_Watch` holding the readable and the
  writable events in the order they were registered, which is the order
  their callbacks run in;
* the timers, in a binary heap of ``(deadline, sequence number, event)``:
  adding one costs O(log n); stopping one only marks it (its entry is
  dropped when it reaches the top of the heap, or when dead entries
  outnumber live ones and the heap is rebuilt); a repeating timer's next
  deadline is its previous deadline plus its period, so it does not drift.

A concrete engine supplies :meth:`Engine.iter` and :meth:`Engine._watch`
(told whenever the set of conditions waited for on a descriptor changes),
and may supply :meth:`Engine._cleanup`.  :class:`SelectorEngine` does so
with a :mod:`selectors` selector (epoll on Linux, kqueue on the BSDs and
macOS); :class:`SelectEngine` and :class:`PollEngine` are the same code on
``select(2)`` and ``poll(2)``.

An exception raised by a callback goes to lwt.core's async exception hook
(see :func:`lwt.core.set_async_exception_hook`); the other callbacks of the
same iteration still run.  Only :class:`Exception` is caught: a
``KeyboardInterrupt`` propagates out of :meth:`Engine.iter`.

Each engine reads the time from its *clock*, a function returning seconds
(:attr:`Engine.clock`): :func:`time.monotonic` unless the constructor was
given another, so changing the wall clock does not move timers (Lwt's
select engine uses the wall clock).  Timer deadlines are in the clock's
seconds, and a concrete engine blocks for ``deadline - clock()`` real
seconds; :mod:`lwt.unix.testing` has an engine whose clock is virtual.
"""

from __future__ import annotations

import abc
import contextlib
import errno
import itertools
import math
import os
import selectors
from collections.abc import Callable
from heapq import heapify, heappop, heappush
from time import monotonic
from typing import Any

import lwt.core as _lwt

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

# Kinds of events, and the bits of a _Watch's mask (selectors' own values).
READ = selectors.EVENT_READ  # 1
WRITE = selectors.EVENT_WRITE  # 2
TIMER = 4

# Rebuild the timer heap when it holds more than this many dead entries and
# more dead entries than live ones.
_COMPACT_MIN = 1024

# select(2) handles descriptors below this only.
_FD_SETSIZE = 1024


def _report(exc: BaseException) -> None:
    """Hand ``exc``, raised by an engine callback, to the async exception hook."""
    _lwt.async_(lambda: _lwt.fail(exc))


_new = object.__new__


def _fileno(fd: Any) -> int:
    if fd.__class__ is int:
        return fd
    if isinstance(fd, int):
        return int(fd)
    fileno = getattr(fd, "fileno", None)
    if fileno is None:
        raise TypeError(f"expected a file descriptor (an int), got {type(fd).__name__}")
    return int(fileno())


class Event:
    """A callback registered with an engine (``Lwt_engine.event``).

    Engines make events; :meth:`stop` unregisters one.  After
    :meth:`Engine.transfer` the same object lives in the new engine, so it
    can still be stopped.
    """

    __slots__ = ("_deadline", "_delay", "_engine", "_f", "_fd", "_kind", "_repeat", "_watch")

    # _engine: the engine holding the event, None once stopped.
    # _kind: READ, WRITE or TIMER.  _fd, _watch: for READ and WRITE.
    # _delay, _repeat, _deadline: for TIMER.
    _engine: Engine | None
    _kind: int
    _f: Callable[[Event], object]
    _fd: int
    _watch: _Watch | None
    _delay: float
    _repeat: bool
    _deadline: float

    def __init__(self, kind: int, f: Callable[[Event], object]) -> None:
        self._engine = None
        self._kind = kind
        self._f = f
        self._fd = -1
        self._watch = None
        self._delay = 0.0
        self._repeat = False
        self._deadline = 0.0

    def stop(self) -> None:
        """Unregister the event; its callback will not be called again.

        Stopping an event that is already stopped does nothing.
        """
        engine = self._engine
        if engine is not None:
            engine._remove(self)

    def __repr__(self) -> str:
        if self._kind == TIMER:
            what = f"timer {self._delay}s{' repeating' if self._repeat else ''}"
        else:
            what = f"{'readable' if self._kind == READ else 'writable'} fd {self._fd}"
        return f"<lwt.unix.engine.Event {what}{'' if self._engine else ' stopped'}>"


fake_event = Event(TIMER, lambda _ev: None)
"""An event that belongs to no engine: stopping it does nothing."""


class _Watch:
    """The events waiting on one file descriptor, in registration order."""

    __slots__ = ("fd", "mask", "readers", "writers")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.mask = 0
        self.readers: list[Event] = []
        self.writers: list[Event] = []


class Engine(abc.ABC):
    """The base class of engines (Lwt's ``Lwt_engine.abstract``).

    It implements the registration methods, the counts, :meth:`fake_io`,
    :meth:`transfer` and :meth:`destroy` on its own bookkeeping.  A concrete
    engine implements :meth:`iter` and ``_watch``, and may override
    ``_cleanup`` and :meth:`fork`.  Its :meth:`iter` calls
    ``_timeout`` to learn how long it may block, ``_run_timers`` to
    fire the timers that are due, and ``_dispatch`` for each descriptor
    that became ready.

    Args:
        clock: the function the engine reads the time from, returning
            seconds as a float; :func:`time.monotonic` if ``None``.  It
            must never go backwards.

    Raises:
        TypeError: ``clock`` is not callable.

    .. note:: Lwt's ``id`` and ``engine_id`` are left out: use
       ``isinstance`` on the engine's class.  The ``clock`` argument is
       ours (Lwt's engines read the system's clocks).
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_destroyed",
        "_nread",
        "_ntimers",
        "_nwrite",
        "_seq",
        "_timers",
        "_watches",
    )

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        if clock is None:
            clock = monotonic
        elif not callable(clock):
            raise TypeError(
                f"clock: expected a function returning seconds, got {type(clock).__name__}"
            )
        self._clock: Callable[[], float] = clock
        self._watches: dict[int, _Watch] = {}
        self._nread = 0
        self._nwrite = 0
        self._timers: list[tuple[float, int, Event]] = []
        self._ntimers = 0
        self._seq = itertools.count()
        self._destroyed = False

    @property
    def clock(self) -> Callable[[], float]:
        """The function this engine reads the time from (seconds, as a float).

        Timer deadlines are ``clock() + delay``.
        """
        return self._clock

    # ------------------------------------------------------ to implement
    @abc.abstractmethod
    def iter(self, block: bool) -> None:
        """Run one iteration: wait for events, then call their callbacks.

        Args:
            block: if true, wait until at least one event happens (or the
                next timer is due); if false, only collect the events that
                are already there.
        """

    @abc.abstractmethod
    def _watch(self, fd: int, watch: _Watch, old: int, new: int) -> None:
        """Change what is waited for on ``fd`` from ``old`` to ``new``.

        ``old`` and ``new`` are masks of ``selectors.EVENT_READ`` and
        ``selectors.EVENT_WRITE``; ``0`` means nothing.  Called by the base
        class as events are registered and stopped; ``watch`` is the object
        to hand back to ``_dispatch``.  May raise :class:`OSError` for
        a bad descriptor: the event is then not registered.
        """

    def _cleanup(self) -> None:
        """Release what the engine holds; called by :meth:`destroy`."""
        return None

    # ------------------------------------------------------ registration
    def on_readable(self, fd: int, f: Callable[[Event], object]) -> Event:
        """Call ``f(event)`` each time ``fd`` becomes readable, until stopped.

        Callbacks registered on the same descriptor run in the order they
        were registered.
        """
        ev = _new(Event)
        ev._kind = READ
        ev._f = f
        self._add_fd_event(ev, fd if fd.__class__ is int else _fileno(fd))
        return ev

    def on_writable(self, fd: int, f: Callable[[Event], object]) -> Event:
        """Call ``f(event)`` each time ``fd`` becomes writable, until stopped."""
        ev = _new(Event)
        ev._kind = WRITE
        ev._f = f
        self._add_fd_event(ev, fd if fd.__class__ is int else _fileno(fd))
        return ev

    def on_timer(self, delay: float, repeat: bool, f: Callable[[Event], object]) -> Event:
        """Call ``f(event)`` after ``delay`` seconds; with ``repeat``, every ``delay`` seconds.

        A negative ``delay`` counts as zero.  A timer registered during an
        iteration is not called before the next one.

        Raises:
            lwt.core.InvalidArgument: ``delay`` is NaN, or ``repeat`` is
                true and ``delay`` is not positive.
        """
        ev = _new(Event)
        ev._kind = TIMER
        ev._f = f
        ev._repeat = bool(repeat)
        self._add_timer(ev, delay)
        return ev

    def _check_alive(self) -> None:
        if self._destroyed:
            raise RuntimeError(f"{type(self).__name__}: the engine was destroyed")

    def _add_fd_event(self, ev: Event, fd: int) -> None:
        if self._destroyed:
            self._check_alive()
        w = self._watches.get(fd)
        if w is None:
            w = _Watch(fd)
        kind = ev._kind
        old = w.mask
        if not old & kind:
            self._watch(fd, w, old, old | kind)
            w.mask = old | kind
            if not old:
                self._watches[fd] = w
        if kind == READ:
            w.readers.append(ev)
            self._nread += 1
        else:
            w.writers.append(ev)
            self._nwrite += 1
        ev._fd = fd
        ev._watch = w
        ev._engine = self

    def _add_timer(self, ev: Event, delay: float) -> None:
        """Register the timer event ``ev`` to fire ``delay`` seconds from now."""
        if self._destroyed:
            self._check_alive()
        if delay.__class__ is not float:
            delay = float(delay)
        if delay > 0.0:
            pass
        elif math.isnan(delay):
            raise _lwt.InvalidArgument("on_timer: the delay is NaN")
        elif ev._repeat:
            raise _lwt.InvalidArgument(
                f"on_timer: a repeating timer needs a positive period, got {delay}"
            )
        else:
            delay = 0.0
        ev._delay = delay
        deadline = self._clock() + delay
        ev._deadline = deadline
        ev._engine = self
        heappush(self._timers, (deadline, next(self._seq), ev))
        self._ntimers += 1

    def _remove(self, ev: Event) -> None:
        """Unregister the live event ``ev``; see :meth:`Event.stop`."""
        ev._engine = None
        if ev._kind == TIMER:
            self._ntimers -= 1
            dead = len(self._timers) - self._ntimers
            if dead > _COMPACT_MIN and dead > self._ntimers:
                self._compact()
            return
        w = ev._watch
        assert w is not None
        ev._watch = None
        if ev._kind == READ:
            w.readers.remove(ev)
            self._nread -= 1
            gone = READ if not w.readers else 0
        else:
            w.writers.remove(ev)
            self._nwrite -= 1
            gone = WRITE if not w.writers else 0
        if gone:
            old = w.mask
            new = old & ~gone
            w.mask = new
            if not new:
                del self._watches[w.fd]
            self._watch(w.fd, w, old, new)

    def _compact(self) -> None:
        """Drop the entries of stopped timers from the heap.

        In place: ``_run_timers`` may be walking the same list.
        """
        heap = self._timers
        heap[:] = [entry for entry in heap if entry[2]._engine is self]
        heapify(heap)

    # ----------------------------------------------------------- counts
    def readable_count(self) -> int:
        """Return how many events wait for a descriptor to become readable."""
        return self._nread

    def writable_count(self) -> int:
        """Return how many events wait for a descriptor to become writable."""
        return self._nwrite

    def timer_count(self) -> int:
        """Return how many timers are registered (stopped ones excluded)."""
        return self._ntimers

    # ------------------------------------------------------ for iter()
    def _timeout(self) -> float | None:
        """Return the seconds until the next timer is due (at least 0), or None if none."""
        heap = self._timers
        while heap:
            deadline, _seq, ev = heap[0]
            if ev._engine is self:
                timeout = deadline - self._clock()
                return timeout if timeout > 0.0 else 0.0
            heappop(heap)
        return None

    def _run_timers(self) -> None:
        """Call the timers that are due now, earliest deadline first.

        Each timer leaves the heap before its callback runs (a repeating one
        goes back with its next deadline), so a timer stopped by an earlier
        callback does not run.  Entries pushed while this runs (new timers,
        and repeating ones going back) carry a sequence number above
        ``limit`` and wait for the next iteration: at most one call per
        timer per iteration.  Such an entry at the top can only be due now
        if the clock did not move or a repeating timer is behind; the
        remaining due timers then run at the next (non-blocking) iteration.
        """
        heap = self._timers
        if not heap:
            return
        now = self._clock()
        if heap[0][0] > now:
            return
        seq = self._seq
        limit = next(seq)
        while heap:
            deadline, n, ev = heap[0]
            if deadline > now or n > limit:
                break
            heappop(heap)
            if ev._engine is not self:
                continue
            if ev._repeat:
                deadline += ev._delay
                ev._deadline = deadline
                heappush(heap, (deadline, next(seq), ev))
            else:
                ev._engine = None
                self._ntimers -= 1
            try:
                ev._f(ev)
            except Exception as exc:
                _report(exc)

    def _dispatch(self, w: _Watch, mask: int) -> None:
        """Call the callbacks of ``w`` for the conditions in ``mask``."""
        if mask & READ:
            evs = w.readers
            if len(evs) == 1:
                ev = evs[0]
                try:
                    ev._f(ev)
                except Exception as exc:
                    _report(exc)
            elif evs:
                for ev in evs[:]:
                    if ev._engine is self and ev._watch is w:
                        try:
                            ev._f(ev)
                        except Exception as exc:
                            _report(exc)
        if mask & WRITE:
            evs = w.writers
            if len(evs) == 1:
                ev = evs[0]
                try:
                    ev._f(ev)
                except Exception as exc:
                    _report(exc)
            elif evs:
                for ev in evs[:]:
                    if ev._engine is self and ev._watch is w:
                        try:
                            ev._f(ev)
                        except Exception as exc:
                            _report(exc)

    # ------------------------------------------------------ whole engine
    def fake_io(self, fd: int) -> None:
        """Act as if ``fd`` became readable and writable: run its callbacks now."""
        w = self._watches.get(_fileno(fd))
        if w is not None:
            self._dispatch(w, READ | WRITE)

    def _events(self) -> list[Event]:
        """Every live event: descriptors in registration order, then timers by deadline."""
        evs: list[Event] = []
        for w in list(self._watches.values()):
            evs.extend(w.readers)
            evs.extend(w.writers)
        timers = sorted(entry for entry in self._timers if entry[2]._engine is self)
        evs.extend(entry[2] for entry in timers)
        return evs

    def _drop_all(self) -> list[Event]:
        """Unregister every event without marking it stopped; return them."""
        evs = self._events()
        for w in list(self._watches.values()):
            old = w.mask
            w.mask = 0
            w.readers = []
            w.writers = []
            with contextlib.suppress(OSError, ValueError):
                self._watch(w.fd, w, old, 0)
        self._watches.clear()
        self._timers.clear()  # in place, for a _run_timers that may be running
        self._nread = self._nwrite = self._ntimers = 0
        for ev in evs:
            ev._watch = None
        return evs

    def transfer(self, engine: Engine) -> None:
        """Move every event of this engine to ``engine``.

        The :class:`Event` objects stay valid and now belong to ``engine``.
        Timers restart: one registered 1 s ago with a 2 s delay fires 2 s
        after the transfer, as in Lwt.
        """
        if engine is self:
            return
        for ev in self._drop_all():
            ev._engine = None
            if ev._kind == TIMER:
                engine._add_timer(ev, ev._delay)
            else:
                engine._add_fd_event(ev, ev._fd)

    def destroy(self) -> None:
        """Stop every event and release the engine's resources.

        A destroyed engine refuses new events.
        """
        if self._destroyed:
            return
        for ev in self._drop_all():
            ev._engine = None
        self._destroyed = True
        self._cleanup()

    def fork(self) -> None:
        """Prepare the engine for use in a child process after ``fork()``.

        The base class has nothing to do; engines holding a kernel object
        shared with the parent (an epoll or kqueue descriptor) recreate it.
        """
        return None

    def forwards_signal(self, signum: int) -> bool:
        """Return whether the engine itself reports signal ``signum`` to lwt.

        The engines of this module never do, so they return ``False``.
        """
        return False


class SelectorEngine(Engine):
    """The default engine: a :mod:`selectors` selector does the waiting.

    With no argument it uses :class:`selectors.DefaultSelector` (epoll on
    Linux, kqueue on the BSDs and macOS).

    Args:
        selector: a :class:`selectors.BaseSelector` subclass to use instead.
        clock: the engine's clock (see :class:`Engine`).

    .. note:: Lwt's default is its libev engine; this takes its place.
       epoll refuses regular files: waiting on one raises
       :class:`PermissionError` (lwt.unix never asks, since I/O on regular
       files goes through worker threads).
    """

    __slots__ = ("_selector", "_selector_class")

    def __init__(
        self,
        selector: type[selectors.BaseSelector] | None = None,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._selector_class = selectors.DefaultSelector if selector is None else selector
        self._selector: selectors.BaseSelector = self._selector_class()

    def _watch(self, fd: int, watch: _Watch, old: int, new: int) -> None:
        sel = self._selector
        if not old:
            sel.register(fd, new, watch)
        elif not new:
            with contextlib.suppress(KeyError, ValueError):
                sel.unregister(fd)
        else:
            try:
                sel.modify(fd, new, watch)
            except KeyError:
                sel.register(fd, new, watch)
            except OSError:
                # The selector forgot the descriptor (it was closed).  When
                # only dropping a condition, keep going: stopping an event
                # must not fail.
                if new & ~old:
                    raise
                with contextlib.suppress(OSError, ValueError, KeyError):
                    sel.register(fd, new, watch)

    def _cleanup(self) -> None:
        self._selector.close()

    def fork(self) -> None:
        """Recreate the selector after ``fork()`` and register every descriptor again."""
        self._check_alive()
        self._selector.close()
        self._selector = self._selector_class()
        for w in list(self._watches.values()):
            self._selector.register(w.fd, w.mask, w)

    def iter(self, block: bool) -> None:
        """Wait for the descriptors and timers, then run the callbacks of what happened.

        Timers run first, then descriptors in the order the selector
        reports them.
        """
        timeout = self._timeout() if block else 0.0
        try:
            ready = self._selector.select(timeout)
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise
            ready = self._bad_descriptors()
        if self._timers:
            self._run_timers()
        if ready:
            dispatch = self._dispatch
            for key, mask in ready:
                dispatch(key.data, mask)

    def _bad_descriptors(self) -> list[tuple[selectors.SelectorKey, int]]:
        """After ``EBADF``: report the closed descriptors as ready.

        Their callbacks then meet the error in their own system calls, as
        Lwt's select engine arranges.
        """
        ready = []
        for w in list(self._watches.values()):
            try:
                os.fstat(w.fd)
            except OSError:
                with contextlib.suppress(KeyError):
                    ready.append((self._selector.get_key(w.fd), w.mask))
        return ready

    def __repr__(self) -> str:
        return (
            f"<{type(self).__module__}.{type(self).__qualname__} on "
            f"{self._selector_class.__name__}: {self._nread} readable, "
            f"{self._nwrite} writable, {self._ntimers} timers>"
        )


class SelectEngine(SelectorEngine):
    """An engine on ``select(2)`` (Lwt's ``select`` engine).

    It handles descriptors below ``FD_SETSIZE`` (1024) only: registering a
    larger one raises :class:`ValueError`.

    Args:
        clock: the engine's clock (see :class:`Engine`).
    """

    __slots__ = ()

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        super().__init__(selectors.SelectSelector, clock=clock)

    def _watch(self, fd: int, watch: _Watch, old: int, new: int) -> None:
        if not old and not 0 <= fd < _FD_SETSIZE:
            raise ValueError(f"select() cannot wait on file descriptor {fd}")
        super()._watch(fd, watch, old, new)


class PollEngine(SelectorEngine):
    """An engine on ``poll(2)`` (Lwt's ``poll_based``); not on Windows.

    Args:
        clock: the engine's clock (see :class:`Engine`).
    """

    __slots__ = ()

    def __init__(self, *, clock: Callable[[], float] | None = None) -> None:
        poll = getattr(selectors, "PollSelector", None)
        if poll is None:
            raise OSError(errno.ENOSYS, "poll(2) is not available on this system")
        super().__init__(poll, clock=clock)


# ---------------------------------------------------------------- current
_current: Engine = SelectorEngine()


def get() -> Engine:
    """Return the engine in use."""
    return _current


def set(engine: Engine, transfer: bool = True, destroy: bool = True) -> None:
    """Make ``engine`` the engine in use.

    Args:
        engine: the new engine.
        transfer: move the events of the current engine to ``engine``.
        destroy: destroy the current engine.
    """
    global _current
    if not isinstance(engine, Engine):
        raise TypeError(f"set: expected an lwt.unix.engine.Engine, got {type(engine).__name__}")
    old = _current
    if engine is old:
        return
    if transfer:
        old.transfer(engine)
    if destroy:
        old.destroy()
    _current = engine


def iter(block: bool) -> None:
    """Run one iteration of the current engine (see :meth:`Engine.iter`)."""
    _current.iter(block)


def on_readable(fd: int, f: Callable[[Event], object]) -> Event:
    """Call ``f(event)`` each time ``fd`` becomes readable (current engine)."""
    return _current.on_readable(fd, f)


def on_writable(fd: int, f: Callable[[Event], object]) -> Event:
    """Call ``f(event)`` each time ``fd`` becomes writable (current engine)."""
    return _current.on_writable(fd, f)


def on_timer(delay: float, repeat: bool, f: Callable[[Event], object]) -> Event:
    """Call ``f(event)`` after ``delay`` s (each ``delay`` s with ``repeat``); current engine."""
    return _current.on_timer(delay, repeat, f)


def readable_count() -> int:
    """Return the current engine's count of readable events."""
    return _current.readable_count()


def writable_count() -> int:
    """Return the current engine's count of writable events."""
    return _current.writable_count()


def timer_count() -> int:
    """Return the current engine's count of timers."""
    return _current.timer_count()


def fake_io(fd: int) -> None:
    """Run the callbacks waiting on ``fd`` in the current engine."""
    _current.fake_io(fd)


def fork() -> None:
    """Prepare the current engine for the child process after ``fork()``."""
    _current.fork()


def forwards_signal(signum: int) -> bool:
    """Return whether the current engine reports signal ``signum`` itself."""
    return _current.forwards_signal(signum)


def stop_event(ev: Event) -> None:
    """Stop ``ev`` (the same as ``ev.stop()``)."""
    ev.stop()
