"""lwt.io's zero/null channels, pickled values, hexdump and the print family."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lwt.core as lwt
import lwt.io as io


def _collect() -> tuple[io.OutputChannel, bytearray]:
    out = bytearray()

    def perform_io(buf: bytearray, ofs: int, length: int) -> lwt.Promise[int]:
        out.extend(buf[ofs : ofs + length])
        return lwt.return_(length)

    oc: io.OutputChannel = io.make(io.output, perform_io)
    return oc, out


def test_zero_reads_zero_bytes_and_null_swallows_writes() -> None:
    assert lwt.poll(io.zero.read_exactly(10_000)) == bytes(10_000)
    lwt.poll(io.null.write(b"x" * 10_000))
    assert lwt.state(io.null.flush()) == lwt.Return(None)


def test_values_round_trip_and_a_truncated_one_is_end_of_input() -> None:
    oc, out = _collect()
    lwt.poll(io.write_value(oc, {"a": [1, 2.5, None]}))
    lwt.poll(io.write_value(oc, ("x", b"y")))
    lwt.poll(oc.flush())
    ic = io.of_bytes(bytes(out))
    assert lwt.poll(io.read_value(ic)) == {"a": [1, 2.5, None]}
    assert lwt.poll(io.read_value(ic)) == ("x", b"y")
    with pytest.raises(EOFError):
        lwt.poll(io.read_value(io.of_bytes(bytes(out)[:12])))


def test_hexdump_shows_offsets_hex_and_printable_text() -> None:
    oc, out = _collect()
    lwt.poll(io.hexdump(oc, b"ABC\x00" * 5))
    lwt.poll(oc.flush())
    lines = out.decode().splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "00000000  41 42 43 00 41 42 43 00  41 42 43 00 41 42 43 00  |ABC.ABC.ABC.ABC.|"
    )
    assert lines[1].startswith("00000010  41 42 43 00")
    assert lines[1].endswith("|ABC.|")


def test_fprint_and_fprintl_write_text() -> None:
    oc, out = _collect()
    lwt.poll(io.fprint(oc, "a"))
    lwt.poll(io.fprintl(oc, "b"))
    lwt.poll(oc.flush())
    assert out == b"ab\n"


def test_standard_channels_print_and_are_flushed_at_exit() -> None:
    code = (
        "import lwt.io as io\n"
        "from lwt.unix import main\n"
        "main.run(io.printl('flushed'))\n"
        "main.run(io.eprintl('to stderr'))\n"
        "main.run(io.stdout.write('left in the buffer'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "flushed\nleft in the buffer"
    assert done.stderr == "to stderr\n"
