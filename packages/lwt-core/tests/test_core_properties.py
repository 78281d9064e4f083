"""Properties of the promise core, checked with hypothesis.

Two families:

* The monad laws for ``bind`` and ``return_`` (and their cousins ``map`` and
  ``catch``), observed through ``state()``.  The functions come from a small
  family: return a value, raise, return a rejected promise, return a pending
  promise that is resolved later (either way).  The promise on the left is
  fulfilled, rejected, or pending and resolved (or canceled) later.  Both
  sides of a law are built at once, then the pending promises are resolved
  in rounds, in a random order within each round, and the two sides must be
  in the same state after every round.

* The combinators ``join``, ``all``, ``both``, ``pick``, ``choose``,
  ``npick``, ``nchoose`` and ``nchoose_split`` under random inputs (pending
  ``wait`` or ``task`` promises, or already resolved ones), random resolution
  orders, random cancellations of inputs, and a random cancellation of the
  result.  A small reference model says, after every event, what each input
  and the result must be.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import lwt.core as lwt

# A state brought to plain data: ("pending",), ("ok", value), ("err", exception)
# or ("canceled",); each cancellation makes a fresh Canceled, so they compare
# by kind only.
Outcome = tuple[Any, ...]
PENDING: Outcome = ("pending",)
CANCELED: Outcome = ("canceled",)


class Boom(Exception):
    """A failure that compares by its arguments, so both sides of a law can agree."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Boom and self.args == other.args

    def __hash__(self) -> int:
        return hash(("Boom", self.args))


def outcome(p: lwt.Promise[Any]) -> Outcome:
    s = lwt.state(p)
    if isinstance(s, lwt.Return):
        return ("ok", s.value)
    if isinstance(s, lwt.Fail):
        if isinstance(s.exc, lwt.Canceled):
            return CANCELED
        return ("err", s.exc)
    return PENDING


# ================================================================ monad laws
FN_KINDS = ("value", "raise", "rejected", "pending_ok", "pending_err")
M_KINDS = ("fulfilled", "rejected", "pending_ok", "pending_err", "canceled_later")

FnSpec = tuple[str, int]

fn_specs = st.tuples(st.sampled_from(FN_KINDS), st.integers(0, 9))
m_specs = st.tuples(st.sampled_from(M_KINDS), st.integers(-5, 5))


class World:
    """Makes promises from specs, and resolves the pending ones round by round."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.later: list[Callable[[], None]] = []

    def fn(self, spec: FnSpec) -> Callable[[int], lwt.Promise[int]]:
        kind, k = spec

        def f(x: int) -> lwt.Promise[int]:
            y = x * 10 + k
            if kind == "value":
                return lwt.return_(y)
            if kind == "raise":
                raise Boom(k, x)
            if kind == "rejected":
                return lwt.fail(Boom(k, x))
            p, r = lwt.wait()
            if kind == "pending_ok":
                self.later.append(lambda: lwt.wakeup(r, y))
            else:
                self.later.append(lambda: lwt.wakeup_exn(r, Boom(k, x)))
            return p

        return f

    def m(self, spec: tuple[str, int]) -> lwt.Promise[int]:
        kind, v = spec
        if kind == "fulfilled":
            return lwt.return_(v)
        if kind == "rejected":
            return lwt.fail(Boom("m", v))
        p, r = lwt.task()
        if kind == "pending_ok":
            self.later.append(lambda: lwt.wakeup(r, v))
        elif kind == "pending_err":
            self.later.append(lambda: lwt.wakeup_exn(r, Boom("m", v)))
        else:
            self.later.append(lambda: lwt.cancel(p))
        return p

    def agree(self, lhs: lwt.Promise[Any], rhs: lwt.Promise[Any]) -> None:
        """Resolve everything pending in rounds; the sides must agree after each."""
        rounds = 0
        while True:
            assert outcome(lhs) == outcome(rhs), f"after {rounds} rounds"
            if not self.later:
                break
            batch, self.later = self.later, []
            self.rng.shuffle(batch)
            for resolve in batch:
                resolve()
            rounds += 1
            assert rounds < 10
        assert not lwt.is_sleeping(lhs)


LAWS = settings(max_examples=300, deadline=None)


@LAWS
@given(a=st.integers(-5, 5), f=fn_specs, rng=st.randoms(use_true_random=False))
def test_left_identity(a: int, f: FnSpec, rng: random.Random) -> None:
    # return_(a).bind(f) is f(a); since bind turns a raise into a rejection,
    # the right-hand side is apply(f, a).
    w = World(rng)
    fn = w.fn(f)
    w.agree(lwt.return_(a).bind(fn), lwt.apply(fn, a))


@LAWS
@given(m=m_specs, rng=st.randoms(use_true_random=False))
def test_right_identity(m: tuple[str, int], rng: random.Random) -> None:
    w = World(rng)
    p = w.m(m)
    w.agree(p.bind(lwt.return_), p)


@LAWS
@given(m=m_specs, f=fn_specs, g=fn_specs, rng=st.randoms(use_true_random=False))
def test_associativity(m: tuple[str, int], f: FnSpec, g: FnSpec, rng: random.Random) -> None:
    w = World(rng)
    p = w.m(m)
    fn, gn = w.fn(f), w.fn(g)
    lhs = p.bind(fn).bind(gn)
    rhs = p.bind(lambda x: fn(x).bind(gn))
    w.agree(lhs, rhs)


@LAWS
@given(m=m_specs, k=st.integers(0, 9), raises=st.booleans(), rng=st.randoms(use_true_random=False))
def test_map_is_bind_then_return(
    m: tuple[str, int], k: int, raises: bool, rng: random.Random
) -> None:
    def h(x: int) -> int:
        if raises:
            raise Boom("h", x)
        return x + k

    w = World(rng)
    p = w.m(m)
    w.agree(p.map(h), p.bind(lambda x: lwt.return_(h(x))))


@LAWS
@given(e=st.integers(0, 9), h=fn_specs, rng=st.randoms(use_true_random=False))
def test_catch_of_a_rejection_is_the_handler(e: int, h: FnSpec, rng: random.Random) -> None:
    w = World(rng)
    hn = w.fn(h)
    exc = Boom("e", e)
    w.agree(
        lwt.catch(lambda: lwt.fail(exc), lambda x: hn(x.args[1])),
        lwt.apply(hn, e),
    )


@LAWS
@given(m=m_specs, rng=st.randoms(use_true_random=False))
def test_catch_that_reraises_is_the_identity(m: tuple[str, int], rng: random.Random) -> None:
    w = World(rng)
    p = w.m(m)
    w.agree(lwt.catch(lambda: p, lwt.fail), p)


@LAWS
@given(m=m_specs, f=fn_specs, h=fn_specs, rng=st.randoms(use_true_random=False))
def test_try_bind_is_bind_on_success_and_catch_on_failure(
    m: tuple[str, int], f: FnSpec, h: FnSpec, rng: random.Random
) -> None:
    # try_bind(p, f, h) behaves as bind(p, f) when p is fulfilled, and as
    # catch(p, h) when p is rejected; neither handler sees the other's failure.
    w = World(rng)
    p = w.m(m)
    fn = w.fn(f)
    hn = w.fn(h)

    def on_error(exc: BaseException) -> lwt.Promise[int]:
        return hn(-1 if isinstance(exc, lwt.Canceled) else exc.args[1])

    lhs = lwt.try_bind(lambda: p, fn, on_error)
    rhs_ok = p.bind(fn)
    rhs_err = lwt.catch(lambda: p, on_error)

    def rhs() -> Outcome:
        state = lwt.state(p)
        if isinstance(state, lwt.Return):
            return outcome(rhs_ok)
        if isinstance(state, lwt.Fail):
            return outcome(rhs_err)
        return PENDING

    rounds = 0
    while True:
        assert outcome(lhs) == rhs(), f"after {rounds} rounds"
        if not w.later:
            break
        batch, w.later = w.later, []
        rng.shuffle(batch)
        for resolve in batch:
            resolve()
        rounds += 1
    assert not lwt.is_sleeping(lhs)


# ===================================================== combinator invariants
COMBINATORS = ("join", "all", "both", "pick", "choose", "npick", "nchoose", "nchoose_split")
INPUT_KINDS = ("wait", "task", "fulfilled", "rejected")
ACTIONS = ("fulfil", "reject", "cancel", "none")

Event = tuple[str, int]  # ("fulfil" | "reject" | "cancel", input index) or ("cancel result", -1)


@dataclass
class Scenario:
    name: str
    kinds: list[str]
    events: list[Event]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    name = draw(st.sampled_from(COMBINATORS))
    n = 2 if name == "both" else draw(st.integers(1, 5))
    kinds = draw(st.lists(st.sampled_from(INPUT_KINDS), min_size=n, max_size=n))
    actions = draw(st.lists(st.sampled_from(ACTIONS), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    events: list[Event] = [
        (actions[i], i) for i in order if kinds[i] in ("wait", "task") and actions[i] != "none"
    ]
    cancel_at = draw(st.none() | st.integers(0, len(events)))
    if cancel_at is not None:
        events.insert(cancel_at, ("cancel result", -1))
    return Scenario(name, kinds, events)


def value_of(i: int) -> str:
    return f"v{i}"


@dataclass
class Model:
    """What the inputs and the result of one combinator must be."""

    name: str
    kinds: list[str]
    errors: list[Boom]
    status: list[Outcome] = field(default_factory=list)
    timeline: list[int] = field(default_factory=list)  # input indices, in resolution order
    result: Outcome = PENDING  # for the first-to-resolve combinators
    allowed: list[Outcome] | None = None  # pick/choose among already resolved inputs

    def __post_init__(self) -> None:
        for i, kind in enumerate(self.kinds):
            if kind == "fulfilled":
                self.status.append(("ok", value_of(i)))
                self.timeline.append(i)
            elif kind == "rejected":
                self.status.append(("err", self.errors[i]))
                self.timeline.append(i)
            else:
                self.status.append(PENDING)
        if not self.timeline or self.name in ("join", "all", "both"):
            return
        # Some input is already resolved: the first-to-resolve combinators
        # are resolved at once.
        if self.name in ("pick", "choose"):
            rejected = [s for s in self.status if s[0] == "err"]
            self.allowed = rejected or [s for s in self.status if s != PENDING]
        else:
            self.result = self.collect()
        if self.name in ("pick", "npick"):
            self.cancel_pending_tasks()

    @property
    def gathers(self) -> bool:
        return self.name in ("join", "all", "both")

    def pending_indices(self) -> list[int]:
        return [i for i, s in enumerate(self.status) if s == PENDING]

    def cancel_pending_tasks(self) -> list[int]:
        done = [i for i in self.pending_indices() if self.kinds[i] == "task"]
        for i in done:
            self.status[i] = CANCELED
            self.timeline.append(i)
        return done

    def collect(self) -> Outcome:
        """nchoose/npick/nchoose_split: the result from the inputs resolved so far."""
        for s in self.status:
            if s[0] in ("err", "canceled"):
                return s
        values = [s[1] for s in self.status if s[0] == "ok"]
        if self.name == "nchoose_split":
            return ("ok", (values, self.pending_indices()))
        return ("ok", values)

    def expected_result(self) -> Outcome:
        if not self.gathers:
            return self.result
        if self.pending_indices():
            return PENDING
        for i in self.timeline:
            if self.status[i][0] in ("err", "canceled"):
                return self.status[i]
        values = [s[1] for s in self.status]
        if self.name == "join":
            return ("ok", None)
        if self.name == "both":
            return ("ok", tuple(values))
        return ("ok", values)

    def settle(self, newly: list[int]) -> None:
        """Some inputs just resolved (in this order): first-to-resolve combinators react."""
        if self.gathers or not newly or self.result != PENDING:
            return
        if self.name in ("pick", "choose"):
            self.result = self.status[newly[0]]
        else:
            self.result = self.collect()
        if self.name in ("pick", "npick"):
            self.cancel_pending_tasks()

    def apply(self, event: Event) -> None:
        action, i = event
        if action == "cancel result":
            if self.expected_result() == PENDING:
                self.settle(self.cancel_pending_tasks())
            return
        if self.status[i] != PENDING:
            return  # resolving a canceled promise does nothing
        if action == "fulfil":
            self.status[i] = ("ok", value_of(i))
        elif action == "reject":
            self.status[i] = ("err", self.errors[i])
        elif self.kinds[i] == "task":
            self.status[i] = CANCELED
        else:
            return  # cancelling a wait promise does nothing
        self.timeline.append(i)
        self.settle([i])


def build(name: str, ps: list[lwt.Promise[Any]]) -> lwt.Promise[Any]:
    if name == "both":
        return lwt.both(ps[0], ps[1])
    combine: Callable[[list[lwt.Promise[Any]]], lwt.Promise[Any]] = getattr(lwt, name)
    return combine(ps)


@settings(max_examples=1000, deadline=None)
@given(scenario=scenarios())
def test_combinators_follow_the_reference_model(scenario: Scenario) -> None:
    name, kinds = scenario.name, scenario.kinds
    errors = [Boom("input", i) for i in range(len(kinds))]
    ps: list[lwt.Promise[Any]] = []
    rs: list[lwt.Resolver[Any] | None] = []
    for i, kind in enumerate(kinds):
        if kind == "fulfilled":
            ps.append(lwt.return_(value_of(i)))
            rs.append(None)
        elif kind == "rejected":
            ps.append(lwt.fail(errors[i]))
            rs.append(None)
        else:
            p, r = lwt.wait() if kind == "wait" else lwt.task()
            ps.append(p)
            rs.append(r)

    result = build(name, ps)
    terminations = [0]

    def count() -> None:
        terminations[0] += 1

    result.on_termination(count)
    model = Model(name, kinds, errors)

    def observed_result() -> Outcome:
        o = outcome(result)
        if name == "nchoose_split" and o[0] == "ok":
            values, still = o[1]
            return ("ok", (values, [next(j for j, q in enumerate(ps) if q is s) for s in still]))
        return o

    def check(step: str) -> None:
        for i, p in enumerate(ps):
            assert outcome(p) == model.status[i], f"input {i} {step}"
        if model.allowed is not None and model.result == PENDING:
            # pick/choose chose at random among the inputs already resolved.
            assert observed_result() in model.allowed
            model.result = observed_result()
        assert observed_result() == model.expected_result(), f"result {step}"
        resolved = model.expected_result() != PENDING
        assert terminations[0] == int(resolved), f"resolved once {step}"

    check("at construction")
    for event in scenario.events:
        action, i = event
        if action == "cancel result":
            lwt.cancel(result)
        elif action == "cancel":
            lwt.cancel(ps[i])
        else:
            r = rs[i]
            assert r is not None
            if action == "fulfil":
                lwt.wakeup(r, value_of(i))
            else:
                lwt.wakeup_exn(r, errors[i])
        model.apply(event)
        check(f"after {event}")


@settings(max_examples=300, deadline=None)
@given(scenario=scenarios().filter(lambda s: s.name in ("choose", "nchoose", "nchoose_split")))
def test_choose_family_never_cancels_an_input_on_its_own(scenario: Scenario) -> None:
    # Only an explicit cancellation of an input, or of the result, cancels.
    ps: list[lwt.Promise[Any]] = []
    rs: list[lwt.Resolver[Any]] = []
    for _ in scenario.kinds:
        p, r = lwt.task()
        ps.append(p)
        rs.append(r)
    build(scenario.name, ps)
    for action, i in scenario.events:
        if action == "fulfil":
            lwt.wakeup(rs[i], value_of(i))
        elif action == "reject":
            lwt.wakeup_exn(rs[i], Boom("input", i))
    for p in ps:
        assert outcome(p) != CANCELED


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(COMBINATORS),
    kinds=st.lists(st.sampled_from(("wait", "task")), min_size=2, max_size=5),
)
def test_cancelling_a_pending_result_cancels_exactly_the_task_inputs(
    name: str, kinds: list[str]
) -> None:
    if name == "both":
        kinds = kinds[:2]
    made = [lwt.wait() if kind == "wait" else lwt.task() for kind in kinds]
    ps = [p for p, _ in made]
    result = build(name, ps)
    lwt.cancel(result)
    for kind, p in zip(kinds, ps, strict=True):
        assert outcome(p) == (CANCELED if kind == "task" else PENDING)
    waits = [r for (_, r), kind in zip(made, kinds, strict=True) if kind == "wait"]
    if name in ("join", "all", "both"):
        # They wait for the rest, then take the cancellation, if any.
        for r in waits:
            assert outcome(result) == PENDING
            lwt.wakeup(r, "late")
        assert (outcome(result) == CANCELED) == ("task" in kinds)
    elif "task" in kinds:
        assert outcome(result) == CANCELED
    else:
        assert outcome(result) == PENDING
