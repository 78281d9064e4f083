"""The TCP load generator in Python, used when no C compiler is at hand.

``python -m benchmarks.pyloadgen PORT CONNECTIONS SIZE SECONDS`` does what
``loadgen.c`` does (see there) with ``selectors``, and prints the same JSON.
It costs far more CPU per round trip than the C one, so results it drives
are more often client-bound; the runner says so when it happens.
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import time


def run(port: int, nconn: int, size: int, seconds: float) -> dict[str, object]:
    """Drive ``nconn`` echo connections for ``seconds``; return the counts."""
    msg = b"x" * (size - 1) + b"\n"
    sel = selectors.DefaultSelector()
    socks = []
    left: dict[socket.socket, int] = {}
    for _ in range(nconn):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
        left[s] = size
        sel.register(s, selectors.EVENT_READ, s)
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    for s in socks:
        s.sendall(msg)
    done = 0
    active = nconn
    while active:
        for key, _ in sel.select(10.0):
            s = key.data
            data = s.recv(65536)
            if not data:
                raise SystemExit("pyloadgen: the server closed a connection early")
            left[s] -= len(data)
            if left[s] > 0:
                continue
            done += 1
            left[s] = size
            if time.perf_counter() >= deadline:
                sel.unregister(s)
                active -= 1
            else:
                s.sendall(msg)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    for s in socks:
        s.close()
    return {"round_trips": done, "elapsed": elapsed, "cpu": cpu, "client": "python"}


def main(argv: list[str]) -> int:
    """Parse ``PORT CONNECTIONS SIZE SECONDS`` and print the result as JSON."""
    if len(argv) != 4:
        print(
            "usage: python -m benchmarks.pyloadgen PORT CONNECTIONS SIZE SECONDS", file=sys.stderr
        )
        return 2
    port, nconn, size = (int(a) for a in argv[:3])
    print(json.dumps(run(port, nconn, size, float(argv[3]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
