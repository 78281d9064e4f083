"""Paused promises, and running promises nobody waits for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _promise
from ._promise import (
    _CANCEL_THIS,
    K_ASYNC,
    K_ON_FAILURE,
    PENDING,
    PROXY,
    REJECTED,
    Promise,
    _attach,
    _capture,
    _new,
    _ResolvablePromise,
    _underlying,
    report_async,
)
from ._resolving import wakeup
from ._sequential import apply

__all__ = [
    "abandon_paused",
    "async_",
    "dont_wait",
    "ignore_result",
    "pause",
    "paused_count",
    "register_pause_notifier",
    "wakeup_paused",
]

_paused: list[_ResolvablePromise[None]] = []
_paused_count = 0
_pause_notifier: Callable[[int], object] = lambda _count: None  # noqa: E731


def pause() -> Promise[None]:
    """Return a cancelable promise fulfilled at the next :func:`wakeup_paused`.

    The main loop of ``lwt.unix`` wakes paused promises once per iteration,
    so ``pause()`` lets other work run before continuing.
    """
    global _paused_count
    p: _ResolvablePromise[None] = _new(_ResolvablePromise)
    p._state = PENDING
    p._value = None
    p._kind = None
    p._cbs = None
    p._cancel = _CANCEL_THIS
    _paused.append(p)
    _paused_count += 1
    _pause_notifier(_paused_count)
    return p


def wakeup_paused() -> None:
    """Fulfil every promise paused so far with ``None``.

    Promises paused by their callbacks wait for the next call.  Paused
    promises that were canceled meanwhile are skipped.

    The main loop calls this once per iteration, which also makes it the
    place to run callbacks left queued when a ``KeyboardInterrupt`` or
    other ``BaseException`` cut a resolution loop short.
    """
    global _paused, _paused_count
    if _promise._deferred and _promise._depth == 0:
        _promise._drain()
    if not _paused:
        _paused_count = 0
        return
    batch = _paused
    _paused = []
    _paused_count = 0
    for p in batch:
        q: Promise[None] = p if p._state != PROXY else _underlying(p)
        if q._state == PENDING:
            wakeup(p, None)


def paused_count() -> int:
    """Return how many promises :func:`pause` made since the last wake-up."""
    return _paused_count


def register_pause_notifier(f: Callable[[int], object]) -> None:
    """Call ``f(count)`` each time :func:`pause` is called, with the new count."""
    global _pause_notifier
    _pause_notifier = f


def abandon_paused() -> None:
    """Forget every paused promise; they stay pending forever."""
    global _paused_count
    _paused.clear()
    _paused_count = 0


def _watch(p: Promise[Any], kind: int, handler: Any) -> None:
    q = p if p._state != PROXY else _underlying(p)
    st = q._state
    if st == PENDING:
        _attach(q, kind, handler, _capture(), None)
    elif st == REJECTED:
        if kind == K_ASYNC:
            report_async(q._value)
        else:
            try:
                handler(q._value)
            except Exception as exc:
                report_async(exc)


def async_(thunk: Callable[[], Promise[Any]]) -> None:
    """Start ``thunk()`` and forget it; a rejection goes to the async exception hook."""
    _watch(apply(thunk), K_ASYNC, None)


def dont_wait(
    thunk: Callable[[], Promise[Any]], handler: Callable[[BaseException], object]
) -> None:
    """Start ``thunk()`` and forget it; a rejection goes to ``handler``."""
    _watch(apply(thunk), K_ON_FAILURE, handler)


def ignore_result(p: Promise[Any]) -> None:
    """Forget ``p``: if it is already rejected, raise its exception now.

    A later rejection goes to the async exception hook.
    """
    q = p if p._state != PROXY else _underlying(p)
    if q._state == REJECTED:
        raise q._value
    _watch(q, K_ASYNC, None)
