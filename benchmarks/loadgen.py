"""The TCP load generator: building it, pinning it, and reading its figures.

Every echo server is driven by the same client, ``loadgen.c``, compiled
once with the system C compiler into ``benchmarks/.build/`` (the file name
carries a hash of the source, so an edit rebuilds it).  Without a compiler
the pure-Python ``benchmarks.pyloadgen`` stands in.  The server and the
client run as separate processes; when the machine has two or more CPUs
each is pinned to a CPU of its own so they never fight for one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.model import Figures, Params

HERE = Path(__file__).resolve().parent
BUILD_DIR = HERE / ".build"
SOURCE = HERE / "loadgen.c"

#: Above this share of its wall time on the CPU, the client (not the server)
#: probably set the pace: the cell is flagged as client-bound.
CLIENT_BOUND = 0.85


def build() -> tuple[list[str], str]:
    """Compile ``loadgen.c`` if needed; return the client command and what it is.

    Returns:
        ``([path], "c")`` for the compiled client, or the Python fallback's
        command and ``"python"`` (with the reason) when there is no compiler
        or the build fails.
    """
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return _fallback(), "python (no C compiler found)"
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    exe = BUILD_DIR / f"loadgen-{digest}"
    if not exe.exists():
        BUILD_DIR.mkdir(exist_ok=True)
        tmp = exe.with_suffix(".tmp")
        done = subprocess.run(
            [cc, "-O2", "-o", str(tmp), str(SOURCE)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            return _fallback(), f"python (cc failed: {done.stderr.strip()[:200]})"
        tmp.replace(exe)
    return [str(exe)], "c"


def _fallback() -> list[str]:
    return [sys.executable, "-m", "benchmarks.pyloadgen"]


def cpus() -> tuple[int | None, int | None]:
    """Pick a CPU for the server and another for the client, if the OS allows pinning."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    mine = sorted(os.sched_getaffinity(0))
    if len(mine) < 2:
        return None, None
    return mine[0], mine[1]


def pin_self(params: Params) -> None:
    """Pin this (server) process to the CPU the runner chose for servers."""
    cpu = params.get("server_cpu")
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def spawn(params: Params, port: int) -> subprocess.Popen[str]:
    """Start the client against ``port`` with the workload's sizes, pinned."""
    args = [str(port), str(params["connections"]), str(params["size"]), str(params["seconds"])]
    proc = subprocess.Popen([*params["loadgen"], *args], stdout=subprocess.PIPE, text=True)
    cpu = params.get("client_cpu")
    if cpu is not None:
        os.sched_setaffinity(proc.pid, {cpu})
    return proc


def collect(proc: subprocess.Popen[str], server_cpu: float) -> Figures:
    """Wait for the client and turn its report into figures.

    Args:
        proc: the client from :func:`spawn`.
        server_cpu: CPU seconds the server used while the client ran.

    Returns:
        ``rate`` (round trips per second) and the diagnostics ``client_cpu``
        and ``server_cpu``: each
        process's CPU time as a share of the client's measured wall time.
    """
    out, _ = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"the load generator failed with status {proc.returncode}")
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    elapsed = float(report["elapsed"])
    rate = report["round_trips"] / elapsed
    return {
        "rate": rate,
        "client_cpu": float(report["cpu"]) / elapsed,
        "server_cpu": server_cpu / elapsed,
    }
