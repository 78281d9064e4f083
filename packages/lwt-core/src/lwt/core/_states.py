"""Plain data describing where a promise is, and OCaml's ``result`` type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Error", "Fail", "Ok", "Return", "Sleep"]

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True)
class Return(Generic[T]):
    """The state of a promise fulfilled with ``value`` (``Lwt.Return``)."""

    value: T


@dataclass(frozen=True)
class Fail:
    """The state of a promise rejected with ``exc`` (``Lwt.Fail``)."""

    exc: BaseException


@dataclass(frozen=True)
class Sleep:
    """The state of a pending promise (``Lwt.Sleep``)."""


@dataclass(frozen=True)
class Ok(Generic[T]):
    """The successful case of a result (OCaml's ``Ok``)."""

    value: T


@dataclass(frozen=True)
class Error(Generic[E]):
    """The failing case of a result (OCaml's ``Error``)."""

    error: E


for _cls in (Return, Fail, Sleep, Ok, Error):
    _cls.__module__ = "lwt.core"
del _cls
