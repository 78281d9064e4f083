"""Pins the public names of lwt.ppx, so that a change to them is deliberate."""

from __future__ import annotations

import lwt.ppx

EXPECTED = [
    "assert_",
    "for_downto",
    "for_to",
    "get_debug",
    "if_",
    "of_coroutine",
    "promise",
    "set_debug",
    "while_",
]


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(lwt.ppx.__all__) == EXPECTED
