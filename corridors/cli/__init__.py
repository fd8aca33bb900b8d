"""The ``corridors`` command line; the top wing, which may import every other."""

from corridors.cli._main import main

__all__ = ["main"]
