"""Sockets: making, connecting, accepting, sending and receiving.

Domains, types, flags and option names are the :mod:`socket` module's
constants, and addresses are what :mod:`socket` uses (a ``(host, port)``
tuple for IPv4, a path for Unix sockets...).  Give numeric addresses:
:mod:`socket` resolves a host name by blocking the thread; use
:func:`lwt.unix.getaddrinfo` first.

Sockets made here are non-blocking; each operation tries its system call
at once and waits for the engine only if it would block (see
:func:`lwt.unix.wrap_syscall`).
"""

from __future__ import annotations

import array
import errno
import os
import socket as _socket
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import lwt.core as _lwt

from . import _jobs
from ._fd import (
    _AGAIN,
    _OPENED,
    READ,
    WRITE,
    FileDescr,
    Retry,
    _inheritable,
    _SockView,
    wrap_syscall,
)
from ._io import IOVectors, _view

__all__ = [
    "Credentials",
    "accept",
    "accept_n",
    "bind",
    "connect",
    "get_credentials",
    "getpeername",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "getsockopt_float",
    "getsockopt_int",
    "getsockopt_optint",
    "listen",
    "mcast_add_membership",
    "mcast_drop_membership",
    "mcast_set_loop",
    "mcast_set_ttl",
    "recv",
    "recv_msg",
    "recvfrom",
    "send",
    "send_msg",
    "send_msgto",
    "sendto",
    "setsockopt",
    "setsockopt_float",
    "setsockopt_int",
    "setsockopt_optint",
    "shutdown",
    "socket",
    "socketpair",
]

# The most descriptors one message may carry (Linux's SCM_MAX_FD).
_MAX_FDS = 253


def _sock(fd: FileDescr, api: str) -> _SockView:
    fd._check(api)
    return fd._socket()


def _own(sock: _SockView, cloexec: bool | None) -> FileDescr:
    """Turn a new socket object into a non-blocking :class:`FileDescr` that keeps it."""
    sock.setblocking(False)
    _inheritable((sock.fileno(),), cloexec)
    fdo = FileDescr(sock.fileno(), blocking=False, set_flags=False)
    fdo._sock = sock
    return fdo


def _adopt(sock: _socket.socket) -> _SockView:
    return _SockView(sock.family, sock.type, sock.proto, sock.detach())


# ---------------------------------------------------------------- creating
def socket(domain: int, type: int, proto: int = 0, *, cloexec: bool | None = None) -> FileDescr:
    """Make a socket, non-blocking, like :func:`socket.socket`.

    Args:
        domain: ``socket.AF_INET``, ``socket.AF_UNIX``...
        type: ``socket.SOCK_STREAM``, ``socket.SOCK_DGRAM``...
        proto: the protocol, usually 0.
        cloexec: ``False`` makes the socket inheritable by child processes;
            by default it is not.
    """
    return _own(_SockView(domain, type, proto), cloexec)


def socketpair(
    domain: int, type: int, proto: int = 0, *, cloexec: bool | None = None
) -> tuple[FileDescr, FileDescr]:
    """Make a pair of connected sockets, both non-blocking (:func:`socket.socketpair`)."""
    a, b = _socket.socketpair(domain, type, proto)
    return _own(_adopt(a), cloexec), _own(_adopt(b), cloexec)


def _is_unix_path(addr: Any) -> bool:
    return isinstance(addr, (str, bytes, os.PathLike)) and not (
        (isinstance(addr, str) and addr.startswith("\0"))
        or (isinstance(addr, bytes) and addr.startswith(b"\0"))
    )


def bind(fd: FileDescr, addr: Any) -> _lwt.Promise[None]:
    """Bind ``fd`` to the address ``addr``.

    Binding a Unix socket to a path creates a file, so that ``bind`` runs
    in a worker thread; other addresses bind at once.
    """
    try:
        sock = _sock(fd, "bind")
    except Exception as exc:
        return _lwt.fail(exc)
    if _is_unix_path(addr):
        return _jobs.run(sock.bind, addr)
    try:
        sock.bind(addr)
    except OSError as exc:
        return _lwt.fail(exc)
    return _lwt.return_unit


def listen(fd: FileDescr, backlog: int) -> None:
    """Let ``fd`` accept connections, with at most ``backlog`` waiting."""
    _sock(fd, "listen").listen(backlog)


def _accept_one(fd: FileDescr, cloexec: bool | None) -> tuple[FileDescr, Any]:
    n, addr = fd._socket()._accept()  # type: ignore[attr-defined]
    new = FileDescr(n, blocking=False)
    _inheritable((n,), cloexec)
    return new, addr


def accept(fd: FileDescr, *, cloexec: bool | None = None) -> _lwt.Promise[tuple[FileDescr, Any]]:
    """Wait for a connection on the listening ``fd``; return ``(socket, address)``.

    The new socket is non-blocking.  Cancelable.
    """
    try:
        _sock(fd, "accept")
    except Exception as exc:
        return _lwt.fail(exc)
    return wrap_syscall(READ, fd, lambda: _accept_one(fd, cloexec))


def accept_n(
    fd: FileDescr, n: int, *, cloexec: bool | None = None
) -> _lwt.Promise[tuple[list[tuple[FileDescr, Any]], BaseException | None]]:
    """Accept up to ``n`` connections at once.

    Waits until at least one connection is there, then accepts as many as
    are waiting, up to ``n``.  Returns ``(connections, error)``: if an
    error stops the accepting, ``error`` is it and ``connections`` holds
    those accepted before; otherwise ``error`` is ``None``.
    """
    if n < 1:
        raise _lwt.InvalidArgument(f"accept_n: the count must be at least 1, got {n}")
    got: list[tuple[FileDescr, Any]] = []

    def action() -> tuple[list[tuple[FileDescr, Any]], BaseException | None]:
        try:
            for _ in range(n):
                got.append(_accept_one(fd, cloexec))
        except _AGAIN:
            if not got:
                raise
        return list(got), None

    def on_error(exc: BaseException) -> _lwt.Promise[Any]:
        return _lwt.return_((list(got), exc))

    def start() -> _lwt.Promise[tuple[list[tuple[FileDescr, Any]], BaseException | None]]:
        _sock(fd, "accept_n")
        return wrap_syscall(READ, fd, action)

    return _lwt.catch(start, on_error)


def connect(fd: FileDescr, addr: Any) -> _lwt.Promise[None]:
    """Connect ``fd`` to ``addr``; the promise resolves once connected.

    The connection is started at once; if it is in progress, the promise
    waits for ``fd`` to become writable, then reads ``SO_ERROR`` to learn
    whether it succeeded.  A failure rejects the promise with the
    :class:`OSError` of the error (``ConnectionRefusedError``...).
    """
    try:
        sock = _sock(fd, "connect")
    except Exception as exc:
        return _lwt.fail(exc)
    in_progress = False

    def action() -> None:
        nonlocal in_progress
        if in_progress:
            err = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
            if err:
                raise OSError(err, os.strerror(err))
            return
        err = sock.connect_ex(addr)
        if err == 0 or err == errno.EISCONN:
            return
        if err in (errno.EINPROGRESS, errno.EALREADY):
            in_progress = True
            raise Retry
        if err in (errno.EAGAIN, errno.EINTR):
            raise Retry
        raise OSError(err, os.strerror(err))

    return wrap_syscall(WRITE, fd, action)


def shutdown(fd: FileDescr, how: int) -> None:
    """Shut down reading, writing or both (``socket.SHUT_RD``, ``SHUT_WR``, ``SHUT_RDWR``)."""
    _sock(fd, "shutdown").shutdown(how)


def getsockname(fd: FileDescr) -> Any:
    """Return the address ``fd`` is bound to."""
    return _sock(fd, "getsockname").getsockname()


def getpeername(fd: FileDescr) -> Any:
    """Return the address of the peer ``fd`` is connected to."""
    return _sock(fd, "getpeername").getpeername()


# ---------------------------------------------------------- sending, receiving
def recv(fd: FileDescr, buf: Any, ofs: int, length: int, flags: int = 0) -> _lwt.Promise[int]:
    """Receive up to ``length`` bytes into ``buf[ofs:]``; return how many (0: peer closed).

    ``flags`` are ``socket.MSG_*`` values.
    """
    view = _view(buf, ofs, length, "recv", True)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("recv"))
    sock = fd._socket()
    return wrap_syscall(READ, fd, lambda: sock.recv_into(view, length, flags))


def recvfrom(
    fd: FileDescr, buf: Any, ofs: int, length: int, flags: int = 0
) -> _lwt.Promise[tuple[int, Any]]:
    """Receive up to ``length`` bytes into ``buf[ofs:]``; return ``(count, sender address)``."""
    view = _view(buf, ofs, length, "recvfrom", True)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("recvfrom"))
    sock = fd._socket()
    return wrap_syscall(READ, fd, lambda: sock.recvfrom_into(view, length, flags))


def send(fd: FileDescr, buf: Any, ofs: int, length: int, flags: int = 0) -> _lwt.Promise[int]:
    """Send up to ``length`` bytes of ``buf[ofs:]``; return how many were sent."""
    view = _view(buf, ofs, length, "send", False)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("send"))
    sock = fd._socket()
    return wrap_syscall(WRITE, fd, lambda: sock.send(view, flags))


def sendto(
    fd: FileDescr, buf: Any, ofs: int, length: int, flags: int, addr: Any
) -> _lwt.Promise[int]:
    """Send up to ``length`` bytes of ``buf[ofs:]`` to ``addr``; return how many were sent."""
    view = _view(buf, ofs, length, "sendto", False)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("sendto"))
    sock = fd._socket()
    return wrap_syscall(WRITE, fd, lambda: sock.sendto(view, flags, addr))


def _received_fds(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    fds: list[int] = []
    for level, kind, data in ancdata:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            ints = array.array("i")
            ints.frombytes(data[: len(data) - len(data) % ints.itemsize])
            fds.extend(ints)
    return fds


def recv_msg(*, socket: FileDescr, io_vectors: IOVectors) -> _lwt.Promise[tuple[int, list[int]]]:
    """Receive into the slices of ``io_vectors``, with any descriptors passed along.

    Returns ``(byte count, descriptors)``; the descriptors (``SCM_RIGHTS``)
    are new ``int`` descriptors, yours to close.
    """
    fd = socket
    views = io_vectors._views("recv_msg", True)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("recv_msg"))
    sock = fd._socket()
    space = _socket.CMSG_SPACE(_MAX_FDS * array.array("i").itemsize)

    def action() -> tuple[int, list[int]]:
        n, ancdata, _flags, _addr = sock.recvmsg_into(views, space)
        return n, _received_fds(ancdata)

    return wrap_syscall(READ, fd, action)


def _rights(fds: Iterable[int]) -> list[tuple[int, int, bytes]]:
    ints = array.array("i", fds)
    if not ints:
        return []
    return [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, ints.tobytes())]


def send_msg(*, socket: FileDescr, io_vectors: IOVectors, fds: Iterable[int]) -> _lwt.Promise[int]:
    """Send the slices of ``io_vectors`` with the ``int`` descriptors ``fds`` (``SCM_RIGHTS``).

    Returns the byte count sent.
    """
    fd = socket
    views = io_vectors._views("send_msg", False)
    ancdata = _rights(fds)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("send_msg"))
    sock = fd._socket()
    return wrap_syscall(WRITE, fd, lambda: sock.sendmsg(views, ancdata))


def send_msgto(
    *, socket: FileDescr, io_vectors: IOVectors, fds: Iterable[int], dest: Any
) -> _lwt.Promise[int]:
    """Like :func:`send_msg`, to the address ``dest`` (for connectionless sockets)."""
    fd = socket
    views = io_vectors._views("send_msgto", False)
    ancdata = _rights(fds)
    if fd._state is not _OPENED:
        return _lwt.fail(fd._state_error("send_msgto"))
    sock = fd._socket()
    return wrap_syscall(WRITE, fd, lambda: sock.sendmsg(views, ancdata, 0, dest))


# ---------------------------------------------------------------- options
def getsockopt(fd: FileDescr, level: int, option: int) -> bool:
    """Return the boolean socket option ``option`` at ``level`` (``SO_REUSEADDR``...)."""
    return _sock(fd, "getsockopt").getsockopt(level, option) != 0


def setsockopt(fd: FileDescr, level: int, option: int, value: bool) -> None:
    """Set the boolean socket option ``option`` at ``level``."""
    _sock(fd, "setsockopt").setsockopt(level, option, 1 if value else 0)


def getsockopt_int(fd: FileDescr, level: int, option: int) -> int:
    """Return the integer socket option ``option`` at ``level`` (``SO_SNDBUF``...)."""
    return _sock(fd, "getsockopt_int").getsockopt(level, option)


def setsockopt_int(fd: FileDescr, level: int, option: int, value: int) -> None:
    """Set the integer socket option ``option`` at ``level``."""
    _sock(fd, "setsockopt_int").setsockopt(level, option, value)


_LINGER = struct.Struct("ii")


def getsockopt_optint(fd: FileDescr, level: int, option: int) -> int | None:
    """Return an optional integer option (``SO_LINGER``): seconds, or ``None`` when off."""
    raw = _sock(fd, "getsockopt_optint").getsockopt(level, option, _LINGER.size)
    on, seconds = _LINGER.unpack(raw)
    return seconds if on else None


def setsockopt_optint(fd: FileDescr, level: int, option: int, value: int | None) -> None:
    """Set an optional integer option (``SO_LINGER``): seconds, or ``None`` to turn it off."""
    packed = _LINGER.pack(0, 0) if value is None else _LINGER.pack(1, value)
    _sock(fd, "setsockopt_optint").setsockopt(level, option, packed)


_TIMEVAL = struct.Struct("ll")


def getsockopt_float(fd: FileDescr, level: int, option: int) -> float:
    """Return a time option (``SO_RCVTIMEO``, ``SO_SNDTIMEO``) in seconds.

    lwt sockets are non-blocking, so these options do nothing for them;
    use :func:`lwt.unix.with_timeout` instead.
    """
    raw = _sock(fd, "getsockopt_float").getsockopt(level, option, _TIMEVAL.size)
    sec, usec = _TIMEVAL.unpack(raw)
    return float(sec + usec / 1e6)


def setsockopt_float(fd: FileDescr, level: int, option: int, value: float) -> None:
    """Set a time option (``SO_RCVTIMEO``, ``SO_SNDTIMEO``) in seconds."""
    if value < 0:
        raise _lwt.InvalidArgument(f"setsockopt_float: negative time {value}")
    sec = int(value)
    usec = round((value - sec) * 1e6)
    _sock(fd, "setsockopt_float").setsockopt(level, option, _TIMEVAL.pack(sec, usec))


def getsockopt_error(fd: FileDescr) -> OSError | None:
    """Return the pending error of the socket (``SO_ERROR``), clearing it, or ``None``."""
    err = _sock(fd, "getsockopt_error").getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
    return OSError(err, os.strerror(err)) if err else None


# --------------------------------------------------------------- multicast
def _ipv4_socket(fd: FileDescr, api: str) -> _SockView:
    sock = _sock(fd, api)
    if sock.family != _socket.AF_INET:
        raise _lwt.InvalidArgument(f"{api}: only IPv4 sockets are supported")
    return sock


def mcast_set_loop(fd: FileDescr, flag: bool) -> None:
    """Set whether multicast messages sent on ``fd`` come back to this host (IPv4)."""
    sock = _ipv4_socket(fd, "mcast_set_loop")
    sock.setsockopt(_socket.IPPROTO_IP, _socket.IP_MULTICAST_LOOP, 1 if flag else 0)


def mcast_set_ttl(fd: FileDescr, ttl: int) -> None:
    """Set the time-to-live of multicast messages sent on ``fd`` (IPv4)."""
    sock = _ipv4_socket(fd, "mcast_set_ttl")
    sock.setsockopt(_socket.IPPROTO_IP, _socket.IP_MULTICAST_TTL, ttl)


def _membership(api: str, option: int, fd: FileDescr, addr: str, ifname: str | None) -> None:
    sock = _ipv4_socket(fd, api)
    try:
        group = _socket.inet_aton(addr)
        iface = _socket.inet_aton(ifname if ifname is not None else "0.0.0.0")
    except OSError:
        raise _lwt.InvalidArgument(f"{api}: not an IPv4 address: {addr!r} / {ifname!r}") from None
    sock.setsockopt(_socket.IPPROTO_IP, option, group + iface)


def mcast_add_membership(fd: FileDescr, addr: str, ifname: str | None = None) -> None:
    """Join the IPv4 multicast group ``addr`` on the interface with address ``ifname`` (any)."""
    _membership("mcast_add_membership", _socket.IP_ADD_MEMBERSHIP, fd, addr, ifname)


def mcast_drop_membership(fd: FileDescr, addr: str, ifname: str | None = None) -> None:
    """Leave the IPv4 multicast group ``addr`` on the interface with address ``ifname`` (any)."""
    _membership("mcast_drop_membership", _socket.IP_DROP_MEMBERSHIP, fd, addr, ifname)


# ------------------------------------------------------------ credentials
@dataclass(frozen=True)
class Credentials:
    """The peer of a Unix socket: its process, user and group ids (``Lwt_unix.credentials``)."""

    cred_pid: int
    cred_uid: int
    cred_gid: int


Credentials.__module__ = "lwt.unix"

_UCRED = struct.Struct("iII")


def get_credentials(fd: FileDescr) -> Credentials:
    """Return the credentials of the peer of the connected Unix socket ``fd``.

    Raises:
        OSError: ``ENOSYS`` where ``SO_PEERCRED`` is missing (Linux has it).
    """
    sock = _sock(fd, "get_credentials")
    peercred = getattr(_socket, "SO_PEERCRED", None)
    if peercred is None:
        raise OSError(errno.ENOSYS, f"get_credentials: not available on {sys.platform}")
    pid, uid, gid = _UCRED.unpack(sock.getsockopt(_socket.SOL_SOCKET, peercred, _UCRED.size))
    return Credentials(pid, uid, gid)
