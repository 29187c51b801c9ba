"""The admin API's one error shape: ``{"error": {"code", "message", "details"}}``.

Routes raise ``ApiError``; the middleware (``bot.admin.middleware``) answers it, and maps
aiohttp's own refusals (no such route, method not allowed, body too large) to the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel, ValidationError

CODES: Final[Mapping[int, str]] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    502: "wecom_refused",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    """One reason a request was refused: the field (``body.welcome.text``) and what is wrong."""

    field: str
    message: str
    type: str


class ErrorInfo(BaseModel):
    """What went wrong: a stable ``code``, a sentence for people, and per-field details."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """Every error answer of /api/v1."""

    error: ErrorInfo


class ApiError(Exception):
    """A refusal answered in the error shape (status from CODES)."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[ErrorDetail] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        """The JSON answer."""
        return error_response(self.status, self.message, self.details, self.headers)


def error_response(
    status: int,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """An answer in the error shape."""
    info = ErrorInfo(code=CODES.get(status, "error"), message=message, details=details or [])
    return web.json_response(
        ErrorBody(error=info).model_dump(mode="json"), status=status, headers=headers
    )


def details_of(exc: ValidationError, where: str) -> list[ErrorDetail]:
    """pydantic's errors as details, without the input echoed back or pydantic's links."""
    shown = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ".".join([where, *(str(part) for part in error.get("loc", ()))])
        shown.append(ErrorDetail(field=field, message=error["msg"], type=error["type"]))
    return shown


def invalid(exc: ValidationError, where: str) -> ApiError:
    """422 listing what is wrong with the request's ``where`` (body, query)."""
    details = details_of(exc, where)
    return ApiError(422, f"the request's {where} is invalid: {_summary(details)}", details)


def _summary(details: list[ErrorDetail]) -> str:
    first = details[0] if details else None
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first.field}: {first.message}{more}" if first else "invalid"


def not_found(what: str) -> ApiError:
    """404: ``what`` does not exist."""
    return ApiError(404, f"no such {what}")


def upstream(exc: Exception, status: int = 503) -> ApiError:
    """WeCom refused or could not be reached (502 refused, 503 unavailable)."""
    return ApiError(status, f"WeCom: {exc}")


def error_json(status: int, message: str) -> dict[str, Any]:
    """The error shape as a dict (for tests and documents)."""
    info = ErrorInfo(code=CODES.get(status, "error"), message=message, details=[])
    return ErrorBody(error=info).model_dump(mode="json")
