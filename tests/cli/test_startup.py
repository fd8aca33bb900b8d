"""The command line starts without the heavy libraries (lazy imports).

Each check runs a fresh interpreter and inspects ``sys.modules``; nothing is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "geopandas", "folium", "shapely", "scipy", "networkx", "pyproj", "numpy")

_PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(body: str, cache: Path) -> list[str]:
    env = {**os.environ, "CORRIDORS_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.format(body=body, heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return loaded


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _loaded("import corridors.cli", tmp_path) == []


def test_importing_outputs_for_tables_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _loaded("from corridors.outputs._format import render_rows", tmp_path) == []


def test_help_loads_no_heavy_library(tmp_path: Path) -> None:
    body = (
        "from corridors.cli import main\n"
        "try:\n    main(['--help'])\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
    )
    assert _loaded(body, tmp_path) == []


def test_list_checks_the_map_once_then_starts_light(tmp_path: Path) -> None:
    body = "from corridors.cli import main\nassert main(['list']) == 0"
    first = _loaded(body, tmp_path)
    assert "geopandas" in first  # the first run checks every waypoint on the map
    assert list((tmp_path / "definitions").glob("map-checked-*"))
    assert _loaded(body, tmp_path) == []  # the files did not change: no map, no numpy
