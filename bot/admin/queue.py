"""/api/v1/queue and /api/v1/dead-letters: the event queue's state and its dead letters."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.admin.endpoints import Endpoints, path_params, query, record_change
from bot.admin.errors import not_found
from bot.live import RUNTIME

routes = Endpoints()
STREAM_ID: Final = r"^[0-9]{1,19}-[0-9]{1,19}$"  # below 2**64: Redis refuses larger ids


class LaneStats(BaseModel):
    """One lane's entries waiting, delivered but not acknowledged, and delayed."""

    length: int
    pending: int
    delayed: int


class QueueStats(LaneStats):
    """The whole queue, its dead letters, and each lane."""

    dead: int
    lanes: dict[str, LaneStats]


class DeadLettersQuery(BaseModel):
    """A page of dead letters: at most ``limit``, after the id ``cursor`` (the previous
    page's ``next_cursor``)."""

    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, pattern=STREAM_ID)


class DeadLetter(BaseModel):
    """A dead letter, without its content."""

    model_config = ConfigDict(extra="allow")

    id: str


class DeadLetterPage(BaseModel):
    """Dead letters, oldest first; ``next_cursor`` is null on the last page."""

    items: list[DeadLetter]
    next_cursor: str | None


class DeadLetterPath(BaseModel):
    """A dead letter's stream id."""

    dead_id: str = Field(pattern=STREAM_ID)


class Replayed(BaseModel):
    """The id the replayed event got on its lane."""

    replayed_as: str


def _rows(rows: Any) -> list[tuple[str, dict[str, str]]]:  # redis-py replies are untyped
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows or []]


@routes.get("/api/v1/queue", answer=QueueStats)
async def queue_stats(request: web.Request) -> web.Response:
    """Waiting, in-flight, delayed and dead entries, in all and per lane (bot/lanes.py)."""
    queue = request.app[RUNTIME].queue
    stats, lanes = await queue.stats(), await queue.lane_stats()
    return web.json_response(
        {
            "length": stats.length,
            "pending": stats.pending,
            "delayed": stats.delayed,
            "dead": stats.dead,
            "lanes": {
                name: {"length": lane.length, "pending": lane.pending, "delayed": lane.delayed}
                for name, lane in lanes.items()
            },
        }
    )


@routes.get("/api/v1/dead-letters", query=DeadLettersQuery, answer=DeadLetterPage)
async def dead_letters(request: web.Request) -> web.Response:
    """Dead letters, oldest first, without their content, a page at a time (``cursor``)."""
    asked = query(request, DeadLettersQuery)
    queue = request.app[RUNTIME].queue
    start = f"({asked.cursor}" if asked.cursor else "-"
    rows = _rows(await queue.redis.xrange(queue.dead_stream, min=start, count=asked.limit + 1))
    page = rows[: asked.limit]
    items = [
        {"id": dead_id, **{k: v for k, v in fields.items() if k != "xml"}}
        for dead_id, fields in page
    ]
    more = len(rows) > asked.limit
    return web.json_response({"items": items, "next_cursor": page[-1][0] if more else None})


@routes.post("/api/v1/dead-letters/{dead_id}/replay", path_model=DeadLetterPath, answer=Replayed)
async def replay(request: web.Request) -> web.Response:
    """Put one dead letter back on the queue."""
    dead_id = path_params(request, DeadLetterPath).dead_id
    new_id = await request.app[RUNTIME].queue.replay(dead_id)
    if new_id is None:
        raise not_found("dead letter")
    record_change(request, f"dead-letters/{dead_id}", {"replayed_as": new_id})
    return web.json_response({"replayed_as": new_id})
