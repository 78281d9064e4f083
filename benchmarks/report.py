"""Presenting results: the text table, the JSON document and the Sphinx page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def number(v: float | None) -> str:
    """Format a figure with about three significant digits and thousands separators."""
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def ratio_text(r: float | None) -> str:
    """Format a ratio as ``1.23x``."""
    return "-" if r is None else f"{r:.2f}x"


def _note(cell: dict[str, Any]) -> str:
    if cell["status"] != "ok":
        return f"{cell['status']}: {cell.get('reason', '').splitlines()[0]}"
    d = cell.get("diagnostics", {})
    if "client_cpu" not in d:
        return ""
    text = f"cpu server {d['server_cpu']:.0%} client {d['client_cpu']:.0%}"
    return text + (" CLIENT-BOUND" if cell.get("client_bound") else "")


def rows(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str, str]]:
    """Yield ``(workload, implementation, median, unit, ratio, note)`` for every cell."""
    for w in doc["workloads"]:
        first = True
        for m in w["metrics"]:
            for cell in w["contenders"]:
                ok = cell["status"] == "ok"
                if not ok and m is not w["metrics"][0]:
                    continue
                median = number(cell["median"][m["key"]]) if ok else "-"
                r = cell.get("ratio", {}).get(m["key"]) if cell["peer"] != "lwt" else None
                yield (
                    w["name"] if first else "",
                    cell["label"],
                    median,
                    m["unit"] if ok else "",
                    ratio_text(r) if cell["peer"] != "lwt" and ok else "",
                    _note(cell) if m is w["metrics"][0] else "",
                )
                first = False


def table(doc: dict[str, Any]) -> str:
    """The results as a plain-text table (ratios above 1 mean lwt is faster)."""
    head = ("workload", "implementation", "median", "unit", "lwt/peer", "note")
    body = list(rows(doc))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
    right = {2, 4}

    def fmt(r: tuple[str, ...]) -> str:
        cols = [r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i]) for i in range(5)]
        return "  ".join([*cols, r[5]]).rstrip()

    m = doc["machine"]
    lines = [
        f"Python {m['python']} on {m['platform']}, {m['cpu_count']} CPUs; "
        f"{doc['options']['repeat']} runs per contender, medians; "
        "lwt/peer > 1 means lwt is faster (or smaller)",
        fmt(head),
        "  ".join("-" * w for w in widths) + "  ----",
    ]
    lines += [fmt(r) for r in body]
    return "\n".join(lines)


def write_json(doc: dict[str, Any], path: Path) -> None:
    """Write the results document to ``path``, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _rst_escape(text: str) -> str:
    return text.replace("*", r"\*").replace("`", r"\`").replace("|", r"\|")


def rst(doc: dict[str, Any], image: str | None) -> str:
    """The results as a Sphinx page: machine, options, one table per family."""
    m = doc["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    out = [
        ":orphan:",
        "",
        "Benchmark results",
        "=================",
        "",
        f"Measured {m['date']} with ``python -m benchmarks`` "
        f"(``--repeat {doc['options']['repeat']}``"
        + (", ``--quick``" if doc["options"]["quick"] else "")
        + "). Each figure is the median of the runs, each run in a fresh process; "
        "runs alternate between lwt and its peers. In the *lwt/peer* column, above 1 "
        "means lwt did better (faster, or less memory).",
        "",
        f":Python: {m['implementation']} {m['python']}",
        f":Platform: {m['platform']}",
        f":CPU: {m['cpu_model'] or m['machine']} ({m['cpu_count']} CPUs, "
        f"{m['usable_cpus']} usable)",
        f":Versions: {versions}",
        f":Load generator: {doc.get('loadgen') or 'not used'}",
        "",
    ]
    if image is not None:
        out += [f".. image:: {image}", "   :alt: lwt's speed relative to each peer", ""]
    families: dict[str, list[dict[str, Any]]] = {}
    for w in doc["workloads"]:
        families.setdefault(w["family"], []).append(w)
    for family, ws in families.items():
        out += [family.capitalize(), "-" * len(family), ""]
        out += [
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - workload",
            "     - implementation",
            "     - median",
            "     - unit",
            "     - lwt/peer",
            "     - note",
        ]
        for r in rows({"workloads": ws}):
            cells = [_rst_escape(c) if c else " " for c in r]
            out.append(f"   * - {cells[0]}")
            out += [f"     - {c}" for c in cells[1:]]
        out.append("")
        for w in ws:
            out.append(f"- ``{w['name']}``: {_rst_escape(w['summary'])}.")
        out.append("")
    return "\n".join(out)
