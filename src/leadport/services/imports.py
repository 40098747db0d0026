"""The import pipeline: one service behind every door (CLI, API, web).

source → mapping → transforms → identity → account step → campaign step → writes, a batch at a
time, inside one transaction: the import is written whole or not at all. A dry run is the same
path, rolled back at the end, so it cannot drift from the real thing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert, select, update

from leadport.config import Settings
from leadport.crash_points import crash_point
from leadport.db import lead_lookups as q
from leadport.db.bulk import utcnow
from leadport.db.engine import WRITE, import_connection, lock_workspace, read_transaction
from leadport.db.import_writes import new_lead_payload
from leadport.db.schema import imports, saved_mappings
from leadport.db.seen_keys import SeenKeys
from leadport.domain.campaign_policy import CampaignRules
from leadport.domain.lead_input import LeadBuilder
from leadport.domain.mapping import resolve_mapping
from leadport.domain.model import ImportState, Policy
from leadport.domain.options import ImportOptions
from leadport.domain.transforms import load_transforms
from leadport.errors import NotFoundError
from leadport.services import directory
from leadport.services.build_process import build_in_child, build_in_process, child_worth_it
from leadport.services.import_batch import BatchPipeline
from leadport.services.import_run import ImportRun, RowSink
from leadport.services.import_source import RowSource, batch_source, open_file_source


class ImportObserver(Protocol):
    """How a door watches an import: progress as it goes, and a way to ask it to stop."""

    def progress(self, rows_done: int, done: int, total: int | None) -> None: ...

    def cancelled(self) -> bool: ...


class ImportCancelledError(Exception):
    """Raised between batches when the observer asks to stop; the transaction rolls back."""


@dataclass(frozen=True)
class ImportRequest:
    workspace_id: int
    member_id: int | None
    options: ImportOptions
    path: Path | None = None
    rows: list[dict[str, Any]] | None = None
    import_id: int | None = None  # an import row created earlier (queued), to run now
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    state: str
    dry_run: bool
    source: str
    file_name: str | None
    summary: dict[str, Any]
    repeat_of: dict[str, Any] | None

    def report_header(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "state": self.state,
            "dry_run": self.dry_run,
            "source": self.source,
            "file_name": self.file_name,
            **_public(self.summary),
        }


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary[k] for k in ("rows_read", "account", "campaign", "codes")}


def open_source(request: ImportRequest, settings: Settings) -> RowSource:
    opts = request.options
    if request.rows is not None:
        return batch_source(request.rows, source=opts.source)
    assert request.path is not None
    return open_file_source(
        request.path,
        file_name=opts.file_name,
        sheet=opts.sheet,
        encoding=opts.encoding,
        settings=settings,
    )


def run_import(
    engine: Engine,
    settings: Settings,
    request: ImportRequest,
    *,
    observer: ImportObserver | None = None,
    row_sink: RowSink | None = None,
) -> ImportResult:
    """Run one import to the end and return its summary; refusals raise before anything is written."""
    with open_source(request, settings) as src, _fewer_collections():
        repeat = find_repeat(engine, request, src.sha256)
        with (
            engine.connect().execution_options(**{WRITE: True}) as outer,
            import_connection(outer) as conn,
        ):
            trans = conn.begin()
            try:
                result = _run(conn, settings, request, src, repeat, observer, row_sink)
            except BaseException:
                trans.rollback()
                raise
            if request.options.dry_run:
                trans.rollback()
            else:
                trans.commit()
            return result


_GC_LOCK = threading.Lock()
_gc_users = 0
_gc_before: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while imports run.

    An import allocates a few objects per cell and frees them a batch later; with the default
    thresholds the collector runs every 700 allocations and now and then walks every object the
    process holds (identifier caches, library tables): a third of a 100k-row import's time.
    Objects alive before the first running import are frozen out of the collections, and rows
    make no reference cycles, so collecting every 50,000 allocations keeps memory where it was.
    Imports running side by side (server threads) share the setting; the last one restores it.
    """
    global _gc_users, _gc_before
    with _GC_LOCK:
        if _gc_users == 0:
            _gc_before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(50_000, _gc_before[1], _gc_before[2])
        _gc_users += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_before)
                gc.unfreeze()


def _run(
    conn: Connection,
    settings: Settings,
    request: ImportRequest,
    src: RowSource,
    repeat: dict[str, Any] | None,
    observer: ImportObserver | None,
    row_sink: RowSink | None,
) -> ImportResult:
    opts = request.options
    lock_workspace(conn, request.workspace_id)
    ws = directory.workspace_by_id(conn, request.workspace_id)
    campaign = directory.find_campaign(conn, ws.id, opts.campaign) if opts.campaign else None
    mapping = _mapping(conn, ws.id, src, opts)
    transforms = load_transforms(list(opts.transforms))
    import_id, late_values = _start_import_row(
        conn, request, src, campaign.id if campaign else None, repeat
    )
    limit = ws.effective_limit
    policy = opts.policy or Policy(ws.default_policy)
    run = ImportRun(
        conn=conn,
        workspace_id=ws.id,
        import_id=import_id,
        mode=opts.mode,
        overwrite=opts.overwrite,
        campaign=CampaignRules(
            campaign.id, policy, campaign.required_fields, campaign.reject_invalid_leads
        )
        if campaign
        else None,
        secret_key=settings.secret_key,
        now=utcnow(),
        seen=SeenKeys(conn, workspace_had_leads=q.has_any(conn, "leads", ws.id)),
        capacity_left=None if limit is None else limit - q.count_leads(conn, ws.id),
        plan_limit=limit,
        batch_size=settings.import_batch_size,
        row_sink=row_sink,
        deleted_list_in_use=q.has_any(conn, "deleted_emails", ws.id),
        dnc_in_use=q.has_any(conn, "do_not_contact", ws.id),
    )
    builder = LeadBuilder(
        tuple(mapping.targets),
        transforms=transforms,
        region=ws.region,
        import_tags=list(opts.tags),
        full_name_field=mapping.full_name_header(),
        prepare=new_lead_payload(conn),
    )
    size = settings.import_batch_size
    file_bytes = request.path.stat().st_size if request.path is not None else None
    batches = (
        build_in_child(
            src.rows, builder.build, size, src.progress, rebuildable=not builder.transforms
        )
        if child_worth_it(file_bytes, settings.import_build_process_min_bytes)
        else build_in_process(src.rows, builder.build, size)
    )
    pipeline = BatchPipeline(run)
    try:
        for batch in batches:
            if observer is not None and observer.cancelled():
                raise ImportCancelledError(f"Import {import_id} was cancelled.")
            outcomes = pipeline.push(batch)
            run.tally.count(outcomes)
            if row_sink is not None:
                for outcome in outcomes:
                    row_sink(outcome)
            if observer is not None:
                observer.progress(run.tally.rows_read, src.progress.done, src.progress.total)
            crash_point("import-batch")
        pipeline.finish()
    except BaseException:
        batches.close()  # stops a child building rows
        run.writer.settle()  # nothing may write while the transaction rolls back
        raise
    finally:
        run.writer.close()
    summary = run.tally.summary(campaign_step=run.campaign_step)
    summary["mapping"] = mapping.as_dict()
    summary["headers"] = src.headers
    if repeat:
        summary["repeat_of"] = repeat
    conn.execute(
        update(imports)
        .where(imports.c.id == import_id)
        .values(
            state=ImportState.COMPLETED,
            summary=summary,
            rows_total=run.tally.rows_read,
            rows_done=run.tally.rows_read,
            finished_at=utcnow(),
            **late_values,
        )
    )
    return ImportResult(
        import_id, ImportState.COMPLETED, opts.dry_run, src.source, src.file_name, summary, repeat
    )


def _mapping(conn: Connection, workspace_id: int, src: RowSource, opts: ImportOptions) -> Any:
    overrides: dict[str, str] = {}
    if opts.saved_mapping:
        saved = conn.execute(
            select(saved_mappings.c.mapping).where(
                saved_mappings.c.workspace_id == workspace_id,
                saved_mappings.c.name == opts.saved_mapping,
            )
        ).scalar()
        if saved is None:
            raise NotFoundError(f"No saved mapping named {opts.saved_mapping!r}.")
        overrides.update({h: t for h, t in saved.items() if h in src.headers})
    overrides.update(opts.mapping)
    mapping = resolve_mapping(
        src.headers, src.samples, overrides=overrides, ignore=list(opts.ignore)
    )
    if opts.save_mapping_as and not opts.dry_run:
        _save_mapping(conn, workspace_id, opts.save_mapping_as, mapping.as_dict())
    return mapping


def _save_mapping(conn: Connection, workspace_id: int, name: str, mapping: dict[str, Any]) -> None:
    conn.execute(
        saved_mappings.delete().where(
            saved_mappings.c.workspace_id == workspace_id, saved_mappings.c.name == name
        )
    )
    conn.execute(
        insert(saved_mappings).values(
            workspace_id=workspace_id, name=name, mapping=mapping, created_at=utcnow()
        )
    )


def _start_import_row(
    conn: Connection,
    request: ImportRequest,
    src: RowSource,
    campaign_id: int | None,
    repeat: dict[str, Any] | None,
) -> tuple[int, dict[str, Any]]:
    opts = request.options
    values: dict[str, Any] = dict(
        file_sha256=src.sha256,
        repeat_of=int(repeat["import_id"]) if repeat else None,
        campaign_id=campaign_id,
    )
    if request.import_id is not None:
        # A queued row is claimed (state running) by the job that runs it. Updating it here would
        # lock it until commit, and the job's heartbeat and progress, written from another
        # connection, would wait for the whole import: its values are written at the end instead.
        return request.import_id, values
    values.update(state=ImportState.RUNNING, started_at=utcnow())
    key = conn.execute(
        insert(imports).values(
            workspace_id=request.workspace_id,
            member_id=request.member_id,
            source=src.source,
            file_name=src.file_name,
            options=opts.model_dump(mode="json"),
            dry_run=opts.dry_run,
            idempotency_key=request.idempotency_key,
            created_at=utcnow(),
            **values,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0]), {}


def find_repeat(
    engine: Engine, request: ImportRequest, sha256: str | None
) -> dict[str, Any] | None:
    """An earlier completed import of the same content into the same target, if any."""
    if sha256 is None:
        return None
    with read_transaction(engine) as conn:
        campaign_id = None
        if request.options.campaign:
            try:
                campaign_id = directory.find_campaign(
                    conn, request.workspace_id, request.options.campaign
                ).id
            except NotFoundError:
                return None
        row = conn.execute(
            select(imports.c.id, imports.c.created_at)
            .where(
                imports.c.workspace_id == request.workspace_id,
                imports.c.file_sha256 == sha256,
                imports.c.campaign_id.is_(None)
                if campaign_id is None
                else imports.c.campaign_id == campaign_id,
                imports.c.state == ImportState.COMPLETED,
                imports.c.dry_run.is_(False),
            )
            .order_by(imports.c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return {"import_id": str(row[0]), "created_at": row[1].isoformat() if row[1] else None}
