"""Lwt_unix's job configuration: async methods, pool counts, waiting and aborting jobs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
from lwt.unix.main import run


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    default = unix.default_async_method()
    yield
    unix.set_default_async_method(default)
    unix.set_pool_size(4)


def test_default_is_detach_and_can_be_changed() -> None:
    assert unix.default_async_method() is unix.AsyncMethod.ASYNC_DETACH
    assert unix.async_method() is unix.AsyncMethod.ASYNC_DETACH
    unix.set_default_async_method(unix.AsyncMethod.ASYNC_NONE)
    assert unix.async_method() is unix.AsyncMethod.ASYNC_NONE
    with pytest.raises(TypeError):
        unix.set_default_async_method("none")  # type: ignore[arg-type]


def test_environment_variable_sets_the_default() -> None:
    code = "import lwt.unix as u; print(u.default_async_method().value)"
    env = {"PYTHONPATH": os.pathsep.join(sys.path), "LWT_ASYNC_METHOD": "none"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "none"


def test_async_none_runs_the_call_synchronously(tmp_path: Path) -> None:
    def inside() -> lwt.Promise[os.stat_result]:
        assert unix.async_method() is unix.AsyncMethod.ASYNC_NONE
        return unix.stat(str(tmp_path))

    p = unix.with_async_none(inside)
    assert lwt.state(p) == lwt.Return(os.stat(tmp_path))
    failed = unix.with_async_none(lambda: unix.stat(str(tmp_path / "missing")))
    with pytest.raises(FileNotFoundError):
        lwt.poll(failed)
    assert unix.async_method() is unix.AsyncMethod.ASYNC_DETACH


def test_async_detach_inside_a_none_default(tmp_path: Path) -> None:
    unix.set_default_async_method(unix.AsyncMethod.ASYNC_NONE)
    p = unix.with_async_detach(lambda: unix.stat(str(tmp_path)))
    assert lwt.is_sleeping(p)
    assert run(p) == os.stat(tmp_path)
    assert lwt.get(unix.async_method_key) is None


def test_pool_size_and_thread_counts() -> None:
    unix.set_pool_size(2)
    assert unix.pool_size() == 2
    release = threading.Event()
    started = threading.Barrier(3)

    def block() -> None:
        started.wait(5)
        release.wait(5)

    from lwt.unix import _jobs

    jobs = [_jobs.run(block) for _ in range(2)]
    started.wait(5)
    assert unix.thread_count() == 2
    assert unix.thread_waiting_count() == 0
    release.set()
    run(lwt.join(jobs))
    assert unix.thread_waiting_count() == unix.thread_count()


def test_wait_for_jobs_waits_for_every_pending_job() -> None:
    from lwt.unix import _jobs

    release = threading.Event()
    done: list[str] = []

    def fail() -> None:
        release.wait(5)
        raise Boom

    a = _jobs.run(lambda: (release.wait(5), done.append("a")))
    b = _jobs.run(fail)
    waiting = unix.wait_for_jobs()
    assert lwt.is_sleeping(waiting)
    release.set()
    run(waiting)  # the rejection of b does not matter
    assert done == ["a"]
    assert not lwt.is_sleeping(a)
    with pytest.raises(Boom):
        lwt.poll(b)
    assert lwt.state(unix.wait_for_jobs()) == lwt.Return(None)


def test_abort_and_cancel_jobs_reject_pending_promises() -> None:
    from lwt.unix import _jobs

    release = threading.Event()
    a = _jobs.run(release.wait, 5)
    b = _jobs.run(release.wait, 5)
    unix.abort_jobs(Boom("aborted"))
    with pytest.raises(Boom, match="aborted"):
        lwt.poll(a)
    with pytest.raises(Boom):
        lwt.poll(b)
    c = _jobs.run(release.wait, 5)
    unix.cancel_jobs()
    with pytest.raises(lwt.Canceled):
        lwt.poll(c)
    release.set()
    run(unix.sleep(0.01))
