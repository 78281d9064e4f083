"""Buffered byte channels (the channel half of Lwt_io).

A channel owns a buffer and a ``perform_io(buf, ofs, length) -> Promise[int]``
function that moves bytes between the buffer and the outside world.  As in
Lwt, a channel runs one operation at a time: an operation started while
another is running waits its turn, in order.

Locking.  The channel itself is the outer lock (``_busy`` and ``_waiters``).
:meth:`atomic` takes it for the whole of ``f`` and pushes a ``_Level``, an
inner lock of the same shape, on ``_levels``; operations made inside ``f``
(recognised through implicit storage) queue on that level instead, so they
still run one at a time.  Lwt does the same with temporary channel wrappers.

Fast paths.  An operation that finds the channel idle and open and can be
served from the buffer alone (bytes already read, room for a write) runs
synchronously without taking the lock: nothing could interleave with it.

Auto-flush.  As in Lwt, an output channel left holding bytes when it becomes
idle flushes itself once the program has nothing else to do: the first such
write pauses (``lwt.core.pause``), and when the pause ends the channel is
flushed if no operation is running on it.
"""

from __future__ import annotations

import abc
import functools
import os
import struct
import sys
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import lwt.core as _lwt
import lwt.unix as _unix

__all__ = [
    "BE",
    "LE",
    "ChannelClosed",
    "DirectAccess",
    "InputChannel",
    "OutputChannel",
    "default_buffer_size",
    "flush_all",
    "input",
    "make",
    "of_bytes",
    "of_fd",
    "of_unix_fd",
    "output",
    "pipe",
    "set_default_buffer_size",
    "system_byte_order",
]

T = TypeVar("T")
PerformIO = Callable[[bytearray, int, int], "_lwt.Promise[int]"]
Seek = Callable[[int, int], "_lwt.Promise[int]"]

input: Final = "input"
"""The mode of channels that read (``Lwt_io.input``)."""
output: Final = "output"
"""The mode of channels that write (``Lwt_io.output``)."""
system_byte_order: Final = sys.byteorder
"""The machine's byte order, ``"little"`` or ``"big"`` (``Lwt_io.system_byte_order``)."""

# Implicit storage: the (channel, level) pairs of the atomic() calls we are inside.
_HELD: _lwt.Key[tuple[tuple[object, _Level], ...]] = _lwt.new_key()
_MIN_BUFFER: Final = 16
_MAX_BUFFER: Final = 1 << 30
_default_size = 65536
# Every output channel made over a function or a descriptor, for flush_all().
_outputs: weakref.WeakSet[OutputChannel] = weakref.WeakSet()


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


def _no_seek(pos: int, whence: int) -> _lwt.Promise[int]:
    return _lwt.fail(_lwt.Failure("seek: this channel cannot seek (it was made without seek=)"))


def _ignore(_exc: BaseException) -> _lwt.Promise[None]:
    return _lwt.return_unit


class _Level:
    """The lock of one :meth:`atomic` in progress (same fields as a channel's)."""

    __slots__ = ("_busy", "_waiters")

    def __init__(self) -> None:
        self._busy = False
        self._waiters: deque[_lwt.Resolver[None]] = deque()


_Lock = Any  # a channel or a _Level: anything with _busy and _waiters


def _acquire(lock: _Lock) -> _lwt.Promise[None]:
    if not lock._busy:
        lock._busy = True
        return _lwt.return_unit
    p: _lwt.Promise[None]
    r: _lwt.Resolver[None]
    p, r = _lwt.wait()
    lock._waiters.append(r)
    return p


class DirectAccess:
    """Direct access to a channel's buffer, given by ``InputChannel.direct_access``.

    ``buffer`` is the channel's own ``bytearray``.  For an input channel the
    unread bytes are ``buffer[ptr:max]``; consume some by advancing ``ptr``.
    For an output channel the free space is ``buffer[ptr:max]``; write into it
    and advance ``ptr``.  :meth:`perform` refills (input) or partly flushes
    (output) the buffer, then updates ``ptr`` and ``max``.

    This is Lwt's ``direct_access`` record: ``buffer``, ``ptr``, ``max`` and
    ``perform`` are its ``da_buffer``, ``da_ptr``, ``da_max`` and ``da_perform``.
    """

    __slots__ = ("_channel", "_valid", "buffer", "max", "ptr")

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel
        self._valid = True
        self.buffer: bytearray = channel._buf
        self.ptr: int = channel._ptr
        self.max: int = channel._limit()

    def _consistent(self) -> bool:
        ch = self._channel
        return self.max == ch._limit() and ch._ptr <= self.ptr <= self.max

    def perform(self) -> _lwt.Promise[int]:
        """Refill (input) or partly flush (output) the buffer; return the byte count.

        For an input channel, 0 means end of input.

        Raises:
            lwt.core.Failure: called after ``direct_access`` ended.
            lwt.core.InvalidArgument: ``ptr`` or ``max`` were set outside the
                buffered region.
        """
        if not self._valid:
            return _lwt.fail(_lwt.Failure("DirectAccess.perform: direct_access has ended"))
        if not self._consistent():
            return _lwt.fail(_lwt.InvalidArgument("DirectAccess.perform: ptr or max out of range"))
        ch = self._channel
        ch._ptr = self.ptr

        def done(n: int) -> int:
            self.ptr = ch._ptr
            self.max = ch._limit()
            return n

        return ch._perform_once().map(done)


DirectAccess.__module__ = "lwt.io"


class _Channel(abc.ABC):
    """What input and output channels share: buffer, locks, closing, seeking."""

    __slots__ = (
        "__weakref__",
        "_buf",
        "_busy",
        "_close_fn",
        "_closed",
        "_direct",
        "_encoding",
        "_fixed",
        "_io",
        "_levels",
        "_offset",
        "_ptr",
        "_seek",
        "_waiters",
    )

    def __init__(
        self,
        perform_io: PerformIO,
        buffer_size: int | None,
        close: Callable[[], _lwt.Promise[None]] | None,
        encoding: str,
        seek: Seek | None,
    ) -> None:
        size = _default_size if buffer_size is None else buffer_size
        _check_size("buffer_size", size)
        self._buf = bytearray(size)
        self._io = perform_io
        self._busy = False
        self._waiters: deque[_lwt.Resolver[None]] = deque()
        self._levels: list[_Level] = []
        self._close_fn = close if close is not None else _no_close
        self._closed = False
        self._encoding = encoding
        self._offset = 0  # bytes moved by perform_io so far (or the position seeked to)
        self._ptr = 0
        self._seek: Seek = seek if seek is not None else _no_seek
        self._fixed = False  # made by of_bytes: the buffer is the whole data
        self._direct = False  # perform_io accepts any buffer (of_fd): large I/O skips ours

    # ---------------------------------------------------------------- locking
    def _lock_here(self) -> _Lock:
        """The lock an operation started here must take: an atomic() level or the channel."""
        if self._levels:
            held = _lwt.get(_HELD)
            if held:
                for ch, level in reversed(held):
                    if ch is self:
                        return level
        return self

    def _unlock(self, lock: _Lock) -> None:
        if lock._waiters:
            _lwt.wakeup_later(lock._waiters.popleft(), None)
        else:
            lock._busy = False

    def _locked(self, api: str, op: Callable[[], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        lock = self._lock_here()
        if lock._busy:
            return _acquire(lock).bind(lambda _: self._run_locked(lock, api, op))
        lock._busy = True
        return self._run_locked(lock, api, op)

    def _run_locked(
        self, lock: _Lock, api: str, op: Callable[[], _lwt.Promise[T]]
    ) -> _lwt.Promise[T]:
        if self._closed:
            self._unlock(lock)
            return _lwt.fail(ChannelClosed(api))
        try:
            p = op()
        except Exception as exc:
            self._unlock(lock)
            return _lwt.fail(exc)
        if p.is_sleeping():
            # Attached first, so the lock is free before the caller's callbacks run.
            p.on_termination(lambda: self._unlock(lock))
        else:
            self._unlock(lock)
        return p

    def atomic(self, f: Callable[[Any], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        """Run ``f(channel)`` holding the channel: no other operation runs in between.

        Operations on the channel made by ``f`` (and by the callbacks it
        attaches) still run one at a time among themselves; everybody else
        waits until ``f``'s promise ends.  ``atomic`` may be nested.

        .. note:: Lwt passes ``f`` a temporary channel that dies afterwards;
           ours is the channel itself, recognised through implicit storage
           (``lwt.core.with_value``), so work that ``f`` leaves running after
           its promise ends is not kept out.
        """
        lock = self._lock_here()

        def run(_: None) -> _lwt.Promise[T]:
            if self._closed:
                self._unlock(lock)
                return _lwt.fail(ChannelClosed("atomic"))
            level = _Level()
            self._levels.append(level)
            held = _lwt.get(_HELD) or ()

            def body() -> _lwt.Promise[T]:
                return _lwt.with_value(_HELD, (*held, (self, level)), lambda: _lwt.apply(f, self))

            def done() -> _lwt.Promise[None]:
                self._levels.remove(level)
                self._unlock(lock)
                return _lwt.return_unit

            return _lwt.finalize(body, done)

        return _acquire(lock).bind(run)

    # ---------------------------------------------------------------- buffers
    def resize_buffer(self, n: int) -> _lwt.Promise[None]:
        """Give the channel a buffer of ``n`` bytes (after running operations).

        Buffered bytes are kept; an output channel is flushed first if they
        would not fit.

        Raises:
            lwt.core.InvalidArgument: ``n`` is out of range, or an input
                channel holds more unread bytes than ``n``.
            lwt.core.Failure: the channel was made by :func:`of_bytes`.
        """
        try:
            _check_size("resize_buffer", n)
        except _lwt.InvalidArgument as exc:
            return _lwt.fail(exc)
        if self._fixed:
            return _lwt.fail(
                _lwt.Failure("resize_buffer: a channel made by of_bytes keeps its byte array")
            )
        return self._locked("resize_buffer", lambda: self._resize(n))

    @abc.abstractmethod
    def _resize(self, n: int) -> _lwt.Promise[None]:
        """Swap in a buffer of ``n`` bytes; each kind of channel keeps its own bytes."""

    @abc.abstractmethod
    def _limit(self) -> int:
        """Lwt's ``max``: end of the unread bytes (input) or of the buffer (output)."""

    @abc.abstractmethod
    def _perform_once(self) -> _lwt.Promise[int]:
        """One refill (input) or one partial flush (output); return the count."""

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

    # --------------------------------------------------------- random access
    def set_position(self, pos: int) -> _lwt.Promise[None]:
        """Move to byte ``pos`` of the underlying file (after running operations).

        An output channel is flushed first.  An input channel that already
        holds ``pos`` in its buffer just moves within it.

        Raises:
            lwt.core.InvalidArgument: ``pos`` is negative, or beyond the end
                of a channel made by :func:`of_bytes`.
            lwt.core.Failure: the channel cannot seek (made by :func:`make`
                without ``seek``), or the seek landed elsewhere.
            OSError: the descriptor cannot seek (a pipe or a socket).
        """
        if pos < 0:
            return _lwt.fail(_lwt.InvalidArgument(f"set_position: negative position {pos}"))
        if self._fixed and pos > len(self._buf):
            return _lwt.fail(
                _lwt.InvalidArgument(
                    f"set_position: position {pos} is beyond the {len(self._buf)} bytes"
                )
            )
        return self._locked("set_position", lambda: self._set_position(pos))

    @abc.abstractmethod
    def _set_position(self, pos: int) -> _lwt.Promise[None]: ...

    def _seek_to(self, api: str, pos: int) -> _lwt.Promise[None]:
        def check(landed: int) -> _lwt.Promise[None]:
            if landed != pos:
                return _lwt.fail(_lwt.Failure(f"{api}: seek to {pos} landed at {landed}"))
            return _lwt.return_unit

        return self._seek(pos, os.SEEK_SET).bind(check)

    def length(self) -> _lwt.Promise[int]:
        """Return the size in bytes of what the channel reads or writes.

        For a channel over a file, the file's size (without what an output
        channel still buffers); for one made by :func:`of_bytes`, the size
        of its byte array.

        Raises:
            lwt.core.Failure: the channel cannot seek.
            OSError: the descriptor cannot seek (a pipe or a socket).
        """
        if self._fixed:
            return self._locked("length", lambda: _lwt.return_(len(self._buf)))

        def op() -> _lwt.Promise[int]:
            def back(size: int) -> _lwt.Promise[int]:
                return self._seek_to("length", self._offset).map(lambda _: size)

            return self._seek(0, os.SEEK_END).bind(back)

        return self._locked("length", op)

    # ---------------------------------------------------------- direct access
    def block(self, size: int, f: Callable[[bytearray, int], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        """Call ``f(buffer, offset)`` where ``buffer[offset:offset+size]`` is ours to use.

        For an input channel those are the next ``size`` bytes, consumed; for
        an output channel they are free space that ``f`` fills, counted as
        written.  The channel is held until ``f``'s promise ends.

        Raises:
            lwt.core.InvalidArgument: ``size`` is negative or larger than the buffer.
            EOFError: an input channel ends before ``size`` bytes.

        .. note:: Lwt limits ``size`` to 16 bytes; ours may be up to
           :meth:`buffer_size`.
        """
        if not 0 <= size <= len(self._buf):
            return _lwt.fail(
                _lwt.InvalidArgument(f"block: size {size} is outside [0, {len(self._buf)}]")
            )
        return self._locked("block", lambda: self._block(size, f))

    @abc.abstractmethod
    def _block(
        self, size: int, f: Callable[[bytearray, int], _lwt.Promise[T]]
    ) -> _lwt.Promise[T]: ...

    def direct_access(self, f: Callable[[DirectAccess], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        """Call ``f(da)`` with a :class:`DirectAccess` to the channel's buffer.

        ``f`` reads or writes the buffer itself and moves ``da.ptr`` to say
        how much it used; when its promise ends, the channel takes ``da.ptr``
        as its new position in the buffer.  The channel is held meanwhile.

        Raises:
            lwt.core.Failure: ``f`` left ``da.ptr`` or ``da.max`` out of range.
        """

        def op() -> _lwt.Promise[T]:
            da = DirectAccess(self)

            def finish(v: T) -> _lwt.Promise[T]:
                da._valid = False
                if not da._consistent():
                    return _lwt.fail(_lwt.Failure("direct_access: f left ptr or max out of range"))
                self._ptr = da.ptr
                return _lwt.return_(v)

            def failed(exc: BaseException) -> _lwt.Promise[T]:
                da._valid = False
                return _lwt.fail(exc)

            return _lwt.try_bind(lambda: f(da), finish, failed)

        return self._locked("direct_access", op)


class InputChannel(_Channel):
    """A buffered channel that reads bytes.

    Made by :func:`make`, :func:`of_bytes`, :func:`of_fd`, :func:`pipe`.
    """

    __slots__ = ("_direct_err", "_direct_ok", "_got", "_max")

    def __init__(
        self,
        perform_io: PerformIO,
        *,
        buffer_size: int | None = None,
        close: Callable[[], _lwt.Promise[None]] | None = None,
        encoding: str = "utf-8",
        seek: Seek | None = None,
    ) -> None:
        super().__init__(perform_io, buffer_size, close, encoding, seek)
        self._max = 0
        self._got = self._filled  # bound once: refills attach it without allocating
        self._direct_ok = self._direct_read_done  # likewise for pending direct reads
        self._direct_err = self._direct_read_failed

    def mode(self) -> str:
        """Return ``lwt.io.input``."""
        return input

    def buffered(self) -> int:
        """Return how many bytes are buffered and not yet read."""
        return self._max - self._ptr

    def _limit(self) -> int:
        return self._max

    def _fill(self) -> _lwt.Promise[int]:
        """Read more bytes after the unread ones; return how many (0 at end of input).

        Unread bytes move to the front of the buffer first, as Lwt's refill does.
        """
        if self._fixed:
            return _lwt.return_(0)
        unread = self._max - self._ptr
        if unread and self._ptr:
            self._buf[:unread] = self._buf[self._ptr : self._max]
        self._ptr = 0
        self._max = unread
        return self._io(self._buf, unread, len(self._buf) - unread).bind(self._got)

    def _filled(self, n: int) -> _lwt.Promise[int]:
        room = len(self._buf) - self._max
        if not 0 <= n <= room:
            return _lwt.fail(_lwt.Failure(f"perform_io returned {n}, outside [0, {room}]"))
        self._max += n
        self._offset += n
        return _lwt.return_(n)

    _perform_once = _fill

    # ------------------------------------------------------------------ reads
    def read_char(self) -> _lwt.Promise[bytes]:
        """Read one byte, as ``bytes`` of length 1.

        Raises:
            EOFError: at end of input.
        """
        i = self._ptr
        if i < self._max and not self._busy and not self._closed:
            self._ptr = i + 1
            return _lwt.return_(bytes(self._buf[i : i + 1]))
        return self._locked("read_char", self._char_slow)

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
        # A partial line stays in the buffer while the buffer has room, so
        # that a failing read loses nothing; only a line longer than the
        # buffer is moved out, piece by piece, into acc.
        acc: list[bytes] = []

        def step() -> _lwt.Promise[bytes | None]:
            while True:
                ptr = self._ptr
                j = self._buf.find(b"\n", ptr, self._max)
                if j >= 0:
                    acc.append(bytes(self._buf[ptr:j]))
                    self._ptr = j + 1
                    line = b"".join(acc)
                    return _lwt.return_(line[:-1] if line.endswith(b"\r") else line)
                if self._max - ptr < len(self._buf):
                    return self._fill().bind(refilled)
                acc.append(bytes(self._buf[ptr : self._max]))
                self._ptr = self._max

        def refilled(n: int) -> _lwt.Promise[bytes | None]:
            if n == 0:  # end of input: what is left is the last line
                acc.append(bytes(self._buf[self._ptr : self._max]))
                self._ptr = self._max
                last = b"".join(acc)
                return _lwt.return_(last if last else None)
            return step()

        return step()

    def read_line_opt(self) -> _lwt.Promise[str | None]:
        """Read a line without its ``\\n`` or ``\\r\\n``; ``None`` at end of input.

        The bytes are decoded with the channel's encoding.
        """
        enc = self._encoding
        if not self._busy and not self._closed:
            line = self._buffered_line(enc)
            if line is not None:
                return _lwt.return_(line)
            if not self._fixed and self._max - self._ptr < len(self._buf):
                return self._read_line_now(enc)

        def op() -> _lwt.Promise[str | None]:
            return self._line_bytes().map(lambda b: None if b is None else b.decode(enc))

        return self._locked("read_line", op)

    def _buffered_line(self, enc: str) -> str | None:
        """Take a whole line from the buffer if one is there."""
        ptr = self._ptr
        buf = self._buf
        j = buf.find(b"\n", ptr, self._max)
        if j < 0:
            return None
        end = j - 1 if j > ptr and buf[j - 1] == 13 else j
        s = buf[ptr:end].decode(enc)
        self._ptr = j + 1
        return s

    def _read_line_now(self, enc: str) -> _lwt.Promise[str | None]:
        """read_line_opt on an idle channel with no whole line buffered.

        One read is made at once, without the lock: most often the line is
        then complete (a request that just arrived).  A read that must
        wait, or a line longer than what came, continues as a locked
        operation.
        """
        if not self._direct:
            p = self._fill()  # a perform_io from make(): its counts are checked
            try:
                n = p.poll()
            except Exception:
                return cast("_lwt.Promise[str | None]", p)  # what was buffered stays
            if n is None:
                self._busy = True  # the read points into our buffer meanwhile
                p.on_failure(self._direct_err)  # frees the channel if the read fails
                return p.bind(lambda n: self._line_locked(n, enc))
        else:
            # _fill's work for of_fd's trusted counts, without its bind.
            unread = self._max - self._ptr
            if unread and self._ptr:
                self._buf[:unread] = self._buf[self._ptr : self._max]
            self._ptr = 0
            self._max = unread
            q = self._io(self._buf, unread, len(self._buf) - unread)
            try:
                n = q.poll()
            except Exception:
                return cast("_lwt.Promise[str | None]", q)  # what was buffered stays
            if n is None:
                # Hold the channel; the count is booked (or the lock freed
                # on failure) before the line is looked for.
                self._busy = True
                q.on_any(self._direct_fill_done, self._direct_err)
                return q.bind(lambda n: self._line_locked(n, enc))
            self._max = unread + n
            self._offset += n
        if n:
            line = self._buffered_line(enc)
            if line is not None:
                return _lwt.return_(line)
        self._busy = True
        return self._line_locked(n, enc)

    def _direct_fill_done(self, n: int) -> None:
        self._max += n
        self._offset += n

    def _line_locked(self, n: int, enc: str) -> _lwt.Promise[str | None]:
        """Finish a line with the channel held, and free it when the line is there."""
        done = self._line_after_fill(n, enc)
        if done.is_sleeping():
            done.on_termination(lambda: self._unlock(self))
        else:
            self._unlock(self)
        return done

    def _line_after_fill(self, n: int, enc: str) -> _lwt.Promise[str | None]:
        if n == 0:  # end of input: what is left is the last line
            if self._ptr == self._max:
                return _lwt.return_none
            rest = bytes(self._buf[self._ptr : self._max])
            self._ptr = self._max
            return _lwt.return_(rest.decode(enc))
        return self._line_bytes().map(lambda b: None if b is None else b.decode(enc))

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
        if count is not None:
            if count < 0:
                return _lwt.fail(_lwt.InvalidArgument(f"read: negative count {count}"))
            if self._ptr < self._max and not self._busy and not self._closed:
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
        if ofs < 0 or length < 0 or ofs + length > len(buf):
            return _lwt.fail(_bounds("read_into", ofs, length))
        if not self._busy and not self._closed:
            if self._ptr < self._max:
                return _lwt.return_(self._copy_out(buf, ofs, length))
            if self._direct and length >= len(self._buf) and length:
                # Nothing buffered and a large destination: read straight
                # into it.  A read done at once (a cached file, a socket
                # with data) returns perform_io's own promise, with no lock
                # taken; one that must wait holds the channel meanwhile.
                p = self._io(buf, ofs, length)
                try:
                    n = p.poll()
                except Exception:
                    return p  # rejected: nothing was read
                if n is not None and 0 <= n <= length:
                    self._offset += n
                    return p
                return self._read_direct_later(p, length)

        def op() -> _lwt.Promise[int]:
            if self._ptr < self._max or length == 0:
                return _lwt.return_(self._copy_out(buf, ofs, length))
            if self._direct and length >= len(self._buf):
                # Nothing buffered and a large destination: read straight into it.
                return self._io(buf, ofs, length).bind(lambda n: self._direct_read(n, length))
            return self._fill().map(lambda _: self._copy_out(buf, ofs, length))

        return self._locked("read_into", op)

    def _read_direct_later(self, p: _lwt.Promise[int], length: int) -> _lwt.Promise[int]:
        """Finish a direct read that is pending (or returned a bad count)."""
        if not p.is_sleeping():
            return p.bind(lambda n: self._direct_read(n, length))
        # The channel is held until the read ends; the caller gets
        # perform_io's own promise, whose callbacks run after ours, so the
        # count is added and the lock passed on before they see the value.
        # (Only of_fd channels read directly, and lwt.unix.read's counts
        # need no check, unlike a perform_io given to make().)
        self._busy = True
        p.on_any(self._direct_ok, self._direct_err)
        return p

    def _direct_read_done(self, n: int) -> None:
        self._offset += n
        self._unlock(self)

    def _direct_read_failed(self, _: BaseException) -> None:
        self._unlock(self)

    def _direct_read(self, n: int, length: int) -> _lwt.Promise[int]:
        if not 0 <= n <= length:
            return _lwt.fail(_lwt.Failure(f"perform_io returned {n}, outside [0, {length}]"))
        self._offset += n
        return _lwt.return_(n)

    def read_into_exactly(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        """Read exactly ``length`` bytes into ``buf[ofs:]``.

        Raises:
            EOFError: the input ended first.
        """
        if ofs < 0 or length < 0 or ofs + length > len(buf):
            return _lwt.fail(_bounds("read_into_exactly", ofs, length))
        if self._max - self._ptr >= length and not self._busy and not self._closed:
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
        if self._max - self._ptr >= count and not self._busy and not self._closed:
            return _lwt.return_(self._take(count))
        out = bytearray(count)
        return self.read_into_exactly(out, 0, count).map(lambda _: bytes(out))

    def _number(self, fmt: struct.Struct) -> _lwt.Promise[Any]:
        size = fmt.size
        if self._max - self._ptr >= size and not self._busy and not self._closed:
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

    def _block(self, size: int, f: Callable[[bytearray, int], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        if self._max - self._ptr >= size:
            i = self._ptr
            self._ptr = i + size
            return f(self._buf, i)

        def got(n: int) -> _lwt.Promise[T]:
            if n == 0:
                return _lwt.fail(EOFError("block: end of input"))
            return self._block(size, f)

        return self._fill().bind(got)

    def _set_position(self, pos: int) -> _lwt.Promise[None]:
        if self._fixed:
            self._ptr = pos
            return _lwt.return_unit
        # The buffer holds the bytes [offset - max, offset) of the input.
        first = self._offset - self._max
        if first <= pos <= self._offset:
            self._ptr = pos - first
            return _lwt.return_unit

        def moved(_: None) -> _lwt.Promise[None]:
            self._offset = pos
            self._ptr = self._max = 0
            return _lwt.return_unit

        return self._seek_to("set_position", pos).bind(moved)

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


# Output channels with an auto-flush due at the next turn of the loop.
_auto_pending: list[OutputChannel] = []


def _auto_flush_all(_: None) -> None:
    due = _auto_pending[:]
    _auto_pending.clear()
    for ch in due:
        ch._auto_flush()


class OutputChannel(_Channel):
    """A buffered channel that writes bytes.

    Made by :func:`make`, :func:`of_bytes`, :func:`of_fd`, :func:`pipe`.
    Bytes stay in the buffer until it fills, :meth:`flush` is called, the
    channel is closed, or the program next has nothing else to do (Lwt's
    auto-flush).
    """

    __slots__ = ("_auto", "_drain_more", "_wrote")

    def __init__(
        self,
        perform_io: PerformIO,
        *,
        buffer_size: int | None = None,
        close: Callable[[], _lwt.Promise[None]] | None = None,
        encoding: str = "utf-8",
        seek: Seek | None = None,
    ) -> None:
        super().__init__(perform_io, buffer_size, close, encoding, seek)
        self._auto = False  # an auto-flush is scheduled
        # Bound once: every flush attaches them without allocating.
        self._wrote = self._after_write
        self._drain_more = self._drain_again
        _outputs.add(self)

    def mode(self) -> str:
        """Return ``lwt.io.output``."""
        return output

    def buffered(self) -> int:
        """Return how many bytes are buffered and not yet written out."""
        return self._ptr

    def _limit(self) -> int:
        return len(self._buf)

    # ------------------------------------------------------------- flushing
    def _perform_once(self) -> _lwt.Promise[int]:
        """Write out the front of the buffer once and keep the rest; return the count."""
        if self._fixed:
            return _lwt.fail(
                _lwt.Failure("flush: the byte array of a channel made by of_bytes is full")
            )
        return self._io(self._buf, 0, self._ptr).bind(self._wrote)

    def _after_write(self, n: int) -> _lwt.Promise[int]:
        ptr = self._ptr
        if not 0 < n <= ptr:
            return _lwt.fail(_lwt.Failure(f"perform_io wrote {n} bytes of {ptr}"))
        if n < ptr:
            # A short write: the rest moves to the front, so the buffer always
            # holds exactly the bytes not yet written and nothing is sent twice.
            self._buf[: ptr - n] = self._buf[n:ptr]
        self._ptr = ptr - n
        self._offset += n
        return _lwt.return_(n)

    def _drain(self) -> _lwt.Promise[None]:
        """Write the whole buffer out through perform_io."""
        if self._ptr == 0 or self._fixed:
            return _lwt.return_unit
        return self._perform_once().bind(self._drain_more)

    def _drain_again(self, _: int) -> _lwt.Promise[None]:
        return self._drain()

    def _unlock(self, lock: _Lock) -> None:
        if lock._waiters:
            _lwt.wakeup_later(lock._waiters.popleft(), None)
            return
        lock._busy = False
        if self._ptr and not self._auto and not self._closed and not self._fixed:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        # One paused promise serves every channel written to in this turn
        # of the loop, rather than one promise and callback per write.
        self._auto = True
        _auto_pending.append(self)
        # Checking paused_count too: abandon_paused() may have dropped the
        # promise that was to flush the channels already waiting.
        if len(_auto_pending) == 1 or not _lwt.paused_count():
            _lwt.pause().on_success(_auto_flush_all)

    def _auto_flush(self) -> None:
        self._auto = False
        if self._closed or not self._ptr:
            return
        lock = self._levels[-1] if self._levels else self
        if lock._busy:
            return  # the operation running now reschedules us when it ends
        lock._busy = True
        # As in Lwt, a failing auto-flush is silent: the bytes stay buffered
        # and the next write or flush meets the error.
        p = _lwt.catch(self._drain, _ignore)
        if p.is_sleeping():
            p.on_termination(lambda: self._unlock(lock))
        else:
            self._unlock(lock)

    def flush(self) -> _lwt.Promise[None]:
        """Write out everything buffered."""
        if self._busy or self._closed or self._fixed:
            return self._locked("flush", self._drain)
        ptr = self._ptr
        if ptr == 0:
            return _lwt.return_unit
        # The channel is idle: write at once, without taking the lock, and
        # take it only if the write must wait (it may point into our buffer
        # meanwhile) or comes back short.
        p = self._io(self._buf, 0, ptr)
        try:
            n = p.poll()
        except Exception:
            return cast("_lwt.Promise[None]", p)  # rejected: everything stays buffered
        if n == ptr:
            self._ptr = 0
            self._offset += n
            return _lwt.return_unit
        self._busy = True
        done = p.bind(self._wrote).bind(self._drain_more)
        if done.is_sleeping():
            done.on_termination(lambda: self._unlock(self))
        else:
            self._unlock(self)
        return done

    # --------------------------------------------------------------- writes
    def _put(self, view: memoryview) -> _lwt.Promise[None]:
        if self._fixed and len(view) > len(self._buf) - self._ptr:
            return _lwt.fail(
                _lwt.Failure(
                    f"write: {len(view)} bytes do not fit in the "
                    f"{len(self._buf) - self._ptr} left in the byte array"
                )
            )
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

    def _direct_write(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        """Write ``buf[ofs:ofs+length]`` straight to perform_io (the buffer is empty)."""

        def step(n: int) -> _lwt.Promise[None]:
            nonlocal ofs, length
            if not 0 < n <= length:
                return _lwt.fail(_lwt.Failure(f"perform_io wrote {n} bytes of {length}"))
            self._offset += n
            ofs += n
            length -= n
            if length == 0:
                return _lwt.return_unit
            return self._io(buf, ofs, length).bind(step)

        return self._io(buf, ofs, length).bind(step)

    def write_from_exactly(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[None]:
        """Write ``buf[ofs:ofs+length]`` entirely (buffered)."""
        if ofs < 0 or length < 0 or ofs + length > len(buf):
            return _lwt.fail(_bounds("write_from_exactly", ofs, length))
        ptr = self._ptr
        if ptr + length <= len(self._buf) and not self._busy and not self._closed:
            self._buf[ptr : ptr + length] = memoryview(buf)[ofs : ofs + length]
            self._ptr = ptr + length
            if not self._auto and not self._fixed:
                self._schedule_flush()
            return _lwt.return_unit

        def op() -> _lwt.Promise[None]:
            if self._direct and length >= len(self._buf):
                # Too large to gain from the buffer: flush it, then write directly.
                return self._drain().bind(lambda _: self._direct_write(buf, ofs, length))
            return self._put(memoryview(buf)[ofs : ofs + length])

        return self._locked("write", op)

    def write_from(self, buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
        """Write ``buf[ofs:ofs+length]``; return how many bytes were taken (at least 1).

        A ``length`` of 0 takes nothing and returns 0.
        """
        if ofs < 0 or length < 0 or ofs + length > len(buf):
            return _lwt.fail(_bounds("write_from", ofs, length))

        def op() -> _lwt.Promise[int]:
            if self._ptr == len(self._buf) and length:
                if self._fixed:
                    return _lwt.fail(_lwt.Failure("write_from: the byte array of of_bytes is full"))
                return self._drain().bind(lambda _: op())
            n = min(length, len(self._buf) - self._ptr)
            self._buf[self._ptr : self._ptr + n] = memoryview(buf)[ofs : ofs + n]
            self._ptr += n
            return _lwt.return_(n)

        if self._ptr < len(self._buf) and not self._busy and not self._closed:
            p = op()
            if self._ptr and not self._auto and not self._fixed:
                self._schedule_flush()
            return p
        return self._locked("write_from", op)

    def write_from_string(self, s: bytes | str, ofs: int, length: int) -> _lwt.Promise[int]:
        """Like :meth:`write_from`, for ``bytes`` or ``str`` (encoded first)."""
        return self.write_from(self._bytes(s), ofs, length)

    def write_from_string_exactly(
        self, s: bytes | str, ofs: int, length: int
    ) -> _lwt.Promise[None]:
        """Like :meth:`write_from_exactly`, for ``bytes`` or ``str`` (encoded first)."""
        return self.write_from_exactly(self._bytes(s), ofs, length)

    def _bytes(self, s: bytes | str) -> bytes:
        return s.encode(self._encoding) if isinstance(s, str) else s

    def write(self, s: bytes | str) -> _lwt.Promise[None]:
        """Write ``s`` (``str`` is encoded with the channel's encoding)."""
        b = s.encode(self._encoding) if isinstance(s, str) else s
        return self.write_from_exactly(b, 0, len(b))

    def write_char(self, c: bytes | str) -> _lwt.Promise[None]:
        """Write one byte (``bytes`` of length 1, or a one-byte ``str``)."""
        b = self._bytes(c)
        if len(b) != 1:
            return _lwt.fail(_lwt.InvalidArgument(f"write_char: expected one byte, got {b!r}"))
        return self.write_from_exactly(b, 0, 1)

    def write_line(self, s: bytes | str) -> _lwt.Promise[None]:
        """Write ``s`` then ``\\n``."""
        b = s.encode(self._encoding) if isinstance(s, str) else s
        ptr = self._ptr
        end = ptr + len(b) + 1
        if end <= len(self._buf) and not self._busy and not self._closed:
            # Fits the buffer: copy it in place, without building b + b"\n".
            buf = self._buf
            buf[ptr : end - 1] = b
            buf[end - 1] = 10
            self._ptr = end
            if not self._auto and not self._fixed:
                self._schedule_flush()
            return _lwt.return_unit
        return self.write(b + b"\n")

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

    def _resize(self, n: int) -> _lwt.Promise[None]:
        def swap(_: None) -> _lwt.Promise[None]:
            new = bytearray(n)
            new[: self._ptr] = self._buf[: self._ptr]
            self._buf = new
            return _lwt.return_unit

        if self._ptr > n:
            return self._drain().bind(swap)
        return swap(None)

    def _block(self, size: int, f: Callable[[bytearray, int], _lwt.Promise[T]]) -> _lwt.Promise[T]:
        if len(self._buf) - self._ptr >= size:
            i = self._ptr
            self._ptr = i + size
            return f(self._buf, i)
        return self._perform_once().bind(lambda _: self._block(size, f))

    def _set_position(self, pos: int) -> _lwt.Promise[None]:
        if self._fixed:
            self._ptr = pos
            return _lwt.return_unit

        def moved(_: None) -> _lwt.Promise[None]:
            self._offset = pos
            return _lwt.return_unit

        return self._drain().bind(lambda _: self._seek_to("set_position", pos)).bind(moved)

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


def _bounds(api: str, ofs: int, length: int) -> BaseException:
    return _lwt.InvalidArgument(f"{api}: offset {ofs} and length {length} do not fit")


def flush_all() -> _lwt.Promise[None]:
    """Flush every open output channel, concurrently; errors are ignored.

    The channels are those made by :func:`make`, :func:`of_fd` and friends
    that are still alive (the standard ones included).  ``lwt.unix.main``
    calls this at exit, as Lwt does.
    """
    chans = [oc for oc in list(_outputs) if not oc._closed]
    return _lwt.join([_lwt.catch(oc.flush, _ignore) for oc in chans])


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
    seek: Seek | None = None,
    encoding: str = "utf-8",
) -> Any:
    """Make a channel over ``perform_io(buf, ofs, length) -> Promise[int]``.

    For an input channel, ``perform_io`` fills ``buf[ofs:ofs+length]`` and
    returns how many bytes it put there (0 at end of input); for an output
    channel it sends bytes from there and returns how many it sent (>0).
    ``seek(pos, whence) -> Promise[int]`` moves the underlying position like
    :func:`os.lseek` and returns the new one; without it the channel cannot
    ``set_position`` or tell its
    ``length``.

    Returns:
        An :class:`InputChannel` if ``mode`` is ``lwt.io.input``, an
        :class:`OutputChannel` if it is ``lwt.io.output``.
    """
    if mode == input:
        return InputChannel(
            perform_io, buffer_size=buffer_size, close=close, encoding=encoding, seek=seek
        )
    if mode == output:
        return OutputChannel(
            perform_io, buffer_size=buffer_size, close=close, encoding=encoding, seek=seek
        )
    raise _lwt.InvalidArgument(f"make: unknown mode {mode!r}")


def _end_of_input(buf: bytearray, ofs: int, length: int) -> _lwt.Promise[int]:
    return _lwt.return_(0)


def of_bytes(data: Any, *, mode: str = input, encoding: str = "utf-8") -> Any:
    """Make a channel whose buffer is the byte array ``data`` itself.

    An input channel reads ``data`` then ends.  An output channel writes
    into ``data`` (a ``bytearray`` or another writable buffer) from its
    start; a write that does not fit in what is left fails and writes
    nothing.  Both can ``set_position`` anywhere in
    ``data``.

    Raises:
        lwt.core.InvalidArgument: unknown ``mode``.
        TypeError: ``data`` is not writable but ``mode`` is ``lwt.io.output``.

    .. note:: Lwt's output channels made by ``of_bytes`` fail to flush once
       written to; ours accept ``flush`` (the bytes are already in ``data``).
    """
    ch: InputChannel | OutputChannel
    if mode == input:
        buf = data if isinstance(data, bytearray) else bytearray(data)
        ch = InputChannel(_end_of_input, buffer_size=_MIN_BUFFER, encoding=encoding)
        ch._buf = buf
        ch._max = ch._offset = len(buf)
    elif mode == output:
        view = memoryview(data)
        if view.readonly:
            raise TypeError(
                f"of_bytes: an output channel needs a writable buffer, not {type(data).__name__}"
            )
        ch = OutputChannel(_end_of_input, buffer_size=_MIN_BUFFER, encoding=encoding)
        _outputs.discard(ch)
        ch._buf = data if isinstance(data, bytearray) else view.cast("B")  # type: ignore[assignment]
    else:
        raise _lwt.InvalidArgument(f"of_bytes: unknown mode {mode!r}")
    ch._fixed = True
    return ch


def of_fd(
    fd: _unix.FileDescr,
    *,
    mode: str,
    buffer_size: int | None = None,
    close: Callable[[], _lwt.Promise[None]] | None = None,
    encoding: str = "utf-8",
) -> Any:
    """Make a channel reading or writing the descriptor ``fd``.

    Closing the channel closes ``fd`` unless ``close`` is given.  The
    channel seeks with ``lwt.unix.lseek``.
    """
    closer = close if close is not None else (lambda: _unix.close(fd))

    def seek(pos: int, whence: int) -> _lwt.Promise[int]:
        return _unix.lseek(fd, pos, whence)

    ch: InputChannel | OutputChannel
    # partial() objects run in C: one Python frame less on every read and write.
    if mode == input:
        rd: PerformIO = functools.partial(_unix.read, fd)
        ch = InputChannel(rd, buffer_size=buffer_size, close=closer, encoding=encoding, seek=seek)
    elif mode == output:
        wr: PerformIO = functools.partial(_unix.write, fd)
        ch = OutputChannel(wr, buffer_size=buffer_size, close=closer, encoding=encoding, seek=seek)
    else:
        raise _lwt.InvalidArgument(f"of_fd: unknown mode {mode!r}")
    ch._direct = True
    return ch


def of_unix_fd(
    fd: int,
    *,
    mode: str,
    buffer_size: int | None = None,
    close: Callable[[], _lwt.Promise[None]] | None = None,
) -> Any:
    """Like :func:`of_fd`, for a raw descriptor number."""
    return of_fd(_unix.of_unix_file_descr(fd), mode=mode, buffer_size=buffer_size, close=close)


def pipe(
    *, cloexec: bool = True, in_buffer: int | None = None, out_buffer: int | None = None
) -> tuple[InputChannel, OutputChannel]:
    """Make an OS pipe and return ``(ic, oc)`` over its two ends."""
    r, w = _unix.pipe(cloexec=cloexec)
    ic: InputChannel = of_fd(r, mode=input, buffer_size=in_buffer)
    oc: OutputChannel = of_fd(w, mode=output, buffer_size=out_buffer)
    return ic, oc
