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


def test_saved_results_are_published_without_running_anything(
    repo_root: Path, tmp_path: Path
) -> None:
    # A two-workload results file, as --json writes it; --from-json must
    # turn it into the table and the docs page (no plot: matplotlib is not
    # needed), running no workload at all.
    def contender(label: str, peer: str, rate: float, ratio: float | None) -> dict[str, object]:
        cell: dict[str, object] = {
            "label": label,
            "peer": peer,
            "status": "ok",
            "runs": [{"rate": rate}],
            "median": {"rate": rate},
            "diagnostics": {},
            "client_bound": False,
        }
        if ratio is not None:
            cell["ratio"] = {"rate": ratio}
        return cell

    saved = json.loads((repo_root / "benchmarks" / "results" / "latest.json").read_text())
    saved["workloads"] = [
        {
            "name": name,
            "family": "promises",
            "summary": f"the {name} workload",
            "metrics": [{"key": "rate", "unit": "ops/s", "higher_is_better": True}],
            "contenders": [
                contender(f"lwt {name}", "lwt", 300.0, None),
                contender(f"asyncio {name}", "asyncio", 100.0, 3.0),
            ],
        }
        for name in ("first_workload", "second_workload")
    ]
    results = tmp_path / "saved.json"
    results.write_text(json.dumps(saved))
    rst = tmp_path / "results.rst"
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(results), str(rst)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("first_workload", "second_workload"):
        assert name in done.stdout
        assert name in rst.read_text()
    assert "3.00x" in done.stdout


# Runs the command line with --from-json, but writes the docs page into a
# temporary file instead of docs/benchmarks/ (the checkout stays untouched).
PUBLISH = """
import sys
from pathlib import Path
from benchmarks import cli, report
saved, out = sys.argv[1], Path(sys.argv[2])
cli.DOCS = out.parent / "docs-benchmarks"
status = cli.main(["--from-json", saved, "--docs"])
out.write_text((cli.DOCS / "results.rst").read_text())
sys.exit(status)
"""
