"""Sphinx configuration for the lwt documentation.

The packages are documented from the installed distributions (``python3
dev.py test`` or the ``docs`` tox environment install them editable), so this
file never touches ``sys.path``.

The build is nitpicky: every cross-reference must resolve.  Links to the
Python documentation need the network, so intersphinx is used only when
``LWT_DOCS_INTERSPHINX=1``; otherwise references to the standard library and
to built-ins are let through unresolved, and only those.
"""

from __future__ import annotations

import builtins
import os
import sys
from importlib.metadata import version as _distribution_version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.domains import Domain

project = "lwt"
author = "the lwt-python developers"
copyright = "the lwt-python developers"
release = _distribution_version("lwt-core")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

INTERSPHINX = os.environ.get("LWT_DOCS_INTERSPHINX") == "1"
if INTERSPHINX:
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {"python": ("https://docs.python.org/3", None)}

nitpicky = True
# Type variables (T, U, T_co, ParamSpec P ...) appear in signatures but have
# no page of their own.
nitpick_ignore_regex = [
    (r"py:(class|obj)", r"(lwt\.[\w.]+\.)?([A-Z]|T_co)"),
    # Private helper classes that show up in public signatures.
    (r"py:class", r"lwt\.[\w.]+\._\w+"),
    # pytest's own types, in the signatures of the pytest plugin's hooks.
    (r"py:class", r"_?pytest\.[\w.]+"),
]
exclude_patterns = ["_build", "examples"]
templates_path: list[str] = []

# Google-style docstrings (see CONTRIBUTING.md).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": True}

html_theme = "alabaster"
html_title = f"lwt {release}"

_OUTSIDE = frozenset(sys.stdlib_module_names) | frozenset(dir(builtins))


def _let_outside_references_through(
    app: Sphinx, domain: Domain | None, node: pending_xref
) -> bool | None:
    """Silence a missing Python reference to the standard library or a built-in."""
    if getattr(domain, "name", None) != "py":
        return None
    target = str(node.get("reftarget", "")).lstrip("~.")
    return True if target.split(".")[0] in _OUTSIDE else None


def _porting_table() -> type:
    """The ``porting-table`` directive: docs/porting.csv as a table of plain text.

    A ``csv-table`` would read each cell as reStructuredText, where names
    such as ``return_`` or ``(let*)`` are markup.  Here the two name columns
    are literals and the notes plain text, exactly as the CSV holds them.
    """
    import csv
    from pathlib import Path

    from docutils import nodes
    from docutils.parsers.rst import Directive

    class PortingTable(Directive):
        required_arguments = 1

        def run(self) -> list[nodes.Node]:
            source = Path(self.state.document.current_source).parent / self.arguments[0]
            with source.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            table = nodes.table(classes=["porting-table"])
            group = nodes.tgroup(cols=3)
            table += group
            for width in (35, 35, 30):
                group += nodes.colspec(colwidth=width)

            def row(cells: list[str], literal: bool) -> nodes.row:
                r = nodes.row()
                for i, text in enumerate(cells):
                    entry = nodes.entry()
                    para = nodes.paragraph()
                    if literal and i < 2 and text:
                        para += nodes.literal(text, text)
                    else:
                        para += nodes.Text(text)
                    entry += para
                    r += entry
                return r

            head = nodes.thead()
            head += row(["OCaml", "Python", "Note"], literal=False)
            body = nodes.tbody()
            for cells in rows[1:]:
                body += row(cells, literal=True)
            group += head
            group += body
            return [table]

    return PortingTable


def setup(app: Sphinx) -> None:
    """Add the porting table; hook the offline reference filter in when intersphinx is off."""
    app.add_directive("porting-table", _porting_table())
    if not INTERSPHINX:
        app.connect("warn-missing-reference", _let_outside_references_through)
