"""Concurrent composition: join, all, both, choose, nchoose, nchoose_split.

After the suites of Lwt's ``test/core/test_lwt.ml`` for these functions,
restated for Python, plus Python-port checks: empty inputs, already-resolved
inputs, which rejection wins, what pick/npick cancel, and that choose/pick do
not leave callbacks behind on the inputs that lost.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

import lwt.core as lwt


class Boom(Exception):
    """The sample exception of these tests (OCaml's local ``Exception``)."""


class Other(Exception):
    """A second, distinct exception (OCaml's ``Exit`` in Lwt's tests)."""


def _is_canceled(p: lwt.Promise[Any]) -> bool:
    s = lwt.state(p)
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def _pending() -> lwt.Promise[Any]:
    p, _ = lwt.wait()
    return p


# ========================================================================= join
def test_join_of_nothing_is_fulfilled() -> None:
    assert lwt.state(lwt.join([])) == lwt.Return(None)


def test_join_of_fulfilled_promises_is_fulfilled() -> None:
    assert lwt.state(lwt.join([lwt.return_unit, lwt.return_unit])) == lwt.Return(None)


def test_join_of_rejected_promises_takes_first_rejection_in_list() -> None:
    e1, e2 = Boom(), Boom()
    assert lwt.state(lwt.join([lwt.fail(e1), lwt.fail(e2)])) == lwt.Fail(e1)


def test_join_of_fulfilled_and_pending_waits_then_fulfils() -> None:
    p, r = lwt.wait()
    joined = lwt.join([lwt.return_unit, p])
    assert lwt.state(joined) == lwt.Sleep()
    lwt.wakeup(r, None)
    assert lwt.state(joined) == lwt.Return(None)


def test_join_of_rejected_and_pending_waits_then_rejects() -> None:
    exc = Boom()
    p, r = lwt.wait()
    joined = lwt.join([lwt.fail(exc), p])
    # join waits for every input, even when one is already rejected.
    assert lwt.state(joined) == lwt.Sleep()
    lwt.wakeup(r, None)
    assert lwt.state(joined) == lwt.Fail(exc)


def test_join_of_fulfilled_and_pending_rejects_when_pending_one_does() -> None:
    exc = Boom()
    p, r = lwt.wait()
    joined = lwt.join([lwt.return_unit, p])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(joined) == lwt.Fail(exc)


def test_join_keeps_earlier_rejection_over_later_one() -> None:
    exc = Boom()
    p, r = lwt.wait()
    joined = lwt.join([lwt.fail(exc), p])
    lwt.wakeup_exn(r, Other())
    assert lwt.state(joined) == lwt.Fail(exc)


def test_join_of_same_pending_promise_twice() -> None:
    p, r = lwt.wait()
    joined = lwt.join([p, p])
    lwt.wakeup(r, None)
    assert lwt.state(joined) == lwt.Return(None)


# ------------------------------------------------------- join: Python-specific
def test_join_rejects_with_first_rejection_in_time_not_in_list() -> None:
    e_late, e_early = Boom("listed first"), Boom("rejected first")
    p1, r1 = lwt.task()
    p2, r2 = lwt.task()
    p3, r3 = lwt.task()
    joined = lwt.join([p1, p2, p3])
    lwt.wakeup_exn(r3, e_early)
    assert lwt.state(joined) == lwt.Sleep()
    lwt.wakeup_exn(r1, e_late)
    assert lwt.state(joined) == lwt.Sleep()
    lwt.wakeup(r2, None)
    assert lwt.state(joined) == lwt.Fail(e_early)


def test_join_accepts_any_iterable() -> None:
    p, r = lwt.wait()
    joined = lwt.join(x for x in [lwt.return_unit, p])
    lwt.wakeup(r, None)
    assert lwt.state(joined) == lwt.Return(None)


def test_join_fulfils_only_after_last_input_and_runs_callbacks_once() -> None:
    calls: list[object] = []
    ps = [lwt.wait() for _ in range(3)]
    joined = lwt.join([p for p, _ in ps])
    lwt.on_success(joined, calls.append)
    for _, r in ps[:-1]:
        lwt.wakeup(r, None)
        assert calls == []
    lwt.wakeup(ps[-1][1], None)
    assert calls == [None]


# ========================================================================== all
def test_all_of_nothing_is_empty_list() -> None:
    assert lwt.state(lwt.all([])) == lwt.Return([])


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_all_of_fulfilled_promises_lists_values_in_order(n: int) -> None:
    result = lwt.all([lwt.return_(i) for i in range(n)])
    assert lwt.state(result) == lwt.Return(list(range(n)))


def test_all_of_rejected_promises_takes_first_rejection_in_list() -> None:
    e1, e2 = Boom(), Boom()
    assert lwt.state(lwt.all([lwt.fail(e1), lwt.fail(e2)])) == lwt.Fail(e1)


def test_all_of_fulfilled_and_pending_waits_for_value() -> None:
    p, r = lwt.wait()
    result = lwt.all([lwt.return_(1), p])
    assert lwt.state(result) == lwt.Sleep()
    lwt.wakeup(r, 2)
    assert lwt.state(result) == lwt.Return([1, 2])


def test_all_of_same_pending_promise_twice_repeats_value() -> None:
    p, r = lwt.wait()
    result = lwt.all([p, p])
    lwt.wakeup(r, 2)
    assert lwt.state(result) == lwt.Return([2, 2])


def test_all_of_two_pending_promises_each_twice() -> None:
    p, r = lwt.wait()
    q, s = lwt.wait()
    result = lwt.all([p, p, q, q])
    lwt.wakeup(r, 2)
    assert lwt.state(result) == lwt.Sleep()
    lwt.wakeup(s, 4)
    assert lwt.state(result) == lwt.Return([2, 2, 4, 4])


def test_all_keeps_position_of_pending_promise_in_the_middle() -> None:
    p, r = lwt.wait()
    result = lwt.all([lwt.return_(1), p, lwt.return_(3)])
    lwt.wakeup(r, 2)
    assert lwt.state(result) == lwt.Return([1, 2, 3])


def test_all_of_many_fulfilled_and_one_pending() -> None:
    p, r = lwt.wait()
    result = lwt.all([*[lwt.return_(i) for i in range(10)], p])
    lwt.wakeup(r, 10)
    assert lwt.state(result) == lwt.Return(list(range(11)))


def test_all_of_rejected_and_pending_rejects_once_pending_is_fulfilled() -> None:
    exc = Boom()
    p, r = lwt.wait()
    result = lwt.all([lwt.fail(exc), p])
    lwt.wakeup(r, 2)
    assert lwt.state(result) == lwt.Fail(exc)


def test_all_of_fulfilled_and_pending_rejects_when_pending_one_does() -> None:
    exc = Boom()
    p, r = lwt.wait()
    result = lwt.all([lwt.return_(1), p])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(result) == lwt.Fail(exc)


def test_all_keeps_earlier_rejection_over_later_one() -> None:
    exc = Boom()
    p, r = lwt.wait()
    result = lwt.all([lwt.fail(exc), p])
    lwt.wakeup_exn(r, Other())
    assert lwt.state(result) == lwt.Fail(exc)


def test_all_of_same_pending_promise_twice_fulfilled_with_one() -> None:
    p, r = lwt.wait()
    result = lwt.all([p, p])
    assert lwt.state(result) == lwt.Sleep()
    lwt.wakeup(r, 1)
    assert lwt.state(result) == lwt.Return([1, 1])


# -------------------------------------------------------- all: Python-specific
def test_all_values_follow_input_order_not_resolution_order() -> None:
    ps = [lwt.wait() for _ in range(4)]
    result = lwt.all([p for p, _ in ps])
    for i in (3, 1, 0, 2):
        lwt.wakeup(ps[i][1], f"v{i}")
    assert lwt.state(result) == lwt.Return(["v0", "v1", "v2", "v3"])


def test_all_rejects_with_first_rejection_in_time() -> None:
    early = Boom()
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    result = lwt.all([p1, p2])
    lwt.wakeup_exn(r2, early)
    lwt.wakeup_exn(r1, Other())
    assert lwt.state(result) == lwt.Fail(early)


def test_all_accepts_a_generator() -> None:
    result = lwt.all(lwt.return_(i) for i in range(3))
    assert lwt.state(result) == lwt.Return([0, 1, 2])


# ========================================================================= both
def test_both_of_fulfilled_promises_is_the_pair() -> None:
    assert lwt.state(lwt.both(lwt.return_(1), lwt.return_(2))) == lwt.Return((1, 2))


def test_both_of_rejected_promises_takes_first_argument_rejection() -> None:
    exc = Boom()
    assert lwt.state(lwt.both(lwt.fail(exc), lwt.fail(Other()))) == lwt.Fail(exc)


def test_both_of_rejected_then_fulfilled_rejects() -> None:
    exc = Boom()
    assert lwt.state(lwt.both(lwt.fail(exc), lwt.return_(2))) == lwt.Fail(exc)


def test_both_of_fulfilled_then_rejected_rejects() -> None:
    exc = Boom()
    assert lwt.state(lwt.both(lwt.return_(1), lwt.fail(exc))) == lwt.Fail(exc)


@pytest.mark.parametrize(
    "make_other",
    [_pending, lambda: lwt.return_(2), lambda: lwt.fail(Boom())],
    ids=["pending", "fulfilled", "rejected"],
)
@pytest.mark.parametrize("pending_first", [True, False], ids=["pending-first", "pending-second"])
def test_both_waits_while_an_argument_is_pending(
    make_other: Callable[[], lwt.Promise[Any]], pending_first: bool
) -> None:
    pending = _pending()
    other = make_other()
    p = lwt.both(pending, other) if pending_first else lwt.both(other, pending)
    assert lwt.state(p) == lwt.Sleep()


# One argument pending, the other already resolved; the pending one is then
# resolved with wakeup_later/wakeup_later_exn.  `outcome` says what `both` gives.
@pytest.mark.parametrize("pending_position", [0, 1], ids=["first-pending", "second-pending"])
@pytest.mark.parametrize(
    ("resolved_ok", "later_ok"),
    [(True, True), (False, True), (True, False), (False, False)],
    ids=[
        "fulfilled-then-fulfilled",
        "rejected-then-fulfilled",
        "fulfilled-then-rejected",
        "rejected-then-rejected",
    ],
)
def test_both_with_one_resolved_argument_after_other_resolves(
    pending_position: int, resolved_ok: bool, later_ok: bool
) -> None:
    early_exc, late_exc = Boom("already"), Other("later")
    values = [1, 2]
    pending, r = lwt.wait()
    resolved = lwt.return_(values[1 - pending_position]) if resolved_ok else lwt.fail(early_exc)
    args = [resolved, resolved]
    args[pending_position] = pending
    p = lwt.both(args[0], args[1])
    if later_ok:
        lwt.wakeup_later(r, values[pending_position])
    else:
        lwt.wakeup_later_exn(r, late_exc)
    if not resolved_ok:
        assert lwt.state(p) == lwt.Fail(early_exc)
    elif not later_ok:
        assert lwt.state(p) == lwt.Fail(late_exc)
    else:
        assert lwt.state(p) == lwt.Return((1, 2))


@pytest.mark.parametrize("which", [0, 1], ids=["first", "second"])
@pytest.mark.parametrize("ok", [True, False], ids=["fulfilled", "rejected"])
def test_both_still_waits_after_only_one_pending_argument_resolves(which: int, ok: bool) -> None:
    (p1, r1), (p2, r2) = lwt.wait(), lwt.wait()
    p = lwt.both(p1, p2)
    r = (r1, r2)[which]
    if ok:
        lwt.wakeup_later(r, which)
    else:
        lwt.wakeup_later_exn(r, Boom())
    assert lwt.state(p) == lwt.Sleep()


# Both arguments pending; they are resolved one after the other (`order` gives
# the index resolved first).  The first rejection in time wins.
@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["first-then-second", "second-then-first"])
@pytest.mark.parametrize(
    ("first_ok", "second_ok"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["fulfilled-fulfilled", "fulfilled-rejected", "rejected-fulfilled", "rejected-rejected"],
)
def test_both_with_two_pending_arguments_resolved_in_turn(
    order: tuple[int, int], first_ok: bool, second_ok: bool
) -> None:
    (p1, r1), (p2, r2) = lwt.wait(), lwt.wait()
    resolvers = (r1, r2)
    p = lwt.both(p1, p2)
    first_exc, second_exc = Boom("first in time"), Other("second in time")
    for idx, ok, exc in ((order[0], first_ok, first_exc), (order[1], second_ok, second_exc)):
        if ok:
            lwt.wakeup_later(resolvers[idx], idx + 1)
        else:
            lwt.wakeup_later_exn(resolvers[idx], exc)
    if not first_ok:
        assert lwt.state(p) == lwt.Fail(first_exc)
    elif not second_ok:
        assert lwt.state(p) == lwt.Fail(second_exc)
    else:
        assert lwt.state(p) == lwt.Return((1, 2))


def test_both_of_same_pending_promise_twice() -> None:
    p1, r1 = lwt.wait()
    p = lwt.both(p1, p1)
    assert lwt.state(p) == lwt.Sleep()
    lwt.wakeup_later(r1, 1)
    assert lwt.state(p) == lwt.Return((1, 1))


def test_both_result_is_a_tuple() -> None:
    p = lwt.both(lwt.return_("a"), lwt.return_(["b"]))
    value = lwt.poll(p)
    assert isinstance(value, tuple)
    assert value == ("a", ["b"])


# ======================================================================= choose
def test_choose_takes_the_fulfilled_input() -> None:
    p = lwt.choose([_pending(), lwt.return_("foo")])
    assert lwt.state(p) == lwt.Return("foo")


def test_choose_takes_the_rejected_input() -> None:
    exc = Boom()
    p = lwt.choose([_pending(), lwt.fail(exc)])
    assert lwt.state(p) == lwt.Fail(exc)


def test_choose_prefers_rejected_among_several_resolved_inputs() -> None:
    exc = Boom()
    for _ in range(100):
        p = lwt.choose([_pending(), lwt.return_("foo"), lwt.fail(exc), lwt.return_("bar")])
        assert lwt.state(p) == lwt.Fail(exc)


def test_choose_of_pending_inputs_is_pending() -> None:
    assert lwt.state(lwt.choose([_pending(), _pending()])) == lwt.Sleep()


def test_choose_follows_the_first_input_to_resolve() -> None:
    p1, r1 = lwt.wait()
    p2, r2 = lwt.wait()
    p = lwt.choose([p1, p2])
    lwt.wakeup(r1, "foo")
    lwt.wakeup(r2, "bar")
    assert lwt.state(p) == lwt.Return("foo")


def test_choose_of_same_pending_promise_twice() -> None:
    p, r = lwt.wait()
    chosen = lwt.choose([p, p])
    lwt.wakeup(r, "foo")
    assert lwt.state(chosen) == lwt.Return("foo")


# ------------------------------------------------------ choose: Python-specific
def test_choose_among_several_fulfilled_inputs_returns_one_of_them() -> None:
    # Lwt picks at random among resolved inputs: only membership is promised.
    for _ in range(200):
        p = lwt.choose([lwt.return_("a"), _pending(), lwt.return_("b"), lwt.return_("c")])
        s = lwt.state(p)
        assert isinstance(s, lwt.Return)
        assert s.value in {"a", "b", "c"}


def test_choose_among_several_rejected_inputs_returns_one_of_them() -> None:
    excs = [Boom("1"), Boom("2")]
    for _ in range(50):
        p = lwt.choose([lwt.fail(excs[0]), lwt.return_("x"), lwt.fail(excs[1])])
        s = lwt.state(p)
        assert isinstance(s, lwt.Fail)
        assert any(s.exc is e for e in excs)


def test_choose_leaves_losing_inputs_running() -> None:
    p1, r1 = lwt.task()
    p2, r2 = lwt.task()
    chosen = lwt.choose([p1, p2])
    lwt.wakeup(r1, "first")
    assert lwt.state(chosen) == lwt.Return("first")
    assert lwt.state(p2) == lwt.Sleep()
    lwt.wakeup(r2, "second")
    assert lwt.state(p2) == lwt.Return("second")
    assert lwt.state(chosen) == lwt.Return("first")


def test_choose_with_resolved_input_cancels_nothing() -> None:
    p1, _ = lwt.task()
    chosen = lwt.choose([p1, lwt.return_(1)])
    assert lwt.state(chosen) == lwt.Return(1)
    assert lwt.state(p1) == lwt.Sleep()


def test_cancelling_choose_result_cancels_every_input() -> None:
    p1, _ = lwt.task()
    p2, _ = lwt.task()
    chosen = lwt.choose([p1, p2])
    lwt.cancel(chosen)
    assert _is_canceled(p1)
    assert _is_canceled(p2)
    assert _is_canceled(chosen)


# ====================================================================== nchoose
def test_nchoose_of_fulfilled_inputs_lists_all_values() -> None:
    p = lwt.nchoose([lwt.return_("foo"), lwt.return_("bar")])
    assert lwt.state(p) == lwt.Return(["foo", "bar"])


def test_nchoose_of_fulfilled_then_rejected_rejects() -> None:
    exc = Boom()
    assert lwt.state(lwt.nchoose([lwt.return_("foo"), lwt.fail(exc)])) == lwt.Fail(exc)


def test_nchoose_of_rejected_then_fulfilled_rejects() -> None:
    exc = Boom()
    assert lwt.state(lwt.nchoose([lwt.fail(exc), lwt.return_("foo")])) == lwt.Fail(exc)


def test_nchoose_skips_pending_inputs_when_some_are_fulfilled() -> None:
    p = lwt.nchoose([lwt.return_("foo"), _pending(), lwt.return_("bar")])
    assert lwt.state(p) == lwt.Return(["foo", "bar"])


def test_nchoose_of_pending_inputs_waits_for_the_first() -> None:
    p, r = lwt.wait()
    chosen = lwt.nchoose([_pending(), p])
    assert lwt.state(chosen) == lwt.Sleep()
    lwt.wakeup(r, "foo")
    assert lwt.state(chosen) == lwt.Return(["foo"])


def test_nchoose_of_pending_inputs_rejects_with_first_rejection() -> None:
    exc = Boom()
    p, r = lwt.wait()
    chosen = lwt.nchoose([_pending(), p])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(chosen) == lwt.Fail(exc)


def test_nchoose_of_same_promise_twice_lists_value_twice() -> None:
    p, r = lwt.wait()
    chosen = lwt.nchoose([p, p])
    lwt.wakeup(r, "foo")
    assert lwt.state(chosen) == lwt.Return(["foo", "foo"])


def test_nchoose_of_same_promise_twice_rejected() -> None:
    exc = Boom()
    p, r = lwt.wait()
    chosen = lwt.nchoose([p, p])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(chosen) == lwt.Fail(exc)


def test_nchoose_leaves_other_inputs_running() -> None:
    p1, r1 = lwt.task()
    p2, r2 = lwt.task()
    chosen = lwt.nchoose([p1, p2])
    lwt.wakeup(r2, "second")
    assert lwt.state(chosen) == lwt.Return(["second"])
    assert lwt.state(p1) == lwt.Sleep()
    lwt.wakeup(r1, "first")
    assert lwt.state(chosen) == lwt.Return(["second"])


# ================================================================ nchoose_split
def test_nchoose_split_separates_values_from_pending_inputs() -> None:
    still = _pending()
    p = lwt.nchoose_split([lwt.return_("foo"), still, lwt.return_("bar")])
    s = lwt.state(p)
    assert isinstance(s, lwt.Return)
    values, pending = s.value
    assert values == ["foo", "bar"]
    assert len(pending) == 1
    assert pending[0] is still


def test_nchoose_split_of_fulfilled_then_rejected_rejects() -> None:
    exc = Boom()
    p = lwt.nchoose_split([lwt.return_unit, lwt.fail(exc)])
    assert lwt.state(p) == lwt.Fail(exc)


def test_nchoose_split_of_rejected_then_fulfilled_rejects() -> None:
    exc = Boom()
    p = lwt.nchoose_split([lwt.fail(exc), lwt.return_unit])
    assert lwt.state(p) == lwt.Fail(exc)


def test_nchoose_split_of_pending_and_rejected_rejects() -> None:
    exc = Boom()
    p = lwt.nchoose_split([_pending(), lwt.fail(exc)])
    assert lwt.state(p) == lwt.Fail(exc)


def test_nchoose_split_of_pending_inputs_waits_for_the_first() -> None:
    p, r = lwt.wait()
    other = _pending()
    split = lwt.nchoose_split([p, other])
    assert lwt.state(split) == lwt.Sleep()
    lwt.wakeup(r, "foo")
    s = lwt.state(split)
    assert isinstance(s, lwt.Return)
    values, pending = s.value
    assert values == ["foo"]
    assert len(pending) == 1
    assert pending[0] is other


def test_nchoose_split_of_pending_inputs_rejects_with_first_rejection() -> None:
    exc = Boom()
    p, r = lwt.wait()
    split = lwt.nchoose_split([p, _pending()])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(split) == lwt.Fail(exc)


def test_nchoose_split_of_same_promise_twice_lists_value_twice() -> None:
    p, r = lwt.wait()
    other = _pending()
    split = lwt.nchoose_split([p, p, other])
    lwt.wakeup(r, None)
    s = lwt.state(split)
    assert isinstance(s, lwt.Return)
    values, pending = s.value
    assert values == [None, None]
    assert len(pending) == 1
    assert pending[0] is other


def test_nchoose_split_of_same_promise_twice_rejected() -> None:
    exc = Boom()
    p, r = lwt.wait()
    split = lwt.nchoose_split([p, p, _pending()])
    lwt.wakeup_exn(r, exc)
    assert lwt.state(split) == lwt.Fail(exc)


# ================================================================ empty inputs
@pytest.mark.parametrize(
    "combinator",
    [lwt.pick, lwt.choose, lwt.npick, lwt.nchoose, lwt.nchoose_split],
    ids=["pick", "choose", "npick", "nchoose", "nchoose_split"],
)
@pytest.mark.parametrize("empty", [list, tuple, lambda: iter(())], ids=["list", "tuple", "iter"])
def test_choosing_from_no_promises_is_invalid(
    combinator: Callable[[Any], Any], empty: Callable[[], Any]
) -> None:
    with pytest.raises(lwt.InvalidArgument):
        combinator(empty())


# ========================================================= pick and npick cancel
def test_pick_cancels_exactly_the_inputs_still_pending() -> None:
    (p1, _), (p2, r2), (p3, _) = lwt.task(), lwt.task(), lwt.task()
    already = lwt.return_("earlier")
    failed_exc = Boom()
    p4, r4 = lwt.task()
    lwt.wakeup_exn(r4, failed_exc)  # resolved before pick, and not canceled
    lwt.wakeup(r2, "winner")
    picked = lwt.pick([p1, p2, p3, already, p4])
    # A rejected input is preferred among the resolved ones.
    assert lwt.state(picked) == lwt.Fail(failed_exc)
    assert _is_canceled(p1)
    assert _is_canceled(p3)
    assert lwt.state(p2) == lwt.Return("winner")
    assert lwt.state(already) == lwt.Return("earlier")
    assert lwt.state(p4) == lwt.Fail(failed_exc)


def test_pick_cancels_the_losers_once_one_input_resolves() -> None:
    (p1, _), (p2, r2), (p3, _) = lwt.task(), lwt.task(), lwt.task()
    picked = lwt.pick([p1, p2, p3])
    assert lwt.state(picked) == lwt.Sleep()
    assert all(lwt.is_sleeping(p) for p in (p1, p2, p3))
    lwt.wakeup(r2, "winner")
    assert lwt.state(picked) == lwt.Return("winner")
    assert lwt.state(p2) == lwt.Return("winner")
    assert _is_canceled(p1)
    assert _is_canceled(p3)


def test_pick_takes_a_rejection_and_cancels_the_rest() -> None:
    exc = Boom()
    (p1, r1), (p2, _) = lwt.task(), lwt.task()
    picked = lwt.pick([p1, p2])
    lwt.wakeup_exn(r1, exc)
    assert lwt.state(picked) == lwt.Fail(exc)
    assert lwt.state(p1) == lwt.Fail(exc)
    assert _is_canceled(p2)


def test_pick_cannot_cancel_losing_wait_promise() -> None:
    (p1, r1) = lwt.task()
    p2, r2 = lwt.wait()
    picked = lwt.pick([p1, p2])
    lwt.wakeup(r1, 1)
    assert lwt.state(picked) == lwt.Return(1)
    assert lwt.state(p2) == lwt.Sleep()
    lwt.wakeup(r2, 2)
    assert lwt.state(picked) == lwt.Return(1)


def test_pick_cancels_a_losing_chain_back_to_its_task() -> None:
    source, _ = lwt.task()
    chain = lwt.map(lambda v: v + 1, lwt.bind(source, lambda v: lwt.return_(v * 2)))
    winner, r = lwt.task()
    picked = lwt.pick([chain, winner])
    lwt.wakeup(r, 0)
    assert lwt.state(picked) == lwt.Return(0)
    assert _is_canceled(source)
    assert _is_canceled(chain)


def test_pick_cancels_losers_before_result_callbacks_run() -> None:
    log: list[str] = []
    (p1, r1), (p2, _) = lwt.task(), lwt.task()
    picked = lwt.pick([p1, p2])
    lwt.on_failure(p2, lambda _: log.append("loser canceled"))
    lwt.on_success(picked, lambda v: log.append(f"pick fulfilled {v}"))
    lwt.wakeup_later(r1, "x")
    assert log == ["loser canceled", "pick fulfilled x"]


def test_pick_with_several_fulfilled_inputs_returns_one_and_cancels_pending() -> None:
    for _ in range(50):
        pending, _ = lwt.task()
        picked = lwt.pick([lwt.return_(1), pending, lwt.return_(2)])
        s = lwt.state(picked)
        assert isinstance(s, lwt.Return)
        assert s.value in {1, 2}
        assert _is_canceled(pending)


def test_npick_cancels_exactly_the_inputs_still_pending() -> None:
    (p1, _), (p2, _) = lwt.task(), lwt.task()
    waiting, _ = lwt.wait()
    picked = lwt.npick([lwt.return_("foo"), p1, waiting, lwt.return_("bar"), p2])
    assert lwt.state(picked) == lwt.Return(["foo", "bar"])
    assert _is_canceled(p1)
    assert _is_canceled(p2)
    assert lwt.state(waiting) == lwt.Sleep()


def test_npick_cancels_the_losers_once_one_input_resolves() -> None:
    (p1, _), (p2, r2), (p3, _) = lwt.task(), lwt.task(), lwt.task()
    picked = lwt.npick([p1, p2, p3])
    assert lwt.state(picked) == lwt.Sleep()
    lwt.wakeup(r2, "foo")
    assert lwt.state(picked) == lwt.Return(["foo"])
    assert lwt.state(p2) == lwt.Return("foo")
    assert _is_canceled(p1)
    assert _is_canceled(p3)


def test_npick_with_rejected_input_rejects_and_cancels_pending() -> None:
    exc = Boom()
    p1, _ = lwt.task()
    picked = lwt.npick([lwt.return_(1), p1, lwt.fail(exc)])
    assert lwt.state(picked) == lwt.Fail(exc)
    assert _is_canceled(p1)


# ======================================= choose/pick drop callbacks on the losers
def _callback_count(p: lwt.Promise[Any]) -> int:
    """How many callbacks the pending promise ``p`` holds.

    This reads ``_kind`` and ``_cbs``, internal slots of ``Promise`` (see
    ``lwt/core/_promise.py``): the first callback is stored inline, later ones
    in ``_cbs``, which is None, a single record, or a list of records.
    """
    inline = 1 if p._kind is not None else 0
    cbs = p._cbs
    if cbs is None:
        return inline
    if isinstance(cbs, list):
        return inline + len(cbs)
    return inline + 1


def _run_picks(
    combinator: Callable[[Any], lwt.Promise[Any]], long_lived: lwt.Promise[Any], n: int
) -> None:
    for i in range(n):
        fresh, r = lwt.task()
        picked = combinator([long_lived, fresh])
        lwt.wakeup(r, i)
        assert lwt.state(picked) == lwt.Return(i)


@pytest.mark.parametrize("combinator", [lwt.pick, lwt.choose], ids=["pick", "choose"])
def test_losing_input_keeps_no_callbacks_after_many_calls(
    combinator: Callable[[Any], lwt.Promise[Any]],
) -> None:
    # A wait() promise: pick cannot cancel it, so it stays pending throughout.
    long_lived, r = lwt.wait()
    seen: list[object] = []
    lwt.on_success(long_lived, seen.append)
    before = _callback_count(long_lived)
    _run_picks(combinator, long_lived, 10_000)
    # _cbs is internal; counting through it is the most direct observation.
    assert _callback_count(long_lived) == before
    assert lwt.is_sleeping(long_lived)
    # The removed callbacks never fire; the user's own still does, once.
    lwt.wakeup(r, "late")
    assert seen == ["late"]


@pytest.mark.parametrize("combinator", [lwt.pick, lwt.choose], ids=["pick", "choose"])
def test_losing_input_does_not_grow_in_memory_over_many_calls(
    combinator: Callable[[Any], lwt.Promise[Any]],
) -> None:
    # The same property observed without internals: memory held after many
    # calls must not grow with their number.  One leaked callback record per
    # call would cost well over 50 bytes each, i.e. > 500 kB for 10,000 calls.
    long_lived, _ = lwt.wait()
    _run_picks(combinator, long_lived, 1_000)  # warm up caches and free lists
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        _run_picks(combinator, long_lived, 10_000)
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 100_000
    assert lwt.is_sleeping(long_lived)


def test_nchoose_family_drops_callbacks_on_inputs_still_pending() -> None:
    long_lived, _ = lwt.wait()
    for combinator in (lwt.nchoose, lwt.npick, lwt.nchoose_split):
        for i in range(100):
            fresh, r = lwt.task()
            result = combinator([long_lived, fresh])
            lwt.wakeup(r, i)
            assert not lwt.is_sleeping(result)
    # Internal look (see _callback_count): nothing was left behind.
    assert _callback_count(long_lived) == 0
