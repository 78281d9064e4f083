"""An echo server and a few clients talking to it at once.

Run it with ``python docs/examples/echo.py``.  The server answers each
line it reads with the same line; three clients connect concurrently, each
sends its lines and checks every answer.  Written in the ``async``/``await``
style of ``lwt.ppx``: each ``async def`` marked ``@promise`` returns an lwt
promise when called.
"""

from __future__ import annotations

import lwt.core as lwt
import lwt.io as io
from lwt.ppx import promise
from lwt.unix import main

LINES = {
    "ada": ["hello", "how are you?"],
    "bob": ["ping", "ping again", "bye"],
    "cy": ["one line only"],
}


@promise
async def handle(_client: object, channels: tuple[io.InputChannel, io.OutputChannel]) -> None:
    """Serve one connection: echo lines until the client closes its side."""
    ic, oc = channels
    while (line := await ic.read_line_opt()) is not None:
        await oc.write_line(line)
        await oc.flush()  # answer now, not when the buffer fills


@promise
async def client(port: int, name: str) -> list[str]:
    """Send ``name``'s lines, one at a time, and collect the echoes."""
    ic, oc = await io.open_connection(("127.0.0.1", port))
    echoes = []
    try:
        for line in LINES[name]:
            await oc.write_line(line)
            await oc.flush()
            echoes.append(await ic.read_line())
    finally:
        await oc.close()
        await ic.close()
    return echoes


@promise
async def demo() -> dict[str, list[str]]:
    # Port 0: the system picks a free port; the server tells which.
    server = await io.establish_server_with_client_address(("127.0.0.1", 0), handle)
    port = server.address[1]
    try:
        names = sorted(LINES)
        # The clients run concurrently: all() waits for all of them.
        results = await lwt.all([client(port, name) for name in names])
    finally:
        await io.shutdown_server(server)
    return dict(zip(names, results, strict=True))


def run() -> None:
    got = main.run(demo())
    for name, echoes in got.items():
        status = "ok" if echoes == LINES[name] else "MISMATCH"
        print(f"{name}: {len(echoes)} lines echoed, {status}")


if __name__ == "__main__":
    run()
