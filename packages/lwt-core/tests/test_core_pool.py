"""Tests for lwt.core.pool, after Lwt's test/core/test_lwt_pool.ml, plus more."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import NoReturn, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt
import lwt.core.pool as pool_module
from lwt.core.condition import Condition
from lwt.core.pool import Pool

X = TypeVar("X")


class Boom(Exception):
    pass


class Cell:
    """A mutable element, like the ``int ref`` elements of Lwt's tests."""

    def __init__(self, value: int = 0) -> None:
        self.value = value


def _is_canceled(p: lwt.Promise[object]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def _fails_with(p: lwt.Promise[object], cls: type[BaseException]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, cls)


def _cells(start: int = 0) -> Callable[[], lwt.Promise[Cell]]:
    return lambda: lwt.return_(Cell(start))


def _raise_boom(*_args: object) -> NoReturn:
    raise Boom()


# --------------------------------------------------------------- Lwt's suite
def test_basic_create_and_use() -> None:
    p: Pool[None] = Pool(1, lambda: lwt.return_unit)
    assert p.use(lwt.return_).state() == lwt.Return(None)


def test_exception_of_create_rejects_use() -> None:
    p: Pool[int] = Pool(1, _raise_boom)
    u = p.use(lambda _: lwt.return_(0))
    assert _fails_with(u, Boom)


def test_elements_are_reused() -> None:
    p = Pool(1, _cells())

    def set_one(c: Cell) -> lwt.Promise[int]:
        c.value = 1
        return lwt.return_(c.value)

    p.use(set_one)
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert u2.state() == lwt.Return(1)


def test_invalid_element_is_replaced_before_reuse() -> None:
    p = Pool(1, _cells(), validate=lambda c: lwt.return_(c.value == 0))

    def set_one(c: Cell) -> lwt.Promise[int]:
        c.value = 1
        return lwt.return_(c.value)

    p.use(set_one)
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert u2.state() == lwt.Return(0)


def _validate_zero_or_raise(c: Cell) -> lwt.Promise[bool]:
    if c.value == 0:
        return lwt.return_true
    raise Boom()


def test_validation_exception_reaches_the_user() -> None:
    cond: Condition[str] = Condition()
    p = Pool(1, _cells(), validate=_validate_zero_or_raise)

    def hold(c: Cell) -> lwt.Promise[str]:
        c.value = 1
        return cond.wait()

    u1 = p.use(hold)
    u2 = p.use(lambda c: lwt.return_(c.value))
    cond.signal("done")
    assert u1.state() == lwt.Return("done")
    assert _fails_with(u2, Boom)


def test_pool_creates_up_to_its_size() -> None:
    p = Pool(2, _cells())

    def busy(c: Cell) -> lwt.Promise[None]:
        c.value = 1
        return lwt.pause()

    p.use(busy)
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert u2.state() == lwt.Return(0)


def test_users_of_an_exhausted_pool_wait() -> None:
    p: Pool[int] = Pool(1, lambda: lwt.return_(0))
    p.use(lambda _: lwt.pause())
    u2 = p.use(lwt.return_)
    assert u2.is_sleeping()


def test_check_keeps_good_elements() -> None:
    p = Pool(1, _cells(1), check=lambda c, ok: ok(c.value > 0))

    def fail_after_setting(c: Cell) -> lwt.Promise[int]:
        c.value = 2
        return lwt.fail(Boom())

    p.use(fail_after_setting)
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert u2.state() == lwt.Return(2)


def test_check_disposes_of_bad_elements_and_a_new_one_is_made() -> None:
    disposed: list[Cell] = []

    def dispose(c: Cell) -> lwt.Promise[None]:
        disposed.append(c)
        return lwt.return_unit

    p = Pool(1, _cells(1), check=lambda c, ok: ok(c.value > 0), dispose=dispose)

    def spoil(c: Cell) -> lwt.Promise[int]:
        c.value = 0
        return lwt.fail(Boom())

    def bump(c: Cell) -> lwt.Promise[int]:
        c.value += 1
        return lwt.return_(c.value)

    p.use(spoil)
    u2 = p.use(bump)
    assert u2.state() == lwt.Return(2)
    assert len(disposed) == 1


def test_clear_disposes_of_every_element() -> None:
    count = [0]

    def dispose(_: Cell) -> lwt.Promise[None]:
        count[0] += 1
        return lwt.return_unit

    p = Pool(2, _cells(1), dispose=dispose)
    u = p.use(lambda _: lwt.pause())
    p.use(lambda _: lwt.return_unit)
    cleared = p.clear()
    assert cleared.state() == lwt.Return(None)
    assert count[0] == 1  # the idle one; the busy one goes when released
    lwt.wakeup_paused()
    assert u.state() == lwt.Return(None)
    assert count[0] == 2


def test_waiter_gets_a_replacement_after_a_validation_exception() -> None:
    cond: Condition[str] = Condition()
    p = Pool(1, _cells(), validate=_validate_zero_or_raise)

    def hold(c: Cell) -> lwt.Promise[str]:
        c.value = 1
        return cond.wait()

    u1 = p.use(hold)
    u2 = p.use(lambda c: lwt.return_(c.value))
    u3 = p.use(lambda c: lwt.return_(c.value))
    cond.signal("done")
    assert u1.state() == lwt.Return("done")
    assert _fails_with(u2, Boom)
    assert u3.state() == lwt.Return(0)


def test_waiter_gets_the_error_when_the_replacement_cannot_be_made() -> None:
    cond: Condition[str] = Condition()
    can_create = [True]

    def create() -> lwt.Promise[Cell]:
        if can_create[0]:
            return lwt.return_(Cell())
        raise Boom()

    p = Pool(1, create, validate=_validate_zero_or_raise)

    def hold(c: Cell) -> lwt.Promise[str]:
        c.value = 1
        can_create[0] = False
        return cond.wait()

    u1 = p.use(hold)
    u2 = p.use(lambda c: lwt.return_(c.value))
    u3 = p.use(lambda c: lwt.return_(c.value))
    cond.signal("done")
    assert u1.state() == lwt.Return("done")
    assert _fails_with(u2, Boom)
    assert _fails_with(u3, Boom)


def test_check_and_validate_work_together() -> None:
    cond: Condition[str] = Condition()
    p = Pool(
        1,
        _cells(),
        validate=lambda c: lwt.return_(c.value > 0),
        check=lambda c, ok: ok(c.value > 1),
    )

    def hold(c: Cell) -> lwt.Promise[str]:
        c.value = 1
        return cond.wait()

    def set_two_and_raise(c: Cell) -> lwt.Promise[None]:
        c.value = 2
        raise Boom()

    p.use(hold)
    u2 = p.use(set_two_and_raise)
    u3 = p.use(lambda c: lwt.return_(c.value))
    cond.signal("done")
    assert _fails_with(u2, Boom)
    assert u3.state() == lwt.Return(2)


def test_by_default_an_element_is_kept_after_a_failure() -> None:
    cond: Condition[str] = Condition()
    p = Pool(1, _cells())

    def later_fail(c: Cell) -> lwt.Promise[None]:
        def spoil(_: str) -> lwt.Promise[None]:
            c.value = 1
            raise Boom()

        return cond.wait().bind(spoil)

    p.use(later_fail)
    u2 = p.use(lambda c: lwt.return_(c.value))
    cond.signal("done")
    assert u2.state() == lwt.Return(1)


# ------------------------------------------------------------ construction
@pytest.mark.parametrize("n", [0, -1])
def test_size_below_one_is_rejected(n: int) -> None:
    with pytest.raises(lwt.InvalidArgument, match="size"):
        Pool(n, _cells())


# ------------------------------------------------------------------ waiting
def test_waiters_are_served_in_order() -> None:
    p = Pool(1, _cells())
    gate, open_gate = lwt.wait()
    p.use(lambda _: gate)
    order: list[int] = []
    for i in range(4):
        p.use(lambda _, i=i: lwt.return_(order.append(i)))
    assert p.wait_queue_length() == 4
    lwt.wakeup(open_gate, None)
    assert order == [0, 1, 2, 3]
    assert p.wait_queue_length() == 0


def test_canceled_waiter_leaves_the_queue() -> None:
    p = Pool(1, _cells())
    gate, open_gate = lwt.wait()
    p.use(lambda _: gate)
    ran: list[str] = []
    w1 = p.use(lambda _: lwt.return_(ran.append("w1")))
    w2 = p.use(lambda _: lwt.return_(ran.append("w2")))
    assert p.wait_queue_length() == 2
    w1.cancel()
    assert _is_canceled(w1)
    assert p.wait_queue_length() == 1
    lwt.wakeup(open_gate, None)
    assert ran == ["w2"]
    assert w2.state() == lwt.Return(None)


def test_many_canceled_waiters_do_not_accumulate() -> None:
    p = Pool(1, _cells())
    p.use(lambda _: lwt.wait()[0])
    for _ in range(100_000):
        p.use(lwt.return_).cancel()
    assert p.wait_queue_length() == 0
    assert len(p._waiters) <= 200


# --------------------------------------------------------- slots are freed
def test_replacement_after_a_validation_exception_counts_against_the_size() -> None:
    made: list[Cell] = []

    def create() -> lwt.Promise[Cell]:
        made.append(Cell())
        return lwt.return_(made[-1])

    def spoil_then_hold(c: Cell) -> lwt.Promise[None]:
        c.value = 1
        return first_gate

    p = Pool(1, create, validate=_validate_zero_or_raise)
    first_gate, open_first = lwt.wait()
    p.use(spoil_then_hold)
    u2 = p.use(lambda c: lwt.return_(c.value))
    seen: list[Cell] = []
    p.use(lambda c: lwt.return_(seen.append(c)).bind(lambda _: lwt.wait()[0]))
    lwt.wakeup(open_first, None)
    assert _fails_with(u2, Boom)
    # A second element was made for the third user, in the first one's slot,
    # so the pool is full: a fourth user waits instead of making a third.
    assert len(made) == 2
    assert seen == [made[1]]
    u4 = p.use(lambda c: lwt.return_(c.value))
    assert u4.is_sleeping()
    assert len(made) == 2
    assert p.wait_queue_length() == 1


def test_failed_creation_serves_a_waiting_user() -> None:
    attempts: list[tuple[lwt.Promise[Cell], lwt.Resolver[Cell]]] = []

    def create() -> lwt.Promise[Cell]:
        attempts.append(lwt.wait())
        return attempts[-1][0]

    p = Pool(1, create)
    u1 = p.use(lambda c: lwt.return_(c.value))
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert len(attempts) == 1
    lwt.wakeup_exn(attempts[0][1], Boom())
    assert _fails_with(u1, Boom)
    # The slot went to the waiting user, for whom a new element is made.
    assert len(attempts) == 2
    lwt.wakeup(attempts[1][1], Cell(7))
    assert u2.state() == lwt.Return(7)


def test_rejected_element_is_replaced_for_a_waiting_user() -> None:
    made = itertools.count(1)
    p = Pool(1, lambda: lwt.return_(Cell(next(made))), check=lambda _c, ok: ok(False))
    gate, open_gate = lwt.wait()
    u1 = p.use(lambda _: gate)
    u2 = p.use(lambda c: lwt.return_(c.value))
    lwt.wakeup_exn(open_gate, Boom())
    assert _fails_with(u1, Boom)
    assert u2.state() == lwt.Return(2)


def test_check_that_never_answers_disposes_of_the_element() -> None:
    disposed: list[int] = []
    made = itertools.count(1)

    def dispose(c: Cell) -> lwt.Promise[None]:
        disposed.append(c.value)
        return lwt.return_unit

    p = Pool(1, lambda: lwt.return_(Cell(next(made))), check=lambda _c, _ok: None, dispose=dispose)
    u1 = p.use(lambda _: lwt.fail(Boom()))
    assert _fails_with(u1, Boom)
    assert disposed == [1]
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(2)


def test_exception_of_check_disposes_and_rejects_with_it() -> None:
    class CheckBroke(Exception):
        pass

    disposed: list[Cell] = []

    def check(_c: Cell, _ok: Callable[[bool], None]) -> None:
        raise CheckBroke()

    def dispose(c: Cell) -> lwt.Promise[None]:
        disposed.append(c)
        return lwt.return_unit

    p = Pool(1, _cells(), check=check, dispose=dispose)
    u = p.use(lambda _: lwt.fail(Boom()))
    assert _fails_with(u, CheckBroke)
    assert len(disposed) == 1
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(0)


def test_failed_dispose_still_frees_the_slot() -> None:
    made = itertools.count(1)
    p = Pool(
        1,
        lambda: lwt.return_(Cell(next(made))),
        check=lambda _c, ok: ok(False),
        dispose=_raise_boom,
    )

    class Other(Exception):
        pass

    u1 = p.use(lambda _: lwt.fail(Other()))
    assert _fails_with(u1, Boom)  # dispose's failure replaces f's, as in Lwt
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(2)


def test_element_made_for_a_waiter_who_left_is_kept() -> None:
    attempts: list[lwt.Resolver[Cell]] = []
    first = [True]

    def create() -> lwt.Promise[Cell]:
        if first[0]:
            first[0] = False
            return lwt.return_(Cell(1))
        p, r = lwt.wait()
        attempts.append(r)
        return p

    p = Pool(1, create, check=lambda _c, ok: ok(False))
    gate, open_gate = lwt.wait()
    p.use(lambda _: gate)
    w = p.use(lambda c: lwt.return_(c.value))
    lwt.wakeup_exn(open_gate, Boom())  # element 1 disposed; creating one for w
    assert len(attempts) == 1
    w.cancel()
    assert _is_canceled(w)
    lwt.wakeup(attempts[0], Cell(2))
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(2)
    assert len(attempts) == 1


# ------------------------------------------------------------ cancellation
def test_cancel_while_f_runs_cancels_f_and_checks_the_element() -> None:
    checked: list[int] = []
    p = Pool(1, _cells(5), check=lambda c, ok: (checked.append(c.value), ok(True)))
    inner, _ = lwt.task()
    u = p.use(lambda _: inner)
    u.cancel()
    assert _is_canceled(inner)
    assert _is_canceled(u)
    assert checked == [5]
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(5)


def test_cancel_while_creating_frees_the_slot() -> None:
    first = [True]

    def create() -> lwt.Promise[Cell]:
        if first[0]:
            first[0] = False
            return lwt.task()[0]
        return lwt.return_(Cell(9))

    p = Pool(1, create)
    u = p.use(lambda c: lwt.return_(c.value))
    u.cancel()
    assert _is_canceled(u)
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(9)


# ------------------------------------------------------------------- clear
def test_clear_makes_the_next_use_get_a_fresh_element() -> None:
    made = itertools.count(1)
    p = Pool(2, lambda: lwt.return_(Cell(next(made))))
    p.use(lambda c: lwt.return_(c.value))
    p.clear()
    assert p.use(lambda c: lwt.return_(c.value)).state() == lwt.Return(2)


def test_element_in_use_during_clear_is_disposed_on_release() -> None:
    disposed: list[int] = []

    def dispose(c: Cell) -> lwt.Promise[None]:
        disposed.append(c.value)
        return lwt.return_unit

    made = itertools.count(1)
    p = Pool(1, lambda: lwt.return_(Cell(next(made))), dispose=dispose)
    gate, open_gate = lwt.wait()
    u1 = p.use(lambda _: gate)
    u2 = p.use(lambda c: lwt.return_(c.value))
    assert p.clear().state() == lwt.Return(None)
    assert disposed == []
    lwt.wakeup(open_gate, "ok")
    assert u1.state() == lwt.Return("ok")
    assert disposed == [1]
    assert u2.state() == lwt.Return(2)  # the waiter got a fresh element


def test_clear_disposes_of_all_idle_elements_and_reports_the_first_failure() -> None:
    seen: list[int] = []
    errors = [Boom(), Boom()]

    def dispose(c: Cell) -> lwt.Promise[None]:
        seen.append(c.value)
        if c.value in (1, 2):
            return lwt.fail(errors[c.value - 1])
        return lwt.return_unit

    made = itertools.count(1)
    p = Pool(3, lambda: lwt.return_(Cell(next(made))), dispose=dispose)
    gates = [lwt.wait() for _ in range(3)]
    for gate, _ in gates:
        p.use(lambda _c, gate=gate: gate)
    for _, opener in gates:
        lwt.wakeup(opener, None)
    result = p.clear()
    assert sorted(seen) == [1, 2, 3]
    assert result.state() == lwt.Fail(errors[0])
    # Every slot came back: three fresh elements can be held at once.
    held: list[int] = []
    for _ in range(3):
        p.use(lambda c: lwt.return_(held.append(c.value)).bind(lambda _: lwt.wait()[0]))
    assert held == [4, 5, 6]
    assert p.wait_queue_length() == 0


def test_clear_waits_for_pending_disposals_in_turn() -> None:
    pending: list[lwt.Resolver[None]] = []

    def dispose(_c: Cell) -> lwt.Promise[None]:
        p, r = lwt.wait()
        pending.append(r)
        return p

    p = Pool(2, _cells(), dispose=dispose)
    g1, o1 = lwt.wait()
    g2, o2 = lwt.wait()
    p.use(lambda _: g1)
    p.use(lambda _: g2)
    lwt.wakeup(o1, None)
    lwt.wakeup(o2, None)
    result = p.clear()
    assert len(pending) == 1
    lwt.wakeup(pending[0], None)
    assert len(pending) == 2
    assert result.is_sleeping()
    lwt.wakeup(pending[1], None)
    assert result.state() == lwt.Return(None)


# ---------------------------------------------------------- module surface
def test_module_functions_are_the_methods() -> None:
    p = Pool(1, _cells(3))
    assert pool_module.use(p, lambda c: lwt.return_(c.value)).state() == lwt.Return(3)
    assert pool_module.wait_queue_length(p) == 0
    assert pool_module.clear(p).state() == lwt.Return(None)


def test_public_names_and_docstrings() -> None:
    assert Pool.__module__ == "lwt.core.pool"
    for name in pool_module.__all__:
        assert getattr(pool_module, name).__doc__, name


# ------------------------------------------------------------ model check
def _cycle(xs: list[X], default: X) -> Iterator[X]:
    return itertools.cycle(xs) if xs else itertools.repeat(default)


_ops = st.lists(
    st.one_of(
        st.just(("use", 0, True)),
        st.just(("use", 0, True)),
        st.tuples(st.just("finish"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("finish"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("cancel"), st.integers(0, 20), st.just(True)),
        st.tuples(st.just("create_done"), st.integers(0, 20), st.booleans()),
        st.just(("clear", 0, True)),
    ),
    max_size=50,
)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(1, 3),
    st.lists(st.sampled_from(["ok", "ok", "fail", "pending"]), min_size=1, max_size=6),
    st.lists(st.sampled_from(["true", "true", "false", "raise"]), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=6),
    _ops,
)
def test_pool_never_holds_more_than_its_size(
    n: int,
    create_modes: list[str],
    validate_modes: list[str],
    check_verdicts: list[bool],
    dispose_ok: list[bool],
    ops: list[tuple[str, int, bool]],
) -> None:
    next_create = _cycle(create_modes, "ok")
    next_validate = _cycle(validate_modes, "true")
    next_check = _cycle(check_verdicts, True)
    next_dispose = _cycle(dispose_ok, True)
    serial = itertools.count()
    live: set[int] = set()
    gone: set[int] = set()
    busy: set[int] = set()
    slots = [0]  # creations started, minus failed ones, minus disposals
    creating: list[lwt.Resolver[int]] = []
    running: list[tuple[lwt.Promise[None], lwt.Resolver[None]]] = []
    uses: list[lwt.Promise[None]] = []
    # The pool catches exceptions raised by its callbacks, so they record
    # broken rules here instead of asserting.
    violations: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            violations.append(what)

    def born(e: int) -> None:
        live.add(e)

    def stillborn(_exc: BaseException) -> None:
        slots[0] -= 1

    def create() -> lwt.Promise[int]:
        slots[0] += 1
        expect(slots[0] <= n, f"create called with {slots[0] - 1} slots taken")
        mode = next(next_create)
        if mode == "fail":
            slots[0] -= 1
            raise Boom()
        if mode == "ok":
            e = next(serial)
            live.add(e)
            return lwt.return_(e)
        p, r = lwt.task()
        p.on_any(born, stillborn)
        creating.append(r)
        return p

    def validate(e: int) -> lwt.Promise[bool]:
        expect(e in live, f"validate on dead element {e}")
        mode = next(next_validate)
        if mode == "raise":
            raise Boom()
        return lwt.return_(mode == "true")

    def check(e: int, is_ok: Callable[[bool], None]) -> None:
        expect(e in live, f"check on dead element {e}")
        is_ok(next(next_check))

    def dispose(e: int) -> lwt.Promise[None]:
        expect(e in live, f"dispose of dead element {e}")
        expect(e not in busy, f"dispose of busy element {e}")
        live.discard(e)
        gone.add(e)
        slots[0] -= 1
        return lwt.return_unit if next(next_dispose) else lwt.fail(Boom())

    pool = Pool(n, create, validate=validate, check=check, dispose=dispose)

    def f(e: int) -> lwt.Promise[None]:
        expect(e in live and e not in gone, f"use of dead element {e}")
        expect(e not in busy, f"element {e} used twice at once")
        busy.add(e)
        p, r = lwt.task()
        running.append((p, r))

        def done() -> None:
            busy.discard(e)

        p.on_termination(done)
        return p

    def finish(k: int, ok: bool) -> None:
        running[:] = [(p, r) for p, r in running if p.is_sleeping()]
        if not running:
            return
        _, r = running.pop(k % len(running))
        if ok:
            lwt.wakeup(r, None)
        else:
            lwt.wakeup_exn(r, Boom())

    def create_done(k: int, ok: bool) -> None:
        if not creating:
            return
        r = creating.pop(k % len(creating))
        if ok:
            lwt.wakeup(r, next(serial))
        else:
            lwt.wakeup_exn(r, Boom())

    for op, k, flag in ops:
        if op == "use":
            uses.append(pool.use(f))
        elif op == "finish":
            finish(k, flag)
        elif op == "cancel" and uses:
            uses[k % len(uses)].cancel()
        elif op == "create_done":
            create_done(k, flag)
        elif op == "clear":
            pool.clear()
        assert not violations
        assert 0 <= slots[0] <= n
        assert len(live) <= n
        assert len(busy) <= n

    # Let everything finish: nobody may be left waiting forever.
    next_create = itertools.repeat("ok")
    while running or creating:
        while creating:
            create_done(0, True)
        while running:
            _, r = running.pop(0)
            lwt.wakeup(r, None)
        assert 0 <= slots[0] <= n
    assert not violations
    assert all(not u.is_sleeping() for u in uses)
    assert pool.wait_queue_length() == 0
    assert not busy
