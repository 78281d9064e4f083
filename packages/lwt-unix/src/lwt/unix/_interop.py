"""The bridges between lwt promises and asyncio futures (see ``lwt.unix.interop``).

Implementation notes.  ``Promise.__await__`` yields the pending promise
to lwt.ppx's driver, which asyncio's tasks would refuse ("bad yield").
Importing this module installs a hook there (``Promise._await_hook``):
when an asyncio task is running in this thread, ``await p`` yields a
``_Waiter``, a small stand-in with exactly the future methods a task
calls (``get_loop``, ``add_done_callback``, ``result``, ``cancel`` ...),
which attaches a callback to the promise only when the task asks to be
woken.  The promise itself does not pretend to be a future: its
``cancel`` is Lwt's (no ``msg``, no result), it belongs to no loop, and
done-callbacks would need storage in every promise.  The ppx driver
accepts a waiter too (through the await adapter registered here), for
lwt.ppx coroutines whose steps run inside an asyncio task.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from contextvars import Context, copy_context
from typing import Any, TypeVar

import lwt.core as _lwt
from lwt.core import Promise, Resolver

from . import _engine
from ._asyncio_engine import AsyncioEngine

__all__ = ["of_awaitable", "of_future", "to_future"]

T = TypeVar("T")

_get_running_loop = asyncio.events._get_running_loop
_current_task = asyncio.current_task
_isfuture = asyncio.isfuture


def _engine_loop() -> asyncio.AbstractEventLoop | None:
    current = _engine._current
    if isinstance(current, AsyncioEngine):
        return current._loop
    return None


def _loop_for(api: str, loop: asyncio.AbstractEventLoop | None) -> asyncio.AbstractEventLoop:
    """The loop to use: ``loop``, else the running one, else the asyncio engine's."""
    if loop is not None:
        if not isinstance(loop, asyncio.AbstractEventLoop):
            raise TypeError(
                f"{api}: loop: expected an asyncio event loop, got {type(loop).__name__}"
            )
        return loop
    found = _get_running_loop() or _engine_loop()
    if found is None:
        raise RuntimeError(
            f"{api}: no asyncio event loop: call it while a loop runs, pass loop=, "
            "or make an lwt.unix.engine.AsyncioEngine current"
        )
    return found


def _note_activity() -> None:
    """A promise was resolved from asyncio's side: tell a blocking iteration."""
    current = _engine._current
    if isinstance(current, AsyncioEngine):
        current._activity()


# --------------------------------------------------------------- to_future
def _settle_future(fut: asyncio.Future[Any], ok: bool, v: Any) -> None:
    if fut.done():
        return
    if ok:
        fut.set_result(v)
    elif isinstance(v, _lwt.Canceled):
        fut.cancel()
    elif isinstance(v, StopIteration):
        # asyncio refuses StopIteration (it would end a coroutine silently).
        err = RuntimeError(f"the promise was rejected with {v!r}")
        err.__cause__ = v
        fut.set_exception(err)
    else:
        fut.set_exception(v)


def _settle_in_loop(fut: asyncio.Future[Any], ok: bool, v: Any) -> None:
    loop = fut.get_loop()
    if _get_running_loop() is loop:
        _settle_future(fut, ok, v)
        return
    # Not inside the loop: from lwt code that main.run runs between turns,
    # or from another thread.  Futures are only touched from their loop.
    if not loop.is_closed():
        loop.call_soon_threadsafe(_settle_future, fut, ok, v)


def _cancel_promise_if_cancelled(p: Promise[Any], fut: asyncio.Future[Any]) -> None:
    if fut.cancelled() and p.is_sleeping():
        p.cancel()


def to_future(p: Promise[T], loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Future[T]:
    """Return an asyncio future that takes the outcome of the promise ``p``.

    The future gets ``p``'s value, or the very exception object ``p`` was
    rejected with; if ``p`` is cancelled (rejected with
    :class:`lwt.core.Canceled`), the future is cancelled.  Cancelling the
    future cancels ``p`` (which rejects the cancelable promises ``p``
    waits for).  A promise already resolved gives a future already done.

    Args:
        p: the promise to follow.
        loop: the loop the future belongs to; by default the loop running
            in this thread, else the current asyncio engine's loop.

    Raises:
        TypeError: ``p`` is not a promise, or ``loop`` is not a loop.
        RuntimeError: no loop was given, none runs in this thread, and the
            current engine is not an :class:`~lwt.unix.engine.AsyncioEngine`.

    .. note:: Lwt has no counterpart.  A rejection with
       :class:`StopIteration`, which asyncio futures refuse, reaches the
       future as a :class:`RuntimeError` caused by it.
    """
    if not isinstance(p, Promise):
        raise TypeError(f"to_future: expected an lwt promise, got {type(p).__name__}")
    fut: asyncio.Future[T] = _loop_for("to_future", loop).create_future()
    state = _lwt.state(p)
    if isinstance(state, _lwt.Return):
        fut.set_result(state.value)
    elif isinstance(state, _lwt.Fail):
        _settle_future(fut, False, state.exc)
    else:
        p.on_any(
            functools.partial(_settle_in_loop, fut, True),
            functools.partial(_settle_in_loop, fut, False),
        )
        fut.add_done_callback(functools.partial(_cancel_promise_if_cancelled, p))
    return fut


# --------------------------------------------------------------- of_future
def _future_done(p: Promise[Any], r: Resolver[Any], fut: asyncio.Future[Any]) -> None:
    """Done callback of a future followed by ``p``: give ``p`` its outcome."""
    if not p.is_sleeping():
        return  # p was cancelled first, and so was the future
    if fut.cancelled():
        p.cancel()
    else:
        exc = fut.exception()
        if exc is None:
            _lwt.wakeup(r, fut.result())
        else:
            _lwt.wakeup_exn(r, exc)
    _note_activity()


def _settled(fut: asyncio.Future[T]) -> Promise[T]:
    if fut.cancelled():
        return _lwt.fail(_lwt.Canceled())
    exc = fut.exception()
    if exc is not None:
        return _lwt.fail(exc)
    return _lwt.return_(fut.result())


def of_future(f: asyncio.Future[T]) -> Promise[T]:
    """Return a promise that takes the outcome of the asyncio future ``f``.

    The promise is fulfilled with ``f``'s result or rejected with the very
    exception object ``f`` holds; if ``f`` is cancelled, the promise is
    cancelled (rejected with :class:`lwt.core.Canceled`).  Cancelling the
    promise cancels ``f``.  A future already done gives a resolved promise.

    The outcome arrives through ``f``'s done callback, which asyncio runs
    at a turn of ``f``'s loop: lwt must run in that loop's thread, as it
    does on an :class:`~lwt.unix.engine.AsyncioEngine` on that loop.

    Raises:
        TypeError: ``f`` is not an asyncio future (for a coroutine or
            another awaitable, use :func:`of_awaitable`; for a
            :class:`concurrent.futures.Future`, wrap it with
            :func:`asyncio.wrap_future` first).

    .. note:: Lwt has no counterpart.
    """
    waiter: object = f
    if isinstance(waiter, _Waiter):
        return waiter._promise
    if not _isfuture(f):
        raise TypeError(
            f"of_future: expected an asyncio future, got {type(f).__name__}"
            + (" (use of_awaitable)" if inspect.isawaitable(f) else "")
        )
    if f.done():
        return _settled(f)
    p: Promise[T]
    r: Resolver[T]
    p, r = _lwt.task()
    f.add_done_callback(functools.partial(_future_done, p, r))
    p.on_cancel(f.cancel)
    return p


def of_awaitable(a: Awaitable[T]) -> Promise[T]:
    """Return a promise that takes the outcome of the awaitable ``a``.

    A coroutine (or any other awaitable) is scheduled as an asyncio task
    on the loop running in this thread, else on the current asyncio
    engine's loop, and followed as by :func:`of_future`; an asyncio future
    is followed directly, and an lwt promise is returned as it is.
    Cancelling the promise cancels the task: the coroutine sees
    :class:`asyncio.CancelledError` at its ``await``.

    Raises:
        TypeError: ``a`` is not awaitable.
        RuntimeError: no loop runs in this thread and the current engine
            is not an :class:`~lwt.unix.engine.AsyncioEngine`.

    .. note:: Lwt has no counterpart.
    """
    if isinstance(a, Promise):
        return a
    if _isfuture(a):
        return of_future(a)
    if not inspect.isawaitable(a):
        raise TypeError(f"of_awaitable: expected an awaitable, got {type(a).__name__}")
    try:
        loop = _loop_for("of_awaitable", None)
    except BaseException:
        if inspect.iscoroutine(a):
            a.close()  # it will never run: do not let it warn about that
        raise
    return of_future(asyncio.ensure_future(a, loop=loop))


# ------------------------------------------------------- await in a task
class _Waiter:
    """What ``await p`` yields to an asyncio task: the future surface a task uses.

    A task calls ``get_loop``, sets ``_asyncio_future_blocking``, calls
    ``add_done_callback`` to be woken, ``result`` when woken, and
    ``cancel`` when it is cancelled itself.  The waiter answers from its
    promise: it is done when the promise is resolved, or once cancelled.
    Its done callbacks are scheduled on the loop, as a future's are.
    """

    __slots__ = (
        "_asyncio_future_blocking",
        "_callbacks",
        "_cancel_message",
        "_cancelled",
        "_loop",
        "_promise",
    )

    def __init__(self, p: Promise[Any], loop: asyncio.AbstractEventLoop) -> None:
        self._promise = p
        self._loop = loop
        self._asyncio_future_blocking = True
        self._callbacks: list[tuple[Callable[[Any], object], Context]] | None = None
        self._cancelled = False
        self._cancel_message: Any = None

    def get_loop(self) -> asyncio.AbstractEventLoop:
        """The loop of the task that awaits."""
        return self._loop

    def done(self) -> bool:
        """Whether the promise is resolved or the waiter cancelled."""
        return self._cancelled or not self._promise.is_sleeping()

    def cancelled(self) -> bool:
        """Whether the waiter was cancelled or the promise was."""
        if self._cancelled:
            return True
        state = _lwt.state(self._promise)
        return isinstance(state, _lwt.Fail) and isinstance(state.exc, _lwt.Canceled)

    def add_done_callback(
        self, fn: Callable[[Any], object], *, context: Context | None = None
    ) -> None:
        """Schedule ``fn(self)`` on the loop when the waiter is done."""
        if context is None:
            context = copy_context()
        if self.done():
            self._loop.call_soon(fn, self, context=context)
            return
        cbs = self._callbacks
        if cbs is None:
            self._callbacks = [(fn, context)]
            self._promise.on_termination(self._promise_resolved)
        else:
            cbs.append((fn, context))

    def remove_done_callback(self, fn: Callable[[Any], object]) -> int:
        """Forget the callbacks ``fn``; return how many there were."""
        cbs = self._callbacks
        if not cbs:
            return 0
        kept = [cb for cb in cbs if cb[0] != fn]
        self._callbacks = kept
        return len(cbs) - len(kept)

    def _promise_resolved(self) -> None:
        if not self._cancelled:
            self._schedule_callbacks()

    def _schedule_callbacks(self) -> None:
        cbs = self._callbacks
        self._callbacks = []
        if not cbs:
            return
        loop = self._loop
        if _get_running_loop() is loop:
            for fn, ctx in cbs:
                loop.call_soon(fn, self, context=ctx)
        elif not loop.is_closed():
            for fn, ctx in cbs:
                loop.call_soon_threadsafe(fn, self, context=ctx)

    def cancel(self, msg: Any = None) -> bool:
        """Cancel the promise and stop waiting for it.

        The awaiting task is woken with :class:`asyncio.CancelledError`
        even if the promise could not be cancelled (a promise made by
        :func:`lwt.core.wait` stays pending).
        """
        if self.done():
            return False
        self._cancelled = True
        self._cancel_message = msg
        self._promise.cancel()
        self._schedule_callbacks()
        return True

    def _cancelled_error(self, cause: BaseException | None) -> asyncio.CancelledError:
        msg = self._cancel_message
        err = asyncio.CancelledError() if msg is None else asyncio.CancelledError(msg)
        err.__cause__ = cause
        return err

    def result(self) -> Any:
        """The promise's value; raise its exception, or CancelledError if cancelled."""
        if self._cancelled:
            raise self._cancelled_error(None)
        state = _lwt.state(self._promise)
        if isinstance(state, _lwt.Return):
            return state.value
        if isinstance(state, _lwt.Fail):
            if isinstance(state.exc, _lwt.Canceled):
                raise self._cancelled_error(state.exc)
            raise state.exc
        raise asyncio.InvalidStateError("the promise is still pending")

    def exception(self) -> BaseException | None:
        """The promise's exception, or None; raise CancelledError if cancelled."""
        if self._cancelled:
            raise self._cancelled_error(None)
        state = _lwt.state(self._promise)
        if isinstance(state, _lwt.Return):
            return None
        if isinstance(state, _lwt.Fail):
            if isinstance(state.exc, _lwt.Canceled):
                raise self._cancelled_error(state.exc)
            return state.exc
        raise asyncio.InvalidStateError("the promise is still pending")

    def __repr__(self) -> str:
        state = "cancelled" if self._cancelled else repr(self._promise)
        return f"<lwt.unix.interop waiter for {state}>"


def _await_hook(p: Promise[Any]) -> object:
    """What ``await p`` yields for the pending ``p`` (see ``Promise.__await__``)."""
    loop = _get_running_loop()
    if loop is None or _current_task(loop) is None:
        return p
    return _Waiter(p, loop)


# --------------------------------------------------- await in lwt.ppx
def _next_turn(loop: asyncio.AbstractEventLoop) -> Promise[None]:
    """A promise fulfilled at the next turn of ``loop`` (a bare ``yield``)."""
    p: Promise[None]
    r: Resolver[None]
    p, r = _lwt.task()

    def fire() -> None:
        if p.is_sleeping():
            _lwt.wakeup(r, None)
            _note_activity()

    handle = loop.call_soon(fire)
    p.on_cancel(handle.cancel)
    return p


def _ppx_adapter(awaited: object) -> Promise[Any] | None:
    """lwt.ppx's await adapter: asyncio futures on the asyncio engine's loop."""
    if isinstance(awaited, _Waiter):
        return awaited._promise
    loop = _engine_loop()
    if loop is None:
        return None
    if awaited is None:
        return _next_turn(loop)
    if _isfuture(awaited):
        fut: asyncio.Future[Any] = awaited
        if fut.get_loop() is not loop:
            raise RuntimeError(
                f"lwt.ppx: awaited {fut!r}, which belongs to another loop than the asyncio engine's"
            )
        fut._asyncio_future_blocking = False  # as a task would: it is being waited for
        return of_future(fut)
    return None


_installed = False


def _install() -> None:
    """Install the hook of ``Promise.__await__`` and lwt.ppx's adapter, once."""
    global _installed
    if _installed:
        return
    _installed = True
    Promise._await_hook = _await_hook
    try:
        from lwt.ppx import _driver
    except ImportError:  # lwt-ppx is not installed
        return
    _driver.add_await_adapter(_ppx_adapter)


_install()
