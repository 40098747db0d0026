"""The one place where refusals become HTTP: status by error class, body `{code, message, detail}`.

Services raise the LeadportError tree and know nothing of HTTP; request validation, unknown
routes and anything unexpected end here too, so no traceback ever reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadport.errors import (
    ConflictError,
    InputFileError,
    LeadportError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)

log = logging.getLogger("leadport.api")


class NotAuthenticatedError(LeadportError):
    """No API key, or one that is unknown or revoked."""

    code = "not_authenticated"


class ErrorPublic(BaseModel):
    code: str = Field(
        description="Stable machine-readable name of the error.", examples=["not_found"]
    )
    message: str = Field(
        description="One sentence for a person, naming the fix where there is one."
    )
    detail: Any = Field(
        default=None, description="Where it went wrong (file, row, column, limit…), or null."
    )


STATUS: tuple[tuple[type[LeadportError], int], ...] = (
    (NotAuthenticatedError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (LimitExceededError, 413),
    (InputFileError, 422),
    (UsageError, 422),
)

DESCRIPTIONS = {
    401: "No valid API key: send `Authorization: Bearer KEY`.",
    403: "The member's role may not do this.",
    404: "Not found in this workspace (also anything of another workspace).",
    409: "Clashes with the current state.",
    413: "Over a configured size limit; the message names it.",
    422: "Invalid input; the message says which and why.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route (401 and 422 are on every authenticated route)."""
    wanted = sorted({401, 422, *statuses})
    return {s: {"model": ErrorPublic, "description": DESCRIPTIONS[s]} for s in wanted}


def status_of(exc: LeadportError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 422


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail}


def _leadport_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LeadportError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        error_body(exc.code, exc.message, exc.detail or None), status_code=status, headers=headers
    )


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError | ValidationError) else []
    problems = [_problem(e) for e in errors]
    first = problems[0] if problems else {"where": "request", "problem": "invalid"}
    message = f"Invalid {first['where'] or 'request'}: {first['problem']}."
    return JSONResponse(error_body("usage_error", message, {"errors": problems}), status_code=422)


def _problem(error: Any) -> dict[str, str]:
    """Where and what, for one validation error. A body that is not JSON is located by
    character (FastAPI gives `("body", position)`), which reads as `body.0` otherwise."""
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error") or "JSON decode error"
        at = f", at character {loc[1]}" if len(loc) > 1 else ""
        return {"where": "body", "problem": f"not valid JSON ({reason}{at})"}
    return {"where": ".".join(str(p) for p in loc), "problem": error.get("msg", "")}


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # a body the framework could not parse: the caller's input, like 422
        return JSONResponse(
            error_body("usage_error", f"The request body could not be read: {exc.detail}."),
            status_code=422,
        )
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = "No such route." if exc.status_code == 404 else str(exc.detail)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


def _database_data_error(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL refuses NUL in text even in a look-up; that is the caller's input, not a fault."""
    if "NUL (0x00)" in str(exc):
        return JSONResponse(
            error_body("usage_error", "Text may not contain NUL (U+0000) characters."),
            status_code=422,
        )
    return _unexpected(request, exc)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        error_body("internal_error", f"Unexpected error ({type(exc).__name__}); it was logged."),
        status_code=500,
    )


def install(api: FastAPI) -> None:
    api.add_exception_handler(LeadportError, _leadport_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(StarletteHTTPException, _http_error)
    api.add_exception_handler(DataError, _database_data_error)
    api.add_exception_handler(Exception, _unexpected)
