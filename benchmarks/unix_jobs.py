"""lwt.unix's worker threads against asyncio and trio: many stat jobs, many detach calls.

Run: ``python benchmarks/unix_jobs.py`` with lwt-core and lwt-unix installed
(or ``PYTHONPATH=packages/lwt-core/src:packages/lwt-unix/src``).
Options: ``--stats N`` (default 10000), ``--detach N`` (default 1000),
``--threads T`` (default 8), ``--repeat R`` (default 3, the best run is kept).

stat
    N ``stat`` calls of the same file, all started at once, then waited
    for together.  lwt: ``lwt.unix.stat`` (a job in ``lwt.unix``'s pool,
    ``set_pool_size(T)``).  asyncio: ``asyncio.to_thread(os.stat, ...)`` under
    ``gather``, the loop's default executor set to T threads.  trio:
    ``trio.to_thread.run_sync`` in a nursery, with a ``CapacityLimiter(T)``.

detach
    N calls of a function sleeping 1 ms, all started at once.  lwt:
    ``lwt.unix.preemptive.detach`` with bounds ``(0, T)``; asyncio and trio
    as above.  The floor is N * 1 ms / T.

Every contender runs with the same T threads.  Reported: wall time (ms) and
calls per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

try:
    import trio
except ImportError:  # pragma: no cover - optional contender
    trio = None

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.preemptive as preemptive
from lwt.unix.main import run

PATH = __file__


def sleep_1ms() -> None:
    time.sleep(0.001)


# ------------------------------------------------------------------ lwt


def lwt_stat(n: int, threads: int) -> float:
    unix.set_pool_size(threads)
    t0 = time.perf_counter()
    run(lwt.join([unix.stat(PATH).map(lambda _: None) for _ in range(n)]))
    return time.perf_counter() - t0


def lwt_detach(n: int, threads: int) -> float:
    preemptive.set_bounds((0, threads))
    t0 = time.perf_counter()
    run(lwt.join([preemptive.detach(sleep_1ms) for _ in range(n)]))
    return time.perf_counter() - t0


# -------------------------------------------------------------- asyncio


def _asyncio(n: int, threads: int, f: Callable[..., Any], *args: Any) -> float:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(threads))
        t0 = time.perf_counter()
        await asyncio.gather(*(asyncio.to_thread(f, *args) for _ in range(n)))
        return time.perf_counter() - t0

    return asyncio.run(main())


def asyncio_stat(n: int, threads: int) -> float:
    return _asyncio(n, threads, os.stat, PATH)


def asyncio_detach(n: int, threads: int) -> float:
    return _asyncio(n, threads, sleep_1ms)


# ----------------------------------------------------------------- trio


def _trio(n: int, threads: int, f: Callable[..., Any], *args: Any) -> float:
    async def main() -> float:
        limiter = trio.CapacityLimiter(threads)
        t0 = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(n):
                nursery.start_soon(lambda: trio.to_thread.run_sync(f, *args, limiter=limiter))
        return time.perf_counter() - t0

    return float(trio.run(main))


def trio_stat(n: int, threads: int) -> float:
    return _trio(n, threads, os.stat, PATH)


def trio_detach(n: int, threads: int) -> float:
    return _trio(n, threads, sleep_1ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stats", type=int, default=10_000)
    parser.add_argument("--detach", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    contenders: list[tuple[str, Callable[[int, int], float], Callable[[int, int], float]]] = [
        ("lwt.unix", lwt_stat, lwt_detach),
        ("asyncio.to_thread", asyncio_stat, asyncio_detach),
    ]
    if trio is not None:
        contenders.append(("trio.to_thread", trio_stat, trio_detach))
    print(f"python {sys.version.split()[0]}, {args.threads} threads, best of {args.repeat}")
    print(f"{'':20} {'stat x' + str(args.stats):>22} {'detach 1ms x' + str(args.detach):>26}")
    for name, stat_f, detach_f in contenders:
        s = min(stat_f(args.stats, args.threads) for _ in range(args.repeat))
        d = min(detach_f(args.detach, args.threads) for _ in range(args.repeat))
        print(
            f"{name:20} {s * 1e3:9.1f} ms {args.stats / s:8.0f}/s "
            f"{d * 1e3:11.1f} ms {args.detach / d:8.0f}/s"
        )
    floor = args.detach * 0.001 / args.threads
    print(f"(detach floor: {floor * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
