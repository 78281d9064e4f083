"""File descriptors: ``FileDescr``, their states, and waiting on them.

How the pieces fit
==================

A :class:`FileDescr` wraps an ``int`` file descriptor with a *state*
(:class:`Opened`, :class:`Closed` or :class:`Aborted`) and a *blocking
mode*, which tells how lwt does I/O on it:

* *non-blocking* descriptors (sockets, pipes) are in ``O_NONBLOCK`` mode;
  an operation tries its system call at once and, if the call would block,
  becomes a pending *operation* queued on the descriptor;
* *blocking* descriptors (regular files, terminals given to us as such) do
  their system calls in worker threads (:mod:`lwt.unix._jobs`), after
  waiting for readiness where that means something.

Each descriptor has a queue of operations waiting to read and one waiting to
write.  While a queue is non-empty, one engine event watches the descriptor
for that direction; when the engine reports it ready, the queued operations
retry their system calls in order until one would block again.  An
operation that completes resolves its promise; cancelling its promise
removes it from the queue.

The engine event is not stopped as soon as the queue empties (a reader
usually reads again at once, and stopping then starting costs two system
calls): it is stopped when the engine reports the descriptor ready with
nobody waiting, when the last operation is cancelled, and when the
descriptor is closed or aborted.  Lwt defers the same way, until the next
pause.

:func:`close` and :func:`abort` reject every queued operation: with an
``EBADF`` :class:`OSError` saying the descriptor was closed, or with the
abort exception.  Any later use of a closed descriptor raises (or, for
functions returning promises, rejects with) ``OSError(EBADF)``.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import os
import select
import socket as _socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import lwt.core as _lwt

from . import _engine, _jobs

__all__ = [
    "Aborted",
    "Closed",
    "FileDescr",
    "IOEvent",
    "Opened",
    "Retry",
    "RetryRead",
    "RetryWrite",
    "abort",
    "blocking",
    "check_descriptor",
    "close",
    "of_unix_file_descr",
    "pipe",
    "pipe_in",
    "pipe_out",
    "readable",
    "register_action",
    "set_blocking",
    "state",
    "stderr",
    "stdin",
    "stdout",
    "unix_file_descr",
    "wait_read",
    "wait_write",
    "wrap_syscall",
    "writable",
]

T = TypeVar("T")

READ = _engine.READ
WRITE = _engine.WRITE


# ------------------------------------------------------------------ states
@dataclass(frozen=True)
class Opened:
    """The state of a usable descriptor (``Lwt_unix.Opened``)."""


@dataclass(frozen=True)
class Closed:
    """The state of a descriptor closed by :func:`close` (``Lwt_unix.Closed``)."""


@dataclass(frozen=True)
class Aborted:
    """The state of a descriptor given up by :func:`abort` (``Lwt_unix.Aborted``).

    Every operation but :func:`close` fails with ``exc``.
    """

    exc: BaseException


_OPENED = Opened()
_CLOSED = Closed()


class IOEvent(enum.IntEnum):
    """Which readiness an operation waits for (``Lwt_unix.io_event``)."""

    READ = READ
    WRITE = WRITE


class Retry(Exception):
    """Raised by an action to wait again for the same readiness (``Lwt_unix.Retry``)."""


class RetryRead(Exception):
    """Raised by an action to wait for the descriptor to be readable (``Retry_read``)."""


class RetryWrite(Exception):
    """Raised by an action to wait for the descriptor to be writable (``Retry_write``)."""


# Exceptions that mean "not now": the action waits for readiness and runs again.
_AGAIN = (BlockingIOError, InterruptedError, Retry)

# preadv2's flag that makes a read of a regular file fail with EAGAIN
# rather than wait for the disk (Linux 4.14 and later; 0 where missing).
_RWF_NOWAIT: int = getattr(os, "RWF_NOWAIT", 0)


def _closed_error(api: str) -> OSError:
    return OSError(errno.EBADF, f"{api}: the lwt file descriptor is closed")


class _SockView(_socket.socket):
    """A :class:`socket.socket` on a descriptor that a :class:`FileDescr` owns.

    It lends the socket methods (``recv_into``, ``sendmsg``, ...) and never
    closes the descriptor when it is garbage collected: the
    :class:`FileDescr` does that in :func:`close`.
    """

    __slots__ = ()

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            self.detach()


class _Op:
    """A pending operation: retry ``action`` until it completes.

    Calling the object (as the promise's cancel callback does) removes it
    from its descriptor's queue.
    """

    __slots__ = ("action", "fdo", "kind", "resolver")

    def __init__(
        self, fdo: FileDescr, kind: int, action: Callable[[], Any], resolver: _lwt.Resolver[Any]
    ) -> None:
        self.fdo: FileDescr | None = fdo
        self.kind = kind
        self.action = action
        self.resolver = resolver

    def __call__(self) -> None:
        fdo = self.fdo
        if fdo is not None:
            self.fdo = None
            fdo._forget(self)


def _as_fd(fd: object) -> int:
    if isinstance(fd, bool) or not isinstance(fd, int):
        raise TypeError(f"expected an int file descriptor, got {type(fd).__name__}")
    return int(fd)


class FileDescr:
    """An lwt file descriptor: an ``int`` descriptor with a state and a mode.

    Make one with :func:`of_unix_file_descr` (or the constructor, which
    takes the same arguments), or get one from :func:`pipe`,
    :func:`lwt.unix.socket`, :func:`lwt.unix.accept` and friends.

    .. note:: As in Lwt, a :class:`FileDescr` never closes its descriptor
       when it is garbage collected: call :func:`close`.
    """

    __slots__ = (
        "__weakref__",
        "_blocking",
        "_cached",
        "_drained",
        "_fd",
        "_rev",
        "_rq",
        "_set_flags",
        "_sock",
        "_state",
        "_wev",
        "_wq",
    )

    def __init__(self, fd: int, blocking: bool | None = None, set_flags: bool = True) -> None:
        if fd.__class__ is not int:
            fd = _as_fd(fd)
        if fd < 0:
            raise _lwt.InvalidArgument(f"of_unix_file_descr: negative file descriptor {fd}")
        self._fd = fd
        self._state: Opened | Closed | Aborted = _OPENED
        self._set_flags = set_flags
        self._blocking: bool | None = None if blocking is None else bool(blocking)
        # Whether a blocking read may first try the page cache on this
        # thread (a regular file on Linux); None until the first such read.
        self._cached: bool | None = None
        # True only while this descriptor's readable callbacks run, after a
        # read there returned less than asked: see lwt.unix.read.
        self._drained = False
        self._sock: _SockView | None = None
        self._rq: list[_Op] | None = None
        self._wq: list[_Op] | None = None
        self._rev: _engine.Event | None = None
        self._wev: _engine.Event | None = None
        if blocking is not None and set_flags:
            os.set_blocking(fd, bool(blocking))

    # ------------------------------------------------------------ public
    @property
    def unix_file_descr(self) -> int:
        """The underlying ``int`` descriptor, whatever the state."""
        return self._fd

    @property
    def state(self) -> Opened | Closed | Aborted:
        """``Opened()``, ``Closed()`` or ``Aborted(exc)``."""
        return self._state

    def fileno(self) -> int:
        """Return the underlying descriptor (for :mod:`selectors` and friends)."""
        return self._fd

    def blocking(self) -> _lwt.Promise[bool]:
        """Return a promise of whether lwt does blocking I/O on this descriptor.

        When the mode was not given, it is guessed now from ``fstat``:
        sockets and pipes are non-blocking, everything else blocking.

        Raises:
            OSError: ``EBADF`` if the descriptor is closed.
            BaseException: the abort exception if it was aborted.

        .. note:: Lwt returns a promise because its guess runs in a worker
           thread; ``fstat`` on a descriptor does not block, so ours is
           already resolved.
        """
        self._check("blocking")
        return _lwt.return_(self._is_blocking())

    def set_blocking(self, blocking: bool, set_flags: bool = True) -> None:
        """Make lwt do blocking (or non-blocking) I/O on this descriptor.

        Args:
            blocking: the mode to use.
            set_flags: also set (or clear) ``O_NONBLOCK`` on the descriptor
                to match; if false, the caller vouches that it matches.
        """
        self._check("set_blocking")
        self._set_flags = set_flags
        self._blocking = bool(blocking)
        if set_flags:
            os.set_blocking(self._fd, bool(blocking))
        sock = self._sock
        if sock is not None:  # made for the other mode: make a new one when needed
            self._sock = None
            sock.detach()

    def abort(self, exc: BaseException) -> None:
        """Make every pending and later operation fail with ``exc``.

        Does nothing on a closed descriptor; on an aborted one, replaces the
        exception.  Only :func:`close` still works afterwards.
        """
        if self._state is _CLOSED:
            return
        self._state = Aborted(exc)
        self._drop_waiters(lambda: exc)

    def close(self) -> _lwt.Promise[None]:
        """Close the descriptor; see :func:`close`."""
        if self._state is _CLOSED:
            raise _closed_error("close")
        self._state = _CLOSED
        self._drop_waiters(
            lambda: OSError(
                errno.EBADF,
                "close: the lwt file descriptor was closed while an operation waited on it",
            )
        )
        fd = self._fd
        sock = self._sock
        self._sock = None
        if sock is not None:
            sock.detach()
        if self._blocking:
            return _jobs.run(os.close, fd)
        try:
            os.close(fd)
        except OSError as exc:
            return _lwt.fail(exc)
        return _lwt.return_unit

    def __repr__(self) -> str:
        st = self._state
        what = (
            "open" if st is _OPENED else ("closed" if st is _CLOSED else f"aborted ({st.exc!r})")  # type: ignore[union-attr]
        )
        mode = {None: "", True: ", blocking", False: ", non-blocking"}[self._blocking]
        return f"<lwt.unix.FileDescr {self._fd} {what}{mode}>"

    # ----------------------------------------------------------- internal
    def _check(self, api: str) -> None:
        st = self._state
        if st is _OPENED:
            return
        if st is _CLOSED:
            raise _closed_error(api)
        raise st.exc  # type: ignore[union-attr]

    def _state_error(self, api: str) -> BaseException:
        st = self._state
        if st is _CLOSED:
            return _closed_error(api)
        return st.exc  # type: ignore[union-attr]

    def _is_blocking(self) -> bool:
        b = self._blocking
        if b is None:
            b = self._guess_blocking()
        return b

    def _guess_blocking(self) -> bool:
        try:
            mode = os.fstat(self._fd).st_mode
            b = not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode))
        except OSError:
            b = True
        self._blocking = b
        if self._set_flags:
            with contextlib.suppress(OSError):
                os.set_blocking(self._fd, b)
        return b

    def _can_read_cached(self) -> bool:
        """Decide once whether reads may try ``preadv2(RWF_NOWAIT)`` first."""
        c = False
        if _RWF_NOWAIT:
            try:
                c = stat.S_ISREG(os.fstat(self._fd).st_mode)
            except OSError:
                c = False
        self._cached = c
        return c

    def _socket(self) -> _SockView:
        """A socket object on the descriptor, made on first use."""
        sock = self._sock
        if sock is None:
            sock = _SockView(fileno=self._fd)
            # Non-blocking: fail at once rather than wait inside CPython.
            sock.settimeout(None if self._is_blocking() else 0.0)
            self._sock = sock
        return sock

    def _enqueue(self, kind: int, action: Callable[[], T]) -> _lwt.Promise[T]:
        """Queue ``action`` until the descriptor is ready for ``kind``; return its promise."""
        p: _lwt.Promise[T]
        r: _lwt.Resolver[T]
        p, r = _lwt.task()
        op = _Op(self, kind, action, r)
        try:
            if kind == READ:
                q = self._rq
                if q is None:
                    self._rq = [op]
                else:
                    q.append(op)
                ev = self._rev
                if ev is None or ev._engine is None:
                    self._rev = None
                    self._rev = _engine._current.on_readable(self._fd, self._on_readable)
            else:
                q = self._wq
                if q is None:
                    self._wq = [op]
                else:
                    q.append(op)
                ev = self._wev
                if ev is None or ev._engine is None:
                    self._wev = None
                    self._wev = _engine._current.on_writable(self._fd, self._on_writable)
        except Exception as exc:
            op.fdo = None
            self._forget(op)
            return _lwt.fail(exc)
        p.on_cancel(op)
        return p

    def _forget(self, op: _Op) -> None:
        """Remove ``op`` from its queue; stop watching if nobody waits any more."""
        if op.kind == READ:
            q = self._rq
            if q and op in q:
                q.remove(op)
            if not q:
                ev = self._rev
                self._rev = None
                if ev is not None:
                    ev.stop()
        else:
            q = self._wq
            if q and op in q:
                q.remove(op)
            if not q:
                ev = self._wev
                self._wev = None
                if ev is not None:
                    ev.stop()

    def _on_readable(self, ev: _engine.Event) -> None:
        q = self._rq
        if q:
            try:
                self._retry(q, READ)
            finally:
                self._drained = False
        else:
            self._rev = None
            ev.stop()

    def _on_writable(self, ev: _engine.Event) -> None:
        q = self._wq
        if q:
            self._retry(q, WRITE)
        else:
            self._wev = None
            ev.stop()

    def _retry(self, q: list[_Op], kind: int) -> None:
        """Retry the queued operations in order until one would block.

        Only as many operations as were queued on entry are tried, so an
        operation queued by a callback waits for the next readiness.
        """
        n = len(q)
        while n > 0 and q:
            n -= 1
            op = q[0]
            try:
                v = op.action()
            except _AGAIN:
                return
            except RetryRead:
                if kind != READ:
                    del q[0]
                    self._requeue(op, READ)
                    continue
                return
            except RetryWrite:
                if kind != WRITE:
                    del q[0]
                    self._requeue(op, WRITE)
                    continue
                return
            except Exception as exc:
                del q[0]
                op.fdo = None
                _lwt.wakeup_exn(op.resolver, exc)
                continue
            del q[0]
            op.fdo = None
            _lwt.wakeup(op.resolver, v)

    def _requeue(self, op: _Op, kind: int) -> None:
        op.kind = kind
        if kind == READ:
            if self._rq is None:
                self._rq = []
            self._rq.append(op)
            if self._rev is None or self._rev._engine is None:
                self._rev = _engine._current.on_readable(self._fd, self._on_readable)
        else:
            if self._wq is None:
                self._wq = []
            self._wq.append(op)
            if self._wev is None or self._wev._engine is None:
                self._wev = _engine._current.on_writable(self._fd, self._on_writable)

    def _drop_waiters(self, make_exc: Callable[[], BaseException]) -> None:
        """Stop watching, and reject every queued operation with ``make_exc()``."""
        ops: list[_Op] = []
        for q in (self._rq, self._wq):
            if q:
                ops.extend(q)
                q.clear()
        self._rq = self._wq = None
        for ev in (self._rev, self._wev):
            if ev is not None:
                ev.stop()
        self._rev = self._wev = None
        for op in ops:
            op.fdo = None
            _lwt.wakeup_exn(op.resolver, make_exc())


FileDescr.__module__ = "lwt.unix"
for _cls in (Opened, Closed, Aborted, IOEvent, Retry, RetryRead, RetryWrite):
    _cls.__module__ = "lwt.unix"
del _cls


# ------------------------------------------------------------- functions
def of_unix_file_descr(fd: int, blocking: bool | None = None, set_flags: bool = True) -> FileDescr:
    """Wrap the ``int`` descriptor ``fd`` in a :class:`FileDescr`.

    Args:
        fd: the descriptor.
        blocking: how lwt does I/O on it: ``False`` for non-blocking system
            calls waited on by the engine, ``True`` for system calls in
            worker threads.  ``None`` guesses on first use, from ``fstat``:
            sockets and pipes are non-blocking, the rest blocking.
        set_flags: set ``O_NONBLOCK`` on ``fd`` to match the mode (when
            the mode is guessed, at the guess); if false, the caller vouches
            that the flag already matches.
    """
    return FileDescr(fd, blocking, set_flags)


def unix_file_descr(fd: FileDescr) -> int:
    """Return the ``int`` descriptor of ``fd``, whatever its state."""
    return fd._fd


def state(fd: FileDescr) -> Opened | Closed | Aborted:
    """Return the state of ``fd``."""
    return fd._state


def blocking(fd: FileDescr) -> _lwt.Promise[bool]:
    """Return a promise of whether lwt does blocking I/O on ``fd``.

    See :meth:`FileDescr.blocking`.
    """
    return fd.blocking()


def set_blocking(fd: FileDescr, blocking: bool, set_flags: bool = True) -> None:
    """Make lwt do blocking (or non-blocking) I/O on ``fd`` (see :meth:`FileDescr.set_blocking`)."""
    fd.set_blocking(blocking, set_flags)


def abort(fd: FileDescr, exc: BaseException) -> None:
    """Make every pending and later operation on ``fd`` fail with ``exc``."""
    fd.abort(exc)


def close(fd: FileDescr) -> _lwt.Promise[None]:
    """Close ``fd``: reject its pending operations, then close the descriptor.

    Pending operations are rejected with an ``EBADF`` :class:`OSError`.
    Non-blocking descriptors are closed at once; blocking ones (files,
    whose ``close`` may flush to a slow disk) in a worker thread, as Lwt
    does for every descriptor.  An error from ``close(2)`` rejects the
    promise.

    Raises:
        OSError: ``EBADF`` if ``fd`` is already closed.
    """
    return fd.close()


def check_descriptor(fd: FileDescr) -> None:
    """Raise if ``fd`` is not open: ``OSError(EBADF)`` if closed, the abort exception if aborted."""
    fd._check("check_descriptor")


def _poll_one(fdnum: int, events: int) -> bool:
    p = select.poll()
    p.register(fdnum, events)
    while True:
        try:
            return bool(p.poll(0))
        except InterruptedError:
            continue


def _select_one(fdnum: int, events: int) -> bool:
    r, w, _x = select.select(
        [fdnum] if events == READ else [], [fdnum] if events == WRITE else [], [], 0
    )
    return bool(r or w)


if hasattr(select, "poll"):
    _POLLIN = select.POLLIN
    _POLLOUT = select.POLLOUT

    def _readable_now(fdnum: int) -> bool:
        return _poll_one(fdnum, _POLLIN)

    def _writable_now(fdnum: int) -> bool:
        return _poll_one(fdnum, _POLLOUT)

else:  # pragma: no cover - systems without poll(2)

    def _readable_now(fdnum: int) -> bool:
        return _select_one(fdnum, READ)

    def _writable_now(fdnum: int) -> bool:
        return _select_one(fdnum, WRITE)


def readable(fd: FileDescr) -> bool:
    """Return whether reading ``fd`` would not block now.

    End of file and errors count as readable, since a read returns at once.

    Raises:
        OSError: ``EBADF`` if ``fd`` is closed (the abort exception if aborted).
    """
    fd._check("readable")
    return _readable_now(fd._fd)


def writable(fd: FileDescr) -> bool:
    """Return whether writing ``fd`` would not block now.

    Raises:
        OSError: ``EBADF`` if ``fd`` is closed (the abort exception if aborted).
    """
    fd._check("writable")
    return _writable_now(fd._fd)


def _noop() -> None:
    return None


def wait_read(fd: FileDescr) -> _lwt.Promise[None]:
    """Return a promise fulfilled when ``fd`` is readable (at once if it is now).

    For calling libraries that do their own blocking reads; lwt's own
    reads wait by themselves.  Cancelable.
    """
    try:
        if readable(fd):
            return _lwt.return_unit
    except Exception as exc:
        return _lwt.fail(exc)
    return fd._enqueue(READ, _noop)


def wait_write(fd: FileDescr) -> _lwt.Promise[None]:
    """Return a promise fulfilled when ``fd`` is writable (at once if it is now)."""
    try:
        if writable(fd):
            return _lwt.return_unit
    except Exception as exc:
        return _lwt.fail(exc)
    return fd._enqueue(WRITE, _noop)


def register_action(event: int, fd: FileDescr, action: Callable[[], T]) -> _lwt.Promise[T]:
    """Queue ``action`` on ``fd`` until it is ready for ``event``; return the promise of its result.

    When the engine reports ``fd`` ready, ``action()`` runs; if it raises
    :class:`BlockingIOError`, :class:`InterruptedError` or :class:`Retry`
    it waits again (:class:`RetryRead` / :class:`RetryWrite` switch to the
    other readiness); otherwise its result or exception resolves the
    promise.  Prefer :func:`wrap_syscall`, which first tries ``action`` at
    once.  Check the descriptor with :func:`check_descriptor` first.
    """
    return fd._enqueue(_kind(event), action)


def _kind(event: int) -> int:
    if event == READ:
        return READ
    if event == WRITE:
        return WRITE
    raise _lwt.InvalidArgument(f"expected IOEvent.READ or IOEvent.WRITE, got {event!r}")


def wrap_syscall(event: int, fd: FileDescr, action: Callable[[], T]) -> _lwt.Promise[T]:
    """Run ``action()`` now if it can complete, else when ``fd`` is ready for ``event``.

    On a non-blocking descriptor ``action`` is tried at once; on a blocking
    one only if ``fd`` is ready.  If it would block (see
    :func:`register_action`), it is queued; the promise is resolved with
    its result or rejected with its exception.  A closed or aborted
    descriptor gives a rejected promise.
    """
    kind = _kind(event)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("wrap_syscall"))
    try:
        if fd._is_blocking() and not (
            _readable_now(fd._fd) if kind == READ else _writable_now(fd._fd)
        ):
            return fd._enqueue(kind, action)
        return _lwt.return_(action())
    except _AGAIN:
        return fd._enqueue(kind, action)
    except RetryRead:
        return fd._enqueue(READ, action)
    except RetryWrite:
        return fd._enqueue(WRITE, action)
    except Exception as exc:
        return _lwt.fail(exc)


# ------------------------------------------------------------------ pipes
def _inheritable(fds: tuple[int, ...], cloexec: bool | None) -> None:
    if cloexec is False:
        for fd in fds:
            os.set_inheritable(fd, True)


def pipe(cloexec: bool | None = None) -> tuple[FileDescr, FileDescr]:
    """Make a pipe; return ``(read end, write end)``, both non-blocking.

    Args:
        cloexec: ``False`` makes both ends inheritable by child processes;
            by default they are not (Python's default, which is close-on-exec).
    """
    r, w = os.pipe()
    _inheritable((r, w), cloexec)
    return FileDescr(r, False), FileDescr(w, False)


def pipe_in(cloexec: bool | None = None) -> tuple[FileDescr, int]:
    """Make a pipe; wrap only its read end, non-blocking, and return ``(read end, int write end)``.

    The write end stays blocking, for a child process to write to.
    """
    r, w = os.pipe()
    _inheritable((r, w), cloexec)
    return FileDescr(r, False), w


def pipe_out(cloexec: bool | None = None) -> tuple[int, FileDescr]:
    """Make a pipe; wrap only its write end, non-blocking; return ``(int read end, write end)``."""
    r, w = os.pipe()
    _inheritable((r, w), cloexec)
    return r, FileDescr(w, False)


stdin = FileDescr(0, blocking=True, set_flags=False)
"""Standard input, used in blocking mode (its flags are left alone)."""
stdout = FileDescr(1, blocking=True, set_flags=False)
"""Standard output, used in blocking mode (its flags are left alone)."""
stderr = FileDescr(2, blocking=True, set_flags=False)
"""Standard error, used in blocking mode (its flags are left alone)."""
