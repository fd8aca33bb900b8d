"""The CLI commands the README shows, each checked against the library on the same data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import corridors
from corridors.analysis.metrics import route_metrics
from corridors.analysis.scenarios import load_scenario, run_scenario
from corridors.cli._main import main
from corridors.network.core import Network, network_info
from corridors.routing import route_corridor


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_network_info_json_is_network_info(
    network: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["network", "info", "--format", "json"]) == 0
    got = _json(capsys)
    want = json.loads(json.dumps(network_info(network), default=str))
    assert got == want
    # every edge's km is in one mode/status row, and the rows add up to the modes
    by_mode: dict[str, float] = {}
    for row in got["km_by_mode_status"]:  # type: ignore[index]
        by_mode[row["mode"]] = by_mode.get(row["mode"], 0.0) + row["km"]
    assert by_mode == pytest.approx(got["km_by_mode"], abs=0.2)  # type: ignore[index]
    assert got["nodes"] == len(network.nodes) and got["edges"] == len(network.edges)  # type: ignore[index]


def test_network_info_table_names_sources_and_repair(
    network: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["network", "info"]) == 0
    out = capsys.readouterr().out
    info = network_info(network)
    assert f"nodes: {info['nodes']:,}  edges: {info['edges']:,}" in out
    assert f"bridged: {info['bridged_edges']} edges, {info['bridged_km']} km" in out
    assert "© OpenStreetMap contributors" in out


def test_network_clear_removes_the_cached_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(corridors.settings, "cache_dir", tmp_path)
    entry = tmp_path / "network" / "abc.npz"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"x")
    entry.with_suffix(".npz.json").write_text("{}", encoding="utf-8")
    assert main(["network", "clear"]) == 0
    assert capsys.readouterr().out.strip() == "removed 2 cached files"
    assert not entry.exists()
    assert main(["network", "clear"]) == 0
    assert capsys.readouterr().out.strip() == "removed 0 cached files"


def test_map_command_writes_one_page_with_both_corridors(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine.html"
    assert main(["map", "aras", "zangezur", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    page = out.read_text(encoding="utf-8")
    for cid in ("aras", "zangezur"):
        m = route_metrics(route_corridor(corridors.load(cid), network))
        assert m["name"] in page
        # the panel shows the same length as the metrics
        assert f"{m['length_km']:,.1f}" in page
    assert "Baku–Tbilisi–Kars" not in page


def test_map_command_needs_ids_or_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "--out", "x.html"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_maps_command_writes_the_standard_set(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", "maps", "--out-dir", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.glob("*.html"))
    per_corridor = sorted(f"{c.id}.html" for c in corridors.load_all())
    assert set(per_corridor) <= set(names)
    assert "index.html" in names and "all.html" in names
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    # the index links every page it wrote
    linked = set(re.findall(r'href="([^"#]+\.html)"', index))
    assert linked == set(names) - {"index.html"}


def test_scenario_list_names_every_shipped_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "list"]) == 0
    out = capsys.readouterr().out
    for sid in (
        "aras-instead-of-armenia",
        "avoid-russia-and-iran",
        "instc-rasht-astara-built",
        "tripp-open-2030",
    ):
        assert re.search(rf"^{re.escape(sid)}\s", out, re.M)


def test_scenario_run_json_equals_the_library(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "t.png"
    page = tmp_path / "t.html"
    args = ["scenario", "run", "tripp-open-2030", "--format", "json"]
    assert main([*args, "--map", str(page), "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[: out.rindex("}") + 1])
    want = run_scenario(load_scenario("tripp-open-2030"), network)
    assert data["scenario"] == "tripp-open-2030"
    assert [r["id"] for r in data["rows"]] == [r["id"] for r in want.rows]
    zangezur = next(r for r in data["rows"] if r["id"] == "zangezur")
    # by 2030 with Meghri open every Zangezur link counts as built: its missing km go to 0
    base_missing = route_metrics(route_corridor(corridors.load("zangezur"), network))["missing_km"]
    assert base_missing > 0
    assert zangezur["delta_missing_km"] == pytest.approx(-base_missing, abs=0.05)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Time–distance chart" in page.read_text(encoding="utf-8")


def test_scenario_run_unknown_name_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", "tripp-open-2300"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tripp-open-2030" in err
