"""lwt.io servers and clients on loopback TCP and Unix-domain sockets."""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.io as io
import lwt.unix as unix
from lwt.core import lists
from lwt.unix import main as lwt_main
from lwt.unix import sleep


def _fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def _echo_line(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
    ic, oc = chans
    return ic.read_line().bind(lambda line: oc.write_line(line.upper()))


def _ask(addr: object, text: str) -> lwt.Promise[str]:
    def talk(chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[str]:
        ic, oc = chans
        return oc.write_line(text).bind(lambda _: oc.flush()).bind(lambda _: ic.read_line())

    return io.with_connection(addr, talk)


def test_two_hundred_concurrent_clients_are_all_served() -> None:
    before = _fd_count()

    def scenario(server: io.Server) -> lwt.Promise[list[str]]:
        asks = [_ask(server.address, f"client {i}") for i in range(200)]
        return lwt.finalize(lambda: lwt.all(asks), server.shutdown)

    answers = lwt_main.run(
        io.establish_server_with_client_address(("127.0.0.1", 0), _echo_line).bind(scenario)
    )
    assert answers == [f"CLIENT {i}" for i in range(200)]
    assert _fd_count() == before


def test_unix_domain_socket_server_and_client(tmp_path: Path) -> None:
    path = str(tmp_path / "sock")

    def scenario(server: io.Server) -> lwt.Promise[str]:
        return lwt.finalize(lambda: _ask(path, "hi"), server.shutdown)

    assert (
        lwt_main.run(io.establish_server_with_client_address(path, _echo_line).bind(scenario))
        == "HI"
    )
    assert not os.path.exists(path)


def test_handler_failure_reaches_the_hook_and_the_server_goes_on(
    async_exceptions: list[BaseException],
) -> None:
    calls: list[int] = []

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        calls.append(1)
        if len(calls) == 1:
            return lwt.fail(RuntimeError("first one fails"))
        return _echo_line(peer, chans)

    def scenario(server: io.Server) -> lwt.Promise[str]:
        def first() -> lwt.Promise[str | None]:
            return io.with_connection(server.address, lambda ch: ch[0].read_line_opt())

        return lwt.finalize(
            lambda: first().bind(lambda _: _ask(server.address, "again")), server.shutdown
        )

    answer = lwt_main.run(
        io.establish_server_with_client_address(("127.0.0.1", 0), handler).bind(scenario)
    )
    assert answer == "AGAIN"
    assert [type(e) for e in async_exceptions] == [RuntimeError]


def test_connection_reset_mid_read_raises_and_leaks_no_descriptor() -> None:
    before = _fd_count()
    seen: list[BaseException] = []

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        buf = bytearray(1000)

        def caught(exc: BaseException) -> lwt.Promise[None]:
            seen.append(exc)
            return lwt.return_unit

        return lwt.catch(lambda: chans[0].read_into_exactly(buf, 0, 1000), caught)

    def scenario(server: io.Server) -> lwt.Promise[None]:
        # A plain socket peer: send a little, then close with SO_LINGER 0 (a reset).
        peer = socket.create_connection(server.address)
        peer.sendall(b"partial")
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        def until_seen(_: None) -> lwt.Promise[None]:
            if seen:
                return lwt.return_unit
            return lwt.pause().bind(until_seen)

        def reset(_: None) -> lwt.Promise[None]:
            peer.close()
            return until_seen(None)

        return lwt.finalize(lambda: sleep(0.05).bind(reset), server.shutdown)

    lwt_main.run(io.establish_server_with_client_address(("127.0.0.1", 0), handler).bind(scenario))
    assert [type(e) for e in seen] == [ConnectionResetError]
    assert _fd_count() == before


def test_connecting_to_a_closed_port_fails_and_leaks_nothing() -> None:
    before = _fd_count()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(ConnectionRefusedError):
        lwt_main.run(io.open_connection(("127.0.0.1", port)))
    assert _fd_count() == before


# ------------------------------------------------- handlers given the socket
def _open_then_check(
    server: io.Server, sockets: list[unix.FileDescr], done: lwt.Promise[None]
) -> lwt.Promise[bytes]:
    """Connect, send a line, wait until the handler ends, then read all the peer sent."""

    def talk(chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[bytes]:
        ic, oc = chans
        return (
            oc.write_line("ping")
            .bind(lambda _: oc.flush())
            .bind(lambda _: done)
            .bind(lambda _: ic.read())
        )

    return io.with_connection(server.address, talk)


def test_socket_handler_gets_the_socket_and_it_is_closed_afterwards() -> None:
    sockets: list[unix.FileDescr] = []
    done, finished = lwt.wait()

    def handler(peer: object, sock: unix.FileDescr) -> lwt.Promise[None]:
        sockets.append(sock)
        buf = bytearray(5)

        def answer(_: None) -> lwt.Promise[None]:
            return unix.write(sock, b"pong\n", 0, 5).map(lambda _: None)

        def end(_: None) -> lwt.Promise[None]:
            lwt.wakeup_later(finished, None)
            return lwt.return_unit

        return unix.read(sock, buf, 0, 5).bind(answer).bind(end)

    def scenario(server: io.Server) -> lwt.Promise[bytes]:
        return lwt.finalize(lambda: _open_then_check(server, sockets, done), server.shutdown)

    got = lwt_main.run(
        io.establish_server_with_client_socket(("127.0.0.1", 0), handler).bind(scenario)
    )
    assert got == b"pong\n"
    assert isinstance(sockets[0].state, unix.Closed)


def test_socket_handler_with_no_close_keeps_the_socket_open() -> None:
    sockets: list[unix.FileDescr] = []
    done, finished = lwt.wait()

    def handler(peer: object, sock: unix.FileDescr) -> lwt.Promise[None]:
        sockets.append(sock)
        lwt.wakeup_later(finished, None)
        return lwt.return_unit

    def late_reply(_: None) -> lwt.Promise[None]:
        # The handler is over; the socket is still ours to use, then to close.
        sock = sockets[0]
        assert isinstance(sock.state, unix.Opened)
        return unix.write(sock, b"late", 0, 4).bind(lambda _: unix.close(sock))

    def scenario(server: io.Server) -> lwt.Promise[bytes]:
        after = done.bind(late_reply)
        return lwt.finalize(lambda: _open_then_check(server, sockets, after), server.shutdown)

    got = lwt_main.run(
        io.establish_server_with_client_socket(("127.0.0.1", 0), handler, no_close=True).bind(
            scenario
        )
    )
    assert got == b"late"


# ---------------------------------------------------------- max_connections
def test_max_connections_holds_accepting_until_a_handler_ends() -> None:
    limit, clients = 2, 6
    active = [0]
    peak = [0]
    gates: list[lwt.Resolver[None]] = []
    waits = [lwt.wait() for _ in range(clients)]

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        gate, opener = lwt.wait()
        gates.append(opener)
        lwt.wakeup_later(waits[len(gates) - 1][1], None)

        def leave(_: None) -> lwt.Promise[None]:
            active[0] -= 1
            return chans[1].write_line("served")

        return gate.bind(leave)

    def scenario(server: io.Server) -> lwt.Promise[list[str]]:
        conns = [io.open_connection(server.address) for _ in range(clients)]

        def all_connected(
            chans: list[tuple[io.InputChannel, io.OutputChannel]],
        ) -> lwt.Promise[list[str]]:
            def release(i: int) -> lwt.Promise[None]:
                # Handler i is running; let it go so that one more may start.
                lwt.wakeup(gates[i], None)
                return waits[i + limit][0] if i + limit < clients else lwt.return_unit

            def held(_: None) -> lwt.Promise[None]:
                # All clients are connected and the first two handlers run: no third starts.
                assert (len(gates), active[0]) == (limit, limit)
                return lists.iter_s(release, list(range(clients)))

            def answers(_: None) -> lwt.Promise[list[str]]:
                return lwt.all([ic.read_line() for ic, _ in chans]).bind(
                    lambda lines: (
                        lwt.join([ic.close() for ic, _ in chans])
                        .bind(lambda _: lwt.join([oc.close() for _, oc in chans]))
                        .map(lambda _: lines)
                    )
                )

            first_two = lwt.join([waits[0][0], waits[1][0]])
            return first_two.bind(lambda _: sleep(0.05)).bind(held).bind(answers)

        return lwt.finalize(lambda: lwt.all(conns).bind(all_connected), server.shutdown)

    got = lwt_main.run(
        io.establish_server_with_client_address(
            ("127.0.0.1", 0), handler, max_connections=limit
        ).bind(scenario)
    )
    assert got == ["served"] * clients
    assert peak[0] == limit


def test_max_connections_below_one_is_rejected() -> None:
    with pytest.raises(lwt.InvalidArgument):
        lwt_main.run(
            io.establish_server_with_client_address(("127.0.0.1", 0), _echo_line, max_connections=0)
        )


# --------------------------------------------- closing the handler's channels
def _serve_one(
    handler: Callable[[object, tuple[io.InputChannel, io.OutputChannel]], lwt.Promise[None]],
) -> None:
    """Serve one client that sends a line and waits for the handler to end."""
    ended, end = lwt.wait()

    def wrapped(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        return lwt.finalize(
            lambda: handler(peer, chans), lambda: (lwt.wakeup_later(end, None), lwt.return_unit)[1]
        )

    def scenario(server: io.Server) -> lwt.Promise[None]:
        def talk(chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
            return (
                chans[1].write("hello world").bind(lambda _: chans[1].flush()).bind(lambda _: ended)
            )

        return lwt.finalize(lambda: io.with_connection(server.address, talk), server.shutdown)

    lwt_main.run(io.establish_server_with_client_address(("127.0.0.1", 0), wrapped).bind(scenario))


def test_handler_channels_are_open_inside_and_closed_after() -> None:
    seen: list[tuple[io.InputChannel, io.OutputChannel]] = []
    open_inside: list[bool] = []

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        seen.append(chans)
        open_inside.append(not chans[0].is_closed() and not chans[1].is_closed())
        return lwt.return_unit

    _serve_one(handler)
    assert open_inside == [True]
    ic, oc = seen[0]
    with pytest.raises(io.ChannelClosed):
        lwt.poll(ic.read_char())
    with pytest.raises(io.ChannelClosed):
        lwt.poll(oc.write_char("a"))


def test_handler_channels_are_closed_when_it_raises(
    async_exceptions: list[BaseException],
) -> None:
    seen: list[tuple[io.InputChannel, io.OutputChannel]] = []

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        seen.append(chans)
        raise KeyError("handler bug")

    _serve_one(handler)
    assert [type(e) for e in async_exceptions] == [KeyError]
    assert seen[0][0].is_closed()
    assert seen[0][1].is_closed()


def test_handler_may_close_its_channels_itself() -> None:
    closed_inside: list[bool] = []

    def handler(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        ic, oc = chans

        def check(_: None) -> lwt.Promise[None]:
            closed_inside.append(ic.is_closed() and oc.is_closed())
            return lwt.return_unit

        return ic.close().bind(lambda _: oc.close()).bind(check)

    _serve_one(handler)
    assert closed_inside == [True]


def test_with_connection_closes_both_channels() -> None:
    seen: list[tuple[io.InputChannel, io.OutputChannel]] = []

    def quiet(peer: object, chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
        return lwt.return_unit

    def scenario(server: io.Server) -> lwt.Promise[None]:
        def keep(chans: tuple[io.InputChannel, io.OutputChannel]) -> lwt.Promise[None]:
            seen.append(chans)
            return lwt.return_unit

        return lwt.finalize(lambda: io.with_connection(server.address, keep), server.shutdown)

    lwt_main.run(io.establish_server_with_client_address(("127.0.0.1", 0), quiet).bind(scenario))
    assert seen[0][0].is_closed()
    assert seen[0][1].is_closed()
