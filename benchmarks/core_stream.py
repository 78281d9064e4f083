"""lwt.core.stream against asyncio's and trio's bounded queues.

Run: ``python benchmarks/core_stream.py`` with lwt-core installed (or with
``PYTHONPATH=packages/lwt-core/src``).  Each workload runs on every library,
alternating, several times; the table shows medians and each time relative
to lwt's main row (above 1 means slower than lwt).

Workload: 1,000,000 integers go from one producer to one consumer through a
queue that holds at most 1,000 of them.

lwt
    ``create_bounded(1000)``; the consumer is ``iter_s`` with a callback
    returning a resolved promise; the producer is a loop over
    ``BoundedPush.push`` that binds on the push promise whenever it has to
    wait for room (the stream is full) and goes straight on otherwise, as
    ``await queue.put(x)`` does in asyncio.  Both start inside a callback
    (a ``pause()`` woken by ``wakeup_paused()``), which is where code runs in
    a program driven by ``lwt.unix.main.run``: there ``wakeup_later`` lets
    the producer fill the stream before the consumer resumes, so both work
    in batches.  No event loop is involved; the promises drive both sides.
lwt, bind on every push
    The same, with the producer written as ``push(i).bind(lambda _:
    produce(i + 1))``: every step pays for a ``bind`` (and the core's
    depth bound turns the recursion into batches of 42).
lwt, started outside any callback
    The main row's code called directly from the top level: there is no
    resolution to defer to, so each push wakes the consumer at once and the
    two alternate element by element (a waiter promise per element).
asyncio
    ``asyncio.Queue(maxsize=1000)`` with a producer task (``await put``) and
    a consumer task (``await get``) on the default event loop.
trio
    ``trio.open_memory_channel(1000)`` with a producer and a consumer task
    in a nursery (skipped with a note if trio is not installed).
"""

from __future__ import annotations

import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Callable

import lwt.core as lwt
import lwt.core.stream as stream

ITEMS = 1_000_000
CAPACITY = 1_000
REPEAT = 5
EXPECTED = ITEMS * (ITEMS - 1) // 2


def _lwt(bind_every_push: bool, in_callback: bool) -> float:
    s: stream.Stream[int]
    s, pusher = stream.create_bounded(CAPACITY)
    total = [0]

    def consume(x: int) -> lwt.Promise[None]:
        total[0] += x
        return lwt.return_unit

    def produce(i: int) -> lwt.Promise[None]:
        while i < ITEMS:
            p = pusher.push(i)
            i += 1
            if p.is_sleeping():
                return p.bind(functools.partial(resume, i))
        pusher.close()
        return lwt.return_unit

    def resume(i: int, _: None) -> lwt.Promise[None]:
        return produce(i)

    def produce_binding(i: int) -> lwt.Promise[None]:
        if i == ITEMS:
            pusher.close()
            return lwt.return_unit
        return pusher.push(i).bind(lambda _: produce_binding(i + 1))

    producer = produce_binding if bind_every_push else produce
    outcome: list[lwt.Promise[None]] = []

    def start(_: None = None) -> lwt.Promise[None]:
        outcome.append(s.iter_s(consume))
        outcome.append(producer(0))
        return lwt.return_unit

    t = time.perf_counter()
    if in_callback:
        lwt.pause().bind(start)
        lwt.wakeup_paused()
    else:
        start()
    elapsed = time.perf_counter() - t
    assert [p.state() for p in outcome] == [lwt.Return(None)] * 2
    assert total[0] == EXPECTED
    return elapsed


def lwt_bounded_stream() -> float:
    return _lwt(bind_every_push=False, in_callback=True)


def lwt_bind_every_push() -> float:
    return _lwt(bind_every_push=True, in_callback=True)


def lwt_outside_callbacks() -> float:
    return _lwt(bind_every_push=False, in_callback=False)


def asyncio_queue() -> float:
    async def main() -> float:
        q: asyncio.Queue[int | None] = asyncio.Queue(maxsize=CAPACITY)

        async def producer() -> None:
            for i in range(ITEMS):
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
        assert total == EXPECTED
        return elapsed

    return asyncio.run(main())


def trio_memory_channel() -> float:
    import trio

    async def main() -> float:
        send, receive = trio.open_memory_channel[int](CAPACITY)
        total = [0]

        async def producer() -> None:
            async with send:
                for i in range(ITEMS):
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
        assert total[0] == EXPECTED
        return elapsed

    elapsed: float = trio.run(main)
    return elapsed


def main() -> None:
    contenders: list[tuple[str, Callable[[], float]]] = [
        ("lwt", lwt_bounded_stream),
        ("lwt, bind on every push", lwt_bind_every_push),
        ("lwt, outside callbacks", lwt_outside_callbacks),
        ("asyncio", asyncio_queue),
    ]
    try:
        import trio  # noqa: F401
    except ImportError:
        print("trio is not installed: its row is skipped (pip install trio)")
    else:
        contenders.append(("trio", trio_memory_channel))
    runs: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for _ in range(REPEAT):
        for name, f in contenders:
            runs[name].append(f())
    medians = {name: statistics.median(r) for name, r in runs.items()}
    print(f"Python {sys.version.split()[0]}, {REPEAT} runs each, alternating; medians")
    print(f"{ITEMS:,} items through a queue of {CAPACITY:,}, one producer, one consumer")
    print(f"{'library':26} {'seconds':>9} {'items/s':>11} {'vs lwt':>8}")
    for name, m in medians.items():
        print(f"{name:26} {m:9.3f} {ITEMS / m:11,.0f} {m / medians['lwt']:7.2f}x")


if __name__ == "__main__":
    main()
