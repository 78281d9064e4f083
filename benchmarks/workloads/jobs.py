"""Work sent to threads: ``stat`` calls and ``detach`` of a tiny function.

N calls are started at once and waited for together, with the same number
of worker threads on every side.  The function handed to ``detach`` does
almost nothing, so the figure is the cost of the round trip through the
pool (submit, run, wake the loop, resolve), not the work.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import lwt.core as lwt
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload

PATH = __file__


def _tiny() -> int:
    return 1


def _call(kind: str) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return (os.stat, (PATH,)) if kind == "stat" else (_tiny, ())


# --------------------------------------------------------------------- lwt
def _lwt(params: Params, kind: str) -> Figures:
    import lwt.unix as unix
    import lwt.unix.preemptive as preemptive
    from lwt.unix.main import run

    n: int = params["count"]
    threads: int = params["threads"]
    unix.set_pool_size(threads)
    preemptive.set_bounds((0, threads))

    def one() -> lwt.Promise[None]:
        if kind == "stat":
            return unix.stat(PATH).map(lambda _: None)
        return preemptive.detach(_tiny).map(lambda _: None)

    t = time.perf_counter()
    run(lwt.join([one() for _ in range(n)]))
    return {"rate": n / (time.perf_counter() - t)}


def lwt_stat(params: Params) -> Figures:
    """``lwt.unix.stat``: a job in ``lwt.unix``'s pool (``set_pool_size(threads)``)."""
    return _lwt(params, "stat")


def lwt_detach(params: Params) -> Figures:
    """``lwt.unix.preemptive.detach`` with bounds ``(0, threads)``."""
    return _lwt(params, "detach")


# ----------------------------------------------------------------- asyncio
def _asyncio(params: Params, kind: str, uvloop: bool, to_thread: bool) -> Figures:
    n: int = params["count"]
    f, args = _call(kind)

    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(params["threads"]))
        t = time.perf_counter()
        if to_thread:
            await asyncio.gather(*[asyncio.to_thread(f, *args) for _ in range(n)])
        else:
            await asyncio.gather(*[loop.run_in_executor(None, f, *args) for _ in range(n)])
        return {"rate": n / (time.perf_counter() - t)}

    return run_asyncio(main, uvloop=uvloop)


def asyncio_to_thread_stat(params: Params) -> Figures:
    """``asyncio.to_thread(os.stat, path)`` under ``gather``."""
    return _asyncio(params, "stat", uvloop=False, to_thread=True)


def asyncio_executor_stat(params: Params) -> Figures:
    """``loop.run_in_executor(None, os.stat, path)`` under ``gather``."""
    return _asyncio(params, "stat", uvloop=False, to_thread=False)


def uvloop_executor_stat(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio(params, "stat", uvloop=True, to_thread=False)


def asyncio_to_thread_detach(params: Params) -> Figures:
    """``asyncio.to_thread(f)`` under ``gather``."""
    return _asyncio(params, "detach", uvloop=False, to_thread=True)


def asyncio_executor_detach(params: Params) -> Figures:
    """``loop.run_in_executor(None, f)`` under ``gather``."""
    return _asyncio(params, "detach", uvloop=False, to_thread=False)


def uvloop_executor_detach(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio(params, "detach", uvloop=True, to_thread=False)


# -------------------------------------------------------------------- trio
def _trio(params: Params, kind: str) -> Figures:
    import trio

    n: int = params["count"]
    f, args = _call(kind)

    async def main() -> Figures:
        limiter = trio.CapacityLimiter(params["threads"])

        async def one() -> None:
            await trio.to_thread.run_sync(f, *args, limiter=limiter)

        t = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(n):
                nursery.start_soon(one)
        return {"rate": n / (time.perf_counter() - t)}

    return run_trio(main)


def trio_stat(params: Params) -> Figures:
    """``trio.to_thread.run_sync(os.stat, path)`` with a ``CapacityLimiter(threads)``."""
    return _trio(params, "stat")


def trio_detach(params: Params) -> Figures:
    """``trio.to_thread.run_sync(f)`` with a ``CapacityLimiter(threads)``."""
    return _trio(params, "detach")


WORKLOADS = (
    Workload(
        name="stat_jobs",
        family="jobs",
        summary="N stat calls of one file in worker threads, all at once",
        metrics=(Metric("rate", "calls/s"),),
        contenders=(
            Contender("lwt.unix.stat", "lwt", lwt_stat),
            Contender("asyncio.to_thread", "asyncio", asyncio_to_thread_stat),
            Contender("asyncio run_in_executor", "asyncio", asyncio_executor_stat),
            Contender("uvloop run_in_executor", "uvloop", uvloop_executor_stat),
            Contender("trio.to_thread.run_sync", "trio", trio_stat),
        ),
        full={"count": 20_000, "threads": 8},
        quick={"count": 200, "threads": 4},
        cheap=True,
    ),
    Workload(
        name="detach_jobs",
        family="jobs",
        summary="N calls of a tiny function in worker threads, all at once",
        metrics=(Metric("rate", "calls/s"),),
        contenders=(
            Contender("lwt.unix.preemptive.detach", "lwt", lwt_detach),
            Contender("asyncio.to_thread", "asyncio", asyncio_to_thread_detach),
            Contender("asyncio run_in_executor", "asyncio", asyncio_executor_detach),
            Contender("uvloop run_in_executor", "uvloop", uvloop_executor_detach),
            Contender("trio.to_thread.run_sync", "trio", trio_detach),
        ),
        full={"count": 20_000, "threads": 8},
        quick={"count": 200, "threads": 4},
        cheap=True,
    ),
)
