"""Files, directories, users and terminals: system calls run as jobs.

Every call here may block on a disk (or on NSS, for users and groups), so
each runs in a worker thread (:mod:`lwt.unix._jobs`) and returns a promise;
the loop never waits for the disk.  Errors are those of :mod:`os`:
:class:`OSError` with the right subclass, ``errno`` and ``filename``,
delivered as rejections.  Calls on a :class:`~lwt.unix.FileDescr` that is
closed or aborted are rejected the same way (``EBADF``, or the abort
exception).

Values keep Python's shapes: flags and modes are the :mod:`os` constants
(an ``int``, or an iterable of them that is or-ed together), stats are
:class:`os.stat_result`, users and groups :class:`pwd.struct_passwd` and
:class:`grp.struct_group`, terminal attributes the lists of
:mod:`termios`.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import termios
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import lwt.core as _lwt

from . import _jobs
from ._fd import FileDescr

if TYPE_CHECKING:
    from lwt.core.stream import Stream

__all__ = [
    "DirHandle",
    "LargeFile",
    "access",
    "chdir",
    "chmod",
    "chown",
    "chroot",
    "clear_close_on_exec",
    "closedir",
    "dup",
    "dup2",
    "fchmod",
    "fchown",
    "fdatasync",
    "file_exists",
    "files_of_directory",
    "fstat",
    "fsync",
    "ftruncate",
    "getcwd",
    "getgrgid",
    "getgrnam",
    "getlogin",
    "getpwnam",
    "getpwuid",
    "isatty",
    "link",
    "lockf",
    "lseek",
    "lstat",
    "mkdir",
    "mkfifo",
    "opendir",
    "openfile",
    "readdir",
    "readdir_n",
    "readlink",
    "rename",
    "rewinddir",
    "rmdir",
    "set_close_on_exec",
    "stat",
    "symlink",
    "tcdrain",
    "tcflow",
    "tcflush",
    "tcgetattr",
    "tcsendbreak",
    "tcsetattr",
    "truncate",
    "unlink",
    "utimes",
]

T = TypeVar("T")


def _flags(flags: int | Iterable[int]) -> int:
    if isinstance(flags, int):
        return flags
    result = 0
    for f in flags:
        result |= f
    return result


def _job(f: Callable[..., T], *args: Any) -> _lwt.Promise[T]:
    return _jobs.run(f, *args)


def _fd_job(api: str, fd: FileDescr, f: Callable[..., T], *args: Any) -> _lwt.Promise[T]:
    """Run ``f(fd_int, *args)`` in a worker thread once ``fd`` is known to be open."""
    try:
        fd._check(api)
    except Exception as exc:
        return _lwt.fail(exc)
    return _jobs.run(f, fd._fd, *args)


# ---------------------------------------------------------------- files


def _open(path: str, flags: int, perm: int) -> FileDescr:
    n = os.open(path, flags, perm)
    try:
        return FileDescr(n)
    except BaseException:
        os.close(n)
        raise


def openfile(path: str, flags: int | Iterable[int], perm: int) -> _lwt.Promise[FileDescr]:
    """Open ``path`` in a worker thread; return a promise of its :class:`FileDescr`.

    ``flags`` are :mod:`os` ``O_*`` flags (or an iterable of them);
    ``perm`` the mode of a created file.  The descriptor is not inherited by
    child processes (Python's default).  Its I/O mode is guessed on first
    use (regular files do blocking I/O in worker threads).
    """
    return _job(_open, os.fspath(path), _flags(flags), perm)


def lseek(fd: FileDescr, offset: int, whence: int) -> _lwt.Promise[int]:
    """Move the file offset of ``fd`` (``whence`` is ``os.SEEK_SET``/``SEEK_CUR``/``SEEK_END``).

    Returns a promise of the new offset.
    """
    return _fd_job("lseek", fd, os.lseek, offset, whence)


def truncate(path: str, length: int) -> _lwt.Promise[None]:
    """Truncate (or extend with zeros) the file at ``path`` to ``length`` bytes."""
    return _job(os.truncate, path, length)


def ftruncate(fd: FileDescr, length: int) -> _lwt.Promise[None]:
    """Truncate (or extend with zeros) the file of ``fd`` to ``length`` bytes."""
    return _fd_job("ftruncate", fd, os.ftruncate, length)


def fsync(fd: FileDescr) -> _lwt.Promise[None]:
    """Flush the data and metadata of ``fd``'s file to the disk."""
    return _fd_job("fsync", fd, os.fsync)


_fdatasync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


def fdatasync(fd: FileDescr) -> _lwt.Promise[None]:
    """Flush the data of ``fd``'s file to the disk (``fsync`` where there is no ``fdatasync``)."""
    return _fd_job("fdatasync", fd, _fdatasync)


def stat(path: str) -> _lwt.Promise[os.stat_result]:
    """Return a promise of the status of ``path``, following symbolic links."""
    return _job(os.stat, path)


def lstat(path: str) -> _lwt.Promise[os.stat_result]:
    """Return a promise of the status of ``path``, not following a final symbolic link."""
    return _job(os.lstat, path)


def fstat(fd: FileDescr) -> _lwt.Promise[os.stat_result]:
    """Return a promise of the status of the file open on ``fd``."""
    return _fd_job("fstat", fd, os.fstat)


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        return False
    return True


def file_exists(path: str) -> _lwt.Promise[bool]:
    """Return a promise of whether ``path`` exists (``stat`` succeeds).

    A missing file (``ENOENT``, ``ENOTDIR``) gives ``False``; other errors,
    such as ``EACCES``, reject the promise, as in Lwt.
    """
    return _job(_exists, path)


def _utimes(path: str, atime: float, mtime: float) -> None:
    if atime == 0.0 and mtime == 0.0:
        os.utime(path, None)
    else:
        os.utime(path, (atime, mtime))


def utimes(path: str, atime: float, mtime: float) -> _lwt.Promise[None]:
    """Set the access and modification times of ``path`` (seconds since the epoch).

    Both ``0.0`` means now, as in Lwt.
    """
    return _job(_utimes, path, atime, mtime)


def isatty(fd: FileDescr) -> _lwt.Promise[bool]:
    """Return a promise of whether ``fd`` is a terminal."""
    try:
        fd._check("isatty")
        return _lwt.return_(os.isatty(fd._fd))
    except Exception as exc:
        return _lwt.fail(exc)


def unlink(path: str) -> _lwt.Promise[None]:
    """Remove the file ``path``."""
    return _job(os.unlink, path)


def rename(src: str, dst: str) -> _lwt.Promise[None]:
    """Rename ``src`` to ``dst``, replacing ``dst`` if it exists."""
    return _job(os.rename, src, dst)


def _link(src: str, dst: str, follow: bool | None) -> None:
    if follow is None:
        os.link(src, dst)
    else:
        os.link(src, dst, follow_symlinks=follow)


def link(src: str, dst: str, follow: bool | None = None) -> _lwt.Promise[None]:
    """Make ``dst`` a hard link to ``src``.

    ``follow`` (Unix's ``?follow``): whether a symbolic link ``src`` is
    followed; ``None`` leaves it to the system.
    """
    return _job(_link, src, dst, follow)


def chmod(path: str, perm: int) -> _lwt.Promise[None]:
    """Change the permissions of ``path``."""
    return _job(os.chmod, path, perm)


def fchmod(fd: FileDescr, perm: int) -> _lwt.Promise[None]:
    """Change the permissions of the file open on ``fd``."""
    return _fd_job("fchmod", fd, os.fchmod, perm)


def chown(path: str, uid: int, gid: int) -> _lwt.Promise[None]:
    """Change the owner and group of ``path`` (``-1`` keeps one)."""
    return _job(os.chown, path, uid, gid)


def fchown(fd: FileDescr, uid: int, gid: int) -> _lwt.Promise[None]:
    """Change the owner and group of the file open on ``fd`` (``-1`` keeps one)."""
    return _fd_job("fchown", fd, os.fchown, uid, gid)


def _access(path: str, mode: int) -> None:
    if os.access(path, mode):
        return
    os.stat(path)  # raises FileNotFoundError and friends when that is the cause
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)


def access(path: str, mode: int | Iterable[int]) -> _lwt.Promise[None]:
    """Check that the process may access ``path`` with ``mode``.

    ``mode`` is ``os.F_OK`` or ``os.R_OK | os.W_OK | os.X_OK`` (or an
    iterable of them).  The promise is rejected with an :class:`OSError`
    if not (``PermissionError`` when the file exists).
    """
    return _job(_access, path, _flags(mode))


def dup(fd: FileDescr, cloexec: bool | None = None) -> FileDescr:
    """Return a duplicate of ``fd``, with the same I/O mode.

    ``cloexec``: whether the copy is closed at ``exec``; ``None`` means
    yes, Python's default.

    Raises:
        OSError: ``EBADF`` if ``fd`` is closed.
    """
    fd._check("dup")
    n = os.dup(fd._fd)
    if cloexec is False:
        os.set_inheritable(n, True)
    return FileDescr(n, fd._blocking, set_flags=False)


def dup2(src: FileDescr, dst: FileDescr, cloexec: bool | None = None) -> None:
    """Make ``dst``'s descriptor a copy of ``src``'s; ``dst`` takes ``src``'s I/O mode.

    ``cloexec``: whether the copy is closed at ``exec``; ``None`` means
    no, the default of :func:`os.dup2`.

    Raises:
        OSError: ``EBADF`` if either is closed.
    """
    src._check("dup2")
    dst._check("dup2")
    os.dup2(src._fd, dst._fd, inheritable=cloexec is not True)
    dst._blocking = src._blocking


def set_close_on_exec(fd: FileDescr) -> None:
    """Make ``fd`` closed when the process executes another program."""
    fd._check("set_close_on_exec")
    os.set_inheritable(fd._fd, False)


def clear_close_on_exec(fd: FileDescr) -> None:
    """Make ``fd`` inherited when the process executes another program."""
    fd._check("clear_close_on_exec")
    os.set_inheritable(fd._fd, True)


# ---------------------------------------------------------- directories


def mkdir(path: str, perm: int) -> _lwt.Promise[None]:
    """Create the directory ``path`` with permissions ``perm``."""
    return _job(os.mkdir, path, perm)


def rmdir(path: str) -> _lwt.Promise[None]:
    """Remove the empty directory ``path``."""
    return _job(os.rmdir, path)


def chdir(path: str) -> _lwt.Promise[None]:
    """Change the working directory of the process."""
    return _job(os.chdir, path)


def getcwd() -> _lwt.Promise[str]:
    """Return a promise of the working directory of the process."""
    return _job(os.getcwd)


def chroot(path: str) -> _lwt.Promise[None]:
    """Change the root directory of the process (needs privileges)."""
    return _job(os.chroot, path)


class DirHandle:
    """An open directory, read entry by entry (``Unix.dir_handle``).

    Made by :func:`opendir`; read with :func:`readdir`/:func:`readdir_n`,
    restarted with :func:`rewinddir`, closed with :func:`closedir`.  The
    entries ``.`` and ``..`` come first, as ``readdir(3)`` gives them.
    """

    __slots__ = ("_it", "_lock", "_path", "_pending")

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._it: Iterator[os.DirEntry[str]] | None = None
        self._pending: list[str] = []
        self._open()

    def _open(self) -> None:
        it = os.scandir(self._path)
        old = self._it
        self._it = it
        self._pending = [".", ".."]
        if old is not None:
            old.close()  # type: ignore[attr-defined]

    def _iterator(self, api: str) -> Iterator[os.DirEntry[str]]:
        it = self._it
        if it is None:
            raise OSError(errno.EBADF, f"{api}: the directory handle is closed", self._path)
        return it

    def _read(self, n: int) -> list[str]:
        with self._lock:
            it = self._iterator("readdir")
            names: list[str] = []
            while self._pending and len(names) < n:
                names.append(self._pending.pop(0))
            while len(names) < n:
                entry = next(it, None)
                if entry is None:
                    break
                names.append(entry.name)
            return names

    def _read_one(self) -> str:
        names = self._read(1)
        if not names:
            raise EOFError("readdir: no more entries")
        return names[0]

    def _rewind(self) -> None:
        with self._lock:
            self._iterator("rewinddir")
            self._open()

    def _close(self) -> None:
        with self._lock:
            it = self._iterator("closedir")
            self._it = None
            it.close()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        state = "" if self._it is not None else " closed"
        return f"<lwt.unix.DirHandle {self._path!r}{state}>"


def opendir(path: str) -> _lwt.Promise[DirHandle]:
    """Open the directory ``path`` for reading; close it with :func:`closedir`."""
    return _job(DirHandle, path)


def readdir(dh: DirHandle) -> _lwt.Promise[str]:
    """Return a promise of the next entry name of ``dh``.

    Rejected with :class:`EOFError` when every entry has been read.
    """
    return _job(dh._read_one)


def readdir_n(dh: DirHandle, n: int) -> _lwt.Promise[list[str]]:
    """Return a promise of the next ``n`` entry names (fewer at the end, none past it).

    Raises:
        lwt.core.InvalidArgument: ``n`` is smaller than 1.
    """
    if n < 1:
        return _lwt.fail(_lwt.InvalidArgument(f"readdir_n: the count must be positive, got {n}"))
    return _job(dh._read, n)


def rewinddir(dh: DirHandle) -> _lwt.Promise[None]:
    """Make the next read of ``dh`` start from the first entry again."""
    return _job(dh._rewind)


def closedir(dh: DirHandle) -> _lwt.Promise[None]:
    """Close ``dh``; later operations are rejected with ``EBADF``."""
    return _job(dh._close)


_CHUNK = 1024


def files_of_directory(path: str) -> Stream[str]:
    """Return a stream of the entry names of the directory ``path``.

    The directory is opened on the first read, read 1024
    names at a time, and closed when the stream ends (or when reading
    fails).  ``.`` and ``..`` are included, as in Lwt.
    """
    from lwt.core import stream as _stream

    state: list[Any] = [None, []]  # the handle (None until opened, False once closed), buffer

    def next_name() -> _lwt.Promise[str | None]:
        buffer: list[str] = state[1]
        if buffer:
            return _lwt.return_(buffer.pop())
        dh = state[0]
        if dh is False:
            return _lwt.return_(None)
        if dh is None:
            return opendir(path).bind(lambda h: _opened(h))
        return _refill(dh)

    def _opened(h: DirHandle) -> _lwt.Promise[str | None]:
        state[0] = h
        return _refill(h)

    def _refill(h: DirHandle) -> _lwt.Promise[str | None]:
        def got(names: list[str]) -> _lwt.Promise[str | None]:
            if not names:
                state[0] = False
                return closedir(h).map(lambda _: None)
            names.reverse()
            state[1] = names
            return _lwt.return_(names.pop())

        def failed(exc: BaseException) -> _lwt.Promise[str | None]:
            state[0] = False
            return closedir(h).bind(lambda _: _lwt.fail(exc))

        return _lwt.try_bind(lambda: readdir_n(h, _CHUNK), got, failed)

    return _stream.from_(next_name)


# ---------------------------------------------------- links, fifos, locks


def mkfifo(path: str, perm: int) -> _lwt.Promise[None]:
    """Create the named pipe ``path`` with permissions ``perm``."""
    return _job(os.mkfifo, path, perm)


def symlink(src: str, dst: str, to_dir: bool = False) -> _lwt.Promise[None]:
    """Make ``dst`` a symbolic link to ``src`` (``to_dir`` matters on Windows only)."""
    return _job(os.symlink, src, dst, to_dir)


def readlink(path: str) -> _lwt.Promise[str]:
    """Return a promise of the target of the symbolic link ``path``."""
    return _job(os.readlink, path)


def lockf(fd: FileDescr, command: int, size: int) -> _lwt.Promise[None]:
    """Lock, test or unlock a region of ``fd``'s file (``os.F_LOCK``, ``F_TLOCK``, ...).

    The region starts at the current offset and spans ``size`` bytes (``0``:
    to the end of the file).  ``F_LOCK`` blocks a worker thread until the
    lock is granted.
    """
    return _fd_job("lockf", fd, os.lockf, command, size)


# ----------------------------------------------------- users and groups


def _not_found(api: str, look: Callable[[Any], T], key: Any) -> T:
    try:
        return look(key)
    except KeyError as exc:
        raise _lwt.NotFound(f"{api}: {key!r} not found") from exc


def getlogin() -> _lwt.Promise[str]:
    """Return a promise of the login name of the user running the process."""
    return _job(os.getlogin)


def getpwnam(name: str) -> _lwt.Promise[pwd.struct_passwd]:
    """Return a promise of the password entry of user ``name``.

    Rejected with :class:`lwt.core.NotFound` if there is no such user.
    """
    return _job(_not_found, "getpwnam", pwd.getpwnam, name)


def getgrnam(name: str) -> _lwt.Promise[grp.struct_group]:
    """Return a promise of the entry of group ``name`` (:class:`lwt.core.NotFound` if none)."""
    return _job(_not_found, "getgrnam", grp.getgrnam, name)


def getpwuid(uid: int) -> _lwt.Promise[pwd.struct_passwd]:
    """Return a promise of the password entry of user ``uid`` (``NotFound`` if none)."""
    return _job(_not_found, "getpwuid", pwd.getpwuid, uid)


def getgrgid(gid: int) -> _lwt.Promise[grp.struct_group]:
    """Return a promise of the entry of group ``gid`` (:class:`lwt.core.NotFound` if none)."""
    return _job(_not_found, "getgrgid", grp.getgrgid, gid)


# ------------------------------------------------------------ terminals


def tcgetattr(fd: FileDescr) -> _lwt.Promise[list[Any]]:
    """Return a promise of the attributes of the terminal ``fd`` (:func:`termios.tcgetattr`)."""
    return _fd_job("tcgetattr", fd, termios.tcgetattr)


def tcsetattr(fd: FileDescr, when: int, attributes: list[Any]) -> _lwt.Promise[None]:
    """Set the attributes of the terminal ``fd``.

    ``when`` is ``termios.TCSANOW``, ``TCSADRAIN`` or ``TCSAFLUSH``.
    """
    return _fd_job("tcsetattr", fd, termios.tcsetattr, when, attributes)


def tcsendbreak(fd: FileDescr, duration: int) -> _lwt.Promise[None]:
    """Send a break on the terminal ``fd``."""
    return _fd_job("tcsendbreak", fd, termios.tcsendbreak, duration)


def tcdrain(fd: FileDescr) -> _lwt.Promise[None]:
    """Wait until everything written to the terminal ``fd`` has been sent."""
    return _fd_job("tcdrain", fd, termios.tcdrain)


def tcflush(fd: FileDescr, queue: int) -> _lwt.Promise[None]:
    """Discard the terminal's queued data (``termios.TCIFLUSH``, ``TCOFLUSH``, ``TCIOFLUSH``)."""
    return _fd_job("tcflush", fd, termios.tcflush, queue)


def tcflow(fd: FileDescr, action: int) -> _lwt.Promise[None]:
    """Suspend or restart the terminal's flow (``termios.TCOOFF``, ``TCOON``, ...)."""
    return _fd_job("tcflow", fd, termios.tcflow, action)


class LargeFile:
    """Lwt_unix's ``LargeFile``: the same calls, Python's integers being unbounded.

    ``LargeFile.lseek``, ``truncate``, ``ftruncate``, ``stat``, ``lstat``,
    ``fstat`` and ``file_exists`` are the module's functions.
    """

    lseek = staticmethod(lseek)
    truncate = staticmethod(truncate)
    ftruncate = staticmethod(ftruncate)
    stat = staticmethod(stat)
    lstat = staticmethod(lstat)
    fstat = staticmethod(fstat)
    file_exists = staticmethod(file_exists)
