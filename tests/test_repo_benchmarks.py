"""``python -m benchmarks`` runs and reports what it measured.

A smoke run at tiny sizes against asyncio only, so it needs neither a C
compiler nor the optional peers; the figures themselves are not judged
here (speed is read from the benchmark's own report, never from tests).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_quick_run_writes_medians_and_ratios_for_lwt_and_asyncio(
    repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--repeat",
            "1",
            "--only",
            "resolved_binds,mvar_pingpong",
            "--peers",
            "asyncio",
            "--json",
            str(out),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["machine"]["cpu_count"] >= 1
    assert [w["name"] for w in report["workloads"]] == ["resolved_binds", "mvar_pingpong"]
    for workload in report["workloads"]:
        peers = {c["peer"]: c for c in workload["contenders"]}
        assert set(peers) == {"lwt", "asyncio"}
        for contender in peers.values():
            assert contender["status"] == "ok"
            assert all(value > 0 for value in contender["median"].values())
    # The table on stdout names each workload and gives lwt/peer ratios.
    assert "resolved_binds" in done.stdout
    assert "x" in done.stdout.split("mvar_pingpong", 1)[1]
