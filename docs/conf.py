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


def setup(app: Sphinx) -> None:
    """Hook the offline reference filter in when intersphinx is off."""
    if not INTERSPHINX:
        app.connect("warn-missing-reference", _let_outside_references_through)
