"""lwt.unix.interop: lwt promises and asyncio futures, each awaiting the other.

Which loop
==========

lwt and asyncio meet on one thread and one event loop, the loop of the
current :class:`~lwt.unix.engine.AsyncioEngine` (asyncio's own loop or
uvloop).  Either :func:`lwt.unix.main.run` runs that loop, or an asyncio
application does (``asyncio.run``) and lwt's I/O and timers progress with
it; see :mod:`lwt.unix.engine`.  When no loop is named, the functions
below use the loop running in this thread, else the asyncio engine's.

What runs when
==============

Each side keeps its own rules.  lwt runs a promise's callbacks the moment
the promise is resolved; asyncio runs done callbacks and task steps at a
later turn of the loop.  So a promise that follows a future is resolved
in the future's done callback, a turn after the future is done; a future
that follows a promise is done as soon as the promise is resolved (at the
next turn if that happens while the loop is not running), and its own
callbacks run at a later turn.

* :func:`to_future` gives an :class:`asyncio.Future` for a promise: it gets
  the promise's value, or the very exception object the promise was
  rejected with.
* :func:`of_future` gives a promise for an asyncio future: it gets the
  future's result or its very exception.  :func:`of_awaitable` does the
  same for a coroutine or any other awaitable, which it schedules as an
  asyncio task.
* ``await p`` works in an asyncio task, once this module is imported (an
  :class:`~lwt.unix.engine.AsyncioEngine` imports it): the task gets the
  value or the very exception.  No future is made for it.  Since promises
  are awaitables, :func:`asyncio.gather`, :func:`asyncio.wait_for`,
  :func:`asyncio.shield` and :func:`asyncio.ensure_future` take them too,
  wrapping each in a task.
* ``await f`` on an asyncio future (``asyncio.sleep(1)``,
  ``asyncio.Event().wait()``, a future from a library) works in an
  :mod:`lwt.ppx` coroutine while an :class:`~lwt.unix.engine.AsyncioEngine`
  is current: the future is followed as by :func:`of_future`.  A bare
  ``yield`` (what ``asyncio.sleep(0)`` does) waits for the next turn of the
  loop.  With another engine such an ``await`` raises :class:`TypeError`,
  as before.

How cancellation crosses
========================

In lwt a cancelled promise is one rejected with
:class:`lwt.core.Canceled`; in asyncio a future is cancelled.  Each
bridge maps one to the other, both ways:

* cancelling the future of :func:`to_future` cancels the promise
  (:meth:`lwt.core.Promise.cancel`, which rejects the cancelable promises
  it waits for); a cancelled promise cancels the future;
* cancelling the promise of :func:`of_future` cancels the future, and that
  of :func:`of_awaitable` cancels its task, so the coroutine sees
  :class:`asyncio.CancelledError` at its ``await``; a cancelled future or
  task cancels the promise;
* cancelling a task stopped at ``await p`` cancels ``p`` and raises
  :class:`asyncio.CancelledError` at the ``await``, even when ``p`` cannot
  be cancelled (made by :func:`lwt.core.wait`: it then stays pending); a
  cancelled ``p`` raises :class:`asyncio.CancelledError` there too;
* cancelling an :mod:`lwt.ppx` coroutine's promise while it awaits an
  asyncio future cancels the future and raises :class:`lwt.core.Canceled`
  at that ``await``, as for any ``await`` in lwt.ppx.

.. note:: Lwt has nothing like this module: its world has no other loop to
   meet.  Everything here runs in the loop's thread, so lwt must run there
   too (an :class:`~lwt.unix.engine.AsyncioEngine` on that loop).  asyncio
   functions that need a running loop (:func:`asyncio.sleep`,
   :func:`asyncio.create_task`) fail in lwt code that runs while the loop
   does not, such as code that runs before :func:`lwt.unix.main.run`
   starts the loop; those that need a current task (``asyncio.timeout``,
   :func:`asyncio.current_task`) fail in every :mod:`lwt.ppx` coroutine:
   use :func:`of_awaitable`, and lwt's own timeouts.  A rejection with
   :class:`StopIteration`, which asyncio futures refuse, reaches a future
   as a :class:`RuntimeError` caused by it.
"""

from __future__ import annotations

from ._interop import of_awaitable, of_future, to_future

__all__ = ["of_awaitable", "of_future", "to_future"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
