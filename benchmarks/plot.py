"""A bar chart of lwt's ratio to each peer (matplotlib, optional)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_COLOURS = {"asyncio": "#4c72b0", "uvloop": "#55a868", "trio": "#c44e52", "stdlib": "#8c8c8c"}


def available() -> bool:
    """Whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def plot(doc: dict[str, Any], path: Path) -> None:
    """Draw every ratio of ``doc`` as a horizontal bar on a log scale into ``path``.

    Raises:
        ImportError: matplotlib is not installed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    for w in doc["workloads"]:
        for m in w["metrics"]:
            for cell in w["contenders"]:
                r = cell.get("ratio", {}).get(m["key"])
                if r is None:
                    continue
                suffix = "" if m is w["metrics"][0] else f" [{m['unit']}]"
                labels.append(f"{w['name']}{suffix}: {cell['label']}")
                values.append(r)
                colours.append(_COLOURS.get(cell["peer"], "#333333"))
    if not values:
        raise ValueError("no ratio to plot: no peer ran beside lwt")
    height = max(3.0, 0.22 * len(values) + 1.2)
    fig, ax = plt.subplots(figsize=(10, height))
    ys = list(range(len(values)))[::-1]
    ax.barh(ys, values, color=colours)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("lwt / peer (log scale; right of 1: lwt faster or smaller)")
    m = doc["machine"]
    ax.set_title(f"lwt relative to its peers - Python {m['python']}, {m['date'][:10]}", fontsize=9)
    from matplotlib.patches import Patch

    handles = [Patch(color=c) for c in _COLOURS.values()]
    ax.legend(handles, list(_COLOURS), fontsize=7, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
