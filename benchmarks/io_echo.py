"""lwt.io echo server against an asyncio streams echo server, on loopback.

Run: ``python benchmarks/io_echo.py`` with lwt-core, lwt-unix and lwt-io
installed (or on ``PYTHONPATH``).  Optional argument: the channels' buffer
size in bytes (default: ``lwt.io.default_buffer_size()``).

Workload: C connections (1 and 64) each send M messages of S bytes (100 B
and 16 KiB), one at a time, and wait for each echo.  The client is a
separate process (plain blocking sockets, one thread per connection); the
server is lwt.io (``read_into`` then ``write_from_exactly`` and ``flush``)
or asyncio (``reader.read`` then ``writer.write`` and ``drain``).  The table
shows round trips per second, the median of 3 runs, and lwt's ratio.
Every run is bounded: the client gives up after 60 s.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import statistics
import sys
import threading
import time
from typing import Any

import lwt.core as lwt
import lwt.io as lio
from lwt.unix import main as lwt_main
from lwt.unix import sleep

CASES = [(1, 100, 20_000), (1, 16384, 3_000), (64, 100, 500), (64, 16384, 100)]


def _client(port: int, conns: int, size: int, count: int, out: Any) -> None:
    payload = b"x" * size

    def one() -> None:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray(size)
        view = memoryview(buf)
        for _ in range(count):
            s.sendall(payload)
            got = 0
            while got < size:
                n = s.recv_into(view[got:])
                if n == 0:
                    raise EOFError
                got += n
        s.close()

    threads = [threading.Thread(target=one) for _ in range(conns)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(time.perf_counter() - start)


def _measure(port: int, conns: int, size: int, count: int) -> tuple[Any, Any]:
    """Start the client process; return its result queue and the process."""
    q: Any = multiprocessing.Queue()
    p = multiprocessing.Process(target=_client, args=(port, conns, size, count, q))
    p.start()
    return q, p


def _lwt_run(conns: int, size: int, count: int, buffer_size: int | None) -> float:
    def handler(_a: object, chans: tuple[lio.InputChannel, lio.OutputChannel]) -> lwt.Promise[None]:
        ic, oc = chans
        buf = bytearray(65536)

        def loop(n: int) -> lwt.Promise[None]:
            if n == 0:
                return lwt.return_unit
            return oc.write_from_exactly(buf, 0, n).bind(lambda _: oc.flush()).bind(step)

        def step(_: None) -> lwt.Promise[None]:
            return ic.read_into(buf, 0, len(buf)).bind(loop)

        return step(None)

    def scenario(server: lio.Server) -> lwt.Promise[float]:
        q, p = _measure(server.address[1], conns, size, count)

        def poll_done(_: None) -> lwt.Promise[float]:
            if not q.empty():
                p.join()
                return lwt.return_(q.get())
            return sleep(0.01).bind(poll_done)

        return lwt.finalize(lambda: poll_done(None), server.shutdown)

    return lwt_main.run(
        lio.establish_server_with_client_address(
            ("127.0.0.1", 0), handler, buffer_size=buffer_size
        ).bind(scenario)
    )


def _asyncio_run(conns: int, size: int, count: int) -> float:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    async def main() -> float:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        q, p = _measure(port, conns, size, count)
        while q.empty():  # noqa: ASYNC110 (a multiprocessing queue, not an asyncio object)
            await asyncio.sleep(0.01)
        p.join()
        server.close()
        return float(q.get())

    return asyncio.run(main())


def main() -> None:
    buffer_size = int(sys.argv[1]) if len(sys.argv) > 1 else None
    print(f"buffer size: {buffer_size or lio.default_buffer_size()} bytes")
    print(f"{'conns':>5} {'size':>6} {'lwt rt/s':>10} {'asyncio rt/s':>12} {'ratio':>6}")
    for conns, size, count in CASES:
        total = conns * count
        ours = statistics.median(
            total / _lwt_run(conns, size, count, buffer_size) for _ in range(3)
        )
        theirs = statistics.median(total / _asyncio_run(conns, size, count) for _ in range(3))
        print(f"{conns:>5} {size:>6} {ours:>10.0f} {theirs:>12.0f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
