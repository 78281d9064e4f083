"""Implicit storage (Lwt's keys), built on :mod:`contextvars`.

A callback runs in the context captured when it was attached, so a value
bound with :func:`with_value` is seen by every callback attached inside
``thunk``, however late it runs: Lwt's sequence-associated storage.
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["Key", "get", "new_key", "with_value"]

_ids = itertools.count()


class Key(Generic[T]):
    """A key of implicit storage (``'a Lwt.key``); make one with :func:`new_key`."""

    __slots__ = ("_var",)

    def __init__(self) -> None:
        self._var: contextvars.ContextVar[T | None] = contextvars.ContextVar(
            f"lwt.core.Key#{next(_ids)}", default=None
        )

    def __repr__(self) -> str:
        return f"<Key {self._var.name}>"


Key.__module__ = "lwt.core"


def new_key() -> Key[T]:
    """Make a new key of implicit storage, bound to nothing."""
    return Key()


def get(key: Key[T]) -> T | None:
    """Return the value bound to ``key`` where this runs, or ``None``."""
    return key._var.get()


def with_value(key: Key[T], value: T | None, thunk: Callable[[], R]) -> R:
    """Run ``thunk()`` with ``key`` bound to ``value`` (``None`` unbinds it).

    The binding is undone when ``thunk`` returns or raises; callbacks that
    ``thunk`` attaches keep seeing it.
    """
    token = key._var.set(value)
    try:
        return thunk()
    finally:
        key._var.reset(token)
