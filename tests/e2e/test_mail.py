"""Emailed reports through a real SMTP server (aiosmtpd): the summary, the rejected rows attached,
and a failed send retried without failing the import."""

from __future__ import annotations

import contextlib
import csv
import email
import io
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from live_api import SERVER_SETTINGS, LiveServer, csv_bytes, free_port, lead_rows, wait_for
from sqlalchemy import select

from leadport.bootstrap import App, build
from leadport.config import Settings
from leadport.db.engine import read_transaction
from leadport.db.schema import outbox


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[tuple[Inbox, Controller]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    yield handler, controller
    with contextlib.suppress(AssertionError):  # raised when it never started
        controller.stop()


@pytest.fixture
def mail_app(tmp_path: Path, smtp_port: int) -> Iterator[App]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'mail.db'}",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_sender="reports@leadport.test",
        **SERVER_SETTINGS,
    )
    app = build(settings)
    yield app
    app.engine.dispose()


def _attachment(message: Message) -> tuple[str, list[list[str]]]:
    part = next(p for p in message.walk() if p.get_filename())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_filename()), list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))


def test_the_report_is_mailed_to_the_importer_with_the_rejected_rows(
    mail_app: App, own_server: Any, inbox: tuple[Inbox, Controller]
) -> None:
    handler, controller = inbox
    controller.start()
    server = LiveServer(own_server(mail_app), mail_app, "sqlite")
    tenant = server.tenant()
    content = csv_bytes(lead_rows(2)) + b"broken,Bob,Lee,Acme\n"
    client = tenant.client(role="member")
    import_id = client.post("/api/v1/imports", files={"file": ("fair.csv", content)}).json()[
        "import_id"
    ]
    wait_for(lambda: handler.messages, timeout=30)
    recipients, message = handler.messages[0]
    assert recipients == [tenant.member_email]
    assert message["From"] == "reports@leadport.test"
    assert (
        message["Subject"]
        == f"leadport: import {import_id} of fair.csv: 2 added, 0 modified, 1 rejected"
    )
    body = next(
        p for p in message.walk() if p.get_content_type() == "text/plain" and not p.get_filename()
    )
    text = body.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"Import {import_id} of fair.csv is completed." in text
    assert "Added: 2  Modified: 0  Rejected: 1" in text
    name, rows = _attachment(message)
    assert name == f"rejected-{import_id}.csv"
    assert rows == [
        [
            "email",
            "first_name",
            "last_name",
            "company_name",
            "leadport_row",
            "leadport_code",
            "leadport_reason",
            "leadport_conflict",
        ],
        ["broken", "Bob", "Lee", "Acme", "4", "invalid_email", "Invalid email format", ""],
    ]
    server.close_clients()


def test_a_failed_send_is_retried_and_never_fails_the_import(
    mail_app: App, own_server: Any, inbox: tuple[Inbox, Controller]
) -> None:
    handler, controller = inbox
    server = LiveServer(own_server(mail_app), mail_app, "sqlite")
    client = server.tenant().client()
    report = client.post("/api/v1/imports/batch", json={"rows": lead_rows(3)}).json()
    assert report["state"] == "completed"

    def failed_attempt() -> Any:
        with read_transaction(mail_app.engine) as conn:
            row = conn.execute(
                select(outbox.c.attempts, outbox.c.last_error, outbox.c.sent_at)
            ).first()
        return row if row is not None and row.attempts >= 1 and row.last_error else None

    first = wait_for(failed_attempt, timeout=30)
    assert first.sent_at is None
    assert "ConnectionRefusedError" in first.last_error
    controller.start()
    wait_for(lambda: handler.messages, timeout=30)
    assert handler.messages[0][1]["Subject"] == (
        f"leadport: import {report['import_id']} of api batch: 3 added, 0 modified, 0 rejected"
    )
    assert not any(p.get_filename() for p in handler.messages[0][1].walk())
    with read_transaction(mail_app.engine) as conn:
        sent = conn.execute(select(outbox.c.sent_at, outbox.c.last_error)).one()
    assert sent.sent_at is not None
    assert sent.last_error is None
    server.close_clients()
