"""How a row's values land on an existing lead: fill empty fields, or overwrite when asked.

An empty cell never erases a value. The returned changes (field → (old, new)) are what the
report shows and what a rollback puts back.
"""

from __future__ import annotations

from typing import Any

Change = tuple[Any, Any]


def merge_into(
    fields: dict[str, Any],
    custom: dict[str, str],
    tags: list[str],
    *,
    new_fields: dict[str, str],
    new_custom: dict[str, str],
    new_tags: list[str],
    overwrite: bool,
) -> dict[str, Change]:
    """Apply one row to a lead's values in place and say what changed."""
    changes: dict[str, Change] = {}
    for name, value in new_fields.items():
        old = fields.get(name)
        if _takes(old, value, overwrite):
            fields[name] = value
            changes[name] = (old, value)
    for name, value in new_custom.items():
        old = custom.get(name)
        if _takes(old, value, overwrite):
            custom[name] = value
            changes["custom:" + name] = (old, value)
    for tag in new_tags:
        if tag not in tags:
            tags.append(tag)
            changes["tag:" + tag] = (None, "1")
    return changes


def _takes(old: Any, new: str, overwrite: bool) -> bool:
    if old in (None, ""):
        return True
    return overwrite and old != new
