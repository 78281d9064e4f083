"""Draft docs/porting.csv from Lwt's interface files and the installed packages.

Usage: ``python docs/_tools/make_porting_table.py LWT_CHECKOUT > draft.csv``

It lists every ``val``, ``exception`` and ``class`` of the public ``.mli``
files (nested modules included, as ``Lwt_io.BE.read_int``), and proposes
the Python name it finds by importing the packages: the same name in the
matching module (with ``_`` after a Python keyword), or a method of the
module's main class.  What it cannot find is left empty, to be filled by
hand with a name or a note.  The checked-in table is the edited result;
``tests/test_repo_porting.py`` checks it against the packages.
"""

from __future__ import annotations

import csv
import importlib
import keyword
import re
import sys
from pathlib import Path
from typing import Any

MODULES = {
    "Lwt": "lwt.core",
    "Lwt_list": "lwt.core.lists",
    "Lwt_stream": "lwt.core.stream",
    "Lwt_mutex": "lwt.core.mutex",
    "Lwt_condition": "lwt.core.condition",
    "Lwt_mvar": "lwt.core.mvar",
    "Lwt_pool": "lwt.core.pool",
    "Lwt_switch": "lwt.core.switch",
    "Lwt_sequence": "lwt.core.sequence",
    "Lwt_result": "lwt.core.result",
    "Lwt_seq": "lwt.core.seq",
    "Lwt_pqueue": "lwt.core.pqueue",
    "Lwt_unix": "lwt.unix",
    "Lwt_main": "lwt.unix.main",
    "Lwt_engine": "lwt.unix.engine",
    "Lwt_preemptive": "lwt.unix.preemptive",
    "Lwt_timeout": "lwt.unix.timers",
    "Lwt_throttle": "lwt.unix.throttle",
    "Lwt_gc": "lwt.unix.gc",
    "Lwt_io": "lwt.io",
    "Lwt_process": "lwt.io.process",
}
FILES = {
    "src/core": [
        "lwt",
        "lwt_list",
        "lwt_stream",
        "lwt_mutex",
        "lwt_condition",
        "lwt_mvar",
        "lwt_pool",
        "lwt_switch",
        "lwt_sequence",
        "lwt_result",
        "lwt_seq",
        "lwt_pqueue",
    ],
    "src/unix": [
        "lwt_unix.cppo",
        "lwt_main",
        "lwt_engine",
        "lwt_preemptive",
        "lwt_timeout",
        "lwt_throttle",
        "lwt_gc",
        "lwt_io",
        "lwt_process",
    ],
}
ITEM = re.compile(
    r"^\s*(val|external|exception|class)\s+(?!type\b)(?:virtual\s+)?(\(\s*\S+\s*\)|[\w']+)"
)
MODULE = re.compile(r"^\s*module\s+(type\s+)?(\w+)\s*[:=]\s*(sig\b)?\s*(\w+)?\s*$")
COMMENT = re.compile(r"\(\*.*?\*\)", re.S)


def items(path: Path, top: str) -> list[str]:
    """Every value, exception and class of ``path``, with its module path.

    Nested modules give dotted paths (``Lwt_io.BE.read_int``); a module
    declared with a module type (``module BE : NumberIO``) gets the values
    of that module type.
    """
    text = COMMENT.sub("", path.read_text(encoding="utf-8"))
    stack: list[str] = [top]
    signatures: dict[str, list[str]] = {}
    collecting: list[str] | None = None
    waiting: str | None = None  # a "module X :" whose "sig" is on the next line
    out: list[str] = []
    for line in text.splitlines():
        if waiting is not None:
            if line.strip().startswith("sig"):
                stack.append(waiting)
                waiting = None
                continue
            if line.strip():
                waiting = None
        m = MODULE.match(line)
        if m:
            is_type, name, has_sig, named = m.groups()
            if is_type and has_sig:
                collecting = signatures.setdefault(name, [])
                stack.append("")
            elif has_sig:
                stack.append(name)
            elif named in signatures:
                out.extend(".".join([*stack, name, v]) for v in signatures[named])
            else:
                waiting = name
            continue
        if re.match(r"^\s*end\b", line) and len(stack) > 1:
            if stack.pop() == "":
                collecting = None
            continue
        m = ITEM.match(line)
        if m:
            value = m.group(2).replace(" ", "")
            if collecting is not None:
                collecting.append(value)
            else:
                out.append(".".join([*stack, value]))
    return list(dict.fromkeys(out))  # without repeats, in order


def python_name(ocaml: str) -> str:
    parts = ocaml.split(".")
    module = MODULES.get(parts[0])
    if module is None:
        return ""
    mod: Any = importlib.import_module(module)
    name = parts[-1]
    if keyword.iskeyword(name):
        name += "_"
    candidates = [".".join([*parts[1:-1], name])]
    for owner in getattr(mod, "__all__", []) or []:
        obj = getattr(mod, owner, None)
        if isinstance(obj, type):
            candidates.append(f"{owner}.{name}")
    for c in candidates:
        obj = mod
        for piece in c.split("."):
            obj = getattr(obj, piece, None)
            if obj is None:
                break
        else:
            return f"{module}.{c}"
    return ""


def main(root: str) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(["ocaml", "python", "note"])
    for folder, names in FILES.items():
        for stem in names:
            top = stem.split(".")[0].capitalize()
            for item in items(Path(root) / folder / f"{stem}.mli", top):
                writer.writerow([item, python_name(item), ""])


if __name__ == "__main__":
    main(sys.argv[1])
