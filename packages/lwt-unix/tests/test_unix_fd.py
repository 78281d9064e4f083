"""File descriptors: states, blocking modes, close and abort, waiting, pipes."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.main import run


class Stop(Exception):
    pass


@pytest.fixture
def pipe() -> Iterator[tuple[unix.FileDescr, unix.FileDescr]]:
    r, w = unix.pipe()
    yield r, w
    for fd in (r, w):
        if fd.state != unix.Closed():
            run(unix.close(fd))


def is_nonblocking(fd: int) -> bool:
    return not os.get_blocking(fd)


# ----------------------------------------------------------------- states
def test_new_descriptor_is_opened_and_gives_back_its_int(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, _w = pipe
    assert r.state == unix.Opened()
    assert unix.state(r) == unix.Opened()
    assert isinstance(r.unix_file_descr, int)
    assert unix.unix_file_descr(r) == r.unix_file_descr == r.fileno()
    assert "open" in repr(r)


def test_close_marks_closed_and_closes_the_descriptor() -> None:
    r, w = unix.pipe()
    n = r.unix_file_descr
    assert run(unix.close(r)) is None
    assert r.state == unix.Closed()
    assert unix.unix_file_descr(r) == n  # still there, whatever the state
    with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
        os.fstat(n)
    assert info.value.errno == errno.EBADF
    run(w.close())


def test_closing_twice_raises_ebadf() -> None:
    r, w = unix.pipe()
    run(unix.close(r))
    with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
        unix.close(r)
    assert info.value.errno == errno.EBADF
    run(unix.close(w))


def test_using_a_closed_descriptor_gives_ebadf() -> None:
    r, w = unix.pipe()
    run(unix.close(r))
    run(unix.close(w))
    buf = bytearray(4)
    for p in (unix.read(r, buf, 0, 4), unix.write(w, b"x", 0, 1), unix.wait_read(r)):
        with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
            run(p)
        assert info.value.errno == errno.EBADF
    for f in (unix.readable, unix.writable, unix.check_descriptor, unix.blocking):
        with pytest.raises(OSError, match=r"\[Errno 9\]") as info:
            f(r)
        assert info.value.errno == errno.EBADF


def test_close_rejects_pending_reads_and_writes_with_a_clear_error(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    _r, w = pipe
    while unix.writable(w):  # fill the pipe, so that a write waits
        os.write(w.unix_file_descr, b"x" * 65536)
    write = unix.write(w, b"more", 0, 4)
    assert engine.writable_count() == 1
    run(unix.close(w))
    empty_r, other_w = unix.pipe()
    reads = [unix.read(empty_r, bytearray(4), 0, 4) for _ in range(2)]
    assert engine.readable_count() == 1
    run(unix.close(empty_r))
    for p in [write, *reads]:
        with pytest.raises(OSError, match="closed while an operation waited") as info:
            run(p)
        assert info.value.errno == errno.EBADF
    assert (engine.readable_count(), engine.writable_count()) == (0, 0)
    run(unix.close(other_w))


def test_abort_rejects_pending_and_later_operations_with_its_exception(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, _w = pipe
    exc = Stop()
    pending = unix.read(r, bytearray(4), 0, 4)
    unix.abort(r, exc)
    assert r.state == unix.Aborted(exc)
    assert engine.readable_count() == 0
    with pytest.raises(Stop) as info:
        run(pending)
    assert info.value is exc
    with pytest.raises(Stop):
        run(unix.read(r, bytearray(4), 0, 4))
    with pytest.raises(Stop):
        unix.readable(r)
    other = Stop()
    unix.abort(r, other)  # aborting again replaces the exception
    assert r.state == unix.Aborted(other)
    assert "aborted" in repr(r)
    run(unix.close(r))  # close still works
    assert unix.state(r) == unix.Closed()
    unix.abort(r, exc)  # and abort then does nothing
    assert unix.state(r) == unix.Closed()


# ---------------------------------------------------------- blocking mode
def test_pipes_and_sockets_are_guessed_non_blocking_files_blocking(tmp_path: Path) -> None:
    r, w = os.pipe()
    a, b = socket.socketpair()
    f = os.open(tmp_path / "file", os.O_RDWR | os.O_CREAT)
    fds = [unix.of_unix_file_descr(n) for n in (r, a.detach(), f)]
    try:
        assert [run(fd.blocking()) for fd in fds] == [False, False, True]
        assert is_nonblocking(r)
        assert is_nonblocking(fds[1].unix_file_descr)
        assert not is_nonblocking(f)
    finally:
        for fd in fds:
            run(unix.close(fd))
        os.close(w)
        b.close()


def test_explicit_mode_sets_the_flag_unless_told_not_to() -> None:
    r, w = os.pipe()
    try:
        fd = unix.of_unix_file_descr(r, blocking=False)
        assert is_nonblocking(r)
        unix.set_blocking(fd, True)
        assert not is_nonblocking(r)
        assert run(unix.blocking(fd)) is True
        fd.set_blocking(False, set_flags=False)
        assert not is_nonblocking(r)  # left alone
        assert run(fd.blocking()) is False
        other = unix.of_unix_file_descr(w, blocking=False, set_flags=False)
        assert not is_nonblocking(w)
        assert run(other.blocking()) is False
    finally:
        os.close(r)
        os.close(w)


def test_guessing_without_set_flags_leaves_the_flag_alone() -> None:
    r, w = os.pipe()
    try:
        fd = unix.of_unix_file_descr(r, set_flags=False)
        assert run(fd.blocking()) is False
        assert not is_nonblocking(r)
    finally:
        os.close(r)
        os.close(w)


def test_standard_descriptors_are_blocking_and_untouched() -> None:
    for fd, n in ((unix.stdin, 0), (unix.stdout, 1), (unix.stderr, 2)):
        assert fd.unix_file_descr == n
        assert run(fd.blocking()) is True


def test_of_unix_file_descr_checks_its_argument() -> None:
    with pytest.raises(lwt.InvalidArgument):
        unix.of_unix_file_descr(-1)
    with pytest.raises(TypeError):
        unix.of_unix_file_descr("3")  # type: ignore[arg-type]


# ------------------------------------------------------------- readiness
def test_readable_and_writable_tell_the_present(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    assert unix.readable(r) is False
    assert unix.writable(w) is True
    run(unix.write(w, b"x", 0, 1))
    assert unix.readable(r) is True


def test_end_of_file_counts_as_readable() -> None:
    r, w = unix.pipe()
    run(unix.close(w))
    assert unix.readable(r) is True
    run(unix.close(r))


def test_wait_read_resolves_when_data_arrives(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    p = unix.wait_read(r)
    assert p.is_sleeping()
    run(unix.sleep(0.0))
    assert p.is_sleeping()
    unix.write(w, b"x", 0, 1)
    run(p)
    assert unix.wait_read(r).state() == lwt.Return(None)  # readable now: at once


def test_wait_write_on_a_full_pipe_waits_for_room(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    chunk = b"x" * 65536
    while unix.writable(w):
        os.write(w.unix_file_descr, chunk)
    p = unix.wait_write(w)
    assert p.is_sleeping()
    assert engine.writable_count() == 1
    buf = bytearray(1 << 20)
    while unix.readable(r):
        os.readv(r.unix_file_descr, [buf])
    run(p)


def test_cancelling_the_last_waiter_stops_watching(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, _w = pipe
    p = unix.wait_read(r)
    assert engine.readable_count() == 1
    p.cancel()
    assert engine.readable_count() == 0
    with pytest.raises(lwt.Canceled):
        run(p)


def test_cancelled_read_loses_no_data(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    first = bytearray(8)
    second = bytearray(8)
    p1 = unix.read(r, first, 0, 8)
    p2 = unix.read(r, second, 0, 8)
    p1.cancel()
    run(unix.write(w, b"data", 0, 4))
    assert run(p2) == 4
    assert second[:4] == b"data"
    assert first == bytearray(8)


def test_queued_reads_are_served_in_order(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    bufs = [bytearray(2) for _ in range(3)]
    ps = [unix.read(r, b, 0, 2) for b in bufs]
    run(unix.write(w, b"aabbcc", 0, 6))
    assert run(lwt.all(ps)) == [2, 2, 2]
    assert bufs == [b"aa", b"bb", b"cc"]


def test_pending_read_survives_an_engine_change(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    buf = bytearray(3)
    p = unix.read(r, buf, 0, 3)
    engine.set(engine.PollEngine())
    run(unix.write(w, b"abc", 0, 3))
    assert run(p) == 3
    assert buf == b"abc"


def test_pending_read_survives_an_engine_change_without_transfer(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    first = unix.read(r, bytearray(1), 0, 1)
    engine.set(engine.SelectEngine(), transfer=False)
    # The old engine is gone; a new operation watches on the new one.
    second = unix.read(r, bytearray(1), 0, 1)
    run(unix.write(w, b"ab", 0, 2))
    assert run(lwt.all([first, second])) == [1, 1]


# ------------------------------------------------------- wrap_syscall & co
def test_wrap_syscall_runs_at_once_when_it_can(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    _r, w = pipe
    p = unix.wrap_syscall(unix.IOEvent.WRITE, w, lambda: "done")
    assert p.state() == lwt.Return("done")


def test_wrap_syscall_retries_until_the_action_completes(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    attempts: list[int] = []

    def action() -> bytes:
        attempts.append(1)
        return os.read(r.unix_file_descr, 10)

    p = unix.wrap_syscall(unix.IOEvent.READ, r, action)
    assert p.is_sleeping()
    run(unix.write(w, b"hi", 0, 2))
    assert run(p) == b"hi"
    assert len(attempts) == 2


def test_retry_exceptions_move_an_action_between_readiness_kinds(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    steps: list[str] = []

    def action() -> str:
        steps.append("try")
        if len(steps) == 1:
            raise unix.RetryWrite  # writable at once, on the write end
        return "done"

    p = unix.wrap_syscall(unix.IOEvent.READ, w, action)
    assert run(p) == "done"
    assert steps == ["try", "try"]

    def never() -> None:
        raise unix.Retry

    q = unix.register_action(unix.IOEvent.READ, r, never)
    assert q.is_sleeping()
    q.cancel()


def test_wrap_syscall_passes_on_other_errors(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    _r, w = pipe
    exc = Stop()

    def action() -> None:
        raise exc

    with pytest.raises(Stop):
        run(unix.wrap_syscall(unix.IOEvent.WRITE, w, action))
    with pytest.raises(lwt.InvalidArgument):
        unix.wrap_syscall(3, w, action)


# ------------------------------------------------------------------ pipes
def test_pipe_in_and_pipe_out_wrap_one_end() -> None:
    r, w = unix.pipe_in()
    assert isinstance(r, unix.FileDescr)
    assert isinstance(w, int)
    assert is_nonblocking(r.unix_file_descr)
    assert not is_nonblocking(w)
    os.write(w, b"in")
    buf = bytearray(2)
    assert run(unix.read(r, buf, 0, 2)) == 2
    run(unix.close(r))
    os.close(w)
    r2, w2 = unix.pipe_out()
    assert isinstance(r2, int)
    assert isinstance(w2, unix.FileDescr)
    run(unix.write(w2, b"out", 0, 3))
    assert os.read(r2, 3) == b"out"
    run(unix.close(w2))
    os.close(r2)


def test_pipes_are_close_on_exec_unless_asked() -> None:
    r, w = unix.pipe()
    assert not os.get_inheritable(r.unix_file_descr)
    run(unix.close(r))
    run(unix.close(w))
    r, w = unix.pipe(cloexec=False)
    assert os.get_inheritable(r.unix_file_descr)
    assert os.get_inheritable(w.unix_file_descr)
    run(unix.close(r))
    run(unix.close(w))
