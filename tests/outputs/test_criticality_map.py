"""The criticality map: colours by hours lost, tooltips capped and escaped."""

from __future__ import annotations

from typing import Any

from corridors.analysis.criticality import Element
from corridors.outputs.criticality_map import TOOLTIP_ITEMS, criticality_map

EVIL = "<img src=x onerror=alert(1)>`${alert(2)}`"


def _row(item: str, element: str, cut: bool, dh: float | None) -> dict[str, Any]:
    return {
        "item": item,
        "element": element,
        "name": EVIL,
        "lon": 43.29624,
        "lat": 41.19283,
        "cut": cut,
        "delta_time_h": dh,
        "delta_length_km": None if dh is None else 2.0 * dh,
    }


def test_tooltips_list_the_worst_items_escaped_and_count_the_rest(network) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(f"{EVIL} {i}", "border:Kartsakhi", False, float(i)) for i in range(30)]
    rows.append(_row(f"{EVIL} cut", "border:Kartsakhi", True, None))
    rows.append(_row("Kars → Tbilisi (rail)", "segment:1", False, 0.0))
    elements = {"border:Kartsakhi": Element("border:Kartsakhi", "border", EVIL, edges=(53495,))}
    page = criticality_map(rows, elements, network).get_root().render()
    assert "<img src=x" not in page and "${alert" not in page and "`${" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#96;" in page
    # cut first, then the most hours: items 29 down to 19 (11 of them) fill the 12
    assert page.count("onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#96; 2") == 10  # 29..20
    assert f"… and {31 - TOOLTIP_ITEMS} more (31 items, 1 cut)" in page
    assert "+19.0 h, +38.0 km" in page and "+18.0 h" not in page
    # the black of a cut, the green of no loss
    assert "#000000" in page and "#1a9850" in page
