"""Names people give things (workspaces, campaigns, keys): one rule for every door."""

from __future__ import annotations

import unicodedata

from leadport.errors import UsageError


def check_name(value: str, what: str) -> str:
    """The name stripped; refused when it holds control characters (NUL cannot even be stored in
    PostgreSQL, and a tab or newline in a name breaks every table that shows it)."""
    name = value.strip()
    bad = next((c for c in name if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise UsageError(f"{what} may not contain control characters such as U+{ord(bad):04X}.")
    return name
