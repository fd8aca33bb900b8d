"""Named links: chains of legs, their lines, status and users, and name checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corridors._errors import UnknownNameError
from corridors.definitions._load import load, load_all
from corridors.definitions.links import densify, leg_geometry, links_from_corridors, resolve_links
from corridors.model import Mode, Status


def test_every_link_of_the_definitions() -> None:
    links = links_from_corridors(load_all())
    assert [link.name for link in links.values()] == list(links)
    table = {
        name: (
            link.mode.value,
            link.status.value,
            link.expected_year,
            len(link.coords),
            link.coords[0],
            link.coords[-1],
            link.corridors,
            link.authored,
        )
        for name, link in links.items()
    }
    assert table == {
        "aghband-kalaleh": (
            "road", "under_construction", 2026, 4, (46.5667, 38.9), (46.555, 38.88),
            ("aras",), True,
        ),
        "horadiz-aghband": (
            "rail", "under_construction", 2026, 54, (47.34165, 39.44613), (46.5667, 38.9),
            ("aras-rail", "zangezur"), True,
        ),
        "aras-iran": (
            "rail", "planned", None, 55, (46.5667, 38.9), (45.63055, 38.93771),
            ("aras-rail",), True,
        ),
        "akhalkalaki-kars": (
            "rail", "operational", None, 47, (43.52613, 41.31438), (43.10685, 40.60494),
            ("btk", "middle-corridor"), False,
        ),
        "rasht-astara": (
            "rail", "planned", 2028, 90, (48.84974, 38.44059), (49.56354, 37.20414),
            ("instc-west",), True,
        ),
        "meghri": (
            "rail", "planned", None, 36, (46.5667, 38.9), (46.00288, 38.8995),
            ("zangezur",), True,
        ),
        "ordubad-julfa": (
            "rail", "under_construction", None, 18, (46.00288, 38.8995), (45.62301, 38.95743),
            ("zangezur",), False,
        ),
        "nakhchivan-dilucu": (
            "rail", "planned", None, 7, (44.88724, 39.62686), (44.80168, 39.66345),
            ("zangezur",), True,
        ),
        "kars-dilucu": (
            "rail", "under_construction", 2029, 139, (44.80168, 39.66345), (43.213, 40.67),
            ("zangezur",), True,
        ),
        "meghri-road": (
            "road", "planned", None, 35, (46.5667, 38.9), (46.00288, 38.8995),
            ("zangezur-road",), True,
        ),
    }  # fmt: skip


def test_a_link_over_several_legs_joins_their_lines_in_order() -> None:
    zangezur = load("zangezur")
    legs = [leg for leg in zangezur.legs if leg.link == "meghri"]
    # Aghband – border, across Armenia, border – Ordubad: planned, planned, under construction
    assert [leg.status for leg in legs] == [
        Status.PLANNED,
        Status.PLANNED,
        Status.UNDER_CONSTRUCTION,
    ]
    lines = [leg_geometry(leg) for leg in legs]
    assert [len(line) for line in lines] == [6, 23, 9]
    link = links_from_corridors([zangezur])["meghri"]
    # each leg after the first starts where the one before ends: its first point is not repeated
    assert link.coords == lines[0] + lines[1][1:] + lines[2][1:]
    assert link.status is Status.PLANNED  # the least built of its legs
    assert link.mode is Mode.RAIL


def test_the_same_link_name_on_legs_that_do_not_meet_keeps_the_first_line() -> None:
    zangezur = load("zangezur")
    legs = list(zangezur.legs)
    # a leg of the kars-dilucu link moved next to meghri: same name, but its start is not the
    # end of the leg before, so it is a second chain, and the first (authored) chain's line stays
    moved = replace(legs[10], link="meghri", expected_year=2031)
    odd = replace(zangezur, legs=(*legs[:6], moved), variants=())
    link = links_from_corridors([odd])["meghri"]
    assert link.coords == links_from_corridors([zangezur])["meghri"].coords
    assert link.expected_year is None


def test_authored_geometry_wins_over_a_geodesic_from_another_definition() -> None:
    btk = load("btk")
    plain = links_from_corridors([btk])["akhalkalaki-kars"]
    assert not plain.authored
    legs = list(btk.legs)
    i = next(k for k, leg in enumerate(legs) if leg.link == "akhalkalaki-kars")
    drawn = [(43.52613, 41.31438), (43.30, 41.10), (43.10685, 40.60494)]
    legs[i] = replace(legs[i], geometry=tuple(drawn))
    authored = replace(btk, id="btk-drawn", legs=tuple(legs), variants=())
    for order in ([btk, authored], [authored, btk]):
        link = links_from_corridors(order)["akhalkalaki-kars"]
        assert link.authored
        assert link.coords[: len(densify(drawn[:2]))] == densify(drawn[:2])
        assert set(link.corridors) == {"btk", "btk-drawn"}
    assert links_from_corridors([btk, authored])["akhalkalaki-kars"].corridors == (
        "btk",
        "btk-drawn",
    )


def test_densify_spaces_points_at_most_step_km_apart() -> None:
    # 45.0 → 45.1 °E at 40 °N is 8.54 km on the WGS 84 ellipsoid: 4 points added at 2 km
    dense = densify([(45.0, 40.0), (45.1, 40.0)])
    assert len(dense) == 6
    assert dense[0] == (45.0, 40.0) and dense[-1] == (45.1, 40.0)
    assert [round(x, 6) for x, _ in dense] == [45.0, 45.02, 45.04, 45.06, 45.08, 45.1]
    assert len(densify([(45.0, 40.0), (45.1, 40.0)], step_km=5)) == 3
    assert densify([(45.0, 40.0), (45.01, 40.0)]) == ((45.0, 40.0), (45.01, 40.0))


def test_link_names_are_checked_with_close_matches() -> None:
    known = links_from_corridors(load_all())
    assert resolve_links([" Meghri ", "rasht-astara"], known) == ("meghri", "rasht-astara")
    with pytest.raises(UnknownNameError) as err:
        resolve_links(["meghr"], known)
    assert str(err.value) == "unknown link 'meghr'; did you mean 'meghri' or 'meghri-road'?"
    with pytest.raises(UnknownNameError) as err:
        resolve_links(["xyz"], known)
    assert str(err.value) == (
        "unknown link 'xyz'; known links: aghband-kalaleh, akhalkalaki-kars, aras-iran, "
        "horadiz-aghband, kars-dilucu, meghri, meghri-road, nakhchivan-dilucu, ordubad-julfa, "
        "rasht-astara"
    )
