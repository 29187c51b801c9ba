"""/api/v1/intake and /api/v1/channels: the intake rules, channels' live codes and daily
statistics, and what siyu knows of a customer.

PUT /api/v1/intake/rules replaces the whole rules document (validated first, as
config/intake.toml would be); every siyu process uses it within ``intake.rules_cache_seconds``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from aiohttp import web
from pydantic import ValidationError

from bot.admin.auth import error
from bot.deps import Deps
from bot.live import RUNTIME
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.profiles import Customers
from handlers.intake.backfill import import_customers
from handlers.intake.channel_store import ChannelCodes
from handlers.intake.live import day_of, local_time, rules_of, rules_store
from handlers.intake.live_codes import create_code, rebalance_all, stats_of
from handlers.intake.rules import IntakeRules

routes = web.RouteTableDef()
MAX_DAYS = 400


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


@routes.get("/api/v1/intake/rules")
async def get_rules(request: web.Request) -> web.Response:
    """The live rules: welcome messages, staff, channels, allocation, churn."""
    rules = await rules_of(_deps(request))
    return web.json_response(rules.model_dump(mode="json"))


@routes.put("/api/v1/intake/rules")
async def put_rules(request: web.Request) -> web.Response:
    """Replace the live rules with the JSON body (400 with the reasons if it is invalid)."""
    try:
        rules = IntakeRules.model_validate_json(await request.read())
    except ValidationError as exc:
        reasons = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return web.json_response({"error": "invalid rules", "reasons": reasons}, status=400)
    await rules_store(_deps(request)).put(rules)
    return web.json_response(rules.model_dump(mode="json"))


@routes.post("/api/v1/intake/rules/reset")
async def reset_rules(request: web.Request) -> web.Response:
    """Replace the live rules with the defaults file's."""
    rules = await rules_store(_deps(request)).reset()
    return web.json_response(rules.model_dump(mode="json"))


@routes.get("/api/v1/channels")
async def list_channels(request: web.Request) -> web.Response:
    """Every channel of the rules with its live code (config_id, qr_code, users) or null."""
    deps = _deps(request)
    rules = await rules_of(deps)
    codes = await ChannelCodes(deps.redis, deps.corp_id).all()
    return web.json_response([
        {"channel": channel_id, "name": channel.name, "state": channel.state,
         "code": asdict(codes[channel_id]) if channel_id in codes else None}
        for channel_id, channel in rules.channels.items()
    ])  # fmt: skip


@routes.post("/api/v1/channels/{channel_id}/code")
async def make_code(request: web.Request) -> web.Response:
    """Create the channel's live code (add_contact_way) unless it has one."""
    deps = _deps(request)
    channel_id = request.match_info["channel_id"]
    if channel_id not in (await rules_of(deps)).channels:
        return error(404, "no such channel")
    try:
        code = await create_code(deps, channel_id)
    except (WeComAPIError, WeComUnavailable) as exc:
        return error(502, f"WeCom refused: {exc}")
    return web.json_response(asdict(code))


@routes.post("/api/v1/channels/rebalance")
async def rebalance_channels(request: web.Request) -> web.Response:
    """Apply caps, working hours and weights to every code now."""
    plans = await rebalance_all(_deps(request))
    return web.json_response({
        channel_id: None if plan is None else {"users": list(plan.users), "reason": plan.reason}
        for channel_id, plan in plans.items()
    })  # fmt: skip


@routes.get("/api/v1/channels/{channel_id}/stats")
async def channel_stats(request: web.Request) -> web.Response:
    """Daily adds, losses by side and net growth, newest day first (``?days=7``)."""
    deps = _deps(request)
    channel_id = request.match_info["channel_id"]
    if channel_id not in (await rules_of(deps)).channels:
        return error(404, "no such channel")
    try:
        days = min(max(int(request.query.get("days", "7")), 1), MAX_DAYS)
    except ValueError:
        return error(400, "days must be an integer")
    today, stats = local_time(deps), stats_of(deps)
    shown = []
    for back in range(days):
        day = await stats.day(channel_id, day_of(today - timedelta(days=back)))
        shown.append({**asdict(day), "adds_by_staff": dict(day.adds_by_staff), "net": day.net})
    return web.json_response(shown)


@routes.post("/api/v1/customers/import")
async def import_existing(request: web.Request) -> web.Response:
    """Import existing customers from WeCom (body ``{"staff": [...]}`` optional: all)."""
    body = await request.json() if request.can_read_body else {}
    staff = body.get("staff", []) if isinstance(body, dict) else []
    if not isinstance(staff, list) or not all(isinstance(u, str) for u in staff):
        return error(400, "staff must be a list of userids")
    try:
        count = await import_customers(_deps(request), staff)
    except (WeComAPIError, WeComUnavailable) as exc:
        return error(502, f"WeCom refused: {exc}")
    return web.json_response({"imported": count})


@routes.get("/api/v1/customers/{external_userid}")
async def customer(request: web.Request) -> web.Response:
    """A customer's profile, activity counters and relations (deleted ones marked)."""
    deps = _deps(request)
    profile = await Customers(deps.redis, deps.corp_id).get(request.match_info["external_userid"])
    if profile is None:
        return error(404, "no such customer")
    return web.json_response({
        "external_userid": profile.external_userid, **dict(profile.fields),
        "relations": {userid: asdict(r) for userid, r in profile.relations.items()},
    })  # fmt: skip
