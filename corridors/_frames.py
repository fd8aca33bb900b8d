"""Small helpers over pandas columns shared by the stages."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["text_values"]


def text_values(column: pd.Series[Any]) -> npt.NDArray[np.object_]:
    """``column.astype(str).to_numpy()``: each value as a ``str``, in an object array.

    A categorical column (the pieces' modes and countries) is converted through its few
    categories, not value by value: the same strings at a fraction of the cost.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:  # a missing value (-1): as astype does
            names = np.array([str(c) for c in column.cat.categories], dtype=object)
            out: npt.NDArray[np.object_] = names[codes]
            return out
    values: npt.NDArray[np.object_] = column.astype(str).to_numpy(dtype=object)
    return values
