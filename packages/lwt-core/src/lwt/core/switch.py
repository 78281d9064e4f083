"""Switches that release groups of resources together: OCaml's ``Lwt_switch``.

A :class:`Switch` starts *on*.  Code that allocates a resource registers a
*hook* on it with :func:`add_hook`, a function that frees the resource;
:meth:`Switch.turn_off` turns the switch off and runs every hook.  Functions
that allocate resources typically take an optional switch (``switch=None``),
which is why :func:`check`, :func:`add_hook` and :func:`add_hook_or_exec`
accept ``None`` and then do nothing.

:func:`with_switch` and ``async with Switch() as sw:`` give a switch that is
turned off when the block ends, however it ends.

.. note::
   Hooks run newest first, as in Lwt (whose hooks are kept in a list that
   new hooks are pushed onto).  :func:`add_hook_or_exec` on a switch that is
   off turns an exception raised by the hook into a rejected promise, where
   Lwt lets it escape.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from lwt.core import Promise, apply, finalize, join, return_, return_unit

T = TypeVar("T")

__all__ = [
    "Off",
    "Switch",
    "add_hook",
    "add_hook_or_exec",
    "check",
    "is_on",
    "turn_off",
    "with_switch",
]


class Off(Exception):
    """Raised when a hook is added to, or :func:`check` is called on, a switch that is off."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args or ("the switch is off",))


class Switch:
    """A switch (``Lwt_switch.t``); ``Switch()`` is Lwt's ``create ()`` and starts on.

    Used as ``async with Switch() as sw:``, it is turned off when the block
    ends; the exit waits for the hooks, and a hook's failure is raised there
    (replacing the block's own exception, if any, as :func:`with_switch` does).
    """

    __slots__ = ("_hooks",)

    def __init__(self) -> None:
        # The hooks, oldest first, while the switch is on; None once it is off.
        self._hooks: list[Callable[[], Promise[None]]] | None = []

    def __repr__(self) -> str:
        return "<Switch on>" if self._hooks is not None else "<Switch off>"

    def is_on(self) -> bool:
        """Return whether the switch is still on."""
        return self._hooks is not None

    def turn_off(self) -> Promise[None]:
        """Turn the switch off and run its hooks, newest first.

        The hooks all start at once; each is called once only.  If the
        switch is already off, nothing happens.

        Returns:
            A promise fulfilled once every hook's promise is resolved, or
            rejected with the first failure among them (an exception raised
            by a hook counts as a failure); fulfilled at once if the switch
            was already off.
        """
        hooks = self._hooks
        if hooks is None:
            return return_unit
        self._hooks = None
        return join([apply(hook) for hook in reversed(hooks)])

    def __aenter__(self) -> Promise[Switch]:
        """Return the switch itself on entering ``async with``."""
        return return_(self)

    def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Promise[bool]:
        """Turn the switch off on leaving ``async with``; exceptions propagate."""
        return self.turn_off().map(_false)


Switch.__module__ = __name__
Off.__module__ = __name__


def _false(_: object) -> bool:
    return False


is_on = Switch.is_on
turn_off = Switch.turn_off


def check(switch: Switch | None) -> None:
    """Raise :class:`Off` if ``switch`` is a switch that is off.

    Does nothing if ``switch`` is ``None`` or on.
    """
    if switch is not None and switch._hooks is None:
        raise Off()


def add_hook(switch: Switch | None, f: Callable[[], Promise[None]]) -> None:
    """Register ``f`` to be called when ``switch`` is turned off.

    Does nothing if ``switch`` is ``None``.

    Raises:
        Off: the switch is already off (``f`` is not called).
    """
    if switch is None:
        return
    hooks = switch._hooks
    if hooks is None:
        raise Off()
    hooks.append(f)


def add_hook_or_exec(switch: Switch | None, f: Callable[[], Promise[None]]) -> Promise[None]:
    """Register ``f`` like :func:`add_hook`, or call it now if ``switch`` is off.

    Returns:
        ``f()``'s promise if the switch was off (rejected if ``f`` raised),
        a fulfilled promise otherwise.
    """
    if switch is None:
        return return_unit
    hooks = switch._hooks
    if hooks is None:
        return apply(f)
    hooks.append(f)
    return return_unit


def with_switch(f: Callable[[Switch], Promise[T]]) -> Promise[T]:
    """Call ``f`` with a fresh switch, and turn it off when ``f``'s promise resolves.

    Returns:
        A promise resolved like ``f``'s once the switch's hooks are done; a
        failure of a hook replaces ``f``'s outcome, as with
        :func:`lwt.core.finalize`.  An exception raised by ``f`` counts as
        a rejection.
    """
    switch = Switch()
    return finalize(lambda: f(switch), switch.turn_off)
