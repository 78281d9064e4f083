"""The vocabulary of the suite: metrics, contenders, workloads and peers.

A *workload* is one job done by several *contenders*: exactly one of them is
lwt's, the others are its *peers* (asyncio, asyncio on uvloop, trio, or the
plain standard library used without an event loop).  Each contender is a
function that does the job once, in a fresh process, and returns the
figures it measured; the runner repeats and compares them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Parameters a contender receives (sizes, counts, paths); JSON-serialisable.
Params = Mapping[str, Any]

#: What a contender returns: one value per metric key, plus any diagnostics
#: (such as ``client_cpu`` for the TCP workloads) under other keys.
Figures = dict[str, float]

#: Every peer the suite knows, in the order runs alternate.  ``stdlib`` is
#: blocking standard-library code with no event loop: a floor, not a rival.
PEERS = ("asyncio", "uvloop", "trio", "stdlib")

#: The module each optional peer needs.
_PEER_MODULES = {"uvloop": "uvloop", "trio": "trio"}


@dataclass(frozen=True)
class Metric:
    """One figure a workload reports.

    Attributes:
        key: the key contenders use for it in their :data:`Figures`.
        unit: how the table labels it (``"binds/s"``, ``"B/task"``).
        higher_is_better: whether a bigger number is the better result; the
            ratio is always arranged so that above 1 means lwt did better.
    """

    key: str
    unit: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class Contender:
    """One implementation of a workload.

    Attributes:
        label: a short name for the table (``"asyncio Protocol"``).
        peer: ``"lwt"`` or one of :data:`PEERS`.
        run: does the job once with the workload's parameters and returns
            its figures.  It runs in a process of its own.
    """

    label: str
    peer: str
    run: Callable[[Params], Figures]


@dataclass(frozen=True)
class Workload:
    """A job, its sizes and the contenders that do it.

    Attributes:
        name: the name ``--only`` and ``--skip`` match.
        family: the module that defines it (also accepted by the filters).
        summary: one line for the table and the docs.
        metrics: the figures compared; the first is the headline.
        contenders: lwt's contender first, then the peers.
        full: parameters of a normal run.
        quick: parameters for ``--quick`` (tiny sizes, for smoke tests).
        cheap: true when a quick run takes well under a second per process.
        needs: extra resources the runner prepares (``"loadgen"``,
            ``"file"``), passed in the parameters under the same keys.
    """

    name: str
    family: str
    summary: str
    metrics: tuple[Metric, ...]
    contenders: tuple[Contender, ...]
    full: Params
    quick: Params
    cheap: bool = False
    needs: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        ours = [c for c in self.contenders if c.peer == "lwt"]
        if len(ours) != 1 or self.contenders[0].peer != "lwt":
            raise ValueError(f"workload {self.name!r}: lwt's contender must come first, once")
        for c in self.contenders[1:]:
            if c.peer not in PEERS:
                raise ValueError(f"workload {self.name!r}: unknown peer {c.peer!r}")


def peer_missing(peer: str) -> str | None:
    """Say why ``peer`` cannot run here, or return ``None`` if it can."""
    module = _PEER_MODULES.get(peer)
    if module is not None and importlib.util.find_spec(module) is None:
        return f"{module} is not installed"
    return None
