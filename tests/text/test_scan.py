"""Finding corridors, places, countries and organisations in texts (corridors.text.scan).

The seed texts in ../shared/seeds are read at run time (skipped when absent); every other
text here is written for the test.
"""

from __future__ import annotations

import doctest
import json
import logging
import os
import re
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import corridors
from corridors.cli._main import main
from corridors.geo import geodata
from corridors.network.core import Network
from corridors.outputs.maps import save_map
from corridors.text import scan
from corridors.text.scan import (
    Mention,
    ScanError,
    country_counts,
    draft_definition,
    map_mentions,
    mention_summary,
    mentions_to_frame,
    mentions_to_geojson,
    scan_file,
    scan_text,
    text_from_file,
    write_draft,
)
from tests.browser import (
    PAYLOAD,
    PAYLOADS,
    SIZES,
    check_inert,
    check_layout,
    check_popups,
    check_symbols,
    open_page,
    popup_texts,
    screenshot,
)
from tests.conftest import shared_path

Seeds = dict[str, tuple[str, list[Mention]]]


@pytest.fixture(scope="module")
def seeds() -> Seeds:
    folder = shared_path("seeds")
    out = {}
    for path in sorted(folder.glob("*.txt")):
        text = text_from_file(path)
        out[path.name] = (text, scan_text(text, document=path.name))
    assert out, f"no .txt files in {folder}"
    return out


def _of(mentions: list[Mention], kind: str, id_: str | None = None) -> list[Mention]:
    return [m for m in mentions if m.kind == kind and (id_ is None or m.id == id_)]


def _place(name: str) -> geodata.Place:
    return next(p for p in geodata.places() if p.name == name)


# --- the seed texts ---------------------------------------------------------------------------


def test_offsets_and_context_match_the_text(seeds: Seeds) -> None:
    for name, (text, mentions) in seeds.items():
        assert mentions, name
        for m in mentions:
            assert m.document == name
            assert text[m.start : m.end] == m.text
            assert " ".join(m.text.split()) in m.context
            assert len(m.context) <= len(m.text) + 2 * scan.CONTEXT_CHARS + 2
        assert [m.start for m in mentions] == sorted(m.start for m in mentions)


#: What a reader would search for to find each corridor in a text (independent of scan).
_CORRIDOR_CUES = {
    "zangezur": r"Zang[ae]zur\s+corridor|\bTRIPP\b|corridor\s+(?:passing\s+)?through\s+"
    r"(?:southern\s+)?Armenia",
    "aras": r"Ara[sz]\s+corridor|trans-Iranian|corridor\s+through\s+Iran",
    "instc-west": r"North.South\s+(?:Transport|project)|\bINSTC\b",
    "middle-corridor": r"Middle\s+corridor|Trans-Caspian\s+International",
}


@pytest.mark.parametrize("cid", list(_CORRIDOR_CUES))
def test_corridors_found_in_the_texts_that_mention_them(seeds: Seeds, cid: str) -> None:
    cue = re.compile(_CORRIDOR_CUES[cid], re.IGNORECASE)
    expected = {name for name, (text, _) in seeds.items() if cue.search(text)}
    found = {name for name, (_, mentions) in seeds.items() if _of(mentions, "corridor", cid)}
    assert expected, f"no seed text mentions {cid}"
    assert found == expected


@pytest.mark.parametrize(
    ("phrase", "cid"),
    [
        (r"Zangezur\s+corridor", "zangezur"),
        (r"Middle\s+Corridor", "middle-corridor"),
        (r"International\s+North-South\s+Transport(?:ation)?\s+Corridor", "instc-west"),
        (r"Aras\s+Corridor", "aras"),
    ],
)
def test_every_occurrence_is_found_at_its_offset(seeds: Seeds, phrase: str, cid: str) -> None:
    occurrences = 0
    for text, mentions in seeds.values():
        starts = {m.start: m for m in _of(mentions, "corridor", cid)}
        for hit in re.finditer(phrase, text, re.IGNORECASE):
            occurrences += 1
            assert hit.start() in starts, (phrase, hit.start())
            assert starts[hit.start()].end == hit.end()
    assert occurrences


@pytest.mark.parametrize("name", ["Nakhchivan", "Baku", "Yerevan", "Tehran", "Moscow"])
def test_places_resolve_to_gazetteer_coordinates(seeds: Seeds, name: str) -> None:
    place = _place(name)
    hits = [m for _, ms in seeds.values() for m in _of(ms, "place", name)]
    assert hits, name
    for m in hits:
        assert (m.lon, m.lat) == pytest.approx((place.lon, place.lat))
        assert m.country == place.country
        assert m.detail == place.kind
    folded = {scan._text.fold(n).casefold() for n in place.names}
    assert {scan._text.fold(m.text).casefold() for m in hits} <= folded


def test_countries_and_no_pronoun_us(seeds: Seeds) -> None:
    every = [m for _, ms in seeds.values() for m in ms]
    counts = country_counts(every)
    assert {"AZE", "ARM", "IRN", "RUS", "USA", "TUR"} <= set(counts)
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert counts["AZE"] == max(counts.values())
    usa = {m.text for m in _of(every, "country", "USA")}
    assert "US" in usa
    assert not {t for t in usa if t.lower() == "us" and t != "US"}
    orgs = {m.id for m in _of(every, "organisation")}
    assert {"eu", "nato"} <= orgs
    assert not {m.text for m in _of(every, "country")} & {"EU", "NATO", "European Union"}


def test_unnamed_corridor_has_no_id(seeds: Seeds) -> None:
    every = [m for _, ms in seeds.values() for m in ms]
    gas = [m for m in _of(every, "corridor") if "Gas" in m.text]
    assert gas and all(m.id is None and m.text == "Southern Gas Corridor" for m in gas)


# --- edge cases on our own texts ------------------------------------------------------------


def _ids(text: str, kind: str | None = None) -> list[tuple[str, str | None, str]]:
    return [(m.kind, m.id, m.text) for m in scan_text(text) if kind is None or m.kind == kind]


def test_no_match_inside_other_words() -> None:
    text = "Bakunin wrote of Karsten, Vanadium, Tehranis and Moscowitz at Bakuriani."
    assert _ids(text) == []
    assert _ids("a Kars-based firm", "place") == [("place", "Kars", "Kars")]


def test_possessives_and_hyphens() -> None:
    text = "Azerbaijan's ports and Azerbaijan’s trains; Armenia-Iran and Armenia–Iran trade."
    assert [m.id for m in scan_text(text)] == ["AZE", "AZE", "ARM", "IRN", "ARM", "IRN"]
    for spelled in ("Baku-Tbilisi-Kars", "Baku–Tbilisi–Kars", "Baku — Tbilisi — Kars"):
        found = scan_text(f"The {spelled} railway opened.")
        corridor = _of(found, "corridor")
        assert [(m.id, m.text) for m in corridor] == [("btk", f"{spelled} railway")]
        assert [m.id for m in _of(found, "place")] == ["Baku", "Tbilisi", "Kars"]


def test_case_us_and_us() -> None:
    text = "Tell us: the US, the U.S. and the USA. Us and them. US-mediated talks."
    usa = _of(scan_text(text), "country")
    assert [m.text for m in usa] == ["US", "U.S.", "USA", "US"]
    assert _ids("a turkey dinner", "country") == []
    assert _ids("Turkey and TURKEY", "country") == [
        ("country", "TUR", "Turkey"),
        ("country", "TUR", "TURKEY"),
    ]
    assert _ids("BAKU and baku", "place") == [("place", "Baku", "BAKU")]


def test_spellings_and_transliterations() -> None:
    cases = {
        "Naxçıvan": "Nakhchivan",
        "Nakhichevan": "Nakhchivan",
        "Naxcivan": "Nakhchivan",
        "Culfa": "Julfa",
        "Julfa": "Julfa",
        "Jolfa": "Jolfa",
        "Iğdır": "Iğdır",
        "Igdir": "Iğdır",
        "IĞDIR": "Iğdır",
        "Gəncə": "Ganja",
    }
    for spelled, name in cases.items():
        found = _of(scan_text(f"Trains reach {spelled} daily."), "place")
        assert [(m.id, m.text) for m in found] == [(name, spelled)], spelled
    assert _place("Julfa").country == "AZE" and _place("Jolfa").country == "IRN"
    assert [m.id for m in scan_text("Türkiye, Turkiye and Turkey")] == ["TUR"] * 3


def test_mixed_scripts() -> None:
    text = "Нахчыван, Баку and Երևան; Bаku typed with a Cyrillic a; თბილისი."
    found = _of(scan_text(text), "place")
    assert [m.id for m in found] == ["Nakhchivan", "Baku", "Yerevan", "Baku", "Tbilisi"]
    assert found[3].text == "Bаku" and found[3].text != "Baku"
    assert _ids("Россия и Азербайджан", "country") == [
        ("country", "RUS", "Россия"),
        ("country", "AZE", "Азербайджан"),
    ]


def test_aras_river_and_aras_corridor() -> None:
    text = (
        "The Aras corridor and the Araz transit corridor would follow the Aras River; "
        "a bridge along the Aras."
    )
    found = scan_text(text)
    assert [(m.kind, m.id, m.detail, m.text) for m in found] == [
        ("corridor", "aras", "name", "Aras corridor"),
        ("corridor", "aras", "name", "Araz transit corridor"),
        ("place", "Aras", "river", "Aras River"),
        ("place", "Aras", "river", "Aras"),
    ]


def test_a_place_that_names_a_corridor() -> None:
    found = scan_text("The Zangezur corridor crosses Zangezur. The Baku–Tbilisi–Ceyhan pipeline.")
    assert [(m.kind, m.id) for m in found] == [
        ("corridor", "zangezur"),
        ("place", "Zangezur"),
        ("corridor", "btc-pipeline"),
        ("place", "Baku"),
        ("place", "Tbilisi"),
        ("place", "Ceyhan"),
    ]


def test_descriptions_and_aliases() -> None:
    text = (
        "TRIPP, the Trump Route and the Crossroads of Peace; the INSTC and the North-South "
        "corridor; the Middle Corridor (TITR); the route through Georgia; the Armenia–Iran road; "
        "a Southern Gas Corridor."
    )
    corridor = [(m.id, m.detail) for m in _of(scan_text(text), "corridor")]
    assert corridor == [
        ("zangezur", "name"),
        ("zangezur", "name"),
        ("zangezur", "name"),
        ("instc-west", "name"),
        ("instc-west", "name"),
        ("middle-corridor", "name"),
        ("middle-corridor", "name"),
        ("btk", "description"),
        ("armenia-iran-road", "name"),
        (None, "name"),
    ]
    assert "GEO" in country_counts(scan_text(text))


def test_longest_name_and_shared_names() -> None:
    assert _ids("Nagorno-Karabakh", "place") == [("place", "Nagorno-Karabakh", "Nagorno-Karabakh")]
    assert _ids("Kazakh grain", "country") == [("country", "KAZ", "Kazakh")]
    assert _ids("Kazakh grain", "place") == []
    iran = _of(scan_text("Astara in Iran; Iran and Iran again."), "place")
    assert [(m.id, m.country) for m in iran] == [("Astara", "IRN")]
    aze = _of(scan_text("Astara in Azerbaijan; Azerbaijan, Azerbaijan."), "place")
    assert [(m.id, m.country) for m in aze] == [("Astara", "AZE")]
    assert _ids("South America and Latin American trade", "country") == []


def test_line_break_hyphenation_and_decomposed_accents() -> None:
    text = "From Nakh-\nchivan to Baku-\nTbilisi and Naxc\u0327\u0131van, then Kars."
    found = _of(scan_text(text), "place")
    assert [m.id for m in found] == ["Nakhchivan", "Baku", "Tbilisi", "Nakhchivan", "Kars"]
    for m in found:
        assert text[m.start : m.end] == m.text
    assert found[0].text == "Nakh-\nchivan"
    assert found[3].text == "Naxc\u0327\u0131van"
    assert found[4].text == "Kars"


def test_context_window() -> None:
    text = "word " * 50 + "Baku" + " word" * 50
    (m,) = scan_text(text, context_chars=12)
    assert m.context.startswith("…") and m.context.endswith("…")
    assert "Baku" in m.context and len(m.context) <= 4 + 2 * 12 + 2
    assert scan_text("Baku", context_chars=0)[0].context == "Baku"
    with pytest.raises(ScanError):
        scan_text("Baku", context_chars=-1)


def test_summaries_frame_and_geojson() -> None:
    found = scan_text("Baku, Baku and Tbilisi; Azerbaijan and Georgia; the Middle Corridor.")
    rows = mention_summary(found)
    baku = next(r for r in rows if r["id"] == "Baku")
    assert baku["count"] == 2 and baku["starts"] == [0, 6]
    assert [r["kind"] for r in rows] == sorted((r["kind"] for r in rows), key=scan.KINDS.index)
    df = mentions_to_frame(found)
    assert len(df) == len(found) and list(df["start"]) == [m.start for m in found]
    assert "corridors" in df.attrs["provenance"]["tool"]
    gj = mentions_to_geojson(found)
    assert gj["type"] == "FeatureCollection"
    feats = {f["properties"]["name"]: f for f in gj["features"]}
    assert set(feats) == {"Baku", "Tbilisi"}
    assert feats["Baku"]["properties"]["count"] == 2
    assert feats["Baku"]["geometry"]["coordinates"] == [_place("Baku").lon, _place("Baku").lat]


def test_docstring_examples() -> None:
    result = doctest.testmod(scan)
    assert result.attempted and not result.failed


# --- files and bad input ----------------------------------------------------------------------


def test_non_utf8_file_is_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"From Baku to T\xfcrkiye via Tbilisi \xff.")
    with caplog.at_level(logging.WARNING, logger="corridors"):
        found = scan_file(path)
    assert "latin1.txt: not valid UTF-8" in caplog.text
    text = text_from_file(path)
    assert [m.id for m in _of(found, "place")] == ["Baku", "Tbilisi"]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_byte_order_marks(tmp_path: Path) -> None:
    utf8 = tmp_path / "bom8.txt"
    utf8.write_bytes(b"\xef\xbb\xbfBaku")
    assert [(m.start, m.id) for m in scan_file(utf8)] == [(0, "Baku")]
    utf16 = tmp_path / "bom16.txt"
    utf16.write_bytes("Yerevan and Baku".encode("utf-16"))
    assert [m.id for m in scan_file(utf16)] == ["Yerevan", "Baku"]


def test_empty_and_blank_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    empty, blank = tmp_path / "empty.txt", tmp_path / "blank.txt"
    empty.write_bytes(b"")
    blank.write_text("  \n\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="corridors"):
        assert scan_file(empty) == []
        assert scan_file(blank) == []
    assert "empty.txt: empty file" in caplog.text


def _bad_path(tmp_path: Path, what: str) -> Path:
    if what == "binary":
        (tmp_path / "x.bin").write_bytes(b"PK\x00\x01\x02")
        return tmp_path / "x.bin"
    return tmp_path / "missing.txt" if what == "missing" else tmp_path


@pytest.mark.parametrize(
    ("what", "message"),
    [("missing", "no such file"), ("folder", "is a folder"), ("binary", "binary")],
)
def test_bad_paths_raise_scan_error(tmp_path: Path, what: str, message: str) -> None:
    with pytest.raises(ScanError, match=message) as info:
        scan_file(_bad_path(tmp_path, what))
    assert isinstance(info.value, ValueError) and isinstance(info.value, corridors.CorridorsError)
    assert "\n" not in str(info.value)


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    filler = ("the policy of transport and trade on the border " * 40).encode()
    marked = "Baku–Tbilisi–Kars via Naxçıvan and the US; Bakunin. ".encode()
    block = filler + marked
    repeats = 50_000_000 // len(block) + 1
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        for _ in range(repeats):
            f.write(block)
    assert path.stat().st_size >= 50_000_000
    t0 = time.perf_counter()
    found = scan_file(path, context_chars=20)
    elapsed = time.perf_counter() - t0
    corridor = _of(found, "corridor")
    assert len(corridor) == repeats and {m.id for m in corridor} == {"btk"}
    assert len(_of(found, "country", "USA")) == repeats
    assert len(_of(found, "place", "Nakhchivan")) == repeats
    assert not _of(found, "place", "Baku") or len(_of(found, "place", "Baku")) == repeats
    assert elapsed < 60, f"{elapsed:.1f} s for 50 MB"


# --- drafts -----------------------------------------------------------------------------------

_ROUTE_TEXT = (
    "Freight could leave Baku for Tbilisi, carry on to Kars and Ankara, and a delegation "
    "from Washington watched the Aras river and the Karabakh region."
)


def test_draft_orders_places_and_validates(tmp_path: Path) -> None:
    found = scan_text(_ROUTE_TEXT, document="note.txt")
    draft = draft_definition(found, "Test line")
    assert [w["name"] for w in draft["waypoints"]] == ["Ankara", "Kars", "Tbilisi", "Baku"]
    assert [w["role"] for w in draft["waypoints"]] == ["terminal", "via", "via", "terminal"]
    assert {leg["status"] for leg in draft["legs"]} == {"proposed"}
    assert {leg["mode"] for leg in draft["legs"]} == {"rail"}
    assert draft["id"] == "test-line" and draft["kind"] == "corridor"
    assert "DRAFT" in draft["summary"]
    path = write_draft(found, "Test line", path=tmp_path / "test-line.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT corridor definition")
    assert "Washington (city, USA): outside the modelled region" in text
    assert "Aras (river, AZE): a river" in text
    for sentence in re.split(r"(?<=,)|(?<=\.)", _ROUTE_TEXT):
        if len(sentence.split()) > 3:
            assert sentence.strip(" ,.") not in text
    c = corridors.corridor_from_file(path)
    assert c.id == "test-line" and len(c.legs) == 3
    assert main(["validate", str(path)]) == 0


def test_draft_mode_overwrite_and_too_few_places(tmp_path: Path) -> None:
    found = scan_text(_ROUTE_TEXT)
    road = draft_definition(found, "Road one", mode="road")
    assert road["modes"] == ["road"] and {leg["mode"] for leg in road["legs"]} == {"road"}
    path = tmp_path / "d.yaml"
    write_draft(found, "D", path=path)
    with pytest.raises(ScanError, match="exists"):
        write_draft(found, "D", path=path)
    write_draft(found, "D", path=path, overwrite=True)
    with pytest.raises(ScanError, match="at least two"):
        draft_definition(scan_text("Only Baku."), "x")
    with pytest.raises(ScanError, match="no letters"):
        draft_definition(found, "!!!")


def test_draft_from_the_seeds_validates(seeds: Seeds, tmp_path: Path) -> None:
    every = [m for _, ms in seeds.values() for m in ms]
    path = write_draft(every, "Seeds", path=tmp_path / "seeds.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {s.get("document") for s in raw["sources"]} >= set(seeds)
    assert corridors.corridor_from_file(path).id == "seeds"
    body = path.read_text(encoding="utf-8")
    for text, _ in seeds.values():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence.split()) >= 6:
                assert sentence not in body


# --- maps -------------------------------------------------------------------------------------


def test_map_draws_places_over_corridors(network: Network, tmp_path: Path) -> None:
    from corridors.outputs.maps import save_map

    found = scan_text(
        "The Zangezur corridor through Meghri, Baku and Baku again, and Nakhchivan; the "
        "Middle Corridor and Washington.",
        document="n.txt",
    )
    page = save_map(map_mentions(found, network), tmp_path / "m.html").read_text("utf-8")
    assert page.count("scan-place") == 4  # Meghri, Baku, Nakhchivan, Washington
    assert "Places mentioned" in page
    assert "2 mentions in n.txt" in page
    assert "corridor-zangezur" in page and "corridor-middle-corridor" in page
    assert not re.search(r'<script src="https?://', page)


def test_map_of_places_only(tmp_path: Path) -> None:
    from corridors.outputs.maps import save_map

    found = scan_text("Tbilisi and Yerevan.")
    page = save_map(map_mentions(found), tmp_path / "p.html").read_text("utf-8")
    assert page.count("scan-place") == 2 and "Tbilisi" in page
    with pytest.raises(ScanError, match="nothing to map"):
        map_mentions(scan_text("Nothing here."))


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scan_map_opens_in_a_browser(
    browser: Any, network: Network, tmp_path: Path, size: tuple[int, int]
) -> None:
    """``scan --map``: no script error (the places layer once came after the layer control
    and threw ``setZIndex`` of undefined), layout clear, popups, legend symbols."""
    doc = tmp_path / "note.txt"
    doc.write_text(
        "The Zangezur corridor via Meghri links Baku to Nakhchivan; Kars and Tbilisi too.",
        encoding="utf-8",
    )
    out = tmp_path / "scan.html"
    assert main(["-q", "scan", str(doc), "--map", str(out)]) == 0
    opened = open_page(browser, out, size)
    where = f"scan map {size}"
    assert opened.errors == [], opened.errors
    assert opened.page.locator("path.scan-place").count() == 5
    lay = check_layout(opened, where)
    assert lay["ends"]
    check_symbols(opened, where)
    screenshot(opened, f"scan-{size[0]}x{size[1]}")
    texts = popup_texts(opened, "path.scan-place")
    assert any("1 mention in note.txt" in t for t in texts), texts
    check_popups(opened, where)
    assert opened.errors == [], opened.errors
    # the places layer is listed and can be switched off
    opened.page.get_by_label("Places mentioned", exact=True).uncheck()
    opened.page.wait_for_timeout(100)
    assert opened.page.locator("path.scan-place").count() == 0
    opened.page.close()


@pytest.mark.browser
def test_payloads_in_a_scanned_text_run_no_script(
    browser: Any, network: Network, tmp_path: Path
) -> None:
    """The document's name and text carry the payloads: shown literally, nothing runs."""
    name = " ".join(p.replace("/", "") for p in PAYLOADS) + ".txt"
    doc = tmp_path / name
    doc.write_text(f"{PAYLOAD} The Zangezur corridor reaches Nakhchivan. {PAYLOAD}", "utf-8")
    out = tmp_path / "evil-scan.html"
    found = scan.scan_file(doc)
    save_map(map_mentions(found, network), out)
    opened = open_page(browser, out)
    check_inert(opened, "scan map", [f"Places and corridors in {name}"])
    texts = popup_texts(opened, "path.scan-place")
    assert texts and all(name in t for t in texts), texts
    check_inert(opened, "scan map after clicks", [])
    opened.page.close()


# --- command line -----------------------------------------------------------------------------


def test_cli_table_json_geojson(seeds: Seeds, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(shared_path("seeds").glob("*.txt"))]
    assert main(["scan", *files]) == 0
    out = capsys.readouterr().out
    for word in ("zangezur", "middle-corridor", "instc-west", "aras", "Baku", "countries: AZE"):
        assert word in out
    assert "All 5 documents" in out or len(files) != 5
    assert main(["scan", files[0], "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["documents"][0]
    assert doc["characters"] == len(text_from_file(files[0]))
    assert doc["mentions"] and {"start", "end", "context"} <= set(doc["mentions"][0])
    assert main(["scan", files[0], "--format", "geojson"]) == 0
    gj = json.loads(capsys.readouterr().out)
    assert gj["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] == "Point" for f in gj["features"])
    assert main(["scan", files[0], "--mentions"]) == 0
    assert "context" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "no/such/file.txt"],
        ["scan", "."],
        ["scan", "README.md", "--out", "x.yaml"],
        ["scan", "README.md", "--online"],
        ["scan", "README.md", "--context", "-3"],
    ],
)
def test_cli_errors_are_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("corridors: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_cli_map_and_draft(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text(_ROUTE_TEXT + " The Baku–Tbilisi–Kars railway.", encoding="utf-8")
    out_map, out_draft = tmp_path / "scan.html", tmp_path / "draft.yaml"
    args = ["scan", str(doc), "--map", str(out_map), "--draft", "Mine", "--out", str(out_draft)]
    assert main([*args, "--draft-mode", "road"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {out_map}" in out and f"wrote {out_draft}" in out
    page = out_map.read_text(encoding="utf-8")
    assert page.count("scan-place") == 7 and "corridor-btk" in page  # Aras, Karabakh too
    assert yaml.safe_load(out_draft.read_text(encoding="utf-8"))["modes"] == ["road"]
    assert main(["validate", str(out_draft)]) == 0
    capsys.readouterr()
    assert main(args) == 2  # the draft exists
    assert "exists" in capsys.readouterr().err


def test_cli_warns_on_odd_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    odd, empty = tmp_path / "odd.txt", tmp_path / "empty.txt"
    odd.write_bytes(b"Baku \x93quoted\x94 and Kars")
    empty.write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="corridors"):
        assert main(["scan", str(odd), str(empty)]) == 0
    assert "odd.txt: not valid UTF-8" in caplog.text and "empty.txt: empty file" in caplog.text
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "odd.txt: 22 characters; 2 place mentions" in captured.out
    assert "empty.txt: 0 characters; no mentions" in captured.out


def test_cli_outputs_refuse_special_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text(_ROUTE_TEXT, encoding="utf-8")
    fifo = tmp_path / "draft.yaml"
    os.mkfifo(fifo)
    for args in (
        ["--draft", "Mine", "--out", str(fifo), "--force"],
        ["--map", "/dev/null"],
    ):
        assert main(["scan", str(doc), *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "not a regular file; refusing to replace it" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and sorted(p.name for p in tmp_path.iterdir()) == [
        "draft.yaml",
        "note.txt",
    ]


def test_cli_draft_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text(_ROUTE_TEXT, encoding="utf-8")
    assert main(["scan", str(doc), "--draft", "Mine", "--out", "-"]) == 0
    captured = capsys.readouterr()
    draft = yaml.safe_load(captured.out)
    assert draft["id"] == "mine" and draft["waypoints"][0]["name"] == "Ankara"
    assert "note.txt: " in captured.err  # the report goes to stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt"]


def test_fifo_as_input_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    with pytest.raises(ScanError, match=r"in\.txt: not a regular file"):
        text_from_file(fifo)
    with pytest.raises(ScanError, match="/dev/zero: not a regular file"):
        text_from_file("/dev/zero")


def test_size_limit_is_named(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(scan.MAX_BYTES + 1)  # sparse
    with pytest.raises(ScanError, match=r"64 MB is more than the limit of 64 MB \(scan\.MAX"):
        text_from_file(big)
