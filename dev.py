#!/usr/bin/env python3
"""Bootstrap for working on lwt: one virtual environment, a few commands.

Usage::

    python3 dev.py test [PYTEST-ARGS...]   prepare .venv, then run pytest there
    python3 dev.py demo                    prepare .venv, then run the demo
    python3 dev.py setup                   reinstall into .venv, run nothing

"Prepare .venv" means: create ``.venv`` next to this file with :mod:`venv` if
it is missing (or unusable), upgrade pip in it, then install the four
packages as editable installs *in one pip call*, so that pip resolves
lwt-unix's dependency on lwt-core to the checkout and never to PyPI, together
with the tools of ``requirements-dev.txt``.  A stamp file remembers what was
installed; while ``requirements-dev.txt`` and the packages' ``pyproject.toml``
files are unchanged, the install step is skipped (editable installs pick up
new source files by themselves).  ``dev.py setup`` forces it.

Only the standard library of the Python running this script is used; it must
be 3.10 or newer.  The virtual environment uses that same Python.
"""

import sys

if sys.version_info < (3, 10):  # noqa: UP036 - say so clearly instead of a SyntaxError later
    sys.stderr.write("dev.py needs Python 3.10 or newer, not " + sys.version.split()[0] + ".\n")
    sys.stderr.write("Run it with a newer interpreter, e.g. `python3.11 dev.py test`.\n")
    sys.exit(2)

import hashlib
import os
import subprocess
import venv
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".lwt-dev-install"
PACKAGES = ("lwt-core", "lwt-unix", "lwt-io", "lwt-ppx")
REQUIREMENTS = "requirements-dev.txt"
DEMO = Path("docs") / "examples" / "demo.py"

USAGE = """\
usage: python3 dev.py test [PYTEST-ARGS...]
       python3 dev.py demo
       python3 dev.py setup

  test   prepare .venv (create it, install the four packages editable and the
         dev tools), then run pytest there; extra arguments go to pytest and
         the exit status is pytest's
  demo   prepare .venv, then run docs/examples/demo.py
  setup  prepare .venv, reinstalling even if nothing changed
"""


def _say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def venv_python() -> Path:
    """Return the interpreter of ``.venv``."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _venv_works() -> bool:
    python = venv_python()
    if not python.exists():
        return False
    probe = [str(python), "-c", "import pip, sys; sys.exit(sys.version_info < (3, 10))"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def _create_venv() -> None:
    _say(f"creating {VENV.name} with Python {sys.version.split()[0]} ({sys.executable})")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (OSError, subprocess.CalledProcessError) as exc:
        _say(f"could not create {VENV}: {exc}")
        _say("on Debian or Ubuntu the `python3-venv` package provides what venv needs")
        sys.exit(1)


def _install_digest() -> str:
    """Hash everything whose change calls for a new install."""
    digest = hashlib.sha256()
    for relative in [REQUIREMENTS, *(f"packages/{p}/pyproject.toml" for p in PACKAGES)]:
        digest.update(relative.encode())
        digest.update((ROOT / relative).read_bytes())
    return digest.hexdigest()


def _pip(*args: str) -> None:
    command = [
        str(venv_python()),
        "-m",
        "pip",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        *args,
    ]
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        _say(f"pip failed with exit status {result.returncode}: {' '.join(command)}")
        sys.exit(result.returncode)


def prepare(*, force: bool = False) -> Path:
    """Make ``.venv`` hold the four packages (editable) and the dev tools."""
    created = False
    if not _venv_works():
        _create_venv()
        created = True
    wanted = _install_digest()
    if not force and not created and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return venv_python()
    STAMP.unlink(missing_ok=True)
    _say("installing " + ", ".join(PACKAGES) + f" (editable) and {REQUIREMENTS} into .venv")
    _pip("install", "--upgrade", "pip")
    editables: list[str] = []
    for package in PACKAGES:
        editables += ["--editable", f"packages/{package}"]
    _pip("install", *editables, "--requirement", REQUIREMENTS)
    STAMP.write_text(wanted + "\n")
    return venv_python()


def _run(command: Sequence[str]) -> int:
    try:
        return subprocess.run(command, cwd=ROOT, check=False).returncode
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str]) -> int:
    """Run the command named by ``argv[0]``; return the exit status."""
    if not argv or argv[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], list(argv[1:])
    if command == "test":
        python = prepare()
        return _run([str(python), "-m", "pytest", *rest])
    if command == "demo":
        if rest:
            _say("demo takes no arguments")
            return 2
        python = prepare()
        return _run([str(python), str(DEMO)])
    if command == "setup":
        if rest:
            _say("setup takes no arguments")
            return 2
        prepare(force=True)
        return 0
    sys.stderr.write(f"dev.py: unknown command {command!r}\n\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
