"""Geography: country boundaries, geodesic lengths, the project's gazetteer and crossings.

The lowest wing above the package core (``model``, ``settings``, ``_errors``): it imports
nothing else of ``corridors``.
"""
