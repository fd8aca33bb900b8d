"""The network stage: one multimodal graph built from a source, repaired, gauged and cached.

:mod:`~corridors.network.core` is the network model (segment tables, assembly, closed
crossings), :mod:`~corridors.network.build` builds and caches it from a source in
:mod:`~corridors.network.sources`, :mod:`~corridors.network.repair` joins gaps,
:mod:`~corridors.network.gauge` sets track gauge, and ``_graph``/``_contract`` hold the
routing graph. Imports the core, :mod:`corridors.geo` and :mod:`corridors.definitions` only.
"""

from corridors.network.build import clear_cache, load_network, region_bbox
from corridors.network.core import (
    Network,
    network_from_segments,
    network_info,
    network_to_gdfs,
    network_to_networkx,
)

__all__ = [
    "Network",
    "clear_cache",
    "load_network",
    "network_from_segments",
    "network_info",
    "network_to_gdfs",
    "network_to_networkx",
    "region_bbox",
]
