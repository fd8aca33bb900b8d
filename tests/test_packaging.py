"""The wheel carries every data file the package reads at run time."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _force_include() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        cfg = tomllib.load(f)
    table: dict[str, str] = cfg["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    return table


def test_every_authored_geodata_file_is_in_the_wheel() -> None:
    # a file left out is silently absent from a pip-installed package: closed crossings
    # (geodata.closed_crossings returns none when the file is missing), the OSM rail layer
    # or the network additions would vanish from every route without an error
    shipped = _force_include()
    authored = sorted(
        f"geodata/{p.name}"
        for pattern in ("*.yaml", "*.parquet")
        for p in (ROOT / "geodata").glob(pattern)
    )
    assert len(authored) == 13
    missing = [f for f in authored if f not in shipped]
    assert missing == []
    assert all(shipped[f] == f"corridors/_data/{f}" for f in authored)
    assert shipped["geodata/licenses"] == "corridors/_data/geodata/licenses"
    assert shipped["seeds"] == "corridors/_data/seeds"


def test_the_lgpl_texts_of_the_gshhg_rivers_ship_with_the_data() -> None:
    lic = ROOT / "geodata" / "licenses"
    assert sorted(p.name for p in lic.iterdir()) == ["GPL-3.0.txt", "LGPL-3.0.txt"]
    assert (
        (lic / "LGPL-3.0.txt")
        .read_text(encoding="utf-8")
        .startswith("GNU LESSER GENERAL PUBLIC LICENSE", 18)
    )
