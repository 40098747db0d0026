"""Small SQL helpers for the rollback and restore tests: facts the CLI does not (yet) set."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, insert, text

from leadport.db.schema import activities


def sql(database_url: str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def membership_id(database_url: str, email: str, campaign: str) -> int:
    rows = sql(
        database_url,
        "SELECT cl.id FROM campaign_leads cl JOIN leads l ON l.id = cl.lead_id"
        " JOIN campaigns c ON c.id = cl.campaign_id WHERE l.email = :e AND c.name = :c",
        e=email,
        c=campaign,
    )
    return int(rows[0][0])


def add_activity(database_url: str, email: str, campaign: str, *types: str) -> None:
    cl = membership_id(database_url, email, campaign)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for kind in types:
                conn.execute(
                    insert(activities).values(
                        campaign_lead_id=cl, type=kind, at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
                    )
                )
    finally:
        engine.dispose()


def lead(database_url: str, email: str) -> dict[str, Any] | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            from leadport.db.schema import leads

            row = conn.execute(leads.select().where(leads.c.email == email)).first()
            return dict(row._mapping) if row else None
    finally:
        engine.dispose()


def campaigns_of(database_url: str, email: str) -> list[tuple[str, str]]:
    return sorted(
        sql(
            database_url,
            "SELECT c.name, cl.status FROM campaign_leads cl JOIN leads l ON l.id = cl.lead_id"
            " JOIN campaigns c ON c.id = cl.campaign_id WHERE l.email = :e",
            e=email,
        )
    )


def import_id(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.json()["import_id"])
