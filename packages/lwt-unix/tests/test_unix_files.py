"""lwt.unix's file-system, user and terminal calls, run as jobs on real files."""

from __future__ import annotations

import errno
import grp
import os
import pwd
import stat as stat_mod
import termios
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix.main import run


def test_openfile_write_seek_read_close(tmp_path: Path) -> None:
    path = str(tmp_path / "f")
    fd = run(unix.openfile(path, [os.O_RDWR, os.O_CREAT], 0o600))
    assert isinstance(fd, unix.FileDescr)
    assert run(unix.write_string(fd, "hello world", 0, 11)) == 11
    assert run(unix.lseek(fd, 6, os.SEEK_SET)) == 6
    buf = bytearray(5)
    assert run(unix.read(fd, buf, 0, 5)) == 5
    assert bytes(buf) == b"world"
    assert run(unix.lseek(fd, 0, os.SEEK_END)) == 11
    st = run(unix.fstat(fd))
    assert st.st_size == 11
    assert st.st_mode & 0o777 == 0o600
    run(unix.ftruncate(fd, 5))
    run(unix.fsync(fd))
    run(unix.fdatasync(fd))
    assert run(unix.LargeFile.fstat(fd)).st_size == 5
    assert run(unix.isatty(fd)) is False
    run(unix.close(fd))
    assert Path(path).read_bytes() == b"hello"
    assert engine.readable_count() == 0


def test_openfile_error_names_the_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    with pytest.raises(FileNotFoundError) as info:
        run(unix.openfile(missing, os.O_RDONLY, 0))
    assert info.value.errno == errno.ENOENT
    assert info.value.filename == missing
    with pytest.raises(FileExistsError):
        run(unix.openfile(str(tmp_path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def test_calls_on_a_closed_descriptor_are_rejected(tmp_path: Path) -> None:
    fd = run(unix.openfile(str(tmp_path / "g"), os.O_WRONLY | os.O_CREAT, 0o600))
    run(unix.close(fd))
    for p in (unix.fstat(fd), unix.lseek(fd, 0, os.SEEK_SET), unix.fsync(fd), unix.isatty(fd)):
        with pytest.raises(OSError, match=r"\[Errno 9\]"):
            run(p)
    with pytest.raises(OSError, match=r"\[Errno 9\]"):
        unix.dup(fd)


def test_stat_lstat_truncate_utimes_exists(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"0123456789")
    link = tmp_path / "l"
    run(unix.symlink(str(target), str(link)))
    assert run(unix.readlink(str(link))) == str(target)
    assert run(unix.stat(str(link))).st_size == 10
    assert stat_mod.S_ISLNK(run(unix.lstat(str(link))).st_mode)
    assert run(unix.LargeFile.lstat(str(link))) == os.lstat(link)
    run(unix.truncate(str(target), 3))
    assert target.read_bytes() == b"012"
    run(unix.utimes(str(target), 1_000_000.0, 2_000_000.0))
    st = os.stat(target)
    assert (st.st_atime, st.st_mtime) == (1_000_000.0, 2_000_000.0)
    run(unix.utimes(str(target), 0.0, 0.0))
    assert os.stat(target).st_mtime > 2_000_000.0
    assert run(unix.file_exists(str(target))) is True
    assert run(unix.file_exists(str(tmp_path / "nope"))) is False
    assert run(unix.file_exists(str(target / "below_a_file"))) is False
    with pytest.raises(FileNotFoundError):
        run(unix.stat(str(tmp_path / "nope")))


def test_unlink_rename_link_chmod_chown_access(tmp_path: Path) -> None:
    a, b, c = (str(tmp_path / n) for n in "abc")
    Path(a).write_text("x")
    run(unix.rename(a, b))
    assert not os.path.exists(a)
    run(unix.link(b, c))
    assert os.stat(b).st_nlink == 2
    run(unix.chmod(c, 0o640))
    assert os.stat(b).st_mode & 0o777 == 0o640
    fd = run(unix.openfile(b, os.O_RDONLY, 0))
    run(unix.fchmod(fd, 0o600))
    assert os.stat(c).st_mode & 0o777 == 0o600
    run(unix.fchown(fd, -1, -1))
    run(unix.close(fd))
    run(unix.chown(b, os.getuid(), os.getgid()))
    run(unix.access(b, os.R_OK))
    run(unix.access(b, [os.R_OK, os.W_OK]))
    with pytest.raises(FileNotFoundError):
        run(unix.access(a, os.F_OK))
    if os.getuid() != 0:
        with pytest.raises(PermissionError):
            run(unix.access(b, os.X_OK))
    run(unix.unlink(b))
    run(unix.unlink(c))
    with pytest.raises(FileNotFoundError) as info:
        run(unix.unlink(c))
    assert info.value.filename == c


def test_dup_dup2_and_close_on_exec(tmp_path: Path) -> None:
    r, w = unix.pipe()
    w2 = unix.dup(w)
    assert w2.unix_file_descr != w.unix_file_descr
    assert not os.get_inheritable(w2.unix_file_descr)
    w3 = unix.dup(w, cloexec=False)
    assert os.get_inheritable(w3.unix_file_descr)
    unix.set_close_on_exec(w3)
    assert not os.get_inheritable(w3.unix_file_descr)
    unix.clear_close_on_exec(w3)
    assert os.get_inheritable(w3.unix_file_descr)
    assert run(unix.write_string(w2, "via dup", 0, 7)) == 7
    buf = bytearray(7)
    assert run(unix.read(r, buf, 0, 7)) == 7
    assert bytes(buf) == b"via dup"
    f = run(unix.openfile(str(tmp_path / "d"), os.O_WRONLY | os.O_CREAT, 0o600))
    unix.dup2(w, f)  # f now writes into the pipe
    assert os.get_inheritable(f.unix_file_descr)
    unix.dup2(w, f, cloexec=True)
    assert not os.get_inheritable(f.unix_file_descr)
    assert run(unix.write_string(f, "x", 0, 1)) == 1
    assert run(unix.read(r, buf, 0, 7)) == 1
    for fd in (r, w, w2, w3, f):
        run(unix.close(fd))


def test_directories(tmp_path: Path) -> None:
    d = str(tmp_path / "dir")
    run(unix.mkdir(d, 0o755))
    with pytest.raises(FileExistsError):
        run(unix.mkdir(d, 0o755))
    for name in ("a", "b", "c"):
        Path(d, name).write_text(name)
    dh = run(unix.opendir(d))
    first = run(unix.readdir(dh))
    rest = run(unix.readdir_n(dh, 10))
    assert sorted([first, *rest]) == [".", "..", "a", "b", "c"]
    assert run(unix.readdir_n(dh, 10)) == []
    with pytest.raises(EOFError):
        run(unix.readdir(dh))
    run(unix.rewinddir(dh))
    assert len(run(unix.readdir_n(dh, 2))) == 2
    with pytest.raises(lwt.InvalidArgument):
        run(unix.readdir_n(dh, 0))
    run(unix.closedir(dh))
    with pytest.raises(OSError, match=r"\[Errno 9\] readdir"):
        run(unix.readdir(dh))
    with pytest.raises(OSError, match=r"\[Errno 9\] closedir"):
        run(unix.closedir(dh))
    with pytest.raises(OSError, match=rf"\[Errno {errno.ENOTEMPTY}\]"):
        run(unix.rmdir(d))
    for name in ("a", "b", "c"):
        os.unlink(os.path.join(d, name))
    run(unix.rmdir(d))
    assert not os.path.exists(d)
    with pytest.raises(NotADirectoryError):
        run(unix.opendir(__file__))


def test_files_of_directory_streams_every_name(tmp_path: Path) -> None:
    from lwt.core import stream

    names = {f"f{i}" for i in range(2500)}
    for n in names:
        (tmp_path / n).touch()
    s = unix.files_of_directory(str(tmp_path))
    got = run(stream.to_list(s))
    assert sorted(got) == sorted({".", "..", *names})
    with pytest.raises(FileNotFoundError):
        run(stream.to_list(unix.files_of_directory(str(tmp_path / "missing"))))


def test_chdir_getcwd_chroot(tmp_path: Path) -> None:
    old = os.getcwd()
    try:
        run(unix.chdir(str(tmp_path)))
        assert run(unix.getcwd()) == os.path.realpath(tmp_path)
    finally:
        os.chdir(old)
    with pytest.raises(FileNotFoundError):
        run(unix.chroot(str(tmp_path / "missing")))


def test_mkfifo_and_lockf(tmp_path: Path) -> None:
    fifo = str(tmp_path / "fifo")
    run(unix.mkfifo(fifo, 0o600))
    assert stat_mod.S_ISFIFO(os.stat(fifo).st_mode)
    fd = run(unix.openfile(str(tmp_path / "lock"), os.O_RDWR | os.O_CREAT, 0o600))
    run(unix.lockf(fd, os.F_LOCK, 0))
    run(unix.lockf(fd, os.F_TEST, 0))  # our own lock does not conflict
    run(unix.lockf(fd, os.F_ULOCK, 0))
    run(unix.close(fd))


def test_users_and_groups() -> None:
    me = pwd.getpwuid(os.getuid())
    assert run(unix.getpwuid(os.getuid())) == me
    assert run(unix.getpwnam(me.pw_name)) == me
    group = grp.getgrgid(os.getgid())
    assert run(unix.getgrgid(os.getgid())) == group
    assert run(unix.getgrnam(group.gr_name)) == group
    with pytest.raises(lwt.NotFound):
        run(unix.getpwnam("no-such-user-for-lwt-tests"))
    with pytest.raises(lwt.NotFound):
        run(unix.getgrnam("no-such-group-for-lwt-tests"))
    try:
        expected: str | type[OSError] = os.getlogin()
    except OSError:
        expected = OSError
    if isinstance(expected, str):
        assert run(unix.getlogin()) == expected
    else:
        with pytest.raises(OSError, match=r"\[Errno"):
            run(unix.getlogin())


def test_terminal_calls_on_a_pseudo_terminal() -> None:
    master, slave = os.openpty()
    fd = unix.of_unix_file_descr(slave, blocking=True)
    try:
        assert run(unix.isatty(fd)) is True
        attrs = run(unix.tcgetattr(fd))
        assert attrs == termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO
        run(unix.tcsetattr(fd, termios.TCSANOW, attrs))
        assert termios.tcgetattr(slave)[3] & termios.ECHO == 0
        run(unix.tcdrain(fd))
        run(unix.tcflush(fd, termios.TCIOFLUSH))
        run(unix.tcflow(fd, termios.TCOON))
        run(unix.tcsendbreak(fd, 0))
    finally:
        run(unix.close(fd))
        os.close(master)
    with pytest.raises(OSError, match=r"\[Errno 9\]"):
        run(unix.tcgetattr(fd))


def test_a_coroutine_copies_a_file_with_jobs(tmp_path: Path) -> None:
    from lwt.ppx import promise

    src, dst = tmp_path / "src", str(tmp_path / "dst")
    src.write_bytes(b"abc" * 10_000)

    @promise
    async def copy() -> int:
        fin = await unix.openfile(str(src), os.O_RDONLY, 0)
        fout = await unix.openfile(dst, [os.O_WRONLY, os.O_CREAT, os.O_TRUNC], 0o644)
        buf = bytearray(4096)
        total = 0
        while n := await unix.read(fin, buf, 0, len(buf)):
            total += await unix.write(fout, buf, 0, n)
        await unix.fsync(fout)
        await unix.close(fin)
        await unix.close(fout)
        assert (await unix.stat(dst)).st_size == total
        return total

    assert run(copy()) == 30_000
    assert Path(dst).read_bytes() == src.read_bytes()
