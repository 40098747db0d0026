"""The upload form: its OpenAPI description, and its fields turned into ImportOptions.

Options are plain form fields beside the file, as the CLI's flags are: repeat a field for a
list (`tags`, `ignore`, `transforms`); `mapping` is a JSON object of header → field.
"""

from __future__ import annotations

import json
from typing import Any

from leadport.domain.model import Mode, Policy, Source
from leadport.domain.options import ImportOptions
from leadport.errors import UsageError

SINGLE = ("campaign", "mode", "policy", "sheet", "encoding", "saved_mapping", "save_mapping_as")
FLAGS = ("overwrite", "dry_run")
LISTS = ("tags", "ignore", "transforms")
TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}

_text = {"type": "string"}
_list = {"type": "array", "items": {"type": "string"}}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV, TSV or XLSX.",
                        },
                        "campaign": {
                            **_text,
                            "description": "Add the leads to this campaign (by name).",
                        },
                        "mode": {"type": "string", "enum": [m.value for m in Mode]},
                        "policy": {"type": "string", "enum": [p.value for p in Policy]},
                        "overwrite": {"type": "boolean"},
                        "tags": {
                            **_list,
                            "description": "Tags for every lead created or modified.",
                        },
                        "mapping": {
                            **_text,
                            "description": "JSON object: header → field, custom:NAME or ignore.",
                        },
                        "ignore": _list,
                        "transforms": _list,
                        "sheet": {**_text, "description": "XLSX sheet name (default: the first)."},
                        "encoding": _text,
                        "saved_mapping": _text,
                        "save_mapping_as": _text,
                        "dry_run": {
                            "type": "boolean",
                            "description": "Compute the exact report; write nothing.",
                        },
                    },
                },
                "encoding": {name: {"style": "form", "explode": True} for name in LISTS},
            }
        },
    }
}


def _flag(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise UsageError(f"The field {name!r} must be true or false, not {value!r}.")


def _mapping(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for raw in values:
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"The field 'mapping' must be a JSON object of header → field: {exc.msg}."
            ) from exc
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise UsageError(
                'The field \'mapping\' must be a JSON object of header → field, e.g. {"Mail": "email"}.'
            )
        mapping.update(parsed)
    return mapping


def options_from_form(
    fields: dict[str, list[str]], *, file_name: str, source: str
) -> ImportOptions:
    unknown = sorted(set(fields) - {*SINGLE, *FLAGS, *LISTS, "mapping"})
    if unknown:
        known = ", ".join((*SINGLE, *FLAGS, *LISTS, "mapping"))
        raise UsageError(f"Unknown upload field {unknown[0]!r}; the fields are file, {known}.")
    values: dict[str, Any] = {}
    for name in SINGLE:
        if fields.get(name) and fields[name][-1].strip():
            values[name] = fields[name][-1].strip()
    for name in FLAGS:
        if fields.get(name):
            values[name] = _flag(name, fields[name][-1])
    for name in LISTS:
        items = [v.strip() for v in fields.get(name, []) if v.strip()]
        if items:
            values[name] = items
    if fields.get("mapping"):
        values["mapping"] = _mapping(fields["mapping"])
    return ImportOptions(**values, source=Source(source), file_name=file_name)
