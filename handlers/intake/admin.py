"""/api/v1/intake and /api/v1/channels: the intake rules, channels' live codes and daily
statistics, and what siyu knows of a customer.

PUT /api/v1/intake/rules replaces the whole rules document (validated first, as
config/intake.toml would be: 422 with a detail per wrong field); every siyu process uses it
within ``intake.rules_cache_seconds``. The audit entry carries the sections that changed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from bot.admin.endpoints import (
    Endpoints,
    body,
    body_value,
    path_params,
    principal,
    query,
    record_change,
)
from bot.admin.errors import ApiError, not_found, upstream
from bot.admin.rules import check_library_items, etag, expected_version
from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import RulesInvalid
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.components import CUSTOMERS
from handlers.customers.profiles import Relation
from handlers.intake.backfill import import_customers
from handlers.intake.channel_store import ChannelCode
from handlers.intake.components import CHANNEL_CODES
from handlers.intake.live import day_of, local_time, rules_of
from handlers.intake.live_codes import create_code, rebalance_all, stats_of
from handlers.intake.rule_store import INTAKE_RULES
from handlers.intake.rules import IntakeRules

routes = Endpoints()
MAX_DAYS = 400


class ChannelPath(BaseModel):
    """A channel of the rules."""

    channel_id: str = Field(min_length=1, max_length=64)


class CustomerPath(BaseModel):
    """A customer's external userid."""

    external_userid: str = Field(min_length=1, max_length=128)


class StatsQuery(BaseModel):
    """How many days back, today included."""

    days: int = Field(default=7, ge=1, le=MAX_DAYS)


class SummaryQuery(BaseModel):
    """How many days back, today included, and one channel or (null) all."""

    days: int = Field(default=30, ge=1, le=MAX_DAYS)
    channel: str | None = Field(default=None, min_length=1, max_length=64)


class ChannelSeries(BaseModel):
    """One channel's daily counters, oldest day first (the days of ``Summary``)."""

    channel: str
    name: str
    adds: list[int]
    deletions: list[int]
    net: list[int]


class Summary(BaseModel):
    """Daily adds, deletions (either side) and net growth per channel, for charts."""

    days: list[str]  # YYYY-MM-DD, oldest first, today last
    channels: list[ChannelSeries]


class ImportRequest(BaseModel):
    """Whose customers to import (none listed: every staff member's)."""

    staff: list[str] = []


class ChannelOut(BaseModel):
    """A channel and its live code (null until made)."""

    channel: str
    name: str
    state: str
    code: ChannelCode | None


class PlanOut(BaseModel):
    """The user list a channel's code got, and why."""

    users: list[str]
    reason: str


class DayOut(BaseModel):
    """One channel's counters on one local day."""

    day: str
    adds: int
    deleted_by_customer: int
    deleted_by_staff: int
    adds_by_staff: dict[str, int]
    net: int


class Imported(BaseModel):
    """How many customers were imported."""

    imported: int


class CustomerOut(BaseModel, extra="allow"):
    """A customer's profile fields (name, type, counters...) and relations."""

    external_userid: str
    relations: dict[str, Relation]


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


@routes.get("/api/v1/intake/rules", answer=IntakeRules)
async def get_rules(request: web.Request) -> web.Response:
    """The live rules: welcome messages, staff, channels, allocation, churn (ETag: version)."""
    live = _deps(request).get(INTAKE_RULES)
    rules = await live.current()
    return web.json_response(rules.model_dump(mode="json"), headers={"ETag": etag(live.version)})


@routes.put(
    "/api/v1/intake/rules", body=IntakeRules, answer=IntakeRules, errors=(412,), audited=False
)
async def put_rules(request: web.Request) -> web.Response:
    """Replace the live rules with the JSON body; If-Match: the ETag read (412 when stale).

    The rules store audits the change (who, the diff) with the write itself.
    """
    rules = body(request, IntakeRules)
    version = await _replace(request, rules.model_dump(mode="json"), expected_version(request))
    return web.json_response(rules.model_dump(mode="json"), headers={"ETag": etag(version)})


@routes.post("/api/v1/intake/rules/reset", answer=IntakeRules, audited=False)
async def reset_rules(request: web.Request) -> web.Response:
    """Replace the live rules with the defaults file's."""
    live = _deps(request).get(INTAKE_RULES)
    defaults = IntakeRules.model_validate(live.rule_set.defaults())
    version = await _replace(request, defaults.model_dump(mode="json"), live.version)
    return web.json_response(defaults.model_dump(mode="json"), headers={"ETag": etag(version)})


async def _replace(request: web.Request, document: dict[str, Any], expected: int) -> int:
    live = _deps(request).get(INTAKE_RULES)
    await check_library_items(_deps(request), document)
    try:
        return await live.replace(document, expected, principal(request).actor)
    except StaleVersion as exc:
        raise ApiError(412, str(exc)) from exc
    except RulesInvalid as exc:
        raise ApiError(422, str(exc)) from exc


@routes.get("/api/v1/channels", answer=list[ChannelOut])
async def list_channels(request: web.Request) -> web.Response:
    """Every channel of the rules with its live code (config_id, qr_code, users) or null."""
    deps = _deps(request)
    rules = await rules_of(deps)
    codes = await deps.get(CHANNEL_CODES).all()
    return web.json_response(
        [
            {
                "channel": channel_id,
                "name": channel.name,
                "state": channel.state,
                "code": asdict(codes[channel_id]) if channel_id in codes else None,
            }
            for channel_id, channel in rules.channels.items()
        ]
    )


async def _channel(request: web.Request) -> str:
    channel_id = path_params(request, ChannelPath).channel_id
    if channel_id not in (await rules_of(_deps(request))).channels:
        raise not_found("channel")
    return channel_id


@routes.post(
    "/api/v1/channels/{channel_id}/code",
    path_model=ChannelPath,
    answer=ChannelCode,
    errors=(502,),
)
async def make_code(request: web.Request) -> web.Response:
    """Create the channel's live code (add_contact_way) unless it has one."""
    channel_id = await _channel(request)
    try:
        code = await create_code(_deps(request), channel_id)
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc, 502) from exc
    record_change(request, f"channels/{channel_id}/code", asdict(code))
    return web.json_response(asdict(code))


@routes.post("/api/v1/channels/rebalance", answer=dict[str, PlanOut | None])
async def rebalance_channels(request: web.Request) -> web.Response:
    """Apply caps, working hours and weights to every code now."""
    plans = await rebalance_all(_deps(request))
    shown = {
        channel_id: None if plan is None else {"users": list(plan.users), "reason": plan.reason}
        for channel_id, plan in plans.items()
    }
    record_change(request, "channels", shown)
    return web.json_response(shown)


@routes.get(
    "/api/v1/channels/{channel_id}/stats",
    path_model=ChannelPath,
    query=StatsQuery,
    answer=list[DayOut],
)
async def channel_stats(request: web.Request) -> web.Response:
    """Daily adds, losses by side and net growth, newest day first."""
    deps = _deps(request)
    channel_id = await _channel(request)
    days = query(request, StatsQuery).days
    today, stats = local_time(deps), stats_of(deps)
    shown = []
    for back in range(days):
        day = await stats.day(channel_id, day_of(today - timedelta(days=back)))
        shown.append({**asdict(day), "adds_by_staff": dict(day.adds_by_staff), "net": day.net})
    return web.json_response(shown)


@routes.get("/api/v1/channels/summary", query=SummaryQuery, answer=Summary, errors=(404,))
async def channels_summary(request: web.Request) -> web.Response:
    """Every channel's (or one's) adds, deletions and net growth per day, oldest day first."""
    deps = _deps(request)
    asked = query(request, SummaryQuery)
    channels = dict((await rules_of(deps)).channels)
    if asked.channel is not None:
        if asked.channel not in channels:
            raise not_found("channel")
        channels = {asked.channel: channels[asked.channel]}
    today = local_time(deps)
    days = [day_of(today - timedelta(days=back)) for back in range(asked.days - 1, -1, -1)]
    stats = await stats_of(deps).days(list(channels), days)
    series = [
        {
            "channel": channel_id,
            "name": channel.name,
            "adds": [d.adds for d in stats[channel_id]],
            "deletions": [d.deleted_by_customer + d.deleted_by_staff for d in stats[channel_id]],
            "net": [d.net for d in stats[channel_id]],
        }
        for channel_id, channel in channels.items()
    ]
    shown = [f"{day[:4]}-{day[4:6]}-{day[6:]}" for day in days]
    return web.json_response({"days": shown, "channels": series})


@routes.post("/api/v1/customers/import", body=ImportRequest | None, answer=Imported, errors=(502,))
async def import_existing(request: web.Request) -> web.Response:
    """Import existing customers from WeCom (body ``{"staff": [...]}`` optional: all)."""
    asked = body_value(request)
    staff = asked.staff if isinstance(asked, ImportRequest) else []
    try:
        count = await import_customers(_deps(request), staff)
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc, 502) from exc
    record_change(request, "customers", {"imported": count, "staff": staff})
    return web.json_response({"imported": count})


@routes.get("/api/v1/customers/{external_userid}", path_model=CustomerPath, answer=CustomerOut)
async def customer(request: web.Request) -> web.Response:
    """A customer's profile, activity counters and relations (deleted ones marked)."""
    deps = _deps(request)
    external_userid = path_params(request, CustomerPath).external_userid
    profile = await deps.get(CUSTOMERS).get(external_userid)
    if profile is None:
        raise not_found("customer")
    fields = {name: value for name, value in profile.fields.items() if name != "indexed"}
    return web.json_response(
        {
            "external_userid": profile.external_userid,
            **fields,
            "relations": {userid: asdict(r) for userid, r in profile.relations.items()},
        }
    )
