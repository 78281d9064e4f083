"""Files, temporary files and directories over lwt.io channels."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import lwt.core as _lwt
import lwt.unix as _unix
from lwt.io._channel import InputChannel, OutputChannel, input, of_fd, output
from lwt.unix import preemptive as _preemptive

__all__ = [
    "create_temp_dir",
    "delete_recursively",
    "file_length",
    "open_file",
    "open_temp_file",
    "with_file",
    "with_temp_dir",
    "with_temp_file",
]

T = TypeVar("T")


def _default_flags(mode: str) -> int:
    if mode == input:
        return os.O_RDONLY
    if mode == output:
        return os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    raise _lwt.InvalidArgument(f"open_file: unknown mode {mode!r}")


def open_file(
    path: str,
    *,
    mode: str,
    flags: int | Iterable[int] | None = None,
    perm: int = 0o666,
    buffer_size: int | None = None,
    encoding: str = "utf-8",
) -> _lwt.Promise[Any]:
    """Open ``path`` as a channel; closing the channel closes the file.

    ``flags`` default to read-only for ``lwt.io.input`` and to
    write/create/truncate for ``lwt.io.output``.

    Returns:
        A promise of an :class:`InputChannel` or an :class:`OutputChannel`.
    """
    try:
        fl = _default_flags(mode) if flags is None else flags
    except _lwt.InvalidArgument as exc:
        return _lwt.fail(exc)
    if not isinstance(fl, int):
        acc = 0
        for f in fl:
            acc |= f
        fl = acc
    opened: _lwt.Promise[_unix.FileDescr] = _unix.openfile(path, fl | os.O_CLOEXEC, perm)
    return opened.map(lambda fd: of_fd(fd, mode=mode, buffer_size=buffer_size, encoding=encoding))


def with_file(
    path: str,
    f: Callable[[Any], _lwt.Promise[T]],
    *,
    mode: str,
    flags: int | Iterable[int] | None = None,
    perm: int = 0o666,
    buffer_size: int | None = None,
    encoding: str = "utf-8",
) -> _lwt.Promise[T]:
    """Open ``path``, call ``f(channel)``, then close the channel however ``f`` ended."""

    def go(ch: InputChannel | OutputChannel) -> _lwt.Promise[T]:
        return _lwt.finalize(lambda: f(ch), ch.close)

    return open_file(
        path, mode=mode, flags=flags, perm=perm, buffer_size=buffer_size, encoding=encoding
    ).bind(go)


def file_length(path: str) -> _lwt.Promise[int]:
    """Return the size of the file ``path`` in bytes.

    Raises:
        IsADirectoryError: ``path`` is a directory.
    """

    def size(st: os.stat_result) -> _lwt.Promise[int]:
        if stat.S_ISDIR(st.st_mode):
            return _lwt.fail(IsADirectoryError(21, "file_length: is a directory", path))
        return _lwt.return_(st.st_size)

    return _unix.stat(path).bind(size)


def open_temp_file(
    *, temp_dir: str | None = None, prefix: str = "lwt_io_temp_file_", suffix: str = ""
) -> _lwt.Promise[tuple[str, OutputChannel]]:
    """Create a new temporary file and return ``(path, oc)`` writing it.

    The file is not deleted when ``oc`` is closed.
    """
    try:
        fd, path = tempfile.mkstemp(suffix=suffix, prefix=prefix, dir=temp_dir)
    except OSError as exc:
        return _lwt.fail(exc)
    oc: OutputChannel = of_fd(_unix.of_unix_file_descr(fd, blocking=True), mode=output)
    return _lwt.return_((path, oc))


def with_temp_file(
    f: Callable[[tuple[str, OutputChannel]], _lwt.Promise[T]],
    *,
    temp_dir: str | None = None,
    prefix: str = "lwt_io_temp_file_",
    suffix: str = "",
) -> _lwt.Promise[T]:
    """Create a temporary file, call ``f((path, oc))``, then close and delete it."""

    def go(made: tuple[str, OutputChannel]) -> _lwt.Promise[T]:
        path, oc = made

        def clean() -> _lwt.Promise[None]:
            def unlink(_: None) -> _lwt.Promise[None]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                return _lwt.return_unit

            return _lwt.catch(oc.close, lambda _e: _lwt.return_unit).bind(unlink)

        return _lwt.finalize(lambda: f(made), clean)

    return open_temp_file(temp_dir=temp_dir, prefix=prefix, suffix=suffix).bind(go)


def create_temp_dir(
    *,
    perm: int = 0o700,
    parent: str | None = None,
    prefix: str = "lwt_io_temp_dir_",
    suffix: str = "",
) -> _lwt.Promise[str]:
    """Create a new temporary directory named ``prefix``, random letters, ``suffix``.

    Returns a promise of its path.
    """
    try:
        path = tempfile.mkdtemp(suffix=suffix, prefix=prefix, dir=parent)
        os.chmod(path, perm)
    except OSError as exc:
        return _lwt.fail(exc)
    return _lwt.return_(path)


def delete_recursively(path: str) -> _lwt.Promise[None]:
    """Delete the directory ``path`` and everything in it (in a worker thread)."""
    return _preemptive.detach(shutil.rmtree, path)


def with_temp_dir(
    f: Callable[[str], _lwt.Promise[T]],
    *,
    perm: int = 0o700,
    parent: str | None = None,
    prefix: str = "lwt_io_temp_dir_",
    suffix: str = "",
) -> _lwt.Promise[T]:
    """Create a temporary directory, call ``f(path)``, then delete it recursively."""

    def go(path: str) -> _lwt.Promise[T]:
        return _lwt.finalize(lambda: f(path), lambda: delete_recursively(path))

    return create_temp_dir(perm=perm, parent=parent, prefix=prefix, suffix=suffix).bind(go)
