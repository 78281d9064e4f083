"""Concurrent composition: promises that wait on several others."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ._exceptions import InvalidArgument
from ._promise import (
    FULFILLED,
    K_FUNC,
    PENDING,
    PROXY,
    REJECTED,
    Promise,
    _add,
    _attach,
    _Callback,
    _cancel,
    _fulfilled,
    _pending,
    _rejected,
    _remove,
    _settle,
    _underlying,
)

T = TypeVar("T")
U = TypeVar("U")

__all__ = [
    "all",
    "both",
    "choose",
    "join",
    "nchoose",
    "nchoose_split",
    "npick",
    "pick",
]

# Lwt picks at random among promises that are already resolved when
# choose/pick is called, so that no input is systematically favoured.
_prng = random.Random()


def _promises(api: str, ps: Iterable[Promise[T]]) -> list[Promise[T]]:
    lst = ps if isinstance(ps, list) else list(ps)
    for p in lst:
        if not isinstance(p, Promise):
            raise TypeError(f"{api}: expected lwt promises, got {type(p).__name__} {p!r:.60}")
    return lst


def _settled(p: Promise[Any]) -> Promise[Any]:
    return p if p._state != PROXY else _underlying(p)


def _gather(ps: list[Promise[Any]], finish: Callable[[list[Any]], Any]) -> Promise[Any]:
    """Wait for every promise of ``ps``; fulfil with ``finish(values)``.

    The result is rejected with the first rejection, in the order the
    rejections happened (inputs already rejected count in list order), but
    only once every input is resolved, as Lwt's ``join`` does.
    """
    n = len(ps)
    values: list[Any] = [None] * n
    first_error: list[BaseException] = []
    pending = 0
    for i, p in enumerate(ps):
        q = _settled(p)
        st = q._state
        if st == FULFILLED:
            values[i] = q._value
        elif st == REJECTED:
            if not first_error:
                first_error.append(q._value)
        else:
            pending += 1
    if pending == 0:
        if first_error:
            return _rejected(first_error[0])
        return _fulfilled(finish(values))
    d = _pending(list(ps))
    remaining = [pending]

    def count(st: int, v: Any) -> None:
        if st != FULFILLED and not first_error:
            first_error.append(v)
        remaining[0] -= 1
        if remaining[0] == 0:
            if first_error:
                _settle(d, REJECTED, first_error[0])
            else:
                _settle(d, FULFILLED, finish(values))

    def one_done(i: int) -> Callable[[int, Any], None]:
        def done(st: int, v: Any) -> None:
            if st == FULFILLED:
                values[i] = v
            count(st, v)

        return done

    # join throws the values away: one shared callback serves every input,
    # instead of one closure per input.
    keep_values = finish is not _none
    for i, p in enumerate(ps):
        q = _settled(p)
        if q._state == PENDING:
            _attach(q, K_FUNC, one_done(i) if keep_values else count, None, None)
    return d


def _none(_values: list[Any]) -> None:
    return None


def join(ps: Iterable[Promise[None]]) -> Promise[None]:
    """Wait for all of ``ps``; fulfil with ``None`` or reject with the first failure.

    Every input is waited for even after one is rejected.  Cancelling the
    result cancels every input.
    """
    return _gather(_promises("join", ps), _none)


def all(ps: Iterable[Promise[T]]) -> Promise[list[T]]:  # shadows the builtin, as Lwt's name does
    """Wait for all of ``ps`` and fulfil with their values, in input order."""
    return _gather(_promises("all", ps), list)


def both(p1: Promise[T], p2: Promise[U]) -> Promise[tuple[T, U]]:
    """Wait for both promises and fulfil with the pair of their values."""
    return _gather(_promises("both", (p1, p2)), tuple)


def _nth_resolved(ps: list[Promise[Any]], n: int) -> Promise[Any]:
    for p in ps:
        if _settled(p)._state != PENDING:
            if n == 0:
                return p
            n -= 1
    raise AssertionError("fewer resolved promises than counted")


def _count(ps: list[Promise[Any]]) -> tuple[int, list[Promise[Any]]]:
    """Count the resolved promises; if any is rejected, only rejected ones count."""
    fulfilled = 0
    rejected: list[Promise[Any]] = []
    for p in ps:
        st = _settled(p)._state
        if st == FULFILLED:
            fulfilled += 1
        elif st == REJECTED:
            rejected.append(p)
    if rejected:
        return len(rejected), rejected
    return fulfilled, ps


def _nonempty(api: str, ps: Iterable[Promise[T]]) -> list[Promise[T]]:
    lst = _promises(api, ps)
    if not lst:
        raise InvalidArgument(f"{api}: an empty list would give a promise pending forever")
    return lst


def _on_first(ps: list[Promise[Any]], fire: Callable[[int, Any], None]) -> None:
    """Call ``fire(state, value)`` when the first of ``ps`` resolves; forget the others."""
    cb = _Callback(K_FUNC, None, None, None)

    def first(st: int, v: Any) -> None:
        _remove(ps, cb)
        fire(st, v)

    cb.fn = first
    for p in ps:
        _add(_settled(p), cb)


def choose(ps: Iterable[Promise[T]]) -> Promise[T]:
    """Resolve like the first of ``ps`` to resolve; leave the others running.

    If several are already resolved, one is chosen at random (a rejected
    one, if any is rejected).  Cancelling the result cancels every input.

    Raises:
        InvalidArgument: ``ps`` is empty.
    """
    lst = _nonempty("choose", ps)
    n, among = _count(lst)
    if n > 0:
        return _nth_resolved(among, _prng.randrange(n))
    d = _pending(list(lst))

    def fire(st: int, v: Any) -> None:
        _settle(d, st, v)

    _on_first(lst, fire)
    return d


def pick(ps: Iterable[Promise[T]]) -> Promise[T]:
    """Like :func:`choose`, but cancel every other input once one resolves.

    Raises:
        InvalidArgument: ``ps`` is empty.
    """
    lst = _nonempty("pick", ps)
    n, among = _count(lst)
    if n > 0:
        chosen = _nth_resolved(among, _prng.randrange(n))
        for p in lst:
            _cancel(p)
        return chosen
    d = _pending(list(lst))

    def fire(st: int, v: Any) -> None:
        for p in lst:
            _cancel(p)
        _settle(d, st, v)

    _on_first(lst, fire)
    return d


def _fulfilled_values(ps: list[Promise[Any]]) -> tuple[int, Any]:
    """The values of the fulfilled inputs in order, or the first rejection."""
    values = []
    for p in ps:
        q = _settled(p)
        if q._state == FULFILLED:
            values.append(q._value)
        elif q._state == REJECTED:
            return REJECTED, q._value
    return FULFILLED, values


def _any_resolved(ps: list[Promise[Any]]) -> bool:
    return any(_settled(p)._state != PENDING for p in ps)


def _when_any(
    lst: list[Promise[Any]], outcome: Callable[[list[Promise[Any]]], tuple[int, Any]], cancel: bool
) -> Promise[Any]:
    """Resolve with ``outcome(lst)`` once any input is resolved (at once if one is).

    With ``cancel``, every input is canceled after the outcome is taken, as
    ``npick`` does.
    """
    if _any_resolved(lst):
        st, v = outcome(lst)
        if cancel:
            for p in lst:
                _cancel(p)
        return _fulfilled(v) if st == FULFILLED else _rejected(v)
    d = _pending(list(lst))

    def fire(_st: int, _v: Any) -> None:
        st, v = outcome(lst)
        if cancel:
            for p in lst:
                _cancel(p)
        _settle(d, st, v)

    _on_first(lst, fire)
    return d


def nchoose(ps: Iterable[Promise[T]]) -> Promise[list[T]]:
    """Wait for at least one of ``ps``; fulfil with the values of all fulfilled ones.

    A rejected input rejects the result instead.

    Raises:
        InvalidArgument: ``ps`` is empty.
    """
    return _when_any(_nonempty("nchoose", ps), _fulfilled_values, cancel=False)


def npick(ps: Iterable[Promise[T]]) -> Promise[list[T]]:
    """Like :func:`nchoose`, but cancel the inputs still pending at that point.

    Raises:
        InvalidArgument: ``ps`` is empty.
    """
    return _when_any(_nonempty("npick", ps), _fulfilled_values, cancel=True)


def _split(ps: list[Promise[Any]]) -> tuple[int, Any]:
    values: list[Any] = []
    still: list[Promise[Any]] = []
    for p in ps:
        q = _settled(p)
        if q._state == FULFILLED:
            values.append(q._value)
        elif q._state == REJECTED:
            return REJECTED, q._value
        else:
            still.append(p)
    return FULFILLED, (values, still)


def nchoose_split(ps: Iterable[Promise[T]]) -> Promise[tuple[list[T], list[Promise[T]]]]:
    """Like :func:`nchoose`, and also give back the inputs still pending.

    Raises:
        InvalidArgument: ``ps`` is empty.
    """
    return _when_any(_nonempty("nchoose_split", ps), _split, cancel=False)
