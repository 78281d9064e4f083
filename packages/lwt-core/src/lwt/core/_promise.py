"""Promises, their callbacks, and the resolution loop.

How the pieces fit
==================

A promise is in one of three states: *pending*, *fulfilled* with a value, or
*rejected* with an exception.  A fulfilled or rejected promise is *resolved*
and never changes again.

A pending promise carries a list of *callbacks*.  Resolving it runs them at
once, in the order they were attached, before the resolving call returns.  A
callback usually resolves another promise, so one resolution can set off a
cascade; that cascade is the *resolution loop*.  Python has no tail calls, so
the loop counts how deeply resolutions are nested: past ``MAXIMUM_DEPTH`` the
callbacks of a newly resolved promise go to a queue, and the outermost
resolution drains that queue before it returns.  The same count guards
``bind`` on an already-resolved promise, which calls the user's function at
once: a loop written as recursive ``bind`` therefore never runs out of stack.

A callback is four fields: a *kind* (what to do), a function, the context
to run it in, and a *target*, the derived promise it resolves (the result of
``bind``, ``map``, ``catch`` and friends).  Describing the operation with
data rather than a closure lets one dispatch function serve every kind.  The
first callback of a promise is stored in the promise's own slots, so a
pending promise with one callback, by far the common case, costs one object;
further callbacks are :class:`_Callback` records in a list.

Proxies
-------
``bind(p, f)`` returns a promise ``d`` at once; later ``f`` returns its own
promise ``r``.  If ``r`` is still pending, ``d`` and ``r`` must behave as one.
Rather than adding a callback from ``r`` to ``d`` (which would make a loop
written as recursive ``bind`` hold a chain of promises as long as the loop),
``r`` becomes a *proxy* for ``d``: its callbacks and its way of being
cancelled move to ``d``, and every operation on ``r`` follows the proxy to
``d``, its *underlying* promise.  Resolvers follow proxies too, so resolving
``r`` through its resolver resolves ``d``.  Each step of such a loop leaves
the previous promise unreferenced, so the loop runs in constant memory.

Cancellation
------------
Resolution runs forwards along callbacks; cancellation runs backwards.
Every pending promise knows how it may be cancelled: not at all (``wait``),
by rejecting itself with :class:`Canceled` (``task``), or by cancelling the
promise(s) it waits on (``bind`` waits on one, ``join`` on several).
``cancel(p)`` walks that graph back from ``p``, rejects every cancellable
initial promise it finds, and then runs their callbacks: *cancel callbacks*
(``on_cancel``) first, then the ordinary ones.

Context
-------
A callback runs in a copy of the :mod:`contextvars` context that was current
when it was attached, so context variables (and lwt's implicit storage, built
on them) flow along a chain of callbacks as they would along a thread.  The
captured contexts of callbacks attached under equal contexts are shared, and
each run gets a fresh copy, so what one callback sets is seen by nobody else.
The one exception is the continuation given to ``bind``, ``map``, ``catch``
or ``try_bind`` on an already-resolved promise: like Lwt, and like the code
after an ``await`` of a finished future in asyncio, it is called at once as a
plain function, in the caller's context.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections import deque
from collections.abc import Callable, Generator
from contextvars import Context, copy_context
from typing import Any, ClassVar, Generic, NoReturn, TypeVar, cast

from ._exceptions import Canceled
from ._states import Fail, Return, Sleep

T = TypeVar("T")
U = TypeVar("U")
T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "MAXIMUM_DEPTH",
    "Promise",
    "Resolver",
    "set_async_exception_hook",
]

# --- Promise states ---------------------------------------------------------
# Stored in Promise._state.  Plain ints compare fastest in CPython.
PENDING = 0
FULFILLED = 1
REJECTED = 2
PROXY = 3

# --- How a pending promise may be cancelled (Promise._cancel) ---------------
# None: not cancelable.  _CANCEL_THIS: reject this promise with Canceled.
# A Promise: cancel that one.  A list of promises: cancel each of them.
_CANCEL_THIS: Any = object()

# --- Callback kinds (_Callback.kind) ----------------------------------------
K_BIND = 0  # fn(value) -> promise; target follows it, or takes the rejection
K_MAP = 1  # target is fulfilled with fn(value), or takes the rejection
K_CATCH = 2  # target takes the value, or follows fn(exc)
K_TRY_BIND = 3  # fn is (on_ok, on_error); target follows what they return
K_FORWARD = 4  # target is resolved like the source
K_ON_SUCCESS = 5  # fn(value); exceptions go to the async exception hook
K_ON_FAILURE = 6  # fn(exc); likewise
K_ON_TERMINATION = 7  # fn(); likewise
K_ON_ANY = 8  # fn is (on_value, on_exc); likewise
K_ASYNC = 9  # a rejection goes to the async exception hook
K_FUNC = 10  # internal: fn(state, value) with the source's outcome
K_CANCEL = 11  # fn(), run only when the source is canceled, before the others
K_DEAD = 12  # removed; skipped

MAXIMUM_DEPTH = 42
"""How deeply resolutions may nest before further callbacks are queued."""

_new = object.__new__


class Promise(Generic[T_co]):
    """A value that becomes known later: Lwt's ``'a Lwt.t``.

    Create promises with :func:`lwt.core.wait`, :func:`lwt.core.task`,
    :func:`lwt.core.return_` or by composing others; never instantiate the
    class directly.  ``await p`` works inside coroutines run by ``lwt.ppx``.
    """

    __slots__ = ("_cancel", "_cbs", "_ctx", "_fn", "_kind", "_state", "_value")

    # _state:  PENDING, FULFILLED, REJECTED or PROXY.
    # _value:  the value or exception once resolved; the underlying promise of
    #          a proxy; while pending, the target of the first callback.
    # _kind, _fn, _ctx: while pending, the first callback (_kind None: none).
    # _cbs:    while pending, the later callbacks: None, a _Callback or a list.
    # _cancel: while pending, how to cancel (see _CANCEL_THIS).
    # Resolved promises made by return_() and fail() set _state and _value only.
    _state: int
    _value: Any
    _kind: int | None
    _fn: Any
    _ctx: Context | None
    _cbs: Any
    _cancel: Any

    def __init__(self) -> None:
        raise TypeError("promises are made by lwt.core.wait(), task(), return_() and friends")

    # ----------------------------------------------------------- inspection
    def state(self) -> Return[T_co] | Fail | Sleep:
        """Return where the promise is: ``Return(v)``, ``Fail(exc)`` or ``Sleep()``."""
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == FULFILLED:
            return Return(p._value)
        if st == REJECTED:
            return Fail(p._value)
        return Sleep()

    def is_sleeping(self) -> bool:
        """Return whether the promise is still pending."""
        p = self if self._state != PROXY else _underlying(self)
        return p._state == PENDING

    def poll(self) -> T_co | None:
        """Return the value if fulfilled, raise the exception if rejected, else ``None``."""
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == FULFILLED:
            v: T_co = p._value  # not typing.cast: a call on every poll
            return v
        if st == REJECTED:
            raise p._value
        return None

    def __repr__(self) -> str:
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == FULFILLED:
            return f"<Promise fulfilled: {p._value!r}>"
        if st == REJECTED:
            return f"<Promise rejected: {p._value!r}>"
        return "<Promise pending>"

    # What ``await`` hands to a driver other than lwt.ppx's; see __await__.
    # A class attribute, so promises stay seven slots (96 bytes when pending).
    _await_hook: ClassVar[Callable[[Promise[Any]], object] | None] = None

    def __await__(self) -> Generator[Any, None, T_co]:
        """Wait for the promise inside a coroutine.

        A pending promise suspends the coroutine: the generator yields
        something to whatever drives the coroutine, which resumes it once
        the promise is resolved; this then reads the outcome (the value, or
        the very exception the promise was rejected with).

        What is yielded depends on the driver, which the generator cannot
        see.  By default it is the pending promise itself, which the driver
        of ``lwt.ppx`` understands.  An asyncio task understands only
        futures, and the future protocol cannot be grafted onto promises
        (``Promise.cancel`` is Lwt's, with no ``msg`` argument and no
        result, and done-callbacks would need per-promise storage), so
        ``lwt.unix.interop`` installs a hook, ``Promise._await_hook``,
        when it is imported: called with the pending promise, it returns
        what to yield, a small future-like stand-in when an asyncio task
        is running, else the promise.  The ppx driver accepts that
        stand-in too.  Without the hook (lwt.core alone) this costs one
        class-attribute read per suspension.
        """
        p = self if self._state != PROXY else _underlying(self)
        if p._state == PENDING:
            hook = Promise._await_hook
            yield p if hook is None else hook(p)
            if p._state == PROXY:
                p = _underlying(p)
        if p._state == FULFILLED:
            v: T_co = p._value  # not typing.cast: a call on every poll
            return v
        if p._state == REJECTED:
            raise p._value
        raise RuntimeError("a coroutine awaiting an lwt promise was resumed before it resolved")

    # ------------------------------------------------------ sequential use
    def bind(self, f: Callable[[T_co], Promise[U]]) -> Promise[U]:
        """Wait for the promise, then continue with the promise ``f(value)``.

        If this promise is rejected, so is the result and ``f`` is not called.
        An exception raised by ``f`` rejects the result.  Cancelling the
        result cancels this promise (Lwt's ``bind`` and ``>>=``).

        If the promise is already fulfilled, ``f`` is called at once, as a
        plain call in the caller's context; otherwise it is called when the
        promise is fulfilled, in a copy of the context current now.
        """
        global _depth
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == FULFILLED:
            if _depth < MAXIMUM_DEPTH:
                _depth += 1
                r: Any  # checked below: untyped callers may return anything
                try:
                    r = f(p._value)
                except Exception as exc:
                    r = _rejected(exc)
                finally:
                    _depth -= 1
                if _depth == 0 and _deferred:
                    _drain()
                if isinstance(r, Promise):
                    return r
                return _rejected(_not_a_promise("bind", f, r))
            return _defer_on_resolved(p, K_BIND, f)
        if st == REJECTED:
            return cast(Promise[U], p)
        d: Promise[U] = _new(Promise)
        d._state = PENDING
        d._value = None
        d._kind = None
        d._cbs = None
        d._cancel = p
        if p._kind is None and p._cbs is None:
            p._kind = K_BIND
            p._fn = f
            p._ctx = _capture()
            p._value = d
        else:
            _add(p, _Callback(K_BIND, f, _capture(), d))
        return d

    def map(self, f: Callable[[T_co], U]) -> Promise[U]:
        """Return a promise of ``f(value)`` once this one is fulfilled (``Lwt.map``)."""
        global _depth
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == FULFILLED:
            if _depth < MAXIMUM_DEPTH:
                _depth += 1
                try:
                    r = _fulfilled(f(p._value))
                except Exception as exc:
                    r = _rejected(exc)
                finally:
                    _depth -= 1
                if _depth == 0 and _deferred:
                    _drain()
                return r
            return _defer_on_resolved(p, K_MAP, f)
        if st == REJECTED:
            return cast(Promise[U], p)
        d = _pending(p)
        _attach(p, K_MAP, f, _capture(), d)
        return d

    def on_success(self, f: Callable[[T_co], object]) -> None:
        """Call ``f(value)`` when the promise is fulfilled.

        An exception raised by ``f`` goes to the async exception hook.
        """
        _attach_handler(self, K_ON_SUCCESS, f)

    def on_failure(self, f: Callable[[BaseException], object]) -> None:
        """Call ``f(exc)`` when the promise is rejected (exceptions go to the hook)."""
        _attach_handler(self, K_ON_FAILURE, f)

    def on_termination(self, f: Callable[[], object]) -> None:
        """Call ``f()`` when the promise is resolved either way (exceptions go to the hook)."""
        _attach_handler(self, K_ON_TERMINATION, f)

    def on_any(self, f: Callable[[T_co], object], g: Callable[[BaseException], object]) -> None:
        """Call ``f(value)`` or ``g(exc)`` when the promise is resolved."""
        _attach_handler(self, K_ON_ANY, (f, g))

    # --------------------------------------------------------- cancellation
    def cancel(self) -> None:
        """Cancel the promise: search back for cancelable promises it waits on.

        Each pending promise made by :func:`lwt.core.task` that the search
        reaches is rejected with :class:`~lwt.core.Canceled`; the rejection
        then travels forward as usual.  Promises made by
        :func:`lwt.core.wait` stop the search.
        """
        _cancel(self)

    def on_cancel(self, f: Callable[[], object]) -> None:
        """Call ``f()`` if the promise is canceled, before its other callbacks.

        If the promise is already canceled, ``f`` runs at once.  An exception
        raised by ``f`` goes to the async exception hook.
        """
        p = self if self._state != PROXY else _underlying(self)
        st = p._state
        if st == PENDING:
            # Never stored inline: cancel callbacks run before all the others.
            _add(p, _Callback(K_CANCEL, f, _capture(), None))
        elif st == REJECTED and isinstance(p._value, Canceled):
            _call_guarded(f)


class Resolver(Generic[T]):
    """The right to resolve one promise: Lwt's ``'a Lwt.u``.

    :func:`lwt.core.wait` and :func:`lwt.core.task` return a resolver with
    their promise; pass it to :func:`lwt.core.wakeup` and friends.
    """

    __slots__ = ()

    def __init__(self) -> None:
        raise TypeError("resolvers come from lwt.core.wait() and lwt.core.task()")


class _ResolvablePromise(Promise[T], Resolver[T]):
    """A promise made by ``wait`` or ``task``, which is also its own resolver.

    As in Lwt, the resolver and the promise are one object seen through two
    types, which saves an allocation per promise.
    """

    __slots__ = ()


Promise.__module__ = "lwt.core"
Resolver.__module__ = "lwt.core"


class _Callback:
    """One callback attached to a pending promise; see the module docstring."""

    __slots__ = ("ctx", "fn", "kind", "target")

    def __init__(
        self, kind: int, fn: Any, ctx: Context | None, target: Promise[Any] | None
    ) -> None:
        self.kind = kind
        self.fn = fn
        self.ctx = ctx
        self.target = target


# ------------------------------------------------------------------- helpers
def _underlying(p: Promise[Any]) -> Promise[Any]:
    """Follow proxies from ``p`` to the promise that holds the real state.

    Every proxy on the way is pointed straight at the end, so later look-ups
    take one step.
    """
    q: Promise[Any] = p._value
    while q._state == PROXY:
        q = q._value
    while p._state == PROXY and p._value is not q:
        nxt = p._value
        p._value = q
        p = nxt
    return q


def _fulfilled(v: Any) -> Promise[Any]:
    p: Promise[Any] = _new(Promise)
    p._state = FULFILLED
    p._value = v
    return p


def _rejected(exc: BaseException) -> Promise[Any]:
    p: Promise[Any] = _new(Promise)
    p._state = REJECTED
    p._value = exc
    return p


def _pending(cancel: Any) -> Promise[Any]:
    """A new pending derived promise that is cancelled as ``cancel`` says."""
    p: Promise[Any] = _new(Promise)
    p._state = PENDING
    p._value = None
    p._kind = None
    p._cbs = None
    p._cancel = cancel
    return p


def _not_a_promise(api: str, f: object, r: object) -> TypeError:
    name = getattr(f, "__qualname__", None) or repr(f)
    return TypeError(
        f"{api}: the callback {name} returned {type(r).__name__} {r!r:.80}, "
        "but it must return an lwt promise"
    )


_ctx_cache: Context = copy_context()


def _capture() -> Context:
    """Capture the current context for a callback, sharing equal captures.

    Contexts compare equal when they hold the same variables with the same
    values, in constant time when nothing was set in between; reusing the
    previous capture then saves memory for every pending callback.  The
    shared context is never entered itself: each run gets its own copy.
    """
    global _ctx_cache
    ctx = copy_context()
    if ctx == _ctx_cache:
        return _ctx_cache
    _ctx_cache = ctx
    return ctx


def _attach(p: Promise[Any], kind: int, fn: Any, ctx: Context | None, target: Any) -> None:
    """Attach a callback to the pending underlying promise ``p``, after the others."""
    if p._kind is None and p._cbs is None:
        p._kind = kind
        p._fn = fn
        p._ctx = ctx
        p._value = target
    else:
        _add(p, _Callback(kind, fn, ctx, target))


def _add(p: Promise[Any], cb: _Callback) -> None:
    """Append the record ``cb`` to the later callbacks of the pending ``p``."""
    cbs = p._cbs
    if cbs is None:
        p._cbs = cb
    elif cbs.__class__ is list:
        cbs.append(cb)
    else:
        p._cbs = [cbs, cb]


def _remove(ps: list[Promise[Any]], cb: _Callback) -> None:
    """Retire the record ``cb``, shared by the promises ``ps``, and detach it."""
    cb.kind = K_DEAD
    cb.fn = None
    cb.target = None
    for p in ps:
        if p._state == PROXY:
            p = _underlying(p)
        if p._state != PENDING:
            continue
        cbs = p._cbs
        if cbs is cb:
            p._cbs = None
        elif cbs.__class__ is list:
            with contextlib.suppress(ValueError):
                cbs.remove(cb)
            if not cbs:
                p._cbs = None


# ----------------------------------------------------------- async exceptions
def _default_async_exception_hook(exc: BaseException) -> NoReturn:
    sys.stderr.write("Fatal error: exception reached lwt's async exception hook:\n")
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    sys.stderr.flush()
    raise SystemExit(2)


_async_exception_hook: Callable[[BaseException], object] = _default_async_exception_hook


def set_async_exception_hook(
    hook: Callable[[BaseException], object],
) -> Callable[[BaseException], object]:
    """Set the function that receives exceptions nobody else can, and return the old one.

    Exceptions raised by ``on_*`` and ``on_cancel`` callbacks, and rejections
    passed to :func:`lwt.core.async_` or :func:`lwt.core.ignore_result`, end
    up here.  The default hook prints the exception and its traceback to
    standard error and exits the process with status 2, as Lwt's does.
    """
    global _async_exception_hook
    previous = _async_exception_hook
    _async_exception_hook = hook
    return previous


def report_async(exc: BaseException) -> None:
    """Hand ``exc`` to the current async exception hook."""
    _async_exception_hook(exc)


def _call_guarded(f: Callable[..., object], *args: Any) -> None:
    try:
        f(*args)
    except Exception as exc:
        _async_exception_hook(exc)


# ------------------------------------------------------------ resolution loop
_depth = 0
# Callbacks waiting for the outermost resolution to finish, each as
# (kind, fn, ctx, target, later callbacks, state, value): see _run_detached.
_deferred: deque[tuple[Any, Any, Any, Any, Any, int, Any]] = deque()


def _resolve(p: Promise[Any], st: int, v: Any, max_depth: int = MAXIMUM_DEPTH) -> None:
    """Resolve the pending underlying promise ``p`` and run its callbacks."""
    global _depth
    kind = p._kind
    cbs = p._cbs
    p._state = st
    p._cancel = None
    if kind is None:
        p._value = v
        if cbs is None:
            return
        fn = ctx = target = None
    else:
        target = p._value
        p._value = v
        fn = p._fn
        ctx = p._ctx
        p._kind = p._fn = p._ctx = None
    p._cbs = None
    if _depth >= max_depth:
        _deferred.append((kind, fn, ctx, target, cbs, st, v))
        return
    _depth += 1
    try:
        if cbs is None:
            _fire(kind, fn, ctx, target, st, v)  # type: ignore[arg-type]
        else:
            _run_detached(kind, fn, ctx, target, cbs, st, v)
    finally:
        _depth -= 1
    if _depth == 0 and _deferred:
        _drain()


def _drain() -> None:
    """Run the queued callbacks; called when the outermost resolution ends."""
    global _depth
    _depth += 1
    try:
        while _deferred:
            _run_detached(*_deferred.popleft())
    finally:
        _depth -= 1


def _run_detached(
    kind: int | None, fn: Any, ctx: Any, target: Any, cbs: Any, st: int, v: Any
) -> None:
    """Run the callbacks taken from a promise resolved with ``(st, v)``.

    ``kind``/``fn``/``ctx``/``target`` are its first callback (``kind`` None
    if it had none), ``cbs`` the later ones.  When the promise was canceled,
    its cancel callbacks run first.
    """
    if cbs is not None and st == REJECTED and isinstance(v, Canceled):
        if cbs.__class__ is list:
            for cb in cbs:
                if cb.kind == K_CANCEL:
                    _fire(K_CANCEL, cb.fn, cb.ctx, None, st, v)
        elif cbs.kind == K_CANCEL:
            _fire(K_CANCEL, cbs.fn, cbs.ctx, None, st, v)
    if kind is not None:
        _fire(kind, fn, ctx, target, st, v)
    if cbs is None:
        return
    if cbs.__class__ is list:
        for cb in cbs:
            k = cb.kind
            if k < K_CANCEL:
                _fire(k, cb.fn, cb.ctx, cb.target, st, v)
    elif cbs.kind < K_CANCEL:
        _fire(cbs.kind, cbs.fn, cbs.ctx, cbs.target, st, v)


def _defer_on_resolved(p: Promise[Any], kind: int, fn: Any) -> Promise[Any]:
    """Queue ``fn`` on the resolved ``p`` because the stack is already deep."""
    d = _pending(None)
    _deferred.append((kind, fn, _capture(), d, None, p._state, p._value))
    return d


def _fire(kind: int, fn: Any, ctx: Context | None, target: Any, st: int, v: Any) -> None:
    """Run one callback of a promise resolved with ``(st, v)``.

    The target of a derived promise is looked up only after the user's
    function returns: while it runs, the target may become a proxy.
    """
    if kind == K_BIND:
        if st == FULFILLED:
            _follow(target, "bind", fn, ctx, v)
        else:
            _settle(target, st, v)
        return
    if kind == K_ON_SUCCESS:
        if st == FULFILLED:
            try:
                ctx.copy().run(fn, v)  # type: ignore[union-attr]
            except Exception as exc:
                _async_exception_hook(exc)
        return
    if kind == K_FUNC:
        fn(st, v)
        return
    if kind <= K_FORWARD:
        if kind == K_MAP:
            if st == FULFILLED:
                try:
                    r = ctx.copy().run(fn, v)  # type: ignore[union-attr]
                except Exception as exc:
                    _settle(target, REJECTED, exc)
                else:
                    _settle(target, FULFILLED, r)
            else:
                _settle(target, st, v)
        elif kind == K_CATCH:
            if st == REJECTED:
                _follow(target, "catch", fn, ctx, v)
            else:
                _settle(target, st, v)
        elif kind == K_TRY_BIND:
            _follow(target, "try_bind", fn[0] if st == FULFILLED else fn[1], ctx, v)
        else:  # K_FORWARD
            _settle(target, st, v)
        return
    if kind == K_ASYNC:
        if st == REJECTED:
            _async_exception_hook(v)
        return
    if kind == K_DEAD:
        return
    try:
        if kind == K_ON_FAILURE:
            if st == REJECTED:
                ctx.copy().run(fn, v)  # type: ignore[union-attr]
        elif kind == K_ON_ANY:
            ctx.copy().run(fn[0] if st == FULFILLED else fn[1], v)  # type: ignore[union-attr]
        elif ctx is None:  # K_ON_TERMINATION or K_CANCEL, internal
            fn()
        else:  # K_ON_TERMINATION or K_CANCEL
            ctx.copy().run(fn)
    except Exception as exc:
        _async_exception_hook(exc)


def _settle(target: Promise[Any], st: int, v: Any) -> None:
    """Resolve a derived promise, following proxies, unless it is resolved already."""
    if target._state == PROXY:
        target = _underlying(target)
    if target._state == PENDING:
        _resolve(target, st, v)


def _follow(target: Promise[Any], api: str, f: Any, ctx: Any, v: Any) -> None:
    """Call ``f(v)`` for a derived promise and make ``target`` follow the result."""
    try:
        r = ctx.copy().run(f, v)
    except Exception as exc:
        _settle(target, REJECTED, exc)
        return
    if r.__class__ is not Promise and not isinstance(r, Promise):
        _settle(target, REJECTED, _not_a_promise(api, f, r))
        return
    if target._state == PROXY:
        target = _underlying(target)
    if target._state == PENDING:
        _make_into_proxy(target, r)


def _make_into_proxy(outer: Promise[Any], r: Promise[Any]) -> None:
    """Make the pending ``outer`` and the user's promise ``r`` behave as one.

    If ``r`` is resolved, ``outer`` takes its outcome.  Otherwise ``r``
    becomes a proxy for ``outer``: ``outer`` keeps its identity (callers
    already hold it) and takes over ``r``'s callbacks and cancellation.
    """
    if r._state == PROXY:
        r = _underlying(r)
    if r is outer:
        return
    st = r._state
    if st != PENDING:
        _resolve(outer, st, r._value)
        return
    rkind = r._kind
    rcbs = r._cbs
    if rkind is not None or rcbs is not None:
        if outer._kind is None and outer._cbs is None:
            if rkind is not None:
                outer._kind = rkind
                outer._fn = r._fn
                outer._ctx = r._ctx
                outer._value = r._value
            outer._cbs = rcbs
        else:
            moved: list[_Callback] = []
            if rkind is not None:
                moved.append(_Callback(rkind, r._fn, r._ctx, r._value))
            if rcbs.__class__ is list:
                moved.extend(rcbs)
            elif rcbs is not None:
                moved.append(rcbs)
            ocbs = outer._cbs
            if ocbs is None:
                outer._cbs = moved[0] if len(moved) == 1 else moved
            elif ocbs.__class__ is list:
                ocbs.extend(moved)
            else:
                moved.insert(0, ocbs)
                outer._cbs = moved
    outer._cancel = r._cancel
    r._state = PROXY
    r._value = outer
    r._kind = r._fn = r._ctx = None
    r._cbs = None
    r._cancel = None


def _attach_handler(p: Promise[Any], kind: int, fn: Any) -> None:
    """Attach an ``on_*`` handler, running it at once if ``p`` is resolved."""
    global _depth
    if p._state == PROXY:
        p = _underlying(p)
    st = p._state
    if st == PENDING:
        if p._kind is None and p._cbs is None:
            p._kind = kind
            p._fn = fn
            p._ctx = _capture()
        else:
            _add(p, _Callback(kind, fn, _capture(), None))
        return
    if _depth >= MAXIMUM_DEPTH:
        _deferred.append((kind, fn, _capture(), None, None, st, p._value))
        return
    _depth += 1
    try:
        # Already resolved: run at once, like Lwt, in a copy of the current
        # context, so that handlers are isolated whether or not they waited.
        _fire(kind, fn, copy_context(), None, st, p._value)
    finally:
        _depth -= 1
    if _depth == 0 and _deferred:
        _drain()


# -------------------------------------------------------------- cancellation
def _cancel(p: Promise[Any]) -> None:
    """Search back from ``p`` for cancelable promises, cancel them, run callbacks."""
    global _depth
    found: list[tuple[Any, Any, Any, Any, Any, int, Any]] = []
    todo: list[Promise[Any]] = [p]
    exc: Canceled | None = None
    while todo:
        q = todo.pop()
        if q._state == PROXY:
            q = _underlying(q)
        if q._state != PENDING:
            continue
        how = q._cancel
        if how is None:
            continue
        if how is _CANCEL_THIS:
            if exc is None:
                exc = Canceled()
            kind = q._kind
            if kind is None:
                found.append((None, None, None, None, q._cbs, REJECTED, exc))
            else:
                found.append((kind, q._fn, q._ctx, q._value, q._cbs, REJECTED, exc))
            q._state = REJECTED
            q._value = exc
            q._kind = q._fn = q._ctx = None
            q._cbs = None
            q._cancel = None
        elif how.__class__ is list:
            todo.extend(reversed(how))
        else:
            todo.append(how)
    for item in found:
        if item[0] is None and item[4] is None:
            continue
        if _depth >= MAXIMUM_DEPTH:
            _deferred.append(item)
            continue
        _depth += 1
        try:
            _run_detached(*item)
        finally:
            _depth -= 1
    if _depth == 0 and _deferred:
        _drain()
