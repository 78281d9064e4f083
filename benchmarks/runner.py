"""Running the selected workloads: fresh processes, alternation, medians, ratios.

For each workload the runner goes round its contenders ``repeat`` times in
a fixed order (lwt, asyncio, uvloop, trio, stdlib, lwt, ...), each run in a
new Python process, so no run inherits another's heap, loop, engine or
thread pool, and slow drifts of the machine hit every contender alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import loadgen
from benchmarks.child import MARK
from benchmarks.model import Figures, Params, Workload, peer_missing

ROOT = Path(__file__).resolve().parent.parent

#: Longest a single run may take before it counts as failed.
RUN_TIMEOUT = 600.0


@dataclass(frozen=True)
class Options:
    """What the command line asked for.

    Attributes:
        peers: the peers to run beside lwt.
        repeat: runs per contender.
        quick: use each workload's tiny sizes.
    """

    peers: tuple[str, ...]
    repeat: int
    quick: bool


class Resources:
    """What workloads need prepared once: the load generator and a big file."""

    def __init__(self) -> None:
        self.loadgen: list[str] | None = None
        self.loadgen_kind: str | None = None
        self._files: dict[int, str] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def params(self, workload: Workload, base: Params) -> dict[str, Any]:
        """Return ``base`` plus what ``workload.needs``, preparing it on first use."""
        out = dict(base)
        if "loadgen" in workload.needs:
            if self.loadgen is None:
                self.loadgen, self.loadgen_kind = loadgen.build()
            out["loadgen"] = self.loadgen
            out["server_cpu"], out["client_cpu"] = loadgen.cpus()
        if "file" in workload.needs:
            mib: int = base["file_mib"]
            out["file"] = self._file(mib)
            out["file_bytes"] = mib << 20
        return out

    def _file(self, mib: int) -> str:
        if mib not in self._files:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="lwt-bench-")
            path = os.path.join(self._dir.name, f"data-{mib}MiB")
            block = os.urandom(1 << 20)
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(block)
            self._files[mib] = path
        return self._files[mib]

    def close(self) -> None:
        """Delete the files made for the run."""
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import ``benchmarks`` whatever the caller's directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_once(workload: Workload, index: int, params: Params) -> Figures:
    """Run contender ``index`` of ``workload`` once in a new process; return its figures.

    Raises:
        RuntimeError: the process failed or printed no figures (its stderr
            is in the message).
    """
    spec = json.dumps({"name": workload.name, "index": index, "params": dict(params)})
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", spec],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=ROOT,
        env=_child_env(),
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            figures: Figures = json.loads(line[len(MARK) :])
            return figures
    tail = "\n".join(done.stderr.strip().splitlines()[-15:])
    raise RuntimeError(f"exit status {done.returncode}; stderr:\n{tail}")


def _median(runs: list[Figures], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def summarise(workload: Workload, cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Turn raw runs into medians, ratios and notes, JSON-ready.

    Each ratio is arranged so that above 1 means lwt did better: lwt's
    median over the peer's for a higher-is-better metric, the peer's over
    lwt's otherwise.
    """
    metric_keys = [m.key for m in workload.metrics]
    for cell in cells:
        if cell["status"] != "ok":
            continue
        runs: list[Figures] = cell["runs"]
        cell["median"] = {k: _median(runs, k) for k in metric_keys}
        extra = sorted({k for r in runs for k in r} - set(metric_keys))
        cell["diagnostics"] = {k: _median(runs, k) for k in extra}
        client = cell["diagnostics"].get("client_cpu")
        cell["client_bound"] = client is not None and client >= loadgen.CLIENT_BOUND
    ours = cells[0]
    for cell in cells[1:]:
        if cell["status"] != "ok" or ours["status"] != "ok":
            continue
        ratio: dict[str, float | None] = {}
        for m in workload.metrics:
            a, b = ours["median"][m.key], cell["median"][m.key]
            if not a or not b:
                ratio[m.key] = None
            else:
                ratio[m.key] = a / b if m.higher_is_better else b / a
        cell["ratio"] = ratio
    return {
        "name": workload.name,
        "family": workload.family,
        "summary": workload.summary,
        "metrics": [
            {"key": m.key, "unit": m.unit, "higher_is_better": m.higher_is_better}
            for m in workload.metrics
        ],
        "contenders": cells,
    }


def run_workload(
    workload: Workload,
    options: Options,
    resources: Resources,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Run every selected contender of ``workload``, alternating; return its summary."""
    base = workload.quick if options.quick else workload.full
    params = resources.params(workload, base)
    cells: list[dict[str, Any]] = []
    active: list[int] = []
    for i, c in enumerate(workload.contenders):
        if c.peer != "lwt" and c.peer not in options.peers:
            continue
        cell: dict[str, Any] = {"label": c.label, "peer": c.peer, "status": "ok", "runs": []}
        missing = peer_missing(c.peer)
        if missing is not None:
            cell.update(status="skipped", reason=missing)
        else:
            active.append(len(cells))
        cell["index"] = i
        cells.append(cell)
    for rep in range(options.repeat):
        for pos in active:
            cell = cells[pos]
            if cell["status"] != "ok":
                continue
            try:
                figures = run_once(workload, cell["index"], params)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                cell.update(status="failed", reason=str(exc))
                progress(f"  {cell['label']}: FAILED\n{exc}")
                continue
            cell["runs"].append(figures)
            head = workload.metrics[0]
            progress(
                f"  run {rep + 1}/{options.repeat} {cell['label']}: "
                f"{figures[head.key]:,.1f} {head.unit}"
            )
    for cell in cells:
        del cell["index"]
    summary = summarise(workload, cells)
    summary["params"] = {k: v for k, v in params.items() if k not in ("loadgen", "file")}
    return summary


@contextlib.contextmanager
def resources() -> Iterator[Resources]:
    """Prepared resources for a run, cleaned up afterwards."""
    r = Resources()
    try:
        yield r
    finally:
        r.close()
