"""Child processes: waiting for them without blocking the loop.

:func:`waitpid` first asks the system without waiting (``WNOHANG``).  If
the child has not changed state yet, the promise waits for a wake-up:

* for one child (``pid > 0``) where the system has ``pidfd_open`` (Linux),
  a *pidfd*, registered with the engine, becomes readable when the child
  exits;
* otherwise (process groups, any child, ``WUNTRACED``, other systems), the
  loop's ``SIGCHLD`` handler (:func:`lwt.unix.on_signal`) asks again for
  every waiting call each time a child changes state.

Either way, nothing polls.  The ``SIGCHLD`` handler is installed while
some call waits for it, and the previous handler is restored after.
Statuses are :class:`~lwt.unix.WEXITED`, :class:`~lwt.unix.WSIGNALED` and
:class:`~lwt.unix.WSTOPPED`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal as _signal
from typing import Any

import lwt.core as _lwt

from . import _engine, _signals
from ._status import WEXITED, WSIGNALED, WSTOPPED

__all__ = [
    "get_affinity",
    "get_cpu",
    "set_affinity",
    "system",
    "wait",
    "wait4",
    "wait_count",
    "waitpid",
]

Status = WEXITED | WSIGNALED | WSTOPPED

_USE_PIDFD = hasattr(os, "pidfd_open")
_WUNTRACED = getattr(os, "WUNTRACED", 0)


def _status(raw: int) -> Status:
    if os.WIFEXITED(raw):
        return WEXITED(os.WEXITSTATUS(raw))
    if os.WIFSIGNALED(raw):
        return WSIGNALED(os.WTERMSIG(raw))
    if os.WIFSTOPPED(raw):
        return WSTOPPED(os.WSTOPSIG(raw))
    return WEXITED(raw)  # a status the system should not report: keep the number


def _flags(flags: int | Any) -> int:
    if isinstance(flags, int):
        return flags
    result = 0
    for f in flags:
        result |= f
    return result


class _Waiter:
    """One pending wait: what to ask the system, and whom to tell."""

    __slots__ = ("counted", "event", "flags", "pid", "pidfd", "resolver", "rusage")

    def __init__(self, pid: int, flags: int, rusage: bool, resolver: _lwt.Resolver[Any]) -> None:
        self.pid = pid
        self.flags = flags
        self.rusage = rusage
        self.resolver: _lwt.Resolver[Any] | None = resolver
        self.event: _engine.Event | None = None
        self.pidfd = -1
        self.counted = False

    def attempt(self) -> bool:
        """Ask the system without blocking; resolve and return True if done."""
        r = self.resolver
        if r is None:
            return True
        try:
            got = _reap(self.pid, self.flags | os.WNOHANG, self.rusage)
        except Exception as exc:
            self.finish()
            _lwt.wakeup_exn(r, exc)
            return True
        if got is None:
            return False
        self.finish()
        _lwt.wakeup(r, got)
        return True

    def finish(self) -> None:
        global _waiting
        self.resolver = None
        if self.counted:
            self.counted = False
            _waiting -= 1
        ev = self.event
        if ev is not None:
            self.event = None
            ev.stop()
        if self.pidfd >= 0:
            fd = self.pidfd
            self.pidfd = -1
            os.close(fd)
        _forget(self)

    def __call__(self) -> None:  # the promise was cancelled
        self.finish()


def _reap(pid: int, flags: int, rusage: bool) -> Any:
    """One ``wait4`` call: None if no child changed state, else the result tuple."""
    got_pid, raw, ru = os.wait4(pid, flags)
    if got_pid == 0:
        return None
    if rusage:
        return (got_pid, _status(raw), ru)
    return (got_pid, _status(raw))


_waiting = 0  # pending waits


def wait_count() -> int:
    """Return the number of promises waiting for a child process."""
    return _waiting


# Waiters woken by SIGCHLD, and the handler while there are some.
_sigchld_waiters: list[_Waiter] = []
_sigchld: _signals.SignalHandlerId | None = None


def _on_sigchld(_signum: int) -> None:
    for w in tuple(_sigchld_waiters):
        w.attempt()


def _forget(w: _Waiter) -> None:
    global _sigchld
    try:
        _sigchld_waiters.remove(w)
    except ValueError:
        return
    if not _sigchld_waiters and _sigchld is not None:
        h = _sigchld
        _sigchld = None
        h.disable()


def _wait_sigchld(w: _Waiter) -> None:
    global _sigchld
    if _sigchld is None:
        _sigchld = _signals.on_signal(_signal.SIGCHLD, _on_sigchld)
    _sigchld_waiters.append(w)


def _wait_pidfd(w: _Waiter) -> bool:
    try:
        fd = os.pidfd_open(w.pid)
    except OSError:
        return False
    w.pidfd = fd
    w.event = _engine._current.on_readable(fd, lambda _ev: w.attempt())
    return True


def _wait(pid: int, flags: int, rusage: bool) -> _lwt.Promise[Any]:
    if flags & os.WNOHANG:
        try:
            got = _reap(pid, flags, rusage)
        except Exception as exc:
            return _lwt.fail(exc)
        if got is None:
            got = (0, WEXITED(0), None) if rusage else (0, WEXITED(0))
        return _lwt.return_(got)
    p: _lwt.Promise[Any]
    r: _lwt.Resolver[Any]
    p, r = _lwt.task()
    w = _Waiter(pid, flags, rusage, r)
    use_pidfd = _USE_PIDFD and pid > 0 and not flags & _WUNTRACED
    if not use_pidfd:
        # Install the handler before asking: a child ending in between is seen.
        _wait_sigchld(w)
    if w.attempt():
        return p
    if use_pidfd and not _wait_pidfd(w):
        _wait_sigchld(w)
        if w.attempt():
            return p
    global _waiting
    _waiting += 1
    w.counted = True
    p.on_cancel(w)
    return p


def waitpid(flags: int | Any, pid: int) -> _lwt.Promise[tuple[int, Status]]:
    """Wait for a child to change state; return a promise of ``(pid, status)``.

    Args:
        flags: ``os.WNOHANG``, ``os.WUNTRACED`` (or-ed, or an iterable);
            ``0`` for none.  With ``WNOHANG`` the promise is resolved at
            once, with ``(0, WEXITED(0))`` if no child changed state.
        pid: the child; ``-1`` any child, ``0`` any child in the process
            group, ``-g`` any child in the group ``g``.

    The promise is rejected with :class:`ChildProcessError` (``ECHILD``)
    if there is no such child.  Cancelling it stops waiting.

    .. note:: Lwt's argument order (flags first) is kept.
    """
    return _wait(pid, _flags(flags), False)


def wait() -> _lwt.Promise[tuple[int, Status]]:
    """Wait for any child to terminate; the same as ``waitpid(0, -1)``."""
    return _wait(-1, 0, False)


def wait4(flags: int | Any, pid: int) -> _lwt.Promise[tuple[int, Status, resource.struct_rusage]]:
    """Like :func:`waitpid`, also returning the child's resource usage.

    The third element is a :class:`resource.struct_rusage` (``ru_utime``,
    ``ru_stime``, ``ru_maxrss``...); with ``WNOHANG`` and no child
    changed, it is ``None``.

    .. note:: Lwt's ``resource_usage`` record has only ``ru_utime`` and
       ``ru_stime``; Python's structure has them and more.
    """
    return _wait(pid, _flags(flags), True)


def system(cmd: str) -> _lwt.Promise[Status]:
    """Run ``cmd`` with ``/bin/sh -c`` and return a promise of how it ended.

    The shell inherits the environment, working directory and standard
    descriptors; the loop keeps running meanwhile.

    Raises:
        OSError: the shell could not be started (as a rejection).
    """
    try:
        pid = os.posix_spawn("/bin/sh", ["/bin/sh", "-c", cmd], os.environ)
    except Exception as exc:
        return _lwt.fail(exc)
    return _wait(pid, 0, False).map(lambda got: got[1])


def get_cpu() -> int:
    """Return the number of the CPU the calling thread runs on (``sched_getcpu``).

    Raises:
        OSError: ``ENOSYS`` where the C library has no ``sched_getcpu``.
    """
    global _sched_getcpu
    f = _sched_getcpu
    if f is None:
        libc = ctypes.CDLL(None, use_errno=True)
        f = getattr(libc, "sched_getcpu", None)
        if f is None:
            raise OSError(errno.ENOSYS, "get_cpu: sched_getcpu is not available here")
        f.restype = ctypes.c_int
        f.argtypes = []
        _sched_getcpu = f
    n = int(f())
    if n < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return n


_sched_getcpu: Any = None


def get_affinity(pid: int | None = None) -> list[int]:
    """Return the sorted CPUs process ``pid`` (default: this one) may run on.

    Raises:
        OSError: as ``sched_getaffinity(2)`` (``ENOSYS`` where it is missing).
    """
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None:
        raise OSError(errno.ENOSYS, "get_affinity: not available on this system")
    return sorted(getter(0 if pid is None else pid))


def set_affinity(cpus: Any, pid: int | None = None) -> None:
    """Let process ``pid`` (default: this one) run only on the CPUs ``cpus``.

    Raises:
        OSError: as ``sched_setaffinity(2)`` (``ENOSYS`` where it is missing).
    """
    setter = getattr(os, "sched_setaffinity", None)
    if setter is None:
        raise OSError(errno.ENOSYS, "set_affinity: not available on this system")
    setter(0 if pid is None else pid, list(cpus))
