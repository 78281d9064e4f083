"""Values handed between two parties: ping-pongs and a bounded stream.

Coroutine ping-pong times ``lwt.ppx`` coroutines against asyncio and trio
tasks; MVar ping-pong times the same exchange written with ``bind`` alone;
the bounded stream moves many items through a queue that fills up.
"""

from __future__ import annotations

import asyncio
import functools
import time

import lwt.core as lwt
import lwt.core.stream as stream
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload
from lwt.core.mvar import MVar
from lwt.ppx import promise


# ------------------------------------------------------------ ping-pongs
def lwt_coroutine_pingpong(params: Params) -> Figures:
    """Two ``@promise`` coroutines answering each other through two empty MVars."""
    n: int = params["round_trips"]
    ping: MVar[int] = MVar.create_empty()
    pong: MVar[int] = MVar.create_empty()

    @promise
    async def player() -> None:
        for _ in range(n):
            v = await ping.take()
            await pong.put(v + 1)

    @promise
    async def driver() -> int:
        v = 0
        for _ in range(n):
            await ping.put(v)
            v = await pong.take()
        return v

    t = time.perf_counter()
    player()
    result = driver()
    elapsed = time.perf_counter() - t
    if lwt.poll(result) != n:
        raise AssertionError("the ping-pong did not finish")
    return {"rate": n / elapsed}


def lwt_mvar_pingpong(params: Params) -> Figures:
    """The same exchange as two loops written as recursive ``bind``, no coroutines."""
    n: int = params["round_trips"]
    ping: MVar[int] = MVar.create_empty()
    pong: MVar[int] = MVar.create_empty()

    def echo(i: int) -> lwt.Promise[None]:
        if i == n:
            return lwt.return_unit
        return ping.take().bind(pong.put).bind(lambda _: echo(i + 1))

    def send(i: int) -> lwt.Promise[None]:
        if i == n:
            return lwt.return_unit

        def answered(v: int) -> lwt.Promise[None]:
            if v != i:
                raise AssertionError("a message came back changed")
            return send(i + 1)

        return ping.put(i).bind(lambda _: pong.take()).bind(answered)

    t = time.perf_counter()
    echoer = echo(0)
    sender = send(0)
    elapsed = time.perf_counter() - t
    if sender.is_sleeping() or echoer.is_sleeping() or lwt.poll(sender) is not None:
        raise AssertionError("the ping-pong did not finish")
    return {"rate": n / elapsed}


def _asyncio_pingpong(params: Params, uvloop: bool) -> Figures:
    n: int = params["round_trips"]

    async def main() -> float:
        ping: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        pong: asyncio.Queue[int] = asyncio.Queue(maxsize=1)

        async def player() -> None:
            for _ in range(n):
                v = await ping.get()
                await pong.put(v + 1)

        t = time.perf_counter()
        task = asyncio.create_task(player())
        v = 0
        for _ in range(n):
            await ping.put(v)
            v = await pong.get()
        await task
        elapsed = time.perf_counter() - t
        if v != n:
            raise AssertionError("the ping-pong did not finish")
        return elapsed

    return {"rate": n / run_asyncio(main, uvloop=uvloop)}


def asyncio_pingpong(params: Params) -> Figures:
    """Two asyncio tasks and two ``asyncio.Queue(maxsize=1)``."""
    return _asyncio_pingpong(params, uvloop=False)


def uvloop_pingpong(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_pingpong(params, uvloop=True)


def trio_pingpong(params: Params) -> Figures:
    """Two trio tasks and two memory channels of size 0."""
    import trio

    n: int = params["round_trips"]

    async def main() -> float:
        ping_send, ping_recv = trio.open_memory_channel[int](0)
        pong_send, pong_recv = trio.open_memory_channel[int](0)
        elapsed = [0.0]

        async def player() -> None:
            for _ in range(n):
                v = await ping_recv.receive()
                await pong_send.send(v + 1)

        async def driver() -> None:
            t = time.perf_counter()
            v = 0
            for _ in range(n):
                await ping_send.send(v)
                v = await pong_recv.receive()
            elapsed[0] = time.perf_counter() - t
            if v != n:
                raise AssertionError("the ping-pong did not finish")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(player)
            nursery.start_soon(driver)
        return elapsed[0]

    return {"rate": n / run_trio(main)}


# -------------------------------------------------------- bounded stream
def lwt_bounded_stream(params: Params) -> Figures:
    """``create_bounded``: a producer looping on ``push``, a consumer on ``iter_s``.

    The producer binds only when a push has to wait for room, as ``await
    queue.put(x)`` suspends only when the queue is full.  Both sides start
    inside a callback (a paused promise woken by ``wakeup_paused``), where
    code runs in a program driven by ``lwt.unix.main.run``.
    """
    n: int = params["items"]
    capacity: int = params["capacity"]
    s: stream.Stream[int]
    s, pusher = stream.create_bounded(capacity)
    total = [0]

    def consume(x: int) -> lwt.Promise[None]:
        total[0] += x
        return lwt.return_unit

    def produce(i: int) -> lwt.Promise[None]:
        while i < n:
            p = pusher.push(i)
            i += 1
            if p.is_sleeping():
                return p.bind(functools.partial(resume, i))
        pusher.close()
        return lwt.return_unit

    def resume(i: int, _: None) -> lwt.Promise[None]:
        return produce(i)

    outcome: list[lwt.Promise[None]] = []

    def start(_: None) -> lwt.Promise[None]:
        outcome.append(s.iter_s(consume))
        outcome.append(produce(0))
        return lwt.return_unit

    t = time.perf_counter()
    lwt.pause().bind(start)
    lwt.wakeup_paused()
    elapsed = time.perf_counter() - t
    if [p.state() for p in outcome] != [lwt.Return(None)] * 2 or total[0] != n * (n - 1) // 2:
        raise AssertionError("the stream lost items")
    return {"rate": n / elapsed}


def _asyncio_queue(params: Params, uvloop: bool) -> Figures:
    n: int = params["items"]
    capacity: int = params["capacity"]

    async def main() -> float:
        q: asyncio.Queue[int | None] = asyncio.Queue(maxsize=capacity)

        async def producer() -> None:
            for i in range(n):
                await q.put(i)
            await q.put(None)

        async def consumer() -> int:
            total = 0
            while True:
                x = await q.get()
                if x is None:
                    return total
                total += x

        t = time.perf_counter()
        c = asyncio.create_task(consumer())
        p = asyncio.create_task(producer())
        total = await c
        await p
        elapsed = time.perf_counter() - t
        if total != n * (n - 1) // 2:
            raise AssertionError("the queue lost items")
        return elapsed

    return {"rate": n / run_asyncio(main, uvloop=uvloop)}


def asyncio_queue(params: Params) -> Figures:
    """A producer task and a consumer task around ``asyncio.Queue(maxsize)``."""
    return _asyncio_queue(params, uvloop=False)


def uvloop_queue(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_queue(params, uvloop=True)


def trio_channel(params: Params) -> Figures:
    """A producer and a consumer task around ``trio.open_memory_channel(capacity)``."""
    import trio

    n: int = params["items"]
    capacity: int = params["capacity"]

    async def main() -> float:
        send, receive = trio.open_memory_channel[int](capacity)
        total = [0]

        async def producer() -> None:
            async with send:
                for i in range(n):
                    await send.send(i)

        async def consumer() -> None:
            async with receive:
                async for x in receive:
                    total[0] += x

        t = time.perf_counter()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(consumer)
            nursery.start_soon(producer)
        elapsed = time.perf_counter() - t
        if total[0] != n * (n - 1) // 2:
            raise AssertionError("the channel lost items")
        return elapsed

    return {"rate": n / run_trio(main)}


_ROUND_TRIPS = {"round_trips": 200_000}
_QUICK_ROUND_TRIPS = {"round_trips": 2_000}

WORKLOADS = (
    Workload(
        name="coroutine_pingpong",
        family="handoff",
        summary="two coroutines/tasks answering each other through one-slot handoffs",
        metrics=(Metric("rate", "round trips/s"),),
        contenders=(
            Contender("lwt.ppx coroutines + MVar", "lwt", lwt_coroutine_pingpong),
            Contender("asyncio tasks + Queue(1)", "asyncio", asyncio_pingpong),
            Contender("uvloop tasks + Queue(1)", "uvloop", uvloop_pingpong),
            Contender("trio tasks + channel(0)", "trio", trio_pingpong),
        ),
        full=_ROUND_TRIPS,
        quick=_QUICK_ROUND_TRIPS,
        cheap=True,
    ),
    Workload(
        name="mvar_pingpong",
        family="handoff",
        summary="the same exchange written with bind alone (no coroutine driver)",
        metrics=(Metric("rate", "round trips/s"),),
        contenders=(
            Contender("lwt.core MVar + bind", "lwt", lwt_mvar_pingpong),
            Contender("asyncio tasks + Queue(1)", "asyncio", asyncio_pingpong),
            Contender("uvloop tasks + Queue(1)", "uvloop", uvloop_pingpong),
            Contender("trio tasks + channel(0)", "trio", trio_pingpong),
        ),
        full=_ROUND_TRIPS,
        quick=_QUICK_ROUND_TRIPS,
        cheap=True,
    ),
    Workload(
        name="bounded_stream",
        family="handoff",
        summary="one producer, one consumer, a queue of 1,000",
        metrics=(Metric("rate", "items/s"),),
        contenders=(
            Contender("lwt.core.stream bounded", "lwt", lwt_bounded_stream),
            Contender("asyncio.Queue(1000)", "asyncio", asyncio_queue),
            Contender("uvloop asyncio.Queue(1000)", "uvloop", uvloop_queue),
            Contender("trio channel(1000)", "trio", trio_channel),
        ),
        full={"items": 500_000, "capacity": 1_000},
        quick={"items": 5_000, "capacity": 100},
        cheap=True,
    ),
)
