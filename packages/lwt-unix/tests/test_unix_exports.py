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
    "WEXITED",
    "WSIGNALED",
    "WSTOPPED",
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

ENGINE_ALL = [
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


@pytest.mark.parametrize(
    ("module", "expected"),
    [("lwt.unix", UNIX_ALL), ("lwt.unix.engine", ENGINE_ALL), ("lwt.unix.main", MAIN_ALL)],
)
def test_all_is_pinned(module: str, expected: list[str]) -> None:
    assert sorted(importlib.import_module(module).__all__) == expected


@pytest.mark.parametrize("module", ["lwt.unix", "lwt.unix.engine", "lwt.unix.main"])
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
