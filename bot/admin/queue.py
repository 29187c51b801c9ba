"""/api/v1/queue and /api/v1/dead-letters: the event queue's state and its dead letters."""

from __future__ import annotations

from aiohttp import web

from bot.admin.auth import error
from bot.live import RUNTIME

routes = web.RouteTableDef()


@routes.get("/api/v1/queue")
async def queue_stats(request: web.Request) -> web.Response:
    """Waiting, in-flight, delayed and dead entries, in all and per lane (bot/lanes.py)."""
    queue = request.app[RUNTIME].queue
    stats, lanes = await queue.stats(), await queue.lane_stats()
    return web.json_response({
        "length": stats.length, "pending": stats.pending, "delayed": stats.delayed,
        "dead": stats.dead,
        "lanes": {name: {"length": lane.length, "pending": lane.pending, "delayed": lane.delayed}
                  for name, lane in lanes.items()},
    })  # fmt: skip


@routes.get("/api/v1/dead-letters")
async def dead_letters(request: web.Request) -> web.Response:
    """Dead letters, oldest first, without their content (``?limit=`` up to 1000)."""
    try:
        limit = min(int(request.query.get("limit", "100")), 1000)
    except ValueError:
        return error(400, "limit must be an integer")
    entries = await request.app[RUNTIME].queue.dead_entries(limit)
    shown = [{"id": dead_id, **{k: v for k, v in fields.items() if k != "xml"}}
             for dead_id, fields in entries]  # fmt: skip
    return web.json_response(shown)


@routes.post("/api/v1/dead-letters/{dead_id}/replay")
async def replay(request: web.Request) -> web.Response:
    """Put one dead letter back on the queue."""
    new_id = await request.app[RUNTIME].queue.replay(request.match_info["dead_id"])
    if new_id is None:
        return error(404, "no such dead letter")
    return web.json_response({"replayed_as": new_id})
