"""Tests for lwt.core.switch, after Lwt's test/core/test_lwt_switch.ml, plus more."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import lwt.core as lwt
import lwt.core.switch as switch_module
from lwt.core.switch import Off, Switch, add_hook, add_hook_or_exec, check, with_switch


class Stop(Exception):
    """Stands for OCaml's ``Exit`` in Lwt's tests."""


def _counting_hook(counter: list[int]) -> Callable[[], lwt.Promise[None]]:
    def hook() -> lwt.Promise[None]:
        counter[0] += 1
        return lwt.return_unit

    return hook


def _raise_stop() -> lwt.Promise[None]:
    raise Stop()


# --------------------------------------------------------------- Lwt's suite
def test_turn_off_runs_each_hook_once_and_then_refuses_hooks() -> None:
    calls_1 = [0]
    calls_2 = [0]
    sw = Switch()
    add_hook(sw, _counting_hook(calls_1))
    add_hook(sw, _counting_hook(calls_2))
    assert (calls_1[0], calls_2[0]) == (0, 0)

    assert sw.turn_off().state() == lwt.Return(None)
    assert (calls_1[0], calls_2[0]) == (1, 1)

    assert sw.turn_off().state() == lwt.Return(None)
    assert (calls_1[0], calls_2[0]) == (1, 1)

    with pytest.raises(Off):
        add_hook(sw, lambda: lwt.return_unit)


def test_turn_off_fails_with_the_exception_of_a_hook() -> None:
    sw = Switch()
    add_hook(sw, _raise_stop)
    result = sw.turn_off()
    assert isinstance(result.state(), lwt.Fail)
    with pytest.raises(Stop):
        result.poll()


def test_with_switch_turns_the_switch_off_after_success() -> None:
    called: list[bool] = []

    def body(sw: Switch) -> lwt.Promise[None]:
        add_hook(sw, lambda: lwt.return_(called.append(True)))
        return lwt.return_unit

    assert with_switch(body).state() == lwt.Return(None)
    assert called == [True]


def test_with_switch_turns_the_switch_off_after_an_exception() -> None:
    called: list[bool] = []
    exc = Stop()

    def body(sw: Switch) -> lwt.Promise[None]:
        add_hook(sw, lambda: lwt.return_(called.append(True)))
        raise exc

    result = lwt.catch(
        lambda: with_switch(body),
        lambda e: lwt.return_("caught" if e is exc else "other"),
    )
    assert result.state() == lwt.Return("caught")
    assert called == [True]


def test_check_raises_only_for_a_switch_that_is_off() -> None:
    check(None)
    sw = Switch()
    check(sw)
    assert sw.turn_off().state() == lwt.Return(None)
    with pytest.raises(Off):
        check(sw)


def test_is_on_until_turned_off() -> None:
    sw = Switch()
    assert sw.is_on()
    sw.turn_off()
    assert not sw.is_on()


def test_add_hook_or_exec_registers_or_runs_the_hook() -> None:
    calls = [0]
    hook = _counting_hook(calls)

    assert add_hook_or_exec(None, hook).state() == lwt.Return(None)
    assert calls[0] == 0

    sw = Switch()
    assert add_hook_or_exec(sw, hook).state() == lwt.Return(None)
    assert calls[0] == 0

    assert sw.turn_off().state() == lwt.Return(None)
    assert calls[0] == 1

    assert add_hook_or_exec(sw, hook).state() == lwt.Return(None)
    assert calls[0] == 2


def test_turn_off_waits_for_every_hook() -> None:
    finished = [0]

    def hook() -> lwt.Promise[None]:
        return lwt.pause().map(lambda _: finished.__setitem__(0, finished[0] + 1))

    sw = Switch()
    add_hook(sw, hook)
    add_hook(sw, hook)
    result = sw.turn_off()
    assert result.is_sleeping()
    lwt.wakeup_paused()
    assert result.state() == lwt.Return(None)
    assert finished[0] == 2


def test_turn_off_waits_for_every_hook_even_when_one_fails() -> None:
    finished = [0]

    def slow_hook() -> lwt.Promise[None]:
        return lwt.pause().map(lambda _: finished.__setitem__(0, finished[0] + 1))

    def failing_hook() -> lwt.Promise[None]:
        finished[0] += 1
        raise Stop()

    sw = Switch()
    add_hook(sw, slow_hook)
    add_hook(sw, failing_hook)
    add_hook(sw, slow_hook)
    result = sw.turn_off()
    assert result.is_sleeping()
    lwt.wakeup_paused()
    assert finished[0] == 3
    assert isinstance(result.state(), lwt.Fail)
    with pytest.raises(Stop):
        result.poll()


# ------------------------------------------------------------------- more
def test_hooks_run_newest_first() -> None:
    order: list[int] = []
    sw = Switch()
    for i in range(3):
        add_hook(sw, lambda i=i: lwt.return_(order.append(i)))
    sw.turn_off()
    assert order == [2, 1, 0]


def test_add_hook_with_no_switch_does_nothing() -> None:
    called: list[bool] = []
    add_hook(None, lambda: lwt.return_(called.append(True)))
    assert called == []


def test_add_hook_or_exec_rejects_when_the_hook_raises_on_a_switch_that_is_off() -> None:
    sw = Switch()
    sw.turn_off()
    result = add_hook_or_exec(sw, _raise_stop)
    with pytest.raises(Stop):
        result.poll()


def test_add_hook_or_exec_returns_the_hooks_promise_when_off() -> None:
    sw = Switch()
    sw.turn_off()
    inner, resolve = lwt.wait()
    result = add_hook_or_exec(sw, lambda: inner)
    assert result.is_sleeping()
    lwt.wakeup(resolve, None)
    assert result.state() == lwt.Return(None)


def test_turn_off_twice_while_hooks_run_returns_at_once_the_second_time() -> None:
    sw = Switch()
    gate, open_gate = lwt.wait()
    add_hook(sw, lambda: gate)
    first = sw.turn_off()
    second = sw.turn_off()
    assert first.is_sleeping()
    assert second.state() == lwt.Return(None)
    lwt.wakeup(open_gate, None)
    assert first.state() == lwt.Return(None)


def test_hook_added_by_a_hook_is_refused() -> None:
    sw = Switch()
    refused: list[bool] = []

    def hook() -> lwt.Promise[None]:
        try:
            add_hook(sw, lambda: lwt.return_unit)
        except Off:
            refused.append(True)
        return lwt.return_unit

    add_hook(sw, hook)
    sw.turn_off()
    assert refused == [True]


def test_with_switch_waits_for_the_hooks_and_keeps_the_value() -> None:
    gate, open_gate = lwt.wait()

    def body(sw: Switch) -> lwt.Promise[int]:
        add_hook(sw, lambda: gate)
        return lwt.return_(42)

    result = with_switch(body)
    assert result.is_sleeping()
    lwt.wakeup(open_gate, None)
    assert result.state() == lwt.Return(42)


def test_with_switch_hook_failure_replaces_the_value() -> None:
    def body(sw: Switch) -> lwt.Promise[int]:
        add_hook(sw, _raise_stop)
        return lwt.return_(42)

    result = with_switch(body)
    with pytest.raises(Stop):
        result.poll()


def test_with_switch_gives_a_fresh_switch_that_is_on() -> None:
    seen: list[Switch] = []

    def body(sw: Switch) -> lwt.Promise[bool]:
        seen.append(sw)
        return lwt.return_(sw.is_on())

    assert with_switch(body).state() == lwt.Return(True)
    assert not seen[0].is_on()


def test_off_is_an_exception_with_a_message() -> None:
    assert issubclass(Off, Exception)
    assert str(Off()) == "the switch is off"


# -------------------------------------------------------------- async with
def test_aenter_gives_the_switch_and_aexit_turns_it_off() -> None:
    calls = [0]
    sw = Switch()
    entered = sw.__aenter__()
    assert entered.state() == lwt.Return(sw)
    add_hook(sw, _counting_hook(calls))
    exited = sw.__aexit__(None, None, None)
    assert exited.state() == lwt.Return(False)
    assert calls[0] == 1
    assert not sw.is_on()


def test_aexit_waits_for_hooks_and_passes_their_failure_on() -> None:
    sw = Switch()
    gate, open_gate = lwt.wait()
    add_hook(sw, lambda: gate)
    exited = sw.__aexit__(Stop, Stop(), None)
    assert exited.is_sleeping()
    exc = Stop()
    lwt.wakeup_exn(open_gate, exc)
    assert exited.state() == lwt.Fail(exc)


# ---------------------------------------------------------- module surface
def test_module_functions_are_the_methods() -> None:
    sw = Switch()
    assert switch_module.is_on(sw)
    assert switch_module.turn_off(sw).state() == lwt.Return(None)
    assert not switch_module.is_on(sw)


def test_public_names_and_docstrings() -> None:
    assert Switch.__module__ == "lwt.core.switch"
    assert Off.__module__ == "lwt.core.switch"
    for name in switch_module.__all__:
        assert getattr(switch_module, name).__doc__, name
