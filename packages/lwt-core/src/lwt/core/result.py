"""Promises of results, for explicit error handling: OCaml's ``Lwt_result``.

A value of Lwt's ``('a, 'e) Lwt_result.t`` is a promise of a result: a
promise fulfilled with :class:`~lwt.core.Ok` ``(value)`` or with
:class:`~lwt.core.Error` ``(error)``.  The functions here chain such promises
the way :func:`lwt.core.bind` and :func:`lwt.core.map` chain plain ones, but
an ``Error`` travels past the ``Ok`` handlers untouched, as a rejection
travels past :func:`lwt.core.bind`.  The error can be any value, not only an
exception.  A rejection of the underlying promise is not an ``Error``: it
passes through every function here as a rejection (:func:`catch` turns one
into an ``Error``; :func:`get_exn` does the reverse).

.. note::
   Lwt's operator modules ``Infix`` (``>>=``, ``>|=``), ``Syntax``
   (``let*``, ``and*``, ``let+``, ``and+``) and ``Let_syntax`` have no Python
   form and are left out: call :func:`bind`, :func:`map` and :func:`both`.
   ``return`` is spelled :func:`return_`.  The deprecated ``map_err`` and
   ``bind_lwt_err`` are kept, and warn with :class:`DeprecationWarning`.
   A callback that hands back something other than ``Ok``/``Error`` where a
   result is expected rejects the promise with :class:`TypeError`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import lwt.core as _lwt
from lwt.core import Error, Ok, Promise

T = TypeVar("T")
U = TypeVar("U")
E = TypeVar("E")
F = TypeVar("F")

_Result = Ok[T] | Error[E]

__all__ = [
    "bind",
    "bind_error",
    "bind_lwt",
    "bind_lwt_err",
    "bind_lwt_error",
    "bind_result",
    "both",
    "catch",
    "error",
    "fail",
    "get_exn",
    "iter",
    "iter_error",
    "lift",
    "map",
    "map_err",
    "map_error",
    "ok",
    "return_",
]


def _not_a_result(api: str, r: object) -> NoReturn:
    raise TypeError(f"{api}: expected Ok or Error, got {type(r).__name__} {r!r:.60}")


# ---------------------------------------------------------------- making them
def return_(x: T) -> Promise[Ok[T]]:
    """Return a promise already fulfilled with ``Ok(x)`` (``Lwt_result.return``)."""
    return _lwt.return_(Ok(x))


def fail(e: E) -> Promise[Error[E]]:
    """Return a promise already fulfilled with ``Error(e)``.

    .. note::
       Unlike :func:`lwt.core.fail`, the promise is *fulfilled*, with an
       error value, as in Lwt; ``e`` need not be an exception.
    """
    return _lwt.return_(Error(e))


def lift(r: _Result[T, E]) -> Promise[_Result[T, E]]:
    """Return a promise already fulfilled with the result ``r``."""
    if not isinstance(r, (Ok, Error)):
        _not_a_result("lift", r)
    return _lwt.return_(r)


def ok(p: Promise[T]) -> Promise[Ok[T]]:
    """Turn a promise of ``v`` into a promise of ``Ok(v)``; rejections stay rejections."""
    return p.map(Ok)


def error(p: Promise[E]) -> Promise[Error[E]]:
    """Turn a promise of ``e`` into a promise of ``Error(e)``; rejections stay rejections."""
    return p.map(Error)


def catch(thunk: Callable[[], Promise[T]]) -> Promise[_Result[T, BaseException]]:
    """Run ``thunk()`` and turn its outcome into a result.

    Returns:
        A promise of ``Ok(v)`` if the thunk's promise is fulfilled with ``v``,
        and of ``Error(exc)`` if it is rejected with ``exc`` or if ``thunk``
        raises ``exc`` (:class:`~lwt.core.Canceled` included, as in Lwt).
    """
    return _lwt.catch(lambda: ok(_lwt.apply(thunk)), _error_of)


def _error_of(exc: BaseException) -> Promise[Error[BaseException]]:
    return _lwt.return_(Error(exc))


def get_exn(p: Promise[_Result[T, BaseException]]) -> Promise[T]:
    """The reverse of :func:`catch`: ``Ok(v)`` becomes ``v``, ``Error(exc)`` a rejection.

    Raises:
        TypeError: (as a rejection) the error of an ``Error`` is not an
            exception.
    """

    def unwrap(r: _Result[T, BaseException]) -> Promise[T]:
        if isinstance(r, Ok):
            return _lwt.return_(r.value)
        if isinstance(r, Error):
            return _lwt.fail(r.error)
        _not_a_result("get_exn", r)

    return p.bind(unwrap)


# ------------------------------------------------------------------- mapping
def map(f: Callable[[T], U], p: Promise[_Result[T, E]]) -> Promise[_Result[U, E]]:
    """Apply ``f`` to the value of an ``Ok``; an ``Error`` is passed on unchanged."""

    def on_result(r: _Result[T, E]) -> _Result[U, E]:
        if isinstance(r, Ok):
            return Ok(f(r.value))
        if isinstance(r, Error):
            return r
        _not_a_result("map", r)

    return p.map(on_result)


def map_error(f: Callable[[E], F], p: Promise[_Result[T, E]]) -> Promise[_Result[T, F]]:
    """Apply ``f`` to the error of an ``Error``; an ``Ok`` is passed on unchanged."""

    def on_result(r: _Result[T, E]) -> _Result[T, F]:
        if isinstance(r, Error):
            return Error(f(r.error))
        if isinstance(r, Ok):
            return r
        _not_a_result("map_error", r)

    return p.map(on_result)


def map_err(f: Callable[[E], F], p: Promise[_Result[T, E]]) -> Promise[_Result[T, F]]:
    """Deprecated alias of :func:`map_error`, as in Lwt; warns when called."""
    warnings.warn("map_err is deprecated: use map_error", DeprecationWarning, stacklevel=2)
    return map_error(f, p)


# ------------------------------------------------------------------- binding
def bind(
    p: Promise[_Result[T, E]], f: Callable[[T], Promise[_Result[U, E]]]
) -> Promise[_Result[U, E]]:
    """Continue with the promise ``f(v)`` after ``Ok(v)``; pass an ``Error`` on.

    An exception raised by ``f`` rejects the result, as :func:`lwt.core.bind`
    does.
    """

    def on_result(r: _Result[T, E]) -> Promise[_Result[U, E]]:
        if isinstance(r, Ok):
            return f(r.value)
        if isinstance(r, Error):
            return _lwt.return_(r)
        _not_a_result("bind", r)

    return p.bind(on_result)


def bind_error(
    p: Promise[_Result[T, E]], f: Callable[[E], Promise[_Result[T, F]]]
) -> Promise[_Result[T, F]]:
    """Continue with the promise ``f(e)`` after ``Error(e)``; pass an ``Ok`` on."""

    def on_result(r: _Result[T, E]) -> Promise[_Result[T, F]]:
        if isinstance(r, Error):
            return f(r.error)
        if isinstance(r, Ok):
            return _lwt.return_(r)
        _not_a_result("bind_error", r)

    return p.bind(on_result)


def bind_lwt(p: Promise[_Result[T, E]], f: Callable[[T], Promise[U]]) -> Promise[_Result[U, E]]:
    """After ``Ok(v)``, wait for the plain promise ``f(v)`` and wrap its value in ``Ok``.

    An ``Error`` is passed on; a rejection of ``f(v)`` stays a rejection.
    """

    def on_result(r: _Result[T, E]) -> Promise[_Result[U, E]]:
        if isinstance(r, Ok):
            return ok(_checked("bind_lwt", f(r.value)))
        if isinstance(r, Error):
            return _lwt.return_(r)
        _not_a_result("bind_lwt", r)

    return p.bind(on_result)


def bind_lwt_error(
    p: Promise[_Result[T, E]], f: Callable[[E], Promise[F]]
) -> Promise[_Result[T, F]]:
    """After ``Error(e)``, wait for the plain promise ``f(e)`` and wrap its value in ``Error``.

    An ``Ok`` is passed on; a rejection of ``f(e)`` stays a rejection.
    """

    def on_result(r: _Result[T, E]) -> Promise[_Result[T, F]]:
        if isinstance(r, Error):
            return error(_checked("bind_lwt_error", f(r.error)))
        if isinstance(r, Ok):
            return _lwt.return_(r)
        _not_a_result("bind_lwt_error", r)

    return p.bind(on_result)


def bind_lwt_err(p: Promise[_Result[T, E]], f: Callable[[E], Promise[F]]) -> Promise[_Result[T, F]]:
    """Deprecated alias of :func:`bind_lwt_error`, as in Lwt; warns when called."""
    warnings.warn(
        "bind_lwt_err is deprecated: use bind_lwt_error", DeprecationWarning, stacklevel=2
    )
    return bind_lwt_error(p, f)


def bind_result(
    p: Promise[_Result[T, E]], f: Callable[[T], _Result[U, E]]
) -> Promise[_Result[U, E]]:
    """Replace ``Ok(v)`` with the result ``f(v)``; pass an ``Error`` on."""

    def on_result(r: _Result[T, E]) -> _Result[U, E]:
        if isinstance(r, Ok):
            out = f(r.value)
            if not isinstance(out, (Ok, Error)):
                _not_a_result("bind_result", out)
            return out
        if isinstance(r, Error):
            return r
        _not_a_result("bind_result", r)

    return p.map(on_result)


def _checked(api: str, p: object) -> Promise[Any]:
    if not isinstance(p, Promise):
        raise TypeError(f"{api}: the callback returned {type(p).__name__}, not an lwt promise")
    return p


# --------------------------------------------------------------- combining
def both(a: Promise[_Result[T, E]], b: Promise[_Result[U, E]]) -> Promise[_Result[tuple[T, U], E]]:
    """Wait for both promises; ``Ok((x, y))`` if both are ``Ok``.

    Returns:
        A promise that stays pending until both are resolved, as
        :func:`lwt.core.both` does.  If one or both are ``Error``, it is
        fulfilled with the ``Error`` that arrived first (for two that were
        already there, ``a``'s).  A rejection of either rejects it.
    """
    first: list[Error[E]] = []

    def note(r: _Result[Any, E]) -> _Result[Any, E]:
        if isinstance(r, Error):
            if not first:
                first.append(r)
        elif not isinstance(r, Ok):
            _not_a_result("both", r)
        return r

    def combine(pair: tuple[_Result[T, E], _Result[U, E]]) -> _Result[tuple[T, U], E]:
        ra, rb = pair
        if isinstance(ra, Ok) and isinstance(rb, Ok):
            return Ok((ra.value, rb.value))
        return first[0]

    return _lwt.both(a.map(note), b.map(note)).map(combine)


# ----------------------------------------------------------------- iterating
def iter(f: Callable[[T], Promise[None]], p: Promise[_Result[T, Any]]) -> Promise[None]:
    """Run ``f(v)`` after ``Ok(v)``; after an ``Error``, do nothing.

    Returns:
        The promise ``f(v)``, or a promise fulfilled with ``None``.
    """

    def on_result(r: _Result[T, Any]) -> Promise[None]:
        if isinstance(r, Ok):
            return f(r.value)
        if isinstance(r, Error):
            return _lwt.return_unit
        _not_a_result("iter", r)

    return p.bind(on_result)


def iter_error(f: Callable[[E], Promise[None]], p: Promise[_Result[Any, E]]) -> Promise[None]:
    """Run ``f(e)`` after ``Error(e)``; after an ``Ok``, do nothing."""

    def on_result(r: _Result[Any, E]) -> Promise[None]:
        if isinstance(r, Error):
            return f(r.error)
        if isinstance(r, Ok):
            return _lwt.return_unit
        _not_a_result("iter_error", r)

    return p.bind(on_result)
