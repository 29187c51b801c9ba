"""/api/v1/stats/daily: what happened each local day, from the per-day counts (bot/daily.py).

Adds, deletions and net growth in total, per channel and per staff member; welcomes by
outcome; sensitive hits per category; intents; group tasks ended and their messages; reminder
outcomes; customer-group joins and quits by scene.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Self
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.admin.endpoints import Endpoints, query
from bot.daily import DayTable, read_days
from bot.live import RUNTIME

routes = Endpoints()

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 92  # a quarter per request
COUNTED: Final = (
    "welcomes",
    "hits",
    "intents",
    "tasks",
    "task_messages",
    "reminders",
    "group_join",
    "group_quit",
)
CHANNEL, STAFF = "channel:", "staff:"


class DailyQuery(BaseModel):
    """Local days ``from`` to ``to`` (inclusive, YYYY-MM-DD; default: the last 30 days up to
    today), at most 92 days."""

    model_config = ConfigDict(populate_by_name=True)

    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start and self.end:
            if self.end < self.start:
                raise ValueError("'to' is before 'from'")
            if (self.end - self.start).days >= MAX_DAYS:
                raise ValueError(f"at most {MAX_DAYS} days per request")
        return self


class Growth(BaseModel):
    """Counts in total, per channel id and per staff userid."""

    total: int = 0
    by_channel: dict[str, int] = Field(default_factory=dict)
    by_staff: dict[str, int] = Field(default_factory=dict)


class Losses(Growth):
    """Deletions, also by who deleted: ``customer`` or ``staff``."""

    initiated_by: dict[str, int] = Field(default_factory=dict)


class Day(BaseModel):
    """One local day."""

    day: date
    adds: Growth
    deletions: Losses
    net: Growth
    welcomes: dict[str, int] = Field(description="by outcome: sent, missed, failed, ...")
    hits: dict[str, int] = Field(description="messages with a sensitive hit, per category")
    intents: dict[str, int] = Field(description="customer messages per intent")
    tasks: dict[str, int] = Field(description="group tasks ended, per final state")
    task_messages: dict[str, int] = Field(description="task prompts and reminders, per kind")
    reminders: dict[str, int] = Field(description="reminder deliveries and actions, per outcome")
    group_join: dict[str, int] = Field(description="members who joined groups, per scene")
    group_quit: dict[str, int] = Field(description="members who quit groups, per scene")


class DailyStats(BaseModel):
    """Each day of the range, oldest first."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    days: list[Day]


@routes.get("/api/v1/stats/daily", query=DailyQuery, answer=DailyStats)
async def daily(request: web.Request) -> web.Response:
    """Per-day counts over a range of local days (the corp's time zone)."""
    asked = query(request, DailyQuery)
    runtime = request.app[RUNTIME]
    today = runtime.deps.clock.now().astimezone(ZoneInfo(runtime.settings.timezone)).date()
    end = asked.end or (today if asked.start is None else asked.start + timedelta(DEFAULT_DAYS - 1))
    start = asked.start or end - timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days >= MAX_DAYS:
        end = start + timedelta(days=MAX_DAYS - 1)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    tables = await read_days(runtime.redis, runtime.settings.wecom.corp_id, days)
    answer = DailyStats.model_validate(
        {"from": start, "to": end, "days": [day_of(day, tables[day]) for day in days]}
    )
    return web.json_response(text=answer.model_dump_json(by_alias=True))


def day_of(day: date, table: DayTable) -> Day:
    """One day's answer from its counts."""
    adds = _growth(table.get("adds", {}))
    lost = table.get("deletions", {})
    deletions = Losses(
        **_growth(lost).model_dump(),
        initiated_by={
            who: lost[f"by_{who}"] for who in ("customer", "staff") if f"by_{who}" in lost
        },
    )
    net = Growth(
        total=adds.total - deletions.total,
        by_channel=_minus(adds.by_channel, deletions.by_channel),
        by_staff=_minus(adds.by_staff, deletions.by_staff),
    )
    counted = {section: dict(table.get(section, {})) for section in COUNTED}
    return Day(day=day, adds=adds, deletions=deletions, net=net, **counted)


def _growth(counts: dict[str, int]) -> Growth:
    return Growth(
        total=counts.get("total", 0),
        by_channel=_prefixed(counts, CHANNEL),
        by_staff=_prefixed(counts, STAFF),
    )


def _prefixed(counts: dict[str, int], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in counts.items() if k.startswith(prefix)}


def _minus(gained: dict[str, int], lost: dict[str, int]) -> dict[str, int]:
    return {key: gained.get(key, 0) - lost.get(key, 0) for key in sorted({*gained, *lost})}
