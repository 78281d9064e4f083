"""lwt.unix: what makes lwt promises move, Lwt_unix and its companions.

This package will hold the main loop (``lwt.unix.main.run``), the engines that
wait for file descriptors and timers (a ``selectors`` engine and one running on
asyncio), non-blocking system calls on ``FileDescr`` objects, timing
(``sleep``, ``timeout``, ``with_timeout``), signals, child-process waiting,
thread-pool offloading (``lwt.unix.preemptive``), timers, throttles and the
bridge to asyncio futures.

Nothing is exported yet.
"""

__all__: list[str] = []
