"""Fixtures for the case core's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safecase.cases import parts


@pytest.fixture
def no_stage_checks() -> Iterator[None]:
    """The transition table alone, without the parts' conditions on a move (a recorded
    decision, an approved closure), which each part tests itself."""
    saved = dict(parts._STAGE_CHECKS)
    parts._STAGE_CHECKS.clear()
    yield
    parts._STAGE_CHECKS.update(saved)
