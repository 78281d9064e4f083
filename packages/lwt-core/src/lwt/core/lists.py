"""Promise-returning functions over lists: OCaml's ``Lwt_list``.

Every function takes a callback that returns a promise and applies it to the
elements of a list.  The ``_s`` functions are *sequential*: the callback is
called on an element only once the promise it returned for the previous
element is fulfilled, and the first rejection stops the walk.  The ``_p``
functions are *concurrent*: the callback is called on every element at once,
left to right, and the promises run side by side.

How a ``_p`` function resolves is Lwt's, and differs between them:

* :func:`iter_p` and :func:`iteri_p` wait for every promise (they are
  :func:`lwt.core.join`), and are rejected with the first rejection to happen.
* :func:`map_p`, :func:`mapi_p`, :func:`rev_map_p`, :func:`filter_p`,
  :func:`filter_map_p`, :func:`partition_p`, :func:`for_all_p` and
  :func:`exists_p` look at the promises from the *last* element backwards.
  The result is rejected with the rejection of the rightmost rejected
  element, as soon as that one is rejected and every element to its right is
  fulfilled; it does not wait for the elements to its left.

A callback that raises instead of returning a promise counts as a rejected
promise (Lwt's ``Lwt.apply``), and so does one that returns something that is
not a promise (with a :class:`TypeError`).

.. note::
   Inputs may be any iterable; each is read into a list when the function is
   called, before the callback runs.  Predicates are tested for truth, as
   Python's ``if`` does.  In :func:`filter_map_s` and :func:`filter_map_p`
   ``None`` stands for OCaml's ``None``: a callback cannot keep a ``None``.
   The sequential functions loop rather than recurse, so no list is too long
   for the stack, whether the callback's promises are resolved at once or
   later.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, TypeVar, cast

from lwt.core import (
    Fail,
    NotFound,
    Promise,
    apply,
    fail,
    join,
    return_,
    return_false,
    return_true,
    return_unit,
)

T = TypeVar("T")
U = TypeVar("U")
A = TypeVar("A")
B = TypeVar("B")

__all__ = [
    "exists_p",
    "exists_s",
    "filter_map_p",
    "filter_map_s",
    "filter_p",
    "filter_s",
    "find_s",
    "fold_left_s",
    "fold_right_s",
    "for_all_p",
    "for_all_s",
    "iter_p",
    "iter_s",
    "iteri_p",
    "iteri_s",
    "map_p",
    "map_s",
    "mapi_p",
    "mapi_s",
    "partition_p",
    "partition_s",
    "rev_map_p",
    "rev_map_s",
]

# A step of a loop gets the value of the promise it waited for and answers
# (True, result) to stop with ``result``, or (False, p) to wait for ``p`` next.
_Step = Callable[[Any], tuple[bool, Promise[Any]]]


def _drive(p: Promise[Any], step: _Step) -> Promise[Any]:
    """Run a loop of promises without growing the stack.

    Wait for ``p`` and hand its value to ``step``, again and again.  While the
    promises are already fulfilled this is a plain loop; at a pending one the
    rest of the loop becomes a callback of that promise.  A rejection, or an
    exception raised by ``step``, ends the loop with that rejection.
    """
    while True:
        if p.is_sleeping():
            return p.bind(lambda v: _resume(step, v))
        try:
            # poll() is the cheapest way to read a fulfilled promise.
            v = p.poll()
        except BaseException as exc:
            outcome = p.state()
            if not (isinstance(outcome, Fail) and outcome.exc is exc):
                raise  # not the rejection being read, e.g. a KeyboardInterrupt
            _forget_reraise(exc, sys._getframe())
            return p
        try:
            done, p = step(v)
        except Exception as exc:
            return fail(exc)
        if done:
            return p


def _forget_reraise(exc: BaseException, here: FrameType) -> None:
    """Drop from ``exc``'s traceback the frames that reading it with poll() added.

    The rejection is handed on untouched, as if it had never been raised here.
    """
    tb = exc.__traceback__
    while tb is not None and (tb.tb_frame is here or tb.tb_frame.f_code is _POLL_CODE):
        tb = tb.tb_next
    exc.__traceback__ = tb


_POLL_CODE = Promise.poll.__code__


def _resume(step: _Step, v: Any) -> Promise[Any]:
    # Runs as a callback of bind, which turns an exception into a rejection.
    done, p = step(v)
    return p if done else _drive(p, step)


def _from_the_right(
    ps: list[Promise[Any]], record: Callable[[int, Any], object], finish: Callable[[], T]
) -> Promise[T]:
    """Wait for ``ps`` from the last to the first, as Lwt's ``_p`` functions do.

    ``record(i, v)`` sees each value; once the first promise is fulfilled the
    result is fulfilled with ``finish()``.  The first rejection met on the way
    (that is, the rightmost rejected promise) rejects the result at once.
    """
    i = len(ps)

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i < len(ps):
            record(i, v)
        if i == 0:
            return True, return_(finish())
        i -= 1
        return False, ps[i]

    return _drive(return_unit, step)


def _start_all(f: Callable[[T], Promise[U]], xs: list[T]) -> list[Promise[U]]:
    """Call ``f`` on every element, left to right, failures becoming rejections."""
    return [apply(f, x) for x in xs]


# ------------------------------------------------------------------ iterating
def iter_s(f: Callable[[T], Promise[object]], xs: Iterable[T]) -> Promise[None]:
    """Call ``f`` on each element in turn, waiting for each promise before the next.

    Returns:
        A promise fulfilled with ``None`` once the last promise is fulfilled,
        or rejected as soon as one of them is (the rest are not visited).
    """
    items = list(xs)
    n = len(items)
    i = 0

    def step(_: object) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i == n:
            return True, return_unit
        x = items[i]
        i += 1
        return False, apply(f, x)

    return _drive(return_unit, step)


def iter_p(f: Callable[[T], Promise[object]], xs: Iterable[T]) -> Promise[None]:
    """Call ``f`` on every element at once and wait for all the promises.

    Returns:
        A promise fulfilled with ``None`` once all are fulfilled.  If some
        are rejected, it is rejected with the first rejection to happen (among
        promises already rejected when ``f`` returns, the rightmost), but only
        once every promise is resolved.  Cancelling it cancels them all.
    """
    ps = _start_all(f, list(xs))
    ps.reverse()
    return join(cast("list[Promise[None]]", ps))


def iteri_s(f: Callable[[int, T], Promise[object]], xs: Iterable[T]) -> Promise[None]:
    """Like :func:`iter_s`, but call ``f(i, x)`` with the index ``i`` of ``x``."""
    return iter_s(lambda ix: f(*ix), enumerate(xs))


def iteri_p(f: Callable[[int, T], Promise[object]], xs: Iterable[T]) -> Promise[None]:
    """Like :func:`iter_p`, but call ``f(i, x)`` with the index ``i`` of ``x``."""
    return iter_p(lambda ix: f(*ix), enumerate(xs))


# -------------------------------------------------------------------- mapping
def map_s(f: Callable[[T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Map ``f`` over the elements in turn, one promise at a time.

    Returns:
        A promise of the list of values, in input order; rejected as soon as
        one promise is rejected.
    """
    items = list(xs)
    n = len(items)
    out: list[U] = []
    i = 0

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i > 0:
            out.append(v)
        if i == n:
            return True, return_(out)
        x = items[i]
        i += 1
        return False, apply(f, x)

    return _drive(return_unit, step)


def map_p(f: Callable[[T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Call ``f`` on every element at once and collect the values in input order.

    Returns:
        A promise of the list of values.  It is rejected with the rejection
        of the rightmost rejected element, once every element to its right
        is fulfilled, without waiting for the elements to its left.
        Cancelling it cancels the promise it is waiting for at that moment.
    """
    ps = _start_all(f, list(xs))
    values: list[Any] = [None] * len(ps)
    return _from_the_right(ps, values.__setitem__, lambda: values)


def mapi_s(f: Callable[[int, T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Like :func:`map_s`, but call ``f(i, x)`` with the index ``i`` of ``x``."""
    return map_s(lambda ix: f(*ix), enumerate(xs))


def mapi_p(f: Callable[[int, T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Like :func:`map_p`, but call ``f(i, x)`` with the index ``i`` of ``x``."""
    return map_p(lambda ix: f(*ix), enumerate(xs))


def rev_map_s(f: Callable[[T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Like :func:`map_s`, but the list of values comes out reversed."""
    return map_s(f, xs).map(_reversed_list)


def rev_map_p(f: Callable[[T], Promise[U]], xs: Iterable[T]) -> Promise[list[U]]:
    """Like :func:`map_p`, but the list of values comes out reversed.

    Rejections are chosen as by :func:`map_p`: the rightmost rejected element
    wins once every element to its right is fulfilled.
    """
    # As in Lwt, each element's promise is chained at once to the result
    # for the elements before it; the values accumulate in a linked list of
    # pairs (value, rest), newest first.
    acc: Promise[Any] = return_(None)
    for p in _start_all(f, list(xs)):
        acc = p.bind(_prepend_to(acc))
    return acc.map(_unlink)


def _prepend_to(rest: Promise[Any]) -> Callable[[Any], Promise[Any]]:
    return lambda v: rest.map(lambda tail: (v, tail))


def _unlink(cell: Any) -> list[Any]:
    out = []
    while cell is not None:
        v, cell = cell
        out.append(v)
    return out


def _reversed_list(values: list[U]) -> list[U]:
    values.reverse()
    return values


# -------------------------------------------------------------------- folding
def fold_left_s(f: Callable[[A, T], Promise[A]], acc: A, xs: Iterable[T]) -> Promise[A]:
    """Fold from the left: ``f(acc, x)`` for each element, waiting for each promise.

    Returns:
        A promise of the final accumulator (``acc`` itself for an empty
        input); rejected as soon as one step is rejected.
    """
    items = list(xs)
    n = len(items)
    i = 0

    def step(a: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i == n:
            return True, return_(a)
        x = items[i]
        i += 1
        return False, apply(f, a, x)

    return _drive(return_(acc), step)


def fold_right_s(f: Callable[[T, A], Promise[A]], xs: Iterable[T], acc: A) -> Promise[A]:
    """Fold from the right: ``f(x, acc)`` for each element, last element first.

    Returns:
        A promise of the final accumulator; rejected as soon as one step is.
    """
    items = list(xs)
    i = len(items)

    def step(a: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i == 0:
            return True, return_(a)
        i -= 1
        return False, apply(f, items[i], a)

    return _drive(return_(acc), step)


# ---------------------------------------------------------------- predicates
def for_all_s(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[bool]:
    """Test the elements in turn; stop at the first one that fails the test.

    Returns:
        A promise of ``True`` if every element passes (also for an empty
        input), ``False`` as soon as one does not.
    """
    items = list(xs)
    n = len(items)
    i = 0

    def step(ok: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if not ok:
            return True, return_false
        if i == n:
            return True, return_true
        x = items[i]
        i += 1
        return False, apply(f, x)

    return _drive(return_true, step)


def for_all_p(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[bool]:
    """Test every element at once; ``True`` if all pass.

    Every test is waited for (as by :func:`map_p`), even after one fails.
    """
    return map_p(f, xs).map(_all_true)


def exists_s(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[bool]:
    """Test the elements in turn; stop at the first one that passes.

    Returns:
        A promise of ``True`` as soon as one element passes, ``False`` if
        none does (also for an empty input).
    """
    items = list(xs)
    n = len(items)
    i = 0

    def step(ok: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if ok:
            return True, return_true
        if i == n:
            return True, return_false
        x = items[i]
        i += 1
        return False, apply(f, x)

    return _drive(return_false, step)


def exists_p(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[bool]:
    """Test every element at once; ``True`` if at least one passes.

    Every test is waited for (as by :func:`map_p`), even after one passes.
    """
    return map_p(f, xs).map(_any_true)


def _all_true(oks: list[bool]) -> bool:
    return all(oks)


def _any_true(oks: list[bool]) -> bool:
    return any(oks)


def find_s(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[T]:
    """Test the elements in turn and return the first one that passes.

    Returns:
        A promise of that element.  It is rejected with
        :class:`~lwt.core.NotFound` if no element passes.
    """
    items = list(xs)
    n = len(items)
    i = 0

    def step(ok: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if ok:
            return True, return_(items[i - 1])
        if i == n:
            return True, fail(NotFound("find_s: no element satisfies the predicate"))
        i += 1
        return False, apply(f, items[i - 1])

    return _drive(return_false, step)


# ------------------------------------------------------------------ filtering
def filter_s(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[list[T]]:
    """Keep the elements that pass the test, testing them in turn.

    Returns:
        A promise of the kept elements, in input order.
    """
    kept: list[T] = []

    def record(x: T, ok: Any) -> None:
        if ok:
            kept.append(x)

    return _filter_in_turn(f, list(xs), record, lambda: kept)


def filter_p(f: Callable[[T], Promise[bool]], xs: Iterable[T]) -> Promise[list[T]]:
    """Keep the elements that pass the test, testing them all at once.

    Rejections are chosen as by :func:`map_p`.
    """
    items = list(xs)
    oks: list[Any] = [False] * len(items)
    return _from_the_right(
        _start_all(f, items),
        oks.__setitem__,
        lambda: [x for x, ok in zip(items, oks, strict=True) if ok],
    )


def filter_map_s(f: Callable[[T], Promise[U | None]], xs: Iterable[T]) -> Promise[list[U]]:
    """Map ``f`` over the elements in turn and keep the values that are not ``None``."""
    items = list(xs)
    n = len(items)
    out: list[U] = []
    i = 0

    def step(v: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i > 0 and v is not None:
            out.append(v)
        if i == n:
            return True, return_(out)
        x = items[i]
        i += 1
        return False, apply(f, x)

    return _drive(return_unit, step)


def filter_map_p(f: Callable[[T], Promise[U | None]], xs: Iterable[T]) -> Promise[list[U]]:
    """Map ``f`` over every element at once and keep the values that are not ``None``.

    Rejections are chosen as by :func:`map_p`.
    """
    ps = _start_all(f, list(xs))
    values: list[Any] = [None] * len(ps)
    return _from_the_right(ps, values.__setitem__, lambda: [v for v in values if v is not None])


def partition_s(
    f: Callable[[T], Promise[bool]], xs: Iterable[T]
) -> Promise[tuple[list[T], list[T]]]:
    """Split the elements by the test, testing them in turn.

    Returns:
        A promise of the pair ``(passed, failed)``, each in input order.
    """
    yes: list[T] = []
    no: list[T] = []

    def record(x: T, ok: Any) -> None:
        (yes if ok else no).append(x)

    return _filter_in_turn(f, list(xs), record, lambda: (yes, no))


def partition_p(
    f: Callable[[T], Promise[bool]], xs: Iterable[T]
) -> Promise[tuple[list[T], list[T]]]:
    """Split the elements by the test, testing them all at once.

    Rejections are chosen as by :func:`map_p`.
    """
    items = list(xs)
    oks: list[Any] = [False] * len(items)

    def finish() -> tuple[list[T], list[T]]:
        yes = [x for x, ok in zip(items, oks, strict=True) if ok]
        no = [x for x, ok in zip(items, oks, strict=True) if not ok]
        return yes, no

    return _from_the_right(_start_all(f, items), oks.__setitem__, finish)


def _filter_in_turn(
    f: Callable[[T], Promise[bool]],
    items: list[T],
    record: Callable[[T, Any], object],
    finish: Callable[[], U],
) -> Promise[U]:
    """Test ``items`` in turn, reporting each answer to ``record(x, ok)``."""
    n = len(items)
    i = 0

    def step(ok: Any) -> tuple[bool, Promise[Any]]:
        nonlocal i
        if i > 0:
            record(items[i - 1], ok)
        if i == n:
            return True, return_(finish())
        i += 1
        return False, apply(f, items[i - 1])

    return _drive(return_unit, step)
