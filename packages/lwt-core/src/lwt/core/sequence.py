"""Mutable doubly-linked sequences with removable nodes: OCaml's ``Lwt_sequence``.

A :class:`Sequence` holds elements in order.  Adding an element at either
end returns the :class:`Node` that holds it, and that node can later take
itself out of the sequence in constant time, wherever it is.  Taking from
either end is constant time too, and so is moving every element of one
sequence to an end of another (:meth:`Sequence.transfer_l`,
:meth:`Sequence.transfer_r`).

Removing nodes while the sequence is being walked (by ``iter_*``,
``fold_*``, ``find_node_*`` or a ``for`` loop) is allowed: a removed node
keeps its links, so the walk goes on from where it was, and nodes removed
ahead of the walk are skipped.

.. note::
   Lwt deprecates this module in favour of the ``lwt-dllist`` package; it
   is here for completeness.  Functions whose sequence comes first in Lwt
   are methods (``take_l s`` is ``s.take_l()``) and also module functions;
   the others are methods taking the element or function first
   (``add_l x s`` is ``s.add_l(x)``) and module functions in Lwt's order
   (``add_l(x, s)``).  ``create()`` is ``Sequence()``.  :meth:`Sequence.clear`
   marks the nodes it drops as removed (it takes time linear in their number,
   where Lwt's leaves them looking attached, so that removing one later
   corrupted the sequence).  Transferring a sequence onto itself does nothing.
   ``len(s)`` (linear time, like ``length``), ``bool(s)``, ``iter(s)`` and
   ``reversed(s)`` work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from lwt.core import NotFound

T = TypeVar("T")
A = TypeVar("A")

__all__ = [
    "Empty",
    "Node",
    "Sequence",
    "add_l",
    "add_r",
    "clear",
    "create",
    "find_node_l",
    "find_node_opt_l",
    "find_node_opt_r",
    "find_node_r",
    "fold_l",
    "fold_r",
    "get",
    "is_empty",
    "iter_l",
    "iter_node_l",
    "iter_node_r",
    "iter_r",
    "length",
    "remove",
    "set",
    "take_l",
    "take_opt_l",
    "take_opt_r",
    "take_r",
    "transfer_l",
    "transfer_r",
]


class Empty(Exception):
    """Raised by :meth:`Sequence.take_l` and :meth:`Sequence.take_r` on an empty sequence."""


class _Link:
    """What nodes and sequences share: a link to the left and to the right.

    A sequence is the sentinel of a ring of nodes: its right link is the
    leftmost node, its left link the rightmost one, and it links to itself
    when it is empty.
    """

    __slots__ = ("_next", "_prev")

    _next: _Link
    _prev: _Link


class Node(_Link, Generic[T]):
    """The place of one element in a :class:`Sequence` (Lwt's ``'a Lwt_sequence.node``).

    Nodes are made by :meth:`Sequence.add_l` and :meth:`Sequence.add_r`.
    """

    __slots__ = ("_active", "_value")

    def __init__(self, value: T, prev: _Link, next_: _Link) -> None:
        self._value = value
        self._prev = prev
        self._next = next_
        self._active = True

    def get(self) -> T:
        """Return the element held by the node."""
        return self._value

    def set(self, value: T) -> None:
        """Replace the element held by the node."""
        self._value = value

    def remove(self) -> None:
        """Take the node out of its sequence; do nothing if it is already out.

        The node keeps its own links, so a walk standing on it can go on.
        """
        if self._active:
            self._active = False
            self._prev._next = self._next
            self._next._prev = self._prev

    def __repr__(self) -> str:
        state = "" if self._active else " (removed)"
        return f"<Node {self._value!r}{state}>"


class Sequence(_Link, Generic[T]):
    """A mutable sequence of elements (Lwt's ``'a Lwt_sequence.t``); starts empty."""

    __slots__ = ()

    def __init__(self) -> None:
        self._next = self
        self._prev = self

    # ---------------------------------------------------------------- sizes
    def is_empty(self) -> bool:
        """Return whether the sequence has no element (constant time)."""
        return self._next is self

    def length(self) -> int:
        """Return the number of elements (linear time, as in Lwt)."""
        n = 0
        cur = self._next
        while isinstance(cur, Node):
            n += 1
            cur = cur._next
        return n

    def __len__(self) -> int:
        """Return :meth:`length`."""
        return self.length()

    def __bool__(self) -> bool:
        """Return whether the sequence has elements."""
        return self._next is not self

    def clear(self) -> None:
        """Remove every element.

        The dropped nodes are marked as removed (so :meth:`Node.remove` on
        one of them later does nothing) but keep their links, so that a walk
        in progress ends normally.
        """
        cur = self._next
        while isinstance(cur, Node):
            cur._active = False
            cur = cur._next
        self._next = self
        self._prev = self

    # --------------------------------------------------------------- adding
    def add_l(self, x: T) -> Node[T]:
        """Add ``x`` at the left end and return its node."""
        node = Node(x, self, self._next)
        self._next._prev = node
        self._next = node
        return node

    def add_r(self, x: T) -> Node[T]:
        """Add ``x`` at the right end and return its node."""
        node = Node(x, self._prev, self)
        self._prev._next = node
        self._prev = node
        return node

    # --------------------------------------------------------------- taking
    def take_l(self) -> T:
        """Remove the leftmost element and return it.

        Raises:
            Empty: the sequence is empty.
        """
        node = self._next
        if not isinstance(node, Node):
            raise Empty("take_l: the sequence is empty")
        node.remove()
        value: T = node._value
        return value

    def take_r(self) -> T:
        """Remove the rightmost element and return it.

        Raises:
            Empty: the sequence is empty.
        """
        node = self._prev
        if not isinstance(node, Node):
            raise Empty("take_r: the sequence is empty")
        node.remove()
        value: T = node._value
        return value

    def take_opt_l(self) -> T | None:
        """Remove the leftmost element and return it, or return ``None`` if empty."""
        node = self._next
        if not isinstance(node, Node):
            return None
        node.remove()
        value: T = node._value
        return value

    def take_opt_r(self) -> T | None:
        """Remove the rightmost element and return it, or return ``None`` if empty."""
        node = self._prev
        if not isinstance(node, Node):
            return None
        node.remove()
        value: T = node._value
        return value

    # ----------------------------------------------------------- transfers
    def transfer_l(self, other: Sequence[T]) -> None:
        """Move every element of this sequence to the left end of ``other``.

        This sequence is left empty; the nodes stay valid and now belong to
        ``other``.  Constant time.
        """
        if self._next is self or other is self:
            return
        first, last = self._next, self._prev
        last._next = other._next
        other._next._prev = last
        other._next = first
        first._prev = other
        self._next = self
        self._prev = self

    def transfer_r(self, other: Sequence[T]) -> None:
        """Move every element of this sequence to the right end of ``other``.

        This sequence is left empty; the nodes stay valid and now belong to
        ``other``.  Constant time.
        """
        if self._next is self or other is self:
            return
        first, last = self._next, self._prev
        first._prev = other._prev
        other._prev._next = first
        other._prev = last
        last._next = other
        self._next = self
        self._prev = self

    # ------------------------------------------------------------- walking
    def iter_l(self, f: Callable[[T], object]) -> None:
        """Call ``f`` on each element, from left to right."""
        cur = self._next
        while isinstance(cur, Node):
            if cur._active:
                f(cur._value)
            cur = cur._next

    def iter_r(self, f: Callable[[T], object]) -> None:
        """Call ``f`` on each element, from right to left."""
        cur = self._prev
        while isinstance(cur, Node):
            if cur._active:
                f(cur._value)
            cur = cur._prev

    def iter_node_l(self, f: Callable[[Node[T]], object]) -> None:
        """Call ``f`` on each node, from left to right; ``f`` may remove nodes."""
        cur = self._next
        while isinstance(cur, Node):
            if cur._active:
                f(cur)
            cur = cur._next

    def iter_node_r(self, f: Callable[[Node[T]], object]) -> None:
        """Call ``f`` on each node, from right to left; ``f`` may remove nodes."""
        cur = self._prev
        while isinstance(cur, Node):
            if cur._active:
                f(cur)
            cur = cur._prev

    def fold_l(self, f: Callable[[T, A], A], acc: A) -> A:
        """Fold from the left: ``acc = f(x, acc)`` for each element ``x``, leftmost first."""
        cur = self._next
        while isinstance(cur, Node):
            if cur._active:
                acc = f(cur._value, acc)
            cur = cur._next
        return acc

    def fold_r(self, f: Callable[[T, A], A], acc: A) -> A:
        """Fold from the right: ``acc = f(x, acc)`` for each element ``x``, rightmost first."""
        cur = self._prev
        while isinstance(cur, Node):
            if cur._active:
                acc = f(cur._value, acc)
            cur = cur._prev
        return acc

    def find_node_opt_l(self, f: Callable[[T], bool]) -> Node[T] | None:
        """Return the leftmost node whose element satisfies ``f``, or ``None``."""
        cur = self._next
        while isinstance(cur, Node):
            if cur._active and f(cur._value):
                return cur
            cur = cur._next
        return None

    def find_node_opt_r(self, f: Callable[[T], bool]) -> Node[T] | None:
        """Return the rightmost node whose element satisfies ``f``, or ``None``."""
        cur = self._prev
        while isinstance(cur, Node):
            if cur._active and f(cur._value):
                return cur
            cur = cur._prev
        return None

    def find_node_l(self, f: Callable[[T], bool]) -> Node[T]:
        """Return the leftmost node whose element satisfies ``f``.

        Raises:
            NotFound: no element satisfies ``f``.
        """
        node = self.find_node_opt_l(f)
        if node is None:
            raise NotFound("find_node_l: no element satisfies the predicate")
        return node

    def find_node_r(self, f: Callable[[T], bool]) -> Node[T]:
        """Return the rightmost node whose element satisfies ``f``.

        Raises:
            NotFound: no element satisfies ``f``.
        """
        node = self.find_node_opt_r(f)
        if node is None:
            raise NotFound("find_node_r: no element satisfies the predicate")
        return node

    def __iter__(self) -> Iterator[T]:
        """Yield the elements from left to right; the sequence may change meanwhile."""
        cur = self._next
        while isinstance(cur, Node):
            if cur._active:
                yield cur._value
            cur = cur._next

    def __reversed__(self) -> Iterator[T]:
        """Yield the elements from right to left; the sequence may change meanwhile."""
        cur = self._prev
        while isinstance(cur, Node):
            if cur._active:
                yield cur._value
            cur = cur._prev

    def __repr__(self) -> str:
        return f"Sequence({list(self)!r})"


for _cls in (Empty, Node, Sequence):
    _cls.__module__ = __name__
del _cls


def create() -> Sequence[Any]:
    """Make a new empty sequence (``Sequence()``)."""
    return Sequence()


# Lwt's functions whose sequence or node comes first are the methods themselves.
get = Node.get
set = Node.set  # shadows the builtin, as Lwt's name does
remove = Node.remove
clear = Sequence.clear
is_empty = Sequence.is_empty
length = Sequence.length
take_l = Sequence.take_l
take_r = Sequence.take_r
take_opt_l = Sequence.take_opt_l
take_opt_r = Sequence.take_opt_r
transfer_l = Sequence.transfer_l
transfer_r = Sequence.transfer_r


def add_l(x: T, s: Sequence[T]) -> Node[T]:
    """Add ``x`` at the left end of ``s`` and return its node (Lwt's argument order)."""
    return s.add_l(x)


def add_r(x: T, s: Sequence[T]) -> Node[T]:
    """Add ``x`` at the right end of ``s`` and return its node (Lwt's argument order)."""
    return s.add_r(x)


def iter_l(f: Callable[[T], object], s: Sequence[T]) -> None:
    """Call ``f`` on each element of ``s``, from left to right."""
    s.iter_l(f)


def iter_r(f: Callable[[T], object], s: Sequence[T]) -> None:
    """Call ``f`` on each element of ``s``, from right to left."""
    s.iter_r(f)


def iter_node_l(f: Callable[[Node[T]], object], s: Sequence[T]) -> None:
    """Call ``f`` on each node of ``s``, from left to right."""
    s.iter_node_l(f)


def iter_node_r(f: Callable[[Node[T]], object], s: Sequence[T]) -> None:
    """Call ``f`` on each node of ``s``, from right to left."""
    s.iter_node_r(f)


def fold_l(f: Callable[[T, A], A], s: Sequence[T], acc: A) -> A:
    """Fold ``s`` from the left: ``f(xn, ... f(x2, f(x1, acc)))``."""
    return s.fold_l(f, acc)


def fold_r(f: Callable[[T, A], A], s: Sequence[T], acc: A) -> A:
    """Fold ``s`` from the right: ``f(x1, f(x2, ... f(xn, acc)))``."""
    return s.fold_r(f, acc)


def find_node_opt_l(f: Callable[[T], bool], s: Sequence[T]) -> Node[T] | None:
    """Return the leftmost node of ``s`` whose element satisfies ``f``, or ``None``."""
    return s.find_node_opt_l(f)


def find_node_opt_r(f: Callable[[T], bool], s: Sequence[T]) -> Node[T] | None:
    """Return the rightmost node of ``s`` whose element satisfies ``f``, or ``None``."""
    return s.find_node_opt_r(f)


def find_node_l(f: Callable[[T], bool], s: Sequence[T]) -> Node[T]:
    """Return the leftmost node of ``s`` whose element satisfies ``f``.

    Raises:
        NotFound: no element satisfies ``f``.
    """
    return s.find_node_l(f)


def find_node_r(f: Callable[[T], bool], s: Sequence[T]) -> Node[T]:
    """Return the rightmost node of ``s`` whose element satisfies ``f``.

    Raises:
        NotFound: no element satisfies ``f``.
    """
    return s.find_node_r(f)
