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

How a job runs is its *async method* (Lwt's ``async_method``):
``AsyncMethod.ASYNC_DETACH`` (the default) in a worker thread as above,
``AsyncMethod.ASYNC_NONE`` synchronously in the calling thread, the
promise being already resolved when :func:`run` returns (for debugging,
around ``fork``, or for calls known to be fast).  The method is read from
the lwt.core key ``async_method_key`` (see :func:`with_async_none`),
else from :func:`default_async_method`, which the environment variable
``LWT_ASYNC_METHOD`` (``none`` or ``detach``) initialises.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import lwt.core as _lwt

from . import _notify

__all__ = [
    "AsyncMethod",
    "abort_jobs",
    "async_method",
    "async_method_key",
    "cancel_jobs",
    "default_async_method",
    "pool_size",
    "run",
    "set_default_async_method",
    "set_pool_size",
    "thread_count",
    "thread_waiting_count",
    "wait_for_jobs",
    "with_async_detach",
    "with_async_none",
]

T = TypeVar("T")


class AsyncMethod(enum.Enum):
    """How blocking system calls are made (``Lwt_unix.async_method``)."""

    ASYNC_NONE = "none"
    """Synchronously, in the calling thread: the whole program waits."""
    ASYNC_DETACH = "detach"
    """In a worker thread, while the loop goes on (the default)."""


async_method_key: _lwt.Key[AsyncMethod] = _lwt.new_key()
"""The lwt.core key holding the async method of the current promise chain."""


def _env_method() -> AsyncMethod:
    value = os.environ.get("LWT_ASYNC_METHOD", "").strip().lower()
    if value == "none":
        return AsyncMethod.ASYNC_NONE
    return AsyncMethod.ASYNC_DETACH


_default_method = _env_method()


def default_async_method() -> AsyncMethod:
    """Return the async method used where ``async_method_key`` is not set.

    Initialised from the environment variable ``LWT_ASYNC_METHOD``
    (``none`` or ``detach``; anything else means ``detach``).
    """
    return _default_method


def set_default_async_method(method: AsyncMethod) -> None:
    """Set the default async method."""
    global _default_method
    if not isinstance(method, AsyncMethod):
        raise TypeError(f"set_default_async_method: expected an AsyncMethod, got {method!r}")
    _default_method = method


def async_method() -> AsyncMethod:
    """Return the async method in force here: the key's value, else the default."""
    m = _lwt.get(async_method_key)
    return _default_method if m is None else m


def with_async_none(f: Callable[[], T]) -> T:
    """Call ``f()`` with the async method ``AsyncMethod.ASYNC_NONE``."""
    return _lwt.with_value(async_method_key, AsyncMethod.ASYNC_NONE, f)


def with_async_detach(f: Callable[[], T]) -> T:
    """Call ``f()`` with the async method ``AsyncMethod.ASYNC_DETACH``."""
    return _lwt.with_value(async_method_key, AsyncMethod.ASYNC_DETACH, f)


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


def thread_count() -> int:
    """Return the number of worker threads started (at most :func:`pool_size`)."""
    ex = _executor
    return 0 if ex is None else len(ex._threads)


def thread_waiting_count() -> int:
    """Return the number of worker threads waiting for a job."""
    with _busy_lock:
        busy = _busy
    return max(0, thread_count() - busy)


_busy = 0  # jobs running in a worker thread now
_busy_lock = threading.Lock()
_pending: dict[_Job, None] = {}  # jobs whose promise is pending, in order


def wait_for_jobs() -> _lwt.Promise[None]:
    """Return a promise fulfilled when every job pending now has ended.

    Ended means fulfilled, rejected, cancelled or aborted; the outcomes
    themselves are ignored.
    """
    ps = [job.promise for job in _pending if job.promise is not None]
    return _lwt.join([_settled(p) for p in ps])


def _settled(p: _lwt.Promise[Any]) -> _lwt.Promise[None]:
    return _lwt.catch(lambda: p.map(_ignore), _ignore_exc)


def _ignore(_v: object) -> None:
    return None


def _ignore_exc(_exc: BaseException) -> _lwt.Promise[None]:
    return _lwt.return_unit


def abort_jobs(exc: BaseException) -> None:
    """Reject the promise of every pending job with ``exc``.

    The functions themselves are not stopped (threads cannot be
    interrupted); queued ones do not start.
    """
    for job in list(_pending):
        r = job.resolver
        job()  # abandon: drop the resolver, stop the notification
        if r is not None:
            _lwt.wakeup_exn(r, exc)


def cancel_jobs() -> None:
    """The same as ``abort_jobs(lwt.core.Canceled())``."""
    abort_jobs(_lwt.Canceled())


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    ex = _executor
    if ex is None:
        ex = _executor = ThreadPoolExecutor(
            _pool_size, thread_name_prefix="lwt-unix-job", initializer=_notify.block_signals_here
        )
    return ex


class _Job:
    """One job: its resolver, its notification, and the outcome once known."""

    __slots__ = ("args", "f", "failed", "future", "ident", "promise", "resolver", "value")

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.f = f
        self.args = args
        self.failed = False
        self.value: Any = None
        self.ident = 0
        self.future: Future[None] | None = None
        self.resolver: _lwt.Resolver[Any] | None = None
        self.promise: _lwt.Promise[Any] | None = None

    def work(self) -> None:
        """Run in a worker thread: compute the outcome, then notify the loop."""
        global _busy
        with _busy_lock:
            _busy += 1
        try:
            self.value = self.f(*self.args)
        except BaseException as exc:  # delivered to the loop thread, not lost
            self.value = exc
            self.failed = True
        finally:
            with _busy_lock:
                _busy -= 1
        self.f = None  # type: ignore[assignment]
        self.args = ()
        _notify.send_notification(self.ident)

    def deliver(self) -> None:
        """Run in the loop thread: resolve the promise with the outcome."""
        r = self.resolver
        self.resolver = None
        _pending.pop(self, None)
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
        _pending.pop(self, None)
        _notify.stop_notification(self.ident)
        fut = self.future
        if fut is not None:
            fut.cancel()


def run(f: Callable[..., T], *args: Any) -> _lwt.Promise[T]:
    """Run ``f(*args)`` in a worker thread; return a promise of its result.

    The promise is rejected with what ``f`` raises.  Cancelling it abandons
    the result (see the module docstring).  Under
    ``AsyncMethod.ASYNC_NONE``, ``f`` runs now, in this thread.
    """
    if async_method() is AsyncMethod.ASYNC_NONE:
        return _run_here(f, args)
    p: _lwt.Promise[T]
    r: _lwt.Resolver[T]
    p, r = _lwt.task()
    job = _Job(f, args)
    job.resolver = r
    job.promise = p
    job.ident = _notify.make_notification(job.deliver, once=True)
    try:
        job.future = _get_executor().submit(job.work)
    except RuntimeError:
        # Worker threads are refused once the interpreter shuts down, but
        # atexit hooks (lwt.io flushing its channels into files) still make
        # jobs: run them here rather than drop what they would write.
        _notify.stop_notification(job.ident)
        return _run_here(f, args)
    except BaseException:
        _notify.stop_notification(job.ident)
        raise
    _pending[job] = None
    p.on_cancel(job)
    return p


def _run_here(f: Callable[..., T], args: tuple[Any, ...]) -> _lwt.Promise[T]:
    """Run the job's function in this thread, as a resolved promise."""
    try:
        return _lwt.return_(f(*args))
    except Exception as exc:
        return _lwt.fail(exc)
