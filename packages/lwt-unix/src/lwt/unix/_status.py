"""How a process ended (OCaml's ``Unix.process_status``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WEXITED", "WSIGNALED", "WSTOPPED"]


@dataclass(frozen=True)
class WEXITED:
    """The process exited normally with status :attr:`code`."""

    code: int


@dataclass(frozen=True)
class WSIGNALED:
    """The process was killed by the signal ``signum``."""

    signum: int


@dataclass(frozen=True)
class WSTOPPED:
    """The process was stopped by the signal ``signum``."""

    signum: int


for _cls in (WEXITED, WSIGNALED, WSTOPPED):
    _cls.__module__ = "lwt.unix"
del _cls
