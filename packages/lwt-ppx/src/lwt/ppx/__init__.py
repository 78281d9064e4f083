"""lwt.ppx: Lwt's ppx syntax in Python form, with ``async``/``await``.

Decorate an ``async def`` with :func:`promise` and calling it returns an
lwt :class:`~lwt.core.Promise`.  Inside, ``await p`` waits for an lwt
promise (OCaml's ``let%lwt``), ``try``/``except`` is ``try%lwt``,
``try``/``finally`` is ``[%finally]``, and ``async for`` / ``async with``
work over lwt streams, mutexes and switches.  The coroutine starts at once
and resumes the moment the promise it awaits resolves, like Lwt's
callbacks; cancelling its promise cancels what it awaits.  A debug mode
(:func:`set_debug`, or ``LWT_PPX_DEBUG=1``) records the chain of awaits
behind an exception.
"""

from __future__ import annotations

from ._constructs import assert_, for_downto, for_to, if_, while_
from ._debug import get_debug, set_debug
from ._driver import of_coroutine, promise

__all__ = [
    "assert_",
    "for_downto",
    "for_to",
    "get_debug",
    "if_",
    "of_coroutine",
    "promise",
    "set_debug",
    "while_",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
