"""lwt.io: buffered channels on top of lwt.unix, Lwt_io and Lwt_process.

This package will hold ``InputChannel`` and ``OutputChannel`` (bytes, with
text methods in the channel's encoding), the standard channels, files,
numbers in either byte order, TCP and Unix-socket servers and clients, and
``lwt.io.process`` for running child processes with redirections.

Nothing is exported yet.
"""

__all__: list[str] = []
