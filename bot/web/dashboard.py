"""首页: the dashboard. Its charts fetch /api/v1 JSON (static/console.js); the health panel is
a fragment htmx reloads every few seconds."""

from __future__ import annotations

from typing import Any, Final, get_args
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.daily import read_days
from bot.live import RUNTIME
from bot.metrics import WelcomeOutcome
from bot.ops import READY_MAX_BACKLOG
from bot.web.pages import PREFIX, Pages, render

pages = Pages("web")
DEAD_SHOWN: Final = 5  # the newest dead letters the panel lists


@pages.get(f"{PREFIX}/", role=None)
async def home(request: web.Request) -> web.StreamResponse:
    """/console/ is the dashboard."""
    raise web.HTTPSeeOther(f"{PREFIX}/dashboard")


@pages.get(f"{PREFIX}/dashboard")
async def dashboard(request: web.Request) -> web.StreamResponse:
    """Charts of adds, deletions and net growth per channel, welcomes, queue health."""
    return render(request, "dashboard.html", {"nav": "dashboard", **await _health(request)})


@pages.get(f"{PREFIX}/dashboard/health")
async def health(request: web.Request) -> web.StreamResponse:
    """The health panel alone (htmx polls it)."""
    return render(request, "health.html", await _health(request))


def _rows(rows: Any) -> list[tuple[str, dict[str, str]]]:  # redis-py replies are untyped
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows or []]


async def _health(request: web.Request) -> dict[str, object]:
    runtime = request.app[RUNTIME]
    stats = await runtime.queue.stats()
    rows = _rows(await runtime.redis.xrevrange(runtime.queue.dead_stream, count=DEAD_SHOWN))
    dead = [
        {"id": entry_id, "kind": fields.get("kind", ""), "error": fields.get("error", "")}
        for entry_id, fields in rows
    ]
    today = runtime.deps.clock.now().astimezone(ZoneInfo(runtime.settings.timezone)).date()
    counted = (await read_days(runtime.redis, runtime.settings.wecom.corp_id, [today]))[today]
    welcomes = {  # today's, from every worker (bot/daily.py), not this process's metrics
        outcome: counted.get("welcomes", {}).get(outcome, 0) for outcome in get_args(WelcomeOutcome)
    }
    return {
        "queue": stats,
        "dead": dead,
        "welcomes": welcomes,
        "healthy": stats.dead == 0 and stats.length <= READY_MAX_BACKLOG,
        "now": runtime.deps.clock.now(),
    }
