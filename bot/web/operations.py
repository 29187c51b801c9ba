"""审计日志 and 系统: who changed what (the audit stream, with each change's diff), and the event
queue (each lane's numbers, the dead letters, a replay button for operators)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.admin.audit import Audit
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import PREFIX, Pages, refusal, render, viewer

pages = Pages("web")
AUDIT_PAGE: Final = 50
DEAD_PAGE: Final = 100
_STREAM_ID: Final = re.compile(r"^[0-9]{1,19}-[0-9]{1,19}$")


def _local(request: web.Request, moment: datetime) -> str:
    zone = ZoneInfo(request.app[RUNTIME].settings.timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _diff(diff: Any) -> str:
    return "" if diff is None else json.dumps(diff, ensure_ascii=False, indent=1, default=str)


@pages.get(f"{PREFIX}/audit")
async def audit(request: web.Request) -> web.StreamResponse:
    """The audit log, newest first, a page at a time (``before``: an entry id)."""
    runtime = request.app[RUNTIME]
    before = request.query.get("before", "")
    rows = await Audit(runtime.redis, runtime.settings.wecom.corp_id).page(
        AUDIT_PAGE + 1, before if _STREAM_ID.fullmatch(before) else None
    )
    shown = rows[:AUDIT_PAGE]
    entries = [
        {
            "id": entry_id,
            "at": _local(request, datetime.fromisoformat(e.at)),
            "actor": e.actor,
            "action": e.action,
            "document": e.document,
            "diff": _diff(e.diff),
        }
        for entry_id, e in shown
    ]
    more = len(rows) > AUDIT_PAGE
    return render(
        request,
        "audit.html",
        {
            "nav": "audit",
            "entries": entries,
            "paged": bool(before),
            "next": shown[-1][0] if more else None,
        },
    )


def _rows(rows: Any) -> list[tuple[str, dict[str, str]]]:  # redis-py replies are untyped
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows or []]


@pages.get(f"{PREFIX}/system")
async def system(request: web.Request) -> web.StreamResponse:
    """The queue's numbers per lane and its dead letters (oldest first)."""
    queue = request.app[RUNTIME].queue
    stats, lanes = await queue.stats(), await queue.lane_stats()
    dead = []
    for dead_id, fields in _rows(await queue.redis.xrange(queue.dead_stream, count=DEAD_PAGE)):
        at_ms = int(fields.get("dead_at_ms") or 0)
        moment = _local(request, datetime.fromtimestamp(at_ms / 1000, UTC)) if at_ms else ""
        dead.append(
            {
                "id": dead_id,
                "kind": fields.get("kind", ""),
                "at": moment,
                "error": fields.get("error", ""),
                "deliveries": fields.get("deliveries", ""),
                "lane": fields.get("lane", ""),
            }
        )
    done = request.query.get("replayed", "")
    return render(
        request,
        "system.html",
        {"nav": "system", "stats": stats, "lanes": lanes, "dead": dead, "replayed": done},
    )


@pages.post(PREFIX + "/system/dead/{dead_id}/replay")
async def replay(request: web.Request) -> web.StreamResponse:
    """Put one dead letter back on the lane it died in."""
    runtime, dead_id = request.app[RUNTIME], request.match_info["dead_id"]
    new_id = await runtime.queue.replay(dead_id) if _STREAM_ID.fullmatch(dead_id) else None
    if new_id is None:
        t = zh_cn()
        return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)
    await Audit(runtime.redis, runtime.settings.wecom.corp_id).record(
        runtime.deps.clock.now(),
        viewer(request).actor,
        "POST /console/system/replay",
        f"dead-letters/{dead_id}",
        {"replayed_as": new_id},
    )
    raise web.HTTPSeeOther(f"{PREFIX}/system?replayed={new_id}")
