"""Reading a large file in 64 KiB chunks.

The file is written once by the runner and read by every contender, so it
sits in the page cache and the figures measure each library's cost per
chunk, not the disk.  ``stdlib`` is plain blocking ``open().read``: the floor
any asynchronous wrapper pays on top of.
"""

from __future__ import annotations

import asyncio
import time

import lwt.core as lwt
from benchmarks.loops import run_asyncio, run_trio
from benchmarks.model import Contender, Figures, Metric, Params, Workload

CHUNK = 65536


def _figures(nbytes: int, expected: int, elapsed: float) -> Figures:
    if nbytes != expected:
        raise AssertionError(f"read {nbytes} bytes of {expected}")
    return {"rate": nbytes / elapsed / (1 << 20)}


def lwt_read(params: Params) -> Figures:
    """``lwt.io.open_file`` with a 64 KiB buffer, ``read_into`` 64 KiB at a time."""
    import lwt.io as lio
    from lwt.unix.main import run

    buf = bytearray(CHUNK)

    def drain(ic: lio.InputChannel) -> lwt.Promise[int]:
        total = [0]

        def got(n: int) -> lwt.Promise[int]:
            if n == 0:
                return ic.close().map(lambda _: total[0])
            total[0] += n
            return ic.read_into(buf, 0, CHUNK).bind(got)

        return ic.read_into(buf, 0, CHUNK).bind(got)

    t = time.perf_counter()
    nbytes = run(lio.open_file(params["file"], mode=lio.input, buffer_size=CHUNK).bind(drain))
    return _figures(nbytes, params["file_bytes"], time.perf_counter() - t)


def stdlib_read(params: Params) -> Figures:
    """Blocking ``open(path, "rb").read(65536)`` in a loop, no event loop at all."""
    t = time.perf_counter()
    nbytes = 0
    with open(params["file"], "rb") as f:
        while data := f.read(CHUNK):
            nbytes += len(data)
    return _figures(nbytes, params["file_bytes"], time.perf_counter() - t)


def _asyncio_read(params: Params, uvloop: bool) -> Figures:
    async def main() -> Figures:
        loop = asyncio.get_running_loop()
        t = time.perf_counter()
        nbytes = 0
        # Opening is a one-off outside the measured reads; asyncio has no async open.
        with open(params["file"], "rb") as f:  # noqa: ASYNC230
            while data := await loop.run_in_executor(None, f.read, CHUNK):
                nbytes += len(data)
        return _figures(nbytes, params["file_bytes"], time.perf_counter() - t)

    return run_asyncio(main, uvloop=uvloop)


def asyncio_read(params: Params) -> Figures:
    """Each 64 KiB ``read`` sent to the default executor with ``run_in_executor``."""
    return _asyncio_read(params, uvloop=False)


def uvloop_read(params: Params) -> Figures:
    """The same on a uvloop loop."""
    return _asyncio_read(params, uvloop=True)


def trio_read(params: Params) -> Figures:
    """``trio.open_file``, ``await f.read(65536)`` in a loop."""
    import trio

    async def main() -> Figures:
        t = time.perf_counter()
        nbytes = 0
        async with await trio.open_file(params["file"], "rb") as f:
            while data := await f.read(CHUNK):
                nbytes += len(data)
        return _figures(nbytes, params["file_bytes"], time.perf_counter() - t)

    return run_trio(main)


WORKLOADS = (
    Workload(
        name="file_read",
        family="files",
        summary="read a file (in the page cache) in 64 KiB chunks",
        metrics=(Metric("rate", "MiB/s"),),
        contenders=(
            Contender("lwt.io.open_file read_into", "lwt", lwt_read),
            Contender("asyncio run_in_executor(read)", "asyncio", asyncio_read),
            Contender("uvloop run_in_executor(read)", "uvloop", uvloop_read),
            Contender("trio.open_file read", "trio", trio_read),
            Contender("open().read, blocking", "stdlib", stdlib_read),
        ),
        full={"file_mib": 256},
        quick={"file_mib": 4},
        needs=frozenset({"file"}),
    ),
)
