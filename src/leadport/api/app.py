"""The FastAPI app factory: routes, the one error mapping, and the background parts' lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from leadport.api import errors
from leadport.api.deps import Server
from leadport.api.routes import (
    activities,
    apikeys,
    exports,
    history,
    imports,
    leads,
    rollbacks,
    stats,
    workspace,
)
from leadport.bootstrap import App
from leadport.services.housekeeping import Housekeeper
from leadport.services.mailer import MailSender
from leadport.services.queue import RunnableQueue, make_queue

DESCRIPTION = """Lead imports you can trust and undo.

Every `/api/v1` route needs `Authorization: Bearer KEY` (a member's API key): 401 without a valid
key, 403 where the member's role may not, 404 for anything of another workspace. Errors are JSON
`{"code", "message", "detail"}`. Files are imported in the background (202, then follow the import);
JSON batches are imported at once and accept an `Idempotency-Key`.
"""


def create_app(app: App, *, queue: RunnableQueue | None = None, background: bool = True) -> FastAPI:
    """The API over one wired App; `background` runs the queue's worker, the mail sender and the
    housekeeping (the purge past the retention period) here."""
    queue = queue or make_queue(app.engine, app.settings)
    sender = MailSender(app.engine, app.settings)
    housekeeper = Housekeeper(app.engine, app.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if background:
            await run_in_threadpool(queue.start)
            sender.start()
            housekeeper.start()
        else:
            await run_in_threadpool(queue.prepare)
        try:
            yield
        finally:
            if background:
                housekeeper.stop()
                sender.stop()
                await run_in_threadpool(queue.stop)

    api = FastAPI(
        title="leadport",
        version=version("leadport"),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    api.state.server = Server(app, queue)
    errors.install(api)
    for router in (
        history.router,
        imports.router,
        rollbacks.router,
        leads.router,
        apikeys.router,
        workspace.router,
        workspace.health_router,
        activities.router,
        stats.router,
        exports.router,
    ):
        api.include_router(router)

    @api.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """A browser opening the server's address lands on the API's documentation."""
        return RedirectResponse("/api/v1/docs")

    return api
