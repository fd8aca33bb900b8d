"""The command line: output, exit codes, one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corridors.cli._main import main
from tests.conftest import DATA


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for cid in (
        "zangezur",
        "aras",
        "instc-west",
        "instc-east",
        "instc-caspian",
        "middle-corridor",
        "middle-corridor-black-sea",
        "btk",
        "armenia-iran-road",
        "btc-pipeline",
        "zangezur-road",
    ):
        assert cid in out


def test_show_json_is_the_full_definition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "zangezur", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "zangezur"
    assert "TRIPP" in " ".join(data["aliases"]) or "Trump" in " ".join(data["aliases"])
    assert data["waypoints"][0]["name"] == "Baku"
    assert {leg["mode"] for leg in data["legs"]} == {"rail"}
    assert data["variants"][0]["id"] == "zangezur-road"
    assert len(data["digest"]) == 64


def test_show_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "aras", "--sources", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all({"title", "publisher", "date"} <= set(r) for r in rows)


def test_validate_shipped_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "ok:" in capsys.readouterr().out
    raw = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    raw["waypoints"][1]["lat"] = 138.9
    bad = tmp_path / "aras.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "aras.yaml: waypoints[1] 'Ganja': latitude 138.9 is outside [-90, 90]" in err
    assert "Traceback" not in err


def test_unknown_corridor_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "zangzur"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "did you mean 'zangezur'" in err


def test_route_json_and_geojson(capsys: pytest.CaptureFixture[str], network: object) -> None:
    assert main(["-q", "route", "aras", "--format", "json"]) == 0
    m = json.loads(capsys.readouterr().out)
    for key in (
        "length_km",
        "length_km_by_mode",
        "length_km_by_country",
        "border_crossings",
        "countries",
        "missing_km",
        "gauge_breaks",
        "time_h",
        "legs",
    ):
        assert key in m
    assert {"from", "to", "mode", "status", "length_km", "missing"} <= set(m["legs"][0])
    assert main(["-q", "route", "aras", "--format", "geojson"]) == 0
    gj = json.loads(capsys.readouterr().out)
    assert gj["type"] == "FeatureCollection"
    assert len(gj["features"]) == len(m["legs"])
    assert gj["features"][0]["geometry"]["type"] == "LineString"


def test_ad_hoc_route_and_unknown_place(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    assert main(["-q", "route", "--from", "Baku", "--to", "Tbilisi", "--mode", "rail"]) == 0
    assert "AZE → GEO" in capsys.readouterr().out
    assert main(["-q", "route", "--from", "Bakuu", "--to", "Tbilisi"]) == 2
    assert "did you mean 'Baku'" in capsys.readouterr().err


def test_compare_markdown(capsys: pytest.CaptureFixture[str], network: object) -> None:
    assert main(["-q", "compare", "aras", "zangezur", "--format", "markdown"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("| id | name | kind | from | to | length_km | operational_km |")
    assert len(out) == 4
    aras = next(line for line in out if line.startswith("| aras |"))
    assert "AZE → IRN → AZE" in aras


def test_compare_json_says_what_each_route_avoids_and_enters(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    assert main(["-q", "compare", "aras", "zangezur", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert "countries_avoided" not in rows["aras"]
    assert rows["aras"]["avoids_ok"] is True
    assert rows["zangezur"]["avoids_ok"] is None  # it states no avoids
    assert rows["aras"]["via"]["ARM"] == {"via": False, "km": 0.0}
    assert rows["zangezur"]["via"]["ARM"] == {"via": True, "km": 36.1}
    assert rows["aras"]["via"]["IRN"] == {"via": True, "km": 85.5}


def test_compare_columns_do_not_depend_on_the_other_rows(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    import csv
    import io

    def rows(*ids: str) -> dict[str, dict[str, str]]:
        assert main(["-q", "compare", *ids, "--format", "csv"]) == 0
        return {r["id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}

    alone, everyone = rows("aras"), rows("--all")
    assert alone["aras"] == everyone["aras"]
    aras = alone["aras"]
    assert (aras["from"], aras["to"]) == ("Horadiz", "Nakhchivan")
    assert (aras["avoids"], aras["avoids_ok"]) == ("ARM", "yes")
    assert (aras["via_ARM"], aras["via_IRN"], aras["IRN_km"]) == ("no", "yes", "85.5")
    # open today: 227.5 of 229.9 km; the missing 2.4 km mean no trip today
    assert (aras["operational_km"], aras["time_h"], aras["time_h_today"]) == (
        "227.5",
        "25.3",
        "not open today",
    )
    btk = everyone["btk"]
    assert (btk["time_h"], btk["time_h_today"]) == ("102.7", "102.7")
    btc = everyone["btc-pipeline"]
    assert (btc["kind"], btc["time_h"], btc["time_h_today"]) == (
        "reference",
        "reference line",
        "reference line",
    )
    assert all(r["time_h"] for r in everyone.values())  # no empty time cell


def test_compare_of_load_all_has_the_cli_rows(network: object) -> None:
    import corridors
    from corridors.analysis import compare

    table = compare(corridors.load_all(), network)
    assert len(table) == 12
    assert list(table.index) == list(range(12))
    assert list(table["id"][:3]) == ["aras", "aras-rail", "armenia-iran-road"]


def test_python_dash_m_and_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "corridors", "route", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("corridors: no corridor with id 'nope'")
    assert "Traceback" not in proc.stderr


def test_compare_csv_is_machine_readable(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    import csv
    import io

    assert main(["-q", "compare", "btk", "instc-east", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["btk", "instc-east"]
    assert float(rows[1]["length_km"]) > 1000  # no thousands separator
    assert rows[0]["missing_km"] == "0.0"


def test_route_any_mode_picks_the_faster_road(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    assert main(["route", "--from", "Baku", "--to", "Tbilisi", "--mode", "any"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = lines[0]
    assert first.startswith("Baku – Tbilisi: 512.4 km, 1 border crossing, ")
    assert first.endswith("time 22.1 h")
    # the road crosses at Lagodekhi, a named crossing of geodata/crossings.yaml
    assert lines[-1].split() == ["AZE", "→", "GEO", "Lagodekhi–Mazımçay", "road", "46.3", "41.8"]


def test_scenario_run_merges_flags_over_the_file(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    assert main(["scenario", "run", "tripp-open-2030", "--set", "foo"]) == 2
    err = capsys.readouterr().err
    assert err == "corridors: --set 'foo': expected NAME=NUMBER, e.g. border_dwell_h.rail=20\n"
    assert main(["scenario", "run", "tripp-open-2030", "--close", "megri"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "corridors: scenario 'tripp-open-2030' with --close megri: close[0]: unknown link "
        "'megri'; did you mean 'meghri' or 'meghri-road'?\n"
    )

    def rows(*flags: str) -> dict[str, dict[str, object]]:
        argv = ["scenario", "run", "tripp-open-2030", "--format", "json", *flags]
        assert main(argv) == 0
        return {r["id"]: r for r in json.loads(capsys.readouterr().out)["rows"]}

    plain = rows()
    assert plain["zangezur"]["scenario_time_h"] == 143.2
    # a 20 h rail border dwell instead of 40.6 h: Zangezur's three rail crossings save 61.8 h
    quick = rows("--set", "border_dwell_h.rail=20")
    assert quick["zangezur"]["scenario_time_h"] == 81.4
    assert quick["zangezur"]["baseline_time_h"] == plain["zangezur"]["baseline_time_h"] == 143.6
    # --corridor replaces the file's list; --route adds a question to its own
    only = rows("--corridor", "aras", "--route", "Baku:Tbilisi:road")
    assert list(only) == ["aras", "Baku → Nakhchivan (rail)", "Baku → Tbilisi (road)"]


def test_compare_on_a_common_origin_and_destination(
    capsys: pytest.CaptureFixture[str], network: object
) -> None:
    import csv
    import io

    argv = ["-q", "compare", "aras", "zangezur", "--from", "Baku", "--to", "Nakhchivan"]
    assert main([*argv, "--format", "csv"]) == 0
    cap = capsys.readouterr()
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(cap.out))}
    got = {
        cid: (r["from"], r["to"], r["length_km"], r["missing_km"], r["countries"])
        for cid, r in rows.items()
    }
    assert got == {
        # Aras starts at Horadiz: the road from Baku to it is added, and said so
        "aras": ("Baku", "Nakhchivan", "501.0", "2.4", "AZE → IRN → AZE"),
        # Zangezur passes both: its own legs from Baku to Nakhchivan, not on to Kars
        "zangezur": ("Baku", "Nakhchivan", "532.5", "40.7", "AZE → ARM → AZE"),
    }
    assert cap.err == (
        "corridors: note: aras: does not pass Baku; an access leg Baku – Horadiz by road is added\n"
    )
    # the other way round, or a reference line: said, the others still compared
    assert (
        main(["-q", "compare", "zangezur", "btc-pipeline", "--from", "Nakhchivan", "--to", "Baku"])
        == 0
    )
    err = capsys.readouterr().err
    assert "corridors: zangezur: corridor 'zangezur' reaches 'Baku' before 'Nakhchivan'" in err
    assert "btc-pipeline' is a reference line" in err


def test_a_definition_file_is_accepted_wherever_an_id_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], network: object
) -> None:
    mini = str(DATA / "mini.yaml")
    assert main(["-q", "route", mini]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Mini corridor: 556.1 km, 1 border crossing, 0.0 km missing, time 50.9 h"
    )
    assert main(["-q", "compare", mini, "btk", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["mini", "btk"]
    out = tmp_path / "mini.html"
    assert main(["-q", "map", mini, "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    capsys.readouterr()
    argv = ["-q", "scenario", "run", "tripp-open-2030", "--corridor", mini, "--format", "json"]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["id"] == "mini" and rows[0]["baseline_km"] == 556.1
    # a draft written by scan routes as it is
    text = tmp_path / "note.txt"
    text.write_text("Trains run from Baku to Tbilisi and on to Kars.\n", encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    assert main(["-q", "scan", str(text), "--draft", "My route", "--out", str(draft)]) == 0
    capsys.readouterr()
    assert main(["-q", "route", str(draft), "--format", "json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["name"] == "My route (draft)" and m["length_km"] > 500


def test_bad_flag_values_are_one_line_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], network: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.cli import _main

    def err(*argv: str) -> str:
        try:
            code: object = main(list(argv))
        except SystemExit as exc:  # argparse's own checks exit from parse_args
            code = exc.code
        assert code == 2
        return capsys.readouterr().err

    base = ("-q", "route", "--from", "Baku", "--to", "Tbilisi")
    assert err(*base, "--avoid", "Armenia") == (
        "corridors: --avoid 'Armenia': not an ISO 3166-1 alpha-3 code such as ARM; "
        "did you mean ARM (Armenia)?\n"
    )
    assert err(*base, "--as-of", "20300") == (
        "corridors: route: argument --as-of: 20300 is not a year between 1900 and 2200, e.g. 2030\n"
    )
    assert err(*base, "--mode", "rial") == (
        "corridors: route: argument --mode: invalid choice: 'rial' (choose from 'rail', "
        "'road', 'sea', 'ferry', 'any'); did you mean 'rail'?\n"
    )
    assert main(["-q", "route", "--from", "Bakuu", "--to", "Tbilisi"]) == 2
    assert capsys.readouterr().err.endswith(
        "give 'lon,lat' or a name that 'corridors places' lists\n"
    )
    assert main(["places", "--country", "AZE", "--format", "csv"]) == 0
    assert "\nNakhchivan,AZE," in capsys.readouterr().out
    # "1 border crossing", and no "time None h" for a line that is not travelled
    assert main(["-q", "route", "btc-pipeline"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "None" not in first and first.endswith("no travel time (a reference line)")
    # progress bars on a terminal only
    args = _main._parser().parse_args(["route", "btk"])
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert _main._progress(args) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _main._progress(args) is True
    assert _main._progress(_main._parser().parse_args(["-q", "route", "btk"])) is False
