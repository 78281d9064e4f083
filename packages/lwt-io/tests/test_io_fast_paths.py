"""The shortcuts an idle channel takes, held to the rules of the slow path.

An idle channel writes on ``flush``, reads on ``read_line_opt`` and
``read_into``, and auto-flushes, without taking its lock when the I/O
completes at once.  Each test drives a channel made by ``make`` over a
perform_io the test controls, and checks what a locked operation would
give: nothing lost or sent twice on a short write, the buffer kept on an
error, the channel held (and operations kept in order) while I/O waits.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any

import pytest

import lwt.core as lwt
import lwt.io as io
from lwt.unix import main


class Script:
    """A perform_io whose every call does what the test queued next.

    Queued steps: an ``int`` (output: write that many bytes at once), a
    ``bytes`` (input: deliver them at once), an exception (fail at once),
    or ``"wait"`` (return a pending promise, resolved later with
    :meth:`release`).
    """

    def __init__(self, *steps: Any) -> None:
        self.steps: deque[Any] = deque(steps)
        self.sent = bytearray()
        self.calls = 0
        self.waiting: list[tuple[lwt.Resolver[int], Any, int, int]] = []

    def __call__(self, buf: Any, ofs: int, length: int) -> lwt.Promise[int]:
        self.calls += 1
        step = self.steps.popleft()
        if step == "wait":
            p: lwt.Promise[int]
            p, r = lwt.wait()
            self.waiting.append((r, buf, ofs, length))
            return p
        return self._do(step, buf, ofs, length)

    def _do(self, step: Any, buf: Any, ofs: int, length: int) -> lwt.Promise[int]:
        if isinstance(step, BaseException):
            return lwt.fail(step)
        if isinstance(step, bytes):
            n = min(len(step), length)
            memoryview(buf)[ofs : ofs + n] = step[:n]
            if n < len(step):
                self.steps.appendleft(step[n:])  # the rest comes next time
            return lwt.return_(n)
        n = min(step, length)
        self.sent += bytes(memoryview(buf)[ofs : ofs + n])
        return lwt.return_(n)

    def release(self, step: Any) -> None:
        r, buf, ofs, length = self.waiting.pop(0)
        p = self._do(step, buf, ofs, length)
        try:
            lwt.wakeup(r, p.poll())
        except Exception as exc:
            lwt.wakeup_exn(r, exc)


# ------------------------------------------------------------------ flush


def test_flush_of_an_idle_channel_writes_at_once() -> None:
    out = Script(1000)
    oc = io.make(io.output, out, buffer_size=64)
    oc.write("hello")
    p = oc.flush()
    assert p.poll() is None
    assert lwt.state(p) == lwt.Return(None)
    assert out.sent == b"hello"
    assert oc.buffered() == 0
    assert oc.position() == 5


def test_short_write_in_flush_sends_the_rest_without_repeating() -> None:
    out = Script(2, 1, 1000)
    oc = io.make(io.output, out, buffer_size=64)
    oc.write("abcdef")
    main.run(oc.flush())
    assert out.sent == b"abcdef"
    assert out.calls == 3
    assert not oc.is_busy()


def test_failed_flush_keeps_the_bytes_buffered() -> None:
    out = Script(BrokenPipeError("peer gone"), 1000)
    oc = io.make(io.output, out, buffer_size=64)
    oc.write("kept")
    with pytest.raises(BrokenPipeError):
        main.run(oc.flush())
    assert oc.buffered() == 4
    main.run(oc.flush())
    assert out.sent == b"kept"


def test_flush_that_must_wait_holds_the_channel() -> None:
    out = Script("wait", 1000)
    oc = io.make(io.output, out, buffer_size=64)
    oc.write("first")
    flushed = oc.flush()
    assert oc.is_busy()
    later = oc.write("second")
    assert later.is_sleeping()  # the buffer is being written from: wait
    out.release(1000)
    assert lwt.state(flushed) == lwt.Return(None)
    assert lwt.state(later) == lwt.Return(None)
    main.run(oc.flush())
    assert out.sent == b"firstsecond"


def test_auto_flush_covers_every_channel_written_in_a_turn() -> None:
    outs = [Script(1000) for _ in range(3)]
    ocs = [io.make(io.output, o, buffer_size=64) for o in outs]
    for i, oc in enumerate(ocs):
        oc.write(f"chan{i}")
    main.run(lwt.pause())
    main.run(lwt.pause())
    assert [bytes(o.sent) for o in outs] == [b"chan0", b"chan1", b"chan2"]


def test_auto_flush_survives_abandoned_paused_promises() -> None:
    first = Script(1000)
    oc1 = io.make(io.output, first, buffer_size=64)
    oc1.write("lost turn")
    lwt.abandon_paused()  # the promise meant to flush oc1 is gone
    second = Script(1000)
    oc2 = io.make(io.output, second, buffer_size=64)
    oc2.write("next")
    main.run(lwt.pause())
    main.run(lwt.pause())
    assert second.sent == b"next"
    assert first.sent == b"lost turn"


# -------------------------------------------------------------- read_line


def test_read_line_reads_once_when_nothing_is_buffered() -> None:
    inp = Script(b"one\r\ntwo\n")
    ic = io.make(io.input, inp, buffer_size=64)
    assert ic.read_line_opt().poll() == "one"
    assert ic.read_line_opt().poll() == "two"
    assert inp.calls == 1


def test_read_line_joins_a_line_that_comes_in_pieces() -> None:
    inp = Script(b"par", b"tial li", b"ne\nnext", b"\n", b"")
    ic = io.make(io.input, inp, buffer_size=64)
    assert main.run(ic.read_line_opt()) == "partial line"
    assert main.run(ic.read_line_opt()) == "next"
    assert main.run(ic.read_line_opt()) is None


def test_read_line_at_end_of_input_gives_the_last_unterminated_line() -> None:
    inp = Script(b"last", b"")
    ic = io.make(io.input, inp, buffer_size=64)
    assert main.run(ic.read_line_opt()) == "last"
    inp.steps.append(b"")
    assert main.run(ic.read_line_opt()) is None


def test_read_line_that_must_wait_holds_the_channel_and_keeps_order() -> None:
    inp = Script("wait", b"b\n")
    ic = io.make(io.input, inp, buffer_size=64)
    first = ic.read_line_opt()
    assert ic.is_busy()
    second = ic.read_line_opt()
    inp.release(b"a\n")
    assert main.run(first) == "a"
    assert main.run(second) == "b"


def test_read_line_error_keeps_what_was_buffered() -> None:
    inp = Script(b"half", ConnectionResetError("reset"), b" line\n")
    ic = io.make(io.input, inp, buffer_size=64)
    with pytest.raises(ConnectionResetError):
        main.run(ic.read_line_opt())
    assert main.run(ic.read_line_opt()) == "half line"


def test_read_line_whose_pending_read_fails_frees_the_channel() -> None:
    inp = Script("wait", b"after\n")
    ic = io.make(io.input, inp, buffer_size=64)
    first = ic.read_line_opt()
    assert ic.is_busy()
    inp.release(ConnectionResetError("reset while waiting"))
    with pytest.raises(ConnectionResetError):
        main.run(first)
    assert not ic.is_busy()
    assert main.run(ic.read_line_opt()) == "after"


def test_large_read_into_on_a_descriptor_counts_and_frees_the_channel() -> None:
    r, w = os.pipe()
    ic = io.of_unix_fd(r, mode=io.input, buffer_size=16)
    buf = bytearray(64)
    pending = ic.read_into(buf, 0, 64)  # nothing in the pipe yet: waits, holding the channel
    assert ic.is_busy()
    os.write(w, b"0123456789")
    assert main.run(pending) == 10
    assert not ic.is_busy()
    assert ic.position() == 10
    os.close(w)
    assert main.run(ic.read_line_opt()) is None
    main.run(ic.close())


def test_long_line_grows_past_the_buffer() -> None:
    text = "x" * 200
    inp = Script(*(text.encode()[i : i + 30] for i in range(0, 200, 30)), b"\n")
    ic = io.make(io.input, inp, buffer_size=16)
    assert main.run(ic.read_line()) == text


# ------------------------------------------------------------- write_line


def test_write_line_that_fits_is_buffered_with_its_newline() -> None:
    out = Script(1000, 1000, 1000, 1000)
    oc = io.make(io.output, out, buffer_size=16)
    assert lwt.state(oc.write_line("abc")) == lwt.Return(None)
    assert oc.buffered() == 4
    oc.write_line(b"a longer line than the buffer")  # takes the slow path
    main.run(oc.flush())
    assert out.sent == b"abc\na longer line than the buffer\n"
