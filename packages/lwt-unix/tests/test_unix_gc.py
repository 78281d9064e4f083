"""lwt.unix.gc: finalisers that run promise-returning functions in the loop."""

from __future__ import annotations

import gc as pygc
import subprocess
import sys
import textwrap

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
import lwt.unix.gc as lgc
from lwt.unix.main import run


class Thing:
    pass


def test_finaliser_runs_in_the_loop_after_collection() -> None:
    calls: list[str] = []

    def fin() -> lwt.Promise[None]:
        calls.append("finalised")
        return lwt.return_unit

    obj = Thing()
    lgc.finalise(fin, obj)
    assert engine.readable_count() == 1  # waiting for the collector's word
    del obj
    pygc.collect()
    assert calls == []  # not at collection time: in the loop
    run(unix.sleep(0.001))
    assert calls == ["finalised"]
    assert engine.readable_count() == 0


def test_finaliser_failures_reach_the_async_hook(async_exceptions: list[BaseException]) -> None:
    obj = Thing()
    lgc.finalise(lambda: lwt.fail(KeyError("k")), obj)
    del obj
    run(unix.sleep(0.001))
    assert [type(e) for e in async_exceptions] == [KeyError]


def test_objects_without_weak_references_are_refused() -> None:
    with pytest.raises(TypeError):
        lgc.finalise(lambda: lwt.return_unit, 42)
    assert engine.readable_count() == 0


def test_finalise_or_exit_runs_exactly_once() -> None:
    calls: list[str] = []
    obj = Thing()
    lgc.finalise_or_exit(lambda: lwt.return_unit.map(lambda _: calls.append("gc")), obj)
    del obj
    run(unix.sleep(0.001))
    assert calls == ["gc"]
    run(lgc._at_exit())  # what the exit hook does: nothing left for this one
    assert calls == ["gc"]


SCRIPT = textwrap.dedent(
    """
    import lwt.core as lwt
    import lwt.unix as unix
    import lwt.unix.gc as lgc

    class Thing:
        pass

    keep = Thing()
    lgc.finalise_or_exit(lambda: unix.sleep(0.01).map(lambda _: print("at exit")), keep)
    lgc.finalise(lambda: lwt.return_unit, Thing())  # collected at once
    gone = Thing()
    lgc.finalise(lambda: unix.sleep(0.01).map(lambda _: print("waited for")), gone)
    del gone
    print("main done")
    """
)


def test_exit_runs_remaining_or_exit_finalisers_and_waits_for_pending_ones() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PYTHONPATH": ":".join(sys.path)},
        check=True,
    ).stdout
    assert out.splitlines() == ["main done", "at exit", "waited for"]
