"""Standard channels, ``zero``/``null``, the print family, values and hexdump.

Lwt's ``printf``-style values (``fprintf``, ``printlf`` ...) take a
``%``-format and its arguments here: ``printf("%d items\\n", n)``.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

import lwt.core as _lwt
import lwt.core.stream as _stream
import lwt.unix as _unix
from lwt.io._channel import InputChannel, OutputChannel, flush_all
from lwt.unix import main as _main

__all__ = [
    "eprint",
    "eprintf",
    "eprintl",
    "eprintlf",
    "fprint",
    "fprintf",
    "fprintl",
    "fprintlf",
    "hexdump",
    "hexdump_stream",
    "null",
    "print",
    "printf",
    "printl",
    "printlf",
    "read_value",
    "stderr",
    "stdin",
    "stdout",
    "write_value",
    "zero",
]


def _keep_open() -> _lwt.Promise[None]:
    return _lwt.return_unit


def _std(fd: int, out: bool) -> Any:
    if not out:
        # Blocking mode (reads in worker threads), flags untouched: shared descriptor.
        d = _unix.of_unix_file_descr(fd, blocking=True, set_flags=False)
        return InputChannel(
            lambda b, o, n: _unix.read(d, b, o, n), buffer_size=4096, close=_keep_open
        )
    waiting = _unix.of_unix_file_descr(fd, blocking=False, set_flags=False)

    def perform_io(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
        # A direct write: it works at interpreter exit, when worker threads are gone.
        try:
            return _lwt.return_(os.write(fd, memoryview(buf)[ofs : ofs + length]))
        except BlockingIOError:
            return _unix.write(waiting, buf, ofs, length)
        except OSError as exc:
            return _lwt.fail(exc)

    return OutputChannel(perform_io, buffer_size=4096, close=_keep_open)


stdin: InputChannel = _std(0, False)
"""Standard input (closing it does not close descriptor 0)."""
stdout: OutputChannel = _std(1, True)
"""Standard output; flushed at exit by ``lwt.unix.main``'s exit hooks."""
stderr: OutputChannel = _std(2, True)
"""Standard error; flushed at exit by ``lwt.unix.main``'s exit hooks."""


# As in Lwt, every open output channel is flushed when the program exits.
_main.at_exit(flush_all)


def _fill_zero(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
    buf[ofs : ofs + length] = bytes(length)
    return _lwt.return_(length)


def _discard(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
    return _lwt.return_(length)


zero = InputChannel(_fill_zero, buffer_size=4096)
"""An input channel that yields zero bytes forever."""
null = OutputChannel(_discard, buffer_size=4096)
"""An output channel that discards everything."""


def fprint(oc: OutputChannel, s: str) -> _lwt.Promise[None]:
    """Write the text ``s`` to ``oc`` (``Lwt_io.write`` for text)."""
    return oc.write(s)


def fprintl(oc: OutputChannel, s: str) -> _lwt.Promise[None]:
    """Write the text ``s`` and a newline to ``oc``."""
    return oc.write_line(s)


def print(s: str) -> _lwt.Promise[None]:
    """Write ``s`` to ``stdout`` and flush it."""
    return stdout.write(s).bind(lambda _: stdout.flush())


def printl(s: str) -> _lwt.Promise[None]:
    """Write ``s`` and a newline to ``stdout`` and flush it."""
    return stdout.write_line(s).bind(lambda _: stdout.flush())


def eprint(s: str) -> _lwt.Promise[None]:
    """Write ``s`` to ``stderr`` and flush it."""
    return stderr.write(s).bind(lambda _: stderr.flush())


def eprintl(s: str) -> _lwt.Promise[None]:
    """Write ``s`` and a newline to ``stderr`` and flush it."""
    return stderr.write_line(s).bind(lambda _: stderr.flush())


def _format(api: str, fmt: str, args: tuple[object, ...]) -> str:
    try:
        return fmt % args
    except (TypeError, ValueError, KeyError) as exc:
        raise _lwt.InvalidArgument(f"{api}: {exc} (format {fmt!r})") from exc


def fprintf(oc: OutputChannel, fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` to ``oc`` (Lwt's ``fprintf``, with ``%``-formatting).

    Raises:
        lwt.core.InvalidArgument: ``args`` do not fit ``fmt`` (a rejected promise).
    """
    return _lwt.apply(lambda: oc.write(_format("fprintf", fmt, args)))


def fprintlf(oc: OutputChannel, fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` and a newline to ``oc``."""
    return _lwt.apply(lambda: oc.write_line(_format("fprintlf", fmt, args)))


def printf(fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` to ``stdout`` and flush it."""
    return _lwt.apply(lambda: print(_format("printf", fmt, args)))


def printlf(fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` and a newline to ``stdout`` and flush it."""
    return _lwt.apply(lambda: printl(_format("printlf", fmt, args)))


def eprintf(fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` to ``stderr`` and flush it."""
    return _lwt.apply(lambda: eprint(_format("eprintf", fmt, args)))


def eprintlf(fmt: str, *args: object) -> _lwt.Promise[None]:
    """Write ``fmt % args`` and a newline to ``stderr`` and flush it."""
    return _lwt.apply(lambda: eprintl(_format("eprintlf", fmt, args)))


def write_value(oc: OutputChannel, v: object) -> _lwt.Promise[None]:
    """Write ``v`` pickled, with an 8-byte big-endian length before it.

    .. warning:: This uses :mod:`pickle`; only :func:`read_value` data you
       trust, as unpickling can run arbitrary code.
    """
    data = pickle.dumps(v)
    return oc.write(len(data).to_bytes(8, "big") + data)


def read_value(ic: InputChannel) -> _lwt.Promise[Any]:
    """Read a value written by :func:`write_value`.

    .. warning:: This unpickles; never use it on data from an untrusted peer.

    Raises:
        EOFError: the input ended before the whole value.
    """

    def body(head: bytes) -> _lwt.Promise[Any]:
        n = int.from_bytes(head, "big")
        return ic.read_exactly(n).map(pickle.loads)

    return ic.read_exactly(8).bind(body)


def hexdump_stream(oc: OutputChannel, data: _stream.Stream[bytes]) -> _lwt.Promise[None]:
    """Write a hexadecimal dump of the bytes of ``data`` to ``oc``, 16 bytes a line.

    The lines are those of ``lwt.core.stream.Stream.hexdump``: the offset,
    the bytes in hexadecimal, then the printable ones between bars.
    """
    return _stream.iter_s(oc.write_line, data.hexdump())


def hexdump(oc: OutputChannel, data: bytes | str) -> _lwt.Promise[None]:
    """Write a hexadecimal dump of ``data`` to ``oc`` (see :func:`hexdump_stream`).

    A ``str`` is dumped as its UTF-8 bytes.
    """
    b = data.encode() if isinstance(data, str) else bytes(data)
    return hexdump_stream(oc, _stream.of_list([b]))
