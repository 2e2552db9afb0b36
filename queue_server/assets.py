"""The front-end libraries the pages load from `static/vendor/`: laid out from npm at set-up
(`make setup`) or carried by the wheel, never committed. Without them the console, displays
and managers' pages load but do nothing, so health says "degraded" and `serve` warns.
"""

from __future__ import annotations

from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
REQUIRED = ("socket.io.min.js", "echarts.min.js")
HOW_TO_FIX = "run `make setup` in a source checkout (npm ci lays them out), or install hallqueue from its wheel"


def missing(vendor: Path | None = None) -> list[str]:
    """The required files absent (or empty) under `vendor/`."""
    folder = vendor or VENDOR
    return [name for name in REQUIRED if not (folder / name).is_file() or (folder / name).stat().st_size == 0]
