"""Emailed reports: after each import, its summary and rejected rows go to the importing member.

Sending never fails or slows an import: the import only writes an `outbox` row; a sender
thread (in `serve` and in every `leadport worker`) sends it with the stdlib's smtplib, and a
failed send is logged and retried with growing pauses (mail_retry_seconds × 1, 3, 7, …) until
mail_max_attempts. A sender claims a row by bumping its attempt count first, so two processes
never send the same attempt.
"""

from __future__ import annotations

import io
import logging
import smtplib
import ssl
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, insert, select, update

from leadport.config import Settings
from leadport.db.bulk import utcnow
from leadport.db.engine import read_transaction, write_transaction
from leadport.db.schema import imports, members, outbox, users
from leadport.domain.model import ImportState
from leadport.services.rejected_rows import write_rejected_rows
from leadport.services.report import import_record, report_header

log = logging.getLogger("leadport.mail")

# Set when a report is queued in this process, so a sender here starts at once.
WAKE = threading.Event()
MAX_ATTACHMENT = 10 * 1024**2


def enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def enqueue_report(engine: Engine, settings: Settings, import_id: int) -> None:
    """Queue the report of a finished import for its member; any trouble here is only logged."""
    if not enabled(settings):
        return
    try:
        with write_transaction(engine) as conn:
            row = conn.execute(
                select(imports.c.state, imports.c.dry_run, users.c.email)
                .join(members, members.c.id == imports.c.member_id)
                .join(users, users.c.id == members.c.user_id)
                .where(imports.c.id == import_id)
            ).first()
            if (
                row is None
                or row.dry_run
                or row.state not in (ImportState.COMPLETED, ImportState.FAILED)
            ):
                return
            if conn.execute(select(outbox.c.id).where(outbox.c.import_id == import_id)).first():
                return
            conn.execute(
                insert(outbox).values(
                    import_id=import_id, recipient=row.email, attempts=0, created_at=utcnow()
                )
            )
        WAKE.set()
    except Exception:
        log.exception("could not queue the report of import %s", import_id)


def build_message(
    engine: Engine, settings: Settings, import_id: int, recipient: str
) -> EmailMessage:
    with read_transaction(engine) as conn:
        record = import_record(conn, import_id)
        header = report_header(record)
        msg = EmailMessage()
        msg["From"] = settings.smtp_sender
        msg["To"] = recipient
        name = record["file_name"] or f"{record['source']} batch"
        if record["state"] == ImportState.FAILED:
            msg["Subject"] = f"leadport: import {import_id} of {name} failed"
            msg.set_content(f"Import {import_id} of {name} failed: {record['error']}\n")
            return msg
        acc = header["account"]
        msg["Subject"] = (
            f"leadport: import {import_id} of {name}: {acc['added']} added, "
            f"{acc['modified']} modified, {acc['rejected']} rejected"
        )
        msg.set_content(summary_text(import_id, name, header))
        csv_text = io.StringIO()  # a dry run keeps no cells: nothing to attach
        count = 0 if record["dry_run"] else write_rejected_rows(conn, record, csv_text)
    data = csv_text.getvalue().encode("utf-8")  # the BOM is in the text already
    if count and len(data) <= MAX_ATTACHMENT:
        msg.add_attachment(
            data, maintype="text", subtype="csv", filename=f"rejected-{import_id}.csv"
        )
    return msg


def summary_text(import_id: int, name: str, header: dict[str, Any]) -> str:
    acc = header["account"]
    lines = [
        f"Import {import_id} of {name} is {header['state']}.",
        "",
        f"Rows read: {header['rows_read']}",
        f"Added: {acc['added']}  Modified: {acc['modified']}  Rejected: {acc['rejected']}",
    ]
    if header["campaign"]:
        c = header["campaign"]
        lines.append(
            f"Campaign: {c['imported']} imported, {c['excluded_duplicates']} excluded as duplicates, "
            f"{c['active_elsewhere']} active elsewhere, {c['failed']} failed"
        )
    lines += ["", "Outcomes:"] + [f"  {code}: {n}" for code, n in header["codes"].items()]
    if acc["rejected"] or (
        header["campaign"] and header["campaign"]["imported"] < acc["added"] + acc["modified"]
    ):
        lines += [
            "",
            "The rows not taken are attached with the reason for each; fix them and import the file "
            "again as it is (the leadport_* columns are ignored).",
        ]
    return "\n".join(lines) + "\n"


def send(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host is not None
    smtp_class = smtplib.SMTP_SSL if settings.smtp_tls else smtplib.SMTP
    with smtp_class(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls and not settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def deliver_due(engine: Engine, settings: Settings) -> int:
    """Send every report whose next attempt is due; returns how many were sent."""
    now = utcnow()
    with read_transaction(engine) as conn:
        rows = conn.execute(
            select(
                outbox.c.id,
                outbox.c.import_id,
                outbox.c.recipient,
                outbox.c.attempts,
                outbox.c.created_at,
            )
            .where(outbox.c.sent_at.is_(None), outbox.c.attempts < settings.mail_max_attempts)
            .order_by(outbox.c.id)
            .limit(100)
        ).all()
    sent = 0
    for row in rows:
        wait = timedelta(seconds=settings.mail_retry_seconds * (2**row.attempts - 1))
        if _aware(row.created_at) + wait <= now and _claim(engine, row.id, row.attempts):
            sent += _attempt(engine, settings, row)
    return sent


def _claim(engine: Engine, outbox_id: int, attempts: int) -> bool:
    with write_transaction(engine) as conn:
        return (
            conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == outbox_id,
                    outbox.c.attempts == attempts,
                    outbox.c.sent_at.is_(None),
                )
                .values(attempts=attempts + 1)
            ).rowcount
            == 1
        )


def _attempt(engine: Engine, settings: Settings, row: Any) -> int:
    try:
        send(settings, build_message(engine, settings, row.import_id, row.recipient))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        final = row.attempts + 1 >= settings.mail_max_attempts
        log.warning(
            "report of import %s to %s not sent (attempt %s%s): %s",
            row.import_id,
            row.recipient,
            row.attempts + 1,
            ", giving up" if final else "",
            error,
        )
        with write_transaction(engine) as conn:
            conn.execute(
                update(outbox).where(outbox.c.id == row.id).values(last_error=error[:2000])
            )
        return 0
    with write_transaction(engine) as conn:
        conn.execute(
            update(outbox).where(outbox.c.id == row.id).values(sent_at=utcnow(), last_error=None)
        )
    log.info("report of import %s sent to %s", row.import_id, row.recipient)
    return 1


class MailSender:
    """The thread that empties the outbox: woken by a new report, else every few seconds."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leadport-mail", daemon=True)

    def start(self) -> None:
        if enabled(self.settings):
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        WAKE.set()
        if self._thread.is_alive():
            self._thread.join(timeout=35)

    def _loop(self) -> None:
        poll = max(0.2, min(5.0, self.settings.mail_retry_seconds / 2))
        while not self._stop.is_set():
            WAKE.clear()
            try:
                deliver_due(self.engine, self.settings)
            except Exception:
                log.exception("the mail sender failed; it will try again")
            WAKE.wait(poll)
