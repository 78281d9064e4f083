"""lwt.io servers and clients on loopback TCP and Unix-domain sockets."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.io as io
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
