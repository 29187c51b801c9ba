"""The /cgi-bin/ pipeline every API call goes through, in WeCom's order.

faults → access_token (41001/40014/42001) → per-API frequency limit (45009) → handler →
outbox. Handlers are synchronous functions of a Call that return the success body or raise
ApiError; this module adds ``errcode``/``errmsg`` and records every call in the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Final

from aiohttp import BodyPartReader, web

from bot.sandbox.api.params import Params
from bot.sandbox.errcodes import (
    API_NOT_FOUND,
    BAD_JSON,
    FREQUENCY_LIMIT,
    OK,
    SYSTEM_BUSY,
    ApiError,
)
from bot.sandbox.faults import Fault
from bot.sandbox.records import Json, JsonMap
from bot.sandbox.state import Corp
from bot.sandbox.world import WORLD, World

logger = logging.getLogger(__name__)

HOLD_SECONDS: Final = 30.0  # a timeout fault holds the request this long (or until hang-up)
_SECRET_FIELDS: Final = frozenset({"access_token", "corpsecret"})  # never recorded

Handler = Callable[["Call"], Json]
# A handler answering bytes (media/get) returns {RAW_BODY: RawBody(...)}: the call answers
# those bytes instead of JSON, and the outbox records their size.
RAW_BODY: Final = "__raw_body__"


@dataclass(frozen=True, slots=True)
class RawBody:
    """Bytes to answer instead of JSON."""

    content: bytes
    content_type: str
    filename: str


@dataclass(frozen=True, slots=True)
class FilePart:
    """One file of a multipart call (media/upload's ``media``)."""

    filename: str
    content_type: str
    content: bytes

    def recorded(self) -> Json:
        """What the outbox shows instead of the bytes."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.content),
        }


@dataclass(frozen=True, slots=True)
class Call:
    """One API call as a handler sees it."""

    world: World
    app: str  # the app whose access_token was used ("" for gettoken)
    params: Params
    now: datetime
    notes: dict[str, object] = field(default_factory=dict)  # extra outbox fields
    origin: str = ""  # scheme://host of the request: URLs the sandbox hands out point here

    @property
    def corp(self) -> Corp:
        """The sandbox corp."""
        return self.world.corp


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API: its path after /cgi-bin/, its HTTP method and its handler."""

    api: str
    method: str
    handler: Handler
    needs_token: bool = True
    rate_limited: bool = True  # message/send has per-member limits instead (doc 90454)


def _answer(body: JsonMap, status: int = 200) -> web.Response:
    dumps = partial(json.dumps, ensure_ascii=False)
    return web.json_response(dict(body), status=status, dumps=dumps)


def _error(exc: ApiError) -> Json:
    return {"errcode": exc.errcode, "errmsg": exc.errmsg}


async def _read_params(request: web.Request) -> Mapping[str, object]:
    query = {k: v for k, v in request.query.items() if k != "access_token"}
    if request.method == "GET":
        return query
    if request.content_type.startswith("multipart/"):
        return {**query, **await _read_form(request)}
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(BAD_JSON, "Warning: wrong json format.") from exc
    if not isinstance(body, dict):
        raise ApiError(BAD_JSON, "Warning: wrong json format. the body must be an object")
    return body


async def _read_form(request: web.Request) -> dict[str, object]:
    """A multipart body: files as FilePart, other fields as text (uploads, doc 90253)."""
    found: dict[str, object] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        content = await part.read(decode=False)
        if part.filename is not None:
            kind = part.headers.get("Content-Type", "application/octet-stream")
            found[part.name] = FilePart(part.filename, kind, bytes(content))
        else:
            found[part.name] = bytes(content).decode("utf-8", errors="replace")
    return found


def _recordable(value: object) -> object:
    return value.recorded() if isinstance(value, FilePart) else value


async def _hold(request: web.Request) -> None:
    """Keep the request open until the client hangs up or HOLD_SECONDS pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HOLD_SECONDS
    while loop.time() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(0.02)


class Pipeline:
    """Serves /cgi-bin/{api} from a table of endpoints."""

    def __init__(self, endpoints: Iterable[Endpoint]) -> None:
        self._table = {(e.method, e.api): e for e in endpoints}
        self._apis = {e.api for e in self._table.values()}

    def routes(self) -> list[web.RouteDef]:
        """One route for every API path and method."""
        return [web.route("*", "/cgi-bin/{api:.+}", self.serve)]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """Answer one API call the way WeCom would."""
        world = request.app[WORLD]
        api = request.match_info["api"].strip("/")
        endpoint = self._table.get((request.method, api))
        if endpoint is None:
            known = api in self._apis
            message = f"{api} takes another HTTP method" if known else f"no such API: {api}"
            return _answer({"errcode": API_NOT_FOUND, "errmsg": message}, 405 if known else 404)
        now = world.now()
        world.corp.settle(now)
        try:
            raw = await _read_params(request)
        except ApiError as exc:
            return self._finish(world, endpoint, {}, _error(exc), now)
        recorded = {k: _recordable(v) for k, v in raw.items() if k not in _SECRET_FIELDS}
        fault = world.faults.take(api, now)
        if fault is not None:
            faulted = await self._apply_fault(
                request, world, endpoint, fault, recorded=recorded, now=now
            )
            if faulted is not None:
                return faulted
        call_app, response, notes = self._call(world, endpoint, request, raw, now)
        if fault is not None:
            notes["fault_id"] = fault.fault_id
        raw_body = response.pop(RAW_BODY, None)
        if isinstance(raw_body, RawBody):
            response["size"] = len(raw_body.content)
        answer = self._finish(world, endpoint, recorded, response, now, app=call_app, notes=notes)
        if isinstance(raw_body, RawBody):
            disposition = f'attachment; filename="{raw_body.filename}"'
            return web.Response(
                body=raw_body.content,
                content_type=raw_body.content_type,
                headers={"Content-Disposition": disposition},
            )
        return answer

    def _call(
        self,
        world: World,
        endpoint: Endpoint,
        request: web.Request,
        raw: Mapping[str, object],
        now: datetime,
    ) -> tuple[str | None, Json, dict[str, object]]:
        app: str | None = None
        call: Call | None = None
        try:
            if endpoint.needs_token:
                app = world.tokens.check(request.query.get("access_token"), now).app
            if endpoint.rate_limited and not world.api_limits.allow(endpoint.api, now):
                raise ApiError(FREQUENCY_LIMIT, f"api freq out of limit: {endpoint.api}")
            origin = f"{request.scheme}://{request.host}"
            call = Call(world, app or "", Params(raw), now, origin=origin)
            response: Json = {"errcode": OK, "errmsg": "ok", **endpoint.handler(call)}
        except ApiError as exc:
            response = _error(exc)
        return app, response, call.notes if call is not None else {}

    async def _apply_fault(
        self,
        request: web.Request,
        world: World,
        endpoint: Endpoint,
        fault: Fault,
        *,
        recorded: JsonMap,
        now: datetime,
    ) -> web.StreamResponse | None:
        """Apply a fault; return the answer if the fault decides it, else None (go on)."""
        if fault.invalidate_tokens:
            world.tokens.revoke_all()
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        notes = {"fault_id": fault.fault_id}
        if fault.timeout:
            world.outbox.record(endpoint.api, endpoint.method, recorded, None, now, extra=notes)
            await _hold(request)
            return _answer({"errcode": SYSTEM_BUSY, "errmsg": "system busy (held by a fault)"})
        if fault.errcode is None:
            return None
        message = fault.errmsg or f"fault injected by the sandbox ({fault.fault_id})"
        response = {"errcode": fault.errcode, "errmsg": message}
        return self._finish(world, endpoint, recorded, response, now, notes=notes)

    @staticmethod
    def _finish(
        world: World,
        endpoint: Endpoint,
        recorded: JsonMap,
        response: Json,
        now: datetime,
        *,
        app: str | None = None,
        notes: Mapping[str, object] | None = None,
    ) -> web.Response:
        shown = {k: "<redacted>" if k == "access_token" else v for k, v in response.items()}
        world.outbox.record(
            endpoint.api, endpoint.method, recorded, shown, now, app=app, extra=notes
        )
        if response.get("errcode"):
            logger.info("%s answered errcode %s", endpoint.api, response["errcode"])
        return _answer(response)
