"""Tests for lwt.core.stream, after Lwt's test/core/test_lwt_stream.ml, plus more."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator

import pytest

import lwt.core as lwt
import lwt.core.stream as stream
from lwt.core.stream import Closed, Empty, Full, Stream


class Boom(Exception):
    pass


class Item:
    """An element that can be watched with a weak reference."""

    def __init__(self, n: int) -> None:
        self.n = n


def _is_canceled(p: lwt.Promise[object]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, lwt.Canceled)


def _rejected_with(p: lwt.Promise[object], cls: type[BaseException]) -> bool:
    s = p.state()
    return isinstance(s, lwt.Fail) and isinstance(s.exc, cls)


def _resolve_all_paused() -> None:
    while lwt.paused_count():
        lwt.wakeup_paused()


# ============================================================== Lwt's suite
# ----------------------------------------------------------- construction
def test_from_shares_one_call_between_readers_waiting_together() -> None:
    calls: list[int] = []
    ready: lwt.Promise[int]
    ready, fill = lwt.wait()

    def produce() -> lwt.Promise[int | None]:
        calls.append(1)
        return ready.map(lambda x: x)

    s = stream.from_(produce)
    t1, t2, t3 = s.next(), s.next(), s.next()
    assert calls == [1]
    lwt.wakeup(fill, 1)
    # All three started before the element existed, so they all see it.
    assert [t1.poll(), t2.poll(), t3.poll()] == [1, 1, 1]


def test_return_makes_a_closed_stream_of_one_element() -> None:
    s = stream.return_(123)
    assert s.is_closed()
    assert s.next().state() == lwt.Return(123)
    assert _rejected_with(s.next(), Empty)


def test_return_lwt_of_a_resolved_promise() -> None:
    s = stream.return_lwt(lwt.return_(123))
    assert s.next().state() == lwt.Return(123)
    assert s.is_closed()


def test_return_lwt_waits_for_the_promise() -> None:
    s = stream.return_lwt(lwt.pause().map(lambda _: 123))
    first = s.next()
    assert first.is_sleeping()
    assert not s.is_closed()
    _resolve_all_paused()
    assert first.state() == lwt.Return(123)
    assert s.is_closed()


def test_return_lwt_of_a_rejected_promise_is_an_empty_closed_stream() -> None:
    def boom(_: None) -> lwt.Promise[int]:
        raise lwt.Failure("not today")

    s = stream.return_lwt(lwt.pause().bind(boom))
    first = s.next()
    _resolve_all_paused()
    assert _rejected_with(first, Empty)
    assert s.is_closed()


def test_of_iterable_takes_elements_only_when_read() -> None:
    reached_end: list[bool] = []

    def gen() -> Iterator[int]:
        yield 1
        reached_end.append(True)

    s = stream.of_iterable(gen())
    assert not s.is_closed()
    assert s.get().state() == lwt.Return(1)
    assert reached_end == []
    assert s.get().state() == lwt.Return(None)
    assert reached_end == [True]
    assert s.is_closed()


def test_of_lwt_seq_asks_for_nodes_only_when_read() -> None:
    import lwt.core.seq as lseq

    reached_end: list[bool] = []

    def end() -> lwt.Promise[lseq.Node[int]]:
        def nil(_: None) -> lseq.Node[int]:
            reached_end.append(True)
            return lseq.Nil()

        return lwt.pause().map(nil)

    def first() -> lwt.Promise[lseq.Node[int]]:
        return lwt.pause().map(lambda _: lseq.Cons(1, end))

    s = stream.of_lwt_seq(first)
    assert not s.is_closed()
    x1 = s.get()
    _resolve_all_paused()
    assert x1.state() == lwt.Return(1)
    assert reached_end == []
    x2 = s.get()
    _resolve_all_paused()
    assert x2.state() == lwt.Return(None)
    assert reached_end == [True]
    assert s.is_closed()


def test_of_lwt_seq_of_a_long_sequence() -> None:
    import lwt.core.seq as lseq

    assert stream.of_lwt_seq(lseq.of_list(range(10_000))).to_list().poll() == list(range(10_000))


def test_of_list_gives_the_elements_in_order() -> None:
    s = stream.of_list([1, 2, 3])
    assert [s.next().poll(), s.next().poll(), s.next().poll()] == [1, 2, 3]


def test_clones_read_independently() -> None:
    s1 = stream.of_list([1, 2, 3])
    s2 = s1.clone()
    got1: list[object] = []
    got2: list[object] = []
    got1.append(s1.next().poll())
    got2.append(s2.next().poll())
    got1.append(s1.next().poll())
    got1.append(s1.next().poll())
    got2.append(s2.next().poll())
    got2.append(s2.next().poll())
    assert got1 == [1, 2, 3]
    assert got2 == [1, 2, 3]


def test_clone_of_a_push_stream_sees_what_is_already_queued() -> None:
    s1, push = stream.create()
    push(1)
    s2 = s1.clone()
    assert s1.next().poll() == 1
    assert s1.next().is_sleeping()
    assert s2.next().poll() == 1
    assert s2.next().is_sleeping()


def test_create_then_to_list() -> None:
    s, push = stream.create()
    push(1)
    push(2)
    push(3)
    push(None)
    assert s.to_list().state() == lwt.Return([1, 2, 3])


def test_next_on_a_closed_empty_push_stream_is_empty() -> None:
    s, push = stream.create()
    push(None)
    assert _rejected_with(s.next(), Empty)


def test_create_bounded_full_sequence() -> None:
    s, b = stream.create_bounded(3)
    assert b.push(1).state() == lwt.Return(None)
    assert b.push(2).state() == lwt.Return(None)
    assert b.push(3).state() == lwt.Return(None)
    fourth = b.push(4)
    assert fourth.is_sleeping()
    assert _rejected_with(b.push(5), Full)
    assert _rejected_with(b.push(6), Full)
    assert s.get().state() == lwt.Return(1)
    assert fourth.state() == lwt.Return(None)
    assert s.get().state() == lwt.Return(2)
    assert b.push(7).state() == lwt.Return(None)
    b.close()
    assert _rejected_with(b.push(8), Closed)
    assert s.to_list().state() == lwt.Return([3, 4, 7])


def test_create_bounded_close_ends_a_waiting_to_list() -> None:
    s, b = stream.create_bounded(1)
    assert b.push(1).state() == lwt.Return(None)
    everything = s.to_list()
    _resolve_all_paused()
    b.close()
    assert everything.state() == lwt.Return([1])


# ------------------------------------------------------------- retrieval
def test_get_while_stops_at_the_first_failing_element() -> None:
    s = stream.of_list([1, 2, 3, 4, 5])
    assert s.get_while(lambda x: x < 3).state() == lwt.Return([1, 2])
    assert s.to_list().state() == lwt.Return([3, 4, 5])


def test_peek_does_not_remove() -> None:
    s = stream.of_list([1, 2, 3, 4, 5])
    assert s.peek().poll() == 1
    assert s.peek().poll() == 1
    assert s.to_list().poll() == [1, 2, 3, 4, 5]


def test_npeek_does_not_remove() -> None:
    s = stream.of_list([1, 2, 3, 4, 5])
    assert s.npeek(3).poll() == [1, 2, 3]
    assert s.npeek(1).poll() == [1]
    assert s.to_list().poll() == [1, 2, 3, 4, 5]


def test_get_available_takes_what_is_queued() -> None:
    s, push = stream.create()
    push(1)
    push(2)
    push(3)
    assert s.get_available() == [1, 2, 3]
    push(4)
    assert s.get().state() == lwt.Return(4)


def test_get_available_up_to_takes_at_most_n() -> None:
    s, push = stream.create()
    for i in (1, 2, 3, 4):
        push(i)
    assert s.get_available_up_to(2) == [1, 2]
    assert s.get().state() == lwt.Return(3)


def test_filter_skips_and_leaves_nothing_available() -> None:
    s, push = stream.create()
    for i in (1, 2, 3, 4):
        push(i)
    only_three = s.filter(lambda x: x == 3)
    assert only_three.get().state() == lwt.Return(3)
    assert only_three.get_available() == []


def test_filter_map_skips_and_leaves_nothing_available() -> None:
    s, push = stream.create()
    for i in (1, 2, 3, 4):
        push(i)
    three = s.filter_map(lambda x: "3" if x == 3 else None)
    assert three.get().state() == lwt.Return("3")
    assert three.get_available() == []


def test_last_new_returns_the_newest_available() -> None:
    s, push = stream.create()
    push(1)
    push(2)
    push(3)
    assert s.last_new().state() == lwt.Return(3)


def test_junk_available_empties_what_is_queued() -> None:
    s, push = stream.create()
    assert s.get_available() == []
    s.junk_available()
    assert s.get_available() == []
    push(1)
    push(2)
    push(4)
    s.junk_available()
    assert s.get_available() == []
    push(66)
    push(77)
    push(99)
    s.junk_available()
    assert s.get_available() == []


def test_junk_old_is_a_deprecated_promise_returning_junk_available() -> None:
    s, push = stream.create()
    push(1)
    push(2)
    with pytest.warns(DeprecationWarning, match="junk_available"):
        done = s.junk_old()
    assert done.state() == lwt.Return(None)
    assert s.get_available() == []


# ---------------------------------------------------------- cancellation
def test_cancel_a_pending_next() -> None:
    s: Stream[int]
    s, _push = stream.create()
    t = s.next()
    t.cancel()
    assert _is_canceled(t)


def test_element_pushed_after_a_canceled_next_goes_to_the_next_reader() -> None:
    s, push = stream.create()
    t = s.next()
    t.cancel()
    push(1)
    assert s.next().state() == lwt.Return(1)


def test_canceling_one_reader_does_not_block_another() -> None:
    s, push = stream.create()
    t1 = s.next()
    t2 = s.next()
    t1.cancel()
    push(1)
    assert _is_canceled(t1)
    assert t2.state() == lwt.Return(1)


# ------------------------------------------------------------------ memory
def test_push_keeps_no_reference_to_the_stream_or_its_elements() -> None:
    def build() -> tuple[list[weakref.ref[Item]], object]:
        s, push = stream.create()
        items = [Item(1), Item(2), Item(3)]
        refs = [weakref.ref(x) for x in items]
        for x in items:
            push(x)
        del items
        first = s.next().poll()
        assert isinstance(first, Item)
        assert first.n == 1
        return refs, push

    refs, push = build()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
    assert callable(push)


# ------------------------------------------------------------- exceptions
def test_wrap_exn_turns_failures_into_error_elements() -> None:
    exit_exc = Boom("exit")
    plop = lwt.Failure("plop")
    eof = EOFError()
    script: list[object] = [1, exit_exc, plop, 42, eof]

    def produce() -> lwt.Promise[int | None]:
        if not script:
            return lwt.return_none
        x = script.pop(0)
        if isinstance(x, BaseException):
            raise x
        assert isinstance(x, int)
        return lwt.return_(x)

    got = stream.from_(produce).wrap_exn().to_list().poll()
    assert got == [lwt.Ok(1), lwt.Error(exit_exc), lwt.Error(plop), lwt.Ok(42), lwt.Error(eof)]


def test_is_closed_for_each_kind_of_stream() -> None:
    assert stream.of_list([]).is_closed()
    assert stream.of_list([1, 2, 3]).is_closed()
    assert stream.of_string("").is_closed()
    assert stream.of_string("123").is_closed()
    assert stream.of_bytes(b"123").is_closed()
    assert not stream.from_direct(lambda: 1).is_closed()
    ending: Stream[int] = stream.from_direct(lambda: None)
    assert not ending.is_closed()
    ending.junk()
    assert ending.is_closed()


def _one_then_end() -> Stream[int]:
    values: list[int | None] = [1]

    def produce() -> int | None:
        return values.pop() if values else None

    return stream.from_direct(produce)


def test_closed_resolves_when_the_end_is_reached() -> None:
    s = _one_then_end()
    seen: list[bool] = []
    lwt.async_(lambda: s.closed().map(lambda _: seen.append(s.is_closed())))
    s.peek()
    assert seen == []
    s.junk()
    s.peek()
    assert seen == [True]


def test_closed_with_on_termination() -> None:
    s = _one_then_end()
    seen: list[bool] = []
    s.closed().on_termination(lambda: seen.append(True))
    s.peek()
    assert seen == []
    s.junk()
    s.peek()
    assert seen == [True]
    assert s.is_closed()


def test_closed_of_a_closed_stream_is_resolved() -> None:
    s = stream.of_list([])
    seen: list[bool] = []
    assert s.is_closed()
    s.closed().on_termination(lambda: seen.append(True))
    assert seen == [True]


def test_choose_of_an_exhausted_stream_ends() -> None:
    assert stream.choose([stream.of_list([])]).to_list().state() == lwt.Return([])


def _raising() -> lwt.Promise[int | None]:
    raise Boom


def test_from_forwards_the_exception_to_the_reader() -> None:
    assert _rejected_with(stream.from_(_raising).get(), Boom)


def test_from_direct_forwards_the_exception_to_the_reader() -> None:
    def raising() -> int | None:
        raise Boom

    assert _rejected_with(stream.from_direct(raising).get(), Boom)


def test_to_list_forwards_the_exception() -> None:
    assert _rejected_with(stream.from_(_raising).to_list(), Boom)


def test_map_forwards_the_exception_of_its_source() -> None:
    assert _rejected_with(stream.from_(_raising).map(lambda v: v).get(), Boom)


def test_from_stream_stays_open_after_an_exception() -> None:
    feed: list[lwt.Promise[int | None]] = [lwt.fail(Boom())]
    s = stream.from_(lambda: feed[0])
    assert _rejected_with(s.get(), Boom)
    assert not s.is_closed()
    feed[0] = lwt.return_(0)
    assert s.get().state() == lwt.Return(0)
    feed[0] = lwt.return_none
    assert s.get().state() == lwt.Return(None)
    assert s.is_closed()


def test_from_direct_stream_stays_open_after_an_exception() -> None:
    def raising() -> int | None:
        raise Boom

    feed = [raising]
    s = stream.from_direct(lambda: feed[0]())
    assert _rejected_with(s.get(), Boom)
    assert not s.is_closed()
    feed[0] = lambda: 0
    assert s.get().state() == lwt.Return(0)
    feed[0] = lambda: None
    assert s.get().state() == lwt.Return(None)
    assert s.is_closed()


# ================================================================ more cases
# --------------------------------------------------------------- the API
def test_module_functions_keep_lwts_argument_order() -> None:
    # Where Lwt takes the stream first, the function is the method itself.
    for name in ("get", "next", "parse", "hexdump", "closed", "combine"):
        assert getattr(stream, name) is getattr(Stream, name)
    # Where Lwt takes a count or a function first, so does the module.
    s = stream.of_list([1, 2, 3, 4])
    assert stream.npeek(2, s).poll() == [1, 2]
    assert stream.nget(2, s).poll() == [1, 2]
    doubled = stream.map(lambda x: x * 2, s)
    assert stream.fold(lambda x, acc: acc + x, doubled, 10).poll() == 24
    seen: list[int] = []
    assert stream.iter(seen.append, stream.of_list([5, 6])).poll() is None
    assert seen == [5, 6]
    assert stream.find(lambda x: x > 5, stream.of_list([5, 6, 7])).poll() == 6


def test_every_export_is_documented() -> None:
    for name in stream.__all__:
        obj = getattr(stream, name)
        assert (obj.__doc__ or "").strip(), name


def test_exported_classes_name_the_public_module() -> None:
    for cls in (Stream, stream.BoundedPush, Closed, Full, Empty):
        assert cls.__module__ == "lwt.core.stream"


def test_streams_are_not_built_directly() -> None:
    with pytest.raises(TypeError):
        Stream()
    with pytest.raises(TypeError):
        stream.BoundedPush()


def test_repr_tells_whether_the_stream_is_closed() -> None:
    s, push = stream.create()
    assert repr(s) == "<Stream open>"
    push(None)
    assert repr(s) == "<Stream closed>"


# ------------------------------------------------------------ push streams
def test_push_to_a_closed_stream_raises_closed() -> None:
    _s, push = stream.create()
    push(None)
    with pytest.raises(Closed):
        push(1)
    with pytest.raises(Closed):
        push(None)


def test_readers_waiting_together_get_the_same_element_once() -> None:
    s, push = stream.create()
    a = s.get()
    b = s.get()
    push(1)
    push(2)
    assert a.state() == lwt.Return(1)
    assert b.state() == lwt.Return(1)
    assert s.get().state() == lwt.Return(2)


def test_canceled_peek_and_get_keep_the_element() -> None:
    s, push = stream.create()
    p = s.peek()
    g = s.get()
    p.cancel()
    g.cancel()
    push(7)
    assert _is_canceled(p)
    assert _is_canceled(g)
    assert s.get_available() == [7]


def test_canceled_reader_of_a_from_stream_leaves_the_element() -> None:
    ready: lwt.Promise[int]
    ready, fill = lwt.wait()
    s = stream.from_(lambda: ready.map(lambda x: x))
    t = s.next()
    t.cancel()
    assert _is_canceled(t)
    lwt.wakeup(fill, 5)
    assert s.next().state() == lwt.Return(5)


def test_many_canceled_readers_do_not_pile_up() -> None:
    s: Stream[int]
    s, push = stream.create()
    for _ in range(10_000):
        s.get().cancel()
    assert len(s._src.waiters) <= 200
    last = s.get()
    push(3)
    assert last.state() == lwt.Return(3)


def test_create_with_reference_keeps_the_reference() -> None:
    s, push, set_ref = stream.create_with_reference()
    keep = Item(0)
    ref = weakref.ref(keep)
    set_ref(keep)
    del keep
    gc.collect()
    assert ref() is not None
    push(1)
    assert s.next().state() == lwt.Return(1)


def test_closed_resolves_before_waiting_readers_see_the_end() -> None:
    s: Stream[int]
    s, push = stream.create()
    seen: list[bool] = []
    s.get().on_success(lambda _: seen.append(s.is_closed()))
    push(None)
    assert seen == [True]


# ---------------------------------------------------------- bounded streams
def test_bounded_push_accessors() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(2)
    assert (b.size(), b.count(), b.blocked(), b.closed()) == (2, 0, False, False)
    b.push(1)
    b.push(2)
    waiting = b.push(3)
    assert (b.count(), b.blocked()) == (2, True)
    assert s.next().poll() == 1
    assert waiting.state() == lwt.Return(None)
    assert (b.count(), b.blocked()) == (2, False)
    b.close()
    assert b.closed()
    assert s.is_closed()
    assert repr(b) == "<BoundedPush closed count=2 size=2>"


def test_bounded_close_rejects_the_blocked_push() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(1)
    b.push(1)
    waiting = b.push(2)
    b.close()
    assert _rejected_with(waiting, Closed)
    assert not b.blocked()
    assert s.to_list().poll() == [1]


def test_bounded_close_twice_does_nothing() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(1)
    b.close()
    b.close()
    assert s.to_list().poll() == []


def test_canceled_bounded_push_withdraws_its_element() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(1)
    b.push(1)
    waiting = b.push(2)
    waiting.cancel()
    assert _is_canceled(waiting)
    assert not b.blocked()
    again = b.push(3)
    assert again.is_sleeping()
    assert s.next().poll() == 1
    assert again.state() == lwt.Return(None)
    b.close()
    assert s.to_list().poll() == [3]


def test_resize_lets_a_blocked_push_in() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(1)
    b.push(1)
    waiting = b.push(2)
    b.resize(3)
    assert waiting.state() == lwt.Return(None)
    assert (b.size(), b.count(), b.blocked()) == (3, 2, False)
    assert b.push(3).state() == lwt.Return(None)
    assert s.get_available() == [1, 2, 3]


def test_resize_below_the_count_drops_nothing() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(3)
    for i in range(3):
        b.push(i)
    b.resize(1)
    assert b.count() == 3
    assert b.push(9).is_sleeping()
    assert s.get_available() == [0, 1, 2, 9]


def test_resize_wakes_a_reader_of_a_size_zero_stream() -> None:
    s: Stream[int]
    s, b = stream.create_bounded(0)
    reader = s.get()
    waiting = b.push(1)
    assert reader.is_sleeping()
    assert waiting.is_sleeping()
    b.resize(1)
    assert waiting.state() == lwt.Return(None)
    assert reader.state() == lwt.Return(1)


def test_bounded_streams_cannot_be_cloned_or_parsed() -> None:
    s: Stream[int]
    s, _b = stream.create_bounded(1)
    with pytest.raises(lwt.InvalidArgument, match="clone"):
        s.clone()
    with pytest.raises(lwt.InvalidArgument, match="parse"):
        s.parse(lambda t: t.get())


def test_negative_sizes_are_rejected() -> None:
    with pytest.raises(lwt.InvalidArgument, match="create_bounded"):
        stream.create_bounded(-1)
    _s, b = stream.create_bounded(1)
    with pytest.raises(lwt.InvalidArgument, match="resize"):
        b.resize(-1)


def test_bounded_set_reference_keeps_the_reference() -> None:
    _s, b = stream.create_bounded(1)
    keep = Item(0)
    ref = weakref.ref(keep)
    b.set_reference(keep)
    del keep
    gc.collect()
    assert ref() is not None


def test_bounded_stream_may_hold_none_elements() -> None:
    s: Stream[None]
    s, b = stream.create_bounded(2)
    b.push(None)
    b.close()
    assert s.to_list().poll() == [None]


# ------------------------------------------------------------ consumers
def test_get_returns_none_at_the_end() -> None:
    s = stream.of_list([1])
    assert s.get().poll() == 1
    assert s.get().state() == lwt.Return(None)
    assert s.peek().state() == lwt.Return(None)


def test_none_elements_are_seen_by_next_and_to_list() -> None:
    s = stream.of_list([None, 1, None])
    assert s.next().state() == lwt.Return(None)
    assert s.to_list().poll() == [1, None]


def test_nget_waits_for_n_elements_or_the_end() -> None:
    s, push = stream.create()
    push(1)
    three = s.nget(3)
    assert three.is_sleeping()
    assert s.get_available() == []  # nget already took the first one
    push(2)
    push(3)
    push(4)
    assert three.poll() == [1, 2, 3]
    rest = s.nget(5)
    push(None)
    assert rest.poll() == [4]
    assert s.nget(0).poll() == []
    assert s.nget(-1).poll() == []


def test_npeek_waits_without_taking() -> None:
    s, push = stream.create()
    two = s.npeek(2)
    push(1)
    assert two.is_sleeping()
    push(2)
    assert two.poll() == [1, 2]
    assert s.get_available() == [1, 2]


def test_junk_and_njunk() -> None:
    s = stream.of_list([1, 2, 3, 4, 5])
    assert s.junk().state() == lwt.Return(None)
    assert s.njunk(2).state() == lwt.Return(None)
    assert s.to_list().poll() == [4, 5]
    assert s.junk().state() == lwt.Return(None)


def test_junk_waits_for_an_element() -> None:
    s, push = stream.create()
    j = s.junk()
    assert j.is_sleeping()
    push(1)
    push(2)
    assert j.state() == lwt.Return(None)
    assert s.get_available() == [2]


def test_junk_while_and_its_promise_form() -> None:
    s = stream.of_list([1, 2, 3, 4, 1])
    s.junk_while(lambda x: x < 2)
    assert s.peek().poll() == 2
    s.junk_while_s(lambda x: lwt.return_(x < 4))
    assert s.to_list().poll() == [4, 1]


def test_get_while_s_waits_for_each_test() -> None:
    s = stream.of_list([1, 2, 3, 4])
    answers: list[lwt.Resolver[bool]] = []

    def test(_: int) -> lwt.Promise[bool]:
        p: lwt.Promise[bool]
        p, r = lwt.wait()
        answers.append(r)
        return p

    prefix = s.get_while_s(test)
    lwt.wakeup(answers[0], True)
    lwt.wakeup(answers[1], True)
    assert prefix.is_sleeping()
    lwt.wakeup(answers[2], False)
    assert prefix.poll() == [1, 2]
    assert s.to_list().poll() == [3, 4]


def test_get_while_s_with_resolved_tests() -> None:
    s = stream.of_list(range(10))
    assert s.get_while_s(lambda x: lwt.return_(x < 5)).poll() == [0, 1, 2, 3, 4]
    assert s.get_while_s(lambda x: lwt.return_(True)).poll() == [5, 6, 7, 8, 9]


def test_last_new_waits_when_nothing_is_available() -> None:
    s, push = stream.create()
    p = s.last_new()
    assert p.is_sleeping()
    push(5)
    assert p.state() == lwt.Return(5)


def test_last_new_of_an_ended_stream_is_empty() -> None:
    s = stream.of_list([])
    assert _rejected_with(s.last_new(), Empty)
    t = stream.of_list([1, 2])
    assert t.last_new().poll() == 2
    assert _rejected_with(t.last_new(), Empty)


def test_last_new_after_a_direct_source() -> None:
    s = stream.from_direct(iter([1, 2, 3, None]).__next__)
    assert s.last_new().poll() == 3


def test_is_empty() -> None:
    s, push = stream.create()
    e = s.is_empty()
    assert e.is_sleeping()
    push(1)
    assert e.state() == lwt.Return(False)
    s.junk()
    push(None)
    assert s.is_empty().state() == lwt.Return(True)


def test_get_available_raises_what_the_source_raises() -> None:
    def raising() -> int | None:
        raise Boom

    with pytest.raises(Boom):
        stream.from_direct(raising).get_available()


def test_get_available_from_a_from_stream_starts_a_call() -> None:
    resolvers: list[lwt.Resolver[int | None]] = []

    def produce() -> lwt.Promise[int | None]:
        p: lwt.Promise[int | None]
        p, r = lwt.wait()
        resolvers.append(r)
        return p

    s = stream.from_(produce)
    assert s.get_available() == []
    assert len(resolvers) == 1
    lwt.wakeup(resolvers[0], 4)
    # The element arrived while nobody waited: it is kept for the next read,
    # which then starts the next call.
    assert s.get_available() == [4]
    assert len(resolvers) == 2


def test_get_available_up_to_zero_or_less() -> None:
    s = stream.of_list([1])
    assert s.get_available_up_to(0) == []
    assert s.get_available_up_to(-3) == []
    assert s.get_available() == [1]


def test_to_string_and_to_bytes() -> None:
    assert stream.of_string("héllo").to_string().poll() == "héllo"
    assert stream.of_bytes(b"ab\x00").to_bytes().poll() == b"ab\x00"
    assert stream.of_bytes(b"ab").get_available() == [b"a", b"b"]
    assert stream.of_string("ab").get_available() == ["a", "b"]


# ----------------------------------------------------------- traversal
def test_iter_fold_find() -> None:
    seen: list[int] = []
    assert stream.of_list([1, 2, 3]).iter(seen.append).state() == lwt.Return(None)
    assert seen == [1, 2, 3]
    assert stream.of_list([1, 2, 3]).fold(lambda x, acc: acc * 10 + x, 0).poll() == 123
    s = stream.of_list([1, 2, 3, 4])
    assert s.find(lambda x: x % 2 == 0).poll() == 2
    assert s.to_list().poll() == [3, 4]
    assert stream.of_list([1]).find(lambda x: x > 5).state() == lwt.Return(None)


def test_find_can_find_none() -> None:
    s = stream.of_list([1, None, 2])
    assert s.find(lambda x: x is None).state() == lwt.Return(None)
    assert s.to_list().poll() == [2]


def test_find_map_and_its_promise_forms() -> None:
    s = stream.of_list([1, 2, 3, 4])
    assert s.find_map(lambda x: x * 10 if x > 1 else None).poll() == 20
    assert s.find_map_s(lambda x: lwt.return_(str(x))).poll() == "3"
    assert s.find_s(lambda x: lwt.return_(x == 9)).state() == lwt.Return(None)
    t = stream.of_list([5, 6, 7])
    assert t.find_s(lambda x: lwt.return_(x > 5)).poll() == 6
    assert t.to_list().poll() == [7]


def test_find_map_s_waits_for_pending_answers() -> None:
    s, push = stream.create()
    answer: lwt.Promise[str | None]
    answer, give = lwt.wait()
    r = s.find_map_s(lambda _x: answer)
    push(1)
    assert r.is_sleeping()
    lwt.wakeup(give, "yes")
    assert r.poll() == "yes"


def test_iter_exception_rejects_the_result() -> None:
    def boom(x: int) -> None:
        if x == 2:
            raise Boom

    seen: list[int] = []
    s = stream.of_list([1, 2, 3])
    r = s.iter(lambda x: (seen.append(x), boom(x)))
    assert _rejected_with(r, Boom)
    assert seen == [1, 2]
    assert s.to_list().poll() == [3]


def test_iter_s_waits_for_each_call() -> None:
    s = stream.of_list([1, 2, 3])
    started: list[int] = []
    gates: list[lwt.Resolver[None]] = []

    def f(x: int) -> lwt.Promise[None]:
        started.append(x)
        p: lwt.Promise[None]
        p, r = lwt.wait()
        gates.append(r)
        return p

    done = s.iter_s(f)
    assert started == [1]
    lwt.wakeup(gates[0], None)
    assert started == [1, 2]
    lwt.wakeup(gates[1], None)
    lwt.wakeup(gates[2], None)
    assert done.state() == lwt.Return(None)


def test_iter_s_stops_at_the_first_rejection() -> None:
    seen: list[int] = []

    def f(x: int) -> lwt.Promise[None]:
        seen.append(x)
        return lwt.fail(Boom()) if x == 2 else lwt.return_unit

    assert _rejected_with(stream.of_list([1, 2, 3]).iter_s(f), Boom)
    assert seen == [1, 2]


def test_iter_s_with_a_callback_that_returns_no_promise() -> None:
    r = stream.of_list([1]).iter_s(lambda x: x)  # type: ignore[arg-type, return-value]
    assert _rejected_with(r, TypeError)


def test_fold_s() -> None:
    s = stream.of_list(["a", "b", "c"])
    assert s.fold_s(lambda x, acc: lwt.return_(acc + x), "").poll() == "abc"


def test_iter_p_runs_the_calls_together() -> None:
    gates: dict[int, lwt.Resolver[None]] = {}

    def f(x: int) -> lwt.Promise[None]:
        p: lwt.Promise[None]
        p, r = lwt.wait()
        gates[x] = r
        return p

    done = stream.of_list([1, 2, 3]).iter_p(f)
    assert sorted(gates) == [1, 2, 3]
    lwt.wakeup(gates[3], None)
    lwt.wakeup(gates[1], None)
    assert done.is_sleeping()
    lwt.wakeup(gates[2], None)
    assert done.state() == lwt.Return(None)


def test_iter_p_rejects_with_the_earliest_failing_call_in_stream_order() -> None:
    gates: dict[int, lwt.Resolver[None]] = {}

    def f(x: int) -> lwt.Promise[None]:
        p: lwt.Promise[None]
        p, r = lwt.wait()
        gates[x] = r
        return p

    s, push = stream.create()
    done = s.iter_p(f)
    for i in (1, 2, 3):
        push(i)
    late, early = Boom("3"), Boom("2")
    lwt.wakeup_exn(gates[3], late)
    lwt.wakeup_exn(gates[2], early)
    assert done.is_sleeping()
    lwt.wakeup(gates[1], None)
    assert done.state() == lwt.Fail(early)
    # The stream is still read to its end.
    push(4)
    assert 4 in gates


def test_iter_p_with_resolved_calls_and_a_source_failure() -> None:
    feed: list[int] = [1, 2]

    def produce() -> int | None:
        if feed:
            return feed.pop(0)
        raise Boom

    assert _rejected_with(stream.from_direct(produce).iter_p(lambda _: lwt.return_unit), Boom)
    assert stream.of_list(range(5)).iter_p(lambda _: lwt.return_unit).state() == lwt.Return(None)


def test_cancel_iter_p_cancels_pending_calls_and_stops_reading() -> None:
    calls: list[lwt.Promise[None]] = []

    def f(_: int) -> lwt.Promise[None]:
        p: lwt.Promise[None]
        p, _r = lwt.task()
        calls.append(p)
        return p

    s, push = stream.create()
    done = s.iter_p(f)
    push(1)
    done.cancel()
    assert _is_canceled(done)
    assert _is_canceled(calls[0])
    push(2)
    assert len(calls) == 1
    assert s.get_available() == [2]


def test_iter_n_keeps_at_most_max_concurrency_calls() -> None:
    running: list[lwt.Resolver[None]] = []
    started: list[int] = []

    def f(x: int) -> lwt.Promise[None]:
        started.append(x)
        p: lwt.Promise[None]
        p, r = lwt.wait()
        running.append(r)
        return p

    done = stream.of_list(range(5)).iter_n(f, max_concurrency=2)
    assert started == [0, 1]
    lwt.wakeup(running[1], None)
    assert started == [0, 1, 2]
    lwt.wakeup(running[0], None)
    lwt.wakeup(running[2], None)
    assert started == [0, 1, 2, 3, 4]
    lwt.wakeup(running[3], None)
    assert done.is_sleeping()
    lwt.wakeup(running[4], None)
    assert done.state() == lwt.Return(None)


def test_iter_n_defaults_to_one_call_at_a_time_and_reports_failures() -> None:
    seen: list[int] = []

    def f(x: int) -> lwt.Promise[None]:
        seen.append(x)
        return lwt.fail(Boom()) if x == 1 else lwt.return_unit

    assert _rejected_with(stream.of_list([0, 1, 2, 3]).iter_n(f), Boom)
    assert seen == [0, 1]


def test_iter_n_on_a_push_stream() -> None:
    s, push = stream.create()
    seen: list[int] = []
    done = s.iter_n(lambda x: lwt.return_(seen.append(x)), max_concurrency=3)
    push(1)
    push(2)
    push(None)
    assert seen == [1, 2]
    assert done.state() == lwt.Return(None)


def test_iter_n_rejects_a_bad_max_concurrency() -> None:
    with pytest.raises(lwt.InvalidArgument, match="max_concurrency"):
        stream.of_list([1]).iter_n(lambda _: lwt.return_unit, max_concurrency=0)


# ---------------------------------------------------------- combinators
def test_map_filter_and_their_promise_forms() -> None:
    s = stream.of_list(range(6))
    assert s.map(lambda x: x * 2).to_list().poll() == [0, 2, 4, 6, 8, 10]
    assert stream.of_list(range(4)).map_s(lambda x: lwt.return_(-x)).to_list().poll() == [
        0,
        -1,
        -2,
        -3,
    ]
    assert stream.of_list(range(6)).filter(lambda x: x % 2 == 1).to_list().poll() == [1, 3, 5]
    evens = stream.of_list(range(6)).filter_s(lambda x: lwt.return_(x % 2 == 0))
    assert evens.to_list().poll() == [0, 2, 4]
    halves = stream.of_list(range(6)).filter_map_s(
        lambda x: lwt.return_(x // 2 if x % 2 == 0 else None)
    )
    assert halves.to_list().poll() == [0, 1, 2]


def test_map_may_produce_none_elements() -> None:
    assert stream.of_list([1, 2]).map(lambda _: None).to_list().poll() == [None, None]


def test_map_is_lazy_and_destructive() -> None:
    s1 = stream.of_list([1, 2, 3])
    s2 = s1.map(str)
    assert s1.next().poll() == 1
    assert s2.next().poll() == "2"


def test_map_s_waits_for_each_result() -> None:
    s, push = stream.create()
    result: lwt.Promise[str]
    result, give = lwt.wait()
    mapped = s.map_s(lambda _: result)
    got = mapped.get()
    push(1)
    assert got.is_sleeping()
    lwt.wakeup(give, "one")
    assert got.state() == lwt.Return("one")


def test_filter_s_and_filter_map_s_on_pending_input() -> None:
    s, push = stream.create()
    kept = s.filter_s(lambda x: lwt.return_(x > 1)).get()
    push(1)
    assert kept.is_sleeping()
    push(2)
    assert kept.state() == lwt.Return(2)
    t, push_t = stream.create()
    mapped = t.filter_map_s(lambda x: lwt.return_(None if x < 2 else x * 10)).get()
    push_t(1)
    push_t(3)
    assert mapped.state() == lwt.Return(30)


def test_filter_map_on_pending_input() -> None:
    s, push = stream.create()
    got = s.filter_map(lambda x: None if x < 2 else x).get()
    push(1)
    assert got.is_sleeping()
    push(2)
    assert got.state() == lwt.Return(2)


def test_map_list_flatten_and_map_list_s() -> None:
    s = stream.of_list([1, 2, 3])
    assert s.map_list(lambda x: [x] * x).to_list().poll() == [1, 2, 2, 3, 3, 3]
    assert stream.of_list([[1], [], [2, 3]]).flatten().to_list().poll() == [1, 2, 3]
    t = stream.of_list(["ab", "", "c"])
    assert t.map_list_s(lambda x: lwt.return_(list(x))).to_list().poll() == ["a", "b", "c"]
    u, push = stream.create()
    pending = u.map_list(lambda x: [x, x]).nget(3)
    push(1)
    push(2)
    assert pending.poll() == [1, 1, 2]


def test_combine_pairs_elements_and_ends_with_the_shorter() -> None:
    pairs = stream.of_list([1, 2, 3]).combine(stream.of_list("ab"))
    assert pairs.to_list().poll() == [(1, "a"), (2, "b")]


def test_append_and_concat() -> None:
    both = stream.of_list([1, 2]).append(stream.of_list([3]))
    assert both.to_list().poll() == [1, 2, 3]
    streams = stream.of_list([stream.of_list([1]), stream.of_list([]), stream.of_list([2, 3])])
    assert streams.concat().to_list().poll() == [1, 2, 3]


def test_concat_of_many_empty_streams_does_not_overflow() -> None:
    streams = stream.of_list(stream.of_list([]) for _ in range(20_000))
    assert streams.concat().to_list().poll() == []


def test_append_waits_for_the_first_stream_to_end() -> None:
    s1, push1 = stream.create()
    joined = s1.append(stream.of_list([9]))
    first = joined.get()
    push1(1)
    assert first.state() == lwt.Return(1)
    second = joined.get()
    assert second.is_sleeping()
    push1(None)
    assert second.state() == lwt.Return(9)


def test_choose_merges_as_elements_arrive() -> None:
    a, push_a = stream.create()
    b, push_b = stream.create()
    merged = stream.choose([a, b])
    got = merged.get()
    push_b(1)
    assert got.state() == lwt.Return(1)
    push_a(2)
    push_b(3)
    assert sorted([merged.next().poll(), merged.next().poll()]) == [2, 3]
    push_a(None)
    rest = merged.to_list()
    push_b(4)
    push_b(None)
    assert rest.poll() == [4]


def test_choose_reads_a_failing_stream_again() -> None:
    feed: list[object] = [Boom("first"), 1, None]

    def produce() -> lwt.Promise[int | None]:
        x = feed.pop(0)
        if isinstance(x, Boom):
            return lwt.fail(x)
        return lwt.return_(x)  # type: ignore[arg-type]

    merged = stream.choose([stream.from_(produce)])
    assert _rejected_with(merged.get(), Boom)
    assert merged.to_list().poll() == [1]


def test_wrap_exn_of_a_push_stream_is_all_ok() -> None:
    s, push = stream.create()
    wrapped = s.wrap_exn()
    push(1)
    push(None)
    assert wrapped.to_list().poll() == [lwt.Ok(1)]


def test_parse_restores_the_stream_when_the_parser_fails() -> None:
    s = stream.of_list([1, 2, 3])

    def parser(t: Stream[int]) -> lwt.Promise[int]:
        return t.nget(2).bind(lambda _: lwt.fail(Boom()))

    assert _rejected_with(s.parse(parser), Boom)
    assert s.to_list().poll() == [1, 2, 3]
    t = stream.of_list([1, 2, 3])
    assert t.parse(lambda u: u.next()).poll() == 1
    assert t.to_list().poll() == [2, 3]


def test_parse_restores_after_a_parser_that_raises() -> None:
    s = stream.of_list([1, 2])

    def parser(t: Stream[int]) -> lwt.Promise[int]:
        t.junk()
        raise Boom

    assert _rejected_with(s.parse(parser), Boom)
    assert s.to_list().poll() == [1, 2]


def test_hexdump_matches_hexdump_c() -> None:
    data = b"ABCDEFGHIJKLMNOPqrs\x01\n"
    lines = stream.of_bytes(data).hexdump().to_list().poll()
    assert lines == [
        "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|",
        "00000010  71 72 73 01 0a                                    |qrs..|",
    ]
    assert stream.of_string("abcdefghi").hexdump().to_list().poll() == [
        "00000000  61 62 63 64 65 66 67 68  69                       |abcdefghi|"
    ]
    assert stream.of_bytes(b"").hexdump().to_list().poll() == []


def test_hexdump_accepts_chunks_of_any_length() -> None:
    data = bytes(range(40))
    by_byte = stream.of_bytes(data).hexdump().to_list().poll()
    by_chunk = stream.of_list([data[:5], b"", data[5:23], data[23:]]).hexdump().to_list().poll()
    assert by_chunk == by_byte
    assert len(by_byte) == 3
    assert stream.of_list(["é"]).hexdump().to_list().poll() == [
        "00000000  c3 a9" + " " * 45 + "|..|"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="needs the hexdump program")
def test_hexdump_agrees_with_the_hexdump_program() -> None:
    data = bytes(range(256)) + b"tail"
    try:
        out = subprocess.run(
            ["hexdump", "-v", "-C"], input=data, capture_output=True, check=True
        ).stdout.decode()
    except (FileNotFoundError, subprocess.CalledProcessError):
        pytest.skip("no hexdump program")
    expected = out.splitlines()[:-1]  # hexdump ends with the total length
    assert stream.of_bytes(data).hexdump().to_list().poll() == expected


# -------------------------------------------------------- async iteration
def test_anext_gives_elements_then_stops() -> None:
    s = stream.of_list([1, None])
    assert s.__aiter__() is s
    assert s.__anext__().state() == lwt.Return(1)
    assert s.__anext__().state() == lwt.Return(None)
    assert _rejected_with(s.__anext__(), StopAsyncIteration)


def test_anext_waits_for_a_push() -> None:
    s, push = stream.create()
    n = s.__anext__()
    assert n.is_sleeping()
    push(3)
    assert n.state() == lwt.Return(3)
    n2 = s.__anext__()
    push(None)
    assert _rejected_with(n2, StopAsyncIteration)


def test_async_for_reads_the_whole_stream() -> None:
    s, push = stream.create()

    async def total() -> int:
        acc = 0
        async for x in s:
            acc += x
        return acc

    coro = total()
    waiting = coro.send(None)  # the coroutine waits on the first element
    assert isinstance(waiting, lwt.Promise)
    push(1)
    waiting = coro.send(None)
    push(2)
    waiting = coro.send(None)
    push(None)
    with pytest.raises(StopIteration) as stop:
        coro.send(None)
    assert stop.value.value == 3


# ------------------------------------------------------------- deprecated
def test_on_termination_and_on_terminate_warn_and_work() -> None:
    s, push = stream.create()
    seen: list[str] = []
    with pytest.warns(DeprecationWarning, match="closed"):
        s.on_termination(lambda: seen.append("termination"))
    with pytest.warns(DeprecationWarning, match="closed"):
        stream.on_terminate(s, lambda: seen.append("terminate"))
    push(None)
    assert seen == ["termination", "terminate"]


# ------------------------------------------------------------- bad input
def test_from_function_returning_no_promise_is_a_type_error() -> None:
    s = stream.from_(lambda: 3)  # type: ignore[arg-type, return-value]
    assert _rejected_with(s.get(), TypeError)


def test_async_callbacks_returning_no_promise_are_type_errors() -> None:
    bad = lambda x: x  # noqa: E731
    assert _rejected_with(stream.of_list([1]).get_while_s(bad), TypeError)
    assert _rejected_with(stream.of_list([1]).find_map_s(bad), TypeError)
    assert _rejected_with(stream.of_list([1]).find_s(bad), TypeError)
    assert _rejected_with(stream.of_list([1]).fold_s(lambda x, a: x, 0), TypeError)
    assert _rejected_with(stream.of_list([1]).map_s(bad).get(), TypeError)
    assert _rejected_with(stream.of_list([1]).filter_s(bad).get(), TypeError)
    assert _rejected_with(stream.of_list([1]).filter_map_s(bad).get(), TypeError)
    assert _rejected_with(stream.of_list([1]).map_list_s(bad).get(), TypeError)


# ------------------------------------------------------ long streams, memory
LONG = 1_000_000


def test_iter_s_over_a_million_pushed_elements() -> None:
    s, push = stream.create()
    total = [0]

    def add(x: int) -> lwt.Promise[None]:
        total[0] += x
        return lwt.return_(None)

    done = s.iter_s(add)
    for i in range(LONG):
        push(i)
    push(None)
    assert done.state() == lwt.Return(None)
    assert total[0] == LONG * (LONG - 1) // 2


def test_long_stream_read_by_every_consumer_kind() -> None:
    n = 50_000
    assert stream.of_list(range(n)).to_list().poll() == list(range(n))
    assert stream.of_iterable(range(n)).fold(lambda x, a: a + 1, 0).poll() == n
    assert stream.of_list(range(n)).fold_s(lambda x, a: lwt.return_(a + 1), 0).poll() == n
    assert len(stream.of_list(range(n)).nget(n + 1).poll()) == n
    assert stream.of_list(range(n)).map(lambda x: x).filter(lambda x: True).to_list().poll()[
        -1
    ] == (n - 1)
    assert stream.of_list(range(n)).find(lambda x: x == n - 1).poll() == n - 1
    assert stream.of_list(range(n)).find_map_s(
        lambda x: lwt.return_(x if x == n - 1 else None)
    ).poll() == (n - 1)
    assert stream.of_list(range(n)).get_while_s(lambda x: lwt.return_true).map(len).poll() == n
    assert stream.of_list(range(n)).iter_p(lambda x: lwt.return_unit).state() == lwt.Return(None)
    assert stream.of_list(range(n)).iter_n(
        lambda x: lwt.return_unit, max_concurrency=4
    ).state() == lwt.Return(None)
    assert stream.of_list(range(n)).filter_map(lambda x: None).to_list().poll() == []
    assert stream.of_list(range(n)).filter_s(lambda x: lwt.return_false).to_list().poll() == []
    assert stream.of_list(range(n)).map_list(lambda x: []).to_list().poll() == []


def test_waiting_consumer_over_a_long_bounded_stream() -> None:
    s, b = stream.create_bounded(10)
    total = [0]

    def add(x: int) -> lwt.Promise[None]:
        total[0] += x
        return lwt.return_unit

    done = s.iter_s(add)

    def produce(i: int) -> lwt.Promise[None]:
        if i == 200_000:
            b.close()
            return lwt.return_unit
        return b.push(i).bind(lambda _: produce(i + 1))

    assert produce(0).state() == lwt.Return(None)
    assert done.state() == lwt.Return(None)
    assert total[0] == 200_000 * 199_999 // 2


def test_consumed_elements_are_freed() -> None:
    s, push = stream.create()
    refs: list[weakref.ref[Item]] = []
    kept_alive: list[int] = []

    def check(x: Item) -> lwt.Promise[None]:
        if x.n % 1000 == 999:
            gc.collect()
            kept_alive.append(sum(1 for r in refs if r() is not None))
        return lwt.return_unit

    done = s.iter_s(check)
    for i in range(5000):
        x = Item(i)
        refs.append(weakref.ref(x))
        push(x)
        del x
    push(None)
    assert done.state() == lwt.Return(None)
    # Only the element being looked at (and the one in hand) may be alive.
    assert max(kept_alive) <= 2


def test_a_clone_keeps_what_it_has_not_read() -> None:
    s, push = stream.create()
    c = s.clone()
    items = [Item(i) for i in range(3)]
    refs = [weakref.ref(x) for x in items]
    for x in items:
        push(x)
    del items, x
    s.junk_available()
    gc.collect()
    assert all(r() is not None for r in refs)
    c.junk_available()
    gc.collect()
    assert all(r() is None for r in refs)


def test_dropping_a_long_unread_stream_does_not_overflow() -> None:
    s, push = stream.create()
    for i in range(LONG):
        push(i)
    del s, push
    gc.collect()


def test_long_from_stream_with_a_waiting_reader() -> None:
    pending: list[lwt.Resolver[int | None]] = []

    def produce() -> lwt.Promise[int | None]:
        p: lwt.Promise[int | None]
        p, r = lwt.wait()
        pending.append(r)
        return p

    s = stream.from_(produce)
    count = [0]

    def add(_: int) -> lwt.Promise[None]:
        count[0] += 1
        return lwt.return_unit

    done = s.iter_s(add)
    for i in range(100_000):
        lwt.wakeup(pending.pop(), i)
    lwt.wakeup(pending.pop(), None)
    assert done.state() == lwt.Return(None)
    assert count[0] == 100_000
