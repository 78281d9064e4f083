"""Every workload of the suite, one module per family.

``ALL`` lists them in the order the runner goes through them.
"""

from __future__ import annotations

from benchmarks.model import Workload
from benchmarks.workloads import echo, files, handoff, jobs, promises, tasks

ALL: tuple[Workload, ...] = (
    *promises.WORKLOADS,
    *handoff.WORKLOADS,
    *tasks.WORKLOADS,
    *jobs.WORKLOADS,
    *files.WORKLOADS,
    *echo.WORKLOADS,
)


def find(name: str) -> Workload:
    """Return the workload called ``name``.

    Raises:
        KeyError: no workload has that name.
    """
    for w in ALL:
        if w.name == name:
            return w
    raise KeyError(f"no workload named {name!r}")
