"""Sockets on 127.0.0.1 and in temporary directories: TCP, UDP, Unix, options, multicast."""

from __future__ import annotations

import errno
import functools
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.ppx import promise
from lwt.unix import IOVectors
from lwt.unix.main import run

LOOPBACK = "127.0.0.1"


class Stop(Exception):
    pass


def close_all(*fds: unix.FileDescr) -> None:
    for fd in fds:
        if fd.state != unix.Closed():
            run(unix.close(fd))


@pytest.fixture
def listener() -> Iterator[tuple[unix.FileDescr, tuple[str, int]]]:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    unix.setsockopt(fd, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    run(unix.bind(fd, (LOOPBACK, 0)))
    unix.listen(fd, 64)
    yield fd, unix.getsockname(fd)
    close_all(fd)


@promise
async def read_all(fd: unix.FileDescr) -> bytes:
    out = bytearray()
    buf = bytearray(4096)
    while True:
        n = await unix.read(fd, buf, 0, len(buf))
        if n == 0:
            return bytes(out)
        out += buf[:n]


@promise
async def write_all(fd: unix.FileDescr, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = await unix.write(fd, view, 0, len(view))
        view = view[n:]


@promise
async def connected(addr: tuple[str, int]) -> unix.FileDescr:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    await unix.connect(fd, addr)
    return fd


# -------------------------------------------------------------------- TCP
def test_tcp_connect_accept_and_echo(
    listener: tuple[unix.FileDescr, tuple[str, int]],
) -> None:
    lfd, addr = listener

    @promise
    async def server() -> bytes:
        conn, peer = await unix.accept(lfd)
        assert peer[0] == LOOPBACK
        assert run_state(conn) == unix.Opened()
        data = await read_all(conn)
        await write_all(conn, data[::-1])
        await unix.close(conn)
        return data

    @promise
    async def client() -> bytes:
        fd = await connected(addr)
        assert unix.getpeername(fd) == addr
        await write_all(fd, b"hello, lwt")
        unix.shutdown(fd, socket.SHUT_WR)
        answer = await read_all(fd)
        await unix.close(fd)
        return answer

    got, answer = run(lwt.both(server(), client()))
    assert got == b"hello, lwt"
    assert answer == b"twl ,olleh"


def run_state(fd: unix.FileDescr) -> object:
    return fd.state


def test_accepted_sockets_are_non_blocking(
    listener: tuple[unix.FileDescr, tuple[str, int]],
) -> None:
    lfd, addr = listener
    client = run(connected(addr))
    conn, _peer = run(unix.accept(lfd))
    assert run(conn.blocking()) is False
    assert not os.get_blocking(conn.unix_file_descr)
    assert not os.get_inheritable(conn.unix_file_descr)
    close_all(conn, client)


def test_accept_waits_and_can_be_cancelled(
    listener: tuple[unix.FileDescr, tuple[str, int]],
) -> None:
    lfd, _addr = listener
    p = unix.accept(lfd)
    assert p.is_sleeping()
    assert engine.readable_count() == 1
    p.cancel()
    assert engine.readable_count() == 0
    with pytest.raises(lwt.Canceled):
        run(p)


def test_accept_n_takes_every_waiting_connection_up_to_n(
    listener: tuple[unix.FileDescr, tuple[str, int]],
) -> None:
    lfd, addr = listener
    clients = [run(connected(addr)) for _ in range(5)]
    run(unix.sleep(0.01))
    conns, err = run(unix.accept_n(lfd, 3))
    assert err is None
    assert len(conns) == 3
    more, err = run(unix.accept_n(lfd, 10))
    assert err is None
    assert len(more) == 2
    close_all(*[c for c, _ in conns + more], *clients)
    with pytest.raises(lwt.InvalidArgument):
        unix.accept_n(lfd, 0)


def test_accept_n_reports_an_error_with_the_connections_so_far() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)  # not listening
    conns, err = run(unix.accept_n(fd, 2))
    assert conns == []
    assert isinstance(err, OSError)
    close_all(fd)


def test_connect_to_a_closed_port_is_refused() -> None:
    probe = socket.socket()
    probe.bind((LOOPBACK, 0))
    addr = probe.getsockname()
    probe.close()  # nobody listens there now
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError):
        run(unix.connect(fd, addr))
    close_all(fd)


def test_closing_a_socket_with_a_pending_read_rejects_it() -> None:
    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    p = unix.recv(a, bytearray(4), 0, 4)
    run(unix.close(a))
    with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
        run(p)
    assert info.value.errno == errno.EBADF
    close_all(b)


def test_http_request_end_to_end_raced_against_a_sleep(
    listener: tuple[unix.FileDescr, tuple[str, int]],
) -> None:
    # The seed program's request path on lwt.unix alone: a tiny HTTP/1.0
    # server, a client that sends "GET /" and reads to end of file.
    lfd, addr = listener
    body = b"<html>hello from lwt.unix</html>"

    @promise
    async def serve_one() -> bytes:
        conn, _peer = await unix.accept(lfd)
        request = bytearray()
        buf = bytearray(1024)
        while b"\r\n\r\n" not in request:
            n = await unix.read(conn, buf, 0, len(buf))
            if n == 0:
                break
            request += buf[:n]
        head = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
        await write_all(conn, head + body)
        await unix.close(conn)
        return bytes(request)

    @promise
    async def get() -> bytes:
        fd = await connected(addr)
        await write_all(fd, b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        response = await read_all(fd)
        await unix.close(fd)
        return response

    server = serve_one()
    response = run(lwt.pick([get(), unix.sleep(5.0).map(lambda _: b"too slow")]))
    request = run(server)
    assert request.startswith(b"GET / HTTP/1.0\r\n")
    assert response.startswith(b"HTTP/1.0 200 OK\r\n")
    assert response.endswith(body)
    assert engine.timer_count() == 0  # pick cancelled the sleep


def test_many_connections_at_once(listener: tuple[unix.FileDescr, tuple[str, int]]) -> None:
    lfd, addr = listener
    count = 40

    @promise
    async def echo_server() -> None:
        for _ in range(count):
            conn, _peer = await unix.accept(lfd)
            lwt.async_(functools.partial(echo, conn))

    @promise
    async def echo(conn: unix.FileDescr) -> None:
        buf = bytearray(1024)
        while (n := await unix.recv(conn, buf, 0, len(buf))) > 0:
            await write_all(conn, bytes(buf[:n]))
        await unix.close(conn)

    @promise
    async def client(i: int) -> bytes:
        fd = await connected(addr)
        msg = b"message %d" % i
        await unix.send(fd, msg, 0, len(msg))
        unix.shutdown(fd, socket.SHUT_WR)
        answer = await read_all(fd)
        await unix.close(fd)
        return answer

    server = echo_server()
    answers = run(lwt.all([client(i) for i in range(count)]))
    run(server)
    assert answers == [b"message %d" % i for i in range(count)]


# ------------------------------------------------------------ UDP, flags
def test_udp_sendto_and_recvfrom() -> None:
    a = unix.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = unix.socket(socket.AF_INET, socket.SOCK_DGRAM)
    run(unix.bind(a, (LOOPBACK, 0)))
    run(unix.bind(b, (LOOPBACK, 0)))
    buf = bytearray(32)
    p = unix.recvfrom(a, buf, 4, 28)
    assert p.is_sleeping()
    assert run(unix.sendto(b, b"xxdatagram", 2, 8, 0, unix.getsockname(a))) == 8
    n, sender = run(p)
    assert n == 8
    assert buf[4:12] == b"datagram"
    assert sender == unix.getsockname(b)
    close_all(a, b)


def test_recv_with_msg_peek_leaves_the_data() -> None:
    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    run(unix.send(b, b"peek", 0, 4))
    buf = bytearray(4)
    assert run(unix.recv(a, buf, 0, 4, socket.MSG_PEEK)) == 4
    other = bytearray(4)
    assert run(unix.recv(a, other, 0, 4)) == 4
    assert buf == other == b"peek"
    close_all(a, b)


def test_socket_functions_check_buffers_and_state() -> None:
    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises(lwt.InvalidArgument):
        unix.recv(a, bytearray(2), 1, 2)
    with pytest.raises(lwt.InvalidArgument):
        unix.send(a, b"ab", 3, 0)
    close_all(a)
    with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
        run(unix.recv(a, bytearray(2), 0, 2))
    assert info.value.errno == errno.EBADF
    with pytest.raises(OSError, match=r"\[Errno 9\]"):
        unix.getsockname(a)
    close_all(b)


# ------------------------------------------------------------------- bind
def test_bind_inet_reports_the_address() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    run(unix.bind(fd, (LOOPBACK, 0)))
    host, port = unix.getsockname(fd)
    assert host == LOOPBACK
    assert port > 0
    close_all(fd)


def test_bind_unix_domain_in_a_temporary_directory(tmp_path: Path) -> None:
    path = str(tmp_path / "sock")
    fd = unix.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    run(unix.bind(fd, path))
    assert unix.getsockname(fd) == path
    assert Path(path).exists()
    unix.listen(fd, 1)
    client = unix.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    run(unix.connect(client, path))
    conn, _ = run(unix.accept(fd))
    cred = unix.get_credentials(conn)
    assert cred == unix.Credentials(os.getpid(), os.getuid(), os.getgid())
    close_all(conn, client, fd)


def test_bind_on_a_closed_socket_gives_ebadf() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    run(unix.close(fd))
    with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
        run(unix.bind(fd, (LOOPBACK, 0)))
    assert info.value.errno == errno.EBADF


def test_bind_on_an_aborted_socket_gives_the_abort_exception() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    exc = Stop()
    unix.abort(fd, exc)
    with pytest.raises(Stop):
        run(unix.bind(fd, (LOOPBACK, 0)))
    run(unix.close(fd))


# ------------------------------------------------------- descriptor passing
def test_send_msg_and_recv_msg_pass_a_descriptor() -> None:
    s1, s2 = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pipe_r, pipe_w = unix.pipe()
    source = bytearray(b"_foo_bar_")
    out = IOVectors()
    out.append_bytes(source, 1, 3)
    out.append_bytes(source, 5, 3)
    n = run(unix.send_msg(socket=s1, io_vectors=out, fds=[pipe_w.unix_file_descr]))
    assert n == 6
    dest = bytearray(b"_________")
    into = IOVectors()
    into.append_bytes(dest, 5, 3)
    into.append_bytes(dest, 1, 3)
    n, fds = run(unix.recv_msg(socket=s2, io_vectors=into))
    assert n == 6
    assert dest == b"_bar_foo_"
    assert len(fds) == 1
    assert os.write(fds[0], b"baz") == 3
    buf = bytearray(3)
    assert run(unix.read(pipe_r, buf, 0, 3)) == 3
    assert buf == b"baz"
    os.close(fds[0])
    close_all(s1, s2, pipe_r, pipe_w)


def test_send_msgto_on_a_datagram_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "dgram")
    receiver = unix.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    run(unix.bind(receiver, path))
    sender = unix.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    out = IOVectors()
    out.append_bytes(b"hello", 0, 5)
    assert run(unix.send_msgto(socket=sender, io_vectors=out, fds=[], dest=path)) == 5
    buf = bytearray(5)
    into = IOVectors()
    into.append_bytes(buf, 0, 5)
    assert run(unix.recv_msg(socket=receiver, io_vectors=into)) == (5, [])
    assert buf == b"hello"
    close_all(sender, receiver)


# ---------------------------------------------------------------- options
def test_socket_options_of_each_type() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    unix.setsockopt(fd, socket.SOL_SOCKET, socket.SO_KEEPALIVE, True)
    assert unix.getsockopt(fd, socket.SOL_SOCKET, socket.SO_KEEPALIVE) is True
    unix.setsockopt(fd, socket.IPPROTO_TCP, socket.TCP_NODELAY, False)
    assert unix.getsockopt(fd, socket.IPPROTO_TCP, socket.TCP_NODELAY) is False
    unix.setsockopt_int(fd, socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    assert unix.getsockopt_int(fd, socket.SOL_SOCKET, socket.SO_SNDBUF) >= 65536
    assert unix.getsockopt_int(fd, socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
    assert unix.getsockopt_optint(fd, socket.SOL_SOCKET, socket.SO_LINGER) is None
    unix.setsockopt_optint(fd, socket.SOL_SOCKET, socket.SO_LINGER, 3)
    assert unix.getsockopt_optint(fd, socket.SOL_SOCKET, socket.SO_LINGER) == 3
    unix.setsockopt_optint(fd, socket.SOL_SOCKET, socket.SO_LINGER, None)
    assert unix.getsockopt_optint(fd, socket.SOL_SOCKET, socket.SO_LINGER) is None
    unix.setsockopt_float(fd, socket.SOL_SOCKET, socket.SO_RCVTIMEO, 1.5)
    assert unix.getsockopt_float(fd, socket.SOL_SOCKET, socket.SO_RCVTIMEO) == 1.5
    with pytest.raises(lwt.InvalidArgument):
        unix.setsockopt_float(fd, socket.SOL_SOCKET, socket.SO_RCVTIMEO, -1.0)
    assert unix.getsockopt_error(fd) is None
    close_all(fd)


def test_getsockopt_error_reports_a_failed_connection() -> None:
    probe = socket.socket()
    probe.bind((LOOPBACK, 0))
    addr = probe.getsockname()
    probe.close()
    raw = socket.socket()
    raw.setblocking(False)
    assert raw.connect_ex(addr) in (errno.EINPROGRESS, errno.ECONNREFUSED)
    fd = unix.of_unix_file_descr(raw.detach())
    run(unix.wait_write(fd))
    err = unix.getsockopt_error(fd)
    if err is not None:  # Linux may refuse at once, leaving nothing pending
        assert isinstance(err, ConnectionRefusedError)
    close_all(fd)


# -------------------------------------------------------------- multicast
def mcast_case(group: str, join: bool, loop: bool) -> None:
    receiver = unix.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender = unix.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix.setsockopt(receiver, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    try:
        run(unix.bind(receiver, ("0.0.0.0", 0)))
        port = unix.getsockname(receiver)[1]
        try:
            if join:
                unix.mcast_add_membership(receiver, group)
            unix.mcast_set_loop(sender, loop)
            unix.mcast_set_ttl(sender, 1)
            run(unix.sendto(sender, b"Hello, World!", 0, 13, 0, (group, port)))
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.ENETUNREACH, errno.EINVAL, errno.EADDRNOTAVAIL):
                pytest.skip(f"no multicast route here: {exc}")
            raise
        buf = bytearray(50)
        try:
            n = run(unix.with_timeout(0.2, lambda: unix.read(receiver, buf, 0, 50)))
        except unix.Timeout:
            assert not (join and loop), "the message should have come back"
        else:
            assert join, "no message should have arrived"
            assert loop, "no message should have arrived"
            assert buf[:n] == b"Hello, World!"
        if join:
            unix.mcast_drop_membership(receiver, group)
    finally:
        close_all(receiver, sender)


@pytest.mark.parametrize(
    ("group", "join", "loop"),
    [
        ("225.0.0.1", True, True),
        ("225.0.0.2", False, True),
        ("225.0.0.3", True, False),
        ("225.0.0.4", False, False),
    ],
)
def test_multicast_join_and_loop(group: str, join: bool, loop: bool) -> None:
    mcast_case(group, join, loop)


def test_multicast_needs_ipv4() -> None:
    fd = unix.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    with pytest.raises(lwt.InvalidArgument):
        unix.mcast_set_loop(fd, True)
    ipv4 = unix.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with pytest.raises(lwt.InvalidArgument):
        unix.mcast_add_membership(ipv4, "not an address")
    close_all(fd, ipv4)


def test_cloexec_false_makes_sockets_inheritable() -> None:
    fd = unix.socket(socket.AF_INET, socket.SOCK_STREAM, cloexec=False)
    assert os.get_inheritable(fd.unix_file_descr)
    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    assert not os.get_inheritable(a.unix_file_descr)
    close_all(fd, a, b)
