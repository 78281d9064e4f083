"""Reading and writing: read, write, pread, pwrite, readv, writev, IOVectors."""

from __future__ import annotations

import array
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.ppx import promise
from lwt.unix import IOVectors
from lwt.unix.main import run


@pytest.fixture
def pipe() -> Iterator[tuple[unix.FileDescr, unix.FileDescr]]:
    r, w = unix.pipe()
    yield r, w
    for fd in (r, w):
        if fd.state != unix.Closed():
            run(unix.close(fd))


@promise
async def read_all(fd: unix.FileDescr) -> bytes:
    out = bytearray()
    buf = bytearray(4096)
    while True:
        n = await unix.read(fd, buf, 0, len(buf))
        if n == 0:
            return bytes(out)
        out += buf[:n]


@promise
async def write_all(fd: unix.FileDescr, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = await unix.write(fd, view, 0, len(view))
        view = view[n:]


@promise
async def write_and_close(fd: unix.FileDescr, data: bytes) -> None:
    await write_all(fd, data)
    await unix.close(fd)


# -------------------------------------------------------------- read/write
def test_read_when_data_is_there_resolves_at_once(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    assert unix.write(w, b"hello", 0, 5).state() == lwt.Return(5)
    buf = bytearray(10)
    assert unix.read(r, buf, 2, 8).state() == lwt.Return(5)
    assert buf == b"\0\0hello\0\0\0"
    assert engine.readable_count() == 0


def test_read_waits_for_data(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    buf = bytearray(3)
    p = unix.read(r, buf, 0, 3)
    assert p.is_sleeping()
    run(unix.sleep(0.0).bind(lambda _: unix.write(w, b"abcdef", 1, 3)))
    assert run(p) == 3
    assert buf == b"bcd"


def test_read_returns_zero_at_end_of_file(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    p = unix.read(r, bytearray(4), 0, 4)
    run(unix.close(w))
    assert run(p) == 0


def test_read_and_write_take_any_buffer(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    ints = array.array("i", [1, 2])
    assert run(unix.write(w, ints, 0, ints.itemsize * 2)) == ints.itemsize * 2
    target = array.array("i", [0, 0])
    assert run(unix.read(r, memoryview(target), 0, ints.itemsize * 2)) == ints.itemsize * 2
    assert target == ints
    assert run(unix.write_string(w, "héllo", 0, 6)) == 6
    assert run(unix.write_string(w, b"!", 0, 1)) == 1
    buf = bytearray(7)
    run(unix.read(r, buf, 0, 7))
    assert buf.decode() == "héllo!"


def test_bad_offsets_and_lengths_raise_invalid_argument(
    pipe: tuple[unix.FileDescr, unix.FileDescr],
) -> None:
    r, w = pipe
    buf = bytearray(4)
    for ofs, length in ((-1, 1), (0, -1), (3, 2), (5, 0)):
        with pytest.raises(lwt.InvalidArgument, match="read"):
            unix.read(r, buf, ofs, length)
        with pytest.raises(lwt.InvalidArgument, match="write"):
            unix.write(w, buf, ofs, length)
    with pytest.raises(TypeError, match="read-only"):
        unix.read(r, b"immutable", 0, 1)
    assert engine.readable_count() == 0


def test_write_to_a_full_pipe_waits_for_room(pipe: tuple[unix.FileDescr, unix.FileDescr]) -> None:
    r, w = pipe
    data = bytes(range(256)) * 4096  # 1 MiB, far more than a pipe holds
    writer = write_and_close(w, data)
    assert writer.is_sleeping()
    assert run(read_all(r)) == data
    run(writer)


def test_many_readers_and_writers_on_one_socketpair() -> None:
    import socket

    a, b = unix.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    payload = os.urandom(300_000)
    got = run(lwt.both(write_and_close(a, payload), read_all(b)))[1]
    assert got == payload
    run(unix.close(b))


# ---------------------------------------------------------- blocking files
def test_regular_files_are_read_and_written_in_worker_threads(tmp_path: Path) -> None:
    path = tmp_path / "data"
    fd = unix.of_unix_file_descr(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    assert run(unix.blocking(fd)) is True
    assert run(unix.write(fd, b"0123456789", 0, 10)) == 10
    os.lseek(fd.unix_file_descr, 0, os.SEEK_SET)
    buf = bytearray(20)
    assert run(unix.read(fd, buf, 5, 15)) == 10
    assert buf[5:15] == b"0123456789"
    assert run(unix.read(fd, buf, 0, 1)) == 0  # end of file
    run(unix.close(fd))
    assert path.read_bytes() == b"0123456789"


def test_cancelled_blocking_read_never_writes_into_the_buffer() -> None:
    # A blocking pipe: the read waits in a worker thread until data comes.
    r, w = os.pipe()
    fd = unix.of_unix_file_descr(r, blocking=True)
    buf = bytearray(6)
    p = unix.read(fd, buf, 0, 6)
    p.cancel()
    os.write(w, b"secret")  # the worker's read now completes, into its own copy
    run(unix.sleep(0.02))
    assert buf == bytearray(6)
    os.close(w)
    run(unix.close(fd))


@pytest.mark.skipif(not hasattr(os, "RWF_NOWAIT"), reason="preadv2 RWF_NOWAIT is Linux-only")
def test_cached_regular_file_reads_complete_at_once_and_keep_the_position(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data"
    path.write_bytes(b"0123456789")
    path.read_bytes()  # surely in the page cache now
    fd = unix.of_unix_file_descr(os.open(path, os.O_RDONLY))
    buf = bytearray(4)
    first = unix.read(fd, buf, 0, 4)
    assert first.poll() == 4  # resolved on return: no worker thread involved
    assert buf == b"0123"
    assert run(unix.read(fd, buf, 1, 3)) == 3
    assert buf == b"0456"
    assert run(unix.lseek(fd, 8, os.SEEK_SET)) == 8
    assert run(unix.read(fd, buf, 0, 4)) == 2
    assert buf[:2] == b"89"
    assert run(unix.read(fd, buf, 0, 4)) == 0  # end of file
    run(unix.close(fd))


@pytest.mark.parametrize("blocking", [True, False])
def test_pread_and_pwrite_leave_the_position_alone(tmp_path: Path, blocking: bool) -> None:
    # Lwt's "basic pread"/"basic pwrite", blocking and with set_blocking false.
    fd = unix.of_unix_file_descr(os.open(tmp_path / "f", os.O_RDWR | os.O_CREAT, 0o644))
    if not blocking:
        unix.set_blocking(fd, False, set_flags=False)
    contents = b"01234567890123456789"
    assert run(unix.write(fd, contents, 0, len(contents))) == len(contents)
    buf = bytearray(3)
    assert run(unix.pread(fd, buf, 0, 3, file_offset=3)) == 3
    assert buf == b"345"
    assert run(unix.pread(fd, buf, 0, 3, file_offset=15)) == 3
    assert buf == b"567"
    w1 = unix.pwrite_string(fd, "abcd", 0, 4, file_offset=5)
    w2 = unix.pwrite(fd, b"xefg", 1, 3, file_offset=15)
    assert run(lwt.all([w2, w1])) == [3, 4]
    assert os.lseek(fd.unix_file_descr, 0, os.SEEK_CUR) == len(contents)
    os.lseek(fd.unix_file_descr, 0, os.SEEK_SET)
    out = bytearray(len(contents))
    assert run(unix.read(fd, out, 0, len(out))) == len(contents)
    assert out == b"01234abcd901234efg89"
    with pytest.raises(lwt.InvalidArgument):
        unix.pread(fd, buf, 0, 3, file_offset=-1)
    run(unix.close(fd))


# ---------------------------------------------------------------- vectors
def test_io_vectors_count_bytes_across_slices() -> None:
    iov = IOVectors.create()
    iov.append_bytes(bytearray(10), 0, 10)
    iov.append_bytes(memoryview(bytearray(10)), 0, 10)
    assert iov.byte_count() == 20
    partial = IOVectors()
    partial.append_bytes(bytearray(10), 5, 1)
    partial.append_bytes(bytearray(10), 1, 1)
    assert partial.byte_count() == 2
    partial.drop(1)
    assert partial.byte_count() == 1
    assert len(partial) == 1


def test_io_vectors_drop_and_is_empty() -> None:
    iov = IOVectors()
    assert iov.is_empty()
    for s in (b"foo", b"bar", b"baz"):
        iov.append_bytes(s, 0, 3)
    assert not iov.is_empty()
    iov.drop(4)
    assert not iov.is_empty()
    assert iov.byte_count() == 5
    iov.drop(5)
    assert iov.is_empty()
    iov.drop(100)
    assert iov.is_empty()
    degenerate = IOVectors()
    degenerate.append_bytes(b"foo", 0, 0)
    degenerate.append_bytes(b"bar", 0, 0)
    assert degenerate.is_empty()
    negative = IOVectors()
    negative.append_bytes(b"foo", 0, 3)
    negative.drop(-1)
    assert negative.byte_count() == 3


def test_io_vectors_system_limit_is_iov_max() -> None:
    limit = IOVectors.system_limit
    assert limit is None or limit >= 16
    assert "slices" in repr(IOVectors())


def make_underlying(
    shape: list[tuple[int, int, int]],
) -> tuple[IOVectors, list[bytearray]]:
    """Buffers of ``prefix + slice + suffix`` bytes filled with "_", sliced in the middle."""
    iov = IOVectors()
    bufs = []
    for prefix, length, suffix in shape:
        buf = bytearray(b"_" * (prefix + length + suffix))
        iov.append_bytes(buf, prefix, length)
        bufs.append(buf)
    return iov, bufs


@pytest.mark.parametrize("blocking", [False, True])
def test_readv_reads_into_the_slices_in_order(blocking: bool) -> None:
    iov, bufs = make_underlying([(1, 3, 1), (1, 4, 1)])
    r, w = unix.pipe()
    if blocking:
        unix.set_blocking(r, True)
    run(write_and_close(w, b"foobar"))
    assert run(unix.readv(r, iov)) == 6
    assert b"".join(bufs) == b"_foo__bar__"
    run(unix.close(r))


def test_readv_after_drop() -> None:
    iov, bufs = make_underlying([(0, 1, 0), (1, 4, 1)])
    iov.drop(2)
    r, w = unix.pipe()
    run(write_and_close(w, b"foobar"))
    assert run(unix.readv(r, iov)) == 3
    assert b"".join(bufs) == b"___foo_"
    run(unix.close(r))


def test_readv_waits_for_data() -> None:
    iov, bufs = make_underlying([(0, 2, 0), (0, 2, 0)])
    r, w = unix.pipe()
    p = unix.readv(r, iov)
    assert p.is_sleeping()
    run(unix.write(w, b"abcd", 0, 4))
    assert run(p) == 4
    assert bufs == [b"ab", b"cd"]
    run(unix.close(r))
    run(unix.close(w))


def test_readv_uses_at_most_system_limit_slices() -> None:
    limit = IOVectors.system_limit
    if limit is None:
        pytest.skip("no IOV_MAX on this system")
    iov = IOVectors()
    bufs = [bytearray(b"_") for _ in range(limit + 1)]
    for b in bufs:
        iov.append_bytes(b, 0, 1)
    r, w = unix.pipe()
    run(write_and_close(w, b"a" * (limit + 1)))
    assert run(unix.readv(r, iov)) == limit
    assert b"".join(bufs) == b"a" * limit + b"_"
    run(unix.close(r))


@pytest.mark.parametrize("blocking", [False, True])
def test_writev_writes_the_slices_in_order(blocking: bool) -> None:
    iov = IOVectors()
    for s in (b"foo", b"bar", bytearray(b"baz")):
        iov.append_bytes(s, 0, 3)
    r, w = unix.pipe()
    if blocking:
        unix.set_blocking(w, True)
    assert run(w.blocking()) is blocking
    assert run(unix.writev(w, iov)) == 9
    run(unix.close(w))
    assert run(read_all(r)) == b"foobarbaz"
    run(unix.close(r))


def test_writev_of_slices_and_after_drop() -> None:
    iov = IOVectors()
    iov.append_bytes(b"foo", 1, 2)
    iov.append_bytes(b"bar", 1, 2)
    r, w = unix.pipe()
    assert run(unix.writev(w, iov)) == 4
    dropped = IOVectors()
    for s in (b"foo", b"bar", b"baz"):
        dropped.append_bytes(s, 0, 3)
    dropped.drop(4)
    assert run(unix.writev(w, dropped)) == 5
    run(unix.close(w))
    assert run(read_all(r)) == b"ooararbaz"
    run(unix.close(r))


def test_writev_of_degenerate_vectors_writes_nothing() -> None:
    iov = IOVectors()
    iov.append_bytes(b"foo", 0, 0)
    iov.append_bytes(b"bar", 0, 0)
    r, w = unix.pipe()
    assert run(unix.writev(w, iov)) == 0
    run(unix.close(w))
    assert run(read_all(r)) == b""
    run(unix.close(r))


def test_writev_with_a_bad_slice_raises_and_writes_nothing() -> None:
    r, w = unix.pipe()
    for ofs, length in ((-1, 3), (0, -1), (1, 3)):
        iov = IOVectors()
        iov.append_bytes(b"foo", ofs, length)
        with pytest.raises(lwt.InvalidArgument, match="writev"):
            unix.writev(w, iov)
    assert not unix.readable(r)
    run(unix.close(r))
    run(unix.close(w))


def test_writev_uses_at_most_system_limit_slices() -> None:
    limit = IOVectors.system_limit
    if limit is None:
        pytest.skip("no IOV_MAX on this system")
    iov = IOVectors()
    for _ in range(limit + 1):
        iov.append_bytes(b"a", 0, 1)
    r, w = unix.pipe()
    assert run(unix.writev(w, iov)) == limit
    run(unix.close(w))
    assert run(read_all(r)) == b"a" * limit
    run(unix.close(r))


def test_writev_waits_for_room() -> None:
    r, w = unix.pipe()
    big = b"y" * (1 << 20)
    iov = IOVectors()
    iov.append_bytes(big, 0, len(big))
    first = unix.writev(w, iov)  # fills the pipe
    n = run(first)
    iov.drop(n)
    second = unix.writev(w, iov)
    assert second.is_sleeping()
    reader = read_all(r)
    assert run(second) > 0
    run(unix.close(w))
    assert len(run(reader)) >= n
    run(unix.close(r))


def _lwt_socketpair() -> tuple[unix.FileDescr, socket.socket]:
    mine, peer = socket.socketpair()
    return unix.of_unix_file_descr(mine.detach(), blocking=False), peer


@pytest.mark.parametrize("first_size", [2, 10])
def test_read_called_back_after_a_short_read_waits_for_the_engine(first_size: int) -> None:
    # After a short read in a readable callback the socket is known empty:
    # a read made from that callback waits for the engine instead of
    # trying (and failing) at once.  After a full read it tries at once.
    fd, peer = _lwt_socketpair()
    buf = bytearray(10)
    seen: list[bool] = []

    def again(n: int) -> lwt.Promise[int]:
        assert n == first_size
        peer.send(b"cd")  # data is waiting now, either way
        second = unix.read(fd, bytearray(10), 0, 10)
        seen.append(second.is_sleeping())
        return second

    first = unix.read(fd, buf, 0, 10)
    assert first.is_sleeping()
    peer.send(b"x" * first_size)
    assert run(first.bind(again)) == 2
    assert seen == [first_size < 10]
    peer.close()
    run(unix.close(fd))
