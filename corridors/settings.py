"""Package settings.

Module-level, typed and documented, in the manner of ``osmnx.settings``: change one with
``corridors.settings.snap_limit_km = 50``. Functions that take an option default it to
``None``, meaning "use the setting".

Attributes
----------
cache_dir : pathlib.Path or None
    Folder for built networks and Overpass answers. ``None`` means: the environment variable
    ``CORRIDORS_CACHE_DIR`` if set, else ``geodata/cache`` in a source checkout, else
    ``~/.cache/corridors``.
snap_limit_km : float
    Largest distance, in km, from a waypoint to the network node it is snapped to.
merge_tolerance_m : float
    Repair: nodes closer than this many metres are merged into one.
bridge_max_km : float
    Repair: gaps between network components up to this many km are bridged by edges marked
    ``bridged`` (components as seen in a fixed window of tiles around the gap, see
    :func:`corridors.network.repair.repair_network`). ``0`` turns bridging off.
bridge_min_component_km : float
    Repair: components shorter than this (total km of track or road within the window) are
    not bridged; they stay as they are (sidings, yards, tram fragments).
region_margin_deg : float
    Margin, in degrees, added around the bounding box of all definitions to clip the
    bundled world networks; the box is then snapped outward to whole degrees.
overpass_url : str or None
    Overpass API endpoint used by ``--source overpass`` (``--overpass-url``). ``None``
    means: the environment variable ``CORRIDORS_OVERPASS_URL`` if set, else
    ``https://overpass-api.de/api``.
overpass_max_bytes : int
    Largest Overpass answer accepted, in bytes once decompressed (a gzip bomb is cut off
    here, not in memory).
overpass_deadline_s : float
    Overall time, in seconds, one Overpass answer may take to arrive, however slowly the
    server sends it (``requests_timeout_s`` bounds each wait for the next bytes).
overpass_buffer_km : float
    Buffer, in km, around a corridor's waypoints and legs for the Overpass query polygon.
requests_timeout_s : float
    Time-out, in seconds, of one HTTP request.
allow_volga_don : bool
    Whether sea routing may use the Volga–Don link between the Caspian and the Black Sea.
simplify_tolerance_m : float
    Display simplification of map geometry, in metres (metrics always use full geometry).
border_tolerance_km : float
    A route counts as having entered another country only once it is this many km beyond
    its current country's boundary (see ``borders``); a line that follows a border
    river does not zig-zag across it. Hard ``avoid`` uses the same tolerance.
borders : str
    Which country boundaries decide countries on routes and network nodes: ``"osm"``
    (OpenStreetMap's ~10 m borders in the South Caucasus, Natural Earth 1:10m elsewhere; the
    default) or ``"natural-earth"`` (Natural Earth 1:10m everywhere). Natural Earth draws the
    Aras 2-4 km off its bed: on the real OSM track of the Ordubad–Julfa railway it puts 32 of
    39 km in Iran. Use ``"natural-earth"`` only with the schematic ``bundled`` backbone alone.
sliver_max_km : float
    A stretch of a third country shorter than this, entered and left where no named
    crossing is, between two countries that have a named crossing nearby, is counted as
    the country before it (with a warning): simplified network lines and 1:10m boundaries
    clip corners, and no one crosses two borders to drive a few km in between.
"""

from __future__ import annotations

from pathlib import Path

cache_dir: Path | None = None
snap_limit_km: float = 30.0
merge_tolerance_m: float = 30.0
bridge_max_km: float = 5.0
bridge_min_component_km: float = 2.0
region_margin_deg: float = 3.0
overpass_url: str | None = None
overpass_max_bytes: int = 512 * 1024 * 1024
overpass_deadline_s: float = 900.0
overpass_buffer_km: float = 25.0
requests_timeout_s: float = 180.0
allow_volga_don: bool = False
simplify_tolerance_m: float = 50.0
border_tolerance_km: float = 1.5
sliver_max_km: float = 15.0
borders: str = "osm"
