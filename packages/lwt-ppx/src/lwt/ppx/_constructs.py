"""Functions for the ppx constructs that have no direct Python syntax.

Most of Lwt's ppx maps onto Python syntax inside an ``async def`` run by
:func:`lwt.ppx.promise`: ``let%lwt x = e`` is ``x = await e``, ``try%lwt``
is ``try``/``except``, ``[%finally]`` is ``try``/``finally``, ``match%lwt``
is ``await`` followed by ``match``, and ``for%lwt``/``while%lwt`` are plain
loops with an ``await`` in their body.  The functions here give the same
constructs to code written with callbacks, outside any coroutine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lwt.core as lwt

__all__ = ["assert_", "for_downto", "for_to", "if_", "while_"]


def assert_(condition: object) -> lwt.Promise[None]:
    """OCaml ``assert%lwt e``: a promise rejected with ``AssertionError`` if ``e`` is false.

    Unlike a bare ``assert``, a failure becomes a rejected promise instead of
    an exception raised at once, and it is checked even under ``python -O``.
    """
    if condition:
        return lwt.return_unit
    return lwt.fail(AssertionError("assert_: the condition is false"))


def if_(
    condition: lwt.Promise[bool],
    then: Callable[[], lwt.Promise[Any]],
    else_: Callable[[], lwt.Promise[Any]] | None = None,
) -> lwt.Promise[Any]:
    """OCaml ``if%lwt c then e1 else e2``: wait for ``condition``, then run a branch.

    Without ``else_``, a false condition gives a promise of ``None``.
    """

    def branch(value: bool) -> lwt.Promise[Any]:
        if value:
            return then()
        return else_() if else_ is not None else lwt.return_unit

    return lwt.bind(condition, branch)


def for_to(start: int, stop: int, body: Callable[[int], lwt.Promise[None]]) -> lwt.Promise[None]:
    """OCaml ``for%lwt i = start to stop do body done``: ``i`` rises, both ends included.

    Each ``body(i)`` starts after the previous one is fulfilled; a rejection
    stops the loop and rejects the result.
    """
    return _count(start, stop, 1, body)


def for_downto(
    start: int, stop: int, body: Callable[[int], lwt.Promise[None]]
) -> lwt.Promise[None]:
    """OCaml ``for%lwt i = start downto stop do body done``: ``i`` falls, both ends included."""
    return _count(start, stop, -1, body)


def _count(
    i: int, stop: int, step: int, body: Callable[[int], lwt.Promise[None]]
) -> lwt.Promise[None]:
    if (step > 0 and i > stop) or (step < 0 and i < stop):
        return lwt.return_unit
    return lwt.bind(lwt.apply(body, i), lambda _: _count(i + step, stop, step, body))


def while_(
    condition: Callable[[], bool], body: Callable[[], lwt.Promise[None]]
) -> lwt.Promise[None]:
    """OCaml ``while%lwt c do body done``: run ``body()`` while ``condition()`` holds.

    The condition is checked before each turn; each ``body()`` starts after
    the previous one is fulfilled.
    """
    if not condition():
        return lwt.return_unit
    return lwt.bind(lwt.apply(body), lambda _: while_(condition, body))
