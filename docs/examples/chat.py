"""A chat server: what one member says, the others read.

Run it with ``python docs/examples/chat.py``.  Each member's connection
gets a ``lwt.core.stream`` of messages meant for it: the server pushes into
every other member's stream when someone speaks, and one loop per member
drains its own stream into its socket.  A slow member only delays its own
stream, never the speaker.  Two scripted members then join, talk and leave,
and the program prints what each of them saw.
"""

from __future__ import annotations

from collections.abc import Callable

import lwt.core as lwt
import lwt.io as io
from lwt.core import stream
from lwt.ppx import promise
from lwt.unix import main

Push = Callable[[str | None], None]

# name -> the push function of that member's stream
members: dict[str, Push] = {}
# Resolved when the last member has left (see handle's finally block).
room_empty: lwt.Promise[None]
_room_empty: lwt.Resolver[None]
room_empty, _room_empty = lwt.wait()


def broadcast(sender: str, text: str) -> None:
    for name, push in members.items():
        if name != sender:
            push(text)


@promise
async def deliver(messages: stream.Stream[str], oc: io.OutputChannel) -> None:
    """Copy one member's stream to its socket until the stream is closed."""
    async for text in messages:
        await oc.write_line(text)
        await oc.flush()


@promise
async def handle(_client: object, channels: tuple[io.InputChannel, io.OutputChannel]) -> None:
    ic, oc = channels
    name = await ic.read_line()  # a member's first line is its name
    messages: stream.Stream[str]
    push: Push
    messages, push = stream.create()
    members[name] = push
    delivering = deliver(messages, oc)
    broadcast(name, f"* {name} joined")
    try:
        while (line := await ic.read_line_opt()) is not None:
            broadcast(name, f"{name}: {line}")
    finally:
        del members[name]
        push(None)  # ends the stream, so deliver() returns
        await delivering
        broadcast(name, f"* {name} left")
        if not members and lwt.is_sleeping(room_empty):
            lwt.wakeup(_room_empty, None)


class Member:
    """A scripted chat client."""

    def __init__(self, name: str, ic: io.InputChannel, oc: io.OutputChannel) -> None:
        self.name, self.ic, self.oc = name, ic, oc

    @promise
    async def say(self, text: str) -> None:
        await self.oc.write_line(text)
        await self.oc.flush()

    @promise
    async def hear(self) -> str:
        return await self.ic.read_line()

    @promise
    async def leave(self) -> None:
        await self.oc.close()
        await self.ic.close()


@promise
async def join(port: int, name: str) -> Member:
    ic, oc = await io.open_connection(("127.0.0.1", port))
    member = Member(name, ic, oc)
    await member.say(name)
    return member


@promise
async def script(port: int) -> list[str]:
    seen: list[str] = []

    @promise
    async def hear(member: Member) -> None:
        seen.append(f"{member.name} sees {await member.hear()!r}")

    ada = await join(port, "ada")
    bob = await join(port, "bob")
    await hear(ada)  # * bob joined
    await ada.say("hi bob")
    await hear(bob)
    await bob.say("hi ada, bye")
    await hear(ada)
    await ada.leave()
    await hear(bob)  # * ada left
    await bob.leave()
    return seen


@promise
async def demo() -> list[str]:
    server = await io.establish_server_with_client_address(("127.0.0.1", 0), handle)
    try:
        seen = await script(server.address[1])
        await room_empty  # the server has seen both members go
        return seen
    finally:
        await io.shutdown_server(server)


def run() -> None:
    for line in main.run(demo()):
        print(line)
    assert not members, "every member was removed"


if __name__ == "__main__":
    run()
