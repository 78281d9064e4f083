"""Timeouts and cancellation, step by step.

Run it with ``python docs/examples/timeout.py``.  Each step prints what
happened:

1. ``pick`` races a slow job against ``lwt.unix.timeout``; the loser is
   cancelled, and the job's ``finalize`` cleanup still runs.
2. ``with_timeout`` does the same in one call.
3. Cancelling a promise built with ``bind`` travels back to the promise it
   waits on: the sleep is what gets cancelled, and ``Canceled`` reaches a
   ``catch`` handler further down the chain.
4. ``protected`` stops that search: cancelling the protected view leaves
   the work underneath running to the end.
"""

from __future__ import annotations

import lwt.core as lwt
import lwt.unix as unix
from lwt.unix import main

log: list[str] = []


def slow_job(name: str, seconds: float) -> lwt.Promise[str]:
    """Sleep, then return ``name``; the cleanup is logged however it ends."""
    work = unix.sleep(seconds).map(lambda _: name)

    def cleanup() -> lwt.Promise[None]:
        state = "cancelled" if lwt.is_sleeping(work) or _rejected(work) else "done"
        log.append(f"cleanup of {name}: {state}")
        return lwt.return_unit

    return lwt.finalize(lambda: work, cleanup)


def _rejected(p: lwt.Promise[object]) -> bool:
    return isinstance(lwt.state(p), lwt.Fail)


def outcome(p: lwt.Promise[str]) -> str:
    """Run ``p`` and describe how it ended."""
    try:
        return f"value {main.run(p)!r}"
    except unix.Timeout:
        return "Timeout"
    except lwt.Canceled:
        return "Canceled"


def step1() -> None:
    race = lwt.pick([slow_job("report", 10.0), unix.timeout(0.05)])
    print("1. pick with a timeout:", outcome(race), "|", log.pop())


def step2() -> None:
    fast = unix.with_timeout(1.0, lambda: slow_job("fast", 0.01))
    print("2. with_timeout, in time:", outcome(fast), "|", log.pop())
    late = unix.with_timeout(0.05, lambda: slow_job("late", 10.0))
    print("   with_timeout, too slow:", outcome(late), "|", log.pop())


def step3() -> None:
    nap = unix.sleep(10.0)
    chain = nap.map(lambda _: "never").bind(lambda s: lwt.return_(s.upper()))

    def handler(exc: BaseException) -> lwt.Promise[str]:
        if isinstance(exc, lwt.Canceled):
            return lwt.return_("recovered from Canceled")
        return lwt.fail(exc)

    guarded = lwt.catch(lambda: chain, handler)
    guarded.cancel()  # searches back through catch, bind and map to the sleep
    print("3. cancel a chain:", outcome(guarded), "| the sleep:", _state(nap))


def step4() -> None:
    work = slow_job("protected work", 0.02)
    view = lwt.protected(work)
    view.cancel()
    print("4. cancel a protected view:", outcome(view), "| the work:", outcome(work))
    print("   ", log.pop())


def _state(p: lwt.Promise[object]) -> str:
    st = lwt.state(p)
    if isinstance(st, lwt.Fail):
        return f"rejected with {type(st.exc).__name__}"
    return "pending" if isinstance(st, lwt.Sleep) else "fulfilled"


def run() -> None:
    step1()
    step2()
    step3()
    step4()


if __name__ == "__main__":
    run()
