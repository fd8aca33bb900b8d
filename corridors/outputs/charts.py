"""Charts for reports: the time–distance chart (UNESCAP time/cost–distance method)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from corridors._io import atomic_write

__all__ = ["mpl_text", "time_distance_chart", "time_distance_png"]


def mpl_text(text: str) -> str:
    """Text for a matplotlib label, shown literally: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


def time_distance_png(
    series: Mapping[str, pd.DataFrame],
    *,
    title: str = "Time–distance",
    styles: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> bytes:
    """PNG bytes of cumulative hours against cumulative km, one line per route.

    Vertical steps are border crossings, port calls, gauge breaks and changes of mode
    (labelled where they add hours).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.5))
    for name, frame in series.items():
        ls = (styles or {}).get(name, "-")
        colour = (colours or {}).get(name)
        ax.plot(
            frame["km"], frame["h"], linestyle=ls, color=colour, linewidth=1.6, label=mpl_text(name)
        )
        steps = frame[frame["event"] != ""]
        ax.scatter(steps["km"], steps["h"], s=10, color=colour)
    ax.set_xlabel("cumulative distance (km)")
    ax.set_ylabel("cumulative time (h)")
    ax.set_title(mpl_text(title))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def time_distance_chart(
    series: Mapping[str, pd.DataFrame], path: str | Path, *, title: str = "Time–distance"
) -> Path:
    """Write :func:`time_distance_png` to ``path`` atomically."""
    data = time_distance_png(series, title=title)
    out = Path(path)
    atomic_write(out, lambda p: _write_bytes(p, data))
    return out


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def png_data_uri(data: bytes) -> str:
    """``data:`` URI of PNG bytes, to embed a chart in an HTML page."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
