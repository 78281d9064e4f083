"""lwt.io: buffered byte channels on top of lwt.unix (Lwt_io).

``InputChannel`` and ``OutputChannel`` carry bytes through a buffer; text
methods (``read_line``, ``write_line``) use the channel's encoding (UTF-8
unless given).  Each channel method is also a module function taking the
channel first: ``lwt.io.read_line(ic)`` is ``ic.read_line()``.  A channel
runs one operation at a time; a concurrent one waits its turn.

Servers and clients (TCP and Unix-domain), files and temporary files and
directories, and streams of bytes and lines are here too; child processes
with channels to them are in :mod:`lwt.io.process` (imported on its own).

Values of Lwt_io left out, and why:

- ``read_into_bigstring``, ``read_into_exactly_bigstring``,
  ``write_from_bigstring``, ``write_from_exactly_bigstring``: ``read_into``
  and ``write_from`` (and their ``_exactly`` twins) take any buffer that
  ``memoryview`` accepts, bigarray-like ones included.
- ``establish_server`` and ``Versioned``: deprecated in Lwt since 3.x;
  use ``establish_server_with_client_address``.
- ``with_close_connection``: not public in Lwt (exposed only for its tests);
  ``with_connection`` does the closing.
- The ``byte_order`` type: ``system_byte_order`` is ``sys.byteorder``'s
  ``"little"`` or ``"big"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lwt.core import Promise
from lwt.io._channel import (
    BE,
    LE,
    ChannelClosed,
    DirectAccess,
    InputChannel,
    OutputChannel,
    default_buffer_size,
    flush_all,
    input,
    make,
    of_bytes,
    of_fd,
    of_unix_fd,
    output,
    pipe,
    set_default_buffer_size,
    system_byte_order,
)
from lwt.io._files import (
    create_temp_dir,
    delete_recursively,
    file_length,
    open_file,
    open_temp_file,
    with_file,
    with_temp_dir,
    with_temp_file,
)
from lwt.io._server import (
    Server,
    establish_server_with_client_address,
    establish_server_with_client_socket,
    open_connection,
    shutdown_server,
    with_connection,
)
from lwt.io._std import (
    eprint,
    eprintf,
    eprintl,
    eprintlf,
    fprint,
    fprintf,
    fprintl,
    fprintlf,
    hexdump,
    hexdump_stream,
    null,
    print,
    printf,
    printl,
    printlf,
    read_value,
    stderr,
    stdin,
    stdout,
    write_value,
    zero,
)
from lwt.io._streams import (
    chars_of_file,
    chars_to_file,
    lines_of_file,
    lines_to_file,
    read_chars,
    read_lines,
    write_chars,
    write_lines,
)

read_char = InputChannel.read_char
read_char_opt = InputChannel.read_char_opt
read_line = InputChannel.read_line
read_line_opt = InputChannel.read_line_opt
read = InputChannel.read
read_into = InputChannel.read_into
read_into_exactly = InputChannel.read_into_exactly
read_exactly = InputChannel.read_exactly
read_int = InputChannel.read_int
read_int16 = InputChannel.read_int16
read_int32 = InputChannel.read_int32
read_int64 = InputChannel.read_int64
read_float32 = InputChannel.read_float32
read_float64 = InputChannel.read_float64
write = OutputChannel.write
write_char = OutputChannel.write_char
write_line = OutputChannel.write_line
write_from = OutputChannel.write_from
write_from_string = OutputChannel.write_from_string
write_from_exactly = OutputChannel.write_from_exactly
write_from_string_exactly = OutputChannel.write_from_string_exactly
write_int = OutputChannel.write_int
write_int16 = OutputChannel.write_int16
write_int32 = OutputChannel.write_int32
write_int64 = OutputChannel.write_int64
write_float32 = OutputChannel.write_float32
write_float64 = OutputChannel.write_float64
flush = OutputChannel.flush


def atomic(f: Callable[[Any], Promise[T]], ch: InputChannel | OutputChannel) -> Promise[T]:
    """Run ``f(ch)`` holding ``ch`` (see ``InputChannel.atomic``)."""
    return ch.atomic(f)


def resize_buffer(ch: InputChannel | OutputChannel, n: int) -> Promise[None]:
    """Give ``ch`` a buffer of ``n`` bytes (see ``InputChannel.resize_buffer``)."""
    return ch.resize_buffer(n)


def is_busy(ch: InputChannel | OutputChannel) -> bool:
    """Whether an operation is running on ``ch``."""
    return ch.is_busy()


def is_closed(ch: InputChannel | OutputChannel) -> bool:
    """Whether ``ch`` is closed."""
    return ch.is_closed()


def close(ch: InputChannel | OutputChannel) -> Promise[None]:
    """Close ``ch`` (an output channel is flushed first)."""
    return ch.close()


def abort(ch: InputChannel | OutputChannel) -> Promise[None]:
    """Close ``ch`` at once, dropping buffered output."""
    return ch.abort()


def position(ch: InputChannel | OutputChannel) -> int:
    """Bytes read from or written to ``ch`` so far."""
    return ch.position()


def set_position(ch: InputChannel | OutputChannel, pos: int) -> Promise[None]:
    """Move ``ch`` to byte ``pos`` (see ``InputChannel.set_position``)."""
    return ch.set_position(pos)


def length(ch: InputChannel | OutputChannel) -> Promise[int]:
    """The size in bytes of what ``ch`` reads or writes (see ``InputChannel.length``)."""
    return ch.length()


def mode(ch: InputChannel | OutputChannel) -> str:
    """``lwt.io.input`` or ``lwt.io.output``, as ``ch`` reads or writes."""
    return ch.mode()


def buffered(ch: InputChannel | OutputChannel) -> int:
    """Bytes in ``ch``'s buffer: not yet read (input) or not yet written out (output)."""
    return ch.buffered()


def buffer_size(ch: InputChannel | OutputChannel) -> int:
    """The size of ``ch``'s buffer."""
    return ch.buffer_size()


def block(
    ch: InputChannel | OutputChannel, size: int, f: Callable[[bytearray, int], Promise[T]]
) -> Promise[T]:
    """Call ``f(buffer, offset)`` on ``size`` bytes of ``ch``'s buffer.

    See ``InputChannel.block``.
    """
    return ch.block(size, f)


def direct_access(
    ch: InputChannel | OutputChannel, f: Callable[[DirectAccess], Promise[T]]
) -> Promise[T]:
    """Call ``f`` with a :class:`DirectAccess` to ``ch``'s buffer.

    See ``InputChannel.direct_access``.
    """
    return ch.direct_access(f)


T = TypeVar("T")

__all__ = [
    "BE",
    "LE",
    "ChannelClosed",
    "DirectAccess",
    "InputChannel",
    "OutputChannel",
    "Server",
    "abort",
    "atomic",
    "block",
    "buffer_size",
    "buffered",
    "chars_of_file",
    "chars_to_file",
    "close",
    "create_temp_dir",
    "default_buffer_size",
    "delete_recursively",
    "direct_access",
    "eprint",
    "eprintf",
    "eprintl",
    "eprintlf",
    "establish_server_with_client_address",
    "establish_server_with_client_socket",
    "file_length",
    "flush",
    "flush_all",
    "fprint",
    "fprintf",
    "fprintl",
    "fprintlf",
    "hexdump",
    "hexdump_stream",
    "input",
    "is_busy",
    "is_closed",
    "length",
    "lines_of_file",
    "lines_to_file",
    "make",
    "mode",
    "null",
    "of_bytes",
    "of_fd",
    "of_unix_fd",
    "open_connection",
    "open_file",
    "open_temp_file",
    "output",
    "pipe",
    "position",
    "print",
    "printf",
    "printl",
    "printlf",
    "read",
    "read_char",
    "read_char_opt",
    "read_chars",
    "read_exactly",
    "read_float32",
    "read_float64",
    "read_int",
    "read_int16",
    "read_int32",
    "read_int64",
    "read_into",
    "read_into_exactly",
    "read_line",
    "read_line_opt",
    "read_lines",
    "read_value",
    "resize_buffer",
    "set_default_buffer_size",
    "set_position",
    "shutdown_server",
    "stderr",
    "stdin",
    "stdout",
    "system_byte_order",
    "with_connection",
    "with_file",
    "with_temp_dir",
    "with_temp_file",
    "write",
    "write_char",
    "write_chars",
    "write_float32",
    "write_float64",
    "write_from",
    "write_from_exactly",
    "write_from_string",
    "write_from_string_exactly",
    "write_int",
    "write_int16",
    "write_int32",
    "write_int64",
    "write_line",
    "write_lines",
    "write_value",
    "zero",
]
