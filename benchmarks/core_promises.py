"""lwt.core against asyncio's futures on the workloads of the promise core.

Run: ``python benchmarks/core_promises.py`` with lwt-core installed (or with
``PYTHONPATH=packages/lwt-core/src``).  Each workload runs on both libraries,
alternating, several times; the table shows medians and lwt's speed relative
to asyncio (above 1 means lwt is faster, or smaller for memory).

Workloads:

resolved binds
    1,000,000 steps of ``p = p.bind(step)`` where ``step`` returns an
    already-fulfilled promise, against ``await`` of a fresh done future.
pending batch
    200,000 pending promises created and given one callback each, then all
    resolved (all alive at once), against ``create_future`` +
    ``add_done_callback`` for all, then ``set_result`` for all, then the loop
    drained.
bytes per pending promise
    traced memory of 100,000 pending promises, each with one callback, against
    as many futures with one done-callback each.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import lwt.core as lwt

RESOLVED_STEPS = 1_000_000
BATCH = 200_000
MEMORY_COUNT = 100_000
REPEAT = 5


def _noop(_value: object) -> None:
    return None


# ----------------------------------------------------------------- resolved
def lwt_resolved_binds() -> float:
    def step(v: int) -> lwt.Promise[int]:
        return lwt.return_(v + 1)

    p: lwt.Promise[int] = lwt.return_(0)
    t = time.perf_counter()
    for _ in range(RESOLVED_STEPS):
        p = p.bind(step)
    elapsed = time.perf_counter() - t
    assert lwt.poll(p) == RESOLVED_STEPS
    return elapsed


def asyncio_resolved_awaits() -> float:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        v = 0
        t = time.perf_counter()
        for _ in range(RESOLVED_STEPS):
            fut = loop.create_future()
            fut.set_result(v + 1)
            v = await fut
        elapsed = time.perf_counter() - t
        assert v == RESOLVED_STEPS
        return elapsed

    return asyncio.run(main())


# ------------------------------------------------------------ pending batch
def lwt_pending_batch() -> float:
    seen = [0]

    def callback(_v: object) -> None:
        seen[0] += 1

    t = time.perf_counter()
    resolvers = []
    for _ in range(BATCH):
        p, r = lwt.wait()
        p.on_success(callback)
        resolvers.append(r)
    for r in resolvers:
        lwt.wakeup(r, None)
    elapsed = time.perf_counter() - t
    assert seen[0] == BATCH
    return elapsed


def asyncio_pending_batch() -> float:
    seen = [0]

    def callback(_f: object) -> None:
        seen[0] += 1

    async def main() -> float:
        loop = asyncio.get_running_loop()
        t = time.perf_counter()
        futures = []
        for _ in range(BATCH):
            fut = loop.create_future()
            fut.add_done_callback(callback)
            futures.append(fut)
        for fut in futures:
            fut.set_result(None)
        # set_result scheduled every callback with call_soon: one turn of the
        # loop runs them all.
        await asyncio.sleep(0)
        elapsed = time.perf_counter() - t
        assert seen[0] == BATCH
        return elapsed

    return asyncio.run(main())


# ------------------------------------------------------------------- memory
def _traced(make: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keep = make()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del keep
    return (after - before) / MEMORY_COUNT


def lwt_bytes() -> float:
    def make() -> object:
        out = []
        for _ in range(MEMORY_COUNT):
            p, _r = lwt.wait()
            p.on_success(_noop)
            out.append(p)
        return out

    return _traced(make)


def asyncio_bytes() -> float:
    loop = asyncio.new_event_loop()

    def make() -> object:
        out = []
        for _ in range(MEMORY_COUNT):
            fut = loop.create_future()
            fut.add_done_callback(_noop)
            out.append(fut)
        return out

    try:
        return _traced(make)
    finally:
        loop.close()


def main() -> None:
    rows = [
        ("resolved binds (s)", lwt_resolved_binds, asyncio_resolved_awaits, True),
        ("pending batch (s)", lwt_pending_batch, asyncio_pending_batch, True),
        ("bytes per pending promise", lwt_bytes, asyncio_bytes, True),
    ]
    print(f"Python {sys.version.split()[0]}, {REPEAT} runs each, alternating; medians")
    print(f"{'workload':28} {'lwt':>12} {'asyncio':>12} {'asyncio/lwt':>12}")
    for name, ours, theirs, lower_is_better in rows:
        a: list[float] = []
        b: list[float] = []
        for _ in range(REPEAT):
            a.append(ours())
            b.append(theirs())
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = mb / ma if lower_is_better else ma / mb
        print(f"{name:28} {ma:12.4f} {mb:12.4f} {ratio:11.2f}x")


if __name__ == "__main__":
    main()
