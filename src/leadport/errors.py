"""The LeadportError tree: an exception refuses a whole operation; a row outcome never raises.

LeadportError                 anything refused, with a message that names the fix
├── UsageError                a wrong option or value given by the caller
├── NotFoundError             workspace, campaign, lead, import… that does not exist (or not here)
├── PermissionDeniedError     the member's role may not do this
├── ConflictError             the operation clashes with the current state (import running…)
├── LimitExceededError        a configured limit (file size, rows, cell length)
└── InputFileError            a file that cannot be read as a table (file, row, column)
"""

from __future__ import annotations

from typing import Any


class LeadportError(Exception):
    """Base of every refusal; `code` is the stable machine-readable name used by the API."""

    code = "error"

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class UsageError(LeadportError):
    code = "usage_error"


class NotFoundError(LeadportError):
    code = "not_found"


class PermissionDeniedError(LeadportError):
    code = "permission_denied"


class ConflictError(LeadportError):
    code = "conflict"


class LimitExceededError(LeadportError):
    code = "limit_exceeded"


class InputFileError(LeadportError):
    """A file refused whole; carries where it went wrong so every door can say so."""

    code = "unreadable_file"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where = {
            k: v for k, v in (("file", file), ("row", row), ("column", column)) if v is not None
        }
        super().__init__(message, detail=where)
        self.file = file
        self.row = row
        self.column = column
