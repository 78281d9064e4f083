"""lwt.unix: what makes lwt promises move (Lwt_unix, Lwt_main, Lwt_engine).

:func:`lwt.unix.main.run` runs the loop: it drives the current engine
(:mod:`lwt.unix.engine`), which waits for file descriptors and timers, until
a promise resolves.  This package holds Lwt_unix's values, spelled with
Python's conventions:

* timing: :func:`sleep`, :func:`yield_`, :func:`timeout` (rejected with
  :class:`Timeout`), :func:`with_timeout`, :func:`auto_pause`;
* descriptors: :class:`FileDescr` (:func:`of_unix_file_descr`, states
  :class:`Opened`, :class:`Closed`, :class:`Aborted`), :func:`close`,
  :func:`abort`, :func:`readable`, :func:`wait_read`, :func:`pipe`...;
* I/O into any writable buffer: :func:`read`, :func:`write`,
  :func:`pread`, :func:`pwrite`, :func:`readv` and :func:`writev` with
  :class:`IOVectors`;
* sockets: :func:`socket`, :func:`bind`, :func:`listen`, :func:`accept`,
  :func:`connect`, :func:`recv`, :func:`send`, :func:`recv_msg` with
  descriptor passing, options, multicast, :func:`get_credentials`;
* names, looked up in worker threads: :func:`getaddrinfo`,
  :func:`gethostbyname`, :func:`getservbyname`...;
* notifications from other threads and signal handlers:
  :func:`make_notification`, :func:`send_notification`.

Flags and constants are the :mod:`os` and :mod:`socket` modules' own;
addresses are what :mod:`socket` uses; system errors are :class:`OSError`
with the right subclass and errno.  Bad offsets and lengths raise
:class:`lwt.core.InvalidArgument`.

.. note:: Differences from Lwt_unix: ``IO_vectors`` is the class
   :class:`IOVectors`; ``Retry_read``/``Retry_write`` are
   :class:`RetryRead`/:class:`RetryWrite`; ``io_event`` is
   :class:`IOEvent`; :meth:`FileDescr.blocking` is a method returning a
   promise, as Lwt's ``blocking`` function; labelled arguments are keyword
   arguments (``pread(fd, buf, ofs, length, file_offset=...)``,
   ``recv_msg(socket=..., io_vectors=...)``); socket options take the
   ``level`` and ``option`` of :meth:`socket.socket.getsockopt`;
   :func:`getaddrinfo` takes its options as keyword arguments.

   Left out because meaningless in Python: ``handle_unix_error``
   (exceptions print themselves), ``IO_vectors.append_bigarray`` (any
   buffer goes to ``append_bytes``), ``Versioned``, and the deprecated
   internals ``has_wait4``, ``somaxconn``, ``read_bigarray``,
   ``write_bigarray``.  Not implemented yet: file-system calls
   (``openfile``, ``stat``, ``lseek``, directories...), processes
   (``fork``, ``wait``, ``waitpid``, ``system``), signals, terminals,
   users and groups, CPU affinity, ``dup``, and the job configuration
   (``async_method``, ``run_job``, ``pool_size``, ``abort_jobs``...).
"""

from __future__ import annotations

import contextlib

from . import engine, main
from ._fd import (
    Aborted,
    Closed,
    FileDescr,
    IOEvent,
    Opened,
    Retry,
    RetryRead,
    RetryWrite,
    abort,
    blocking,
    check_descriptor,
    close,
    of_unix_file_descr,
    pipe,
    pipe_in,
    pipe_out,
    readable,
    register_action,
    set_blocking,
    state,
    stderr,
    stdin,
    stdout,
    unix_file_descr,
    wait_read,
    wait_write,
    wrap_syscall,
    writable,
)
from ._io import (
    IOVectors,
    pread,
    pwrite,
    pwrite_string,
    read,
    readv,
    write,
    write_string,
    writev,
)
from ._names import (
    HostEntry,
    ProtocolEntry,
    ServiceEntry,
    getaddrinfo,
    gethostbyaddr,
    gethostbyname,
    gethostname,
    getnameinfo,
    getprotobyname,
    getprotobynumber,
    getservbyname,
    getservbyport,
)
from ._notify import (
    call_notification,
    make_notification,
    send_notification,
    set_notification,
    stop_notification,
)
from ._socket import (
    Credentials,
    accept,
    accept_n,
    bind,
    connect,
    get_credentials,
    getpeername,
    getsockname,
    getsockopt,
    getsockopt_error,
    getsockopt_float,
    getsockopt_int,
    getsockopt_optint,
    listen,
    mcast_add_membership,
    mcast_drop_membership,
    mcast_set_loop,
    mcast_set_ttl,
    recv,
    recv_msg,
    recvfrom,
    send,
    send_msg,
    send_msgto,
    sendto,
    setsockopt,
    setsockopt_float,
    setsockopt_int,
    setsockopt_optint,
    shutdown,
    socket,
    socketpair,
)
from ._status import WEXITED, WSIGNALED, WSTOPPED
from ._time import Timeout, auto_pause, auto_yield, sleep, timeout, with_timeout, yield_

__all__ = [
    "WEXITED",
    "WSIGNALED",
    "WSTOPPED",
    "Aborted",
    "Closed",
    "Credentials",
    "FileDescr",
    "HostEntry",
    "IOEvent",
    "IOVectors",
    "Opened",
    "ProtocolEntry",
    "Retry",
    "RetryRead",
    "RetryWrite",
    "ServiceEntry",
    "Timeout",
    "abort",
    "accept",
    "accept_n",
    "auto_pause",
    "auto_yield",
    "bind",
    "blocking",
    "call_notification",
    "check_descriptor",
    "close",
    "connect",
    "engine",
    "get_credentials",
    "getaddrinfo",
    "gethostbyaddr",
    "gethostbyname",
    "gethostname",
    "getnameinfo",
    "getpeername",
    "getprotobyname",
    "getprotobynumber",
    "getservbyname",
    "getservbyport",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "getsockopt_float",
    "getsockopt_int",
    "getsockopt_optint",
    "listen",
    "main",
    "make_notification",
    "mcast_add_membership",
    "mcast_drop_membership",
    "mcast_set_loop",
    "mcast_set_ttl",
    "of_unix_file_descr",
    "pipe",
    "pipe_in",
    "pipe_out",
    "pread",
    "pwrite",
    "pwrite_string",
    "read",
    "readable",
    "readv",
    "recv",
    "recv_msg",
    "recvfrom",
    "register_action",
    "send",
    "send_msg",
    "send_msgto",
    "send_notification",
    "sendto",
    "set_blocking",
    "set_notification",
    "setsockopt",
    "setsockopt_float",
    "setsockopt_int",
    "setsockopt_optint",
    "shutdown",
    "sleep",
    "socket",
    "socketpair",
    "state",
    "stderr",
    "stdin",
    "stdout",
    "stop_notification",
    "timeout",
    "unix_file_descr",
    "wait_read",
    "wait_write",
    "with_timeout",
    "wrap_syscall",
    "writable",
    "write",
    "write_string",
    "writev",
    "yield_",
]


def _publish() -> None:
    """Make reprs, tracebacks and the docs name the public module."""
    g = globals()
    for name in __all__:
        obj = g[name]
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and module.startswith("lwt.unix._"):
            with contextlib.suppress(AttributeError, TypeError):
                obj.__module__ = __name__


_publish()
del _publish
