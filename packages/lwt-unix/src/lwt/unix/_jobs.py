"""Running blocking functions in worker threads (Lwt_unix's jobs).

:func:`run` hands a function to a bounded pool of threads and returns a
promise that is resolved, in the loop thread, with what the function
returned or raised.  The worker stores the outcome and sends a notification
(see :mod:`lwt.unix._notify`); the loop thread resolves the promise when the
engine delivers it.  Cancelling the promise abandons the outcome: the
function keeps running if it has started (threads cannot be interrupted),
but its result is dropped, and it does not start at all if it was still
queued.

The pool is a :class:`concurrent.futures.ThreadPoolExecutor`, made on first
use; :func:`set_pool_size` bounds its threads (4 by default).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import lwt.core as _lwt

from . import _notify

__all__ = ["pool_size", "run", "set_pool_size"]

T = TypeVar("T")

_DEFAULT_POOL_SIZE = 4
_pool_size = _DEFAULT_POOL_SIZE
_executor: ThreadPoolExecutor | None = None


def pool_size() -> int:
    """Return the maximum number of worker threads."""
    return _pool_size


def set_pool_size(n: int) -> None:
    """Bound the worker threads to ``n``; jobs already queued keep their place.

    Raises:
        lwt.core.InvalidArgument: ``n`` is smaller than 1.
    """
    global _pool_size, _executor
    if n < 1:
        raise _lwt.InvalidArgument(f"set_pool_size: the size must be at least 1, got {n}")
    if n == _pool_size:
        return
    _pool_size = n
    old = _executor
    _executor = None
    if old is not None:
        old.shutdown(wait=False)


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    ex = _executor
    if ex is None:
        ex = _executor = ThreadPoolExecutor(_pool_size, thread_name_prefix="lwt-unix-job")
    return ex


class _Job:
    """One job: its resolver, its notification, and the outcome once known."""

    __slots__ = ("args", "f", "failed", "future", "ident", "resolver", "value")

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.f = f
        self.args = args
        self.failed = False
        self.value: Any = None
        self.ident = 0
        self.future: Future[None] | None = None
        self.resolver: _lwt.Resolver[Any] | None = None

    def work(self) -> None:
        """Run in a worker thread: compute the outcome, then notify the loop."""
        try:
            self.value = self.f(*self.args)
        except BaseException as exc:  # delivered to the loop thread, not lost
            self.value = exc
            self.failed = True
        self.f = None  # type: ignore[assignment]
        self.args = ()
        _notify.send_notification(self.ident)

    def deliver(self) -> None:
        """Run in the loop thread: resolve the promise with the outcome."""
        r = self.resolver
        self.resolver = None
        if r is None:
            return
        value = self.value
        self.value = None
        if self.failed:
            _lwt.wakeup_exn(r, value)
        else:
            _lwt.wakeup(r, value)

    def __call__(self) -> None:
        """Called when the promise is canceled: abandon the outcome."""
        self.resolver = None
        _notify.stop_notification(self.ident)
        fut = self.future
        if fut is not None:
            fut.cancel()


def run(f: Callable[..., T], *args: Any) -> _lwt.Promise[T]:
    """Run ``f(*args)`` in a worker thread; return a promise of its result.

    The promise is rejected with what ``f`` raises.  Cancelling it abandons
    the result (see the module docstring).
    """
    p: _lwt.Promise[T]
    r: _lwt.Resolver[T]
    p, r = _lwt.task()
    job = _Job(f, args)
    job.resolver = r
    job.ident = _notify.make_notification(job.deliver, once=True)
    try:
        job.future = _get_executor().submit(job.work)
    except BaseException:
        _notify.stop_notification(job.ident)
        raise
    p.on_cancel(job)
    return p
