"""lwt.unix.main: the main loop (Lwt_main).

:func:`run` drives the current engine (:mod:`lwt.unix.engine`) until a
promise resolves, waking paused promises (:func:`lwt.core.pause`) once per
iteration.  Hooks run before and after each iteration
(``enter_iter_hooks``, ``leave_iter_hooks``) and at interpreter
exit (``exit_hooks``, :func:`at_exit`).

.. note:: A nested :func:`run` raises :class:`RuntimeError` (Lwt raises
   ``Failure``).  Exit hooks run from an :mod:`atexit` function, as Lwt's
   run from OCaml's ``at_exit``.
"""

from __future__ import annotations

from ._main import (
    Hook,
    Hooks,
    abandon_yielded_and_paused,
    at_exit,
    enter_iter_hooks,
    exit_hooks,
    leave_iter_hooks,
    run,
    yield_,
)

__all__ = [
    "Hook",
    "Hooks",
    "abandon_yielded_and_paused",
    "at_exit",
    "enter_iter_hooks",
    "exit_hooks",
    "leave_iter_hooks",
    "run",
    "yield_",
]


def _publish() -> None:
    g = globals()
    for name in __all__:
        obj = g[name]
        if getattr(obj, "__module__", "") == "lwt.unix._main":
            obj.__module__ = __name__


_publish()
del _publish
