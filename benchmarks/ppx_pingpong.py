"""Two coroutines passing messages back and forth through one-slot handoffs.

Run: ``python benchmarks/ppx_pingpong.py`` with lwt-core and lwt-ppx
installed (or ``PYTHONPATH=packages/lwt-core/src:packages/lwt-ppx/src``).

lwt: two ``@lwt.ppx.promise`` coroutines exchange ROUND_TRIPS messages
through two ``lwt.core.mvar.MVar`` (one each way).  asyncio: two tasks with
an ``asyncio.Queue(maxsize=1)`` each way.  trio (when installed): two tasks
with zero-size memory channels.  The table gives round trips per second,
medians of REPEAT runs alternating between libraries.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable

import lwt.core as lwt
from lwt.core.mvar import MVar
from lwt.ppx import promise

ROUND_TRIPS = 200_000
REPEAT = 5


def lwt_pingpong() -> float:
    ping: MVar[int] = MVar.create_empty()
    pong: MVar[int] = MVar.create_empty()

    @promise
    async def player() -> None:
        for _ in range(ROUND_TRIPS):
            v = await ping.take()
            await pong.put(v + 1)

    @promise
    async def driver() -> int:
        v = 0
        for _ in range(ROUND_TRIPS):
            await ping.put(v)
            v = await pong.take()
        return v

    t = time.perf_counter()
    player()
    result = driver()
    elapsed = time.perf_counter() - t
    assert lwt.poll(result) == ROUND_TRIPS, result
    return ROUND_TRIPS / elapsed


def asyncio_pingpong() -> float:
    async def main() -> float:
        ping: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        pong: asyncio.Queue[int] = asyncio.Queue(maxsize=1)

        async def player() -> None:
            for _ in range(ROUND_TRIPS):
                v = await ping.get()
                await pong.put(v + 1)

        t = time.perf_counter()
        task = asyncio.create_task(player())
        v = 0
        for _ in range(ROUND_TRIPS):
            await ping.put(v)
            v = await pong.get()
        await task
        elapsed = time.perf_counter() - t
        assert v == ROUND_TRIPS
        return ROUND_TRIPS / elapsed

    return asyncio.run(main())


def trio_pingpong() -> float:
    import trio

    async def main() -> float:
        ping_send, ping_recv = trio.open_memory_channel[int](0)
        pong_send, pong_recv = trio.open_memory_channel[int](0)
        result = [0.0]

        async def player() -> None:
            for _ in range(ROUND_TRIPS):
                v = await ping_recv.receive()
                await pong_send.send(v + 1)

        async def driver() -> None:
            t = time.perf_counter()
            v = 0
            for _ in range(ROUND_TRIPS):
                await ping_send.send(v)
                v = await pong_recv.receive()
            assert v == ROUND_TRIPS
            result[0] = ROUND_TRIPS / (time.perf_counter() - t)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(player)
            nursery.start_soon(driver)
        return result[0]

    return trio.run(main)


def main() -> None:
    peers: list[tuple[str, Callable[[], float]]] = [("asyncio", asyncio_pingpong)]
    try:
        import trio  # noqa: F401
    except ImportError:
        print("trio is not installed: its column is left out")
    else:
        peers.append(("trio", trio_pingpong))
    runs: dict[str, list[float]] = {"lwt": [], **{name: [] for name, _ in peers}}
    for _ in range(REPEAT):
        runs["lwt"].append(lwt_pingpong())
        for name, f in peers:
            runs[name].append(f())
    print(f"Python {sys.version.split()[0]}: {ROUND_TRIPS} round trips, medians of {REPEAT}")
    ours = statistics.median(runs["lwt"])
    print(f"{'library':10} {'round trips/s':>14} {'lwt/peer':>9}")
    for name, values in runs.items():
        m = statistics.median(values)
        print(f"{name:10} {m:14,.0f} {ours / m:8.2f}x")


if __name__ == "__main__":
    main()
