"""Small helpers over pandas columns shared by the stages."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["text_values"]

#: The categories of a categorical column as ``str`` objects, by the categories' identity
#: (the pieces' columns share a few dtypes; each is kept with its names so ids stay valid).
_NAMES: dict[int, tuple[pd.Index[Any], npt.NDArray[np.object_]]] = {}
_NAMES_KEPT = 64


def _category_names(categories: pd.Index[Any]) -> npt.NDArray[np.object_]:
    hit = _NAMES.get(id(categories))
    if hit is not None and hit[0] is categories:
        return hit[1]
    names = np.array([str(c) for c in categories], dtype=object)
    if len(_NAMES) >= _NAMES_KEPT:
        _NAMES.clear()
    _NAMES[id(categories)] = (categories, names)
    return names


def text_values(column: pd.Series[Any]) -> npt.NDArray[np.object_]:
    """``column.astype(str).to_numpy()``: each value as a ``str``, in an object array.

    A categorical column (the pieces' modes and countries) is converted through its few
    categories, not value by value: the same strings at a fraction of the cost.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:  # a missing value (-1): as astype does
            out: npt.NDArray[np.object_] = _category_names(column.cat.categories)[codes]
            return out
    values: npt.NDArray[np.object_] = column.astype(str).to_numpy(dtype=object)
    return values
