"""Host, service and protocol names, looked up in worker threads.

Every function here may block on the network or on files (``/etc/hosts``,
DNS, NSS modules), so each runs in a worker thread (see
:mod:`lwt.unix._jobs`) and returns a promise; the loop never blocks on
them.  Cancelling the promise abandons the answer.

Results keep Lwt's shapes: :class:`HostEntry`, :class:`ProtocolEntry` and
:class:`ServiceEntry` are OCaml's records, with their field names;
:func:`getaddrinfo` and :func:`getnameinfo` return what
:func:`socket.getaddrinfo` and :func:`socket.getnameinfo` return.  Where
OCaml raises ``Not_found`` (an unknown name), the promise is rejected with
:class:`lwt.core.NotFound`, whose ``__cause__`` is the error of the system.

Python's :mod:`socket` has no ``getprotobynumber`` and does not return
aliases, so the protocol and service look-ups call the C library's
functions through :mod:`ctypes`, one thread at a time (they return static
storage).
"""

from __future__ import annotations

import ctypes
import socket as _socket
import threading
from dataclasses import dataclass
from typing import Any

import lwt.core as _lwt

from . import _jobs

__all__ = [
    "HostEntry",
    "ProtocolEntry",
    "ServiceEntry",
    "getaddrinfo",
    "gethostbyaddr",
    "gethostbyname",
    "gethostname",
    "getnameinfo",
    "getprotobyname",
    "getprotobynumber",
    "getservbyname",
    "getservbyport",
]


@dataclass(frozen=True)
class HostEntry:
    """A host: its name, aliases, address family and addresses (``Unix.host_entry``)."""

    h_name: str
    h_aliases: list[str]
    h_addrtype: int
    h_addr_list: list[str]


@dataclass(frozen=True)
class ProtocolEntry:
    """A protocol: its name, aliases and number (``Unix.protocol_entry``)."""

    p_name: str
    p_aliases: list[str]
    p_proto: int


@dataclass(frozen=True)
class ServiceEntry:
    """A service: its name, aliases, port and protocol (``Unix.service_entry``)."""

    s_name: str
    s_aliases: list[str]
    s_port: int
    s_proto: str


for _cls in (HostEntry, ProtocolEntry, ServiceEntry):
    _cls.__module__ = "lwt.unix"
del _cls


# ------------------------------------------------------------------ hosts
def gethostname() -> _lwt.Promise[str]:
    """Return a promise of the host's name."""
    return _jobs.run(_socket.gethostname)


def _host_by_name(name: str) -> HostEntry:
    try:
        h_name, aliases, addrs = _socket.gethostbyname_ex(name)
    except OSError as exc:
        raise _lwt.NotFound(f"gethostbyname: {name!r}") from exc
    return HostEntry(h_name, aliases, _socket.AF_INET, addrs)


def gethostbyname(name: str) -> _lwt.Promise[HostEntry]:
    """Look up the IPv4 addresses of the host ``name``.

    Rejected with :class:`lwt.core.NotFound` if the host is unknown.
    """
    return _jobs.run(_host_by_name, name)


def _host_by_addr(addr: str) -> HostEntry:
    try:
        h_name, aliases, addrs = _socket.gethostbyaddr(addr)
    except OSError as exc:
        raise _lwt.NotFound(f"gethostbyaddr: {addr!r}") from exc
    family = _socket.AF_INET6 if ":" in addr else _socket.AF_INET
    return HostEntry(h_name, aliases, family, addrs)


def gethostbyaddr(addr: str) -> _lwt.Promise[HostEntry]:
    """Look up the host with the (IPv4 or IPv6) address ``addr``.

    Rejected with :class:`lwt.core.NotFound` if nothing is known of it.
    """
    return _jobs.run(_host_by_addr, addr)


def _addr_info(
    host: str | None, service: str | int | None, family: int, type: int, proto: int, flags: int
) -> list[tuple[Any, ...]]:
    try:
        return _socket.getaddrinfo(host, service, family, type, proto, flags)
    except _socket.gaierror:
        return []


def getaddrinfo(
    host: str | None,
    service: str | int | None,
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> _lwt.Promise[list[tuple[Any, ...]]]:
    """Look up the addresses for ``host`` and ``service``, like :func:`socket.getaddrinfo`.

    Returns a list of ``(family, type, proto, canonname, sockaddr)``.  The
    options that Lwt passes as a list are keyword arguments here
    (``family=socket.AF_INET``, ``flags=socket.AI_PASSIVE``...).

    .. note:: As OCaml's ``Unix.getaddrinfo``, an unknown host or service
       gives an empty list rather than an error.
    """
    return _jobs.run(_addr_info, host, service, family, type, proto, flags)


def _name_info(sockaddr: Any, flags: int) -> tuple[str, str]:
    try:
        return _socket.getnameinfo(sockaddr, flags)
    except OSError as exc:
        raise _lwt.NotFound(f"getnameinfo: {sockaddr!r}") from exc


def getnameinfo(sockaddr: Any, flags: int = 0) -> _lwt.Promise[tuple[str, str]]:
    """Look up the host and service names of ``sockaddr`` (:func:`socket.getnameinfo`).

    ``flags`` are ``socket.NI_*`` values.  Returns ``(host, service)``;
    rejected with :class:`lwt.core.NotFound` if the look-up fails.
    """
    return _jobs.run(_name_info, sockaddr, flags)


# -------------------------------------------------- protocols and services
class _Protoent(ctypes.Structure):
    _fields_ = (
        ("p_name", ctypes.c_char_p),
        ("p_aliases", ctypes.POINTER(ctypes.c_char_p)),
        ("p_proto", ctypes.c_int),
    )


class _Servent(ctypes.Structure):
    _fields_ = (
        ("s_name", ctypes.c_char_p),
        ("s_aliases", ctypes.POINTER(ctypes.c_char_p)),
        ("s_port", ctypes.c_int),
        ("s_proto", ctypes.c_char_p),
    )


_libc_lock = threading.Lock()
_libc: Any = None


def _c() -> Any:
    """The C library, its look-up functions typed (loaded on first use)."""
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None)
        proto_p = ctypes.POINTER(_Protoent)
        serv_p = ctypes.POINTER(_Servent)
        libc.getprotobyname.argtypes = (ctypes.c_char_p,)
        libc.getprotobyname.restype = proto_p
        libc.getprotobynumber.argtypes = (ctypes.c_int,)
        libc.getprotobynumber.restype = proto_p
        libc.getservbyname.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
        libc.getservbyname.restype = serv_p
        libc.getservbyport.argtypes = (ctypes.c_int, ctypes.c_char_p)
        libc.getservbyport.restype = serv_p
        _libc = libc
    return _libc


def _strings(array: Any) -> list[str]:
    out: list[str] = []
    if not array:
        return out
    i = 0
    while array[i] is not None:
        out.append(array[i].decode("utf-8", "surrogateescape"))
        i += 1
    return out


def _decode(b: bytes | None) -> str:
    return "" if b is None else b.decode("utf-8", "surrogateescape")


def _protocol(api: str, what: object, call: Any, *args: Any) -> ProtocolEntry:
    with _libc_lock:
        p = call(*args)
        if not p:
            raise _lwt.NotFound(f"{api}: {what!r}")
        e = p.contents
        return ProtocolEntry(_decode(e.p_name), _strings(e.p_aliases), e.p_proto)


def _service(api: str, what: object, call: Any, *args: Any) -> ServiceEntry:
    with _libc_lock:
        p = call(*args)
        if not p:
            raise _lwt.NotFound(f"{api}: {what!r}")
        e = p.contents
        port = _socket.ntohs(e.s_port & 0xFFFF)
        return ServiceEntry(_decode(e.s_name), _strings(e.s_aliases), port, _decode(e.s_proto))


def _proto_arg(protocol: str) -> bytes | None:
    return protocol.encode() if protocol else None


def getprotobyname(name: str) -> _lwt.Promise[ProtocolEntry]:
    """Look up the protocol called ``name`` (``"tcp"``...).

    Rejected with :class:`lwt.core.NotFound` if unknown.
    """
    return _jobs.run(lambda: _protocol("getprotobyname", name, _c().getprotobyname, name.encode()))


def getprotobynumber(number: int) -> _lwt.Promise[ProtocolEntry]:
    """Look up the protocol with the number ``number`` (6 is TCP...)."""
    return _jobs.run(lambda: _protocol("getprotobynumber", number, _c().getprotobynumber, number))


def getservbyname(name: str, protocol: str) -> _lwt.Promise[ServiceEntry]:
    """Look up the service ``name`` for ``protocol`` (``"tcp"``, ``"udp"``; ``""``: any)."""
    return _jobs.run(
        lambda: _service(
            "getservbyname",
            (name, protocol),
            _c().getservbyname,
            name.encode(),
            _proto_arg(protocol),
        )
    )


def getservbyport(port: int, protocol: str) -> _lwt.Promise[ServiceEntry]:
    """Look up the service on ``port`` for ``protocol`` (``"tcp"``, ``"udp"``; ``""``: any)."""
    if not 0 <= port <= 0xFFFF:
        raise _lwt.InvalidArgument(f"getservbyport: port out of range: {port}")
    return _jobs.run(
        lambda: _service(
            "getservbyport",
            (port, protocol),
            _c().getservbyport,
            _socket.htons(port),
            _proto_arg(protocol),
        )
    )
