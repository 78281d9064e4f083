"""One run of one contender, in a process of its own.

``python -m benchmarks.child SPEC`` where SPEC is a JSON object with the
workload's ``name``, the contender's ``index`` and the ``params``.  The
figures are printed as the last line of stdout after :data:`MARK`, so that
anything else a library prints cannot be mistaken for them.
"""

from __future__ import annotations

import json
import sys

from benchmarks.workloads import find

MARK = "BENCH-FIGURES "


def main(argv: list[str]) -> int:
    """Run the contender SPEC names and print its figures."""
    if len(argv) != 1:
        print("usage: python -m benchmarks.child SPEC", file=sys.stderr)
        return 2
    spec = json.loads(argv[0])
    workload = find(spec["name"])
    contender = workload.contenders[spec["index"]]
    figures = contender.run(spec["params"])
    print(MARK + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
