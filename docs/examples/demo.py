"""A short tour of lwt: immediate callbacks, a cancelled race, a timeout, a web page.

Run it with ``python3 dev.py demo`` from the root of the repository.

The tour uses all four packages.  Before it starts it checks that every name
it needs can be imported, and if some cannot it says which ones and exits
with status 1, instead of failing half-way with an ``AttributeError``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence

#: What the tour uses, module by module.
NEEDS: dict[str, list[str]] = {
    "lwt.core": ["Canceled", "Fail", "map", "pick", "poll", "state", "wait", "wakeup"],
    "lwt.unix": ["Timeout", "sleep", "timeout"],
    "lwt.unix.main": ["run"],
    "lwt.io": [
        "establish_server_with_client_address",
        "flush",
        "read",
        "shutdown_server",
        "stdout",
        "with_connection",
        "write_line",
    ],
    "lwt.ppx": ["promise"],
}


def missing_names(needs: Mapping[str, Sequence[str]]) -> list[str]:
    """Return what cannot be imported, as dotted names.

    A module that cannot be imported at all is reported by its own name;
    otherwise each absent attribute is reported as ``module.attribute``.
    """
    missing: list[str] = []
    for module_name, names in needs.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        missing.extend(f"{module_name}.{name}" for name in names if not hasattr(module, name))
    return missing


def packages_of(names: Sequence[str]) -> list[str]:
    """Return the ``lwt.<package>`` prefixes of ``names``, first seen first."""
    packages: list[str] = []
    for name in names:
        package = ".".join(name.split(".")[:2])
        if package not in packages:
            packages.append(package)
    return packages


def _english(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def tour() -> int:
    """Run the tour; needs everything listed in :data:`NEEDS`; return the exit status."""
    import lwt.core
    import lwt.io
    import lwt.ppx
    import lwt.unix
    import lwt.unix.main

    # 1. Callbacks run as soon as a promise is resolved: no loop is involved.
    p: lwt.core.Promise[int]
    r: lwt.core.Resolver[int]
    p, r = lwt.core.wait()
    doubled = lwt.core.map(lambda n: n * 2, p)
    print("before wakeup, doubled is", lwt.core.state(doubled))
    lwt.core.wakeup(r, 21)
    print("right after wakeup, doubled is", lwt.core.poll(doubled))

    # 2. A race written in direct style: pick keeps the first sleeper to wake
    #    up and cancels the other, which stops at its `await`.
    @lwt.ppx.promise
    async def sleeper(name: str, delay: float) -> str:
        await lwt.unix.sleep(delay)
        await lwt.io.write_line(lwt.io.stdout, f"{name} woke up after {delay} s")
        await lwt.io.flush(lwt.io.stdout)
        return name

    tortoise = sleeper("tortoise", 0.2)
    winner = lwt.unix.main.run(lwt.core.pick([sleeper("hare", 0.05), tortoise]))
    print("the winner is the", winner)
    match lwt.core.state(tortoise):
        case lwt.core.Fail(lwt.core.Canceled()):
            print("the tortoise was cancelled")
        case other:
            print("unexpected state for the tortoise:", other)

    # 3. A timeout is just another promise to race against.
    try:
        lwt.unix.main.run(lwt.core.pick([lwt.unix.sleep(10.0), lwt.unix.timeout(0.05)]))
    except lwt.unix.Timeout:
        print("a 10 s sleep lost to a 0.05 s timeout")

    # 4. Lwt's README example: fetch a page over HTTP, giving up after 5 s.
    #    The page comes from a tiny server started here on 127.0.0.1.
    body = "<html><body>hello from lwt.io</body></html>\n"

    @lwt.ppx.promise
    async def serve(
        _client: object, chans: tuple[lwt.io.InputChannel, lwt.io.OutputChannel]
    ) -> None:
        ic, oc = chans
        while await ic.read_line():  # the request ends with an empty line
            pass
        await oc.write(f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n{body}")

    @lwt.ppx.promise
    async def fetch(address: object) -> bytes:
        @lwt.ppx.promise
        async def talk(chans: tuple[lwt.io.InputChannel, lwt.io.OutputChannel]) -> bytes:
            ic, oc = chans
            await oc.write("GET / HTTP/1.0\r\n\r\n")
            await oc.flush()
            return await lwt.io.read(ic)

        return await lwt.io.with_connection(address, talk)

    @lwt.ppx.promise
    async def web() -> bytes | None:
        server = await lwt.io.establish_server_with_client_address(("127.0.0.1", 0), serve)
        try:
            timeout = lwt.unix.sleep(5.0).map(lambda _: None)
            return await lwt.core.pick([fetch(server.address), timeout])
        finally:
            await lwt.io.shutdown_server(server)

    response = lwt.unix.main.run(web())
    if response is None:
        print("Timeout")
        return 1
    head, _, content = response.partition(b"\r\n\r\n")
    print("status line:", head.split(b"\r\n")[0].decode())
    print("body length:", len(content))
    return 0


def main() -> int:
    """Check the names the tour needs, then run it; return the exit status."""
    missing = missing_names(NEEDS)
    if missing:
        packages = packages_of(missing)
        print(
            f"The demo cannot run yet: it needs {_english(packages)}, "
            + ("which are" if len(packages) > 1 else "which is")
            + " not implemented yet.",
            file=sys.stderr,
        )
        print("Missing:", file=sys.stderr)
        for module_name, names in NEEDS.items():
            if module_name in missing:
                print(f"  {module_name}: the whole module", file=sys.stderr)
                continue
            absent = [name for name in names if f"{module_name}.{name}" in missing]
            if absent:
                print(f"  {module_name}: {', '.join(absent)}", file=sys.stderr)
        return 1
    return tour()


if __name__ == "__main__":
    sys.exit(main())
