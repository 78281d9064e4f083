"""Pins the public names of lwt.core, so that a change to them is deliberate."""

from __future__ import annotations

import lwt.core

EXPECTED = [
    "Canceled",
    "Error",
    "Fail",
    "Failure",
    "InvalidArgument",
    "Key",
    "MAXIMUM_DEPTH",
    "NotFound",
    "Ok",
    "Promise",
    "Resolver",
    "Return",
    "Sleep",
    "abandon_paused",
    "all",
    "apply",
    "async_",
    "bind",
    "both",
    "cancel",
    "catch",
    "choose",
    "dont_wait",
    "fail",
    "fail_invalid_arg",
    "fail_with",
    "finalize",
    "get",
    "ignore_result",
    "is_sleeping",
    "join",
    "map",
    "nchoose",
    "nchoose_split",
    "new_key",
    "no_cancel",
    "npick",
    "of_result",
    "on_any",
    "on_cancel",
    "on_failure",
    "on_success",
    "on_termination",
    "pause",
    "paused_count",
    "pick",
    "poll",
    "protected",
    "register_pause_notifier",
    "return_",
    "return_error",
    "return_false",
    "return_none",
    "return_ok",
    "return_some",
    "return_true",
    "return_unit",
    "set_async_exception_hook",
    "state",
    "task",
    "try_bind",
    "wait",
    "wakeup",
    "wakeup_exn",
    "wakeup_later",
    "wakeup_later_exn",
    "wakeup_later_result",
    "wakeup_paused",
    "wakeup_result",
    "with_value",
    "wrap",
    "wrap_in_cancelable",
]


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(lwt.core.__all__) == EXPECTED


def test_sub_modules_named_by_the_api_are_imported_with_the_package() -> None:
    for sub in (
        "condition",
        "lists",
        "mutex",
        "mvar",
        "pool",
        "pqueue",
        "result",
        "seq",
        "sequence",
        "stream",
        "switch",
    ):
        module = getattr(lwt.core, sub)
        assert module.__name__ == f"lwt.core.{sub}"
        assert module.__doc__
