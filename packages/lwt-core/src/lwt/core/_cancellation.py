"""Cancellation: the public entry point and the promises that shape it."""

from __future__ import annotations

from typing import Any, TypeVar

from ._promise import (
    _CANCEL_THIS,
    K_CANCEL,
    K_FORWARD,
    PENDING,
    PROXY,
    Promise,
    _add,
    _attach,
    _Callback,
    _cancel,
    _pending,
    _remove,
    _underlying,
)

T = TypeVar("T")

__all__ = ["cancel", "no_cancel", "protected", "wrap_in_cancelable"]


def cancel(p: Promise[Any]) -> None:
    """Cancel ``p``: reject the cancelable promises it waits on with ``Canceled``.

    The search goes backwards from ``p`` through ``bind``, ``map``,
    ``catch``, ``finalize``, ``try_bind``, ``join``, ``pick`` and the other
    combinators to the :func:`~lwt.core.task` promises at the start of the
    chain.  Their rejection then reaches ``p`` in the usual way.  Promises
    made by :func:`~lwt.core.wait` are not cancelable and end the search.
    """
    _cancel(p)


def _settled(p: Promise[T]) -> Promise[T]:
    return p if p._state != PROXY else _underlying(p)


def protected(p: Promise[T]) -> Promise[T]:
    """Return a promise that resolves like ``p`` but whose cancellation spares ``p``.

    Cancelling the result rejects it with ``Canceled`` and detaches it from
    ``p``, which goes on undisturbed.
    """
    q = _settled(p)
    if q._state != PENDING:
        return p
    d = _pending(_CANCEL_THIS)
    forward = _Callback(K_FORWARD, None, None, d)
    _add(q, forward)
    _add(d, _Callback(K_CANCEL, lambda: _remove([p], forward), None, None))
    return d


def no_cancel(p: Promise[T]) -> Promise[T]:
    """Return a promise that resolves like ``p`` and cannot be canceled at all."""
    q = _settled(p)
    if q._state != PENDING:
        return p
    d = _pending(None)
    _attach(q, K_FORWARD, None, None, d)
    return d


def wrap_in_cancelable(p: Promise[T]) -> Promise[T]:
    """Return a cancelable promise that resolves like ``p``; cancelling it cancels ``p``.

    Useful around a promise made by :func:`~lwt.core.wait`, which would
    otherwise stop the backwards search of a cancellation: the result is
    rejected with ``Canceled`` at once, and ``p`` is canceled in turn.
    """
    q = _settled(p)
    if q._state != PENDING:
        return p
    d = _pending(_CANCEL_THIS)
    _add(d, _Callback(K_CANCEL, lambda: _cancel(p), None, None))
    _attach(q, K_FORWARD, None, None, d)
    return d
