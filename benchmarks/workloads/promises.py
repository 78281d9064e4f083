"""The promise core on its own: resolved binds and pending promises.

No I/O and no event loop on lwt's side: these workloads time the machinery
every other one is built on.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import Callable

import lwt.core as lwt
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload


def _noop(_value: object) -> None:
    return None


def _traced_bytes(make: Callable[[], object], count: int) -> float:
    """Bytes of traced memory per item that ``make()`` keeps alive, for ``count`` items."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        keep = make()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del keep
    return (after - before) / count


# ------------------------------------------------------------ resolved binds
def lwt_resolved_binds(params: Params) -> Figures:
    """``p = p.bind(step)`` where ``step`` returns an already-fulfilled promise."""
    n: int = params["steps"]

    def step(v: int) -> lwt.Promise[int]:
        return lwt.return_(v + 1)

    p: lwt.Promise[int] = lwt.return_(0)
    t = time.perf_counter()
    for _ in range(n):
        p = p.bind(step)
    elapsed = time.perf_counter() - t
    if lwt.poll(p) != n:
        raise AssertionError("the chain of binds lost a step")
    return {"rate": n / elapsed}


def _asyncio_resolved(params: Params, uvloop: bool) -> Figures:
    n: int = params["steps"]

    async def main() -> float:
        loop = asyncio.get_running_loop()
        v = 0
        t = time.perf_counter()
        for _ in range(n):
            fut = loop.create_future()
            fut.set_result(v + 1)
            v = await fut
        elapsed = time.perf_counter() - t
        if v != n:
            raise AssertionError("the chain of awaits lost a step")
        return elapsed

    return {"rate": n / run_asyncio(main, uvloop=uvloop)}


def asyncio_resolved_awaits(params: Params) -> Figures:
    """``await`` of a fresh future already given its result, on asyncio's loop."""
    return _asyncio_resolved(params, uvloop=False)


def uvloop_resolved_awaits(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_resolved(params, uvloop=True)


def trio_resolved_awaits(params: Params) -> Figures:
    """``await`` of a coroutine that returns at once: trio has no futures."""
    n: int = params["steps"]

    async def step(v: int) -> int:
        return v + 1

    async def main() -> float:
        v = 0
        t = time.perf_counter()
        for _ in range(n):
            v = await step(v)
        elapsed = time.perf_counter() - t
        if v != n:
            raise AssertionError("the chain of awaits lost a step")
        return elapsed

    return {"rate": n / run_trio(main)}


# ----------------------------------------------------------- pending batch
def lwt_pending(params: Params) -> Figures:
    """Pending promises, each given a callback, then all resolved; bytes per promise."""
    n: int = params["count"]
    seen = [0]

    def callback(_v: object) -> None:
        seen[0] += 1

    t = time.perf_counter()
    resolvers = []
    for _ in range(n):
        p: lwt.Promise[None]
        r: lwt.Resolver[None]
        p, r = lwt.wait()
        p.on_success(callback)
        resolvers.append(r)
    for r in resolvers:
        lwt.wakeup(r, None)
    elapsed = time.perf_counter() - t
    if seen[0] != n:
        raise AssertionError("a callback did not run")

    def make() -> object:
        out: list[lwt.Promise[None]] = []
        for _ in range(n):
            q: lwt.Promise[None]
            _r: lwt.Resolver[None]
            q, _r = lwt.wait()
            q.on_success(_noop)
            out.append(q)
        return out

    return {"rate": n / elapsed, "bytes": _traced_bytes(make, n)}


def _asyncio_pending(params: Params, uvloop: bool) -> Figures:
    n: int = params["count"]
    seen = [0]

    def callback(_f: object) -> None:
        seen[0] += 1

    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        t = time.perf_counter()
        futures = []
        for _ in range(n):
            fut = loop.create_future()
            fut.add_done_callback(callback)
            futures.append(fut)
        for fut in futures:
            fut.set_result(None)
        # set_result scheduled every callback with call_soon: one turn of the
        # loop runs them all.
        await asyncio.sleep(0)
        elapsed = time.perf_counter() - t
        if seen[0] != n:
            raise AssertionError("a callback did not run")

        def make() -> object:
            out = []
            for _ in range(n):
                f = loop.create_future()
                f.add_done_callback(_noop)
                out.append(f)
            return out

        return {"rate": n / elapsed, "bytes": _traced_bytes(make, n)}

    return run_asyncio(main, uvloop=uvloop)


def asyncio_pending(params: Params) -> Figures:
    """Futures with a done-callback each, then all given a result, then the loop drained."""
    return _asyncio_pending(params, uvloop=False)


def uvloop_pending(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_pending(params, uvloop=True)


WORKLOADS = (
    Workload(
        name="resolved_binds",
        family="promises",
        summary="bind on an already-resolved promise vs await of a done future",
        metrics=(Metric("rate", "binds/s"),),
        contenders=(
            Contender("lwt.core bind", "lwt", lwt_resolved_binds),
            Contender("asyncio await future", "asyncio", asyncio_resolved_awaits),
            Contender("uvloop await future", "uvloop", uvloop_resolved_awaits),
            Contender("trio await coroutine", "trio", trio_resolved_awaits),
        ),
        full={"steps": 1_000_000},
        quick={"steps": 5_000},
        cheap=True,
    ),
    Workload(
        name="pending",
        family="promises",
        summary="create a pending promise, attach a callback, resolve it (all alive at once)",
        metrics=(Metric("rate", "promises/s"), Metric("bytes", "B/promise", False)),
        contenders=(
            Contender("lwt.core wait/on_success/wakeup", "lwt", lwt_pending),
            Contender("asyncio future callbacks", "asyncio", asyncio_pending),
            Contender("uvloop future callbacks", "uvloop", uvloop_pending),
        ),
        full={"count": 200_000},
        quick={"count": 2_000},
        cheap=True,
    ),
)
