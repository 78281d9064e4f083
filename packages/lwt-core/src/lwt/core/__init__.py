"""lwt.core: promises with Lwt's semantics, and the pure modules around them.

A promise (:class:`Promise`) is pending, fulfilled or rejected.  Callbacks
run at once when a promise resolves; :func:`cancel` searches backwards for
cancelable promises; nothing here does I/O (see ``lwt.unix`` for the loop).
"""

from __future__ import annotations

import contextlib

from ._cancellation import cancel, no_cancel, protected, wrap_in_cancelable
from ._concurrent import all, both, choose, join, nchoose, nchoose_split, npick, pick
from ._exceptions import Canceled, Failure, InvalidArgument, NotFound
from ._promise import MAXIMUM_DEPTH, Promise, Resolver, set_async_exception_hook
from ._promise import Promise as _P
from ._resolving import (
    fail,
    fail_invalid_arg,
    fail_with,
    of_result,
    return_,
    return_error,
    return_false,
    return_none,
    return_ok,
    return_some,
    return_true,
    return_unit,
    task,
    wait,
    wakeup,
    wakeup_exn,
    wakeup_later,
    wakeup_later_exn,
    wakeup_later_result,
    wakeup_result,
)
from ._scheduling import (
    abandon_paused,
    async_,
    dont_wait,
    ignore_result,
    pause,
    paused_count,
    register_pause_notifier,
    wakeup_paused,
)
from ._sequential import (
    apply,
    bind,
    catch,
    finalize,
    map,
    on_any,
    on_cancel,
    on_failure,
    on_success,
    on_termination,
    try_bind,
    wrap,
)
from ._states import Error, Fail, Ok, Return, Sleep
from ._storage import Key, get, new_key, with_value

state = _P.state
is_sleeping = _P.is_sleeping
poll = _P.poll

__all__ = [
    "MAXIMUM_DEPTH",
    "Canceled",
    "Error",
    "Fail",
    "Failure",
    "InvalidArgument",
    "Key",
    "NotFound",
    "Ok",
    "Promise",
    "Resolver",
    "Return",
    "Sleep",
    "abandon_paused",
    "all",
    "apply",
    "async_",
    "bind",
    "both",
    "cancel",
    "catch",
    "choose",
    "dont_wait",
    "fail",
    "fail_invalid_arg",
    "fail_with",
    "finalize",
    "get",
    "ignore_result",
    "is_sleeping",
    "join",
    "map",
    "nchoose",
    "nchoose_split",
    "new_key",
    "no_cancel",
    "npick",
    "of_result",
    "on_any",
    "on_cancel",
    "on_failure",
    "on_success",
    "on_termination",
    "pause",
    "paused_count",
    "pick",
    "poll",
    "protected",
    "register_pause_notifier",
    "return_",
    "return_error",
    "return_false",
    "return_none",
    "return_ok",
    "return_some",
    "return_true",
    "return_unit",
    "set_async_exception_hook",
    "state",
    "task",
    "try_bind",
    "wait",
    "wakeup",
    "wakeup_exn",
    "wakeup_later",
    "wakeup_later_exn",
    "wakeup_later_result",
    "wakeup_paused",
    "wakeup_result",
    "with_value",
    "wrap",
    "wrap_in_cancelable",
]


def _publish() -> None:
    """Make reprs, tracebacks and the docs name the public module."""
    g = globals()
    for name in __all__:
        obj = g[name]
        if callable(obj) and getattr(obj, "__module__", "").startswith("lwt.core._"):
            with contextlib.suppress(AttributeError, TypeError):
                obj.__module__ = __name__


_publish()
del _publish, _P

# The pure modules built on the promises above (Lwt_list, Lwt_stream, ...).
# They import lwt.core themselves, so they come last.
from . import (  # noqa: E402
    condition,
    lists,
    mutex,
    mvar,
    pool,
    pqueue,
    result,
    seq,
    sequence,
    stream,
    switch,
)
