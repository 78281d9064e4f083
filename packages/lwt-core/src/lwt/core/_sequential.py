"""Sequential composition: run something after a promise resolves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from . import _promise
from ._promise import (
    FULFILLED,
    K_CATCH,
    K_TRY_BIND,
    MAXIMUM_DEPTH,
    PENDING,
    PROXY,
    Promise,
    _attach,
    _capture,
    _defer_on_resolved,
    _drain,
    _fulfilled,
    _not_a_promise,
    _pending,
    _rejected,
    _underlying,
)

T = TypeVar("T")
U = TypeVar("U")

__all__ = [
    "apply",
    "bind",
    "catch",
    "finalize",
    "map",
    "on_any",
    "on_cancel",
    "on_failure",
    "on_success",
    "on_termination",
    "try_bind",
    "wrap",
]

bind = Promise.bind


def map(
    f: Callable[[T], U], p: Promise[T]
) -> Promise[U]:  # shadows the builtin, as Lwt's name does
    """Return a promise of ``f(value)`` once ``p`` is fulfilled (``Lwt.map``).

    A rejection of ``p``, or an exception raised by ``f``, rejects the result.
    """
    return p.map(f)


on_success = Promise.on_success
on_failure = Promise.on_failure
on_termination = Promise.on_termination
on_any = Promise.on_any
on_cancel = Promise.on_cancel


def apply(f: Callable[..., Promise[T]], *args: Any) -> Promise[T]:
    """Call ``f(*args)``; an exception it raises becomes a rejected promise."""
    r: Any  # checked below: untyped callers may return anything
    try:
        r = f(*args)
    except Exception as exc:
        return _rejected(exc)
    if isinstance(r, Promise):
        return r
    return _rejected(_not_a_promise("apply", f, r))


def wrap(f: Callable[..., T], *args: Any) -> Promise[T]:
    """Call ``f(*args)`` and return its result as a resolved promise.

    The result is fulfilled with what ``f`` returns, or rejected with what
    it raises (``Lwt.wrap``).
    """
    try:
        return _fulfilled(f(*args))
    except Exception as exc:
        return _rejected(exc)


def _start(api: str, thunk: Callable[[], Promise[T]]) -> Promise[T]:
    """Call a thunk that should return a promise; failures become rejections."""
    p: Any  # checked below: untyped callers may return anything
    try:
        p = thunk()
    except Exception as exc:
        return _rejected(exc)
    if not isinstance(p, Promise):
        return _rejected(_not_a_promise(api, thunk, p))
    return p if p._state != PROXY else _underlying(p)


def _run_now(api: str, f: Callable[[Any], Promise[T]], v: Any) -> Promise[T]:
    """Call a continuation at once on a resolved value, counting the depth."""
    r: Any  # checked below: untyped callers may return anything
    _promise._depth += 1
    try:
        r = f(v)
    except Exception as exc:
        r = _rejected(exc)
    finally:
        _promise._depth -= 1
    if _promise._depth == 0 and _promise._deferred:
        _drain()
    if isinstance(r, Promise):
        return r
    return _rejected(_not_a_promise(api, f, r))


def catch(
    thunk: Callable[[], Promise[T]], handler: Callable[[BaseException], Promise[T]]
) -> Promise[T]:
    """Run ``thunk()``; if its promise is rejected, continue with ``handler(exc)``.

    An exception raised by ``thunk`` itself is handled the same way.  Like
    Lwt, ``catch`` also sees :class:`~lwt.core.Canceled`.
    """
    p = _start("catch", thunk)
    st = p._state
    if st == FULFILLED:
        return p
    if st != PENDING:
        if _promise._depth < MAXIMUM_DEPTH:
            return _run_now("catch", handler, p._value)
        return _defer_on_resolved(p, K_CATCH, handler)
    d = _pending(p)
    _attach(p, K_CATCH, handler, _capture(), d)
    return d


def try_bind(
    thunk: Callable[[], Promise[T]],
    on_ok: Callable[[T], Promise[U]],
    on_error: Callable[[BaseException], Promise[U]],
) -> Promise[U]:
    """Run ``thunk()``, then continue with ``on_ok(value)`` or ``on_error(exc)``."""
    return _try_bind("try_bind", thunk, on_ok, on_error)


def _try_bind(
    api: str,
    thunk: Callable[[], Promise[T]],
    on_ok: Callable[[T], Promise[U]],
    on_error: Callable[[BaseException], Promise[U]],
) -> Promise[U]:
    p = _start(api, thunk)
    st = p._state
    if st != PENDING:
        if _promise._depth < MAXIMUM_DEPTH:
            f: Callable[[Any], Promise[U]] = on_ok if st == FULFILLED else on_error
            return _run_now(api, f, p._value)
        return _defer_on_resolved(p, K_TRY_BIND, (on_ok, on_error))
    d = _pending(p)
    _attach(p, K_TRY_BIND, (on_ok, on_error), _capture(), d)
    return d


def finalize(thunk: Callable[[], Promise[T]], fin: Callable[[], Promise[None]]) -> Promise[T]:
    """Run ``thunk()``, then ``fin()`` however it ended; keep the thunk's outcome.

    If ``fin`` fails, its failure replaces the outcome (Lwt's ``finalize``).
    """

    def after_value(v: T) -> Promise[T]:
        return _start("finalize", fin).bind(lambda _: _fulfilled(v))

    def after_error(exc: BaseException) -> Promise[T]:
        return _start("finalize", fin).bind(lambda _: _rejected(exc))

    return _try_bind("finalize", thunk, after_value, after_error)
