"""A web crawler that never has more than three requests in flight.

Run it with ``python docs/examples/crawler.py``.  A small HTTP server on
127.0.0.1 serves a handful of pages that link to each other (and slowly,
so that requests overlap).  The crawler starts from ``/``, follows every
link it has not seen, and fetches pages concurrently, but each fetch first
takes a connection *slot* from a ``lwt.core.pool.Pool`` of three, so at
most three are ever running.  It prints the pages found and the largest
number of fetches it saw running at once.
"""

from __future__ import annotations

import re

import lwt.core as lwt
import lwt.io as io
from lwt.core.pool import Pool
from lwt.ppx import promise
from lwt.unix import main, sleep

SITE = {
    "/": ["/about", "/blog", "/shop"],
    "/about": ["/", "/team"],
    "/blog": ["/blog/1", "/blog/2", "/blog/3"],
    "/blog/1": ["/blog/2"],
    "/blog/2": ["/blog/3", "/about"],
    "/blog/3": ["/"],
    "/shop": ["/shop/cart", "/shop/items"],
    "/shop/cart": [],
    "/shop/items": ["/shop/cart"],
    "/team": ["/about"],
}
SLOTS = 3
LINK = re.compile(r'href="([^"]+)"')


# ------------------------------------------------------------------- server
@promise
async def serve(_client: object, channels: tuple[io.InputChannel, io.OutputChannel]) -> None:
    """Answer one HTTP/1.0 GET with a page of links (or 404)."""
    ic, oc = channels
    request = await ic.read_line()
    while await ic.read_line() != "":  # skip the headers
        pass
    path = request.split()[1]
    await sleep(0.02)  # a slow server, so that fetches overlap
    if path in SITE:
        body = "".join(f'<a href="{link}">{link}</a>\n' for link in SITE[path])
        head = "HTTP/1.0 200 OK"
    else:
        body, head = "not found\n", "HTTP/1.0 404 Not Found"
    await oc.write(f"{head}\r\nContent-Length: {len(body)}\r\n\r\n{body}")


# ------------------------------------------------------------------ crawler
class Crawler:
    def __init__(self, port: int) -> None:
        self.port = port
        self.seen: set[str] = set()
        self.running = 0
        self.most_at_once = 0
        # The pool's elements are just tickets: use() lends one out for the
        # time of a fetch, and makes the next caller wait if none is free.
        self.slots: Pool[int] = Pool(SLOTS, lambda: lwt.return_(0))

    @promise
    async def fetch(self, path: str) -> str:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            ic, oc = await io.open_connection(("127.0.0.1", self.port))
            try:
                await oc.write(f"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")
                await oc.flush()
                return (await ic.read()).decode()
            finally:
                await oc.close()
                await ic.close()
        finally:
            self.running -= 1

    @promise
    async def visit(self, path: str) -> None:
        page = await self.slots.use(lambda _ticket: self.fetch(path))
        new = [link for link in LINK.findall(page) if link not in self.seen]
        self.seen.update(new)
        # Follow every new link concurrently; the pool keeps the bound.
        await lwt.join([self.visit(link) for link in new])

    @promise
    async def crawl(self, start: str) -> list[str]:
        self.seen.add(start)
        await self.visit(start)
        return sorted(self.seen)


@promise
async def demo() -> tuple[list[str], int]:
    server = await io.establish_server_with_client_address(("127.0.0.1", 0), serve)
    try:
        crawler = Crawler(server.address[1])
        pages = await crawler.crawl("/")
        return pages, crawler.most_at_once
    finally:
        await io.shutdown_server(server)


def run() -> None:
    pages, most = main.run(demo())
    print(f"found {len(pages)} pages:")
    for page in pages:
        print(" ", page)
    print(f"at most {most} fetches at once (limit {SLOTS})")


if __name__ == "__main__":
    run()
