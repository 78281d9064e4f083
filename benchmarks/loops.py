"""Running a coroutine on a fresh asyncio loop (stock or uvloop) or on trio.

Every contender gets a loop of its own, made here the same way for asyncio
and uvloop, so the two differ only in the loop class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_loop(uvloop: bool) -> asyncio.AbstractEventLoop:
    """Make a new event loop: uvloop's when ``uvloop`` is true, else asyncio's default."""
    if uvloop:
        import uvloop as uv

        return uv.new_event_loop()
    return asyncio.new_event_loop()


def run_asyncio(main: Callable[[], Coroutine[Any, Any, T]], *, uvloop: bool = False) -> T:
    """Run ``main()`` to completion on a fresh loop, then close the loop."""
    loop = new_loop(uvloop)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def run_trio(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` with ``trio.run``."""
    import trio

    result: T = trio.run(main)
    return result
