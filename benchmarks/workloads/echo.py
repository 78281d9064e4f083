"""TCP echo servers over loopback, all driven by the same load generator.

Three shapes of server, each at 1 and 64 connections:

raw
    the lowest layer each library offers: ``lwt.unix`` ``accept``/``read``/
    ``write`` chained with ``bind``; an asyncio ``Protocol`` whose
    ``data_received`` writes back (no future per message); trio's
    ``trio.socket`` ``recv``/``send``.
channels
    the buffered layer: ``lwt.io`` channels (``read_into``,
    ``write_from_exactly``, ``flush``); asyncio streams (``read``, ``write``,
    ``drain``); trio ``SocketStream`` (``receive_some``, ``send_all``).
lines
    the same buffered layers echoing newline-terminated lines:
    ``read_line``/``write_line`` against ``readline``/``write``; trio has no
    line reader, so its server splits lines by hand.

The server runs in the measured process (pinned to one CPU); the client is
``benchmarks/loadgen.c`` in another process (pinned to another), counting
round trips for a fixed time.  See :mod:`benchmarks.loadgen`.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import lwt.core as lwt
from benchmarks import loadgen
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload

if TYPE_CHECKING:
    from lwt.io import InputChannel, OutputChannel

HOST = "127.0.0.1"
CHUNK = 65536


class _Countdown:
    """Calls ``done`` once ``n`` connections have ended."""

    __slots__ = ("done", "left")

    def __init__(self, n: int, done: Callable[[], None]) -> None:
        self.left = n
        self.done = done

    def closed(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.done()


# ===================================================================== lwt
def _lwt_run_server(
    params: Params, start: Callable[[_Countdown], tuple[int, Callable[[], None]]]
) -> Figures:
    """Start a server with ``start(countdown) -> (port, stop)``, drive it, stop it."""
    from lwt.unix.main import run

    loadgen.pin_self(params)
    finished: lwt.Promise[None]
    finish: lwt.Resolver[None]
    finished, finish = lwt.wait()
    countdown = _Countdown(params["connections"], lambda: lwt.wakeup(finish, None))
    port, stop = start(countdown)
    proc = loadgen.spawn(params, port)
    cpu0 = time.process_time()
    run(finished)
    cpu = time.process_time() - cpu0
    stop()
    return loadgen.collect(proc, cpu)


def lwt_raw(params: Params) -> Figures:
    """``lwt.unix`` sockets: ``accept``, then ``read``/``write`` chained with ``bind``."""
    import lwt.unix as unix
    from lwt.unix.main import run

    def start(countdown: _Countdown) -> tuple[int, Callable[[], None]]:
        ls = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
        unix.setsockopt(ls, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
        run(unix.bind(ls, (HOST, 0)))
        unix.listen(ls, 128)

        def closed(_: None) -> None:
            countdown.closed()

        def serve(conn: unix.FileDescr) -> lwt.Promise[None]:
            unix.setsockopt(conn, socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
            buf = bytearray(CHUNK)
            view = memoryview(buf)

            def read_more() -> lwt.Promise[None]:
                return unix.read(conn, buf, 0, CHUNK).bind(got)

            def got(n: int) -> lwt.Promise[None]:
                if n == 0:
                    return unix.close(conn).map(closed)
                return send(n, 0)

            def send(n: int, off: int) -> lwt.Promise[None]:
                def sent(k: int) -> lwt.Promise[None]:
                    return send(n, off + k) if off + k < n else read_more()

                return unix.write(conn, view, off, n - off).bind(sent)

            return read_more()

        def accept_loop() -> lwt.Promise[None]:
            def accepted(pair: tuple[unix.FileDescr, Any]) -> lwt.Promise[None]:
                lwt.async_(functools.partial(serve, pair[0]))
                return accept_loop()

            return unix.accept(ls).bind(accepted)

        acceptor = accept_loop()

        def stop() -> None:
            acceptor.cancel()
            run(unix.close(ls))

        return unix.getsockname(ls)[1], stop

    return _lwt_run_server(params, start)


def _lwt_channel_server(
    params: Params,
    serve: Callable[[Any, Any], lwt.Promise[None]],
) -> Figures:
    import lwt.io as lio
    from lwt.unix.main import run

    def start(countdown: _Countdown) -> tuple[int, Callable[[], None]]:
        def ended() -> lwt.Promise[None]:
            countdown.closed()
            return lwt.return_unit

        def handler(_peer: Any, chans: tuple[Any, Any]) -> lwt.Promise[None]:
            return lwt.finalize(lambda: serve(*chans), ended)

        server = run(
            lio.establish_server_with_client_address((HOST, 0), handler, buffer_size=CHUNK)
        )
        return server.address[1], lambda: run(server.shutdown())

    return _lwt_run_server(params, start)


def lwt_channels(params: Params) -> Figures:
    """``lwt.io`` channels: ``read_into``, ``write_from_exactly``, ``flush``."""

    def serve(ic: InputChannel, oc: OutputChannel) -> lwt.Promise[None]:
        buf = bytearray(CHUNK)

        def got(n: int) -> lwt.Promise[None]:
            if n == 0:
                return lwt.return_unit
            return oc.write_from_exactly(buf, 0, n).bind(flush)

        def flush(_: None) -> lwt.Promise[None]:
            return oc.flush().bind(step)

        def step(_: None) -> lwt.Promise[None]:
            return ic.read_into(buf, 0, CHUNK).bind(got)

        return step(None)

    return _lwt_channel_server(params, serve)


def lwt_lines(params: Params) -> Figures:
    """``lwt.io`` channels: ``read_line_opt``, ``write_line``, ``flush``."""

    def serve(ic: InputChannel, oc: OutputChannel) -> lwt.Promise[None]:
        def got(line: str | None) -> lwt.Promise[None]:
            if line is None:
                return lwt.return_unit
            return oc.write_line(line).bind(flush)

        def flush(_: None) -> lwt.Promise[None]:
            return oc.flush().bind(step)

        def step(_: None) -> lwt.Promise[None]:
            return ic.read_line_opt().bind(got)

        return step(None)

    return _lwt_channel_server(params, serve)


# ================================================================= asyncio
class _EchoProtocol(asyncio.Protocol):
    """Writes back whatever arrives; reports when the connection is gone."""

    def __init__(self, countdown: _Countdown) -> None:
        self.countdown = countdown
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.countdown.closed()


async def _asyncio_drive(
    params: Params, server: asyncio.Server, done: asyncio.Future[None]
) -> Figures:
    port = server.sockets[0].getsockname()[1]
    proc = loadgen.spawn(params, port)
    cpu0 = time.process_time()
    # The client's own exit ends the run too: under uvloop the last
    # connection_lost was seen not to arrive, which hung the whole suite.
    while not done.done() and proc.poll() is None:
        await asyncio.wait({done}, timeout=0.05)
    cpu = time.process_time() - cpu0
    server.close()
    # Bounded: a connection the loop still holds must not hang the suite.
    await asyncio.wait({asyncio.ensure_future(server.wait_closed())}, timeout=1.0)
    return loadgen.collect(proc, cpu)


def _asyncio_protocol(params: Params, uvloop: bool) -> Figures:
    loadgen.pin_self(params)

    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        countdown = _Countdown(params["connections"], lambda: done.set_result(None))
        server = await loop.create_server(lambda: _EchoProtocol(countdown), HOST, 0)
        return await _asyncio_drive(params, server, done)

    return run_asyncio(main, uvloop=uvloop)


def _asyncio_streams(params: Params, uvloop: bool, lines: bool) -> Figures:
    loadgen.pin_self(params)

    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        countdown = _Countdown(params["connections"], lambda: done.set_result(None))

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            read = reader.readline if lines else functools.partial(reader.read, CHUNK)
            while data := await read():
                writer.write(data)
                await writer.drain()
            writer.close()
            countdown.closed()

        server = await asyncio.start_server(handle, HOST, 0)
        return await _asyncio_drive(params, server, done)

    return run_asyncio(main, uvloop=uvloop)


def asyncio_protocol(params: Params) -> Figures:
    """An asyncio ``Protocol`` whose ``data_received`` writes back."""
    return _asyncio_protocol(params, uvloop=False)


def uvloop_protocol(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_protocol(params, uvloop=True)


def asyncio_streams(params: Params) -> Figures:
    """asyncio streams: ``read(65536)``, ``write``, ``drain``."""
    return _asyncio_streams(params, uvloop=False, lines=False)


def uvloop_streams(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_streams(params, uvloop=True, lines=False)


def asyncio_lines(params: Params) -> Figures:
    """asyncio streams: ``readline``, ``write``, ``drain``."""
    return _asyncio_streams(params, uvloop=False, lines=True)


def uvloop_lines(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_streams(params, uvloop=True, lines=True)


# ==================================================================== trio
def trio_raw(params: Params) -> Figures:
    """``trio.socket``: ``accept``, then ``recv``/``send`` in a task per connection."""
    import trio

    loadgen.pin_self(params)

    async def main() -> Figures:
        listener = trio.socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        await listener.bind((HOST, 0))
        listener.listen(128)
        cpu0 = 0.0
        async with trio.open_nursery() as nursery:
            countdown = _Countdown(params["connections"], nursery.cancel_scope.cancel)

            async def handle(sock: trio.socket.SocketType) -> None:
                with sock:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    while data := await sock.recv(CHUNK):
                        view = memoryview(data)
                        while view:
                            view = view[await sock.send(view) :]
                countdown.closed()

            async def accept_loop() -> None:
                while True:
                    sock, _ = await listener.accept()
                    nursery.start_soon(handle, sock)

            nursery.start_soon(accept_loop)
            proc = loadgen.spawn(params, listener.getsockname()[1])
            cpu0 = time.process_time()
        cpu = time.process_time() - cpu0
        listener.close()
        return loadgen.collect(proc, cpu)

    return run_trio(main)


def _trio_stream_server(params: Params, lines: bool) -> Figures:
    import trio

    loadgen.pin_self(params)

    async def echo(stream: trio.SocketStream) -> None:
        async for data in stream:
            await stream.send_all(data)

    async def echo_lines(stream: trio.SocketStream) -> None:
        pending = bytearray()
        while True:
            end = pending.find(b"\n")
            if end < 0:
                data = await stream.receive_some(CHUNK)
                if not data:
                    return
                pending += data
                continue
            line = bytes(pending[: end + 1])
            del pending[: end + 1]
            await stream.send_all(line)

    async def main() -> Figures:
        cpu0 = 0.0
        async with trio.open_nursery() as nursery:
            countdown = _Countdown(params["connections"], nursery.cancel_scope.cancel)

            async def handler(stream: trio.SocketStream) -> None:
                await (echo_lines if lines else echo)(stream)
                countdown.closed()

            listeners = await nursery.start(
                functools.partial(trio.serve_tcp, handler, 0, host=HOST)
            )
            proc = loadgen.spawn(params, listeners[0].socket.getsockname()[1])
            cpu0 = time.process_time()
        cpu = time.process_time() - cpu0
        return loadgen.collect(proc, cpu)

    return run_trio(main)


def trio_streams(params: Params) -> Figures:
    """``trio.serve_tcp`` with ``receive_some``/``send_all``."""
    return _trio_stream_server(params, lines=False)


def trio_lines(params: Params) -> Figures:
    """``trio.serve_tcp``, splitting lines by hand, ``send_all`` per line."""
    return _trio_stream_server(params, lines=True)


# =============================================================== workloads
_RATE = (Metric("rate", "round trips/s"),)
_SHAPES: dict[str, tuple[str, tuple[Contender, ...]]] = {
    "raw": (
        "lowest layer",
        (
            Contender("lwt.unix read/write", "lwt", lwt_raw),
            Contender("asyncio Protocol", "asyncio", asyncio_protocol),
            Contender("uvloop Protocol", "uvloop", uvloop_protocol),
            Contender("trio.socket", "trio", trio_raw),
        ),
    ),
    "chan": (
        "buffered layer",
        (
            Contender("lwt.io channels", "lwt", lwt_channels),
            Contender("asyncio streams", "asyncio", asyncio_streams),
            Contender("uvloop streams", "uvloop", uvloop_streams),
            Contender("trio SocketStream", "trio", trio_streams),
        ),
    ),
    "lines": (
        "line by line",
        (
            Contender("lwt.io read_line/write_line", "lwt", lwt_lines),
            Contender("asyncio readline/write", "asyncio", asyncio_lines),
            Contender("uvloop readline/write", "uvloop", uvloop_lines),
            Contender("trio hand-split lines", "trio", trio_lines),
        ),
    ),
}


def _workloads() -> tuple[Workload, ...]:
    out = []
    for shape, (what, contenders) in _SHAPES.items():
        sizes = [100] if shape == "lines" else [100, 16384]
        for size in sizes:
            for conns in (1, 64):
                tag = "16k" if size == 16384 else str(size)
                out.append(
                    Workload(
                        name=f"echo_{shape}_{conns}x{tag}",
                        family="echo",
                        summary=f"TCP echo, {what}, {conns} connection(s) x {size} B messages",
                        metrics=_RATE,
                        contenders=contenders,
                        full={"connections": conns, "size": size, "seconds": 2.0},
                        quick={"connections": conns, "size": size, "seconds": 0.2},
                        needs=frozenset({"loadgen"}),
                    )
                )
    return tuple(out)


WORKLOADS = _workloads()
