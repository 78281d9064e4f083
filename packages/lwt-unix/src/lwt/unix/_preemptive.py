"""Worker threads for blocking computations (the implementation of Lwt_preemptive).

The pool
========

The pool keeps between ``min`` and ``max`` threads (see :func:`set_bounds`).
Each thread runs :class:`_Worker` ``.loop``: it waits for a task handed to
it, runs it, stores the outcome and sends the task's notification; the
loop thread then resolves the promise and gives the worker back to the pool,
or tells it to exit when the pool has more threads than its maximum (the
decision is the loop thread's alone, so the count stays exact).
A :func:`detach` that finds no idle worker and no room for a new thread
waits in ``_waiters`` (FIFO) until a worker is given back.  A slot is
only given back when the function has returned, so at most ``max``
functions run at once even when promises are cancelled.

Calls back into the loop
========================

:func:`run_in_main` and :func:`run_in_main_dont_wait` append a job to a
queue and send one shared notification.  That notification exists while
some detached function is running (it is made when the first one starts and
stopped when the last one ends), so an idle process registers nothing with
its engine.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

import lwt.core as _lwt

from . import _notify

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

T = TypeVar("T")

_min_threads = 0
_max_threads = 0
_max_queued = 1000
_threads_count = 0
_initialized = False
_log: Callable[[str], object] | None = None
_idle: deque[_Worker] = deque()
_waiters: deque[tuple[_lwt.Promise[_Worker], _lwt.Resolver[_Worker]]] = deque()


class _Worker:
    """One thread of the pool, with the queue it takes its tasks from."""

    __slots__ = ("lock", "task", "thread")

    def __init__(self) -> None:
        self.task: _Task | None = None
        self.lock = threading.Lock()
        self.lock.acquire()  # released when a task is handed over
        self.thread = threading.Thread(target=self.loop, name="lwt-preemptive", daemon=True)

    def loop(self) -> None:
        _notify.block_signals_here()
        while True:
            self.lock.acquire()
            task = self.task
            self.task = None
            if task is None:  # asked to stop
                return
            task.work()
            _notify.send_notification(task.ident)

    def give(self, task: _Task | None) -> None:
        self.task = task
        self.lock.release()


class _Task:
    """A function to run in a worker thread, and its outcome once known."""

    __slots__ = ("args", "f", "failed", "ident", "resolver", "value")

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.f = f
        self.args = args
        self.failed = False
        self.value: Any = None
        self.ident = 0
        self.resolver: _lwt.Resolver[Any] | None = None

    def work(self) -> None:
        try:
            self.value = self.f(*self.args)
        except BaseException as exc:  # delivered to the loop thread with its traceback
            self.value = exc
            self.failed = True
        self.f = _nothing
        self.args = ()

    def deliver(self) -> None:
        r = self.resolver
        self.resolver = None
        value = self.value
        self.value = None
        if r is None:  # cancelled meanwhile
            return
        if self.failed:
            _lwt.wakeup_exn(r, value)
        else:
            _lwt.wakeup(r, value)


def _nothing() -> None:
    return None


def _make_worker() -> _Worker:
    global _threads_count
    _threads_count += 1
    worker = _Worker()
    worker.thread.start()
    return worker


def _add_worker(worker: _Worker) -> None:
    while _waiters:
        p, r = _waiters.popleft()
        if p.is_sleeping():
            _lwt.wakeup(r, worker)
            return
    _idle.append(worker)


def _get_worker() -> _lwt.Promise[_Worker]:
    if _idle:
        return _lwt.return_(_idle.popleft())
    if _threads_count < _max_threads:
        return _lwt.return_(_make_worker())
    p: _lwt.Promise[_Worker]
    r: _lwt.Resolver[_Worker]
    p, r = _lwt.task()
    entry = (p, r)
    _waiters.append(entry)
    p.on_cancel(lambda: _forget_waiter(entry))
    return p


def _forget_waiter(entry: tuple[_lwt.Promise[_Worker], _lwt.Resolver[_Worker]]) -> None:
    with contextlib.suppress(ValueError):
        _waiters.remove(entry)


def get_bounds() -> tuple[int, int]:
    """Return ``(min, max)``: the bounds on the number of worker threads."""
    return (_min_threads, _max_threads)


def set_bounds(bounds: tuple[int, int]) -> None:
    """Set the bounds ``(min, max)`` on the number of worker threads.

    Threads are started at once up to ``min``.  When ``max`` goes down,
    busy threads above it exit when their function returns; idle ones
    exit at once.

    Raises:
        lwt.core.InvalidArgument: ``min`` is negative or ``max < min``.
    """
    global _min_threads, _max_threads, _threads_count, _initialized
    lo, hi = bounds
    if lo < 0 or hi < lo:
        raise _lwt.InvalidArgument(f"set_bounds: expected 0 <= min <= max, got min={lo}, max={hi}")
    _initialized = True
    _min_threads, _max_threads = lo, hi
    while _threads_count > hi and _idle:
        _threads_count -= 1
        _idle.pop().give(None)
    for _ in range(lo - _threads_count):
        _add_worker(_make_worker())
    while _waiters and _threads_count < hi:
        p, r = _waiters.popleft()
        if p.is_sleeping():
            _lwt.wakeup(r, _make_worker())


def init(min: int, max: int, log: Callable[[str], object]) -> None:
    """Initialise the pool with bounds ``(min, max)`` and a logging function.

    Calling it again changes the bounds and the logging function.  As in
    Lwt, nothing is logged at present: errors reach the promises.
    """
    global _log
    _log = log
    set_bounds((min, max))


def simple_init() -> None:
    """Initialise the pool with bounds ``(0, 4)`` unless it is initialised already.

    :func:`detach` calls it.
    """
    if not _initialized:
        set_bounds((0, 4))


def set_max_number_of_threads_queued(n: int) -> None:
    """Set the advisory limit on the number of :func:`detach` calls waiting for a thread.

    Raises:
        lwt.core.InvalidArgument: ``n`` is negative.

    .. note:: As in Lwt, the value is only stored: waiting calls are not
       refused.
    """
    global _max_queued
    if n < 0:
        raise _lwt.InvalidArgument(f"set_max_number_of_threads_queued: negative count {n}")
    _max_queued = n


def get_max_number_of_threads_queued() -> int:
    """Return the value set by :func:`set_max_number_of_threads_queued` (1000 by default)."""
    return _max_queued


def nbthreads() -> int:
    """Return the number of worker threads."""
    return _threads_count


def nbthreadsbusy() -> int:
    """Return the number of worker threads running a function."""
    return _threads_count - len(_idle)


def nbthreadsqueued() -> int:
    """Return the number of :func:`detach` calls waiting for a worker thread."""
    return sum(1 for p, _r in _waiters if p.is_sleeping())


# ---------------------------------------------------------------------------
# The shared notification of run_in_main, held while detached functions run.

_main_jobs: deque[Callable[[], object]] = deque()
_main_ident = 0
_holders = 0


def _run_main_jobs() -> None:
    jobs = _main_jobs
    while jobs:
        job = jobs.popleft()
        job()


def _hold() -> None:
    global _holders, _main_ident
    if _holders == 0:
        _main_ident = _notify.make_notification(_run_main_jobs)
    _holders += 1


def _release() -> None:
    global _holders, _main_ident
    _holders -= 1
    if _holders == 0:
        _run_main_jobs()
        _notify.stop_notification(_main_ident)
        _main_ident = 0


def _submit_main(job: Callable[[], object]) -> None:
    ident = _main_ident
    if ident == 0:
        raise RuntimeError(
            "run_in_main: no detached function is running; call it from a function "
            "passed to lwt.unix.preemptive.detach"
        )
    _main_jobs.append(job)
    _notify.send_notification(ident)


def run_in_main(f: Callable[[], _lwt.Promise[T]]) -> T:
    """From a worker thread: run ``f()`` in the loop thread and wait for its promise.

    Blocks the calling thread until the promise resolves; returns its value
    or raises its exception.

    Raises:
        RuntimeError: no detached function is running (see the note).

    .. note:: Lwt accepts calls from any thread.  Here the loop is reached
       through a notification that exists while a function started by
       :func:`detach` runs, so call it from such a function (or while one
       runs).  Calling it from the loop thread itself would block forever.
    """
    done = threading.Event()
    outcome: list[Any] = []

    def job() -> None:
        def ok(v: T) -> None:
            outcome.append((True, v))
            done.set()

        def ko(exc: BaseException) -> None:
            outcome.append((False, exc))
            done.set()

        try:
            p = f()
        except Exception as exc:
            ko(exc)
            return
        p.on_any(ok, ko)

    _submit_main(job)
    done.wait()
    good, value = outcome[0]
    if good:
        return value  # type: ignore[no-any-return]
    raise value


def run_in_main_dont_wait(
    f: Callable[[], _lwt.Promise[None]], handler: Callable[[BaseException], None]
) -> None:
    """From a worker thread: run ``f()`` in the loop thread without waiting.

    If ``f`` raises or its promise is rejected, ``handler(exc)`` is called in
    the loop thread.  Same condition as :func:`run_in_main`.
    """

    def on_error(exc: BaseException) -> _lwt.Promise[None]:
        handler(exc)
        return _lwt.return_unit

    _submit_main(lambda: _lwt.catch(f, on_error))


# ---------------------------------------------------------------------------
# detach


def _detach_pool(f: Callable[..., T], args: tuple[Any, ...]) -> _lwt.Promise[T]:
    simple_init()
    p: _lwt.Promise[T]
    r: _lwt.Resolver[T]
    p, r = _lwt.task()
    task = _Task(f, args)
    task.resolver = r
    got = _get_worker()

    def start(worker: _Worker) -> None:
        if task.resolver is None:  # cancelled while it waited for a worker
            _add_worker(worker)
            return

        def finish() -> None:
            global _threads_count
            _release()
            if _threads_count > _max_threads:  # the maximum went down meanwhile
                _threads_count -= 1
                worker.give(None)
            else:
                _add_worker(worker)
            task.deliver()

        _hold()
        task.ident = _notify.make_notification(finish, once=True)
        worker.give(task)

    def cancel() -> None:
        task.resolver = None
        got.cancel()

    got.on_success(start)
    p.on_cancel(cancel)
    return p


def _detach_executor(ex: Executor, f: Callable[..., T], args: tuple[Any, ...]) -> _lwt.Promise[T]:
    p: _lwt.Promise[T]
    r: _lwt.Resolver[T]
    p, r = _lwt.task()
    state: list[_lwt.Resolver[T] | None] = [r]
    fut: Future[T]

    def finish() -> None:
        _release()
        res = state[0]
        state[0] = None
        if res is None or fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            _lwt.wakeup_exn(res, exc)
        else:
            _lwt.wakeup(res, fut.result())

    _hold()
    ident = _notify.make_notification(finish, once=True)
    try:
        fut = ex.submit(f, *args)
    except BaseException:
        _notify.stop_notification(ident)
        _release()
        raise

    def cancel() -> None:
        state[0] = None
        fut.cancel()  # if it started, the notification still comes and releases

    fut.add_done_callback(lambda _fut: _notify.send_notification(ident))
    p.on_cancel(cancel)
    return p


def detach(f: Callable[..., T], *args: Any, executor: Executor | None = None) -> _lwt.Promise[T]:
    """Run ``f(*args)`` in a worker thread; return a promise of its result.

    Without ``executor``, ``f`` runs in the pool of this module (bounded by
    :func:`set_bounds`, ``(0, 4)`` unless set: :func:`simple_init` is
    called).  With ``executor``, ``f`` is submitted to that
    :class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor`` needs
    a picklable ``f``).  The promise is resolved in the loop thread; an
    exception raised by ``f`` rejects it, with its traceback.

    Cancelling the promise drops the result; a function that has not
    started does not start, one that has runs to its end (threads cannot be
    interrupted) and keeps its thread until then.

    .. note:: Lwt's ``detach`` takes one argument; this one takes any
       number, and the ``executor`` keyword is ours.
    """
    if executor is not None:
        return _detach_executor(executor, f, args)
    return _detach_pool(f, args)
