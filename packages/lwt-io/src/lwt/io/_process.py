"""Child processes with channels to talk to them (Lwt_process).

A child is started with :class:`subprocess.Popen`, which does the hard part
safely in C even while worker threads run (``fork`` from Python would not
be): the search along ``PATH``, the working directory, the environment and
the dup2 of the three standard descriptors.  From then on ``subprocess``
has no say: lwt reaps the child itself with :func:`lwt.unix.wait4`, so no
thread and no polling is involved, and the ``Popen`` object is told the
child is already accounted for, so that it never calls ``waitpid`` on a pid
that is ours (it would steal the exit status, and a recycled pid could make
it reap a stranger).

The wait starts when the process object is made, so a child is reaped as
soon as it ends even if nobody asks for its status.
"""

from __future__ import annotations

import os
import signal as _signal
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, TypeVar

import lwt.core as _lwt
import lwt.unix as _unix
from lwt.core import stream as _stream

from . import _channel
from ._channel import InputChannel, OutputChannel

T = TypeVar("T")

Status = _unix.WEXITED | _unix.WSIGNALED | _unix.WSTOPPED

# A command: the program to run ("" to take it from argv[0]) and argv.
Command = tuple[str, Sequence[str]]


def shell(cmd: str) -> tuple[str, list[str]]:
    """Return the command that runs ``cmd`` with ``/bin/sh -c``."""
    return ("", ["/bin/sh", "-c", cmd])


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


class _Fixed(Enum):
    """The redirections that carry no descriptor."""

    Keep = "Keep"
    Dev_null = "Dev_null"
    Close = "Close"

    def __repr__(self) -> str:
        return self.value

    __str__ = __repr__


Keep = _Fixed.Keep
Dev_null = _Fixed.Dev_null
Close = _Fixed.Close


@dataclass(frozen=True)
class FD_copy:  # Lwt's constructor name, kept as the contract spells it
    """Redirect to what ``fd`` refers to; ``fd`` stays open in the parent."""

    fd: int | _HasFileno


@dataclass(frozen=True)
class FD_move:  # Lwt's constructor name, kept as the contract spells it
    """Redirect to what ``fd`` refers to, then close ``fd`` in the parent."""

    fd: int | _HasFileno


Redirection = _Fixed | FD_copy | FD_move


class _RunningState:
    __slots__ = ()

    def __repr__(self) -> str:
        return "Running"


Running = _RunningState()


@dataclass(frozen=True)
class Exited:
    """The state of a process that has ended, with how it ended."""

    status: Status


State = _RunningState | Exited

# --------------------------------------------------------------------------
# Starting a child


def _program(cmd: Command) -> tuple[str | None, list[str]]:
    """Check ``cmd`` and return ``(executable or None, argv)``."""
    try:
        prog, args = cmd
    except (TypeError, ValueError):
        raise _lwt.InvalidArgument(
            f"lwt.io.process: a command is (program, [argv0, ...]), not {cmd!r}"
        ) from None
    if isinstance(args, (str, bytes)):
        raise _lwt.InvalidArgument(
            f"lwt.io.process: the arguments of a command are a list of strings, not {args!r}"
        )
    argv = list(args)
    if not argv:
        raise _lwt.InvalidArgument(f"lwt.io.process: empty argument list in command {cmd!r}")
    return (prog or None), argv


def _environment(env: Mapping[str, str] | Iterable[str] | None) -> dict[str, str] | None:
    if env is None:
        return None
    if isinstance(env, Mapping):
        return dict(env)
    out: dict[str, str] = {}
    for entry in env:
        name, eq, value = entry.partition("=")
        if not eq or not name:
            raise _lwt.InvalidArgument(
                f"lwt.io.process: environment entries are 'NAME=value', not {entry!r}"
            )
        out[name] = value
    return out


def _fileno(fd: int | _HasFileno) -> int:
    n = fd if isinstance(fd, int) else fd.fileno()
    if n < 0:
        raise _lwt.InvalidArgument(f"lwt.io.process: bad file descriptor {n}")
    return n


# A closed standard descriptor cannot be asked of Popen.  The child gets
# instead a descriptor that refuses the direction it would be used in, so
# reading from its stdin or writing to its stdout fails with EBADF, as on a
# closed descriptor (only the number itself stays taken).
_REFUSING = {0: os.O_WRONLY, 1: os.O_RDONLY, 2: os.O_RDONLY}
_O_PATH = getattr(os, "O_PATH", 0)


def _refusing_fd(target: int) -> int:
    flags = (_O_PATH or _REFUSING[target]) | os.O_CLOEXEC
    return os.open(os.devnull, flags)


def _popen_arg(target: int, how: Redirection, opened: list[int]) -> Any:
    """What to give Popen for standard descriptor ``target``."""
    if how is Keep:
        return None
    if how is Dev_null:
        return subprocess.DEVNULL
    if how is Close:
        fd = _refusing_fd(target)
        opened.append(fd)
        return fd
    if isinstance(how, (FD_copy, FD_move)):
        return _fileno(how.fd)
    raise _lwt.InvalidArgument(
        f"lwt.io.process: a redirection is Keep, Dev_null, Close, FD_copy(fd) or FD_move(fd), "
        f"not {how!r}"
    )


def _release(how: Redirection) -> None:
    """Close the parent's copy of an ``FD_move`` descriptor."""
    if isinstance(how, FD_move):
        fd = how.fd
        if isinstance(fd, int):
            os.close(fd)
        else:
            closing = getattr(fd, "close", None)
            if closing is not None:
                closing()


def _spawn(
    cmd: Command,
    timeout: float | None,
    env: Mapping[str, str] | Iterable[str] | None,
    cwd: str | os.PathLike[str] | None,
    stdin: Redirection,
    stdout: Redirection,
    stderr: Redirection,
) -> int:
    """Start the child and return its pid; ``FD_move`` descriptors are closed either way."""
    opened: list[int] = []
    try:
        if timeout is not None and not timeout >= 0:
            raise _lwt.InvalidArgument(f"lwt.io.process: negative or NaN timeout {timeout!r}")
        program, argv = _program(cmd)
        environment = _environment(env)
        popen = subprocess.Popen(
            argv,
            executable=program,
            stdin=_popen_arg(0, stdin, opened),
            stdout=_popen_arg(1, stdout, opened),
            stderr=_popen_arg(2, stderr, opened),
            cwd=cwd,
            env=environment,
            close_fds=True,
        )
        # lwt reaps this child: make Popen believe it is already reaped, so
        # that neither its __del__ nor a later Popen's cleanup calls waitpid.
        popen.returncode = 0
        return popen.pid
    finally:
        for fd in opened:
            os.close(fd)
        for how in (stdin, stdout, stderr):
            _release(how)


# --------------------------------------------------------------------------
# Process objects


class ProcessNone:
    """A running child process that lwt does not exchange data with.

    Made by :func:`open_process_none` (and the constructor, which takes the
    same arguments).  The child is reaped as soon as it ends.  With
    ``timeout``, the child is killed (``SIGKILL``) after that many seconds
    if still running, and its channels are closed.

    Raises:
        OSError: the program could not be started (not found, not
            executable, bad ``cwd``).
        lwt.core.InvalidArgument: a malformed command, environment or
            redirection.
    """

    __slots__ = ("__weakref__", "_channels", "_closed", "_cutoff", "_pid", "_timer", "_wait")

    def __init__(
        self,
        cmd: Command,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | Iterable[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        stdin: Redirection = Keep,
        stdout: Redirection = Keep,
        stderr: Redirection = Keep,
    ) -> None:
        self._cutoff = _Cutoff()
        self._start(cmd, timeout, env, cwd, stdin, stdout, stderr, ())

    def _start(
        self,
        cmd: Command,
        timeout: float | None,
        env: Mapping[str, str] | Iterable[str] | None,
        cwd: str | os.PathLike[str] | None,
        stdin: Redirection,
        stdout: Redirection,
        stderr: Redirection,
        channels: tuple[InputChannel | OutputChannel, ...],
    ) -> None:
        self._channels = channels
        self._closed = False
        self._timer: _lwt.Promise[None] | None = None
        self._pid = _spawn(cmd, timeout, env, cwd, stdin, stdout, stderr)
        self._wait: _lwt.Promise[tuple[int, Status, Any]] = _unix.wait4(0, self._pid)
        if timeout is not None and _lwt.is_sleeping(self._wait):
            self._arm(timeout)

    def _arm(self, timeout: float) -> None:
        timer = _unix.sleep(timeout)
        self._timer = timer
        # The timer must not outlive the child: it would keep a pending
        # event in the engine for nothing.
        self._wait.on_termination(timer.cancel)
        timer.on_success(self._time_is_up)

    def _time_is_up(self, _: None) -> None:
        self.terminate()
        # Lwt's promise is that I/O pending on the channels fails: close()
        # would wait for it, so the channels are aborted instead.
        self._closed = True
        self._cutoff.cut = True
        for ch in self._channels:
            _lwt.dont_wait(ch.abort, _ignore)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._pid

    @property
    def state(self) -> State:
        """``Running``, or ``Exited(status)`` once the child has been reaped."""
        got = _lwt.poll(self._wait)
        if got is None:
            return Running
        return Exited(got[1])

    def kill(self, signum: int) -> None:
        """Send the signal ``signum`` to the child, unless it has ended."""
        if _lwt.is_sleeping(self._wait):
            # Not reaped yet (reaping happens on this thread), so the pid
            # still names our child, even if it is a zombie.
            os.kill(self._pid, signum)

    def terminate(self) -> None:
        """Kill the child with ``SIGKILL``, unless it has ended."""
        self.kill(_signal.SIGKILL)

    def status(self) -> _lwt.Promise[Status]:
        """A promise of how the child ended.

        Cancelling it does not stop the wait for the child.
        """
        return _lwt.protected(self._wait).map(_second)

    def rusage(self) -> _lwt.Promise[Any]:
        """A promise of the child's resource usage once it has ended.

        The value is a :class:`resource.struct_rusage` (``ru_utime``,
        ``ru_stime`` and the rest).
        """
        return _lwt.protected(self._wait).map(_third)

    def close(self) -> _lwt.Promise[Status]:
        """Close the channels to the child, then wait for it to end.

        Returns a promise of its status.  Closing again only waits.
        """
        if self._closed:
            return self.status()
        self._closed = True
        closing = _lwt.join([ch.close() for ch in self._channels])
        return _lwt.protected(closing).bind(lambda _: self.status())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} pid={self._pid} {self.state!r}>"


def _second(got: tuple[int, Status, Any]) -> Status:
    return got[1]


def _third(got: tuple[int, Status, Any]) -> Any:
    return got[2]


def _ignore(_: BaseException) -> None:
    """The failure is reported by :meth:`ProcessNone.close` instead."""


class _Cutoff:
    """Whether a process's timeout cut its channels off.

    The channels' reads and writes go through it: once the timeout has
    aborted the channels, an operation that was waiting on the pipe fails
    with :class:`~lwt.io.ChannelClosed`, as Lwt says, rather than with the
    ``EBADF`` of the descriptor closed under it.
    """

    __slots__ = ("cut",)

    def __init__(self) -> None:
        self.cut = False

    def guard(self, io: Callable[..., _lwt.Promise[int]], fd: _unix.FileDescr) -> Any:
        def perform(buf: Any, ofs: int, length: int) -> _lwt.Promise[int]:
            p = io(fd, buf, ofs, length)
            if p.is_sleeping():
                return _lwt.catch(lambda: p, self._failed)
            return p

        return perform

    def _failed(self, exc: BaseException) -> _lwt.Promise[int]:
        if self.cut and not isinstance(exc, _channel.ChannelClosed):
            closed = _channel.ChannelClosed("process timeout")
            closed.__cause__ = exc
            return _lwt.fail(closed)
        return _lwt.fail(exc)


def _pipe_channel(fd: _unix.FileDescr, mode: str, cutoff: _Cutoff) -> Any:
    io = _unix.read if mode == _channel.input else _unix.write
    cls = InputChannel if mode == _channel.input else OutputChannel
    ch = cls(cutoff.guard(io, fd), close=lambda: _unix.close(fd))
    ch._direct = True  # the guard takes any buffer, as of_fd's I/O does
    return ch


def _output_pipe(cutoff: _Cutoff) -> tuple[InputChannel, int]:
    r, w = _unix.pipe_in(cloexec=True)
    ic: InputChannel = _pipe_channel(r, _channel.input, cutoff)
    return ic, w


def _input_pipe(cutoff: _Cutoff) -> tuple[int, OutputChannel]:
    r, w = _unix.pipe_out(cloexec=True)
    oc: OutputChannel = _pipe_channel(w, _channel.output, cutoff)
    return r, oc


def _abandon(*channels: InputChannel | OutputChannel) -> None:
    """Close the parent's ends after a failed start."""
    for ch in channels:
        _lwt.dont_wait(ch.abort, _ignore)


class ProcessIn(ProcessNone):
    """A child process whose standard output lwt reads (:attr:`stdout`)."""

    __slots__ = ("_stdout",)

    def __init__(
        self,
        cmd: Command,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | Iterable[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        stdin: Redirection = Keep,
        stderr: Redirection = Keep,
    ) -> None:
        self._cutoff = _Cutoff()
        ic, w = _output_pipe(self._cutoff)
        try:
            self._start(cmd, timeout, env, cwd, stdin, FD_move(w), stderr, (ic,))
        except BaseException:
            _abandon(ic)
            raise
        self._stdout = ic

    @property
    def stdout(self) -> InputChannel:
        """The channel reading what the child writes to its standard output."""
        return self._stdout


class ProcessOut(ProcessNone):
    """A child process whose standard input lwt writes (:attr:`stdin`)."""

    __slots__ = ("_stdin",)

    def __init__(
        self,
        cmd: Command,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | Iterable[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        stdout: Redirection = Keep,
        stderr: Redirection = Keep,
    ) -> None:
        self._cutoff = _Cutoff()
        r, oc = _input_pipe(self._cutoff)
        try:
            self._start(cmd, timeout, env, cwd, FD_move(r), stdout, stderr, (oc,))
        except BaseException:
            _abandon(oc)
            raise
        self._stdin = oc

    @property
    def stdin(self) -> OutputChannel:
        """The channel writing to the child's standard input."""
        return self._stdin


class Process(ProcessNone):
    """A child process with channels to its standard input and output."""

    __slots__ = ("_stdin", "_stdout")

    def __init__(
        self,
        cmd: Command,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | Iterable[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        stderr: Redirection = Keep,
    ) -> None:
        self._cutoff = _Cutoff()
        r, oc = _input_pipe(self._cutoff)
        try:
            ic, w = _output_pipe(self._cutoff)
        except BaseException:
            os.close(r)
            _abandon(oc)
            raise
        try:
            self._start(cmd, timeout, env, cwd, FD_move(r), FD_move(w), stderr, (oc, ic))
        except BaseException:
            _abandon(oc, ic)
            raise
        self._stdin = oc
        self._stdout = ic

    @property
    def stdin(self) -> OutputChannel:
        """The channel writing to the child's standard input."""
        return self._stdin

    @property
    def stdout(self) -> InputChannel:
        """The channel reading the child's standard output."""
        return self._stdout


class ProcessFull(ProcessNone):
    """A child process with channels to all three standard descriptors."""

    __slots__ = ("_stderr", "_stdin", "_stdout")

    def __init__(
        self,
        cmd: Command,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | Iterable[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self._cutoff = _Cutoff()
        made: list[InputChannel | OutputChannel] = []
        loose: list[int] = []
        try:
            r, oc = _input_pipe(self._cutoff)
            loose.append(r)
            made.append(oc)
            ic, w = _output_pipe(self._cutoff)
            loose.append(w)
            made.append(ic)
            ec, ew = _output_pipe(self._cutoff)
            loose.append(ew)
            made.append(ec)
        except BaseException:
            for fd in loose:
                os.close(fd)
            _abandon(*made)
            raise
        try:
            self._start(cmd, timeout, env, cwd, FD_move(r), FD_move(w), FD_move(ew), (oc, ic, ec))
        except BaseException:
            _abandon(oc, ic, ec)
            raise
        self._stdin = oc
        self._stdout = ic
        self._stderr = ec

    @property
    def stdin(self) -> OutputChannel:
        """The channel writing to the child's standard input."""
        return self._stdin

    @property
    def stdout(self) -> InputChannel:
        """The channel reading the child's standard output."""
        return self._stdout

    @property
    def stderr(self) -> InputChannel:
        """The channel reading the child's standard error."""
        return self._stderr


# --------------------------------------------------------------------------
# Opening, and opening for the time of a function

_Env = Mapping[str, str] | Iterable[str] | None
_Cwd = str | os.PathLike[str] | None


def open_process_none(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> ProcessNone:
    """Start ``cmd`` with no channel to it; see :class:`ProcessNone`."""
    return ProcessNone(
        cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr
    )


def open_process_in(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> ProcessIn:
    """Start ``cmd`` and read its standard output; see :class:`ProcessIn`."""
    return ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr)


def open_process_out(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> ProcessOut:
    """Start ``cmd`` and write its standard input; see :class:`ProcessOut`."""
    return ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr)


def open_process(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> Process:
    """Start ``cmd`` with channels to its standard input and output; see :class:`Process`."""
    return Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr)


def open_process_full(
    cmd: Command, *, timeout: float | None = None, env: _Env = None, cwd: _Cwd = None
) -> ProcessFull:
    """Start ``cmd`` with channels to its three standard descriptors; see :class:`ProcessFull`."""
    return ProcessFull(cmd, timeout=timeout, env=env, cwd=cwd)


P = TypeVar("P", bound=ProcessNone)


def _with(make: Callable[[], P], f: Callable[[P], _lwt.Promise[T]]) -> _lwt.Promise[T]:
    """Run ``f`` on a new process and close the process after, however ``f`` ends."""
    try:
        proc = make()
    except Exception as exc:
        return _lwt.fail(exc)
    return _lwt.finalize(lambda: f(proc), lambda: proc.close().map(_to_none))


def _to_none(_: object) -> None:
    return None


def with_process_none(
    cmd: Command,
    f: Callable[[ProcessNone], _lwt.Promise[T]],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[T]:
    """Call ``f`` on a new :class:`ProcessNone`, and close it when ``f``'s promise resolves."""
    return _with(
        lambda: ProcessNone(
            cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr
        ),
        f,
    )


def with_process_in(
    cmd: Command,
    f: Callable[[ProcessIn], _lwt.Promise[T]],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[T]:
    """Call ``f`` on a new :class:`ProcessIn`, and close it when ``f``'s promise resolves."""
    return _with(
        lambda: ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr), f
    )


def with_process_out(
    cmd: Command,
    f: Callable[[ProcessOut], _lwt.Promise[T]],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[T]:
    """Call ``f`` on a new :class:`ProcessOut`, and close it when ``f``'s promise resolves."""
    return _with(
        lambda: ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr),
        f,
    )


def with_process(
    cmd: Command,
    f: Callable[[Process], _lwt.Promise[T]],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> _lwt.Promise[T]:
    """Call ``f`` on a new :class:`Process`, and close it when ``f``'s promise resolves."""
    return _with(lambda: Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr), f)


def with_process_full(
    cmd: Command,
    f: Callable[[ProcessFull], _lwt.Promise[T]],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
) -> _lwt.Promise[T]:
    """Call ``f`` on a new :class:`ProcessFull`, and close it when ``f``'s promise resolves."""
    return _with(lambda: ProcessFull(cmd, timeout=timeout, env=env, cwd=cwd), f)


# --------------------------------------------------------------------------
# Running a command in one call


def _started(make: Callable[[], P], then: Callable[[P], _lwt.Promise[T]]) -> _lwt.Promise[T]:
    """Start a process and go on with it; a failed start is a rejected promise."""
    try:
        proc = make()
    except Exception as exc:
        return _lwt.fail(exc)
    return then(proc)


def exec(  # Lwt's name; it shadows the builtin only inside this module
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[Status]:
    """Run ``cmd`` and return a promise of how it ended.

    The promise is rejected with :class:`OSError` if the program cannot be
    started.
    """
    return _started(
        lambda: ProcessNone(
            cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=stderr
        ),
        ProcessNone.close,
    )


def _read_then_close(
    ic: InputChannel, read: Callable[[InputChannel], _lwt.Promise[T]]
) -> _lwt.Promise[T]:
    return _lwt.finalize(lambda: read(ic), ic.close)


def _none_at_end(exc: BaseException) -> _lwt.Promise[Any]:
    """End of a child's output: end of file, or a broken pipe."""
    if isinstance(exc, (EOFError, BrokenPipeError)):
        return _lwt.return_none
    return _lwt.fail(exc)


def _stream_of(ic: InputChannel, read: Callable[[], _lwt.Promise[T]]) -> _stream.Stream[T]:
    """A stream of what ``read`` gives; the channel is closed at the end."""

    def step() -> _lwt.Promise[T | None]:
        got: _lwt.Promise[T | None] = _lwt.catch(read, _none_at_end)

        def at_end(x: T | None) -> _lwt.Promise[T | None]:
            if x is None:
                return ic.close().map(lambda _: None)
            return _lwt.return_(x)

        return got.bind(at_end)

    return _stream.from_(step)


def pread(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[bytes]:
    """Run ``cmd`` and return a promise of everything it writes to its standard output."""
    return _started(
        lambda: ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr),
        lambda p: _read_then_close(p.stdout, InputChannel.read),
    )


def pread_line(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[str]:
    """Run ``cmd`` and return a promise of the first line of its output.

    Rejected with :class:`EOFError` if the command writes nothing.
    """
    return _started(
        lambda: ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr),
        lambda p: _read_then_close(p.stdout, InputChannel.read_line),
    )


def pread_chars(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _stream.Stream[bytes]:
    """Run ``cmd`` and return the stream of the bytes it writes, one by one.

    Raises:
        OSError: the program could not be started.
    """
    p = ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr)
    return _stream_of(p.stdout, p.stdout.read_char)


def pread_lines(
    cmd: Command,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdin: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _stream.Stream[str]:
    """Run ``cmd`` and return the stream of the lines it writes.

    Raises:
        OSError: the program could not be started.
    """
    p = ProcessIn(cmd, timeout=timeout, env=env, cwd=cwd, stdin=stdin, stderr=stderr)
    return _stream_of(p.stdout, p.stdout.read_line)


def _send(
    oc: OutputChannel, write: Callable[[OutputChannel, T], _lwt.Promise[None]], data: T
) -> _lwt.Promise[None]:
    return _lwt.finalize(lambda: write(oc, data), oc.close)


def _write_chars(oc: OutputChannel, chars: _stream.Stream[bytes]) -> _lwt.Promise[None]:
    return _stream.iter_s(oc.write, chars)


def _write_lines(oc: OutputChannel, lines: _stream.Stream[str]) -> _lwt.Promise[None]:
    return _stream.iter_s(oc.write_line, lines)


def pwrite(
    cmd: Command,
    text: bytes | str,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[None]:
    """Run ``cmd`` and write ``text`` to its standard input, then close it."""
    return _started(
        lambda: ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr),
        lambda p: _send(p.stdin, OutputChannel.write, text),
    )


def pwrite_line(
    cmd: Command,
    line: str,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[None]:
    """Run ``cmd`` and write ``line`` and a newline to its standard input, then close it."""
    return _started(
        lambda: ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr),
        lambda p: _send(p.stdin, OutputChannel.write_line, line),
    )


def pwrite_chars(
    cmd: Command,
    chars: _stream.Stream[bytes],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[None]:
    """Run ``cmd`` and write each element of ``chars`` to its standard input, then close it."""
    return _started(
        lambda: ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr),
        lambda p: _send(p.stdin, _write_chars, chars),
    )


def pwrite_lines(
    cmd: Command,
    lines: _stream.Stream[str],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stdout: Redirection = Keep,
    stderr: Redirection = Keep,
) -> _lwt.Promise[None]:
    """Run ``cmd`` and write each line of ``lines`` to its standard input, then close it."""
    return _started(
        lambda: ProcessOut(cmd, timeout=timeout, env=env, cwd=cwd, stdout=stdout, stderr=stderr),
        lambda p: _send(p.stdin, _write_lines, lines),
    )


def _both(sender: _lwt.Promise[None], getter: _lwt.Promise[T]) -> _lwt.Promise[T]:
    """Wait for the writer, then give the reader's result.

    Cancelling the result while the writer runs cancels the reader too, so
    neither is left behind.
    """

    def on_sender_failure(exc: BaseException) -> _lwt.Promise[T]:
        if isinstance(exc, _lwt.Canceled):
            getter.cancel()
        return _lwt.fail(exc)

    return _lwt.try_bind(lambda: sender, lambda _: getter, on_sender_failure)


def pmap(
    cmd: Command,
    text: bytes | str,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> _lwt.Promise[bytes]:
    """Run ``cmd``, feed it ``text``, and return a promise of all it writes back.

    Writing and reading go on at the same time, so a filter that answers as
    it reads cannot block on a full pipe.
    """

    def go(p: Process) -> _lwt.Promise[bytes]:
        sender = _send(p.stdin, OutputChannel.write, text)
        getter = _read_then_close(p.stdout, InputChannel.read)
        return _both(sender, getter)

    return _started(lambda: Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr), go)


def pmap_line(
    cmd: Command,
    line: str,
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> _lwt.Promise[str]:
    """Run ``cmd``, feed it ``line`` and a newline, and return the first line it writes."""

    def go(p: Process) -> _lwt.Promise[str]:
        sender = _send(p.stdin, OutputChannel.write_line, line)
        getter = _read_then_close(p.stdout, InputChannel.read_line)
        return _both(sender, getter)

    return _started(lambda: Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr), go)


class _Watched:
    """A stream's elements, with a concurrent writer's failure reported in it.

    The elements come from ``source``.  Until the writer ends, each pull
    also watches it: if the writer fails first, that pull raises its
    exception, and the element it was waiting for comes on the next pull.
    Once the writer has succeeded, elements come straight from ``source``.
    """

    __slots__ = ("held", "sender", "source", "watching")

    def __init__(self, sender: _lwt.Promise[None], source: _stream.Stream[Any]) -> None:
        self.sender: _lwt.Promise[Any] = sender.map(_to_none)
        self.source = source
        self.watching = True
        self.held: _lwt.Promise[Any] | None = None

    def __call__(self) -> _lwt.Promise[Any]:
        held = self.held
        if held is not None:
            self.held = None
            return held
        if not self.watching:
            return self.source.get()
        getter = _lwt.apply(self.source.get)
        sender = self.sender

        def decide(_: object) -> _lwt.Promise[Any]:
            if _lwt.is_sleeping(sender):
                return getter
            if isinstance(_lwt.state(sender), _lwt.Fail):
                self.watching = False
                self.held = getter
                return sender
            self.watching = False
            return getter

        return _lwt.try_bind(lambda: _lwt.choose([sender, getter]), decide, decide)


def pmap_chars(
    cmd: Command,
    chars: _stream.Stream[bytes],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> _stream.Stream[bytes]:
    """Run ``cmd``, feed it the bytes of ``chars``, and return the stream of bytes it writes.

    A failure while writing is raised by the stream.

    Raises:
        OSError: the program could not be started.
    """
    p = Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr)
    sender = _send(p.stdin, _write_chars, chars)
    return _stream.from_(_Watched(sender, _stream_of(p.stdout, p.stdout.read_char)))


def pmap_lines(
    cmd: Command,
    lines: _stream.Stream[str],
    *,
    timeout: float | None = None,
    env: _Env = None,
    cwd: _Cwd = None,
    stderr: Redirection = Keep,
) -> _stream.Stream[str]:
    """Run ``cmd``, feed it ``lines``, and return the stream of lines it writes.

    A failure while writing is raised by the stream.

    Raises:
        OSError: the program could not be started.
    """
    p = Process(cmd, timeout=timeout, env=env, cwd=cwd, stderr=stderr)
    sender = _send(p.stdin, _write_lines, lines)
    return _stream.from_(_Watched(sender, _stream_of(p.stdout, p.stdout.read_line)))
