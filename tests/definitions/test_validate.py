"""Validation of definition files: every kind of error names file, item and value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import corridors
from corridors import DefinitionError
from corridors.definitions._validate import corridor_from_mapping, definition_digest
from tests.conftest import DATA


def _mini() -> dict[str, Any]:
    raw = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def _problems(raw: Any, tmp_path: Path, name: str = "bad.yaml") -> tuple[str, ...]:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        corridors.corridor_from_file(path)
    return info.value.problems


def test_valid_definition_builds_values() -> None:
    c = corridors.corridor_from_file(DATA / "mini.yaml")
    assert c.id == "mini"
    assert [w.name for w in c.waypoints] == ["Baku", "Ganja", "Tbilisi"]
    assert c.legs[1].start.name == "Ganja" and c.legs[1].end.country == "GEO"
    assert c.legs[1].published_length is not None
    assert c.legs[1].published_length.value_km == 255
    assert c.avoided_countries == ("ARM",)
    assert c.modes == (corridors.Mode.RAIL,)
    (variant,) = c.variants
    assert variant.id == "mini-express" and variant.parent == "mini"
    assert [w.name for w in variant.waypoints] == ["Baku", "Tbilisi"]
    assert len(c.digest) == 64


def test_latitude_out_of_range_names_file_item_value(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][2]["lat"] = 138.9
    (problem,) = _problems(raw, tmp_path, "aras.yaml")
    assert problem.endswith(
        "aras.yaml: waypoints[2] 'Tbilisi': latitude 138.9 is outside [-90, 90]"
    )


def test_longitude_out_of_range(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][0]["lon"] = -200
    assert any(
        "waypoints[0] 'Baku': longitude -200 is outside [-180, 180]" in p
        for p in _problems(raw, tmp_path)
    )


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    raw = _mini()
    raw["sumary"] = raw.pop("summary")
    problems = _problems(raw, tmp_path)
    assert any("unknown key 'sumary'; did you mean 'summary'?" in p for p in problems)
    assert any("missing required key 'summary'" in p for p in problems)


def test_missing_field_in_waypoint(tmp_path: Path) -> None:
    raw = _mini()
    del raw["waypoints"][1]["country"]
    assert any(
        "waypoints[1] 'Ganja': missing required key 'country'" in p
        for p in _problems(raw, tmp_path)
    )


def test_unknown_iso3(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][1]["country"] = "AZR"
    assert any(
        "country 'AZR' is not an ISO 3166-1 alpha-3 code" in p for p in _problems(raw, tmp_path)
    )


def test_country_that_does_not_match_the_map(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][2]["country"] = "ARM"  # Tbilisi station is in Georgia
    (problem,) = _problems(raw, tmp_path)
    assert "waypoints[2] 'Tbilisi': country 'ARM' does not match the map" in problem
    assert "lies in GEO" in problem


def test_legs_that_do_not_chain(tmp_path: Path) -> None:
    raw = _mini()
    raw["legs"][1]["from"] = "Baku"
    problems = _problems(raw, tmp_path)
    assert any(
        "legs do not chain: this leg starts at 'Baku' but the previous one ends at 'Ganja'" in p
        for p in problems
    )


def test_leg_naming_an_unknown_waypoint(tmp_path: Path) -> None:
    raw = _mini()
    raw["legs"][1]["to"] = "Tblisi"
    assert any(
        "to 'Tblisi' is not a waypoint of this corridor; did you mean 'Tbilisi'?" in p
        for p in _problems(raw, tmp_path)
    )


def test_unknown_mode_and_status(tmp_path: Path) -> None:
    raw = _mini()
    raw["legs"][0]["mode"] = "train"
    raw["legs"][1]["status"] = "built"
    problems = _problems(raw, tmp_path)
    assert any("legs[0] 'Baku – Ganja': unknown mode 'train'" in p for p in problems)
    assert any("legs[1] 'Ganja – Tbilisi': unknown status 'built'" in p for p in problems)


def test_mode_and_status_parse_any_case() -> None:
    assert corridors.Mode("RAIL") is corridors.Mode.RAIL
    assert corridors.Status("Under Construction") is corridors.Status.UNDER_CONSTRUCTION
    assert corridors.Status("under-construction") is corridors.Status.UNDER_CONSTRUCTION
    with pytest.raises(ValueError, match="train"):
        corridors.Mode("train")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    raw = _mini()
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        corridors.validate_files([tmp_path])
    assert any("b.yaml: id: 'mini' is already used by" in p for p in info.value.problems)


def test_duplicate_waypoint_names(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][1]["name"] = "Baku"
    assert any("duplicate waypoint name 'Baku'" in p for p in _problems(raw, tmp_path))


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nname: [unclosed\nsummary: y\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        corridors.corridor_from_file(path)
    (problem,) = info.value.problems
    assert "broken.yaml:3:" in problem and "malformed YAML" in problem


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Bak\xfc\n".encode("latin-1"))
    with pytest.raises(DefinitionError, match="not UTF-8"):
        corridors.corridor_from_file(path)
    with pytest.raises(DefinitionError, match="no such file"):
        corridors.corridor_from_file(tmp_path / "nope.yaml")


def test_source_reference_must_exist(tmp_path: Path) -> None:
    raw = _mini()
    raw["waypoints"][0]["source"] = "osn"
    assert any(
        "source 'osn' is not one of this file's sources; did you mean 'osm'?" in p
        for p in _problems(raw, tmp_path)
    )


def test_authored_geometry_must_meet_its_waypoints(tmp_path: Path) -> None:
    raw = _mini()
    raw["legs"][0]["geometry"] = [[49.84, 40.36], [47.0, 40.5], [46.0, 41.5]]
    assert any(
        "geometry ends at (46.0, 41.5)" in p and "'Ganja'" in p for p in _problems(raw, tmp_path)
    )


def test_leg_that_skips_a_waypoint(tmp_path: Path) -> None:
    raw = _mini()
    raw["legs"] = [{"from": "Baku", "to": "Tbilisi", "mode": "rail", "status": "operational"}]
    assert any("skips or repeats a waypoint" in p for p in _problems(raw, tmp_path))


def test_digest_ignores_key_order() -> None:
    raw = _mini()
    flipped = dict(reversed(list(raw.items())))
    assert definition_digest(raw) == definition_digest(flipped)


def test_problems_are_collected_not_stopped_at_first() -> None:
    raw = _mini()
    raw["waypoints"][0]["lat"] = 100
    raw["legs"][0]["mode"] = "hovercraft"
    with pytest.raises(DefinitionError) as info:
        corridor_from_mapping(raw, check_map=False)
    assert len(info.value.problems) == 2
    assert "(and 1 more problem)" in str(info.value)


# --- gaps found by fuzzing: every one is a DefinitionError naming the item ------------------


def _direct(raw: Any) -> tuple[str, ...]:
    with pytest.raises(DefinitionError) as info:
        corridor_from_mapping(raw, path=Path("x.yaml"), check_map=False)
    return info.value.problems


def test_top_level_aliases_are_checked_with_the_rest() -> None:
    raw = _mini()
    raw["aliases"] = [1, 2]
    raw["name"] = ""
    problems = _direct(raw)
    assert "x.yaml: aliases: aliases must be a list of strings, got [1, 2]" in problems
    assert "x.yaml: name: name '' must be a non-empty string" in problems


def test_variant_name_summary_aliases_are_checked() -> None:
    raw = _mini()
    raw["variants"][0].update({"name": ["x"], "summary": 5, "aliases": "one"})
    problems = _direct(raw)
    label = "x.yaml: variants[0] 'mini-express': "
    assert f"{label}name ['x'] must be a non-empty string" in problems
    assert f"{label}summary 5 must be a non-empty string" in problems
    assert f"{label}aliases must be a list of strings, got 'one'" in problems


@pytest.mark.parametrize("date", ["yesterday", True, [2026], "2026-1"])
def test_published_length_date_is_checked(date: Any) -> None:
    raw = _mini()
    raw["legs"][1]["published_length_km"]["date"] = date
    (problem,) = _direct(raw)
    assert problem.startswith("x.yaml: legs[1] 'Ganja – Tbilisi': published_length_km date ")
    assert problem.endswith(" is not YYYY, YYYY-MM or YYYY-MM-DD")


def test_unhashable_names_ids_and_sources() -> None:
    raw = _mini()
    raw["legs"][0]["from"] = ["Baku"]
    raw["variants"][0]["id"] = {"a": 1}
    raw["waypoints"][0]["source"] = ["osm"]
    raw["legs"][1]["published_length_km"]["source"] = {"osm": 1}
    problems = _direct(raw)
    assert "x.yaml: legs[0] '['Baku'] – Ganja': from ['Baku'] must be a waypoint name" in (
        " ".join(problems)
    )
    assert any("variants[0]: id {'a': 1} must be a lower-case slug" in p for p in problems)
    assert any("waypoints[0] 'Baku': source ['osm'] is not one of" in p for p in problems)
    assert any("source {'osm': 1} is not one of this file's sources" in p for p in problems)


def test_deep_nesting_and_huge_integers() -> None:
    deep: Any = "x"
    for _ in range(1000):
        deep = [deep]
    raw = _mini()
    raw["waypoints"][0]["note"] = deep
    assert _direct(raw) == ("x.yaml: nested more than 64 levels deep; flatten the structure",)
    raw = _mini()
    raw["legs"][0]["expected_year"] = 10**5000
    assert _direct(raw) == ("x.yaml: an integer of more than 4,000 digits; write a smaller number",)


def test_quoted_values_are_cut() -> None:
    raw = _mini()
    raw["waypoints"][0]["country"] = "Z" * 1_000_000
    raw["legs"][0]["mode"] = "m" * 1_000_000
    problems = _direct(raw)
    assert max(len(p) for p in problems) < 400
    assert any("country 'ZZZZ" in p and "…" in p for p in problems)
    assert any("unknown mode 'mmm" in p and "…" in p for p in problems)
