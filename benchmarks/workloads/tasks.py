"""Many things waiting at once: sleeps on the timer queue, and idle tasks.

``sleeps`` starts N sleeps of random lengths together and waits for all of
them; the headline is the CPU time it costs (sleeps per CPU second), since
the wall time is mostly the longest sleep.  ``pending_tasks`` starts N
coroutines that all wait on one pending promise/future/event, then wakes
them; it reports the rate and the memory each waiting task holds.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
import tracemalloc
from collections.abc import Callable

import lwt.core as lwt
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload
from lwt.ppx import promise


def _durations(params: Params) -> list[float]:
    n: int = params["count"]
    longest: float = params["longest"]
    rng = random.Random(42)
    ds = [rng.uniform(0.0, longest) for _ in range(n)]
    ds[0] = longest
    return ds


def _sleep_figures(n: int, longest: float, cpu0: float, wall0: float) -> Figures:
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    return {"rate": n / cpu, "overhead": (wall - longest) * 1000.0}


# ------------------------------------------------------------------ sleeps
def lwt_sleeps(params: Params) -> Figures:
    """``lwt.unix.sleep`` for each duration, then ``main.run(join(...))``."""
    import lwt.unix as unix
    from lwt.unix.main import run

    ds = _durations(params)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run(lwt.join([unix.sleep(d) for d in ds]))
    return _sleep_figures(len(ds), params["longest"], cpu0, wall0)


def _asyncio_sleeps(params: Params, uvloop: bool) -> Figures:
    ds = _durations(params)

    async def main() -> Figures:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*[asyncio.ensure_future(asyncio.sleep(d)) for d in ds])
        return _sleep_figures(len(ds), params["longest"], cpu0, wall0)

    return run_asyncio(main, uvloop=uvloop)


def asyncio_sleeps(params: Params) -> Figures:
    """A task per ``asyncio.sleep`` under ``gather`` (the idiom)."""
    return _asyncio_sleeps(params, uvloop=False)


def uvloop_sleeps(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_sleeps(params, uvloop=True)


def _call_later(params: Params, uvloop: bool) -> Figures:
    ds = _durations(params)

    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        futs = []
        for d in ds:
            fut = loop.create_future()
            loop.call_later(d, fut.set_result, None)
            futs.append(fut)
        await asyncio.gather(*futs)
        return _sleep_figures(len(ds), params["longest"], cpu0, wall0)

    return run_asyncio(main, uvloop=uvloop)


def asyncio_call_later(params: Params) -> Figures:
    """A bare future per sleep, resolved by ``loop.call_later`` (the primitive, no task)."""
    return _call_later(params, uvloop=False)


def uvloop_call_later(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _call_later(params, uvloop=True)


def trio_sleeps(params: Params) -> Figures:
    """``trio.sleep`` in a task each, in one nursery."""
    import trio

    ds = _durations(params)

    async def main() -> Figures:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async with trio.open_nursery() as nursery:
            for d in ds:
                nursery.start_soon(trio.sleep, d)
        return _sleep_figures(len(ds), params["longest"], cpu0, wall0)

    return run_trio(main)


# ---------------------------------------------------------- pending tasks
def _bytes_per(n: int, hold: Callable[[], Callable[[], None]]) -> float:
    """Traced bytes per task while ``hold()``'s tasks wait; ``hold`` returns a release."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        release = hold()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    release()
    return (after - before) / n


def lwt_pending_tasks(params: Params) -> Figures:
    """``@promise`` coroutines all awaiting one pending promise, then woken."""
    n: int = params["count"]

    def spawn() -> tuple[lwt.Resolver[None], list[lwt.Promise[None]]]:
        gate: lwt.Promise[None]
        opener: lwt.Resolver[None]
        gate, opener = lwt.wait()

        @promise
        async def waiter() -> None:
            await gate

        return opener, [waiter() for _ in range(n)]

    t = time.perf_counter()
    opener, tasks = spawn()
    lwt.wakeup(opener, None)
    done = lwt.join(tasks)
    elapsed = time.perf_counter() - t
    if done.state() != lwt.Return(None):
        raise AssertionError("a task did not finish")

    def hold() -> Callable[[], None]:
        opener, _tasks = spawn()
        return lambda: lwt.wakeup(opener, None)

    return {"rate": n / elapsed, "bytes": _bytes_per(n, hold)}


def _asyncio_pending_tasks(params: Params, uvloop: bool) -> Figures:
    n: int = params["count"]

    async def main() -> Figures:
        loop = asyncio.get_running_loop()

        async def spawn() -> tuple[asyncio.Future[None], list[asyncio.Task[None]]]:
            gate: asyncio.Future[None] = loop.create_future()

            async def waiter() -> None:
                await gate

            tasks = [asyncio.create_task(waiter()) for _ in range(n)]
            await asyncio.sleep(0)  # every task runs up to its await
            return gate, tasks

        t = time.perf_counter()
        gate, tasks = await spawn()
        gate.set_result(None)
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t

        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            gate, tasks = await spawn()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        gate.set_result(None)
        await asyncio.gather(*tasks)
        return {"rate": n / elapsed, "bytes": (after - before) / n}

    return run_asyncio(main, uvloop=uvloop)


def asyncio_pending_tasks(params: Params) -> Figures:
    """asyncio tasks all awaiting one future, then woken."""
    return _asyncio_pending_tasks(params, uvloop=False)


def uvloop_pending_tasks(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_pending_tasks(params, uvloop=True)


def trio_pending_tasks(params: Params) -> Figures:
    """trio tasks in one nursery all waiting on one ``trio.Event``, then woken."""
    import trio
    import trio.testing

    n: int = params["count"]

    async def batch(traced: bool) -> tuple[float, float]:
        gate = trio.Event()
        t = time.perf_counter()
        grown = 0.0
        async with trio.open_nursery() as nursery:
            if traced:
                gc.collect()
                tracemalloc.start()
                before = tracemalloc.get_traced_memory()[0]
            for _ in range(n):
                nursery.start_soon(gate.wait)
            await trio.testing.wait_all_tasks_blocked()
            if traced:
                grown = tracemalloc.get_traced_memory()[0] - before
                tracemalloc.stop()
            gate.set()
        return time.perf_counter() - t, grown

    async def main() -> Figures:
        elapsed, _ = await batch(traced=False)
        _, grown = await batch(traced=True)
        return {"rate": n / elapsed, "bytes": grown / n}

    return run_trio(main)


WORKLOADS = (
    Workload(
        name="sleeps",
        family="tasks",
        summary="N concurrent sleeps of random lengths; CPU cost and wall time past the longest",
        metrics=(Metric("rate", "sleeps/CPU s"), Metric("overhead", "ms late", False)),
        contenders=(
            Contender("lwt.unix.sleep", "lwt", lwt_sleeps),
            Contender("asyncio.sleep tasks", "asyncio", asyncio_sleeps),
            Contender("asyncio call_later futures", "asyncio", asyncio_call_later),
            Contender("uvloop sleep tasks", "uvloop", uvloop_sleeps),
            Contender("uvloop call_later futures", "uvloop", uvloop_call_later),
            Contender("trio.sleep tasks", "trio", trio_sleeps),
        ),
        full={"count": 100_000, "longest": 0.5},
        quick={"count": 1_000, "longest": 0.02},
        cheap=True,
    ),
    Workload(
        name="pending_tasks",
        family="tasks",
        summary="N tasks all waiting on one event, then woken; time and memory per task",
        metrics=(Metric("rate", "tasks/s"), Metric("bytes", "B/task", False)),
        contenders=(
            Contender("lwt.ppx coroutines", "lwt", lwt_pending_tasks),
            Contender("asyncio tasks", "asyncio", asyncio_pending_tasks),
            Contender("uvloop tasks", "uvloop", uvloop_pending_tasks),
            Contender("trio tasks", "trio", trio_pending_tasks),
        ),
        full={"count": 100_000},
        quick={"count": 1_000},
        cheap=True,
    ),
)
