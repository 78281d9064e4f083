"""lwt.core: Lwt's promises and the pure modules built on them.

A placeholder until the promise core lands: it will hold ``Promise`` and
``Resolver``, ``wait``, ``bind``, ``catch``, ``pick``, cancellation,
scheduling helpers and implicit storage, with sub-modules for lists, streams,
mutexes, conditions, mailbox variables, pools, switches and results.

Nothing is exported yet.
"""

__all__: list[str] = []
