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
  :func:`make_notification`, :func:`send_notification`;
* files, directories, users and terminals, as jobs in worker threads:
  :func:`openfile`, :func:`stat`, :func:`lseek`, :func:`opendir`,
  :func:`files_of_directory`, :func:`getpwnam`, :func:`tcgetattr`...;
  the job configuration: :class:`AsyncMethod`, :func:`with_async_none`,
  :func:`set_pool_size`, :func:`wait_for_jobs`, :func:`abort_jobs`...;
* signals handled in the loop: :func:`on_signal`,
  :func:`disable_signal_handler`;
* child processes, waited for without blocking: :func:`waitpid`,
  :func:`wait`, :func:`wait4`, :func:`system`, :func:`wait_count`; CPU
  affinity: :func:`get_affinity`, :func:`set_affinity`, :func:`get_cpu`.

Sub-modules: :mod:`lwt.unix.main`, :mod:`lwt.unix.engine`,
:mod:`lwt.unix.preemptive` (threads, executors), :mod:`lwt.unix.timers`
(Lwt_timeout), :mod:`lwt.unix.throttle`, :mod:`lwt.unix.gc`, and, beyond
Lwt, :mod:`lwt.unix.interop` (promises and asyncio futures following each
other; see ``AsyncioEngine`` in :mod:`lwt.unix.engine`) and
:mod:`lwt.unix.testing` (virtual time for tests; the distribution
also registers a pytest plugin, ``lwt.unix.pytest_plugin``).

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
   ``write_bigarray``.  Results keep Python's shapes: stats are
   :class:`os.stat_result`, users :class:`pwd.struct_passwd`, resource
   usage :class:`resource.struct_rusage`; ``LargeFile`` holds the same
   functions (integers are unbounded); :func:`dup` and :func:`dup2` take
   ``cloexec=``.  Async methods are ``AsyncMethod.ASYNC_NONE`` and
   ``AsyncMethod.ASYNC_DETACH`` (Lwt 5 dropped ``Async_switch``).
   Not implemented yet: ``fork`` (with the engine and notifications
   reset in the child) and ``sigchld_handler_installer``.  Left out:
   ``run_job`` and the other C-job internals (use
   :func:`lwt.unix.preemptive.detach` for a function of your own).
"""

from __future__ import annotations

import contextlib

from . import engine, gc, main, preemptive, throttle, timers
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
from ._files import (
    DirHandle,
    LargeFile,
    access,
    chdir,
    chmod,
    chown,
    chroot,
    clear_close_on_exec,
    closedir,
    dup,
    dup2,
    fchmod,
    fchown,
    fdatasync,
    file_exists,
    files_of_directory,
    fstat,
    fsync,
    ftruncate,
    getcwd,
    getgrgid,
    getgrnam,
    getlogin,
    getpwnam,
    getpwuid,
    isatty,
    link,
    lockf,
    lseek,
    lstat,
    mkdir,
    mkfifo,
    opendir,
    openfile,
    readdir,
    readdir_n,
    readlink,
    rename,
    rewinddir,
    rmdir,
    set_close_on_exec,
    stat,
    symlink,
    tcdrain,
    tcflow,
    tcflush,
    tcgetattr,
    tcsendbreak,
    tcsetattr,
    truncate,
    unlink,
    utimes,
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
from ._jobs import (
    AsyncMethod,
    abort_jobs,
    async_method,
    async_method_key,
    cancel_jobs,
    default_async_method,
    pool_size,
    set_default_async_method,
    set_pool_size,
    thread_count,
    thread_waiting_count,
    wait_for_jobs,
    with_async_detach,
    with_async_none,
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
from ._process import (
    get_affinity,
    get_cpu,
    set_affinity,
    system,
    wait,
    wait4,
    wait_count,
    waitpid,
)
from ._signals import (
    SignalHandlerId,
    disable_signal_handler,
    handle_signal,
    on_signal,
    on_signal_full,
    reinstall_signal_handler,
    signal_count,
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
    "AsyncMethod",
    "Closed",
    "Credentials",
    "DirHandle",
    "FileDescr",
    "HostEntry",
    "IOEvent",
    "IOVectors",
    "LargeFile",
    "Opened",
    "ProtocolEntry",
    "Retry",
    "RetryRead",
    "RetryWrite",
    "ServiceEntry",
    "SignalHandlerId",
    "Timeout",
    "abort",
    "abort_jobs",
    "accept",
    "accept_n",
    "access",
    "async_method",
    "async_method_key",
    "auto_pause",
    "auto_yield",
    "bind",
    "blocking",
    "call_notification",
    "cancel_jobs",
    "chdir",
    "check_descriptor",
    "chmod",
    "chown",
    "chroot",
    "clear_close_on_exec",
    "close",
    "closedir",
    "connect",
    "default_async_method",
    "disable_signal_handler",
    "dup",
    "dup2",
    "engine",
    "fchmod",
    "fchown",
    "fdatasync",
    "file_exists",
    "files_of_directory",
    "fstat",
    "fsync",
    "ftruncate",
    "gc",
    "get_affinity",
    "get_cpu",
    "get_credentials",
    "getaddrinfo",
    "getcwd",
    "getgrgid",
    "getgrnam",
    "gethostbyaddr",
    "gethostbyname",
    "gethostname",
    "getlogin",
    "getnameinfo",
    "getpeername",
    "getprotobyname",
    "getprotobynumber",
    "getpwnam",
    "getpwuid",
    "getservbyname",
    "getservbyport",
    "getsockname",
    "getsockopt",
    "getsockopt_error",
    "getsockopt_float",
    "getsockopt_int",
    "getsockopt_optint",
    "handle_signal",
    "isatty",
    "link",
    "listen",
    "lockf",
    "lseek",
    "lstat",
    "main",
    "make_notification",
    "mcast_add_membership",
    "mcast_drop_membership",
    "mcast_set_loop",
    "mcast_set_ttl",
    "mkdir",
    "mkfifo",
    "of_unix_file_descr",
    "on_signal",
    "on_signal_full",
    "opendir",
    "openfile",
    "pipe",
    "pipe_in",
    "pipe_out",
    "pool_size",
    "pread",
    "preemptive",
    "pwrite",
    "pwrite_string",
    "read",
    "readable",
    "readdir",
    "readdir_n",
    "readlink",
    "readv",
    "recv",
    "recv_msg",
    "recvfrom",
    "register_action",
    "reinstall_signal_handler",
    "rename",
    "rewinddir",
    "rmdir",
    "send",
    "send_msg",
    "send_msgto",
    "send_notification",
    "sendto",
    "set_affinity",
    "set_blocking",
    "set_close_on_exec",
    "set_default_async_method",
    "set_notification",
    "set_pool_size",
    "setsockopt",
    "setsockopt_float",
    "setsockopt_int",
    "setsockopt_optint",
    "shutdown",
    "signal_count",
    "sleep",
    "socket",
    "socketpair",
    "stat",
    "state",
    "stderr",
    "stdin",
    "stdout",
    "stop_notification",
    "symlink",
    "system",
    "tcdrain",
    "tcflow",
    "tcflush",
    "tcgetattr",
    "tcsendbreak",
    "tcsetattr",
    "thread_count",
    "thread_waiting_count",
    "throttle",
    "timeout",
    "timers",
    "truncate",
    "unix_file_descr",
    "unlink",
    "utimes",
    "wait",
    "wait4",
    "wait_count",
    "wait_for_jobs",
    "wait_read",
    "wait_write",
    "waitpid",
    "with_async_detach",
    "with_async_none",
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
