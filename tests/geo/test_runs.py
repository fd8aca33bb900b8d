"""A route's line cut into runs of one country: hysteresis, sea, slivers."""

from __future__ import annotations

import pandas as pd
import pytest

from corridors.analysis.metrics import border_crossings, length_by_country
from corridors.geo.runs import country_runs
from tests.helpers import pieces_along as _pieces

# the scgraph road Aghband–Kapan as routed: a 35 km chord along the Aras (AZE into IRN),
# then a 32 km chord north that clips a corner of Azerbaijan before Kapan (ARM)
_AGHBAND_KAPAN = [
    (46.789, 39.132),
    (46.754, 39.111),
    (46.732, 39.040),
    (46.365, 38.917),
    (46.424, 39.200),
    (46.466, 39.204),
    (46.340, 39.510),
]


@pytest.fixture
def natural_earth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Natural Earth 1:10m borders, 2-4 km off along the Aras: what hysteresis and the
    sliver rule exist for (the default OSM borders put these lines where they really are)."""
    from corridors import settings

    monkeypatch.setattr(settings, "borders", "natural-earth")


@pytest.mark.usefixtures("natural_earth")
def test_a_line_along_a_border_river_does_not_zigzag() -> None:
    # along the Aras on the Iranian bank: the 1:10m border puts some points in AZE and ARM
    line = [(46.05 + 0.01 * i, 38.872) for i in range(31)]
    wiggly = _pieces(line, mode="road")
    raw = set(wiggly["country0"]) | set(wiggly["country1"])
    assert {"IRN", "ARM"} <= raw
    assert [r.country for r in country_runs(wiggly, tolerance_km=1.5)] == ["IRN"]
    assert border_crossings(wiggly) == []
    # with no tolerance the same line "crosses" back and forth
    assert len(country_runs(wiggly, tolerance_km=0.0)) >= 3


def test_entering_and_leaving_by_sea_is_not_a_land_crossing() -> None:
    land_a = _pieces([(49.84, 40.36), (49.40, 39.94)])  # Baku to Alat, AZE
    sea = _pieces([(49.40, 39.94), (50.5, 41.5), (51.22, 43.60)], mode="ferry")
    land_b = _pieces([(51.22, 43.60), (51.30, 43.70)])  # Aktau, KAZ
    p = pd.concat([land_a, sea, land_b], ignore_index=True)
    assert border_crossings(p) == []
    assert [r.country for r in country_runs(p)] == ["AZE", "sea", "KAZ"]
    assert "sea" in length_by_country(p)


@pytest.mark.usefixtures("natural_earth")
def test_a_corner_clipped_between_two_named_crossings_is_not_a_country() -> None:
    p = _pieces(_AGHBAND_KAPAN, mode="road")
    runs = country_runs(p)
    assert [r.country for r in runs] == ["AZE", "IRN", "ARM"]
    names = [c.name for c in border_crossings(p, runs=runs)]
    assert names == ["Aghband–Kalaleh", "Agarak–Norduz"]
    assert "km in AZE between IRN and ARM" in runs[1].note
    assert sum(r.length_m for r in runs) == pytest.approx(p["length_m"].sum())


@pytest.mark.usefixtures("natural_earth")
def test_slivers_longer_than_the_setting_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors import settings

    monkeypatch.setattr(settings, "sliver_max_km", 1.0)
    runs = country_runs(_pieces(_AGHBAND_KAPAN, mode="road"))
    assert [r.country for r in runs] == ["AZE", "IRN", "AZE", "ARM"]
    assert not any(r.note for r in runs)
