"""Pools of reusable resources: OCaml's ``Lwt_pool``.

A :class:`Pool` hands out elements (database connections, say) made on
demand by a ``create`` function, up to a fixed number of them, and takes them
back for reuse.  :meth:`Pool.use` borrows one for the time a callback runs;
when every element is busy and the limit is reached, callers wait and are
served in the order they came.  Optional functions ``validate`` (before an
idle element is reused), ``check`` (after a callback failed) and ``dispose``
(when an element is dropped) manage the elements' life.

A pool owns a number of *slots*, at most its size: a slot is taken before an
element is created and given back only once the element is disposed of, or
when its creation fails.  So the pool never holds more live elements than
its size, even while elements are being created or disposed of.

.. note::
   Lwt loses track of a slot in a few corner cases; here the slot is always
   given back, and a slot freed while callers wait goes to the oldest of
   them, for whom a new element is created (if that creation fails, that
   caller's ``use`` fails with the error):

   - the element made for a waiter after ``validate`` raised takes the
     freed slot (Lwt does not count it, so the pool can then grow past its
     size);
   - after a failed creation, a caller already waiting is served (Lwt
     leaves it waiting until some other element is released);
   - after ``check`` rejects an element, or an element returned after
     :meth:`Pool.clear` is disposed of, a waiting caller is served likewise;
   - a failed ``dispose`` still gives the slot back, and :meth:`Pool.clear`
     disposes of every idle element even if one disposal fails (its promise
     is then rejected with the first failure);
   - an element created for a waiter who cancels meanwhile is kept in the
     pool instead of being lost;
   - an exception raised by ``check`` disposes of the element and rejects
     the ``use`` with that exception.

   The size must be at least 1 (Lwt accepts 0, a pool whose users all wait
   forever).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from lwt.core import (
    InvalidArgument,
    Promise,
    Resolver,
    apply,
    catch,
    fail,
    finalize,
    return_,
    return_true,
    return_unit,
    task,
    try_bind,
    wakeup_later,
    wakeup_later_exn,
)

T = TypeVar("T")
U = TypeVar("U")

__all__ = ["Pool", "clear", "use", "wait_queue_length"]

_COMPACT_FLOOR = 64


def _always_valid(_element: object) -> Promise[bool]:
    return return_true


def _always_ok(_element: object, is_ok: Callable[[bool], None]) -> None:
    is_ok(True)


def _nothing_to_dispose(_element: object) -> Promise[None]:
    return return_unit


class Pool(Generic[T]):
    """A pool of at most ``n`` elements of type ``T`` (``Lwt_pool.t``).

    ``Pool(n, create, validate=..., check=..., dispose=...)`` is Lwt's
    ``create n ?validate ?check ?dispose create``.  Elements are created on
    demand by ``create()`` and reused until they are disposed of.

    Args:
        n: the largest number of elements that may exist at once.
        create: makes a new element; it returns a promise of it.  If that
            promise is rejected (or ``create`` raises), the ``use`` that
            needed the element fails with the error.
        validate: called on an idle element before it is reused; a promise
            of ``False`` has the element disposed of and replaced by a new
            one, a rejection has it disposed of and rejects the ``use``.
            By default every element is valid.
        check: called as ``check(element, is_ok)`` when a ``use`` callback
            failed; it must call ``is_ok(True)`` if the element may be kept,
            ``is_ok(False)`` otherwise (not calling it counts as ``False``).
            By default elements are kept.
        dispose: called on each element that is dropped; it returns a
            promise that resolves once the element is gone.  By default it
            does nothing.

    Raises:
        InvalidArgument: ``n`` is smaller than 1.
    """

    __slots__ = (
        "_check",
        "_count",
        "_create",
        "_dispose",
        "_generation",
        "_idle",
        "_limit",
        "_max",
        "_validate",
        "_waiters",
    )

    def __init__(
        self,
        n: int,
        create: Callable[[], Promise[T]],
        *,
        validate: Callable[[T], Promise[bool]] | None = None,
        check: Callable[[T, Callable[[bool], None]], None] | None = None,
        dispose: Callable[[T], Promise[None]] | None = None,
    ) -> None:
        if n < 1:
            raise InvalidArgument(f"Pool: the size must be at least 1, got {n}")
        self._max = n
        self._create = create
        self._validate: Callable[[T], Promise[bool]] = (
            _always_valid if validate is None else validate
        )
        self._check: Callable[[T, Callable[[bool], None]], None] = (
            _always_ok if check is None else check
        )
        self._dispose: Callable[[T], Promise[None]] = (
            _nothing_to_dispose if dispose is None else dispose
        )
        # Slots taken: elements alive, being created or being disposed of.
        self._count = 0
        # Elements nobody uses, oldest first.
        self._idle: deque[T] = deque()
        # Pending promises of callers waiting for an element, oldest first;
        # canceled ones are skipped.
        self._waiters: deque[Promise[T]] = deque()
        self._limit = _COMPACT_FLOOR
        # Bumped by clear(): elements in use since an earlier generation are
        # disposed of when they come back.
        self._generation = 0

    def __repr__(self) -> str:
        return (
            f"<Pool size={self._max} slots_taken={self._count} idle={len(self._idle)} "
            f"waiting={self.wait_queue_length()}>"
        )

    # ----------------------------------------------------------------- public
    def use(self, f: Callable[[T], Promise[U]]) -> Promise[U]:
        """Borrow an element, pass it to ``f``, and return it to the pool afterwards.

        An idle element is validated and reused; otherwise a new one is
        created if the pool is not full; otherwise the caller waits for an
        element to be released.  Once the promise returned by ``f`` is
        fulfilled, the element goes back to the pool (or to the oldest
        waiter).  If it is rejected (or ``f`` raises), ``check`` decides
        whether the element is kept or disposed of.

        Returns:
            A promise resolved like the one returned by ``f``, or rejected
            with the error of ``create``, ``validate`` or ``dispose`` when
            getting or giving back the element failed.  Cancelling it while
            the caller waits withdraws the caller; while ``f`` runs, it
            cancels ``f``'s promise.
        """
        return self._acquire().bind(lambda element: self._run(element, f))

    def clear(self) -> Promise[None]:
        """Dispose of every idle element; elements in use are disposed of when released.

        After this, the next :meth:`use` gets a freshly created element.
        The idle elements are disposed of one after the other.

        Returns:
            A promise fulfilled once every idle element is disposed of, or
            rejected with the first failure of ``dispose`` (the other
            elements are disposed of all the same).
        """
        elements = self._idle
        self._idle = deque()
        self._generation += 1
        return self._dispose_in_turn(elements, [])

    def wait_queue_length(self) -> int:
        """Return how many :meth:`use` calls are waiting for an element."""
        return sum(1 for w in self._waiters if w.is_sleeping())

    # ------------------------------------------------------- getting elements
    def _acquire(self) -> Promise[T]:
        idle = self._idle
        if idle:
            return self._validated(idle.popleft())
        if self._count < self._max:
            self._count += 1
            return self._create_in_slot()
        p: Promise[T]
        p, _ = task()
        waiters = self._waiters
        waiters.append(p)
        if len(waiters) > self._limit:
            live = [w for w in waiters if w.is_sleeping()]
            self._waiters = deque(live)
            self._limit = max(_COMPACT_FLOOR, 2 * len(live))
        return p.bind(self._validated)

    def _create_in_slot(self) -> Promise[T]:
        """Create an element in a slot already taken; a failure frees the slot."""
        return catch(self._create, self._give_up_slot)

    def _give_up_slot(self, exc: BaseException) -> Promise[T]:
        """Free the slot of an element that could not be made, and fail with ``exc``."""
        self._free_slot()
        return fail(exc)

    def _validated(self, element: T) -> Promise[T]:
        def valid(ok: bool) -> Promise[T]:
            return return_(element) if ok else self._replace(element)

        def invalid(exc: BaseException) -> Promise[T]:
            return self._discard(element).bind(lambda _: fail(exc))

        return try_bind(lambda: self._validate(element), valid, invalid)

    def _replace(self, element: T) -> Promise[T]:
        """Dispose of ``element`` and create another in its slot."""
        return try_bind(
            lambda: apply(self._dispose, element),
            lambda _: self._create_in_slot(),
            self._give_up_slot,
        )

    # ------------------------------------------------------- using elements
    def _run(self, element: T, f: Callable[[T], Promise[U]]) -> Promise[U]:
        generation = self._generation

        def succeeded(v: U) -> Promise[U]:
            if generation != self._generation:
                return self._discard(element).bind(lambda _: return_(v))
            self._release(element)
            return return_(v)

        def failed(exc: BaseException) -> Promise[U]:
            verdict = [False]

            def is_ok(ok: bool) -> None:
                verdict[0] = ok

            try:
                self._check(element, is_ok)
            except Exception as raised:
                check_error = raised
                return self._discard(element).bind(lambda _: fail(check_error))
            if verdict[0] and generation == self._generation:
                self._release(element)
                return fail(exc)
            return self._discard(element).bind(lambda _: fail(exc))

        return try_bind(lambda: f(element), succeeded, failed)

    # ------------------------------------------------ giving elements back
    def _release(self, element: T) -> None:
        """Give ``element`` to the oldest waiter, or keep it idle."""
        waiters = self._waiters
        while waiters:
            w = waiters.popleft()
            if w.is_sleeping():
                wakeup_later(cast("Resolver[T]", w), element)
                return
        self._limit = _COMPACT_FLOOR
        self._idle.append(element)

    def _discard(self, element: T) -> Promise[None]:
        """Dispose of ``element`` and free its slot, even if disposing fails."""
        return finalize(lambda: apply(self._dispose, element), self._slot_freed)

    def _slot_freed(self) -> Promise[None]:
        self._free_slot()
        return return_unit

    def _free_slot(self) -> None:
        """Give a slot back, or pass it to the oldest waiter with a new element."""
        waiters = self._waiters
        while waiters:
            w = waiters.popleft()
            if w.is_sleeping():
                self._create_for(w)
                return
        self._limit = _COMPACT_FLOOR
        self._count -= 1

    def _create_for(self, waiter: Promise[T]) -> None:
        def created(element: T) -> None:
            if waiter.is_sleeping():
                wakeup_later(cast("Resolver[T]", waiter), element)
            else:
                self._release(element)

        def not_created(exc: BaseException) -> None:
            if waiter.is_sleeping():
                wakeup_later_exn(cast("Resolver[T]", waiter), exc)
            self._free_slot()

        apply(self._create).on_any(created, not_created)

    def _dispose_in_turn(
        self, elements: deque[T], first_error: list[BaseException]
    ) -> Promise[None]:
        if not elements:
            return fail(first_error[0]) if first_error else return_unit
        element = elements.popleft()

        def record(exc: BaseException) -> Promise[None]:
            if not first_error:
                first_error.append(exc)
            return return_unit

        return catch(lambda: self._discard(element), record).bind(
            lambda _: self._dispose_in_turn(elements, first_error)
        )


Pool.__module__ = __name__

use = Pool.use
clear = Pool.clear
wait_queue_length = Pool.wait_queue_length
