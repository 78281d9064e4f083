"""Running a coroutine as an lwt promise, the Python form of ``let%lwt``.

``await p`` suspends the coroutine on the pending promise ``p`` (see
``Promise.__await__``).  The driver attaches one callback to ``p``; when
``p`` resolves, the callback resumes the coroutine at once, inside the
resolution loop of lwt.core, so the nesting bound that protects ``bind``
protects chains of coroutines too.  The promise returned for the coroutine
is created only when the coroutine first suspends: one that never waits
costs a resolved promise and nothing else.

The promise of a suspended coroutine is cancelled by cancelling the promise
the coroutine awaits, exactly as the result of ``bind`` is; the coroutine
then sees :class:`lwt.core.Canceled` raised at its ``await``.

Awaiting something other than an lwt promise raises :class:`TypeError` at
that ``await``, unless an *await adapter* turns what the coroutine yielded
into a promise.  lwt.ppx knows nothing of asyncio; ``lwt.unix.interop``
registers an adapter (:func:`add_await_adapter`) that, while an asyncio
engine is current, turns asyncio futures into promises.  Adapters are
consulted only on that otherwise failing path, so they cost nothing when
coroutines await lwt promises.  After an adapted await, the coroutine is
resumed with ``send(None)`` if the promise was fulfilled (the awaitable
reads its own result) and with ``throw(exc)`` if it was rejected, so
cancelling the coroutine's promise raises :class:`lwt.core.Canceled` at
that ``await`` too.

The driver uses lwt.core's private machinery (the callback slots and the
resolution function): the two distributions are released in lockstep.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from contextvars import Context, copy_context
from typing import Any, ParamSpec, TypeVar

from lwt.core._promise import (
    FULFILLED,
    K_FUNC,
    PENDING,
    PROXY,
    REJECTED,
    Promise,
    _attach,
    _fulfilled,
    _pending,
    _rejected,
    _resolve,
    _underlying,
)

from . import _debug

T = TypeVar("T")
P = ParamSpec("P")

__all__ = ["add_await_adapter", "of_coroutine", "promise", "remove_await_adapter"]

# Functions turning a yielded non-promise into a promise, or returning None.
_await_adapters: list[Callable[[object], Promise[Any] | None]] = []


def add_await_adapter(adapter: Callable[[object], Promise[Any] | None]) -> None:
    """Let coroutines await what ``adapter`` can turn into an lwt promise.

    When a coroutine run by :func:`of_coroutine` yields something that is
    not an lwt promise (an ``await`` on a foreign awaitable), the adapters
    are asked in the order they were added: ``adapter(yielded)`` returns a
    promise to wait for, or ``None`` to pass.  An exception it raises is
    raised at the coroutine's ``await``.  Adding the same adapter twice
    does nothing.  For integrations such as ``lwt.unix.interop``; lwt.ppx
    registers none itself.
    """
    if adapter not in _await_adapters:
        _await_adapters.append(adapter)


def remove_await_adapter(adapter: Callable[[object], Promise[Any] | None]) -> None:
    """Remove an adapter added by :func:`add_await_adapter`; unknown ones are ignored."""
    if adapter in _await_adapters:
        _await_adapters.remove(adapter)


class _Driver:
    """Steps one coroutine, in its own context, each time what it awaits resolves."""

    __slots__ = ("_coro", "_ctx", "_promise", "_resume", "_started_at")

    def __init__(self, coro: Coroutine[Any, Any, Any], ctx: Context) -> None:
        self._coro: Coroutine[Any, Any, Any] | None = coro
        self._ctx = ctx
        self._promise: Promise[Any] | None = None
        # One bound method for the coroutine's whole life, instead of one per
        # await; the cycle it makes is cut when the coroutine finishes.
        self._resume: Callable[[int, Any], None] | None = self.resume
        self._started_at = ""

    def resume(self, st: int, v: Any) -> None:
        """Continue the coroutine: the promise it awaited resolved with ``(st, v)``."""
        coro = self._coro
        if coro is None:
            return
        if st == REJECTED and _debug.enabled:
            _debug.note_await(v, coro, self._started_at)  # type: ignore[arg-type]
        self.step(coro.send, None)

    def step(self, method: Callable[[Any], Any], arg: Any) -> None:
        """Run the coroutine until it suspends on a pending promise or ends."""
        ctx = self._ctx
        while True:
            try:
                awaited = ctx.run(method, arg)
            except StopIteration as stop:
                self._finish(FULFILLED, stop.value)
                return
            except Exception as exc:
                self._finish(REJECTED, exc)
                return
            if awaited.__class__ is Promise or isinstance(awaited, Promise):
                p = awaited if awaited._state != PROXY else _underlying(awaited)
                if p._state == PENDING:
                    self._suspend(p)
                    return
                method, arg = self._coro.send, None  # type: ignore[union-attr]
                continue
            coro = self._coro
            assert coro is not None
            if _await_adapters:
                try:
                    q = _adapt(awaited)
                except Exception as exc:
                    method, arg = coro.throw, exc
                    continue
                if q is not None:
                    if q._state == PROXY:
                        q = _underlying(q)
                    if q._state == PENDING:
                        self._suspend_adapted(q)
                        return
                    if q._state == REJECTED:
                        method, arg = coro.throw, q._value
                    else:
                        method, arg = coro.send, None
                    continue
            method, arg = coro.throw, _not_awaitable(coro, awaited)

    def _suspend(self, p: Promise[Any]) -> None:
        _attach(p, K_FUNC, self._resume, None, None)
        d = self._promise
        if d is None:
            self._promise = _pending(p)
            return
        if d._state == PROXY:
            d = _underlying(d)
        if d._state == PENDING:
            # Cancelling the coroutine's promise cancels what it awaits now.
            d._cancel = p

    def _suspend_adapted(self, p: Promise[Any]) -> None:
        """Like ``_suspend``, for a promise that an await adapter returned."""
        _attach(p, K_FUNC, self._resume_adapted, None, None)
        d = self._promise
        if d is None:
            self._promise = _pending(p)
            return
        if d._state == PROXY:
            d = _underlying(d)
        if d._state == PENDING:
            d._cancel = p

    def _resume_adapted(self, st: int, v: Any) -> None:
        """Continue after an adapted await: the foreign awaitable cannot read lwt's outcome."""
        coro = self._coro
        if coro is None:
            return
        if st == REJECTED:
            if _debug.enabled:
                _debug.note_await(v, coro, self._started_at)  # type: ignore[arg-type]
            self.step(coro.throw, v)
        else:
            self.step(coro.send, None)

    def _finish(self, st: int, v: Any) -> None:
        self._coro = None
        self._resume = None
        d = self._promise
        if d is None:
            self._promise = _fulfilled(v) if st == FULFILLED else _rejected(v)
            return
        if d._state == PROXY:
            d = _underlying(d)
        if d._state == PENDING:
            _resolve(d, st, v)


def _adapt(awaited: object) -> Promise[Any] | None:
    """Ask the await adapters for a promise standing for ``awaited``."""
    for adapter in tuple(_await_adapters):
        q = adapter(awaited)
        if q is not None:
            if not isinstance(q, Promise):
                raise TypeError(
                    f"lwt.ppx: the await adapter {adapter!r} returned "
                    f"{type(q).__name__}, not an lwt promise"
                )
            return q
    return None


def _not_awaitable(coro: Coroutine[Any, Any, Any], yielded: object) -> TypeError:
    awaited = getattr(coro, "cr_await", None)
    what = repr(awaited) if awaited is not None else f"something that yielded {yielded!r}"
    return TypeError(
        f"lwt.ppx: coroutine {getattr(coro, '__qualname__', coro)!s} awaited {what:.200}, "
        "which is not an lwt promise"
    )


def of_coroutine(coro: Coroutine[Any, Any, T]) -> Promise[T]:
    """Run ``coro`` as an lwt promise, starting it at once.

    The coroutine runs synchronously until it awaits a pending promise; it
    resumes as soon as that promise resolves.  The returned promise is
    fulfilled with what the coroutine returns, or rejected with what it
    raises.  Cancelling it cancels the promise the coroutine awaits, which
    raises :class:`lwt.core.Canceled` at that ``await``.

    The coroutine runs in a copy of the current :mod:`contextvars` context,
    as an asyncio task does: what it sets stays with it across every
    ``await`` and does not leak to its caller.

    Raises:
        TypeError: ``coro`` is not a coroutine.
    """
    send = getattr(coro, "send", None)
    if send is None or not hasattr(coro, "throw"):
        raise TypeError(f"of_coroutine: expected a coroutine, got {type(coro).__name__}")
    driver = _Driver(coro, copy_context())
    if _debug.enabled:
        driver._started_at = _debug.creation_site()
    driver.step(send, None)
    result = driver._promise
    assert result is not None
    return result


def promise(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Promise[T]]:
    """Decorate an ``async def`` so that calling it returns an lwt promise.

    Inside, ``await p`` is ``let%lwt``; ``try``/``except`` is ``try%lwt``;
    ``try``/``finally`` is ``[%finally]``; see :func:`of_coroutine` for how
    the coroutine runs.
    """

    @functools.wraps(fn)
    def start(*args: P.args, **kwargs: P.kwargs) -> Promise[T]:
        return of_coroutine(fn(*args, **kwargs))

    return start
