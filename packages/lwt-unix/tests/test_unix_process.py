"""lwt.unix child processes: waitpid, wait, wait4 and system on real children."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix import _process
from lwt.unix.main import run


@pytest.fixture(params=["pidfd", "sigchld"])
def wake_up(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with each wake-up: pidfd (where the system has it) and SIGCHLD."""
    if request.param == "pidfd":
        if not hasattr(os, "pidfd_open"):
            pytest.skip("no pidfd_open on this system")
        monkeypatch.setattr(_process, "_USE_PIDFD", True)
    else:
        monkeypatch.setattr(_process, "_USE_PIDFD", False)
    before = signal.getsignal(signal.SIGCHLD)
    yield request.param
    assert unix.signal_count() == 0
    assert signal.getsignal(signal.SIGCHLD) == before


def spawn(*argv: str) -> int:
    return os.posix_spawnp(argv[0], list(argv), os.environ)


def test_waitpid_true_and_false(wake_up: str) -> None:
    pid = spawn("true")
    assert run(unix.waitpid(0, pid)) == (pid, unix.WEXITED(0))
    pid = spawn("false")
    assert run(unix.waitpid([], pid)) == (pid, unix.WEXITED(1))
    assert engine.readable_count() == 0


def test_waitpid_does_not_block_the_loop(wake_up: str) -> None:
    pid = spawn("sleep", "0.2")
    ticks: list[float] = []

    def tick() -> lwt.Promise[None]:
        return unix.sleep(0.02).map(lambda _: ticks.append(time.monotonic()))

    ticker = lwt.join([tick() for _ in range(3)])
    got = unix.waitpid(0, pid)
    assert lwt.is_sleeping(got)
    assert run(got) == (pid, unix.WEXITED(0))
    assert len(ticks) == 3  # the timers fired while the child slept
    run(ticker)


def test_child_killed_by_a_signal(wake_up: str) -> None:
    pid = spawn("sleep", "10")
    waiting = unix.waitpid(0, pid)
    os.kill(pid, signal.SIGTERM)
    assert run(waiting) == (pid, unix.WSIGNALED(signal.SIGTERM))


def test_stopped_child_with_wuntraced(wake_up: str) -> None:
    pid = spawn("sleep", "10")
    try:
        waiting = unix.waitpid(os.WUNTRACED, pid)
        os.kill(pid, signal.SIGSTOP)
        assert run(waiting) == (pid, unix.WSTOPPED(signal.SIGSTOP))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_wnohang_answers_at_once(wake_up: str) -> None:
    pid = spawn("sleep", "10")
    try:
        assert lwt.state(unix.waitpid(os.WNOHANG, pid)) == lwt.Return((0, unix.WEXITED(0)))
    finally:
        os.kill(pid, signal.SIGKILL)
    assert run(unix.waitpid(0, pid)) == (pid, unix.WSIGNALED(signal.SIGKILL))


def test_no_such_child_is_rejected(wake_up: str) -> None:
    pid = spawn("true")
    run(unix.waitpid(0, pid))
    with pytest.raises(ChildProcessError):
        run(unix.waitpid(0, pid))


def test_wait_any_child(wake_up: str) -> None:
    pid = spawn("sh", "-c", "exit 7")
    assert run(unix.wait()) == (pid, unix.WEXITED(7))
    pid = spawn("true")
    assert run(unix.waitpid(0, -1)) == (pid, unix.WEXITED(0))


def test_wait4_gives_resource_usage(wake_up: str) -> None:
    pid = spawn("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
    got_pid, status, usage = run(unix.wait4(0, pid))
    assert (got_pid, status) == (pid, unix.WEXITED(0))
    assert isinstance(usage, resource.struct_rusage)
    assert usage.ru_utime + usage.ru_stime > 0


def test_cancelling_a_wait_stops_waiting(wake_up: str) -> None:
    pid = spawn("sleep", "10")
    waiting = unix.waitpid(0, pid)
    waiting.cancel()
    assert engine.readable_count() == 0
    assert unix.signal_count() == 0
    os.kill(pid, signal.SIGKILL)
    assert os.waitpid(pid, 0)[0] == pid


def test_many_children_at_once(wake_up: str) -> None:
    pids = [spawn("sh", "-c", f"exit {i}") for i in range(10)]
    got = run(lwt.all([unix.waitpid(0, pid) for pid in pids]))
    assert got == [(pid, unix.WEXITED(i)) for i, pid in enumerate(pids)]


def test_system(tmp_path: object, wake_up: str) -> None:
    assert run(unix.system("true")) == unix.WEXITED(0)
    assert run(unix.system("exit 3")) == unix.WEXITED(3)
    assert run(unix.system("kill -TERM $$")) == unix.WSIGNALED(signal.SIGTERM)
    both = lwt.all([unix.system("sleep 0.05; exit 4"), unix.system("exit 5")])
    assert run(both) == [unix.WEXITED(4), unix.WEXITED(5)]


def test_subprocess_still_works_alongside() -> None:
    assert subprocess.run(["true"], check=False).returncode == 0
    pid = spawn("false")
    assert run(unix.waitpid(0, pid)) == (pid, unix.WEXITED(1))


def test_wait_count_counts_pending_waits(wake_up: str) -> None:
    assert unix.wait_count() == 0
    pids = [spawn("sleep", "0.05") for _ in range(2)]
    waits = [unix.waitpid(0, pid) for pid in pids]
    assert unix.wait_count() == 2
    waits[0].cancel()
    assert unix.wait_count() == 1
    run(waits[1])
    assert unix.wait_count() == 0
    os.waitpid(pids[0], 0)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity here")
def test_cpu_affinity_and_current_cpu() -> None:
    cpus = unix.get_affinity()
    assert cpus == sorted(os.sched_getaffinity(0))
    assert unix.get_affinity(pid=os.getpid()) == cpus
    unix.set_affinity(cpus[:1])
    try:
        assert unix.get_affinity() == cpus[:1]
        assert unix.get_cpu() == cpus[0]
    finally:
        unix.set_affinity(cpus)
    assert unix.get_affinity() == cpus
