"""Readers that turn a data source into network segments.

The embedded default data
(:mod:`~corridors.network.sources.bundled`) and OpenStreetMap (Overpass, ``.osm``, ``.pbf``,
GraphML, GeoJSON; :mod:`~corridors.network.sources.osm`).
"""
