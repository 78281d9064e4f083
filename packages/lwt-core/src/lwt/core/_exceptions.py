"""The exceptions of lwt.core, Python's names for OCaml's standard ones."""

from __future__ import annotations

__all__ = ["Canceled", "Failure", "InvalidArgument", "NotFound"]


class Canceled(Exception):
    """The rejection of a promise that was cancelled (OCaml's ``Lwt.Canceled``).

    It is an ordinary :class:`Exception`, so :func:`lwt.core.catch` and a
    plain ``except Exception`` both see it, as in Lwt.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args or ("the promise was canceled",))


class InvalidArgument(ValueError):
    """A function was given an argument it cannot accept (``Invalid_argument``)."""


class Failure(Exception):
    """A failure with a message, raised by :func:`lwt.core.fail_with` (``Failure``)."""


class NotFound(LookupError):
    """Something that was looked for is not there (``Not_found``)."""


for _cls in (Canceled, Failure, InvalidArgument, NotFound):
    _cls.__module__ = "lwt.core"
del _cls
