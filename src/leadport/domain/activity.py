"""Activity events as the sending system reports them: their type and time, read strictly.

Pure: every door (CLI option, activity file, API list) reads types and times with these, so a
value accepted by one is accepted by all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from leadport.domain.model import ActivityType

TYPE_NAMES = ", ".join(t.value for t in ActivityType)
TIME_EXAMPLE = "2026-05-01T09:30:00Z"


def parse_activity_type(value: str) -> ActivityType | None:
    """The type named (case and surrounding space ignored), or None when it names none."""
    try:
        return ActivityType(value.strip().lower())
    except ValueError:
        return None


def parse_activity_time(value: str) -> datetime | None:
    """An ISO-8601 time as an aware UTC datetime, or None when it is not one.

    A time without an offset is taken as UTC (sequencers' exports often leave it out); a date
    alone is its midnight UTC.
    """
    text = value.strip()
    if not text:
        return None
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        return as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999 in UTC
        return None


def as_utc(moment: datetime) -> datetime:
    """Aware and in UTC: a naive time is taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
