"""The do-not-contact list: emails and whole domains never added to a campaign."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from leadport.db.bulk import utcnow
from leadport.db.schema import do_not_contact
from leadport.domain.identity import normalize_domain, normalize_email
from leadport.errors import UsageError


@dataclass(frozen=True)
class DncEntry:
    value: str
    kind: str


def parse_entry(raw: str) -> DncEntry:
    """An email (normalized as leads' emails are) or a domain (`@acme.com` or `acme.com`)."""
    text = raw.strip()
    if "@" in text.lstrip("@"):
        check = normalize_email(text)
        if not check.valid or check.value is None:
            raise UsageError(f"{raw!r} is not a valid email address.")
        return DncEntry(check.value, "email")
    domain = normalize_domain(text.lstrip("@"))
    if not domain or "." not in domain:
        raise UsageError(f"{raw!r} is neither an email address nor a domain.")
    return DncEntry(domain, "domain")


def add_entry(conn: Connection, workspace_id: int, raw: str) -> DncEntry:
    entry = parse_entry(raw)
    exists = conn.execute(
        select(do_not_contact.c.value).where(
            do_not_contact.c.workspace_id == workspace_id, do_not_contact.c.value == entry.value
        )
    ).first()
    if not exists:
        conn.execute(
            do_not_contact.insert().values(
                workspace_id=workspace_id, value=entry.value, kind=entry.kind, created_at=utcnow()
            )
        )
    return entry
