"""The worker-thread job runner behind blocking calls (lwt.unix._jobs)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix import _jobs
from lwt.unix.main import run


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def default_pool_size() -> Iterator[None]:
    yield
    _jobs.set_pool_size(4)


def test_job_runs_in_a_worker_thread_and_returns_its_value() -> None:
    p = _jobs.run(lambda a, b: (threading.current_thread(), a + b), 2, 3)
    assert p.is_sleeping()
    thread, value = run(p)
    assert value == 5
    assert thread is not threading.main_thread()
    assert engine.readable_count() == 0


def test_job_exception_rejects_the_promise() -> None:
    exc = Boom()

    def fail() -> None:
        raise exc

    with pytest.raises(Boom) as info:
        run(_jobs.run(fail))
    assert info.value is exc


def test_cancelling_a_job_abandons_its_result() -> None:
    started = threading.Event()
    release = threading.Event()
    finished: list[bool] = []

    def slow() -> str:
        started.set()
        release.wait(5)
        finished.append(True)
        return "late"

    p = _jobs.run(slow)
    started.wait(5)
    p.cancel()
    assert engine.readable_count() == 0  # its notification is gone
    release.set()
    with pytest.raises(lwt.Canceled):
        run(p)
    run(unix.sleep(0.02))
    assert finished == [True]


def test_queued_job_that_is_cancelled_never_runs() -> None:
    _jobs.set_pool_size(1)
    release = threading.Event()
    ran: list[str] = []
    blocker = _jobs.run(lambda: release.wait(5))
    queued = _jobs.run(lambda: ran.append("queued"))
    queued.cancel()
    release.set()
    run(blocker)
    run(unix.sleep(0.02))
    assert ran == []


def test_pool_bounds_the_jobs_running_at_once() -> None:
    _jobs.set_pool_size(2)
    assert _jobs.pool_size() == 2
    lock = threading.Lock()
    running = [0]
    peak = [0]

    def work() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1

    run(lwt.join([_jobs.run(work) for _ in range(12)]))
    assert peak[0] == 2
    with pytest.raises(lwt.InvalidArgument):
        _jobs.set_pool_size(0)


def test_many_jobs_complete() -> None:
    assert run(lwt.all([_jobs.run(lambda i=i: i * i) for i in range(500)])) == [
        i * i for i in range(500)
    ]


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no pthread_sigmask")
def test_job_threads_block_signals_so_the_main_thread_gets_them() -> None:
    # A SIGCHLD taken by a worker would not wake the main thread's wait.
    mask = run(_jobs.run(signal.pthread_sigmask, signal.SIG_BLOCK, []))
    assert {signal.SIGCHLD, signal.SIGINT, signal.SIGTERM} <= set(mask)
    assert signal.SIGCHLD not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
