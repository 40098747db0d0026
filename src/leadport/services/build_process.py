"""Read and build a big file's rows in a second process, while this one decides and writes.

Reading, cleaning and normalizing rows (readers, LeadBuilder) is pure and per row, and about a
third of a big import's time; the decisions and the writes need the database and the batch
before them. On a machine with a core to spare, a forked child does the first part and hands over
built batches through a pipe, so the two halves run side by side.

The child is forked after the file is opened and the mapping worked out, so it inherits both and
never touches the database. Batches travel as `marshal` data (plain tuples: several times cheaper
to load than pickled objects). A row that may add a lead (most rows) travels slim, as a
`SentLead`: its cells as one string, and not its values by target, which only the rows that do
not simply add a lead need (built again here on first use). A reader's refusal in the child (a
limit, a broken file) is sent back and raised here as it would have been in-process. If this
side stops early (an error, a cancel), the child is killed; if the child dies, this side raises.

Only from the main thread of a process with a spare core: forking a process whose other threads
hold locks (a server) is not safe, so server imports build in-process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from itertools import islice
from typing import Any

from leadport.crash_points import crash_point
from leadport.domain.lead_input import LeadInput
from leadport.readers.base import Progress, RawRow

_HEADER = struct.Struct("<BQ")  # message kind, payload length
_BATCH, _ERROR, _END = 0, 1, 2

Build = Callable[[int, list[str]], LeadInput]  # LeadBuilder.build
_SEPARATOR = "\x1f"  # between a slim row's cells (a row whose cells hold it is sent as a list)
_WHOLE = len(dataclasses.fields(LeadInput))  # values of a row sent whole (`_pack`)


def child_worth_it(file_bytes: int | None, min_bytes: int) -> bool:
    """Whether a child process should build this import's rows: a file big enough that the fork
    and the hand-over cost less than they save (`min_bytes`, 0: never), in a process where a
    fork is safe and pays (`fork_pays_here`)."""
    return file_bytes is not None and min_bytes > 0 and file_bytes >= min_bytes and fork_pays_here()


def fork_pays_here() -> bool:
    """A core to spare, and no thread that could hold a lock across the fork."""
    return (
        hasattr(os, "fork")
        and len(os.sched_getaffinity(0)) > 1
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() <= 2  # this thread, and at most a progress bar's
    )


def build_in_process(
    rows: Iterator[RawRow], build: Build, size: int
) -> Generator[list[LeadInput], None, None]:
    items = (
        build(r.row, r.cells) if r.error is None else LeadInput(r.row, r.cells, error=r.error)
        for r in rows
    )
    while batch := list(islice(items, size)):
        yield batch


def build_in_child(
    rows: Iterator[RawRow], build: Build, size: int, progress: Progress, *, rebuildable: bool
) -> Generator[list[LeadInput], None, None]:
    """The same batches as `build_in_process`, built by a forked child; `progress` follows it.

    `rebuildable`: `build` gives the same row again from the same cells (no transform, whose
    plug-ins may keep state), so rows may be sent slim."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, send, and leave without running any of the parent's exits
        os.close(read_end)
        _child(rows, build, size, progress, write_end, _pack_slim if rebuildable else _pack)
    os.close(write_end)
    finished = False
    try:
        with os.fdopen(read_end, "rb", buffering=1 << 20) as pipe:
            while True:
                kind, payload = _receive(pipe)
                if kind == _END:
                    finished = True
                    return
                if kind == _ERROR:
                    finished = True
                    raise pickle.loads(payload)
                done, total, packed = marshal.loads(payload)
                progress.done, progress.total = done, total
                yield [LeadInput(*p) if len(p) == _WHOLE else SentLead(p, build) for p in packed]
    finally:
        if not finished:
            _kill(pid)
        os.waitpid(pid, 0)


def _child(
    rows: Iterator[RawRow],
    build: Build,
    size: int,
    progress: Progress,
    fd: int,
    pack: Callable[[LeadInput], tuple[object, ...]],
) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        crash_point("import-build-child")
        with os.fdopen(fd, "wb", buffering=1 << 20) as pipe:
            try:
                for batch in build_in_process(rows, build, size):
                    packed = [pack(lead) for lead in batch]
                    _send(pipe, _BATCH, marshal.dumps((progress.done, progress.total, packed)))
            except Exception as error:  # a reader's refusal: the parent raises it
                _send(pipe, _ERROR, _pickled(error))
                return
            _send(pipe, _END, b"")
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _pack(lead: LeadInput) -> tuple[object, ...]:
    """LeadInput's fields in order, as plain values (warnings are str enums: sent as str)."""
    return (
        lead.row,
        lead.cells,
        lead.fields,
        lead.custom,
        lead.tags,
        lead.email_present,
        lead.email_valid,
        lead.linkedin_key,
        lead.name_key,
        [str(w) for w in lead.warnings],
        lead.error,
        lead.email,
        lead.keys,
        lead.prepared,
    )


def _pack_slim(lead: LeadInput) -> tuple[object, ...]:
    """A row that may add a lead as `SentLead` takes it; any other row whole (`_pack`)."""
    if lead.prepared is None:
        return _pack(lead)
    cells = lead.cells
    text = _SEPARATOR.join(cells)
    return (
        lead.row,
        text if cells and text.count(_SEPARATOR) == len(cells) - 1 else cells,
        lead.email_present,
        lead.email_valid,
        lead.linkedin_key,
        lead.name_key,
        [str(w) for w in lead.warnings],
        lead.email,
        lead.keys,
        lead.prepared,
    )


class SentLead(LeadInput):
    """A row sent slim by the child (`_pack_slim`). Its cells arrive as one string, split on
    first use; its values by target (`fields`, `custom`, `tags`) are built again from the cells
    on first use, by the builder that built them in the child. Most rows of a big import just
    add a lead, from the identifiers and the insert's columns (`prepared`) alone: for them,
    neither happens, and the hand-over carries and frees far fewer objects.

    Python calls `__getattr__` only for an attribute not found, here the slots left unset."""

    __slots__ = ("_build", "_sent_cells")

    def __init__(self, sent: tuple[Any, ...], build: Build) -> None:
        (
            self.row,
            self._sent_cells,
            self.email_present,
            self.email_valid,
            self.linkedin_key,
            self.name_key,
            self.warnings,
            self.email,
            self.keys,
            self.prepared,
        ) = sent
        self.error = None
        self._build = build

    def __getattr__(self, name: str) -> Any:
        if name == "cells":
            sent = self._sent_cells
            self.cells = sent.split(_SEPARATOR) if type(sent) is str else sent
            return self.cells
        if name in ("fields", "custom", "tags"):
            whole = self._build(self.row, self.cells)
            self.fields, self.custom, self.tags = whole.fields, whole.custom, whole.tags
            return getattr(self, name)
        raise AttributeError(name)


def _pickled(error: Exception) -> bytes:
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(str(error)))


def _send(pipe: object, kind: int, payload: bytes) -> None:
    write = pipe.write  # type: ignore[attr-defined]
    write(_HEADER.pack(kind, len(payload)))
    write(payload)


def _receive(pipe: object) -> tuple[int, bytes]:
    read = pipe.read  # type: ignore[attr-defined]
    header = read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise RuntimeError("The process reading the file stopped before the end of the file.")
    kind, length = _HEADER.unpack(header)
    payload = read(length)
    if len(payload) < length:
        raise RuntimeError("The process reading the file stopped before the end of the file.")
    return kind, payload


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
