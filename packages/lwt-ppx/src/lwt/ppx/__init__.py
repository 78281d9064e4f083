"""lwt.ppx: direct-style lwt code, what Lwt's ppx gives OCaml.

This package will hold the ``@lwt.ppx.promise`` decorator, which turns an
``async def`` into a function returning an lwt ``Promise``, and
``of_coroutine`` for a single coroutine.  Inside such a function ``await p``
waits for an lwt promise, ``try``/``except`` and ``try``/``finally`` work
across awaits, and cancelling the returned promise cancels the awaited one.
An optional debug mode records the chain of awaits behind an exception.

Nothing is exported yet.
"""

__all__: list[str] = []
