"""Tests of ``corridors._frames``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridors._frames import text_values


def test_text_values_equal_astype_str_for_every_kind_of_column() -> None:
    columns = [
        pd.Series(["rail", "sea", "rail", ""], dtype="category"),
        pd.Series(["GEO", None, "TUR"], dtype="category"),  # a missing value stays missing
        pd.Series([], dtype="category"),
        pd.Series(pd.Categorical([1520, 1435, 1520])),  # categories that are not strings
        pd.Series(["AZE", "ARM"]),
        pd.Series([1, 2]),
    ]
    for col in columns:
        got = text_values(col)
        assert got.dtype == object
        want = col.astype(str).to_numpy()
        assert [type(v) for v in got] == [type(v) for v in want]
        assert pd.isna(got).tolist() == pd.isna(want).tolist()
        assert got[~pd.isna(got)].tolist() == want[~pd.isna(want)].tolist()
    assert text_values(columns[0]).tolist() == ["rail", "sea", "rail", ""]
    assert pd.isna(text_values(columns[1])).tolist() == [False, True, False]
    assert text_values(columns[3]).tolist() == ["1520", "1435", "1520"]
    assert np.array_equal(
        text_values(columns[0]), np.array(["rail", "sea", "rail", ""], dtype=object)
    )
