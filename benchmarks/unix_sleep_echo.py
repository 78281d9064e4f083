"""lwt.unix against asyncio (and uvloop, trio when importable): sleeps and a TCP echo.

Run: ``python benchmarks/unix_sleep_echo.py`` with lwt-core and lwt-unix
installed (or ``PYTHONPATH=packages/lwt-core/src:packages/lwt-unix/src``).
Options: ``--sleeps N`` (default 100000), ``--seconds S`` (time bound of
each echo run, default 3), ``--only sleep|echo``.

Sleeps
    N concurrent sleeps with random durations in [0, 1] s, all started at
    once, then waited for together.  Reported: the time to start them, the
    overhead (total time minus the longest sleep), and the peak memory the
    run added to the process (``ru_maxrss`` growth; each run is a fresh
    process).  lwt: ``lwt.unix.sleep`` and ``lwt.core.join``.  asyncio:
    ``asyncio.sleep`` in tasks under ``gather`` (the idiom), and bare
    futures resolved by ``loop.call_later`` (the primitive).  trio:
    ``trio.sleep`` in a nursery.

TCP echo
    A server in this process echoes what it reads; a client in a separate
    process (plain sockets and ``selectors``, the same for every server)
    keeps C connections each doing ping-pong round trips of M-byte
    messages, until a bound on the count or on the time, over loopback.
    Reported: round trips per second (higher is better) and MiB/s echoed.
    lwt: raw ``lwt.unix`` calls (``accept``, ``read``, ``write``) chained
    with ``bind``.  asyncio and uvloop: a ``Protocol`` whose
    ``data_received`` writes back (asyncio's lowest layer, no futures per
    message); asyncio streams: ``start_server`` with ``read``/``write``/
    ``drain`` (the future-based layer, closer to lwt's promise per read).
    trio: ``serve_tcp`` with a stream loop.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import resource
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

HOST = "127.0.0.1"
SEED = 42


def _optional(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        return None


uvloop = _optional("uvloop")
trio = _optional("trio")


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _current_rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


# ================================================================= sleeps
def _durations(n: int) -> list[float]:
    rng = random.Random(SEED)
    ds = [rng.uniform(0.0, 1.0) for _ in range(n)]
    ds[0] = 1.0  # the longest is exactly 1 s
    return ds


def sleep_lwt(ds: list[float]) -> tuple[float, float]:
    import lwt.core as lwt
    import lwt.unix as unix
    from lwt.unix.main import run

    t0 = time.perf_counter()
    ps = [unix.sleep(d) for d in ds]
    started = time.perf_counter() - t0
    run(lwt.join(ps))
    return started, time.perf_counter() - t0


def sleep_asyncio_tasks(
    ds: list[float], loop_factory: Callable[[], Any] | None = None
) -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        t0 = time.perf_counter()
        tasks = [asyncio.ensure_future(asyncio.sleep(d)) for d in ds]
        started = time.perf_counter() - t0
        await asyncio.gather(*tasks)
        return started, time.perf_counter() - t0

    loop = loop_factory() if loop_factory else asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def sleep_asyncio_futures(ds: list[float]) -> tuple[float, float]:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        futs = []
        for d in ds:
            fut = loop.create_future()
            loop.call_later(d, fut.set_result, None)
            futs.append(fut)
        started = time.perf_counter() - t0
        await asyncio.gather(*futs)
        return started, time.perf_counter() - t0

    return asyncio.run(main())


def sleep_trio(ds: list[float]) -> tuple[float, float]:
    result: list[float] = []

    async def main() -> None:
        t0 = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for d in ds:
                nursery.start_soon(trio.sleep, d)
            result.append(time.perf_counter() - t0)
        result.append(time.perf_counter() - t0)

    trio.run(main)
    return result[0], result[1]


SLEEPERS: dict[str, Callable[[list[float]], tuple[float, float]]] = {
    "lwt.unix sleep": sleep_lwt,
    "asyncio sleep tasks": sleep_asyncio_tasks,
    "asyncio call_later futures": sleep_asyncio_futures,
}
if uvloop is not None:
    SLEEPERS["uvloop sleep tasks"] = lambda ds: sleep_asyncio_tasks(ds, uvloop.new_event_loop)
if trio is not None:
    SLEEPERS["trio sleep tasks"] = sleep_trio


def sleep_child(name: str, n: int) -> None:
    ds = _durations(n)
    base = _current_rss_kib()
    started, total = SLEEPERS[name](ds)
    peak = _rss_kib() - base
    print(json.dumps({"started": started, "total": total, "peak_kib": peak}))


def run_sleeps(n: int) -> None:
    print(f"\n{n:,} concurrent sleeps, durations uniform in [0, 1] s (longest 1 s)")
    print(f"{'library':28s} {'start all':>10s} {'overhead':>10s} {'peak memory':>12s}")
    for name in SLEEPERS:
        out = subprocess.run(
            [sys.executable, __file__, "--sleep-child", name, "--sleeps", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{name:28s} {r['started'] * 1000:8.0f}ms {(r['total'] - 1.0) * 1000:8.0f}ms "
            f"{r['peak_kib'] / 1024:9.1f}MiB"
        )


# ============================================================== echo client
def echo_client(port: int, nconn: int, size: int, count: int, seconds: float) -> None:
    msg = b"x" * size
    socks = []
    for _ in range(nconn):
        s = socket.create_connection((HOST, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
    sel = selectors.DefaultSelector()
    pending: dict[socket.socket, int] = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ, s)
        pending[s] = size
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for s in socks:
        s.sendall(msg)
    active = nconn
    while active:
        for key, _ in sel.select():
            s = key.data
            data = s.recv(65536)
            if not data:
                raise SystemExit("the server closed a connection early")
            left = pending[s] - len(data)
            if left > 0:
                pending[s] = left
                continue
            done += 1
            if done + active - 1 >= count or time.perf_counter() >= deadline:
                sel.unregister(s)
                active -= 1
                continue
            pending[s] = size
            s.sendall(msg)
    elapsed = time.perf_counter() - start
    for s in socks:
        s.close()
    print(json.dumps({"round_trips": done, "elapsed": elapsed}))


def _spawn_client(
    port: int, nconn: int, size: int, count: int, seconds: float
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--echo-client",
            f"{port},{nconn},{size},{count},{seconds}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def _client_result(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError("the echo client failed")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ============================================================== echo servers
def echo_lwt(nconn: int, size: int, count: int, seconds: float) -> dict[str, float]:
    import lwt.core as lwt
    import lwt.unix as unix
    from lwt.unix.main import run

    ls = unix.socket(socket.AF_INET, socket.SOCK_STREAM)
    unix.setsockopt(ls, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    run(unix.bind(ls, (HOST, 0)))
    unix.listen(ls, 128)
    port = unix.getsockname(ls)[1]
    finished: lwt.Promise[None]
    finish: lwt.Resolver[None]
    finished, finish = lwt.wait()
    closed = [0]

    def on_closed(_: None) -> None:
        closed[0] += 1
        if closed[0] == nconn:
            lwt.wakeup(finish, None)

    def serve(conn: unix.FileDescr) -> lwt.Promise[None]:
        unix.setsockopt(conn, socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        buf = bytearray(65536)
        view = memoryview(buf)

        def read_more() -> lwt.Promise[None]:
            return unix.read(conn, buf, 0, 65536).bind(got)

        def got(n: int) -> lwt.Promise[None]:
            if n == 0:
                return unix.close(conn).map(on_closed)
            return send(n, 0)

        def send(n: int, off: int) -> lwt.Promise[None]:
            def sent(k: int) -> lwt.Promise[None]:
                return send(n, off + k) if off + k < n else read_more()

            return unix.write(conn, view, off, n - off).bind(sent)

        return read_more()

    def accept_loop() -> lwt.Promise[None]:
        def accepted(pair: tuple[unix.FileDescr, Any]) -> lwt.Promise[None]:
            lwt.async_(lambda: serve(pair[0]))
            return accept_loop()

        return unix.accept(ls).bind(accepted)

    acceptor = accept_loop()
    proc = _spawn_client(port, nconn, size, count, seconds)
    run(finished)
    acceptor.cancel()
    run(unix.close(ls))
    return _client_result(proc)


class _EchoProtocol(asyncio.Protocol):
    def __init__(self, on_lost: Callable[[], None]) -> None:
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_lost()


def echo_asyncio(
    nconn: int, size: int, count: int, seconds: float, loop_factory: Callable[[], Any] | None = None
) -> dict[str, float]:
    async def main() -> dict[str, float]:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        closed = [0]

        def lost() -> None:
            closed[0] += 1
            if closed[0] == nconn:
                done.set_result(None)

        server = await loop.create_server(lambda: _EchoProtocol(lost), HOST, 0)
        port = server.sockets[0].getsockname()[1]
        proc = _spawn_client(port, nconn, size, count, seconds)
        await done
        server.close()
        await server.wait_closed()
        return await loop.run_in_executor(None, _client_result, proc)

    loop = loop_factory() if loop_factory else asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def echo_asyncio_streams(nconn: int, size: int, count: int, seconds: float) -> dict[str, float]:
    async def main() -> dict[str, float]:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        closed = [0]

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()
            closed[0] += 1
            if closed[0] == nconn:
                done.set_result(None)

        server = await asyncio.start_server(handle, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        proc = _spawn_client(port, nconn, size, count, seconds)
        await done
        server.close()
        await server.wait_closed()
        return await loop.run_in_executor(None, _client_result, proc)

    return asyncio.run(main())


def echo_trio(nconn: int, size: int, count: int, seconds: float) -> dict[str, float]:
    result: list[dict[str, float]] = []

    async def main() -> None:
        closed = [0]
        async with trio.open_nursery() as nursery:

            async def handler(stream: Any) -> None:
                async for data in stream:
                    await stream.send_all(data)
                closed[0] += 1
                if closed[0] == nconn:
                    nursery.cancel_scope.cancel()

            listeners = await nursery.start(
                functools.partial(trio.serve_tcp, handler, 0, host=HOST)
            )
            port = listeners[0].socket.getsockname()[1]
            proc = _spawn_client(port, nconn, size, count, seconds)
            result.append(await trio.to_thread.run_sync(_client_result, proc))

    trio.run(main)
    return result[0]


SERVERS: dict[str, Callable[..., dict[str, float]]] = {
    "lwt.unix": echo_lwt,
    "asyncio Protocol": echo_asyncio,
    "asyncio streams": echo_asyncio_streams,
}
if uvloop is not None:

    def echo_uvloop(nconn: int, size: int, count: int, seconds: float) -> dict[str, float]:
        return echo_asyncio(nconn, size, count, seconds, loop_factory=uvloop.new_event_loop)

    SERVERS["uvloop Protocol"] = echo_uvloop
if trio is not None:
    SERVERS["trio streams"] = echo_trio


def run_echo(seconds: float) -> None:
    print(f"\nTCP echo over loopback, client in another process, at most {seconds} s per run")
    configs = [(1, 100), (64, 100), (1, 16384), (64, 16384)]
    header = f"{'server':18s}" + "".join(f" {f'{c} conn x {m} B':>22s}" for c, m in configs)
    print(header)
    for name, server in SERVERS.items():
        cells = []
        for nconn, size in configs:
            count = 2_000_000 if size <= 100 else 500_000
            r = server(nconn, size, count, seconds)
            rate = r["round_trips"] / r["elapsed"]
            mib = rate * size * 2 / (1 << 20)
            cells.append(f"{rate:9.0f}/s {mib:7.1f}MiB/s")
        print(f"{name:18s}" + "".join(f" {c:>22s}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sleeps", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--only", choices=["sleep", "echo"])
    parser.add_argument("--sleep-child")
    parser.add_argument("--echo-client")
    args = parser.parse_args()
    if args.sleep_child:
        sleep_child(args.sleep_child, args.sleeps)
        return
    if args.echo_client:
        port, nconn, size, count, seconds = args.echo_client.split(",")
        echo_client(int(port), int(nconn), int(size), int(count), float(seconds))
        return
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if args.only in (None, "sleep"):
        run_sleeps(args.sleeps)
    if args.only in (None, "echo"):
        run_echo(args.seconds)


if __name__ == "__main__":
    main()
