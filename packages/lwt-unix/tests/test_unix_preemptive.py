"""lwt.unix.preemptive: detach onto worker threads and executors, run_in_main."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
import lwt.unix.preemptive as preemptive
from lwt.unix.main import run


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def default_bounds() -> Iterator[None]:
    preemptive.set_bounds((0, 4))
    yield
    preemptive.set_bounds((0, 4))


def test_detach_runs_in_another_thread_and_returns_the_value() -> None:
    p = preemptive.detach(lambda a, b: (threading.get_ident(), a + b), 20, 22)
    ident, value = run(p)
    assert value == 42
    assert ident != threading.get_ident()
    assert engine.readable_count() == 0


def test_detach_rejects_with_the_exception_and_its_traceback() -> None:
    def deep() -> None:
        raise Boom("from the worker")

    with pytest.raises(Boom, match="from the worker") as info:
        run(preemptive.detach(deep))
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "deep" in frames


def test_a_thousand_detach_calls_never_exceed_the_bounds() -> None:
    preemptive.set_bounds((0, 3))
    lock = threading.Lock()
    running = [0]
    peak = [0]
    threads: set[int] = set()

    def work(i: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.0001)
        with lock:
            running[0] -= 1
        return i

    ps = [preemptive.detach(work, i) for i in range(1000)]
    assert preemptive.nbthreads() == 3
    assert preemptive.nbthreadsbusy() == 3
    assert preemptive.nbthreadsqueued() == 997
    assert run(lwt.all(ps)) == list(range(1000))
    assert 1 <= peak[0] <= 3
    assert len(threads) <= 3
    assert preemptive.nbthreadsqueued() == 0
    assert preemptive.nbthreadsbusy() == 0


def test_bounds_and_queue_limit() -> None:
    preemptive.init(2, 5, lambda _msg: None)
    assert preemptive.get_bounds() == (2, 5)
    assert preemptive.nbthreads() >= 2
    preemptive.simple_init()  # already initialised: keeps the bounds
    assert preemptive.get_bounds() == (2, 5)
    with pytest.raises(lwt.InvalidArgument):
        preemptive.set_bounds((3, 2))
    with pytest.raises(lwt.InvalidArgument):
        preemptive.set_bounds((-1, 2))
    assert preemptive.get_max_number_of_threads_queued() == 1000
    preemptive.set_max_number_of_threads_queued(10)
    assert preemptive.get_max_number_of_threads_queued() == 10
    preemptive.set_max_number_of_threads_queued(1000)
    with pytest.raises(lwt.InvalidArgument):
        preemptive.set_max_number_of_threads_queued(-1)
    preemptive.set_bounds((0, 1))
    assert preemptive.nbthreads() <= 1


def test_cancelling_a_queued_detach_means_it_never_runs() -> None:
    preemptive.set_bounds((0, 1))
    release = threading.Event()
    ran: list[str] = []
    first = preemptive.detach(release.wait, 5)
    queued = preemptive.detach(lambda: ran.append("queued"))
    assert preemptive.nbthreadsqueued() == 1
    queued.cancel()
    assert preemptive.nbthreadsqueued() == 0
    release.set()
    assert run(first) is True
    assert run(preemptive.detach(lambda: "after")) == "after"
    assert ran == []


def test_cancelling_a_running_detach_keeps_its_thread_until_it_returns() -> None:
    preemptive.set_bounds((0, 1))
    started = threading.Event()
    release = threading.Event()
    p = preemptive.detach(lambda: (started.set(), release.wait(5)))
    started.wait(5)
    p.cancel()
    assert not lwt.is_sleeping(p)
    nxt = preemptive.detach(lambda: "next")
    assert preemptive.nbthreadsqueued() == 1  # the slot is still taken
    release.set()
    assert run(nxt) == "next"
    with pytest.raises(lwt.Canceled):
        run(p)


def test_run_in_main_runs_in_the_loop_thread_and_returns() -> None:
    main = threading.get_ident()

    def in_worker() -> tuple[int, int]:
        def f() -> lwt.Promise[int]:
            assert threading.get_ident() == main
            return unix.sleep(0.001).map(lambda _: 7)

        return (preemptive.run_in_main(f), threading.get_ident())

    value, worker = run(preemptive.detach(in_worker))
    assert value == 7
    assert worker != main


def test_run_in_main_raises_the_rejection_in_the_worker() -> None:
    def in_worker() -> str:
        try:
            preemptive.run_in_main(lambda: lwt.fail(Boom("main")))
        except Boom as exc:
            return str(exc)
        return "no exception"

    assert run(preemptive.detach(in_worker)) == "main"


def test_run_in_main_dont_wait_calls_the_handler_on_failure() -> None:
    seen: list[tuple[str, object]] = []

    def in_worker() -> None:
        preemptive.run_in_main_dont_wait(
            lambda: lwt.return_unit.map(lambda _: seen.append(("ran", None))),
            lambda exc: seen.append(("handler", exc)),
        )
        preemptive.run_in_main_dont_wait(
            lambda: lwt.fail(Boom("x")), lambda exc: seen.append(("handler", type(exc)))
        )

    run(preemptive.detach(in_worker))
    assert seen == [("ran", None), ("handler", Boom)]


def test_run_in_main_outside_a_detached_function_is_refused() -> None:
    with pytest.raises(RuntimeError, match="run_in_main"):
        preemptive.run_in_main(lambda: lwt.return_(1))


def test_detach_on_a_process_pool() -> None:
    # spawn: forking a process that runs threads is unsafe; stdlib functions
    # pickle by reference, so the children can import them.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        squares = [preemptive.detach(pow, i, 2, executor=ex) for i in range(6)]
        assert run(lwt.all(squares)) == [i * i for i in range(6)]
        assert run(preemptive.detach(os.getpid, executor=ex)) != os.getpid()
        with pytest.raises(ValueError, match="invalid literal") as info:
            run(preemptive.detach(int, "not a number", executor=ex))
        # The child's traceback comes along, as the cause (concurrent.futures' way).
        assert "Traceback" in str(info.value.__cause__)
    assert engine.readable_count() == 0


def test_detach_on_a_thread_pool_executor_can_be_cancelled() -> None:
    release = threading.Event()
    ran: list[int] = []
    with ThreadPoolExecutor(max_workers=1) as ex:
        first = preemptive.detach(release.wait, 5, executor=ex)
        second = preemptive.detach(ran.append, 1, executor=ex)
        second.cancel()
        release.set()
        assert run(first) is True
        with pytest.raises(lwt.Canceled):
            run(second)
    assert ran == []
    assert engine.readable_count() == 0


def test_lowering_the_maximum_retires_threads_as_they_finish() -> None:
    release = threading.Event()
    started = threading.Barrier(5)

    def block() -> None:
        started.wait(5)
        release.wait(5)

    ps = [preemptive.detach(block) for _ in range(4)]
    started.wait(5)
    assert preemptive.nbthreads() == 4
    preemptive.set_bounds((0, 1))
    assert preemptive.nbthreads() == 4  # busy threads are not interrupted
    release.set()
    run(lwt.join(ps))
    assert preemptive.nbthreads() == 1
    assert preemptive.nbthreadsbusy() == 0
    preemptive.set_bounds((2, 3))
    assert preemptive.nbthreads() == 2
    assert preemptive.nbthreadsbusy() == 0
    assert run(preemptive.detach(lambda: "reused")) == "reused"
    assert preemptive.nbthreads() == 2


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no pthread_sigmask")
def test_detach_threads_block_signals_so_the_main_thread_gets_them() -> None:
    mask = run(preemptive.detach(signal.pthread_sigmask, signal.SIG_BLOCK, []))
    assert {signal.SIGCHLD, signal.SIGINT, signal.SIGTERM} <= set(mask)
