"""Channels of lwt.io: buffered reads and writes, their rules and fast paths."""

from __future__ import annotations

import os
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.io as io
import lwt.unix as unix
from lwt.unix import main as lwt_main


def _sink(out: bytearray, chunks: list[int] | None = None) -> io.OutputChannel:
    """An output channel appending to ``out``, taking at most the next chunk size each call."""
    sizes = iter(chunks or [])

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        n = min(length, next(sizes, length))
        out.extend(buf[ofs : ofs + n])
        return lwt.return_(n)

    oc: io.OutputChannel = io.make(io.output, perform_io, buffer_size=16)
    return oc


def _source(
    data: bytes, rng: random.Random, buffer_size: int, *, whole: bool = False
) -> io.InputChannel:
    """An input channel over ``data`` whose reads return random-sized pieces (or all that fits)."""
    pos = 0

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        nonlocal pos
        n = min(length, len(data) - pos, length if whole else rng.randint(1, length))
        buf[ofs : ofs + n] = data[pos : pos + n]
        pos += n
        return lwt.return_(n)

    ic: io.InputChannel = io.make(io.input, perform_io, buffer_size=buffer_size)
    return ic


# ------------------------------------------------------------------ reading
def test_read_line_strips_lf_and_crlf_then_ends() -> None:
    ic = io.of_bytes(b"one\r\ntwo\nthree")
    assert lwt.poll(io.read_line(ic)) == "one"
    assert lwt.poll(ic.read_line()) == "two"
    assert lwt.poll(ic.read_line_opt()) == "three"
    assert lwt.poll(ic.read_line_opt()) is None
    with pytest.raises(EOFError):
        lwt.poll(ic.read_line())


def test_read_line_decodes_with_the_channel_encoding() -> None:
    assert lwt.poll(io.of_bytes("é\n".encode()).read_line()) == "é"
    assert lwt.poll(io.of_bytes(b"\xe9\n", encoding="latin-1").read_line()) == "é"


def test_read_char_then_end_of_input() -> None:
    ic = io.of_bytes(b"xy")
    assert lwt.poll(io.read_char(ic)) == b"x"
    assert lwt.poll(ic.read_char_opt()) == b"y"
    assert lwt.poll(ic.read_char_opt()) is None
    with pytest.raises(EOFError):
        lwt.poll(ic.read_char())


def test_read_without_count_reads_everything() -> None:
    data = bytes(range(256)) * 1000
    assert lwt.poll(io.read(io.of_bytes(data))) == data


def test_read_with_count_returns_at_most_count_and_empty_at_end() -> None:
    ic = io.of_bytes(b"abcdef")
    assert lwt.poll(ic.read(4)) == b"abcd"
    assert lwt.poll(ic.read(4)) == b"ef"
    assert lwt.poll(ic.read(4)) == b""


def test_read_into_exactly_raises_eof_when_input_is_short() -> None:
    buf = bytearray(10)
    with pytest.raises(EOFError):
        lwt.poll(io.read_into_exactly(io.of_bytes(b"abc"), buf, 0, 10))


def test_read_into_rejects_bad_bounds() -> None:
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(io.of_bytes(b"abc").read_into(bytearray(2), 1, 5))


def test_position_counts_consumed_bytes() -> None:
    ic = io.of_bytes(b"hello\nworld\n")
    lwt.poll(ic.read_line())
    assert ic.position() == 6


# ------------------------------------------------------------------ writing
def test_writes_stay_buffered_until_flush() -> None:
    out = bytearray()
    oc = _sink(out)
    lwt.poll(io.write(oc, "hi"))
    lwt.poll(oc.write_char(b"!"))
    assert out == b""
    assert oc.position() == 3
    lwt.poll(io.flush(oc))
    assert out == b"hi!"


def test_write_larger_than_buffer_goes_through_with_partial_writes() -> None:
    out = bytearray()
    oc = _sink(out, chunks=[1, 3, 2, 7] * 50)
    data = bytes(range(256)) * 3
    lwt.poll(oc.write(data))
    lwt.poll(oc.close())
    assert bytes(out) == data


def test_write_from_takes_at_least_one_byte() -> None:
    out = bytearray()
    oc = _sink(out)
    n = lwt.poll(io.write_from(oc, b"x" * 100, 0, 100))
    assert n is not None
    assert 1 <= n <= 100


def test_write_char_rejects_more_than_one_byte() -> None:
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(_sink(bytearray()).write_char(b"ab"))


def test_close_flushes_then_later_operations_raise_channel_closed() -> None:
    out = bytearray()
    closed: list[bool] = []

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        out.extend(buf[ofs : ofs + length])
        return lwt.return_(length)

    def close() -> lwt.Promise[None]:
        closed.append(True)
        return lwt.return_unit

    oc = io.make(io.output, perform_io, close=close)
    lwt.poll(oc.write_line("bye"))
    lwt.poll(oc.close())
    assert (bytes(out), closed, oc.is_closed()) == (b"bye\n", [True], True)
    lwt.poll(oc.close())
    assert closed == [True]
    with pytest.raises(io.ChannelClosed):
        lwt.poll(oc.write("more"))


def test_reading_a_closed_channel_raises_channel_closed() -> None:
    ic = io.of_bytes(b"abc")
    lwt.poll(ic.close())
    with pytest.raises(io.ChannelClosed):
        lwt.poll(ic.read_char())


# --------------------------------------------------------- one at a time
def test_concurrent_operations_run_in_turn() -> None:
    pending: list[tuple[lwt.Resolver[int], bytearray, int]] = []

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        p, r = lwt.wait()
        pending.append((r, buf, ofs))
        return p

    ic: io.InputChannel = io.make(io.input, perform_io, buffer_size=16)
    first = ic.read_line()
    second = ic.read_line()
    assert ic.is_busy()
    assert len(pending) == 1
    r, buf, ofs = pending.pop()
    buf[ofs : ofs + 4] = b"a\nb\n"
    lwt.wakeup(r, 4)
    assert (lwt.poll(first), lwt.poll(second)) == ("a", "b")
    assert not ic.is_busy()


def test_operation_waiting_for_its_turn_sees_the_close() -> None:
    p, r = lwt.wait()
    ic: io.InputChannel = io.make(io.input, lambda buf, ofs, n: p)
    reading = ic.read_char()
    closing = ic.close()
    after = ic.read_char()
    buf_filled = 0
    lwt.wakeup(r, buf_filled)
    with pytest.raises(EOFError):
        lwt.poll(reading)
    assert lwt.state(closing) == lwt.Return(None)
    with pytest.raises(io.ChannelClosed):
        lwt.poll(after)


# -------------------------------------------------------------- buffers
def test_default_buffer_size_is_64_kib_and_settable() -> None:
    assert io.default_buffer_size() == 65536
    io.set_default_buffer_size(1024)
    try:
        assert io.make(io.input, lambda buf, ofs, n: lwt.return_(0)).buffer_size() == 1024
    finally:
        io.set_default_buffer_size(65536)
    with pytest.raises(lwt.InvalidArgument):
        io.set_default_buffer_size(1)


def test_make_rejects_unknown_mode() -> None:
    with pytest.raises(lwt.InvalidArgument):
        io.make("both", lambda buf, ofs, n: lwt.return_(0))


# -------------------------------------------------------------- numbers
def test_numbers_in_each_byte_order() -> None:
    out = bytearray()
    oc = _sink(out)
    lwt.poll(io.BE.write_int16(oc, -2))
    lwt.poll(io.LE.write_int32(oc, 7))
    lwt.poll(io.BE.write_float64(oc, 1.5))
    lwt.poll(oc.write_int64(-(2**40)))
    lwt.poll(oc.flush())
    assert bytes(out[:2]) == b"\xff\xfe"
    assert bytes(out[2:6]) == b"\x07\x00\x00\x00"
    ic = io.of_bytes(bytes(out))
    assert lwt.poll(io.BE.read_int16(ic)) == -2
    assert lwt.poll(io.LE.read_int32(ic)) == 7
    assert lwt.poll(io.BE.read_float64(ic)) == 1.5
    assert lwt.poll(io.read_int64(ic)) == -(2**40)


def test_writing_an_out_of_range_number_is_an_invalid_argument() -> None:
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(io.write_int16(_sink(bytearray()), 1 << 20))


# ------------------------------------------------------------ real pipes
def test_pipe_carries_lines_and_end_of_input() -> None:
    ic, oc = io.pipe()

    def writer() -> lwt.Promise[None]:
        return oc.write_line("hello").bind(lambda _: oc.write("world\n")).bind(lambda _: oc.close())

    def reader() -> lwt.Promise[list[str | None]]:
        got: list[str | None] = []

        def step(line: str | None) -> lwt.Promise[list[str | None]]:
            got.append(line)
            if line is None:
                return ic.close().map(lambda _: got)
            return ic.read_line_opt().bind(step)

        return ic.read_line_opt().bind(step)

    both = lwt.both(writer(), reader())
    assert lwt_main.run(both)[1] == ["hello", "world", None]


def test_pipe_moves_a_large_block_exactly() -> None:
    ic, oc = io.pipe()
    data = bytes(random.Random(1).randbytes(300_000))
    buf = bytearray(len(data))
    sending = oc.write(data).bind(lambda _: oc.close())
    receiving = ic.read_into_exactly(buf, 0, len(buf)).bind(lambda _: ic.close())
    lwt_main.run(lwt.join([sending, receiving]))
    assert bytes(buf) == data


# ---------------------------------------------------------- round trips
_items = st.lists(
    st.one_of(
        st.tuples(
            st.just("line"),
            st.text(
                alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"])
            ),
        ),
        st.tuples(st.just("bytes"), st.binary(max_size=100)),
        st.tuples(st.just("int32"), st.integers(-(2**31), 2**31 - 1)),
        st.tuples(st.just("int64"), st.integers(-(2**63), 2**63 - 1)),
        st.tuples(st.just("float64"), st.floats(allow_nan=False)),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(items=_items, buffer_size=st.integers(16, 64), seed=st.integers(0, 2**32))
def test_what_is_written_reads_back_whatever_the_buffers_and_splits(
    items: list[tuple[str, object]], buffer_size: int, seed: int
) -> None:
    rng = random.Random(seed)
    out = bytearray()
    oc = _sink(out, chunks=[rng.randint(1, 20) for _ in range(10_000)])
    for kind, value in items:
        if kind == "line":
            assert isinstance(value, str)
            lwt.poll(oc.write_line(value))
        elif kind == "bytes":
            assert isinstance(value, bytes)
            lwt.poll(oc.write(value))
        elif kind == "int32":
            lwt.poll(io.BE.write_int32(oc, value))  # type: ignore[arg-type]
        elif kind == "int64":
            lwt.poll(io.LE.write_int64(oc, value))  # type: ignore[arg-type]
        else:
            lwt.poll(oc.write_float64(value))  # type: ignore[arg-type]
    lwt.poll(oc.close())
    ic = _source(bytes(out), rng, buffer_size)
    for kind, value in items:
        if kind == "line":
            assert lwt.poll(ic.read_line()) == value
        elif kind == "bytes":
            assert isinstance(value, bytes)
            assert lwt.poll(ic.read_exactly(len(value))) == value
        elif kind == "int32":
            assert lwt.poll(io.BE.read_int32(ic)) == value
        elif kind == "int64":
            assert lwt.poll(io.LE.read_int64(ic)) == value
        else:
            assert lwt.poll(ic.read_float64()) == value
    assert lwt.poll(ic.read_char_opt()) is None
    assert struct.calcsize("=q") == 8


# ---------------------------------------------------------------- atomic
def test_atomic_keeps_other_operations_out_until_it_ends() -> None:
    out = bytearray()
    oc = _sink(out)
    gate, opener = lwt.wait()

    def pair(ch: io.OutputChannel) -> lwt.Promise[None]:
        return ch.write("a").bind(lambda _: gate).bind(lambda _: ch.write("b"))

    inside = io.atomic(pair, oc)
    outside = oc.write("X")
    assert lwt.is_sleeping(outside)
    lwt.wakeup(opener, None)
    assert lwt.state(inside) == lwt.Return(None)
    assert lwt.state(outside) == lwt.Return(None)
    lwt.poll(oc.flush())
    assert out == b"abX"
    assert not oc.is_busy()


def test_resize_buffer_keeps_unread_bytes() -> None:
    ic = _source(b"hello\nworld\n" * 3, random.Random(3), buffer_size=64, whole=True)
    assert lwt.poll(ic.read_char()) == b"h"
    lwt.poll(io.resize_buffer(ic, 40))
    assert (ic.buffer_size(), ic.buffered()) == (40, 35)
    assert lwt.poll(ic.read_line()) == "ello"
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(ic.resize_buffer(16))
    assert lwt.poll(ic.read()) == b"world\n" + b"hello\nworld\n" * 2


def test_a_channel_made_by_of_bytes_keeps_its_buffer() -> None:
    with pytest.raises(lwt.Failure):
        lwt.poll(io.of_bytes(b"abc").resize_buffer(32))


def test_resize_output_buffer_smaller_flushes_first() -> None:
    out = bytearray()
    oc: io.OutputChannel = io.make(
        io.output, lambda b, o, n: (out.extend(b[o : o + n]), lwt.return_(n))[1], buffer_size=64
    )
    lwt.poll(oc.write(b"x" * 40))
    lwt.poll(oc.resize_buffer(16))
    assert (bytes(out), oc.buffer_size()) == (b"x" * 40, 16)


_reads = st.lists(
    st.tuples(
        st.sampled_from(["read", "read_into", "exactly", "char", "block"]),
        st.integers(0, 40),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=600),
    reads=_reads,
    buffer_size=st.integers(16, 48),
    seed=st.integers(0, 2**32),
)
def test_any_mix_of_reads_returns_the_input_in_order(
    data: bytes, reads: list[tuple[str, int]], buffer_size: int, seed: int
) -> None:
    ic = _source(data, random.Random(seed), buffer_size)
    got = bytearray()
    for kind, n in reads:
        n = min(n, buffer_size)
        if kind == "read":
            got += lwt.poll(ic.read(n)) or b""
        elif kind == "read_into":
            buf = bytearray(n)
            k = lwt.poll(ic.read_into(buf, 0, n))
            assert k is not None
            got += buf[:k]
        elif kind == "char":
            got += lwt.poll(ic.read_char_opt()) or b""
        else:
            left = len(data) - ic.position()
            if kind == "exactly":
                got += lwt.poll(ic.read_exactly(min(n, left)))
            else:
                k = min(n, left)
                got += lwt.poll(ic.block(k, lambda buf, i, k=k: lwt.return_(bytes(buf[i : i + k]))))
        assert bytes(got) == data[: len(got)]
        assert ic.position() == len(got)
    got += lwt.poll(ic.read())
    assert bytes(got) == data


_writes = st.lists(
    st.tuples(
        st.sampled_from(["write", "write_from", "char", "block", "flush"]),
        st.binary(max_size=60),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(writes=_writes, seed=st.integers(0, 2**32))
def test_any_mix_of_writes_arrives_whole_and_in_order(
    writes: list[tuple[str, bytes]], seed: int
) -> None:
    rng = random.Random(seed)
    out = bytearray()
    oc = _sink(out, chunks=[rng.randint(1, 20) for _ in range(10_000)])
    expected = bytearray()
    for kind, b in writes:
        if kind == "write":
            lwt.poll(oc.write(b))
            expected += b
        elif kind == "write_from":
            k = lwt.poll(oc.write_from(b, 0, len(b)))
            assert k is not None
            assert (k >= 1) if b else (k == 0)
            expected += b[:k]
        elif kind == "char":
            lwt.poll(oc.write_char(b[:1] or b"z"))
            expected += b[:1] or b"z"
        elif kind == "block":
            chunk = b[:16]

            def fill(buf: bytearray, i: int, chunk: bytes = chunk) -> lwt.Promise[None]:
                buf[i : i + len(chunk)] = chunk
                return lwt.return_unit

            lwt.poll(oc.block(len(chunk), fill))
            expected += chunk
        else:
            lwt.poll(oc.flush())
            assert out == expected
        assert oc.position() == len(expected)
        assert bytes(out) == bytes(expected[: len(out)])
    lwt.poll(oc.close())
    assert out == expected


def test_large_read_into_goes_straight_to_the_buffer_and_keeps_order() -> None:
    # A read at least as large as the channel's buffer skips the buffer;
    # while it waits on an empty pipe, it holds the channel like any other
    # operation, so a read made after it is served after it.
    r, w = unix.pipe()
    ic = io.of_fd(r, mode=io.input, buffer_size=16)
    big = bytearray(32)
    first = ic.read_into(big, 0, 32)
    assert ic.is_busy()
    second = ic.read(4)
    assert first.is_sleeping()
    assert second.is_sleeping()
    os.write(w.unix_file_descr, b"abcdefgh")
    assert lwt_main.run(first) == 8
    assert bytes(big[:8]) == b"abcdefgh"
    os.write(w.unix_file_descr, b"ijkl")
    assert lwt_main.run(second) == b"ijkl"
    assert ic.position() == 12
    # Data already waiting: the large read completes on return.
    os.write(w.unix_file_descr, b"mnop")
    now = ic.read_into(big, 0, 32)
    assert now.poll() == 4
    assert not ic.is_busy()
    assert ic.position() == 16
    lwt_main.run(ic.close())
    lwt_main.run(unix.close(w))
