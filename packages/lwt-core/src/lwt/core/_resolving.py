"""Making promises, and resolving the ones made by ``wait`` and ``task``."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from ._exceptions import Canceled, Failure, InvalidArgument
from ._promise import (
    _CANCEL_THIS,
    FULFILLED,
    PENDING,
    PROXY,
    REJECTED,
    Promise,
    Resolver,
    _fulfilled,
    _rejected,
    _ResolvablePromise,
    _resolve,
    _underlying,
)
from ._states import Error, Ok

T = TypeVar("T")
E = TypeVar("E")

__all__ = [
    "fail",
    "fail_invalid_arg",
    "fail_with",
    "of_result",
    "return_",
    "return_error",
    "return_false",
    "return_none",
    "return_ok",
    "return_some",
    "return_true",
    "return_unit",
    "task",
    "wait",
    "wakeup",
    "wakeup_exn",
    "wakeup_later",
    "wakeup_later_exn",
    "wakeup_later_result",
    "wakeup_result",
]

_new = object.__new__


def wait() -> tuple[Promise[T], Resolver[T]]:
    """Make a pending promise and the resolver that resolves it.

    :func:`lwt.core.cancel` cannot cancel this promise (use :func:`task` for
    that); it stops the backwards search of a cancellation.
    """
    p: _ResolvablePromise[T] = _new(_ResolvablePromise)
    p._state = PENDING
    p._value = None
    p._kind = None
    p._cbs = None
    p._cancel = None
    return p, p


def task() -> tuple[Promise[T], Resolver[T]]:
    """Make a pending, cancelable promise and its resolver.

    Cancelling the promise rejects it with :class:`~lwt.core.Canceled`.
    """
    p: _ResolvablePromise[T] = _new(_ResolvablePromise)
    p._state = PENDING
    p._value = None
    p._kind = None
    p._cbs = None
    p._cancel = _CANCEL_THIS
    return p, p


def return_(v: T) -> Promise[T]:
    """Return a promise already fulfilled with ``v`` (``Lwt.return``)."""
    p: Promise[T] = _new(Promise)
    p._state = FULFILLED
    p._value = v
    return p


def fail(exc: BaseException) -> Promise[Any]:
    """Return a promise already rejected with ``exc`` (``Lwt.fail``)."""
    if not isinstance(exc, BaseException):
        raise TypeError(f"fail: expected an exception, got {type(exc).__name__}")
    return _rejected(exc)


def fail_with(msg: str) -> Promise[Any]:
    """Return a promise rejected with :class:`~lwt.core.Failure` ``(msg)``."""
    return _rejected(Failure(msg))


def fail_invalid_arg(msg: str) -> Promise[Any]:
    """Return a promise rejected with :class:`~lwt.core.InvalidArgument` ``(msg)``."""
    return _rejected(InvalidArgument(msg))


def of_result(r: Ok[T] | Error[BaseException]) -> Promise[T]:
    """Turn ``Ok(v)`` into a fulfilled promise and ``Error(exc)`` into a rejected one."""
    if isinstance(r, Ok):
        return _fulfilled(r.value)
    if isinstance(r, Error):
        return fail(r.error)
    raise TypeError(f"of_result: expected Ok or Error, got {type(r).__name__}")


def return_some(v: T) -> Promise[T]:
    """Return a promise fulfilled with ``v`` (OCaml's ``Some v`` is just ``v``)."""
    return _fulfilled(v)


def return_ok(v: T) -> Promise[Ok[T]]:
    """Return a promise fulfilled with ``Ok(v)``."""
    return _fulfilled(Ok(v))


def return_error(e: E) -> Promise[Error[E]]:
    """Return a promise fulfilled with ``Error(e)``."""
    return _fulfilled(Error(e))


return_unit: Promise[None] = return_(None)
"""A promise fulfilled with ``None`` (OCaml's ``()``)."""
return_none: Promise[None] = return_unit
"""A promise fulfilled with ``None`` (OCaml's ``None``)."""
return_true: Promise[bool] = return_(True)
"""A promise fulfilled with ``True``."""
return_false: Promise[bool] = return_(False)
"""A promise fulfilled with ``False``."""


# ---------------------------------------------------------------- resolving
def _target(api: str, r: Resolver[Any]) -> Promise[Any] | None:
    """The pending promise behind ``r``, or ``None`` if it was canceled."""
    if r.__class__ is not _ResolvablePromise:
        raise TypeError(f"{api}: expected a resolver from wait() or task(), got {r!r}")
    p: Promise[Any] = r
    if p._state == PROXY:
        p = _underlying(p)
    st = p._state
    if st == PENDING:
        return p
    if st == REJECTED and isinstance(p._value, Canceled):
        # Resolving a canceled promise is allowed and does nothing, as in Lwt:
        # the code that would resolve it cannot know it was canceled.
        return None
    raise InvalidArgument(f"{api}: the promise is already resolved")


def wakeup(r: Resolver[T], v: T) -> None:
    """Fulfil the promise of ``r`` with ``v`` and run its callbacks at once.

    Raises:
        InvalidArgument: the promise is already resolved (unless it was
            canceled, in which case nothing happens).
    """
    # The common case, a pending promise that is no proxy, is checked inline.
    if r.__class__ is _ResolvablePromise and r._state == PENDING:
        _resolve(r, FULFILLED, v)
        return
    p = _target("wakeup", r)
    if p is not None:
        _resolve(p, FULFILLED, v)


def wakeup_exn(r: Resolver[Any], exc: BaseException) -> None:
    """Reject the promise of ``r`` with ``exc`` and run its callbacks at once."""
    p = _target("wakeup_exn", r)
    if p is not None:
        _resolve(p, REJECTED, _exception("wakeup_exn", exc))


def wakeup_result(r: Resolver[T], res: Ok[T] | Error[BaseException]) -> None:
    """Resolve the promise of ``r`` with ``Ok(v)`` or ``Error(exc)``."""
    p = _target("wakeup_result", r)
    if p is not None:
        st, v = _outcome("wakeup_result", res)
        _resolve(p, st, v)


def wakeup_later(r: Resolver[T], v: T) -> None:
    """Like :func:`wakeup`, but inside a callback the new callbacks are queued.

    Callbacks of the promise run when the current resolution loop finishes,
    rather than in the middle of it.
    """
    p = _target("wakeup_later", r)
    if p is not None:
        _resolve(p, FULFILLED, v, 1)


def wakeup_later_exn(r: Resolver[Any], exc: BaseException) -> None:
    """Like :func:`wakeup_exn`, queued as :func:`wakeup_later` is."""
    p = _target("wakeup_later_exn", r)
    if p is not None:
        _resolve(p, REJECTED, _exception("wakeup_later_exn", exc), 1)


def wakeup_later_result(r: Resolver[T], res: Ok[T] | Error[BaseException]) -> None:
    """Like :func:`wakeup_result`, queued as :func:`wakeup_later` is."""
    p = _target("wakeup_later_result", r)
    if p is not None:
        st, v = _outcome("wakeup_later_result", res)
        _resolve(p, st, v, 1)


def _exception(api: str, exc: object) -> BaseException:
    if isinstance(exc, BaseException):
        return exc
    _bad(api, "an exception", exc)


def _outcome(api: str, res: object) -> tuple[int, Any]:
    if isinstance(res, Ok):
        return FULFILLED, res.value
    if isinstance(res, Error):
        return REJECTED, _exception(api, res.error)
    _bad(api, "Ok or Error", res)


def _bad(api: str, wanted: str, got: object) -> NoReturn:
    raise TypeError(f"{api}: expected {wanted}, got {type(got).__name__}")
