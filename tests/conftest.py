"""Shared fixtures. Tests run offline; ../shared is optional and skipped cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """Path below ../shared, or skip the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not available ({path} missing)")
    return path


@pytest.fixture(scope="session")
def network():  # type: ignore[no-untyped-def]
    """The embedded default network (built once, then loaded from the cache)."""
    from corridors.network.build import load_network

    return load_network(progress=False)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium (Debian's), shared by the page tests; skips when absent."""
    from tests.browser import launch

    yield from launch()
