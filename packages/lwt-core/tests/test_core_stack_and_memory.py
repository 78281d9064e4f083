"""Long loops and deep chains: constant memory, and no RecursionError.

API.md promises that a loop written as recursive ``bind`` runs 1,000,000
iterations in constant memory, whether each step goes through a resolved
promise, through ``pause()`` or through a promise resolved later, and that
no chain of callbacks overflows the Python stack.

What is measured, for each of the three loops:

* The full 1,000,000 iterations run untraced (tracemalloc would make them
  several times slower).  Every ``PROBE_EVERY`` iterations the loop samples
  :func:`sys.getallocatedblocks`; the spread between the smallest and the
  largest sample must stay under ``BLOCK_SPREAD`` blocks, where keeping one
  object per iteration would add a million.
* The byte bound comes from :mod:`tracemalloc`, over a shorter run: after a
  warm-up run of 1,000 iterations (untraced, so that caches exist), the traced
  peak above the starting point is taken for 1,000 iterations and for
  ``TRACED_ITERATIONS`` (200,000).  Both must stay under ``BOUND`` and the
  longer run may exceed the shorter one by at most ``SLACK``.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

import lwt.core as lwt

WARM_UP = 1_000
ITERATIONS = 1_000_000
TRACED_ITERATIONS = 200_000
PROBE_EVERY = 10_000
BLOCK_SPREAD = 1_000  # allocated blocks: noise is a few hundred at most
BOUND = 64 * 1024  # bytes: a fixed bound, far below one object per iteration
SLACK = 4 * 1024  # bytes: the long traced run may use this much more than the short one
DEPTH = 100_000

Probe = Callable[[], None]
Loop = Callable[[int, Probe], None]


def is_canceled(p: lwt.Promise[Any]) -> bool:
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def no_probe() -> None:
    return None


def traced_peak(run: Loop, n: int) -> int:
    """Peak traced memory of ``run(n)``, above what was allocated before it."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run(n, no_probe)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def block_spread(run: Loop, n: int) -> int:
    """Run ``run(n)`` untraced; return how far the allocated block count moved."""
    low_high = [sys.maxsize, 0]

    def probe() -> None:
        blocks = sys.getallocatedblocks()
        low_high[0] = min(low_high[0], blocks)
        low_high[1] = max(low_high[1], blocks)

    run(n, probe)
    return low_high[1] - low_high[0]


def assert_constant_memory(run: Loop) -> None:
    run(WARM_UP, no_probe)
    spread = block_spread(run, ITERATIONS)
    assert spread < BLOCK_SPREAD, f"{ITERATIONS} iterations moved {spread} blocks"
    short = traced_peak(run, WARM_UP)
    long = traced_peak(run, TRACED_ITERATIONS)
    assert short < BOUND, f"{WARM_UP} iterations peaked at {short} bytes"
    assert long < BOUND, f"{TRACED_ITERATIONS} iterations peaked at {long} bytes"
    assert long <= short + SLACK, f"peak grew from {short} to {long} bytes"


# ================================================= 1,000,000-iteration loops
def run_through_resolved_promises(n: int, probe: Probe) -> None:
    steps = [0]

    def loop(k: int) -> lwt.Promise[None]:
        steps[0] += 1
        if k % PROBE_EVERY == 0:
            probe()
        if k == 0:
            return lwt.return_unit
        return lwt.return_(None).bind(lambda _: loop(k - 1))

    p = loop(n)
    assert lwt.state(p) == lwt.Return(None)
    assert steps[0] == n + 1


def run_through_pause(n: int, probe: Probe) -> None:
    def loop(k: int) -> lwt.Promise[None]:
        if k % PROBE_EVERY == 0:
            probe()
        if k == 0:
            return lwt.return_unit
        return lwt.pause().bind(lambda _: loop(k - 1))

    p = loop(n)
    rounds = 0
    while lwt.is_sleeping(p):
        lwt.wakeup_paused()
        rounds += 1
    assert rounds == n
    assert lwt.state(p) == lwt.Return(None)


def run_through_wait(n: int, probe: Probe) -> None:
    # Only the resolver of the step in progress is kept, as a driver would.
    current: list[lwt.Resolver[int] | None] = [None]

    def loop(k: int) -> lwt.Promise[int]:
        if k % PROBE_EVERY == 0:
            probe()
        if k == 0:
            return lwt.return_(-1)
        p, r = lwt.wait()
        current[0] = r
        return p.bind(lambda v: loop(k - 1) if v == k else lwt.fail_with("out of order"))

    p = loop(n)
    k = n
    while lwt.is_sleeping(p):
        r = current[0]
        current[0] = None
        assert r is not None
        lwt.wakeup(r, k)
        k -= 1
    assert k == 0
    assert lwt.state(p) == lwt.Return(-1)


def test_recursive_bind_through_resolved_promises_runs_in_constant_memory() -> None:
    assert_constant_memory(run_through_resolved_promises)


def test_recursive_bind_through_pause_runs_in_constant_memory() -> None:
    assert_constant_memory(run_through_pause)


def test_recursive_bind_through_wait_promises_runs_in_constant_memory() -> None:
    assert_constant_memory(run_through_wait)


def test_recursive_catch_through_rejected_promises_runs_without_recursion_error() -> None:
    count = [0]

    def loop(k: int) -> lwt.Promise[int]:
        count[0] += 1
        if k == 0:
            return lwt.return_(count[0])
        return lwt.catch(lambda: lwt.fail_with("again"), lambda _: loop(k - 1))

    p = loop(DEPTH)
    assert lwt.state(p) == lwt.Return(DEPTH + 1)


# ============================================================= deep chains
def test_the_default_recursion_limit_is_in_force() -> None:
    # The tests below would prove nothing under a raised limit.
    assert sys.getrecursionlimit() <= 10_000


def test_a_deep_chain_of_pending_binds_resolves_at_once() -> None:
    p0, r = lwt.wait()
    p = p0
    for _ in range(DEPTH):
        p = p.bind(lambda v: lwt.return_(v + 1))
    assert lwt.state(p) == lwt.Sleep()
    lwt.wakeup(r, 0)
    assert lwt.state(p) == lwt.Return(DEPTH)


def test_a_deep_chain_of_pending_maps_resolves_at_once() -> None:
    p0, r = lwt.wait()
    p = p0
    for _ in range(DEPTH):
        p = p.map(lambda v: v + 1)
    lwt.wakeup(r, 0)
    assert lwt.state(p) == lwt.Return(DEPTH)


def test_a_deep_chain_of_pending_binds_passes_a_rejection_along() -> None:
    p0, r = lwt.wait()
    p = p0
    called = [0]

    def step(v: int) -> lwt.Promise[int]:
        called[0] += 1
        return lwt.return_(v)

    for _ in range(DEPTH):
        p = p.bind(step)
    exc = RuntimeError("end of the line")
    lwt.wakeup_exn(r, exc)
    assert lwt.state(p) == lwt.Fail(exc)
    assert called == [0]


def test_a_deep_nest_of_binds_each_returning_the_next_pending_promise() -> None:
    # Each callback returns a bind on the next promise: proxies on proxies.
    ps = [lwt.wait() for _ in range(DEPTH)]

    def nest(i: int) -> lwt.Promise[int]:
        if i == DEPTH:
            return lwt.return_(i)
        return ps[i][0].bind(lambda _: nest(i + 1))

    p = nest(0)
    for promise, resolver in ps:
        assert lwt.is_sleeping(p)
        lwt.wakeup(resolver, None)
        assert not lwt.is_sleeping(promise)
    assert lwt.state(p) == lwt.Return(DEPTH)


def test_a_long_chain_of_wait_promises_each_resolved_by_the_previous_one() -> None:
    pairs = [lwt.wait() for _ in range(DEPTH)]
    order: list[int] = []
    for i in range(DEPTH - 1):
        nxt = pairs[i + 1][1]

        def forward(v: int, i: int = i, nxt: lwt.Resolver[int] = nxt) -> None:
            order.append(i)
            lwt.wakeup(nxt, v + 1)

        pairs[i][0].on_success(forward)
    lwt.wakeup(pairs[0][1], 0)
    assert lwt.state(pairs[-1][0]) == lwt.Return(DEPTH - 1)
    assert order == list(range(DEPTH - 1))


def test_a_long_chain_of_wait_promises_resolved_from_bind_callbacks() -> None:
    pairs = [lwt.wait() for _ in range(DEPTH)]
    for i in range(DEPTH - 1):
        nxt = pairs[i + 1][1]

        def forward(v: int, nxt: lwt.Resolver[int] = nxt) -> lwt.Promise[None]:
            lwt.wakeup(nxt, v + 1)
            return lwt.return_unit

        pairs[i][0].bind(forward)
    last = pairs[-1][0].map(lambda v: v * 2)
    lwt.wakeup(pairs[0][1], 0)
    assert lwt.state(last) == lwt.Return(2 * (DEPTH - 1))


# ====================================================== deep cancellation
def test_cancelling_the_end_of_a_deep_bind_chain_cancels_the_task_at_its_start() -> None:
    t, _ = lwt.task()
    chain = [t]
    called = [0]

    def step(v: int) -> lwt.Promise[int]:
        called[0] += 1
        return lwt.return_(v)

    for _ in range(DEPTH):
        chain.append(chain[-1].bind(step))
    lwt.cancel(chain[-1])
    assert is_canceled(t)
    assert all(is_canceled(p) for p in chain)
    assert called == [0]


def test_cancelling_a_recursive_bind_loop_cancels_the_task_it_waits_on() -> None:
    t, _ = lwt.task()
    cancel_seen: list[str] = []
    t.on_cancel(lambda: cancel_seen.append("task"))

    def loop(k: int) -> lwt.Promise[None]:
        if k == 0:
            return t
        return lwt.return_(None).bind(lambda _: loop(k - 1))

    p = loop(DEPTH)
    assert lwt.state(p) == lwt.Sleep()
    lwt.cancel(p)
    assert cancel_seen == ["task"]
    assert is_canceled(t)
    assert is_canceled(p)


def test_cancelling_a_deep_nest_of_pending_binds_reaches_the_innermost_task() -> None:
    gates = [lwt.wait() for _ in range(DEPTH)]
    t, _ = lwt.task()

    def nest(i: int) -> lwt.Promise[None]:
        if i == DEPTH:
            return t
        return gates[i][0].bind(lambda _: nest(i + 1))

    p = nest(0)
    for _, resolver in gates:
        lwt.wakeup(resolver, None)
    assert lwt.state(p) == lwt.Sleep()
    lwt.cancel(p)
    assert is_canceled(t)
    assert is_canceled(p)


def test_cancelling_a_deep_chain_runs_every_cancel_callback_once() -> None:
    t, _ = lwt.task()
    count = [0]

    def bump() -> None:
        count[0] += 1

    p = t
    for _ in range(DEPTH):
        p = p.bind(lwt.return_)
        p.on_cancel(bump)
    lwt.cancel(p)
    assert count == [DEPTH]
    assert is_canceled(p)


@pytest.mark.parametrize("width", [2, 10])
def test_cancelling_a_deep_tree_of_joins_cancels_every_leaf(width: int) -> None:
    leaves: list[lwt.Promise[None]] = []
    level: list[lwt.Promise[None]] = []
    for _ in range(width):
        t, _ = lwt.task()
        leaves.append(t)
        level.append(t)
    top = lwt.join(level)
    for _ in range(DEPTH // width):
        t, _ = lwt.task()
        leaves.append(t)
        top = lwt.join([top, t])
    lwt.cancel(top)
    assert all(is_canceled(leaf) for leaf in leaves)
    assert is_canceled(top)
