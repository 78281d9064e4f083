"""Immutable priority queues: OCaml's ``Lwt_pqueue``.

``Make(compare)`` plays the part of Lwt's functor ``Lwt_pqueue.Make(Ord)``:
it returns a class of priority queues ordered by ``compare``, a function
that returns a negative number, zero or a positive number as its first
argument is smaller than, equal to or greater than its second (OCaml's
``compare`` convention).  Queues are persistent values: :meth:`~PQueue.add`,
:meth:`~PQueue.union` and :meth:`~PQueue.remove_min` return a new queue and
leave the old one as it was, so a queue can be shared freely.

Elements that compare equal are all kept ("duplicates" in Lwt's words); which
of them comes out first is unspecified, as in Lwt.

The queues are binomial heaps whose trees share structure:
:meth:`~PQueue.union` and :meth:`~PQueue.remove_min` take O(log n) time,
:meth:`~PQueue.add` amortized constant time (O(log n) at worst), and
:meth:`~PQueue.find_min`, :meth:`~PQueue.lookup_min`, :meth:`~PQueue.size` and
:meth:`~PQueue.is_empty` constant time.

.. note::
   Lwt deprecates this module as an implementation detail; it is here for
   completeness.  The functions of Lwt's signature ``S`` are methods of the
   queue (``Q.add e q`` is ``q.add(e)``); ``Q.empty`` is a class attribute,
   and ``Q()`` makes an empty queue too.  ``size`` takes constant time
   (Lwt's walks the queue).  ``len(q)`` and ``bool(q)`` work too.  Mixing
   queues of two different ``Make`` calls raises :class:`TypeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from lwt.core import NotFound

T = TypeVar("T")

__all__ = ["Make", "PQueue"]

# A binomial tree of rank r is a tuple (root, r, children): the root is the
# smallest element of the tree, and the children are r trees of ranks r-1,
# ..., 1, 0, kept as a linked list of pairs (tree, rest), highest rank first,
# so that linking two trees is a constant-time cons.  A queue holds a tuple of
# trees of strictly increasing ranks (a binary number whose bits are trees).
_Tree = tuple[Any, int, Any]
_Roots = tuple[_Tree, ...]


class PQueue(Generic[T]):
    """An immutable priority queue; the classes made by :func:`Make` derive from it.

    Do not instantiate this base class: it has no ordering.  Use
    ``Q = Make(compare)`` and then ``Q.empty`` (or ``Q()``).
    """

    __slots__ = ("_min", "_roots", "_size")

    _compare: ClassVar[Callable[[Any, Any], int]]
    empty: ClassVar[PQueue[Any]]
    """The empty queue of the class."""

    _roots: _Roots
    _size: int
    _min: int  # index in _roots of the tree holding the smallest element

    def __init__(self) -> None:
        if type(self) is PQueue:
            raise TypeError("PQueue has no ordering: make a queue class with Make(compare)")
        self._roots = ()
        self._size = 0
        self._min = -1

    def _new(self, roots: _Roots, size: int, best: int | None = None) -> PQueue[T]:
        """Make a queue of this class; ``best`` is the index of the minimum if known."""
        cls = type(self)
        q = cls.__new__(cls)
        q._roots = roots
        q._size = size
        if best is None:
            best = -1
            if roots:
                compare = cls._compare
                best = 0
                for i in range(1, len(roots)):
                    if compare(roots[i][0], roots[best][0]) < 0:
                        best = i
        q._min = best
        return q

    def is_empty(self) -> bool:
        """Return whether the queue has no element."""
        return self._size == 0

    def size(self) -> int:
        """Return the number of elements, duplicates included."""
        return self._size

    def add(self, x: T) -> PQueue[T]:
        """Return a new queue holding the elements of this one and ``x``.

        Amortized constant time (logarithmic at worst).
        """
        tree: _Tree = (x, 0, None)
        roots = self._roots
        i = 0
        n = len(roots)
        while i < n and roots[i][1] == tree[1]:
            tree = self._link(tree, roots[i])
            i += 1
        # The trees from i on are kept and shift to i - 1 + 1.  If the old
        # minimum was linked into the new tree, that tree's root is the minimum.
        m = self._min
        best = 0 if m < i or type(self)._compare(x, roots[m][0]) < 0 else m - i + 1
        return self._new((tree, *roots[i:]), self._size + 1, best)

    def union(self, other: PQueue[T]) -> PQueue[T]:
        """Return a new queue holding the elements of both queues.

        Raises:
            TypeError: ``other`` comes from another :func:`Make` call (or is
                not a queue), so the two orderings may disagree.
        """
        if type(other) is not type(self):
            raise TypeError(
                "union: both queues must come from the same Make() call, "
                f"got {type(self).__name__} and {type(other).__name__}"
            )
        if not other._size:
            return self
        if not self._size:
            return other
        return self._new(self._merge(self._roots, other._roots), self._size + other._size)

    def find_min(self) -> T:
        """Return the smallest element.

        Raises:
            NotFound: the queue is empty.
        """
        if not self._size:
            raise NotFound("find_min: the priority queue is empty")
        root: T = self._roots[self._min][0]
        return root

    def lookup_min(self) -> T | None:
        """Return the smallest element, or ``None`` if the queue is empty."""
        if not self._size:
            return None
        root: T = self._roots[self._min][0]
        return root

    def remove_min(self) -> PQueue[T]:
        """Return a new queue without the smallest element (one copy of it).

        Raises:
            NotFound: the queue is empty.
        """
        if not self._size:
            raise NotFound("remove_min: the priority queue is empty")
        roots = self._roots
        m = self._min
        children: list[_Tree] = []
        cell = roots[m][2]
        while cell is not None:
            tree, cell = cell
            children.append(tree)
        children.reverse()
        rest = roots[:m] + roots[m + 1 :]
        return self._new(self._merge(tuple(children), rest), self._size - 1)

    def __len__(self) -> int:
        """Return :meth:`size`."""
        return self._size

    def __bool__(self) -> bool:
        """Return whether the queue has elements."""
        return self._size != 0

    def __repr__(self) -> str:
        if not self._size:
            return f"<{type(self).__name__} empty>"
        return f"<{type(self).__name__} size={self._size} min={self._roots[self._min][0]!r}>"

    # ------------------------------------------------------------ internals
    def _link(self, a: _Tree, b: _Tree) -> _Tree:
        """Join two trees of the same rank into one of the next rank."""
        if type(self)._compare(a[0], b[0]) <= 0:
            return (a[0], a[1] + 1, (b, a[2]))
        return (b[0], b[1] + 1, (a, b[2]))

    def _merge(self, xs: _Roots, ys: _Roots) -> _Roots:
        """Add two root lists as binary numbers, linking trees of equal rank."""
        link = self._link
        out: list[_Tree] = []
        carry: _Tree | None = None
        i = j = 0
        nx, ny = len(xs), len(ys)
        while True:
            x = xs[i] if i < nx else None
            y = ys[j] if j < ny else None
            if carry is None:
                if x is None:
                    out.extend(ys[j:])
                    break
                if y is None:
                    out.extend(xs[i:])
                    break
                if x[1] < y[1]:
                    out.append(x)
                    i += 1
                elif y[1] < x[1]:
                    out.append(y)
                    j += 1
                else:
                    carry = link(x, y)
                    i += 1
                    j += 1
                continue
            # A carry is never of a higher rank than the next trees.
            rank = carry[1]
            if x is not None and x[1] == rank:
                if y is not None and y[1] == rank:
                    out.append(carry)
                    carry = link(x, y)
                    j += 1
                else:
                    carry = link(carry, x)
                i += 1
            elif y is not None and y[1] == rank:
                carry = link(carry, y)
                j += 1
            else:
                out.append(carry)
                carry = None
        return tuple(out)


PQueue.__module__ = __name__


def Make(compare: Callable[[T, T], int]) -> type[PQueue[T]]:
    """Make a class of immutable priority queues ordered by ``compare``.

    Args:
        compare: ``compare(a, b)`` is negative if ``a`` comes before ``b``,
            zero if they are equal, positive if ``a`` comes after ``b``.

    Returns:
        A subclass of :class:`PQueue` whose attribute ``empty`` is the empty
        queue; every queue reached from it is ordered by ``compare``.

    Raises:
        TypeError: ``compare`` is not callable.
    """
    if not callable(compare):
        raise TypeError(f"Make: compare must be callable, got {type(compare).__name__}")
    name = getattr(compare, "__qualname__", None) or type(compare).__name__
    queue_class: type[PQueue[T]] = type(
        "PQueue",
        (PQueue,),
        {
            "__slots__": (),
            "__module__": __name__,
            "__qualname__": f"Make({name})",
            "__doc__": f"Immutable priority queues ordered by {name}; made by Make().",
            "_compare": staticmethod(compare),
        },
    )
    queue_class.empty = queue_class()
    return queue_class
