"""An lwt.io server that runs out of descriptors backs off and goes on serving.

The descriptor limit is lowered in a child process only (never in the
pytest process): the child runs the server, opens files until ``EMFILE``,
tells the parent, waits while the parent's client is pending in the
backlog, then frees the files; the client must then be served.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import errno, os, resource, sys
    import lwt.core as lwt
    import lwt.io as io
    from lwt.unix import main, sleep

    hooked = []
    lwt.set_async_exception_hook(hooked.append)
    state = {"freed": False, "served_while_full": 0}
    served, served_r = lwt.wait()

    def handler(peer, chans):
        ic, oc = chans
        if not state["freed"]:
            state["served_while_full"] += 1
        def reply(line):
            return oc.write_line(line.upper())
        def done(_):
            if lwt.is_sleeping(served):
                lwt.wakeup_later(served_r, None)
            return lwt.return_unit
        return ic.read_line().bind(reply).bind(done)

    server = main.run(io.establish_server_with_client_address(("127.0.0.1", 0), handler))
    print(server.address[1], flush=True)

    in_use = len(os.listdir("/proc/self/fd"))
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 16, hard))
    hold = []
    try:
        while True:
            hold.append(os.open(os.devnull, os.O_RDONLY))
    except OSError as exc:
        assert exc.errno == errno.EMFILE, exc
    print("full", flush=True)

    sys.stdin.readline()             # the parent's client is connected
    main.run(sleep(0.35))            # accept fails with EMFILE a few times meanwhile
    for fd in hold:
        os.close(fd)
    state["freed"] = True
    main.run(served)
    main.run(server.shutdown())
    print("served", state["served_while_full"], len(hooked), flush=True)
    """
)


def test_server_out_of_descriptors_backs_off_then_serves_the_waiting_client() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        port = int(child.stdout.readline())
        assert child.stdout.readline().strip() == "full"
        with socket.create_connection(("127.0.0.1", port), timeout=20) as client:
            client.sendall(b"waiting\n")
            child.stdin.write("go\n")
            child.stdin.flush()
            reply = client.makefile("rb").readline()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert reply == b"WAITING\n"
    # Served once the descriptors were freed, never while full; nothing reached the hook.
    assert out.split() == ["served", "0", "0"]
