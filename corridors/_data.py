"""Where the package finds its authored data and its cache."""

from __future__ import annotations

import os
from pathlib import Path

from corridors import settings

__all__ = ["cache_dir", "display_path", "geodata_dir", "seeds_dir"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _is_checkout() -> bool:
    return (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "seeds").is_dir()


def seeds_dir() -> Path:
    """Folder of the shipped corridor definitions (``seeds/``)."""
    bundled = _PACKAGE / "_data" / "seeds"
    return bundled if bundled.is_dir() else _CHECKOUT / "seeds"


def geodata_dir() -> Path:
    """Folder of the project's authored geodata (gazetteer, crossings, ferries, gauge)."""
    bundled = _PACKAGE / "_data" / "geodata"
    return bundled if bundled.is_dir() else _CHECKOUT / "geodata"


def cache_dir() -> Path:
    """Cache folder, from :data:`corridors.settings.cache_dir` or its documented default."""
    if settings.cache_dir is not None:
        return Path(settings.cache_dir)
    env = os.environ.get("CORRIDORS_CACHE_DIR")
    if env:
        return Path(env)
    if _is_checkout():
        return _CHECKOUT / "geodata" / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "corridors"


def display_path(path: Path | str) -> str:
    """Return ``path`` relative to the working folder when it lies below it, for messages."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the folder; a symlink loop
        return str(p)
