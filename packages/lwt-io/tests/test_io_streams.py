"""lwt.io channels and files as streams of bytes and lines."""

from __future__ import annotations

from pathlib import Path

import lwt.core as lwt
import lwt.core.stream as stream
import lwt.io as io
from lwt.unix import main as lwt_main


def test_read_lines_and_read_chars_stream_a_channel() -> None:
    assert lwt.poll(stream.to_list(io.read_lines(io.of_bytes(b"a\r\nb\nc")))) == ["a", "b", "c"]
    assert lwt.poll(stream.to_list(io.read_chars(io.of_bytes(b"xyz")))) == [b"x", b"y", b"z"]


def test_lines_to_file_then_lines_of_file(tmp_path: Path) -> None:
    path = str(tmp_path / "lines")
    lwt_main.run(io.lines_to_file(path, stream.of_list(["one", "two", ""])))
    assert Path(path).read_text() == "one\ntwo\n\n"
    assert lwt_main.run(stream.to_list(io.lines_of_file(path))) == ["one", "two", ""]


def test_chars_to_file_then_chars_of_file(tmp_path: Path) -> None:
    path = str(tmp_path / "chars")
    lwt_main.run(io.chars_to_file(path, stream.of_list([b"a", b"b"])))
    assert lwt_main.run(stream.to_list(io.chars_of_file(path))) == [b"a", b"b"]
