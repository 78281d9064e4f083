"""lwt.io.process: running child processes and talking to them (Lwt_process).

A command is ``(program, [argv0, arg1, ...])``; with ``program`` empty,
``argv0`` names the program, looked up along ``PATH``.  :func:`shell` makes
the command that runs a line with ``/bin/sh -c``.

Every function takes the keyword arguments ``timeout`` (seconds after
which the child is killed and its channels closed), ``env`` (a mapping,
or ``"NAME=value"`` strings; the parent's environment if omitted), ``cwd``
and, for each standard descriptor lwt does not talk through, a
redirection: :data:`Keep` (the parent's, the default), :data:`Dev_null`,
:data:`Close`, :class:`FD_copy` or :class:`FD_move`.

- :func:`exec` runs a command and gives its status
  (:class:`~lwt.unix.WEXITED`, :class:`~lwt.unix.WSIGNALED`).
- :func:`pread`, :func:`pread_line`, :func:`pread_chars`,
  :func:`pread_lines` read a command's output; :func:`pwrite` and its
  twins feed its input; :func:`pmap` and its twins do both at once.
- ``open_process*`` start a process object (:class:`ProcessNone`,
  :class:`ProcessIn`, :class:`ProcessOut`, :class:`Process`,
  :class:`ProcessFull`) with channels to the descriptors their names say;
  ``with_process*`` close it when a function's promise resolves.

.. note:: Children are started with :class:`subprocess.Popen` and reaped by
   :func:`lwt.unix.wait4`.  A program that cannot be started is an
   :class:`OSError` (a rejected promise for the functions that return one),
   where Lwt's forked child exits with code 127.  :data:`Close` gives the
   child a descriptor on which reads and writes fail with ``EBADF`` rather
   than no descriptor at all, since ``Popen`` cannot close one of the three.
   Lwt's ``"\\000"`` prefix that splits an argument exists only on Windows
   and is not kept.
"""

from __future__ import annotations

import inspect

from ._process import (
    Close,
    Command,
    Dev_null,
    Exited,
    FD_copy,
    FD_move,
    Keep,
    Process,
    ProcessFull,
    ProcessIn,
    ProcessNone,
    ProcessOut,
    Redirection,
    Running,
    State,
    Status,
    exec,
    open_process,
    open_process_full,
    open_process_in,
    open_process_none,
    open_process_out,
    pmap,
    pmap_chars,
    pmap_line,
    pmap_lines,
    pread,
    pread_chars,
    pread_line,
    pread_lines,
    pwrite,
    pwrite_chars,
    pwrite_line,
    pwrite_lines,
    shell,
    with_process,
    with_process_full,
    with_process_in,
    with_process_none,
    with_process_out,
)

__all__ = [
    "Close",
    "Command",
    "Dev_null",
    "Exited",
    "FD_copy",
    "FD_move",
    "Keep",
    "Process",
    "ProcessFull",
    "ProcessIn",
    "ProcessNone",
    "ProcessOut",
    "Redirection",
    "Running",
    "State",
    "Status",
    "exec",
    "open_process",
    "open_process_full",
    "open_process_in",
    "open_process_none",
    "open_process_out",
    "pmap",
    "pmap_chars",
    "pmap_line",
    "pmap_lines",
    "pread",
    "pread_chars",
    "pread_line",
    "pread_lines",
    "pwrite",
    "pwrite_chars",
    "pwrite_line",
    "pwrite_lines",
    "shell",
    "with_process",
    "with_process_full",
    "with_process_in",
    "with_process_none",
    "with_process_out",
]


def _adopt() -> None:
    """Make reprs, tracebacks and docs name this module, not the private one."""
    for name in __all__:
        obj = globals()[name]
        if inspect.isclass(obj) or inspect.isfunction(obj):
            obj.__module__ = __name__


_adopt()
