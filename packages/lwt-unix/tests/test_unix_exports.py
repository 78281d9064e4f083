"""The public names of lwt.unix and its sub-modules, pinned.

Adding or removing a public name is a decision: update the lists here with it.
Every export also says where it lives (``__module__`` is the public path).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

UNIX_ALL = [
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
    "WEXITED",
    "WSIGNALED",
    "WSTOPPED",
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

ENGINE_ALL = [
    "AsyncioEngine",
    "Engine",
    "Event",
    "PollEngine",
    "SelectEngine",
    "SelectorEngine",
    "fake_event",
    "fake_io",
    "fork",
    "forwards_signal",
    "get",
    "iter",
    "on_readable",
    "on_timer",
    "on_writable",
    "readable_count",
    "set",
    "stop_event",
    "timer_count",
    "writable_count",
]

MAIN_ALL = [
    "Hook",
    "Hooks",
    "abandon_yielded_and_paused",
    "at_exit",
    "enter_iter_hooks",
    "exit_hooks",
    "leave_iter_hooks",
    "run",
    "yield_",
]


PREEMPTIVE_ALL = [
    "detach",
    "get_bounds",
    "get_max_number_of_threads_queued",
    "init",
    "nbthreads",
    "nbthreadsbusy",
    "nbthreadsqueued",
    "run_in_main",
    "run_in_main_dont_wait",
    "set_bounds",
    "set_max_number_of_threads_queued",
    "simple_init",
]

TIMERS_ALL = ["Timer", "change", "set_exn_handler", "start", "stop"]

THROTTLE_ALL = ["Throttle", "wait"]

GC_ALL = ["finalise", "finalise_or_exit"]

SUBMODULES_ALL = {
    "lwt.unix": UNIX_ALL,
    "lwt.unix.engine": ENGINE_ALL,
    "lwt.unix.main": MAIN_ALL,
    "lwt.unix.preemptive": PREEMPTIVE_ALL,
    "lwt.unix.timers": TIMERS_ALL,
    "lwt.unix.throttle": THROTTLE_ALL,
    "lwt.unix.gc": GC_ALL,
    "lwt.unix.interop": ["of_awaitable", "of_future", "to_future"],
    "lwt.unix.testing": ["VirtualClock", "VirtualTimeEngine", "virtual_time"],
}


@pytest.mark.parametrize(("module", "expected"), sorted(SUBMODULES_ALL.items()))
def test_all_is_pinned(module: str, expected: list[str]) -> None:
    assert sorted(importlib.import_module(module).__all__) == expected


@pytest.mark.parametrize("module", sorted(SUBMODULES_ALL))
def test_exports_name_their_public_module(module: str) -> None:
    mod = importlib.import_module(module)
    wrong = [
        name
        for name in mod.__all__
        if (inspect.isclass(obj := getattr(mod, name)) or inspect.isfunction(obj))
        and obj.__module__.startswith("lwt.unix._")
    ]
    assert wrong == []


def test_api_md_spellings() -> None:
    import lwt.unix as unix

    assert unix.WEXITED(3) == unix.WEXITED(3)
    assert unix.WSIGNALED(9).signum == 9
    assert unix.WSTOPPED(19).signum == 19
    assert isinstance(unix.engine.get().readable_count(), int)
