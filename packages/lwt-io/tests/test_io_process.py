"""lwt.io.process: child processes, their redirections, channels and ends.

The first group restates Lwt's ``test/unix/test_lwt_process.ml``; its
``dummy.exe`` is a small Python program here (``CHILD``) that reads or
writes a known sentence.  The rest covers the whole interface: every
``p*`` function, the process objects, timeouts, bad input, and that
neither descriptors nor children are left behind.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.io as io
import lwt.unix as unix
from lwt.core import stream
from lwt.io import process as proc
from lwt.unix import main

T = TypeVar("T")

EXPECTED = b"the quick brown fox jumps over the lazy dog"

# Lwt's dummy.exe: "read" checks its stdin holds the sentence, "write" and
# "errwrite" print it to stdout or stderr; a failed write exits non-zero.
CHILD = (
    "import sys\n"
    "mode = sys.argv[1]\n"
    f"expected = {EXPECTED!r}\n"
    "if mode == 'read':\n"
    "    sys.exit(0 if sys.stdin.buffer.read() == expected else 1)\n"
    "out = sys.stdout if mode == 'write' else sys.stderr\n"
    "out.buffer.write(expected)\n"
    "out.flush()\n"
)


def dummy(mode: str) -> tuple[str, list[str]]:
    return (sys.executable, ["dummy", "-c", CHILD, mode])


def python(code: str) -> tuple[str, list[str]]:
    return ("", [sys.executable, "-c", code])


def run(p: lwt.Promise[T]) -> T:
    return main.run(p)


def open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd")}


@pytest.fixture(autouse=True)
def children_reaped(fresh_engine: object) -> Iterator[None]:
    """Let every child a test started end and be reaped before the engine is checked.

    ``pread`` and its twins resolve when the output is read, which may be
    just before the child exits; its wait is still registered then.
    """
    yield
    wait_for_children()


def wait_for_children() -> None:
    """Run the loop until every child started so far has been reaped."""
    for _ in range(1000):
        if unix.wait_count() == 0:
            return
        main.run(unix.sleep(0.01))
    raise AssertionError(f"{unix.wait_count()} children still not reaped after 10 s")


needs_proc = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc/self/fd"
)


# -------------------------------------------------------------- Lwt's tests


def test_timeout_kills_the_child_and_ends_a_pending_read() -> None:
    def body(p: proc.ProcessIn) -> lwt.Promise[object]:
        return lwt.catch(p.stdout.read, lwt.return_)

    p = proc.open_process_in(("sleep", ["sleep", "30"]), timeout=0.2)
    got = run(lwt.finalize(lambda: body(p), lambda: p.close().map(lambda _: None)))
    assert isinstance(got, io.ChannelClosed)
    assert run(p.status()) == unix.WSIGNALED(signal.SIGKILL)


def test_with_process_in_timeout_returns() -> None:
    got = run(
        proc.with_process_in(
            ("sleep", ["sleep", "30"]),
            lambda p: lwt.catch(p.stdout.read, lambda _e: lwt.return_(b"")),
            timeout=0.2,
        )
    )
    assert got == b""


def test_stdout_redirected_to_dev_null() -> None:
    assert run(proc.exec(dummy("write"), stdout=proc.Dev_null)) == unix.WEXITED(0)


def test_stderr_redirected_to_dev_null() -> None:
    assert run(proc.exec(dummy("errwrite"), stderr=proc.Dev_null)) == unix.WEXITED(0)


def test_child_cannot_write_on_closed_stdout() -> None:
    status = run(proc.exec(dummy("write"), stdout=proc.Close, stderr=proc.Dev_null))
    assert isinstance(status, unix.WEXITED)
    assert status.code != 0


def test_child_cannot_write_on_closed_stderr() -> None:
    status = run(proc.exec(dummy("errwrite"), stderr=proc.Close))
    assert status != unix.WEXITED(0)


def test_child_reads_its_stdin_from_a_moved_descriptor() -> None:
    r, w = unix.pipe_out(cloexec=True)
    status = proc.exec(dummy("read"), stdin=proc.FD_move(r))
    wrote = lwt.finalize(lambda: unix.write(w, EXPECTED, 0, len(EXPECTED)), w.close)
    assert run(status) == unix.WEXITED(0)
    assert run(wrote) == len(EXPECTED)


@pytest.mark.parametrize(("mode", "redirect"), [("write", "stdout"), ("errwrite", "stderr")])
def test_parent_reads_what_the_child_writes(mode: str, redirect: str) -> None:
    r, w = unix.pipe_in(cloexec=True)
    status = proc.exec(dummy(mode), **{redirect: proc.FD_move(w)})
    buf = bytearray(len(EXPECTED))
    n = run(unix.read(r, buf, 0, len(buf)))
    assert bytes(buf[:n]) == EXPECTED
    assert run(unix.read(r, buf, 0, 1)) == 0  # the child's end is its only copy
    assert run(status) == unix.WEXITED(0)
    run(r.close())


# ------------------------------------------------------------ commands, exec


def test_exec_gives_the_exit_code() -> None:
    assert run(proc.exec(proc.shell("exit 7"))) == unix.WEXITED(7)


def test_exec_reports_death_by_signal() -> None:
    status = run(proc.exec(python("import os, signal; os.kill(os.getpid(), signal.SIGTERM)")))
    assert status == unix.WSIGNALED(signal.SIGTERM)


def test_shell_runs_through_bin_sh() -> None:
    assert proc.shell("echo hi") == ("", ["/bin/sh", "-c", "echo hi"])
    assert run(proc.pread(proc.shell("echo a; echo b"))) == b"a\nb\n"


def test_program_name_and_argv0_are_separate() -> None:
    code = "import sys; print(sys.orig_argv[0])"
    out = run(proc.pread((sys.executable, ["custom-argv0", "-c", code])))
    assert out == b"custom-argv0\n"
    # argv[0] as the child sees it is the first argument, not the program.
    shown = run(proc.pread(("/bin/sh", ["not-sh", "-c", 'echo "$0"'])))
    assert shown == b"not-sh\n"


def test_empty_program_is_looked_up_along_path() -> None:
    assert run(proc.pread(("", ["echo", "found"]))) == b"found\n"


def test_missing_program_rejects_exec_and_raises_on_open() -> None:
    p = proc.exec(("", ["lwt-no-such-program-here"]))
    assert isinstance(lwt.state(p), lwt.Fail)
    with pytest.raises(FileNotFoundError):
        run(p)
    with pytest.raises(FileNotFoundError):
        proc.open_process_in(("", ["lwt-no-such-program-here"]))


def test_environment_from_a_mapping_or_name_value_strings() -> None:
    cmd = proc.shell('printf "%s" "$LWT_TEST_VAR"')
    assert run(proc.pread(cmd, env={"LWT_TEST_VAR": "one"})) == b"one"
    assert run(proc.pread(cmd, env=["LWT_TEST_VAR=two=2"])) == b"two=2"
    # Without env the child inherits ours.
    os.environ["LWT_TEST_VAR"] = "three"
    try:
        assert run(proc.pread(cmd)) == b"three"
    finally:
        del os.environ["LWT_TEST_VAR"]


def test_working_directory(tmp_path: Path) -> None:
    out = run(proc.pread(python("import os; print(os.getcwd())"), cwd=tmp_path))
    assert Path(out.decode().strip()).resolve() == tmp_path.resolve()


def test_bad_working_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        proc.open_process_none(("", ["true"]), cwd=tmp_path / "missing")


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"cmd": ("", [])}, "empty argument list"),
        ({"cmd": "echo hi"}, "a command is"),
        ({"cmd": ("", "echo")}, "list of strings"),
        ({"cmd": ("", ["true"]), "env": ["NOEQUALS"]}, "NAME=value"),
        ({"cmd": ("", ["true"]), "stdout": "keep"}, "a redirection is"),
        ({"cmd": ("", ["true"]), "stdout": proc.FD_copy(-1)}, "bad file descriptor"),
        ({"cmd": ("", ["true"]), "timeout": -1.0}, "timeout"),
    ],
)
def test_bad_input_is_named(kwargs: dict[str, Any], what: str) -> None:
    cmd = kwargs.pop("cmd")
    with pytest.raises(lwt.InvalidArgument, match=what):
        proc.open_process_none(cmd, **kwargs)
    rejected = proc.exec(cmd, **kwargs)
    with pytest.raises(lwt.InvalidArgument, match=what):
        run(rejected)


@needs_proc
def test_a_failed_start_closes_what_it_opened() -> None:
    before = open_fds()
    for _ in range(5):
        with pytest.raises(FileNotFoundError):
            proc.open_process_full(("", ["lwt-no-such-program-here"]))
        r, w = os.pipe()
        with pytest.raises(lwt.InvalidArgument):
            proc.open_process_none(("", []), stdout=proc.FD_move(w))
        os.close(r)
    assert open_fds() == before


# ------------------------------------------------------------- redirections


def test_fd_copy_leaves_the_descriptor_open_and_fd_move_closes_it(tmp_path: Path) -> None:
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    assert run(proc.exec(proc.shell("echo copied"), stdout=proc.FD_copy(fd))) == unix.WEXITED(0)
    os.fstat(fd)  # still open
    assert run(proc.exec(proc.shell("echo moved"), stdout=proc.FD_move(fd))) == unix.WEXITED(0)
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)
    assert path.read_bytes() == b"copied\nmoved\n"


def test_redirection_accepts_an_object_with_fileno(tmp_path: Path) -> None:
    path = tmp_path / "out"
    with path.open("wb") as f:
        run(proc.exec(proc.shell("echo via-file"), stdout=proc.FD_copy(f)))
    assert path.read_bytes() == b"via-file\n"


def test_closed_stdin_reads_fail() -> None:
    code = (
        "import os, sys\n"
        "try:\n    os.read(0, 1)\nexcept OSError as e:\n    sys.exit(e.errno)\n"
        "sys.exit(0)\n"
    )
    import errno

    assert run(proc.exec(python(code), stdin=proc.Close)) == unix.WEXITED(errno.EBADF)


def test_dev_null_stdin_reads_end_of_file() -> None:
    assert run(proc.pread(proc.shell("cat; echo end"), stdin=proc.Dev_null)) == b"end\n"


def test_redirection_reprs() -> None:
    assert [repr(r) for r in (proc.Keep, proc.Dev_null, proc.Close)] == [
        "Keep",
        "Dev_null",
        "Close",
    ]
    assert proc.FD_copy(3) == proc.FD_copy(3)
    assert repr(proc.Running) == "Running"


# --------------------------------------------------------- reading, writing


def test_pread_line_and_lines() -> None:
    assert run(proc.pread_line(proc.shell("printf 'one\\r\\ntwo\\n'"))) == "one"
    lines = run(stream.to_list(proc.pread_lines(proc.shell("printf 'a\\nb\\nc'"))))
    assert lines == ["a", "b", "c"]


def test_pread_line_of_nothing_is_end_of_file() -> None:
    with pytest.raises(EOFError):
        run(proc.pread_line(("", ["true"])))


def test_pread_chars() -> None:
    assert run(stream.to_list(proc.pread_chars(proc.shell("printf xyz")))) == [b"x", b"y", b"z"]


def test_pwrite_family_feeds_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def cat() -> tuple[str, list[str]]:
        return proc.shell(f"cat >> '{out}'")

    # Each p* call resolves once the input is written and closed; the child
    # may still be appending, so each one is waited for before the next.
    run(proc.pwrite(cat(), b"raw "))
    wait_for_children()
    run(proc.pwrite(cat(), "text\n"))
    wait_for_children()
    run(proc.pwrite_line(cat(), "line"))
    wait_for_children()
    run(proc.pwrite_chars(cat(), stream.of_list([b"c", b"h"])))
    wait_for_children()
    run(proc.pwrite_lines(cat(), stream.of_list(["l1", "l2"])))
    wait_for_children()
    assert out.read_bytes() == b"raw text\nline\nchl1\nl2\n"


def test_pmap_and_pmap_line() -> None:
    upper = ("", ["tr", "a-z", "A-Z"])
    assert run(proc.pmap(upper, b"hello\nworld\n")) == b"HELLO\nWORLD\n"
    assert run(proc.pmap_line(upper, "quiet")) == "QUIET"


def test_pmap_moves_more_than_a_pipe_holds_both_ways() -> None:
    data = bytes(range(256)) * 8192  # 2 MiB: writer and reader must overlap
    assert run(proc.pmap(("", ["cat"]), data)) == data


def test_pmap_lines_and_chars_are_streams() -> None:
    got = proc.pmap_lines(("", ["cat"]), stream.of_list([f"line {i}" for i in range(500)]))
    assert run(stream.to_list(got)) == [f"line {i}" for i in range(500)]
    chars = proc.pmap_chars(("", ["tr", "a-z", "A-Z"]), stream.of_list([b"a", b"b"]))
    assert run(stream.to_list(chars)) == [b"A", b"B"]


def test_pmap_lines_reports_a_failing_writer_in_the_stream() -> None:
    def lines() -> lwt.Promise[str | None]:
        return lwt.fail(ValueError("the producer broke"))

    got = proc.pmap_lines(("", ["cat"]), stream.from_(lines))
    with pytest.raises(ValueError, match="the producer broke"):
        run(stream.to_list(got))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40)))
def test_pmap_lines_through_cat_gives_back_the_lines(lines: list[str]) -> None:
    got = run(stream.to_list(proc.pmap_lines(("", ["cat"]), stream.of_list(lines))))
    assert got == lines


# ----------------------------------------------------------- process objects


def test_state_kill_and_status() -> None:
    p = proc.open_process_none(("", ["sleep", "30"]))
    assert p.state is proc.Running
    assert p.pid > 0
    assert repr(p) == f"<ProcessNone pid={p.pid} Running>"
    p.kill(signal.SIGTERM)
    assert run(p.status()) == unix.WSIGNALED(signal.SIGTERM)
    assert p.state == proc.Exited(unix.WSIGNALED(signal.SIGTERM))
    p.kill(signal.SIGTERM)  # ended: nothing is sent
    p.terminate()


def test_terminate_kills_with_sigkill() -> None:
    p = proc.open_process_none(proc.shell("trap '' TERM; sleep 30"))
    p.terminate()
    assert run(p.close()) == unix.WSIGNALED(signal.SIGKILL)


def test_rusage_counts_the_child_s_cpu_time() -> None:
    p = proc.open_process_none(python("sum(range(3_000_000))"))
    usage = run(p.rusage())
    assert isinstance(usage, resource.struct_rusage)
    assert usage.ru_utime + usage.ru_stime > 0
    assert run(p.status()) == unix.WEXITED(0)


def test_cancelling_status_does_not_stop_the_wait() -> None:
    # cat runs until its input is closed: the wait is surely pending.
    p = proc.open_process_out(("", ["cat"]), stdout=proc.Dev_null)
    s = p.status()
    s.cancel()
    assert isinstance(lwt.state(s), lwt.Fail)
    assert p.state is proc.Running
    assert run(p.close()) == unix.WEXITED(0)


def test_close_closes_every_channel_and_then_waits() -> None:
    p = proc.open_process_full(python("import sys; sys.exit(len(sys.stdin.read()) != 7)"))
    run(p.stdin.write("ignored"))
    assert run(p.close()) == unix.WEXITED(0)
    assert p.stdin.is_closed()
    assert p.stdout.is_closed()
    assert p.stderr.is_closed()
    assert run(p.close()) == unix.WEXITED(0)  # again: only waits


def test_process_talks_both_ways_line_by_line() -> None:
    code = "import sys\nfor line in sys.stdin:\n    print(line.strip()[::-1], flush=True)\n"
    p = proc.open_process(python(code))
    replies = []
    for word in ("abc", "lwt"):
        run(p.stdin.write_line(word))
        run(p.stdin.flush())
        replies.append(run(p.stdout.read_line()))
    assert replies == ["cba", "twl"]
    assert run(p.close()) == unix.WEXITED(0)


def test_process_full_separates_stdout_and_stderr() -> None:
    def body(p: proc.ProcessFull) -> lwt.Promise[tuple[bytes, bytes]]:
        return lwt.both(p.stdout.read(), p.stderr.read())

    out, err = run(proc.with_process_full(proc.shell("echo out; echo err >&2"), body))
    assert (out, err) == (b"out\n", b"err\n")


def test_process_out_and_with_process_out(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def body(p: proc.ProcessOut) -> lwt.Promise[None]:
        return p.stdin.write("through stdin\n")

    run(proc.with_process_out(proc.shell(f"cat > '{out}'"), body))  # closing waits
    assert out.read_text() == "through stdin\n"


def test_with_process_closes_even_when_the_function_fails() -> None:
    seen: list[proc.Process] = []

    def body(p: proc.Process) -> lwt.Promise[None]:
        seen.append(p)
        raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        run(proc.with_process(("", ["cat"]), body))
    (p,) = seen
    assert p.stdin.is_closed()
    assert p.stdout.is_closed()
    assert run(p.status()) == unix.WEXITED(0)  # cat saw end of input


def test_with_process_none_gives_f_s_result() -> None:
    def body(p: proc.ProcessNone) -> lwt.Promise[int]:
        return lwt.return_(p.pid)

    assert run(proc.with_process_none(("", ["true"]), body)) > 0


def test_timeout_does_not_fire_after_the_child_ends() -> None:
    p = proc.open_process_none(("", ["true"]), timeout=30.0)
    assert run(p.close()) == unix.WEXITED(0)
    # The timer went with the child: the fresh_engine fixture checks that
    # no timer is left registered.


# ------------------------------------------------------ nothing left behind


@needs_proc
def test_no_descriptor_and_no_child_is_left_behind() -> None:
    before = open_fds()
    run(lwt.join([proc.exec(("", ["true"])) for _ in range(20)]))
    run(lwt.join([proc.pread(("", ["echo", "x"])).map(lambda _: None) for _ in range(20)]))
    procs = [proc.open_process_full(("", ["cat"])) for _ in range(5)]
    run(lwt.join([p.close().map(lambda _: None) for p in procs]))
    wait_for_children()
    assert open_fds() == before
    for p in procs:  # reaped: the system no longer knows them as our children
        with pytest.raises(ChildProcessError):
            os.waitpid(p.pid, os.WNOHANG)


def test_subprocess_never_reaps_our_children() -> None:
    p = proc.open_process_none(("", ["sleep", "0.2"]))
    # A later Popen runs subprocess's cleanup of abandoned children; ours
    # must not be among them, or its status would be lost.
    subprocess.run(["true"], check=True)
    assert run(p.status()) == unix.WEXITED(0)


def test_many_processes_at_once() -> None:
    codes = run(lwt.all([proc.exec(proc.shell(f"exit {i % 5}")) for i in range(60)]))
    assert codes == [unix.WEXITED(i % 5) for i in range(60)]
