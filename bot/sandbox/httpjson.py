"""JSON in and out of the /sandbox/ control routes, and their one error type."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from bot.sandbox.emitter import EmitOptions
from bot.sandbox.records import JsonMap


class ControlError(Exception):
    """A control or actor request that cannot be done: answered ``status`` with a reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def reply(body: object, status: int = 200) -> web.Response:
    """A JSON answer (UTF-8, Chinese left readable)."""
    return web.json_response(body, status=status, dumps=partial(json.dumps, ensure_ascii=False))


async def read_json(request: web.Request) -> JsonMap:
    """The request's JSON object ({} for an empty body), or ControlError 400."""
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ControlError(400, f"body is not JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def field_text(body: JsonMap, name: str, default: str | None = None) -> str:
    """A string field; required unless ``default`` is given."""
    value = body.get(name, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ControlError(400, f"{name} is required and must be a string")
    return value


def field_int(body: JsonMap, name: str, default: int | None = None) -> int:
    """An integer field; required unless ``default`` is given."""
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(400, f"{name} is required and must be an integer")
    return value


def field_strings(body: JsonMap, name: str) -> list[str]:
    """A required, non-empty list of strings."""
    value = body.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ControlError(400, f"{name} must be a non-empty list of strings")
    return [str(v) for v in value]


def emit_options(body: JsonMap, defaults: EmitOptions) -> EmitOptions:
    """Optional ``duplicates`` and ``delay_ms`` of a request that emits callbacks."""
    duplicates = field_int(body, "duplicates", defaults.duplicates)
    delay_ms = body.get("delay_ms")
    if delay_ms is None:
        return EmitOptions(max(0, duplicates), defaults.delay_seconds)
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int | float) or delay_ms < 0:
        raise ControlError(400, "delay_ms must be a non-negative number")
    return EmitOptions(max(0, duplicates), float(delay_ms) / 1000)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ControlError into a JSON answer ``{"error": reason}``."""
    try:
        return await handler(request)
    except ControlError as exc:
        return reply({"error": exc.message}, exc.status)
