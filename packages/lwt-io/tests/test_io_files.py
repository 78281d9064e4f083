"""lwt.io files, temporary files and temporary directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.io as io
from lwt.unix import main as lwt_main


def test_write_a_file_then_read_it_back(tmp_path: Path) -> None:
    path = str(tmp_path / "f.txt")
    lwt_main.run(
        io.with_file(
            path, lambda oc: oc.write_line("first").bind(lambda _: oc.write("x")), mode=io.output
        )
    )
    assert lwt_main.run(io.file_length(path)) == 7

    def read_both(ic: io.InputChannel) -> lwt.Promise[tuple[str, bytes]]:
        return ic.read_line().bind(lambda line: ic.read().map(lambda rest: (line, rest)))

    assert lwt_main.run(io.with_file(path, read_both, mode=io.input)) == ("first", b"x")


def test_with_file_closes_the_channel_when_the_function_fails(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    seen: list[io.OutputChannel] = []

    def boom(oc: io.OutputChannel) -> lwt.Promise[None]:
        seen.append(oc)
        return oc.write("kept").bind(lambda _: lwt.fail(RuntimeError("boom")))

    with pytest.raises(RuntimeError):
        lwt_main.run(io.with_file(path, boom, mode=io.output))
    assert seen[0].is_closed()
    assert Path(path).read_bytes() == b"kept"


def test_opening_a_missing_file_fails_with_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        lwt_main.run(io.open_file(str(tmp_path / "nope"), mode=io.input))


def test_file_length_of_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        lwt_main.run(io.file_length(str(tmp_path)))


def test_temp_file_is_written_then_deleted() -> None:
    seen: list[str] = []

    def use(made: tuple[str, io.OutputChannel]) -> lwt.Promise[None]:
        path, oc = made
        seen.append(path)
        return oc.write("data").bind(lambda _: oc.flush())

    lwt_main.run(io.with_temp_file(use))
    assert seen
    assert not os.path.exists(seen[0])


def test_temp_dir_is_deleted_with_its_contents() -> None:
    seen: list[str] = []

    def use(path: str) -> lwt.Promise[None]:
        seen.append(path)
        os.makedirs(os.path.join(path, "a", "b"))
        Path(path, "a", "b", "f").write_text("x")
        return lwt.return_unit

    lwt_main.run(io.with_temp_dir(use))
    assert seen
    assert not os.path.exists(seen[0])
