"""The command line: ``python -m benchmarks [options]``."""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks import machine, plot, report, runner
from benchmarks.model import PEERS, Workload
from benchmarks.workloads import ALL

DOCS = runner.ROOT / "docs" / "benchmarks"


def _names(values: list[str]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _matches(w: Workload, pattern: str) -> bool:
    return fnmatch.fnmatchcase(w.name, pattern) or w.family == pattern


def select(only: list[str], skip: list[str]) -> list[Workload]:
    """The workloads ``--only`` and ``--skip`` leave (names, globs or family names).

    Raises:
        SystemExit: a pattern matches no workload.
    """
    for pattern in [*only, *skip]:
        if not any(_matches(w, pattern) for w in ALL):
            raise SystemExit(f"--only/--skip: {pattern!r} matches no workload (see --list)")
    chosen = [w for w in ALL if not only or any(_matches(w, p) for p in only)]
    return [w for w in chosen if not any(_matches(w, p) for p in skip)]


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run lwt's workloads beside asyncio, uvloop and trio and compare them.",
    )
    p.add_argument(
        "--only", action="append", default=[], help="workloads to run: names, globs, families"
    )
    p.add_argument("--skip", action="append", default=[], help="workloads to leave out")
    p.add_argument("--repeat", type=int, default=3, help="runs per contender (default 3)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, for smoke tests")
    p.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"peers to run beside lwt, comma-separated (default {','.join(PEERS)})",
    )
    p.add_argument("--json", type=Path, help="write the results as JSON to this path")
    p.add_argument("--plot", type=Path, help="draw the ratios into this image (matplotlib)")
    p.add_argument(
        "--docs",
        action="store_true",
        help="write docs/benchmarks/ratios.png and results.rst",
    )
    p.add_argument(
        "--from-json",
        type=Path,
        metavar="RESULTS",
        help="run nothing: report, plot and write --docs from a saved --json file",
    )
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the suite as the command line asks; return the exit status."""
    args = parser().parse_args(argv)
    if args.list:
        for w in ALL:
            print(f"{w.name:22} {w.family:9} {w.summary}")
        return 0
    if args.from_json is not None:
        saved: dict[str, Any] = json.loads(args.from_json.read_text(encoding="utf-8"))
        return _publish(saved, args)
    if args.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    peers = tuple(_names([args.peers]))
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise SystemExit(f"--peers: unknown {', '.join(unknown)} (known: {', '.join(PEERS)})")
    workloads = select(_names(args.only), _names(args.skip))
    if not workloads:
        raise SystemExit("no workload left to run")
    options = runner.Options(peers=peers, repeat=args.repeat, quick=args.quick)

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results: list[dict[str, Any]] = []
    with runner.resources() as res:
        for i, w in enumerate(workloads, 1):
            progress(f"[{i}/{len(workloads)}] {w.name}: {w.summary}")
            results.append(runner.run_workload(w, options, res, progress))
        loadgen_kind = res.loadgen_kind
    doc: dict[str, Any] = {
        "machine": machine.describe(),
        "options": {"repeat": args.repeat, "quick": args.quick, "peers": list(peers)},
        "loadgen": loadgen_kind,
        "workloads": results,
    }
    return _publish(doc, args)


def _publish(doc: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the table and write what the options ask for; 1 if a contender failed."""
    print(report.table(doc))
    if args.json is not None:
        report.write_json(doc, args.json)
    images = [args.plot] if args.plot is not None else []
    if args.docs:
        images.append(DOCS / "ratios.png")
    drawn = False
    for image in images:
        if not plot.available():
            print(f"matplotlib is not installed: {image} not drawn", file=sys.stderr)
            continue
        plot.plot(doc, image)
        drawn = True
    if args.docs:
        DOCS.mkdir(parents=True, exist_ok=True)
        text = report.rst(doc, "ratios.png" if drawn else None)
        (DOCS / "results.rst").write_text(text, encoding="utf-8")
    failed = [c for w in doc["workloads"] for c in w["contenders"] if c["status"] == "failed"]
    return 1 if failed else 0
