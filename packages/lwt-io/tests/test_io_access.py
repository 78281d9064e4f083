"""lwt.io random and direct access: positions, lengths, blocks, byte arrays, flushing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.core.stream as stream
import lwt.io as io
from lwt.unix import main as lwt_main
from lwt.unix import sleep


def _recorder(sent: list[bytes], *, buffer_size: int = 16) -> io.OutputChannel:
    """An output channel over a function that records each chunk it is given."""

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        sent.append(bytes(buf[ofs : ofs + length]))
        return lwt.return_(length)

    oc: io.OutputChannel = io.make(io.output, perform_io, buffer_size=buffer_size)
    return oc


# ---------------------------------------------------------------- of_bytes
def test_input_over_bytes_positions_follow_reads_and_set_position() -> None:
    ic = io.of_bytes(b"abcd", mode=io.input)
    assert io.position(ic) == 0
    assert lwt.poll(ic.read_char()) == b"a"
    assert ic.position() == 1
    lwt.poll(io.set_position(ic, 3))
    assert (ic.position(), lwt.poll(ic.read_char())) == (3, b"d")
    lwt.poll(ic.set_position(0))
    assert lwt.poll(ic.read()) == b"abcd"
    assert lwt.poll(io.length(ic)) == 4


def test_output_over_bytes_writes_into_the_array_and_seeks_within_it() -> None:
    out = bytearray(4)
    oc = io.of_bytes(out, mode=io.output)
    assert oc.position() == 0
    lwt.poll(oc.write_char(b"a"))
    assert oc.position() == 1
    lwt.poll(oc.set_position(2))
    assert oc.position() == 2
    lwt.poll(oc.write(b"cd"))
    lwt.poll(oc.flush())
    assert out == b"a\x00cd"


def test_output_over_bytes_refuses_a_write_that_does_not_fit_and_keeps_the_rest() -> None:
    out = bytearray(5)
    oc = io.of_bytes(out, mode=io.output)
    lwt.poll(oc.write(b"abc"))
    with pytest.raises(lwt.Failure):
        lwt.poll(oc.write(b"xyz"))
    assert (bytes(out), oc.position()) == (b"abc\x00\x00", 3)
    lwt.poll(oc.write(b"de"))
    assert out == b"abcde"


def test_of_bytes_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError):
        io.of_bytes(b"read only", mode=io.output)
    with pytest.raises(lwt.InvalidArgument):
        io.of_bytes(b"", mode="sideways")
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(io.of_bytes(b"abc").set_position(4))
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(io.of_bytes(b"abc").set_position(-1))


def test_write_and_read_through_any_buffer_object() -> None:
    out = bytearray(11)
    lwt.poll(
        io.write_from_exactly(io.of_bytes(out, mode=io.output), memoryview(b"Hello World"), 0, 11)
    )
    assert out == b"Hello World"
    into = bytearray(11)
    lwt.poll(io.read_into_exactly(io.of_bytes(out), memoryview(into), 0, 11))
    assert into == b"Hello World"


# ------------------------------------------------------------ mode, buffered
def test_mode_and_buffered_of_both_kinds() -> None:
    ic = io.of_bytes(b"xyz")
    oc = _recorder([])
    assert (io.mode(ic), io.mode(oc)) == (io.input, io.output)
    lwt.poll(ic.read_char())
    lwt.poll(oc.write(b"12345"))
    assert (io.buffered(ic), io.buffered(oc)) == (2, 5)
    assert io.buffer_size(oc) == 16


# --------------------------------------------------------- files: seeking
def test_file_channels_seek_and_tell_their_length(tmp_path: Path) -> None:
    path = str(tmp_path / "f")
    Path(path).write_bytes(b"0123456789")

    def read_parts(ic: io.InputChannel) -> lwt.Promise[list[object]]:
        got: list[object] = []
        return (
            ic.length()
            .bind(lambda n: (got.append(n), ic.set_position(7))[1])
            .bind(lambda _: ic.read())
            .bind(lambda rest: (got.append(rest), ic.set_position(2))[1])
            .bind(lambda _: ic.read(3))
            .map(lambda part: [*got, part, ic.position()])
        )

    small = lwt_main.run(io.with_file(path, read_parts, mode=io.input, buffer_size=16))
    assert small == [10, b"789", b"234", 5]

    def overwrite(oc: io.OutputChannel) -> lwt.Promise[int]:
        return (
            oc.write(b"abcdef")
            .bind(lambda _: oc.set_position(2))
            .bind(lambda _: oc.write(b"XY"))
            .bind(lambda _: oc.flush())
            .bind(lambda _: oc.length())
        )

    assert lwt_main.run(io.with_file(path, overwrite, mode=io.output)) == 6
    assert Path(path).read_bytes() == b"abXYef"


def test_a_channel_that_cannot_seek_says_so() -> None:
    ic: io.InputChannel = io.make(io.input, lambda buf, ofs, n: lwt.return_(0))
    with pytest.raises(lwt.Failure, match="cannot seek"):
        lwt.poll(ic.set_position(5))
    with pytest.raises(lwt.Failure, match="cannot seek"):
        lwt.poll(ic.length())
    r, w = io.pipe()
    with pytest.raises(OSError, match="Illegal seek"):
        lwt_main.run(r.set_position(1))
    lwt_main.run(lwt.join([r.close(), w.close()]))


def test_seek_over_a_function_moves_its_position() -> None:
    data = bytes(range(100))
    pos = [0]

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        n = min(length, len(data) - pos[0])
        buf[ofs : ofs + n] = data[pos[0] : pos[0] + n]
        pos[0] += n
        return lwt.return_(n)

    def seek(offset: int, whence: int) -> lwt.Promise[int]:
        pos[0] = offset if whence == os.SEEK_SET else len(data) + offset
        return lwt.return_(pos[0])

    ic: io.InputChannel = io.make(io.input, perform_io, seek=seek, buffer_size=16)
    assert lwt.poll(ic.read(4)) == bytes(range(4))
    lwt.poll(ic.set_position(90))
    assert lwt.poll(ic.read_exactly(3)) == bytes([90, 91, 92])
    assert lwt.poll(ic.length()) == 100
    assert lwt.poll(ic.read_char()) == bytes([93])


def test_operations_on_a_closed_channel_raise_channel_closed() -> None:
    oc = _recorder([])
    lwt.poll(oc.close())
    for attempt in (
        lambda: oc.set_position(0),
        lambda: oc.length(),
        lambda: oc.block(4, lambda buf, i: lwt.return_unit),
        lambda: oc.direct_access(lambda da: lwt.return_unit),
    ):
        with pytest.raises(io.ChannelClosed):
            lwt.poll(attempt())


# ------------------------------------------------------------------ block
def test_block_reads_exactly_size_bytes_across_refills() -> None:
    pieces = iter([b"ab", b"cde", b"fgh"])

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        piece = next(pieces, b"")
        buf[ofs : ofs + len(piece)] = piece
        return lwt.return_(len(piece))

    ic: io.InputChannel = io.make(io.input, perform_io, buffer_size=16)
    got = lwt.poll(io.block(ic, 4, lambda buf, i: lwt.return_(bytes(buf[i : i + 4]))))
    assert got == b"abcd"
    assert lwt.poll(ic.read()) == b"efgh"
    with pytest.raises(EOFError):
        lwt.poll(ic.block(1, lambda buf, i: lwt.return_unit))


def test_block_on_output_fills_free_space_flushing_first_if_needed() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent)
    lwt.poll(oc.write(b"0123456789"))

    def fill(buf: bytearray, i: int) -> lwt.Promise[None]:
        buf[i : i + 8] = b"ABCDEFGH"
        return lwt.return_unit

    lwt.poll(oc.block(8, fill))
    assert sent == [b"0123456789"]
    lwt.poll(oc.flush())
    assert b"".join(sent) == b"0123456789ABCDEFGH"


def test_block_rejects_sizes_outside_the_buffer() -> None:
    oc = _recorder([])
    for size in (-1, 17):
        with pytest.raises(lwt.InvalidArgument):
            lwt.poll(oc.block(size, lambda buf, i: lwt.return_unit))


# ---------------------------------------------------------- direct access
def test_direct_access_reads_the_buffer_and_refills_it() -> None:
    ic = io.make(io.input, _pieces([b"hello ", b"world"]), buffer_size=16)

    def take_all(da: io.DirectAccess) -> lwt.Promise[bytes]:
        acc = bytearray()

        def step(n: int) -> lwt.Promise[bytes]:
            if n == 0:
                return lwt.return_(bytes(acc))
            acc.extend(da.buffer[da.ptr : da.max])
            da.ptr = da.max
            return da.perform().bind(step)

        return da.perform().bind(step)

    assert lwt.poll(io.direct_access(ic, take_all)) == b"hello world"
    assert ic.position() == 11


def test_direct_access_writes_into_free_space_and_flushes_partly() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent)

    def put(da: io.DirectAccess) -> lwt.Promise[int]:
        assert (da.ptr, da.max) == (0, 16)
        da.buffer[0:16] = b"x" * 16
        da.ptr = 16
        return da.perform()

    assert lwt.poll(oc.direct_access(put)) == 16
    assert sent == [b"x" * 16]
    assert oc.position() == 16


def test_direct_access_checks_what_f_leaves_and_dies_afterwards() -> None:
    ic = io.of_bytes(b"abc")
    kept: list[io.DirectAccess] = []

    def overshoot(da: io.DirectAccess) -> lwt.Promise[None]:
        da.ptr = da.max + 1
        return lwt.return_unit

    with pytest.raises(lwt.Failure):
        lwt.poll(ic.direct_access(overshoot))

    def keep(da: io.DirectAccess) -> lwt.Promise[None]:
        kept.append(da)
        da.ptr += 1
        return lwt.return_unit

    lwt.poll(ic.direct_access(keep))
    assert lwt.poll(ic.read()) == b"bc"
    with pytest.raises(lwt.Failure):
        lwt.poll(kept[0].perform())


def _pieces(chunks: list[bytes]) -> Callable[[bytearray, int, int], lwt.Promise[int]]:
    it = iter(chunks)

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        piece = next(it, b"")[:length]
        buf[ofs : ofs + len(piece)] = piece
        return lwt.return_(len(piece))

    return perform_io


# ------------------------------------------------------------- auto-flush
def test_auto_flush_sends_buffered_writes_once_the_program_is_idle() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent, buffer_size=4096)

    def scenario() -> lwt.Promise[list[bytes]]:
        before: list[bytes] = []

        def check(_: None) -> lwt.Promise[None]:
            before.extend(sent)
            return sleep(0.01)

        return oc.write("foo").bind(lambda _: oc.write("bar")).bind(check).map(lambda _: before)

    assert lwt_main.run(scenario()) == []
    assert sent == [b"foobar"]


def test_auto_flush_happens_inside_atomic_too() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent, buffer_size=4096)

    def inside(ch: io.OutputChannel) -> lwt.Promise[list[bytes]]:
        return (
            ch.write("foo")
            .bind(lambda _: ch.write("bar"))
            .bind(lambda _: sleep(0.01))
            .map(lambda _: list(sent))
        )

    assert lwt_main.run(io.atomic(inside, oc)) == [b"foobar"]


def test_flush_all_flushes_every_open_output_channel() -> None:
    first: list[bytes] = []
    second: list[bytes] = []
    a, b = _recorder(first), _recorder(second)
    closed = _recorder([])
    lwt.poll(closed.close())
    lwt.poll(a.write(b"one"))
    lwt.poll(b.write(b"two"))
    lwt.poll(io.flush_all())
    assert (first, second) == ([b"one"], [b"two"])


def test_open_output_channels_are_flushed_at_exit() -> None:
    code = (
        "import os\n"
        "import lwt.core as lwt\n"
        "import lwt.io as io\n"
        "from lwt.unix import main\n"
        "def out(buf, ofs, n):\n"
        "    return lwt.return_(os.write(1, bytes(buf[ofs : ofs + n])))\n"
        "oc = io.make(io.output, out)\n"
        "main.run(oc.write('never flushed by hand'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (0, "never flushed by hand"), done.stderr


def test_a_file_channel_left_unflushed_is_written_at_exit(tmp_path: Path) -> None:
    # Writes to a regular file go through worker threads, which are refused
    # once the interpreter shuts down: the flush at exit must still land.
    target = tmp_path / "out.txt"
    code = (
        "import sys\n"
        "import lwt.io as io\n"
        "from lwt.unix import main\n"
        "oc = main.run(io.open_file(sys.argv[1], mode=io.output))\n"
        "main.run(oc.write('kept at exit'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text() == "kept at exit"


# ---------------------------------------------------------- printf, hexdump
def test_printf_family_formats_with_percent() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent)
    lwt.poll(io.fprintf(oc, "%d-%s", 4, "x"))
    lwt.poll(io.fprintlf(oc, "[%5.2f]", 1.5))
    lwt.poll(oc.flush())
    assert b"".join(sent) == b"4-x[ 1.50]\n"
    with pytest.raises(lwt.InvalidArgument):
        lwt.poll(io.fprintf(oc, "%d", "not a number"))


def test_standard_printf_functions_write_and_flush() -> None:
    code = (
        "import lwt.io as io\n"
        "from lwt.unix import main\n"
        "main.run(io.printf('%s=%d;', 'a', 1))\n"
        "main.run(io.printlf('%s', 'line'))\n"
        "main.run(io.eprintf('%03d', 7))\n"
        "main.run(io.eprintlf('!'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "a=1;line\n", "007!\n")


def test_hexdump_stream_dumps_a_stream_of_bytes() -> None:
    sent: list[bytes] = []
    oc = _recorder(sent)
    lwt.poll(io.hexdump_stream(oc, stream.of_list([b"ABC", b"\x00" * 14, b"Z"])))
    lwt.poll(oc.flush())
    lines = b"".join(sent).decode().splitlines()
    assert lines == [
        "00000000  41 42 43 00 00 00 00 00  00 00 00 00 00 00 00 00  |ABC.............|",
        "00000010  00 5a" + " " * 45 + "|.Z|",
    ]
