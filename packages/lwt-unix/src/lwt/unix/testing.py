"""lwt.unix.testing: virtual time for tests.

A :class:`VirtualClock` is a clock that moves only when a test lets it:
by :meth:`VirtualClock.advance`, by jumping to the next timer when the
loop has nothing else to do (its ``autojump_threshold``), or at a chosen
``rate``.  A :class:`VirtualTimeEngine` is the default engine with its
timers on such a clock and its file descriptors still real, so a test of a
one-hour timeout around real socket I/O runs in milliseconds, and every
timer fires with the clock at exactly its deadline.
:func:`virtual_time` installs one for a ``with`` block::

    import lwt.unix
    from lwt.unix.main import run
    from lwt.unix.testing import virtual_time

    with virtual_time() as clock:
        try:
            run(lwt.unix.with_timeout(3600, lambda: lwt.unix.sleep(7200)))
        except lwt.unix.Timeout:
            assert clock.now() == 3600  # in a few milliseconds of real time

Any engine can read another clock: pass ``clock=`` to
:class:`lwt.unix.engine.SelectorEngine` (a function returning seconds);
only :class:`VirtualTimeEngine` jumps.

With pytest, the plugin ``lwt.unix.pytest_plugin`` (installed with
lwt-unix) gives the ``lwt_clock`` fixture: a virtual clock, with autojump,
on the test's engine.

.. note:: Lwt has no virtual time and no test engine; this module follows
   Trio's ``MockClock`` (see :class:`VirtualClock`).
"""

from __future__ import annotations

from ._virtual_clock import VirtualClock
from ._virtual_engine import VirtualTimeEngine, virtual_time

__all__ = ["VirtualClock", "VirtualTimeEngine", "virtual_time"]

for _obj in (VirtualClock, VirtualTimeEngine, virtual_time):
    _obj.__module__ = __name__
del _obj
