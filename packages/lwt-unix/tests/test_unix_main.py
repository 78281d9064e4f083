"""The main loop (Lwt_main): run, nesting, paused promises, hooks, exit hooks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import lwt.core as lwt
import lwt.unix as unix
import lwt.unix.engine as engine
from lwt.unix import main
from lwt.unix.main import run

SRC_PATHS = [
    str(Path(__file__).resolve().parents[2] / name / "src") for name in ("lwt-core", "lwt-unix")
]


class Boom(Exception):
    pass


# -------------------------------------------------------------------- run
def test_run_returns_the_value_of_a_fulfilled_promise() -> None:
    assert run(lwt.return_(42)) == 42


def test_run_waits_for_a_pending_promise() -> None:
    assert run(unix.sleep(0.01).map(lambda _: "done")) == "done"


def test_run_raises_the_very_exception_of_a_rejected_promise() -> None:
    exc = Boom("no")
    with pytest.raises(Boom) as info:
        run(unix.sleep(0.0).bind(lambda _: lwt.fail(exc)))
    assert info.value is exc


def test_run_rejects_what_is_not_a_promise() -> None:
    with pytest.raises(TypeError, match="lwt promise"):
        run(42)  # type: ignore[arg-type]


def test_nested_run_raises_and_run_works_again_afterwards() -> None:
    seen: list[BaseException] = []

    def nested(_: None) -> lwt.Promise[None]:
        try:
            run(lwt.return_unit)
        except RuntimeError as exc:
            seen.append(exc)
        return lwt.return_unit

    run(lwt.pause().bind(nested))
    assert len(seen) == 1
    assert "nested" in str(seen[0])
    assert run(lwt.return_(1)) == 1


def test_run_can_be_called_again_after_an_exception() -> None:
    with pytest.raises(Boom):
        run(lwt.fail(Boom()))
    assert run(unix.sleep(0.0).map(lambda _: 2)) == 2


def test_keyboard_interrupt_in_a_callback_propagates_out_of_run() -> None:
    def interrupt(_: None) -> lwt.Promise[None]:
        raise KeyboardInterrupt

    p = unix.sleep(0.0)
    p.on_success(interrupt)
    later = unix.sleep(0.02)
    with pytest.raises(KeyboardInterrupt):
        run(later)
    run(later)  # the loop goes on where it stopped
    assert run(lwt.return_(3)) == 3


def test_exceptions_of_engine_callbacks_reach_the_hook_during_run(
    async_exceptions: list[BaseException],
) -> None:
    exc = Boom()

    def bad(_ev: engine.Event) -> None:
        raise exc

    engine.on_timer(0.0, False, bad)
    run(unix.sleep(0.01))
    assert async_exceptions == [exc]


# ------------------------------------------------------- paused promises
def test_paused_promises_are_woken_by_run() -> None:
    order: list[str] = []
    p = lwt.pause()
    p.on_success(lambda _: order.append("paused"))
    order.append("before")
    run(p)
    assert order == ["before", "paused"]


def test_iteration_does_not_block_while_a_promise_is_paused() -> None:
    long_timer = unix.sleep(10.0)
    start = time.monotonic()
    run(lwt.pause())
    assert time.monotonic() - start < 1.0
    long_timer.cancel()


def test_chain_of_pauses_completes() -> None:
    def loop(n: int) -> lwt.Promise[int]:
        if n == 0:
            return lwt.return_(0)
        return lwt.pause().bind(lambda _: loop(n - 1))

    assert run(loop(1000)) == 0


def test_yield_is_pause() -> None:
    p = main.yield_()
    assert p.is_sleeping()
    run(p)
    q = unix.yield_()
    assert lwt.paused_count() == 1
    run(q)
    assert lwt.paused_count() == 0


def test_abandon_yielded_and_paused_leaves_them_pending() -> None:
    p = lwt.pause()
    main.abandon_yielded_and_paused()
    run(unix.sleep(0.0))
    assert p.is_sleeping()


def test_timer_delay_counts_from_registration_not_from_a_stale_clock() -> None:
    # Lwt's "timer delays are not too short": block the whole process, then
    # ask for a timeout; it must be measured from when it was asked.
    start = time.monotonic()
    time.sleep(0.03)

    def on_timeout(exc: BaseException) -> lwt.Promise[float]:
        assert isinstance(exc, unix.Timeout)
        return lwt.return_(time.monotonic())

    stop = run(lwt.catch(lambda: unix.timeout(0.02), on_timeout))
    assert stop - start >= 0.05


# ------------------------------------------------------------------ hooks
def test_iteration_hooks_run_around_each_iteration() -> None:
    calls: list[str] = []
    first = main.enter_iter_hooks.add_last(lambda: calls.append("enter"))
    main.leave_iter_hooks.add_last(lambda: calls.append("leave"))
    try:
        run(lwt.pause())
        assert calls == ["enter", "leave"]
        calls.clear()
        run(lwt.return_unit)  # already resolved: no iteration
        assert calls == []
    finally:
        main.enter_iter_hooks.remove(first)
        main.leave_iter_hooks.remove_all()
    run(lwt.pause())
    assert calls == []
    assert len(main.enter_iter_hooks) == 0


def test_hooks_run_in_order_first_to_last() -> None:
    calls: list[str] = []
    hooks = main.enter_iter_hooks
    hooks.add_last(lambda: calls.append("b"))
    hooks.add_first(lambda: calls.append("a"))
    hooks.add_last(lambda: calls.append("c"))
    try:
        run(lwt.pause())
    finally:
        hooks.remove_all()
    assert calls == ["a", "b", "c"]


def test_hook_removed_by_an_earlier_hook_does_not_run() -> None:
    calls: list[str] = []
    hooks = main.leave_iter_hooks
    later: list[main.Hook[object]] = []

    def first() -> None:
        calls.append("first")
        later[0].remove()

    hooks.add_last(first)
    later.append(hooks.add_last(lambda: calls.append("second")))
    try:
        run(lwt.pause())
    finally:
        hooks.remove_all()
    assert calls == ["first"]
    later[0].remove()  # removed twice: nothing happens


def test_hook_added_by_a_hook_waits_for_the_next_iteration() -> None:
    calls: list[str] = []
    hooks = main.enter_iter_hooks

    def first() -> None:
        calls.append("first")
        if len(calls) == 1:
            hooks.add_last(lambda: calls.append("added"))

    hooks.add_last(first)
    try:
        run(lwt.pause())
        assert calls == ["first"]
        run(lwt.pause())
        assert calls == ["first", "first", "added"]
    finally:
        hooks.remove_all()


def _run_script(body: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(SRC_PATHS))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(body)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_exit_hooks_run_at_interpreter_exit_latest_first_ignoring_errors() -> None:
    result = _run_script(
        """
        import lwt.core as lwt
        import lwt.unix as unix
        from lwt.unix import main

        def say(word):
            def hook():
                return unix.sleep(0.01).map(lambda _: print(word, flush=True))
            return hook

        def broken():
            raise ValueError("ignored")

        main.at_exit(say("registered first"))
        main.at_exit(lambda: lwt.fail(ValueError("ignored too")))
        main.at_exit(broken)
        main.exit_hooks.add_last(say("added last"))
        main.at_exit(say("registered last"))
        removed = main.exit_hooks.add_last(say("removed"))
        main.exit_hooks.remove(removed)
        print("main done", flush=True)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == [
        "main done",
        "registered last",
        "registered first",
        "added last",
        "",
    ]


def test_no_exit_hook_means_nothing_runs_at_exit() -> None:
    result = _run_script(
        """
        from lwt.unix import main
        main.at_exit(lambda: print("never"))
        main.exit_hooks.remove_all()
        print("bye")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "bye\n"
