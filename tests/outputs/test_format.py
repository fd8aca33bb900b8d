"""The JSON writers: the streamed text is the whole text, byte for byte."""

from __future__ import annotations

import json
from enum import Enum

import numpy as np

from corridors.outputs._format import iter_json, to_json


class _Mode(Enum):
    RAIL = "rail"


ROWS = [
    {"item": "Kars → Akhalkalaki (rail)", "cut": True, "km": None, "h": float("nan")},
    {"item": 'a "quoted"\nline', "cut": False, "km": np.float64(8.0), "n": np.int64(3)},
    {"nested": {"legs": [1, 2, {"mode": _Mode.RAIL}], "t": (1.5, float("inf"))}, "e": []},
]


def test_streamed_json_is_the_whole_text() -> None:
    text = "".join(iter_json(ROWS))
    assert text == to_json(ROWS)
    assert json.loads(text)[0] == {
        "item": "Kars → Akhalkalaki (rail)",
        "cut": True,
        "km": None,
        "h": None,
    }
    assert json.loads(text)[2]["nested"] == {"legs": [1, 2, {"mode": "rail"}], "t": [1.5, None]}


def test_streamed_json_of_one_row_and_of_none() -> None:
    assert "".join(iter_json(ROWS[:1])) == to_json(ROWS[:1])
    assert "".join(iter_json([])) == to_json([]) == "[]"


def test_streamed_json_yields_a_piece_per_row() -> None:
    pieces = list(iter_json(ROWS))
    assert len(pieces) == len(ROWS) + 1
    assert pieces[0].startswith('[\n  {\n    "item": "Kars')
    assert pieces[-1] == "\n]"
