"""Activity times as every door reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadport.domain.activity import parse_activity_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T09:30:00Z", datetime(2026, 5, 1, 9, 30, tzinfo=UTC)),
        ("2026-05-01T11:30:00+02:00", datetime(2026, 5, 1, 9, 30, tzinfo=UTC)),
        ("2026-05-01 09:30", datetime(2026, 5, 1, 9, 30, tzinfo=UTC)),
        ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_iso_times_are_read_as_utc(text: str, expected: datetime) -> None:
    assert parse_activity_time(text) == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "", "2026-13-01", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00+05:00"]
)
def test_a_time_that_is_not_one_or_falls_outside_the_calendar_in_utc_is_none(text: str) -> None:
    assert parse_activity_time(text) is None
