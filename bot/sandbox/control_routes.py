"""The /sandbox/ control routes: state, outbox, deliveries, faults, clock and the emitter.

GET /sandbox/state, GET /sandbox/outbox and POST/DELETE /sandbox/faults are an interface
used by tools outside siyu: keep their shapes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from bot.clock import ManualClock
from bot.sandbox.faults import FaultSpecError, api_path
from bot.sandbox.httpjson import (
    ControlError,
    emit_options,
    field_text,
    read_json,
    reply,
)
from bot.sandbox.world import WORLD, World

routes = web.RouteTableDef()


def _world(request: web.Request) -> World:
    return request.app[WORLD]


@routes.get("/sandbox/state")
async def state(request: web.Request) -> web.Response:
    """The corp, its apps' credentials, and the ids of staff, customers and KF accounts."""
    world = _world(request)
    corp = world.corp
    apps = {
        name: {
            "agent_id": app.agent_id,
            "secret": app.secret,
            "token": app.token,
            "encoding_aes_key": app.encoding_aes_key,
            "callback_url": world.emitter.url_of(name),
        }
        for name, app in world.config.apps.items()
    }
    return reply(
        {
            "corp_id": corp.corp_id,
            "apps": apps,
            "staff": [s.userid for s in corp.staff.values() if not s.resigned],
            "customers": list(corp.customers),
            "kf_accounts": list(corp.kf_accounts),
            "groups": list(corp.groups),
            "contact_ways": list(corp.contact_ways),
            "now": world.now().isoformat(),
        }
    )


def _since(raw: str | None) -> tuple[int | None, datetime | None]:
    """``since`` as a seq (an integer) or a time (ISO 8601)."""
    if raw is None or raw == "":
        return None, None
    if raw.isdigit():
        return int(raw), None
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "+"))  # '+' arrives as a space
    except ValueError as exc:
        raise ControlError(400, "since must be a seq number or an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise ControlError(400, "since must carry a time zone")
    return None, moment


@routes.get("/sandbox/outbox")
async def outbox(request: web.Request) -> web.Response:
    """Every API call siyu made, oldest first; ``?api=PATH&since=SEQ|ISO8601`` filter it."""
    since_seq, since_time = _since(request.query.get("since"))
    api = api_path(request.query.get("api", "")) or None
    entries = _world(request).outbox.entries(api, since_seq, since_time)
    return reply([e.as_json() for e in entries])


@routes.get("/sandbox/deliveries")
async def deliveries(request: web.Request) -> web.Response:
    """Every callback delivery try, oldest first; ``?since=SEQ``."""
    since_seq, _ = _since(request.query.get("since"))
    found = _world(request).emitter.deliveries(since_seq or 0)
    return reply([d.as_json() for d in found])


@routes.post("/sandbox/faults")
async def add_fault(request: web.Request) -> web.Response:
    """Script a fault → ``{"fault_id"}``."""
    world = _world(request)
    try:
        fault = world.faults.add(await read_json(request), world.now())
    except FaultSpecError as exc:
        raise ControlError(400, str(exc)) from exc
    return reply({"fault_id": fault.fault_id, "fault": fault.as_json()})


@routes.get("/sandbox/faults")
async def list_faults(request: web.Request) -> web.Response:
    """The faults still live."""
    world = _world(request)
    return reply([f.as_json() for f in world.faults.active(world.now())])


@routes.delete("/sandbox/faults")
async def clear_faults(request: web.Request) -> web.Response:
    """Remove every fault."""
    return reply({"cleared": _world(request).faults.clear()})


@routes.post("/sandbox/clock")
async def advance_clock(request: web.Request) -> web.Response:
    """``{"advance_seconds": N}`` moves a ManualClock forward (409 on the system clock)."""
    clock = _world(request).clock
    body = await read_json(request)
    seconds = body.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError(400, "advance_seconds must be a non-negative number")
    if not isinstance(clock, ManualClock):
        raise ControlError(409, "the sandbox runs on the system clock")
    clock.advance(timedelta(seconds=float(seconds)))
    return reply({"now": clock.now().isoformat()})


@routes.post("/sandbox/callback_url")
async def point_emitter(request: web.Request) -> web.Response:
    """``{"app": "default", "url": "..."}``: where that app's callbacks go (null: nowhere)."""
    body = await read_json(request)
    app = field_text(body, "app", "default")
    url = body.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise ControlError(400, "url must be an http(s) URL or null")
    try:
        _world(request).emitter.point(app, url)
    except KeyError as exc:
        raise ControlError(404, f"no such app: {app}") from exc
    return reply({"app": app, "url": url})


@routes.post("/sandbox/emitter")
async def emitter_defaults(request: web.Request) -> web.Response:
    """``{"duplicates": N, "delay_ms": M}``: how every later callback is delivered."""
    emitter = _world(request).emitter
    options = emit_options(await read_json(request), emitter.defaults)
    emitter.defaults = options
    return reply({"duplicates": options.duplicates, "delay_ms": options.delay_seconds * 1000})


@routes.get("/sandbox/emitter")
async def emitter_status(request: web.Request) -> web.Response:
    """The emitter's defaults and how many deliveries are still in flight."""
    emitter = _world(request).emitter
    return reply(
        {
            "duplicates": emitter.defaults.duplicates,
            "delay_ms": emitter.defaults.delay_seconds * 1000,
            "in_flight": emitter.in_flight(),
        }
    )


@routes.post("/sandbox/emit")
async def emit_raw(request: web.Request) -> web.Response:
    """Deliver arbitrary events: ``{"app"?, "events": [{XML field: value}], "shuffle"?,
    "duplicates"?, "delay_ms"?}`` → ``{"event_ids": [...]}`` in the given order.

    ToUserName and CreateTime are filled in when missing; values must be strings, integers
    or lists of strings (``<Item>``s).
    """
    world = _world(request)
    body = await read_json(request)
    app = field_text(body, "app", world.contact_app())
    events = body.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
        raise ControlError(400, "events must be a non-empty list of objects")
    batch = [_event_fields(world, e) for e in events]
    try:
        emissions = world.emitter.emit_batch(
            app,
            batch,
            emit_options(body, world.emitter.defaults),
            shuffle=body.get("shuffle") is True,
        )
    except KeyError as exc:
        raise ControlError(404, f"no such app: {app}") from exc
    return reply({"event_ids": [e.event_id for e in emissions]})


def _event_fields(world: World, raw: dict[str, object]) -> dict[str, str | int | list[str]]:
    fields: dict[str, str | int | list[str]] = {
        "ToUserName": world.corp.corp_id,
        "CreateTime": int(world.now().timestamp()),
    }
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int | list):
            raise ControlError(400, f"event field {name} must be a string, integer or list")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ControlError(400, f"event field {name} must list strings")
        fields[name] = [str(v) for v in value] if isinstance(value, list) else value
    return fields
