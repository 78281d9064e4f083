"""Host, service and protocol names, looked up in worker threads."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
from lwt.unix.main import run

HAS_SERVICES = Path("/etc/services").exists()


def test_gethostname_matches_socket() -> None:
    assert run(unix.gethostname()) == socket.gethostname()


def test_getaddrinfo_of_a_numeric_host() -> None:
    infos = run(unix.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM))
    assert infos
    family, type_, _proto, _canon, addr = infos[0]
    assert family == socket.AF_INET
    assert type_ == socket.SOCK_STREAM
    assert addr == ("127.0.0.1", 80)


def test_getaddrinfo_of_an_unknown_host_is_empty() -> None:
    assert run(unix.getaddrinfo("no-such-host.invalid", 80, flags=socket.AI_NUMERICHOST)) == []


def test_getnameinfo_numeric() -> None:
    flags = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
    assert run(unix.getnameinfo(("127.0.0.1", 8080), flags)) == ("127.0.0.1", "8080")


def test_getnameinfo_failure_is_not_found() -> None:
    with pytest.raises(lwt.NotFound):
        run(unix.getnameinfo(("127.0.0.1", 80), socket.NI_NAMEREQD | socket.NI_NUMERICHOST))


def test_gethostbyname_localhost() -> None:
    entry = run(unix.gethostbyname("127.0.0.1"))
    assert entry.h_addr_list == ["127.0.0.1"]
    assert entry.h_addrtype == socket.AF_INET


def test_gethostbyname_unknown_is_not_found() -> None:
    with pytest.raises(lwt.NotFound) as info:
        run(unix.gethostbyname("no-such-host.invalid"))
    assert isinstance(info.value.__cause__, OSError)


def test_gethostbyaddr_loopback() -> None:
    try:
        expected = socket.gethostbyaddr("127.0.0.1")
    except OSError:
        pytest.skip("this host cannot name 127.0.0.1")
    entry = run(unix.gethostbyaddr("127.0.0.1"))
    assert (entry.h_name, entry.h_aliases, entry.h_addr_list) == expected
    assert entry.h_addrtype == socket.AF_INET


def test_protocols_by_name_and_number() -> None:
    try:
        number = socket.getprotobyname("tcp")
    except OSError:
        pytest.skip("no protocol database here")
    tcp = run(unix.getprotobyname("tcp"))
    assert (tcp.p_name, tcp.p_proto) == ("tcp", number)
    assert run(unix.getprotobynumber(number)) == tcp
    with pytest.raises(lwt.NotFound):
        run(unix.getprotobyname("no-such-protocol"))


@pytest.mark.skipif(not HAS_SERVICES, reason="no /etc/services")
def test_services_by_name_and_port() -> None:
    port = socket.getservbyname("ssh", "tcp")
    ssh = run(unix.getservbyname("ssh", "tcp"))
    assert (ssh.s_name, ssh.s_port, ssh.s_proto) == ("ssh", port, "tcp")
    assert run(unix.getservbyport(port, "tcp")) == ssh
    with pytest.raises(lwt.NotFound):
        run(unix.getservbyname("no-such-service", "tcp"))
    with pytest.raises(lwt.InvalidArgument):
        unix.getservbyport(70000, "tcp")


def test_cancelling_a_lookup_abandons_it() -> None:
    p = unix.getaddrinfo("127.0.0.1", 80)
    p.cancel()
    with pytest.raises(lwt.Canceled):
        run(p)
