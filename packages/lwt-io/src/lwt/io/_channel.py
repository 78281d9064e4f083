"""Buffered byte channels (the channel half of Lwt_io).

A channel owns a buffer and a ``perform_io(buf, ofs, length) -> Promise[int]``
function that moves bytes between the buffer and the outside world.  As in
Lwt, a channel runs one operation at a time: an operation started while
another is running waits its turn, in order.
"""

from __future__ import annotations

import abc
import struct
from collections import deque
from collections.abc import Callable
from typing import Any, Final, TypeVar

import lwt.core as _lwt
import lwt.unix as _unix

__all__ = [
    "BE",
    "LE",
    "ChannelClosed",
    "InputChannel",
    "OutputChannel",
    "default_buffer_size",
    "input",
    "make",
    "of_bytes",
    "of_fd",
    "of_unix_fd",
    "output",
    "pipe",
    "set_default_buffer_size",
]

T = TypeVar("T")
PerformIO = Callable[[bytearray, int, int], "_lwt.Promise[int]"]

input: Final = "input"
"""The mode of channels that read (``Lwt_io.input``)."""
output: Final = "output"
"""The mode of channels that write (``Lwt_io.output``)."""

_HELD: _lwt.Key[tuple[object, ...]] = _lwt.new_key()
_MIN_BUFFER: Final = 16
_MAX_BUFFER: Final = 1 << 30
_default_size = 65536


class ChannelClosed(Exception):
    """An operation was attempted on a closed channel (Lwt's ``Channel_closed``)."""

    def __init__(self, what: str = "channel") -> None:
        super().__init__(f"{what}: the channel is closed")


ChannelClosed.__module__ = "lwt.io"


def _check_size(api: str, n: int) -> None:
    if not _MIN_BUFFER <= n <= _MAX_BUFFER:
        raise _lwt.InvalidArgument(
            f"{api}: buffer size {n} is out of range [{_MIN_BUFFER}, {_MAX_BUFFER}]"
        )


def default_buffer_size() -> int:
    """Return the buffer size new channels get (64 KiB unless changed)."""
    return _default_size


def set_default_buffer_size(n: int) -> None:
    """Set the buffer size new channels get.

    Raises:
        lwt.core.InvalidArgument: ``n`` is below 16 or above 1 GiB.
    """
    global _default_size
    _check_size("set_default_buffer_size", n)
    _default_size = n


def _no_close() -> _lwt.Promise[None]:
    return _lwt.return_unit


class _Channel(abc.ABC):
    """What input and output channels share: buffer, lock, closing."""

    __slots__ = ("_buf", "_busy", "_close_fn", "_closed", "_encoding", "_offset", "_waiters")

    def __init__(
        self,
        buffer_size: int | None,
        close: Callable[[], _lwt.Promise[None]] | None,
        encoding: str,
    ) -> None:
        size = _default_size if buffer_size is None else buffer_size
        _check_size("buffer_size", size)
        self._buf = bytearray(size)
        self._busy = False
        self._waiters: deque[_lwt.Resolver[None]] = deque()
        self._close_fn = close if close is not None else _no_close
        self._closed = False
        self._encoding = encoding
        self._offset = 0

    # ---------------------------------------------------------------- locking
    def _acquire(self) -> _lwt.Promise[None]:
        if not self._busy:
            self._busy = True
            return _lwt.return_unit
        p: _lwt.Promise[None]
        r: _lwt.Resolver[None]
        p, r = _lwt.wait()
        self._waiters.append(r)
        return p

    def _release(self) -> None:
        if self._waiters:
            _lwt.wakeup_later(self._waiters.popleft(), None)
        else:
            self._busy = False

    def _locked(self, api: str, op: Callable[[], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        held = _lwt.get(_HELD)
        if held is not None and any(ch is self for ch in held):
            # Inside atomic(): the channel is already ours.
            if self._closed:
                return _lwt.fail(ChannelClosed(api))
            try:
                return op()
            except Exception as exc:
                return _lwt.fail(exc)

        def run(_: None) -> _lwt.Promise[T]:
            if self._closed:
                self._release()
                return _lwt.fail(ChannelClosed(api))
            try:
                p = op()
            except Exception as exc:
                self._release()
                return _lwt.fail(exc)

            def done() -> _lwt.Promise[None]:
                self._release()
                return _lwt.return_unit

            return _lwt.finalize(lambda: p, done)

        return self._acquire().bind(run)

    def atomic(self, f: Callable[[Any], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        """Run ``f(channel)`` holding the channel: no other operation runs in between.

        Operations on the channel made by ``f`` (and by the callbacks it
        attaches) go straight through; everybody else waits until ``f``'s
        promise ends.

        .. note:: Lwt passes ``f`` a temporary channel that dies afterwards;
           ours is the channel itself, recognised through implicit storage
           (``lwt.core.with_value``), so work that ``f`` leaves running after
           its promise ends is not kept out.
        """

        def run(_: None) -> _lwt.Promise[T]:
            held = _lwt.get(_HELD) or ()

            def body() -> _lwt.Promise[T]:
                return _lwt.with_value(_HELD, (*held, self), lambda: _lwt.apply(f, self))

            def done() -> _lwt.Promise[None]:
                self._release()
                return _lwt.return_unit

            return _lwt.finalize(body, done)

        return self._acquire().bind(run)

    def resize_buffer(self, n: int) -> _lwt.Promise[None]:
        """Give the channel a buffer of ``n`` bytes (after running operations).

        Buffered bytes are kept; an output channel is flushed first if they
        would not fit.

        Raises:
            lwt.core.InvalidArgument: ``n`` is out of range, or an input
                channel holds more unread bytes than ``n``.
        """
        try:
            _check_size("resize_buffer", n)
        except _lwt.InvalidArgument as exc:
            return _lwt.fail(exc)
        return self._locked("resize_buffer", lambda: self._resize(n))

    @abc.abstractmethod
    def _resize(self, n: int) -> _lwt.Promise[None]:
        """Swap in a buffer of ``n`` bytes; each kind of channel keeps its own bytes."""

    def is_busy(self) -> bool:
        """Whether an operation is running on the channel."""
        return self._busy

    def is_closed(self) -> bool:
        """Whether the channel is closed."""
        return self._closed

    def buffer_size(self) -> int:
        """Return the size of the channel's buffer."""
        return len(self._buf)

    @property
    def encoding(self) -> str:
        """The encoding of the text methods."""
        return self._encoding


class InputChannel(_Channel):
    """A buffered channel that reads bytes.

    Made by :func:`make`, :func:`of_bytes`, :func:`of_fd`, :func:`pipe`.
    """

    __slots__ = ("_io", "_max", "_ptr")

    def __init__(
        self,
        perform_io: PerformIO,
        *,
        buffer_size: int | None = None,
        close: Callable[[], _lwt.Promise[None]] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        super().__init__(buffer_size, close, encoding)
        self._io = perform_io
        self._ptr = 0
        self._max = 0

    def _fill(self) -> _lwt.Promise[int]:
        """Read more bytes into an empty buffer; return how many (0 at end of input)."""
        self._ptr = 0
        self._max = 0

        def got(n: int) -> _lwt.Promise[int]:
            if not 0 <= n <= len(self._buf):
                return _lwt.fail(
                    _lwt.Failure(f"perform_io returned {n}, outside [0, {len(self._buf)}]")
                )
            self._max = n
            self._offset += n
            return _lwt.return_(n)

        return self._io(self._buf, 0, len(self._buf)).bind(got)

    def _fast(self) -> bool:
        return not self._busy and not self._closed

    # ------------------------------------------------------------------ reads
    def read_char(self) -> _lwt.Promise[bytes]:
        """Read one byte, as ``bytes`` of length 1.

        Raises:
            EOFError: at end of input.
        """
        if self._fast() and self._ptr < self._max:
            i = self._ptr
            self._ptr = i + 1
            return _lwt.return_(bytes(self._buf[i : i + 1]))

        def op() -> _lwt.Promise[bytes]:
            return self._char_slow()

        return self._locked("read_char", op)

    def _char_slow(self) -> _lwt.Promise[bytes]:
        if self._ptr < self._max:
            i = self._ptr
            self._ptr = i + 1
            return _lwt.return_(bytes(self._buf[i : i + 1]))

        def got(n: int) -> _lwt.Promise[bytes]:
            if n == 0:
                return _lwt.fail(EOFError("read_char: end of input"))
            return self._char_slow()

        return self._fill().bind(got)

    def read_char_opt(self) -> _lwt.Promise[bytes | None]:
        """Read one byte, or ``None`` at end of input."""

        def handler(exc: BaseException) -> _lwt.Promise[bytes | None]:
            if isinstance(exc, EOFError):
                return _lwt.return_none
            return _lwt.fail(exc)

        p: _lwt.Promise[bytes | None] = self.read_char()
        return _lwt.catch(lambda: p, handler)

    def _line_bytes(self) -> _lwt.Promise[bytes | None]:
        acc: list[bytes] = []

        def step() -> _lwt.Promise[bytes | None]:
            while True:
                if self._ptr == self._max:
                    return self._fill().bind(refilled)
                j = self._buf.find(b"\n", self._ptr, self._max)
                if j >= 0:
                    acc.append(bytes(self._buf[self._ptr : j]))
                    self._ptr = j + 1
                    line = b"".join(acc)
                    return _lwt.return_(line[:-1] if line.endswith(b"\r") else line)
                acc.append(bytes(self._buf[self._ptr : self._max]))
                self._ptr = self._max

        def refilled(n: int) -> _lwt.Promise[bytes | None]:
            if n == 0:
                if not acc:
                    return _lwt.return_none
                return _lwt.return_(b"".join(acc))
            return step()

        return step()

    def read_line_opt(self) -> _lwt.Promise[str | None]:
        """Read a line without its ``\\n`` or ``\\r\\n``; ``None`` at end of input.

        The bytes are decoded with the channel's encoding.
        """
        enc = self._encoding
        if self._fast():
            j = self._buf.find(b"\n", self._ptr, self._max)
            if j >= 0:
                end = j - 1 if j > self._ptr and self._buf[j - 1] == 13 else j
                s = self._buf[self._ptr : end].decode(enc)
                self._ptr = j + 1
                return _lwt.return_(s)

        def op() -> _lwt.Promise[str | None]:
            return self._line_bytes().map(lambda b: None if b is None else b.decode(enc))

        return self._locked("read_line", op)

    def read_line(self) -> _lwt.Promise[str]:
        """Read a line like :meth:`read_line_opt`.

        Raises:
            EOFError: at end of input.
        """

        def check(s: str | None) -> _lwt.Promise[str]:
            if s is None:
                return _lwt.fail(EOFError("read_line: end of input"))
            return _lwt.return_(s)

        return self.read_line_opt().bind(check)

    def read(self, count: int | None = None) -> _lwt.Promise[bytes]:
        """Read up to ``count`` bytes, or everything up to end of input if ``None``.

        With a count, return what is buffered (reading once if nothing is),
        so the result may be shorter; ``b""`` means end of input.
        """
        if count is not None and count < 0:
            return _lwt.fail(_lwt.InvalidArgument(f"read: negative count {count}"))
        if count is not None:
            if self._fast() and self._ptr < self._max:
                return _lwt.return_(self._take(count))

            def some() -> _lwt.Promise[bytes]:
                if self._ptr < self._max or count == 0:
                    return _lwt.return_(self._take(count))
                return self._fill().map(lambda _: self._take(count))

            return self._locked("read", some)
        acc: list[bytes] = []

        def all_() -> _lwt.Promise[bytes]:
            if self._ptr < self._max:
                acc.append(self._take(self._max - self._ptr))
            return self._fill().bind(lambda n: all_() if n else _lwt.return_(b"".join(acc)))

        return self._locked("read", all_)

    def _take(self, count: int) -> bytes:
        i = self._ptr
        j = min(self._max, i + count)
        self._ptr = j
        return bytes(self._buf[i:j])

    def _copy_out(self, buf: Any, ofs: int, length: int) -> int:
        n = min(length, self._max - self._ptr)
        memoryview(buf)[ofs : ofs + n] = self._buf[self._ptr : self._ptr + n]
        self._ptr += n
        return n

    def read_into(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
        """Read up to ``length`` bytes into ``buf[ofs:]``; return how many (0 at end)."""
        err = _bounds("read_into", buf, ofs, length)
        if err is not None:
            return _lwt.fail(err)
        if self._fast() and self._ptr < self._max:
            return _lwt.return_(self._copy_out(buf, ofs, length))

        def op() -> _lwt.Promise[int]:
            if self._ptr < self._max or length == 0:
                return _lwt.return_(self._copy_out(buf, ofs, length))
            return self._fill().map(lambda _: self._copy_out(buf, ofs, length))

        return self._locked("read_into", op)

    def read_into_exactly(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        """Read exactly ``length`` bytes into ``buf[ofs:]``.

        Raises:
            EOFError: the input ended first.
        """
        err = _bounds("read_into_exactly", buf, ofs, length)
        if err is not None:
            return _lwt.fail(err)
        if self._fast() and self._max - self._ptr >= length:
            self._copy_out(buf, ofs, length)
            return _lwt.return_unit
        return self._locked("read_into_exactly", lambda: self._exactly(buf, ofs, length))

    def _exactly(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        while length > 0 and self._ptr < self._max:
            n = self._copy_out(buf, ofs, length)
            ofs += n
            length -= n
        if length == 0:
            return _lwt.return_unit

        def got(n: int) -> _lwt.Promise[None]:
            if n == 0:
                return _lwt.fail(EOFError("read_into_exactly: end of input"))
            return self._exactly(buf, ofs, length)

        return self._fill().bind(got)

    def read_exactly(self, count: int) -> _lwt.Promise[bytes]:
        """Read exactly ``count`` bytes.

        Raises:
            EOFError: the input ended first.
        """
        if count < 0:
            return _lwt.fail(_lwt.InvalidArgument(f"read_exactly: negative count {count}"))
        if self._fast() and self._max - self._ptr >= count:
            return _lwt.return_(self._take(count))
        out = bytearray(count)
        return self.read_into_exactly(out, 0, count).map(lambda _: bytes(out))

    def _number(self, fmt: struct.Struct) -> _lwt.Promise[Any]:
        size = fmt.size
        if self._fast() and self._max - self._ptr >= size:
            v = fmt.unpack_from(self._buf, self._ptr)[0]
            self._ptr += size
            return _lwt.return_(v)
        return self.read_exactly(size).map(lambda b: fmt.unpack(b)[0])

    def read_int(self) -> _lwt.Promise[int]:
        """Read a signed 32-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int32)

    def read_int16(self) -> _lwt.Promise[int]:
        """Read a signed 16-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int16)

    def read_int32(self) -> _lwt.Promise[int]:
        """Read a signed 32-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int32)

    def read_int64(self) -> _lwt.Promise[int]:
        """Read a signed 64-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int64)

    def read_float32(self) -> _lwt.Promise[float]:
        """Read an IEEE single-precision float in the machine's byte order."""
        return self._number(_NATIVE.float32)

    def read_float64(self) -> _lwt.Promise[float]:
        """Read an IEEE double-precision float in the machine's byte order."""
        return self._number(_NATIVE.float64)

    def _resize(self, n: int) -> _lwt.Promise[None]:
        unread = self._max - self._ptr
        if unread > n:
            return _lwt.fail(
                _lwt.InvalidArgument(f"resize_buffer: {unread} unread bytes do not fit in {n}")
            )
        new = bytearray(n)
        new[:unread] = self._buf[self._ptr : self._max]
        self._buf, self._ptr, self._max = new, 0, unread
        return _lwt.return_unit

    def position(self) -> int:
        """Return how many bytes have been consumed from the channel."""
        return self._offset - (self._max - self._ptr)

    def close(self) -> _lwt.Promise[None]:
        """Close the channel (after any running operation); closing twice does nothing."""
        if self._closed:
            return _lwt.return_unit

        def op() -> _lwt.Promise[None]:
            self._closed = True
            return self._close_fn()

        return self._locked("close", op)

    def abort(self) -> _lwt.Promise[None]:
        """Close the channel now, without waiting for running operations."""
        if self._closed:
            return _lwt.return_unit
        self._closed = True
        return self._close_fn()


class OutputChannel(_Channel):
    """A buffered channel that writes bytes.

    Made by :func:`make`, :func:`of_fd`, :func:`pipe`.  Bytes stay in the
    buffer until it fills, :meth:`flush` is called, or the channel is closed.
    """

    __slots__ = ("_io", "_ptr")

    def __init__(
        self,
        perform_io: PerformIO,
        *,
        buffer_size: int | None = None,
        close: Callable[[], _lwt.Promise[None]] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        super().__init__(buffer_size, close, encoding)
        self._io = perform_io
        self._ptr = 0

    def _drain(self) -> _lwt.Promise[None]:
        """Write the whole buffer out through perform_io."""
        start = 0

        def step(n: int) -> _lwt.Promise[None]:
            nonlocal start
            if not 0 < n <= self._ptr - start:
                return _lwt.fail(_lwt.Failure(f"perform_io wrote {n} bytes"))
            start += n
            self._offset += n
            if start < self._ptr:
                return self._io(self._buf, start, self._ptr - start).bind(step)
            self._ptr = 0
            return _lwt.return_unit

        if self._ptr == 0:
            return _lwt.return_unit
        return self._io(self._buf, 0, self._ptr).bind(step)

    def _put(self, view: memoryview) -> _lwt.Promise[None]:
        while len(view):
            room = len(self._buf) - self._ptr
            if room == 0:
                return self._drain().bind(self._resume(view))
            n = min(room, len(view))
            self._buf[self._ptr : self._ptr + n] = view[:n]
            self._ptr += n
            view = view[n:]
        return _lwt.return_unit

    def _resume(self, view: memoryview) -> Callable[[None], _lwt.Promise[None]]:
        return lambda _: self._put(view)

    def write_from_exactly(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        """Write ``buf[ofs:ofs+length]`` entirely (buffered)."""
        err = _bounds("write_from_exactly", buf, ofs, length)
        if err is not None:
            return _lwt.fail(err)
        if self._fast() and len(self._buf) - self._ptr >= length:
            self._buf[self._ptr : self._ptr + length] = memoryview(buf)[ofs : ofs + length]
            self._ptr += length
            return _lwt.return_unit
        view = memoryview(buf)[ofs : ofs + length]
        return self._locked("write", lambda: self._put(view))

    def write_from(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
        """Write ``buf[ofs:ofs+length]``; return how many bytes were taken (at least 1)."""
        err = _bounds("write_from", buf, ofs, length)
        if err is not None:
            return _lwt.fail(err)

        def op() -> _lwt.Promise[int]:
            if self._ptr == len(self._buf):
                return self._drain().bind(lambda _: op())
            n = min(length, len(self._buf) - self._ptr)
            self._buf[self._ptr : self._ptr + n] = memoryview(buf)[ofs : ofs + n]
            self._ptr += n
            return _lwt.return_(n)

        if self._fast() and self._ptr < len(self._buf):
            return op()
        return self._locked("write_from", op)

    def write_from_string(self, s: bytes | str, ofs: int, length: int) -> _lwt.Promise[int]:
        """Like :meth:`write_from`, for ``bytes`` or ``str`` (encoded first)."""
        return self.write_from(self._bytes(s), ofs, length)

    def _bytes(self, s: bytes | str) -> bytes:
        return s.encode(self._encoding) if isinstance(s, str) else s

    def _fast(self) -> bool:
        return not self._busy and not self._closed

    def write(self, s: bytes | str) -> _lwt.Promise[None]:
        """Write ``s`` (``str`` is encoded with the channel's encoding)."""
        b = self._bytes(s)
        return self.write_from_exactly(b, 0, len(b))

    def write_char(self, c: bytes | str) -> _lwt.Promise[None]:
        """Write one byte (``bytes`` of length 1, or a one-byte ``str``)."""
        b = self._bytes(c)
        if len(b) != 1:
            return _lwt.fail(_lwt.InvalidArgument(f"write_char: expected one byte, got {b!r}"))
        return self.write_from_exactly(b, 0, 1)

    def write_line(self, s: bytes | str) -> _lwt.Promise[None]:
        """Write ``s`` then ``\\n``."""
        return self.write(self._bytes(s) + b"\n")

    def _number(self, fmt: struct.Struct, v: Any) -> _lwt.Promise[None]:
        try:
            b = fmt.pack(v)
        except struct.error as exc:
            return _lwt.fail(_lwt.InvalidArgument(f"write: {exc}"))
        return self.write_from_exactly(b, 0, len(b))

    def write_int(self, v: int) -> _lwt.Promise[None]:
        """Write a signed 32-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int32, v)

    def write_int16(self, v: int) -> _lwt.Promise[None]:
        """Write a signed 16-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int16, v)

    def write_int32(self, v: int) -> _lwt.Promise[None]:
        """Write a signed 32-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int32, v)

    def write_int64(self, v: int) -> _lwt.Promise[None]:
        """Write a signed 64-bit integer in the machine's byte order."""
        return self._number(_NATIVE.int64, v)

    def write_float32(self, v: float) -> _lwt.Promise[None]:
        """Write an IEEE single-precision float in the machine's byte order."""
        return self._number(_NATIVE.float32, v)

    def write_float64(self, v: float) -> _lwt.Promise[None]:
        """Write an IEEE double-precision float in the machine's byte order."""
        return self._number(_NATIVE.float64, v)

    def flush(self) -> _lwt.Promise[None]:
        """Write out everything buffered."""
        if self._fast() and self._ptr == 0:
            return _lwt.return_unit
        return self._locked("flush", self._drain)

    def _resize(self, n: int) -> _lwt.Promise[None]:
        def swap(_: None) -> _lwt.Promise[None]:
            new = bytearray(n)
            new[: self._ptr] = self._buf[: self._ptr]
            self._buf = new
            return _lwt.return_unit

        if self._ptr > n:
            return self._drain().bind(swap)
        return swap(None)

    def position(self) -> int:
        """Return how many bytes have been written to the channel (flushed or not)."""
        return self._offset + self._ptr

    def close(self) -> _lwt.Promise[None]:
        """Flush, then close the channel; closing twice does nothing."""
        if self._closed:
            return _lwt.return_unit

        def op() -> _lwt.Promise[None]:
            def shut() -> _lwt.Promise[None]:
                self._closed = True
                return self._close_fn()

            return _lwt.finalize(self._drain, shut)

        return self._locked("close", op)

    def abort(self) -> _lwt.Promise[None]:
        """Close the channel now, dropping what is buffered."""
        if self._closed:
            return _lwt.return_unit
        self._closed = True
        self._ptr = 0
        return self._close_fn()


InputChannel.__module__ = "lwt.io"
OutputChannel.__module__ = "lwt.io"


def _bounds(api: str, buf: Any, ofs: int, length: int) -> BaseException | None:
    if ofs < 0 or length < 0 or ofs + length > len(buf):
        return _lwt.InvalidArgument(f"{api}: offset {ofs} and length {length} do not fit")
    return None


class _ByteOrder:
    """Number reads and writes in one byte order (``lwt.io.BE``, ``lwt.io.LE``)."""

    __slots__ = ("float32", "float64", "int16", "int32", "int64")

    def __init__(self, prefix: str) -> None:
        self.int16 = struct.Struct(prefix + "h")
        self.int32 = struct.Struct(prefix + "i")
        self.int64 = struct.Struct(prefix + "q")
        self.float32 = struct.Struct(prefix + "f")
        self.float64 = struct.Struct(prefix + "d")

    def read_int(self, ic: InputChannel) -> _lwt.Promise[int]:
        """Read a signed 32-bit integer in this byte order."""
        return ic._number(self.int32)

    def read_int16(self, ic: InputChannel) -> _lwt.Promise[int]:
        """Read a signed 16-bit integer in this byte order."""
        return ic._number(self.int16)

    def read_int32(self, ic: InputChannel) -> _lwt.Promise[int]:
        """Read a signed 32-bit integer in this byte order."""
        return ic._number(self.int32)

    def read_int64(self, ic: InputChannel) -> _lwt.Promise[int]:
        """Read a signed 64-bit integer in this byte order."""
        return ic._number(self.int64)

    def read_float32(self, ic: InputChannel) -> _lwt.Promise[float]:
        """Read a single-precision float in this byte order."""
        return ic._number(self.float32)

    def read_float64(self, ic: InputChannel) -> _lwt.Promise[float]:
        """Read a double-precision float in this byte order."""
        return ic._number(self.float64)

    def write_int(self, oc: OutputChannel, v: int) -> _lwt.Promise[None]:
        """Write a signed 32-bit integer in this byte order."""
        return oc._number(self.int32, v)

    def write_int16(self, oc: OutputChannel, v: int) -> _lwt.Promise[None]:
        """Write a signed 16-bit integer in this byte order."""
        return oc._number(self.int16, v)

    def write_int32(self, oc: OutputChannel, v: int) -> _lwt.Promise[None]:
        """Write a signed 32-bit integer in this byte order."""
        return oc._number(self.int32, v)

    def write_int64(self, oc: OutputChannel, v: int) -> _lwt.Promise[None]:
        """Write a signed 64-bit integer in this byte order."""
        return oc._number(self.int64, v)

    def write_float32(self, oc: OutputChannel, v: float) -> _lwt.Promise[None]:
        """Write a single-precision float in this byte order."""
        return oc._number(self.float32, v)

    def write_float64(self, oc: OutputChannel, v: float) -> _lwt.Promise[None]:
        """Write a double-precision float in this byte order."""
        return oc._number(self.float64, v)


_NATIVE = _ByteOrder("=")
BE: Final = _ByteOrder(">")
"""Numbers in big-endian byte order: ``lwt.io.BE.read_int32(ic)``."""
LE: Final = _ByteOrder("<")
"""Numbers in little-endian byte order: ``lwt.io.LE.write_int64(oc, v)``."""


def make(
    mode: str,
    perform_io: PerformIO,
    *,
    buffer_size: int | None = None,
    close: Callable[[], _lwt.Promise[None]] | None = None,
    encoding: str = "utf-8",
) -> Any:
    """Make a channel over ``perform_io(buf, ofs, length) -> Promise[int]``.

    For an input channel, ``perform_io`` fills ``buf[ofs:ofs+length]`` and
    returns how many bytes it put there (0 at end of input); for an output
    channel it sends bytes from there and returns how many it sent (>0).

    Returns:
        An :class:`InputChannel` if ``mode`` is ``lwt.io.input``, an
        :class:`OutputChannel` if it is ``lwt.io.output``.
    """
    if mode == input:
        return InputChannel(perform_io, buffer_size=buffer_size, close=close, encoding=encoding)
    if mode == output:
        return OutputChannel(perform_io, buffer_size=buffer_size, close=close, encoding=encoding)
    raise _lwt.InvalidArgument(f"make: unknown mode {mode!r}")


def of_bytes(data: bytes | bytearray, *, encoding: str = "utf-8") -> InputChannel:
    """Make an input channel that reads ``data`` then ends.

    .. note:: Lwt's ``of_bytes`` also makes output channels over a fixed
       buffer; ours only reads.
    """
    src = memoryview(bytes(data))
    pos = 0

    def perform_io(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
        nonlocal pos
        n = min(length, len(src) - pos)
        buf[ofs : ofs + n] = src[pos : pos + n]
        pos += n
        return _lwt.return_(n)

    return InputChannel(perform_io, encoding=encoding)


def of_fd(
    fd: _unix.FileDescr,
    *,
    mode: str,
    buffer_size: int | None = None,
    close: Callable[[], _lwt.Promise[None]] | None = None,
    encoding: str = "utf-8",
) -> Any:
    """Make a channel reading or writing the descriptor ``fd``.

    Closing the channel closes ``fd`` unless ``close`` is given.
    """
    closer = close if close is not None else (lambda: _unix.close(fd))
    if mode == input:

        def rd(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
            return _unix.read(fd, buf, ofs, length)

        return InputChannel(rd, buffer_size=buffer_size, close=closer, encoding=encoding)
    if mode == output:

        def wr(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
            return _unix.write(fd, buf, ofs, length)

        return OutputChannel(wr, buffer_size=buffer_size, close=closer, encoding=encoding)
    raise _lwt.InvalidArgument(f"of_fd: unknown mode {mode!r}")


def of_unix_fd(fd: int, *, mode: str, buffer_size: int | None = None) -> Any:
    """Like :func:`of_fd`, for a raw descriptor number."""
    return of_fd(_unix.of_unix_file_descr(fd), mode=mode, buffer_size=buffer_size)


def pipe(
    *, in_buffer: int | None = None, out_buffer: int | None = None
) -> tuple[InputChannel, OutputChannel]:
    """Make an OS pipe and return ``(ic, oc)`` over its two ends."""
    r, w = _unix.pipe(cloexec=True)
    ic: InputChannel = of_fd(r, mode=input, buffer_size=in_buffer)
    oc: OutputChannel = of_fd(w, mode=output, buffer_size=out_buffer)
    return ic, oc
