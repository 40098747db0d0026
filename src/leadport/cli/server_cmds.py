"""`serve`, `worker` and `apikey`: the server side of leadport."""

from __future__ import annotations

import logging
import signal
import threading

import typer

from leadport.bootstrap import App
from leadport.cli.common import AsOpt, WorkspaceOpt, app_, resolve, say
from leadport.db.engine import is_sqlite, write_transaction
from leadport.services import apikeys

apikey_app = typer.Typer(help="API keys for the REST API.", no_args_is_help=True)


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Start the API; on SQLite it also runs the imports and sends the emailed reports."""
    import uvicorn

    from leadport.api.app import create_app

    _logging()
    app = app_()
    typer.echo(
        f"leadport serving on http://{host}:{port} (API docs: /api/v1/docs, database: {app.engine.dialect.name})"
    )
    uvicorn.run(create_app(app), host=host, port=port, log_level="info", proxy_headers=True)


def worker(
    concurrency: int = typer.Option(
        1, "--concurrency", min=1, help="Imports run at once by this process."
    ),
) -> None:
    """Run background imports and emailed reports (PostgreSQL deployments; one per machine or more)."""
    _logging()
    app = app_()
    if is_sqlite(app.engine):
        _embedded_worker(app)
        return
    from leadport.services.queue.pg import ProcrastinateQueue

    queue = ProcrastinateQueue(app.engine, app.settings)
    typer.echo(f"leadport worker {queue.worker_name} waiting for imports")
    queue.run_worker(concurrency=concurrency)


def _embedded_worker(app: App) -> None:
    """On SQLite: the worker `serve` runs, alone (when the API runs in another process)."""
    from leadport.services.housekeeping import Housekeeper
    from leadport.services.mailer import MailSender
    from leadport.services.queue.embedded import EmbeddedQueue

    queue, sender = EmbeddedQueue(app.engine, app.settings), MailSender(app.engine, app.settings)
    housekeeper = Housekeeper(app.engine, app.settings)
    if not queue.start():
        raise typer.Exit(1)
    sender.start()
    housekeeper.start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo(f"leadport worker {queue.worker_name} waiting for imports (SQLite)")
    stop.wait()
    housekeeper.stop()
    sender.stop()
    queue.stop()


@apikey_app.command("create")
def apikey_create(
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
    name: str | None = typer.Option(None, "--name", help="A name to recognize the key by."),
) -> None:
    """Create an API key for a member (default: the local admin) and print it, this once."""
    ws, member = resolve(workspace, as_)
    app = app_()
    with write_transaction(app.engine) as conn:
        new = apikeys.create_key(conn, app.settings.secret_key, member, name=name)
    typer.echo(new.secret)
    typer.echo(
        f"API key {new.key.id} (prefix {new.key.prefix}) for {member.email} in {ws.name}: "
        "store it now, it is not shown again.",
        err=True,
    )


@apikey_app.command("revoke")
def apikey_revoke(
    key: str = typer.Argument(..., help="The key's id, its prefix, or the key itself."),
    workspace: str | None = WorkspaceOpt,
    as_: str | None = AsOpt,
) -> None:
    """Revoke an API key at once."""
    ws, member = resolve(workspace, as_)
    with write_transaction(app_().engine) as conn:
        revoked = apikeys.revoke_key(conn, member, apikeys.find_key_id(conn, ws.id, key))
    say(f"API key {revoked.id} (prefix {revoked.prefix}) of {revoked.member_email} revoked.")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(apikey_app, name="apikey")
