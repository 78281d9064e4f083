"""The debug mode of lwt.ppx: await chains written into exceptions.

Lwt's ppx has a ``-debug`` mode that adds locations to backtraces as a
rejection crosses ``let%lwt``.  Here, when debug is on, each coroutine
remembers where it was started, and an exception that reaches a coroutine
through an ``await`` gets a note naming the coroutine, the line of the
``await`` and where the coroutine was started.  The notes accumulate as the
exception crosses coroutines, so the printed traceback ends with the whole
chain of awaits, including links that went through ``bind``, ``join`` or
``pick`` and so left no frame on the stack.

When debug is off the driver never calls into this module.
"""

from __future__ import annotations

import contextlib
import os
import sys
from types import CoroutineType, FrameType
from typing import Any

__all__ = ["get_debug", "set_debug"]

_PACKAGE_DIR = os.path.dirname(__file__)

enabled: bool = os.environ.get("LWT_PPX_DEBUG", "") not in ("", "0")


def set_debug(on: bool) -> None:
    """Turn the debug mode of ``lwt.ppx`` on or off.

    It starts on when the environment variable ``LWT_PPX_DEBUG`` is set to
    anything but ``0``.  Coroutines started while it is on record where they
    were started; an exception crossing their ``await`` gets a note (see
    :pep:`678`; Python 3.10 keeps the notes in ``__notes__`` but does not
    print them).
    """
    global enabled
    enabled = bool(on)


def get_debug() -> bool:
    """Return whether the debug mode of ``lwt.ppx`` is on."""
    return enabled


def _where(frame: FrameType | None) -> str:
    if frame is None:
        return "an unknown place"
    code = frame.f_code
    return f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"


def creation_site() -> str:
    """Describe the first frame of the caller outside lwt.ppx."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _PACKAGE_DIR:
        frame = frame.f_back
    return _where(frame)


def note_await(exc: BaseException, coro: CoroutineType[Any, Any, Any], started_at: str) -> None:
    """Record on ``exc`` that it reached ``coro`` at the ``await`` it is suspended on."""
    name = getattr(coro, "__qualname__", None) or getattr(coro, "__name__", "?")
    frame = coro.cr_frame
    line = frame.f_lineno if frame is not None else "?"
    filename = frame.f_code.co_filename if frame is not None else "?"
    note = f"lwt.ppx: awaited in {name} at {filename}:{line} (started at {started_at})"
    notes = getattr(exc, "__notes__", None)
    if notes is None:
        # BaseException.add_note only exists from Python 3.11: set the
        # attribute it would create.
        with contextlib.suppress(AttributeError, TypeError):
            setattr(exc, "__notes__", [note])  # noqa: B010
    elif isinstance(notes, list):
        notes.append(note)
