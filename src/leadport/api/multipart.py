"""Read a multipart upload as it arrives: the file part goes straight to an UploadSink on disk.

Starlette's own form parsing spools the whole file to a temporary file before a route sees it,
so a limit could only be checked afterwards; here the limit is checked on every chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from leadport.config import Settings
from leadport.errors import LeadportError, UsageError
from leadport.services.uploads import UploadSink

MAX_FIELD_BYTES = 1024 * 1024
MAX_FIELDS = 200
# After a refusal the rest of the body is read and dropped (up to this much), so the client,
# still sending, gets the 413 answer instead of a connection reset.
DRAIN_BYTES = 16 * 1024**2


@dataclass
class ParsedUpload:
    fields: dict[str, list[str]] = field(default_factory=dict)
    sink: UploadSink | None = None


class _Reader:
    """python-multipart callbacks: text fields kept in memory (bounded), the file part on disk."""

    def __init__(self, settings: Settings, file_field: str) -> None:
        self.settings, self.file_field = settings, file_field
        self.result = ParsedUpload()
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._data = bytearray()
        self._to_file = False
        self._count = 0

    def on_part_begin(self) -> None:
        self._disposition, self._data, self._to_file = b"", bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._count += 1
        if self._count > MAX_FIELDS:
            raise UsageError(f"An upload has at most {MAX_FIELDS} form fields.")
        if b"filename" in options and self._name == self.file_field:
            if self.result.sink is not None:
                raise UsageError(f"Send one file per upload (one `{self.file_field}` part).")
            self.result.sink = UploadSink(
                self.settings, options[b"filename"].decode("utf-8", "replace")
            )
            self._to_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._to_file:
            assert self.result.sink is not None
            self.result.sink.write(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > MAX_FIELD_BYTES:
            raise UsageError(
                f"The form field {self._name!r} is longer than {MAX_FIELD_BYTES} bytes."
            )

    def on_part_end(self) -> None:
        if not self._to_file and self._name:
            self.result.fields.setdefault(self._name, []).append(
                self._data.decode("utf-8", "replace")
            )


async def read_upload(
    settings: Settings,
    content_type: str | None,
    body: AsyncIterator[bytes],
    *,
    file_field: str = "file",
) -> ParsedUpload:
    """The form fields and the file (on disk) of a multipart/form-data body."""
    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise UsageError(
            "Send the file as multipart/form-data, with the file in a part named `file`."
        )
    reader = _Reader(settings, file_field)
    callbacks = {
        name: getattr(reader, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(params[b"boundary"], callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        _discard(reader.result)
        raise UsageError(f"The multipart body could not be read: {exc}.") from exc
    except LeadportError:
        _discard(reader.result)
        await drain(body)
        raise
    except BaseException:
        _discard(reader.result)
        raise
    if reader.result.sink is None:
        raise UsageError("No file in the upload: send it in a multipart part named `file`.")
    reader.result.sink.finish()
    return reader.result


async def drain(body: AsyncIterator[bytes]) -> None:
    dropped = 0
    async for chunk in body:
        dropped += len(chunk)
        if dropped > DRAIN_BYTES:
            break


def _discard(parsed: ParsedUpload) -> None:
    if parsed.sink is not None:
        parsed.sink.discard()
