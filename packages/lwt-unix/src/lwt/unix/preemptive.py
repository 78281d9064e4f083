"""lwt.unix.preemptive: running blocking functions in threads (Lwt_preemptive).

:func:`detach` runs a function in a bounded pool of worker threads, or on
any :class:`concurrent.futures.Executor`, and returns a promise of its
result.  From such a function, :func:`run_in_main` and
:func:`run_in_main_dont_wait` run a promise-returning function back in the
loop thread.  :func:`init`, :func:`set_bounds` and the ``nbthreads*``
functions configure and observe the pool.

.. note:: Differences from Lwt_preemptive: :func:`detach` takes any number
   of arguments and an ``executor`` keyword; cancelling its promise drops
   the result (Lwt's promise cannot be cancelled); :func:`run_in_main` must
   be called while a detached function runs.
"""

from __future__ import annotations

from ._preemptive import (
    detach,
    get_bounds,
    get_max_number_of_threads_queued,
    init,
    nbthreads,
    nbthreadsbusy,
    nbthreadsqueued,
    run_in_main,
    run_in_main_dont_wait,
    set_bounds,
    set_max_number_of_threads_queued,
    simple_init,
)

__all__ = [
    "detach",
    "get_bounds",
    "get_max_number_of_threads_queued",
    "init",
    "nbthreads",
    "nbthreadsbusy",
    "nbthreadsqueued",
    "run_in_main",
    "run_in_main_dont_wait",
    "set_bounds",
    "set_max_number_of_threads_queued",
    "simple_init",
]


def _publish() -> None:
    g = globals()
    for name in __all__:
        obj = g[name]
        if getattr(obj, "__module__", "") == "lwt.unix._preemptive":
            obj.__module__ = __name__


_publish()
del _publish
