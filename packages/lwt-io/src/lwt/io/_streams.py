"""Channels as ``lwt.core.stream`` streams, and files as streams of lines or bytes."""

from __future__ import annotations

import lwt.core as _lwt
import lwt.core.stream as _stream
from lwt.io._channel import InputChannel, OutputChannel, input, output
from lwt.io._files import open_file, with_file

__all__ = [
    "chars_of_file",
    "chars_to_file",
    "lines_of_file",
    "lines_to_file",
    "read_chars",
    "read_lines",
    "write_chars",
    "write_lines",
]


def read_chars(ic: InputChannel) -> _stream.Stream[bytes]:
    """Return a stream of the bytes of ``ic`` (each ``bytes`` of length 1), ending at its end."""
    return _stream.from_(ic.read_char_opt)


def read_lines(ic: InputChannel) -> _stream.Stream[str]:
    """Return a stream of the lines of ``ic`` (as :meth:`InputChannel.read_line_opt` reads them)."""
    return _stream.from_(ic.read_line_opt)


def write_chars(oc: OutputChannel, chars: _stream.Stream[bytes]) -> _lwt.Promise[None]:
    """Write every element of ``chars`` to ``oc``, in order."""
    return _stream.iter_s(oc.write, chars)


def write_lines(oc: OutputChannel, lines: _stream.Stream[str]) -> _lwt.Promise[None]:
    """Write every element of ``lines`` to ``oc``, each followed by a newline."""
    return _stream.iter_s(oc.write_line, lines)


def _file_stream(path: str, read_one: str) -> _stream.Stream[object]:
    state: list[InputChannel | None] = [None]

    def next_one() -> _lwt.Promise[object | None]:
        ic = state[0]
        if ic is None:
            return open_file(path, mode=input).bind(opened)
        p: _lwt.Promise[object | None] = getattr(ic, read_one)()
        return p.bind(got)

    def opened(ic: InputChannel) -> _lwt.Promise[object | None]:
        state[0] = ic
        return next_one()

    def got(v: object | None) -> _lwt.Promise[object | None]:
        ic = state[0]
        if v is None and ic is not None:
            return ic.close().map(lambda _: None)
        return _lwt.return_(v)

    return _stream.from_(next_one)


def lines_of_file(path: str) -> _stream.Stream[str]:
    """Return a stream of the lines of the file ``path``; the file is closed at the end."""
    return _file_stream(path, "read_line_opt")  # type: ignore[return-value]


def chars_of_file(path: str) -> _stream.Stream[bytes]:
    """Return a stream of the bytes of the file ``path``; the file is closed at the end."""
    return _file_stream(path, "read_char_opt")  # type: ignore[return-value]


def lines_to_file(path: str, lines: _stream.Stream[str]) -> _lwt.Promise[None]:
    """Write every line of ``lines`` to the file ``path`` (created or truncated)."""
    return with_file(path, lambda oc: write_lines(oc, lines), mode=output)


def chars_to_file(path: str, chars: _stream.Stream[bytes]) -> _lwt.Promise[None]:
    """Write every element of ``chars`` to the file ``path`` (created or truncated)."""
    return with_file(path, lambda oc: write_chars(oc, chars), mode=output)
