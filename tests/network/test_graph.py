"""Tests of ``corridors.network._graph``: edge attribute codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridors.network import _graph
from corridors.network.core import Network


def test_codes_of_a_categorical_match_the_value_by_value_lookup(network: Network) -> None:
    for column, vocabulary in (("mode", _graph.MODES), ("status", _graph.STATUSES)):
        values = network.edges[column]
        assert isinstance(values.dtype, pd.CategoricalDtype)
        lookup = {v: i for i, v in enumerate(vocabulary)}
        want = np.array([lookup.get(str(v), -1) for v in values], dtype=np.int8)
        got = _graph._codes(values, vocabulary)
        assert got.dtype == np.int8
        assert (got == want).all()
    assert set(_graph._codes(network.edges["mode"], _graph.MODES).tolist()) == {0, 1, 2, 3, 4}


def test_codes_give_minus_one_for_missing_and_unknown_values() -> None:
    values = pd.Series(pd.Categorical(["rail", None, "sea", "hovercraft", "rail"]))
    assert _graph._codes(values, _graph.MODES).tolist() == [0, -1, 3, -1, 0]
    assert _graph._codes(["road", "sea", "x"], _graph.MODES).tolist() == [1, 3, -1]
