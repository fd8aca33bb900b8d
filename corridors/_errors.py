"""One exception hierarchy for the package.

Every error the package raises on purpose derives from :class:`CorridorsError` and also
from the built-in category it belongs to, so callers may catch either. Messages name the
file, the item and the value, and say what to do next; the CLI prints them on one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = [
    "CacheError",
    "ClusterError",
    "CorridorsError",
    "DataSourceError",
    "DefinitionError",
    "InfeasibleRouteError",
    "OptionalDependencyError",
    "OutputPathError",
    "ScenarioError",
    "SnapError",
    "UnknownCorridorError",
    "UnknownNameError",
    "suggest",
]


class CorridorsError(Exception):
    """Base class of every error raised on purpose by ``corridors``."""


class DefinitionError(CorridorsError, ValueError):
    """A corridor, scenario or geodata file is malformed or inconsistent.

    Parameters
    ----------
    problems
        One line per problem, each naming the file, the item and the value.
    """

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        first = self.problems[0] if self.problems else "invalid definition"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)


class UnknownNameError(CorridorsError, LookupError):
    """A name (corridor id, place, link, country) is not known; lists the closest ones."""

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0]) if self.args else ""


class UnknownCorridorError(UnknownNameError):
    """No corridor definition has this id."""


class DataSourceError(CorridorsError, RuntimeError):
    """A network source failed: a server error, a time-out, a truncated or foreign file."""


class CacheError(CorridorsError, OSError):
    """The cache folder cannot be read or written."""


class OutputPathError(CorridorsError, ValueError):
    """An output path holds something that must not be replaced (device, FIFO, link, folder)."""


class ClusterError(CorridorsError, ConnectionError):
    """A Dask scheduler cannot be reached, or a cluster fails a sweep (CLI exit status 1)."""


class SnapError(CorridorsError, ValueError):
    """A waypoint is farther from the network than the snap limit allows."""


class InfeasibleRouteError(CorridorsError, RuntimeError):
    """No path exists for a leg under the given constraints (avoided countries, closures)."""


class ScenarioError(CorridorsError, ValueError):
    """A scenario file or option is invalid."""


class OptionalDependencyError(CorridorsError, ImportError):
    """An optional package is needed for this feature; the message says how to install it."""


def suggest(value: str, choices: Sequence[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""``."""
    if len(value) > 100:  # no name is this long; difflib would take long to say so
        return ""
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
