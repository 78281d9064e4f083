"""lwt.core.mvar against asyncio queues and trio channels: a ping-pong.

Run: ``python benchmarks/core_mvar.py`` with lwt-core installed (or with
``PYTHONPATH=packages/lwt-core/src``).  Each workload runs several times,
alternating between libraries; the table shows medians and lwt's speed
relative to each (above 1 means lwt is faster).

Workload: 200,000 round trips between two loops.  One loop sends a number
and waits for the answer; the other receives it and sends it back.

lwt
    two empty :class:`~lwt.core.mvar.MVar` boxes, one each way, and two loops
    written as recursive ``bind`` (no coroutine driver involved).
asyncio
    two tasks and two ``asyncio.Queue(maxsize=1)``, one each way.
trio
    two tasks and two memory channels of size 0, one each way (skipped with
    a note if trio is not installed).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType

import lwt.core as lwt
from lwt.core.mvar import MVar

ROUND_TRIPS = 200_000
REPEAT = 5


def lwt_ping_pong() -> float:
    ping: MVar[int] = MVar.create_empty()
    pong: MVar[int] = MVar.create_empty()

    def echo(i: int) -> lwt.Promise[None]:
        if i == ROUND_TRIPS:
            return lwt.return_unit
        return ping.take().bind(pong.put).bind(lambda _: echo(i + 1))

    def send(i: int) -> lwt.Promise[None]:
        if i == ROUND_TRIPS:
            return lwt.return_unit

        def answered(v: int) -> lwt.Promise[None]:
            assert v == i
            return send(i + 1)

        return ping.put(i).bind(lambda _: pong.take()).bind(answered)

    t = time.perf_counter()
    echoer = echo(0)
    sender = send(0)
    elapsed = time.perf_counter() - t
    assert lwt.poll(sender) is None
    assert not sender.is_sleeping()
    assert not echoer.is_sleeping()
    return elapsed


def asyncio_ping_pong() -> float:
    async def main() -> float:
        ping: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        pong: asyncio.Queue[int] = asyncio.Queue(maxsize=1)

        async def echo() -> None:
            for _ in range(ROUND_TRIPS):
                await pong.put(await ping.get())

        async def send() -> None:
            for i in range(ROUND_TRIPS):
                await ping.put(i)
                v = await pong.get()
                assert v == i

        t = time.perf_counter()
        await asyncio.gather(echo(), send())
        return time.perf_counter() - t

    return asyncio.run(main())


def _trio_ping_pong(trio: ModuleType) -> Callable[[], float]:
    def run() -> float:
        async def main() -> float:
            ping_tx, ping_rx = trio.open_memory_channel(0)
            pong_tx, pong_rx = trio.open_memory_channel(0)

            async def echo() -> None:
                for _ in range(ROUND_TRIPS):
                    await pong_tx.send(await ping_rx.receive())

            async def send() -> None:
                for i in range(ROUND_TRIPS):
                    await ping_tx.send(i)
                    v = await pong_rx.receive()
                    assert v == i

            t = time.perf_counter()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(echo)
                nursery.start_soon(send)
            return time.perf_counter() - t

        result: float = trio.run(main)
        return result

    return run


def main() -> None:
    runners: list[tuple[str, Callable[[], float]]] = [
        ("lwt.core.mvar", lwt_ping_pong),
        ("asyncio.Queue", asyncio_ping_pong),
    ]
    try:
        import trio
    except ImportError:
        print("note: trio is not installed; skipping its column (pip install trio)")
    else:
        runners.append(("trio channel", _trio_ping_pong(trio)))

    times: dict[str, list[float]] = {name: [] for name, _ in runners}
    for _ in range(REPEAT):
        for name, run in runners:
            times[name].append(run())

    print(
        f"Python {sys.version.split()[0]}, {ROUND_TRIPS:,} round trips, "
        f"{REPEAT} runs each, alternating; medians"
    )
    ours = statistics.median(times["lwt.core.mvar"])
    print(f"{'implementation':20} {'seconds':>10} {'us/trip':>10} {'other/lwt':>10}")
    for name, _ in runners:
        m = statistics.median(times[name])
        print(f"{name:20} {m:10.4f} {m / ROUND_TRIPS * 1e6:10.2f} {m / ours:9.2f}x")


if __name__ == "__main__":
    main()
