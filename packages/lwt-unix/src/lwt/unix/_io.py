"""Reading and writing: ``read``, ``write``, ``pread``, ``pwrite``, ``readv``, ``writev``.

Buffers are anything :class:`memoryview` accepts (``bytearray``,
``memoryview``, ``array.array``, ``mmap``...); reads need a writable one.
``ofs`` and ``length`` count bytes.

On a non-blocking descriptor each function tries its system call at once:
when data (or room) is there, the result comes back as an already resolved
promise without touching the engine.  Otherwise the call waits in the
descriptor's queue (see :mod:`lwt.unix._fd`).  On a blocking descriptor the
system call runs in a worker thread, on a private copy of the data, so an
abandoned (cancelled) read never writes into the caller's buffer later.

One exception, beyond Lwt: :func:`read` on a regular file first asks for
what the page cache already holds (``preadv2`` with ``RWF_NOWAIT``, on
Linux), on the loop's thread; only a read that would wait for the disk
goes to a worker.  A cached read costs a memory copy, where a job costs
two thread switches, and a file read again and again is mostly cached.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Any

import lwt.core as _lwt

from . import _jobs
from ._fd import _OPENED, _RWF_NOWAIT, READ, WRITE, FileDescr, wait_read, wait_write

__all__ = [
    "IOVectors",
    "pread",
    "pwrite",
    "pwrite_string",
    "read",
    "readv",
    "write",
    "write_string",
    "writev",
]

_readv = os.readv
# Called only where _RWF_NOWAIT is set, hence where preadv exists.
_preadv: Any = getattr(os, "preadv", None)
# What preadv2 says when the file or kernel cannot honour RWF_NOWAIT.
_NO_NOWAIT = frozenset({errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS})
_write = os.write
_writev = os.writev
_return = _lwt.return_
_fail = _lwt.fail
_AGAIN = (BlockingIOError, InterruptedError)


def _view(buf: Any, ofs: int, length: int, api: str, writable: bool) -> Any:
    """Return the ``length`` bytes of ``buf`` from ``ofs``, checking the bounds.

    A whole ``bytearray`` (or, for writing, ``bytes``) comes back as it is,
    with no new object; anything else as a :class:`memoryview` of bytes.
    """
    cls = buf.__class__
    if cls is bytearray or (cls is bytes and not writable):
        size = len(buf)
        if ofs < 0 or length < 0 or ofs > size - length:
            raise _bounds(api, ofs, length, size)
        if ofs == 0 and length == size:
            return buf
        return memoryview(buf)[ofs : ofs + length]
    mv = buf if cls is memoryview else memoryview(buf)
    if mv.itemsize != 1 or mv.ndim != 1:
        mv = mv.cast("B")
    if writable and mv.readonly:
        raise TypeError(f"{api}: the buffer is read-only")
    size = mv.nbytes
    if ofs < 0 or length < 0 or ofs > size - length:
        raise _bounds(api, ofs, length, size)
    if ofs == 0 and length == size:
        return mv
    return mv[ofs : ofs + length]


def _bounds(api: str, ofs: int, length: int, size: int) -> _lwt.InvalidArgument:
    return _lwt.InvalidArgument(
        f"{api}: offset {ofs} and length {length} do not fit in a buffer of {size} bytes"
    )


def _copy_in(view: Any) -> Callable[[bytes], _lwt.Promise[int]]:
    def copy(data: bytes) -> _lwt.Promise[int]:
        n = len(data)
        view[:n] = data
        return _return(n)

    return copy


def _in_thread(
    fd: FileDescr,
    wait: Callable[[FileDescr], _lwt.Promise[None]],
    f: Callable[..., Any],
    *args: Any,
) -> _lwt.Promise[Any]:
    """Wait for ``fd`` with ``wait``, then run ``f(*args)`` in a worker thread."""

    def start(_: None) -> _lwt.Promise[Any]:
        fd._check("io")
        return _jobs.run(f, *args)

    return wait(fd).bind(start)


# -------------------------------------------------------------- read/write
def read(fd: FileDescr, buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
    """Read up to ``length`` bytes from ``fd`` into ``buf[ofs:]``; return the count (0 at EOF).

    Raises:
        lwt.core.InvalidArgument: ``ofs``/``length`` do not fit in ``buf``.
        TypeError: ``buf`` is not a writable buffer.
    """
    if buf.__class__ is bytearray and ofs == 0 and length == len(buf):
        view = buf  # the common case, without a call to _view
    else:
        view = _view(buf, ofs, length, "read", True)
    if fd._state is not _OPENED:
        return _fail(fd._state_error("read"))
    blocking = fd._blocking
    if blocking is None:
        blocking = fd._guess_blocking()
    n = fd._fd
    if blocking:
        cached = fd._cached
        if cached is None:
            cached = fd._can_read_cached()
        if cached:
            # A regular file: what the page cache holds is read here, at
            # the cost of a memory copy; only a read that would wait for
            # the disk goes to a worker thread.
            try:
                return _return(_preadv(n, [view], -1, _RWF_NOWAIT))
            except _AGAIN:
                pass
            except OSError as exc:
                if exc.errno not in _NO_NOWAIT:
                    return _fail(exc)
                fd._cached = False  # this file system does not do it
        return _in_thread(fd, wait_read, os.read, n, length).bind(_copy_in(view))

    def retry() -> int:
        got: int = _readv(n, [view])
        if got < length:
            fd._drained = True
        return got

    if fd._drained:
        # Called back from this descriptor's own readable event, after a
        # read there came back short: the socket is surely empty, and the
        # engine watches it.  Wait at once, sparing a system call that
        # would fail with EAGAIN (and the exception it costs).
        return fd._enqueue(READ, retry)
    try:
        return _return(_readv(n, [view]))
    except _AGAIN:
        return fd._enqueue(READ, retry)
    except OSError as exc:
        return _fail(exc)


def write(fd: FileDescr, buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
    """Write up to ``length`` bytes of ``buf[ofs:]`` to ``fd``; return how many were written.

    The count may be smaller than ``length``.  On a non-blocking descriptor
    the buffer is not copied: do not change it before the promise resolves.

    Raises:
        lwt.core.InvalidArgument: ``ofs``/``length`` do not fit in ``buf``.
    """
    if buf.__class__ is bytearray and ofs >= 0 and 0 <= length <= len(buf) - ofs:
        # A channel's buffer, the common case: _view's work without the call.
        view = buf if ofs == 0 and length == len(buf) else memoryview(buf)[ofs : ofs + length]
    else:
        view = _view(buf, ofs, length, "write", False)
    if fd._state is not _OPENED:
        return _fail(fd._state_error("write"))
    blocking = fd._blocking
    if blocking is None:
        blocking = fd._guess_blocking()
    n = fd._fd
    if blocking:
        return _in_thread(fd, wait_write, _write, n, bytes(view))
    try:
        return _return(_write(n, view))
    except _AGAIN:
        return fd._enqueue(WRITE, lambda: _write(n, view))
    except OSError as exc:
        return _fail(exc)


def _encode(s: str | bytes) -> bytes:
    return s.encode("utf-8") if isinstance(s, str) else s


def write_string(fd: FileDescr, s: str | bytes, ofs: int, length: int) -> _lwt.Promise[int]:
    """Write up to ``length`` bytes of ``s[ofs:]``, like :func:`write`.

    A ``str`` is encoded to UTF-8 first; ``ofs`` and ``length`` count
    bytes of the encoding.
    """
    return write(fd, _encode(s), ofs, length)


def _pread_into(fdnum: int, view: Any, offset: int) -> int:
    preadv = getattr(os, "preadv", None)
    if preadv is not None:
        return preadv(fdnum, [view], offset)  # type: ignore[no-any-return]
    data = os.pread(fdnum, len(view), offset)
    view[: len(data)] = data
    return len(data)


def pread(fd: FileDescr, buf: Any, ofs: int, length: int, *, file_offset: int) -> _lwt.Promise[int]:
    """Read up to ``length`` bytes at ``file_offset`` of ``fd`` into ``buf[ofs:]``.

    The descriptor's position does not move.

    Raises:
        lwt.core.InvalidArgument: ``ofs``/``length`` do not fit in ``buf``,
            or ``file_offset`` is negative.
    """
    view = _view(buf, ofs, length, "pread", True)
    if file_offset < 0:
        raise _lwt.InvalidArgument(f"pread: negative file offset {file_offset}")
    if fd._state is not _OPENED:
        return _fail(fd._state_error("pread"))
    n = fd._fd
    if fd._is_blocking():
        return _in_thread(fd, wait_read, os.pread, n, length, file_offset).bind(_copy_in(view))
    try:
        return _return(_pread_into(n, view, file_offset))
    except _AGAIN:
        return fd._enqueue(READ, lambda: _pread_into(n, view, file_offset))
    except OSError as exc:
        return _fail(exc)


def pwrite(
    fd: FileDescr, buf: Any, ofs: int, length: int, *, file_offset: int
) -> _lwt.Promise[int]:
    """Write up to ``length`` bytes of ``buf[ofs:]`` at ``file_offset`` of ``fd``.

    The descriptor's position does not move.

    Raises:
        lwt.core.InvalidArgument: ``ofs``/``length`` do not fit in ``buf``,
            or ``file_offset`` is negative.
    """
    view = _view(buf, ofs, length, "pwrite", False)
    if file_offset < 0:
        raise _lwt.InvalidArgument(f"pwrite: negative file offset {file_offset}")
    if fd._state is not _OPENED:
        return _fail(fd._state_error("pwrite"))
    n = fd._fd
    if fd._is_blocking():
        return _in_thread(fd, wait_write, os.pwrite, n, bytes(view), file_offset)
    try:
        return _return(os.pwrite(n, view, file_offset))
    except _AGAIN:
        return fd._enqueue(WRITE, lambda: os.pwrite(n, view, file_offset))
    except OSError as exc:
        return _fail(exc)


def pwrite_string(
    fd: FileDescr, s: str | bytes, ofs: int, length: int, *, file_offset: int
) -> _lwt.Promise[int]:
    """Write up to ``length`` bytes of ``s[ofs:]`` at ``file_offset``, like :func:`pwrite`."""
    return pwrite(fd, _encode(s), ofs, length, file_offset=file_offset)


# ------------------------------------------------------------- I/O vectors
def _iov_max() -> int | None:
    try:
        limit = os.sysconf("SC_IOV_MAX")
    except (ValueError, OSError, AttributeError):
        return None
    return limit if limit > 0 else None


class _Slice:
    """One I/O vector: ``length`` bytes of ``buffer`` from ``offset``."""

    __slots__ = ("buffer", "length", "offset")

    def __init__(self, buffer: Any, offset: int, length: int) -> None:
        self.buffer = buffer
        self.offset = offset
        self.length = length


class IOVectors:
    """A sequence of buffer slices for :func:`readv` and :func:`writev` (``Lwt_unix.IO_vectors``).

    Slices are checked when the vectors are used: a slice that does not fit
    in its buffer makes :func:`readv` / :func:`writev` raise
    :class:`lwt.core.InvalidArgument`.

    .. note:: Lwt's ``append_bigarray`` is left out: ``append_bytes``
       takes any buffer, bigarray-like ones included.
    """

    __slots__ = ("_slices", "_start")

    system_limit: int | None = _iov_max()
    """The most slices one ``readv``/``writev`` system call takes (``IOV_MAX``), or None.

    The functions here pass only the first ``system_limit`` slices.
    """

    def __init__(self) -> None:
        self._slices: list[_Slice] = []
        self._start = 0

    @classmethod
    def create(cls) -> IOVectors:
        """Return a new, empty sequence (the same as the constructor)."""
        return cls()

    def append_bytes(self, buffer: Any, offset: int, length: int) -> None:
        """Append the slice of ``length`` bytes of ``buffer`` from ``offset``."""
        self._slices.append(_Slice(buffer, offset, length))

    def drop(self, n: int) -> None:
        """Remove the first ``n`` bytes from the sequence (a negative ``n`` removes nothing)."""
        slices = self._slices
        i = self._start
        while n > 0 and i < len(slices):
            s = slices[i]
            if s.length <= n:
                n -= s.length
                i += 1
            else:
                s.offset += n
                s.length -= n
                n = 0
        if i > 64 and i * 2 > len(slices):
            del slices[:i]
            i = 0
        self._start = i

    def is_empty(self) -> bool:
        """Return whether the sequence holds no byte (no slice, or only empty ones)."""
        return all(s.length == 0 for s in self._live())

    def byte_count(self) -> int:
        """Return the total number of bytes in the sequence."""
        return sum(s.length for s in self._live())

    def _live(self) -> list[_Slice]:
        return self._slices[self._start :]

    def _views(self, api: str, writable: bool) -> list[Any]:
        live = self._live()
        limit = IOVectors.system_limit
        if limit is not None and len(live) > limit:
            live = live[:limit]
        return [_view(s.buffer, s.offset, s.length, api, writable) for s in live]

    def __len__(self) -> int:
        return len(self._slices) - self._start

    def __repr__(self) -> str:
        return f"<lwt.unix.IOVectors: {len(self)} slices, {self.byte_count()} bytes>"


IOVectors.__module__ = "lwt.unix"


def _scatter(views: list[Any]) -> Callable[[bytes], _lwt.Promise[int]]:
    def copy(data: bytes) -> _lwt.Promise[int]:
        pos = 0
        total = len(data)
        for v in views:
            if pos >= total:
                break
            k = min(len(v), total - pos)
            v[:k] = data[pos : pos + k]
            pos += k
        return _return(total)

    return copy


def readv(fd: FileDescr, io_vectors: IOVectors) -> _lwt.Promise[int]:
    """Read from ``fd`` into the slices of ``io_vectors``, in order; return the byte count.

    Raises:
        lwt.core.InvalidArgument: a slice does not fit in its buffer.
    """
    views = io_vectors._views("readv", True)
    if fd._state is not _OPENED:
        return _fail(fd._state_error("readv"))
    n = fd._fd
    if fd._is_blocking():
        total = sum(len(v) for v in views)
        return _in_thread(fd, wait_read, os.read, n, total).bind(_scatter(views))
    try:
        return _return(_readv(n, views))
    except _AGAIN:
        return fd._enqueue(READ, lambda: _readv(n, views))
    except OSError as exc:
        return _fail(exc)


def writev(fd: FileDescr, io_vectors: IOVectors) -> _lwt.Promise[int]:
    """Write the slices of ``io_vectors`` to ``fd``, in order; return the byte count written.

    Raises:
        lwt.core.InvalidArgument: a slice does not fit in its buffer.
    """
    views = io_vectors._views("writev", False)
    if fd._state is not _OPENED:
        return _fail(fd._state_error("writev"))
    n = fd._fd
    if fd._is_blocking():
        return _in_thread(fd, wait_write, _writev, n, [bytes(v) for v in views])
    try:
        return _return(_writev(n, views))
    except _AGAIN:
        return fd._enqueue(WRITE, lambda: _writev(n, views))
    except OSError as exc:
        return _fail(exc)
