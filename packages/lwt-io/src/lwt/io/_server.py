"""TCP and Unix-domain servers and clients over lwt.io channels."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Callable
from typing import Any, TypeVar

import lwt.core as _lwt
import lwt.unix as _unix
from lwt.io._channel import InputChannel, OutputChannel, input, of_fd, output

__all__ = [
    "Server",
    "establish_server_with_client_address",
    "establish_server_with_client_socket",
    "open_connection",
    "shutdown_server",
    "with_connection",
]

T = TypeVar("T")
Channels = tuple[InputChannel, OutputChannel]

_BACKOFF = 0.1


def _family(addr: Any) -> int:
    if isinstance(addr, (str, bytes)):
        return socket.AF_UNIX
    if isinstance(addr, tuple) and addr and ":" in str(addr[0]):
        return socket.AF_INET6
    return socket.AF_INET


def _channels(
    fd: _unix.FileDescr, buffer_size: int | None = None
) -> tuple[InputChannel, OutputChannel]:
    """Both channels over one socket; the socket is closed when both are."""
    left = [2]

    def close_one() -> _lwt.Promise[None]:
        left[0] -= 1
        if left[0] == 0:
            return _unix.close(fd)
        return _lwt.return_unit

    ic: InputChannel = of_fd(fd, mode=input, buffer_size=buffer_size, close=close_one)
    oc: OutputChannel = of_fd(fd, mode=output, buffer_size=buffer_size, close=close_one)
    return ic, oc


class Server:
    """A listening server, made by ``establish_server_*``; stop it with :func:`shutdown_server`."""

    __slots__ = ("_done", "_fd", "_path", "_stop", "_stop_r", "address")

    def __init__(self, fd: _unix.FileDescr, path: str | bytes | None) -> None:
        self._fd = fd
        self._path = path
        self.address: Any = _unix.getsockname(fd)
        self._stop: _lwt.Promise[None]
        self._stop_r: _lwt.Resolver[None]
        self._done: _lwt.Promise[None]

    def shutdown(self) -> _lwt.Promise[None]:
        """Stop accepting and close the listening socket; existing connections go on."""
        if _lwt.is_sleeping(self._stop):
            _lwt.wakeup_later(self._stop_r, None)
        return self._done


Server.__module__ = "lwt.io"


def shutdown_server(server: Server) -> _lwt.Promise[None]:
    """Stop ``server`` (see :meth:`Server.shutdown`)."""
    return server.shutdown()


def _listen(addr: Any, backlog: int) -> _lwt.Promise[_unix.FileDescr]:
    fd = _unix.socket(_family(addr), socket.SOCK_STREAM, cloexec=True)
    try:
        if _family(addr) != socket.AF_UNIX:
            _unix.setsockopt(fd, socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    except OSError as exc:
        err: BaseException = exc
        return _unix.close(fd).bind(lambda _: _lwt.fail(err))

    def bound(_: None) -> _lwt.Promise[_unix.FileDescr]:
        _unix.listen(fd, backlog)
        return _lwt.return_(fd)

    def failed(exc: BaseException) -> _lwt.Promise[_unix.FileDescr]:
        return _unix.close(fd).bind(lambda _: _lwt.fail(exc))

    return _lwt.catch(lambda: _unix.bind(fd, addr).bind(bound), failed)


def establish_server_with_client_socket(
    addr: Any,
    handler: Callable[[Any, _unix.FileDescr], _lwt.Promise[None]],
    *,
    backlog: int = 128,
    no_close: bool = False,
    max_connections: int | None = None,
) -> _lwt.Promise[Server]:
    """Listen on ``addr`` and call ``handler(client_address, socket)`` per connection.

    ``addr`` is ``(host, port)`` for TCP (IPv6 if the host has a ``:``) or a
    path for a Unix-domain socket.  The socket is closed when the handler's
    promise ends, unless ``no_close``.  A handler's exception goes to the
    async exception hook; the server goes on.  When the process is out of
    descriptors (EMFILE/ENFILE), accepting pauses briefly and retries.  With
    ``max_connections``, no more connections than that are served at once.

    Returns:
        A promise of the :class:`Server` (its ``address`` is the bound one).
    """
    if max_connections is not None and max_connections < 1:
        return _lwt.fail(_lwt.InvalidArgument("max_connections must be at least 1"))

    def start(fd: _unix.FileDescr) -> _lwt.Promise[Server]:
        server = Server(fd, addr if isinstance(addr, (str, bytes)) else None)
        stop: _lwt.Promise[None]
        stop_r: _lwt.Resolver[None]
        done: _lwt.Promise[None]
        done_r: _lwt.Resolver[None]
        stop, stop_r = _lwt.wait()
        server._stop = stop
        server._stop_r = stop_r
        done, done_r = _lwt.wait()
        server._done = done
        active = [0]
        room: list[_lwt.Resolver[None]] = []

        def finished() -> _lwt.Promise[None]:
            active[0] -= 1
            if room:
                _lwt.wakeup_later(room.pop(), None)
            return _lwt.return_unit

        def serve(client: _unix.FileDescr, peer: Any) -> None:
            active[0] += 1

            def run() -> _lwt.Promise[None]:
                def body() -> _lwt.Promise[None]:
                    return handler(peer, client)

                def after() -> _lwt.Promise[None]:
                    if no_close:
                        return finished()
                    return _lwt.catch(
                        lambda: _unix.close(client), lambda _e: _lwt.return_unit
                    ).bind(lambda _: finished())

                return _lwt.finalize(body, after)

            _lwt.async_(run)

        def accepted(res: tuple[_unix.FileDescr, Any] | None) -> _lwt.Promise[None]:
            if res is None:
                return stopped()
            client, peer = res
            serve(client, peer)
            return loop()

        def on_error(exc: BaseException) -> _lwt.Promise[None]:
            if not _lwt.is_sleeping(stop):
                return stopped()
            if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE):
                return _unix.sleep(_BACKOFF).bind(lambda _: loop())
            if isinstance(exc, OSError) and exc.errno in (errno.ECONNABORTED, errno.EINTR):
                return loop()
            hook_failure(exc)
            return _unix.sleep(_BACKOFF).bind(lambda _: loop())

        def hook_failure(exc: BaseException) -> None:
            _lwt.async_(lambda: _lwt.fail(exc))

        def accept_one() -> _lwt.Promise[tuple[_unix.FileDescr, Any] | None]:
            acc: _lwt.Promise[tuple[_unix.FileDescr, Any] | None] = _unix.accept(fd, cloexec=True)
            stopping: _lwt.Promise[tuple[_unix.FileDescr, Any] | None] = stop.map(lambda _: None)
            return _lwt.pick([acc, stopping])

        def loop() -> _lwt.Promise[None]:
            if not _lwt.is_sleeping(stop):
                return stopped()
            if max_connections is not None and active[0] >= max_connections:
                p: _lwt.Promise[None]
                r: _lwt.Resolver[None]
                p, r = _lwt.wait()
                room.append(r)
                waited: _lwt.Promise[None] = _lwt.pick([p, stop])
                return waited.bind(lambda _: loop())
            return _lwt.catch(lambda: accept_one().bind(accepted), on_error)

        def stopped() -> _lwt.Promise[None]:
            def unlink() -> _lwt.Promise[None]:
                if server._path is not None and isinstance(server._path, str):
                    with contextlib.suppress(OSError):
                        os.unlink(server._path)
                _lwt.wakeup_later(done_r, None)
                return _lwt.return_unit

            if _lwt.is_sleeping(done):
                return _lwt.finalize(lambda: _unix.close(fd), unlink)
            return _lwt.return_unit

        _lwt.async_(loop)
        return _lwt.return_(server)

    return _listen(addr, backlog).bind(start)


def establish_server_with_client_address(
    addr: Any,
    handler: Callable[[Any, Channels], _lwt.Promise[None]],
    *,
    backlog: int = 128,
    no_close: bool = False,
    max_connections: int | None = None,
    buffer_size: int | None = None,
    nodelay: bool = True,
) -> _lwt.Promise[Server]:
    """Like :func:`establish_server_with_client_socket`, with channels.

    ``handler(client_address, (ic, oc))`` is called per connection; both
    channels are closed (``oc`` flushed) when its promise ends, unless
    ``no_close``.  TCP_NODELAY is set on TCP connections unless ``nodelay``
    is false.
    """

    def on_socket(peer: Any, client: _unix.FileDescr) -> _lwt.Promise[None]:
        if nodelay and _family(addr) != socket.AF_UNIX:
            with contextlib.suppress(OSError):
                _unix.setsockopt(client, socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        ic, oc = _channels(client, buffer_size)
        if no_close:
            return handler(peer, (ic, oc))

        def close_both() -> _lwt.Promise[None]:
            def quiet(p: Callable[[], _lwt.Promise[None]]) -> _lwt.Promise[None]:
                return _lwt.catch(p, lambda _e: _lwt.return_unit)

            return quiet(oc.close).bind(lambda _: quiet(ic.close))

        return _lwt.finalize(lambda: handler(peer, (ic, oc)), close_both)

    return establish_server_with_client_socket(
        addr, on_socket, backlog=backlog, no_close=True, max_connections=max_connections
    )


def open_connection(addr: Any, *, buffer_size: int | None = None) -> _lwt.Promise[Channels]:
    """Connect to ``addr`` (``(host, port)`` or a Unix socket path); return ``(ic, oc)``.

    Closing both channels closes the socket.
    """
    fam = _family(addr)
    fd = _unix.socket(fam, socket.SOCK_STREAM, cloexec=True)

    def connected(_: None) -> _lwt.Promise[Channels]:
        if fam != socket.AF_UNIX:
            with contextlib.suppress(OSError):
                _unix.setsockopt(fd, socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        return _lwt.return_(_channels(fd, buffer_size))

    def failed(exc: BaseException) -> _lwt.Promise[Channels]:
        return _unix.close(fd).bind(lambda _: _lwt.fail(exc))

    return _lwt.catch(lambda: _unix.connect(fd, addr).bind(connected), failed)


def with_connection(
    addr: Any, f: Callable[[Channels], _lwt.Promise[T]], *, buffer_size: int | None = None
) -> _lwt.Promise[T]:
    """Open a connection, call ``f((ic, oc))``, then close both channels however it ended."""

    def go(chans: Channels) -> _lwt.Promise[T]:
        ic, oc = chans

        def close_both() -> _lwt.Promise[None]:
            return _lwt.catch(oc.close, lambda _e: _lwt.return_unit).bind(lambda _: ic.close())

        return _lwt.finalize(lambda: f(chans), close_both)

    return open_connection(addr, buffer_size=buffer_size).bind(go)
