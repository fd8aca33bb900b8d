"""Every adversarial case runs under a wall-clock limit: a hang fails, it never blocks CI."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

#: Seconds one test (one corpus case, or one whole hypothesis run) may take.
CASE_LIMIT_S = 60.0


class CaseTimeout(BaseException):  # not an error of the package: a failed test
    """Raised in the test when it runs past :data:`CASE_LIMIT_S` (a hang)."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout(f"the case ran longer than {CASE_LIMIT_S:g} s: a hang")


@pytest.fixture(autouse=True)
def case_limit() -> Iterator[None]:
    """Fail the test if it runs longer than :data:`CASE_LIMIT_S` (SIGALRM, main thread)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_LIMIT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
