"""Hostile definition, scenario, YAML and OSM input: only the package's errors, never a hang.

A committed corpus (made by :mod:`tests.adversarial.corpus`) checks that each hostile file is
refused with the right message; hypothesis then throws thousands of mutated and random
inputs at each entry point and checks that nothing but a :class:`CorridorsError` comes out,
and that whatever is accepted is well formed.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors
from corridors import CorridorsError, DataSourceError, DefinitionError
from corridors._yaml import load_yaml_text, read_yaml
from corridors.analysis.scenarios import scenario_from_mapping
from corridors.definitions._validate import corridor_from_mapping
from corridors.network.sources.osm import network_from_file
from tests.adversarial import corpus

EXAMPLES = settings(
    max_examples=2000,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

MINI: dict[str, Any] = yaml.safe_load(corpus.MINI.read_text(encoding="utf-8"))
SCENARIO: dict[str, Any] = {
    "id": "s",
    "name": "S",
    "summary": "A test scenario.",
    "corridors": ["aras", "zangezur"],
    "close": ["meghri"],
    "open": ["aras-iran"],
    "avoid": ["ARM"],
    "avoid_mode": "soft",
    "as_of": 2030,
    "time_model": {"border_dwell_h.rail": 20, "speed_kmh.road": 50},
    "routes": [{"from": "Baku", "to": "Nakhchivan", "mode": "road"}],
}

# --- the corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "expected"), corpus.YAML_CASES, ids=[c[0] for c in corpus.YAML_CASES]
)
def test_hostile_definition_files_are_refused(
    tmp_path: Path, name: str, body: str | bytes, expected: str
) -> None:
    path = corpus.write_case(tmp_path, name, body)
    with pytest.raises(DefinitionError) as info:
        corridors.corridor_from_file(path, check_map=False)
    message = "\n".join(info.value.problems)
    assert expected in message
    assert max(len(p) for p in info.value.problems) < 500  # never echoes input at length


@pytest.mark.parametrize("kind", sorted(corpus.SPECIALS))
def test_special_files_as_definitions(tmp_path: Path, kind: str) -> None:
    path = corpus.SPECIALS[kind](tmp_path / "def.yaml")
    with pytest.raises(DefinitionError, match=r"def\.yaml: (not a regular|cannot read|is a)"):
        read_yaml(path)


@pytest.mark.parametrize(
    ("name", "body", "expected"), corpus.OSM_CASES, ids=[c[0] for c in corpus.OSM_CASES]
)
def test_broken_osm_files_are_refused(
    tmp_path: Path, name: str, body: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(DataSourceError) as info:
        network_from_file(path)
    assert expected in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("kind", sorted(corpus.SPECIALS))
def test_special_files_as_network_sources(tmp_path: Path, kind: str) -> None:
    path = corpus.SPECIALS[kind](tmp_path / "net.osm")
    expected = {"fifo": "not a regular file", "folder": "a folder", "symlink-loop": "no such"}
    with pytest.raises(DataSourceError, match=expected[kind]):
        network_from_file(path)


# --- hypothesis ----------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**20, max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "Baku", "Ganja", "rail", "osm", "AZE", "2026", "\u202e", "x" * 500])
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(base: dict[str, Any], data: st.DataObject) -> Any:
    raw = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(raw)))
        new = data.draw(_values)
        if not path:
            return new
        parent = raw
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) or not isinstance(parent, dict):
            parent[path[-1]] = new
        else:
            parent.pop(path[-1], None)  # drop the key
    return raw


def _well_formed(c: corridors.Corridor) -> None:
    for wp in c.waypoints:
        assert isinstance(wp.name, str) and wp.name
        assert math.isfinite(wp.lon) and -180 <= wp.lon <= 180
        assert math.isfinite(wp.lat) and -90 <= wp.lat <= 90
    names = {wp.name for wp in c.waypoints}
    for leg in c.legs:
        assert leg.start.name in names and leg.end.name in names
        if leg.published_length is not None:
            assert 0 < leg.published_length.value_km <= 40000
    assert all(isinstance(a, str) for a in c.aliases)
    for v in c.variants:
        assert isinstance(v.name, str) and v.name and isinstance(v.summary, str)
        assert all(isinstance(a, str) for a in v.aliases)


@EXAMPLES
@given(data=st.data())
def test_fuzz_corridor_from_mapping(data: st.DataObject) -> None:
    raw = _mutate(MINI, data)
    try:
        c = corridor_from_mapping(raw, path=Path("fuzz.yaml"), check_map=False)
    except CorridorsError as exc:
        assert all(len(p) < 500 for p in getattr(exc, "problems", (str(exc),)))
        return
    _well_formed(c)


@EXAMPLES
@given(data=st.data())
def test_fuzz_scenario_from_mapping(data: st.DataObject) -> None:
    raw = _mutate(SCENARIO, data)
    try:
        s = scenario_from_mapping(raw)
    except CorridorsError:
        return
    model = s.time_model
    assert all(v > 0 and math.isfinite(v) for k, v in model.speed_kmh.items() if k != "pipeline")
    assert all(v >= 0 and math.isfinite(v) for v in model.border_dwell_h.values())


_YAML_ALPHABET = "[]{}:,-&*!|>'\"#%@`?~ \n\tabk019.eE+_\u00e9\u202e"


@EXAMPLES
@given(text=st.text(alphabet=_YAML_ALPHABET, max_size=200))
def test_fuzz_read_yaml_text(text: str) -> None:
    try:
        load_yaml_text(text)
    except DefinitionError as exc:
        assert all(len(p) < 500 for p in exc.problems)


@EXAMPLES
@given(text=st.text(alphabet=_YAML_ALPHABET, max_size=120))
def test_fuzz_definition_text(text: str) -> None:
    """Random YAML spliced into a real definition, through the whole reader and validator."""
    body = corpus.MINI.read_text(encoding="utf-8").replace("Tiny route", text, 1)
    try:
        raw = load_yaml_text(body, name="fuzz.yaml")
        c = corridor_from_mapping(raw, path=Path("fuzz.yaml"), check_map=False)
    except CorridorsError:
        return
    _well_formed(c)
