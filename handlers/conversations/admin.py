"""/api/v1/archive/messages: archived chats (会话内容存档) in, queued as chat messages;
/api/v1/kf/unsent and /api/v1/kf/transcripts/{external_userid}: the 微信客服 bot's replies
that could not be sent, and a customer's transcript.

An archive puller (WeCom's finance SDK, outside siyu) posts a JSON list of text messages::

    [{"msgid": "...", "from": "wmXXX", "to": "zhangwei", "text": "...", "time": 1700000000},
     {"msgid": "...", "from": "zhangwei", "roomid": "wrXXX", "role": "staff", "text": "...",
      "time": "2026-11-24T18:00:00+08:00"}]

(or ``{"messages": [...]}``). Each valid message is queued once, by its msgid: posting a
batch again (a retry after a timeout) queues nothing twice, and the effects of a message are
keyed by it too (the ledger, 7 days). The answer counts what was queued, what was already
known and which items were refused and why; message texts are never logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from pydantic import ValidationError
from redis.exceptions import RedisError

from bot.admin.auth import error
from bot.events.chat_messages import KIND, chat_message_xml, dedup_key_of
from bot.live import RUNTIME
from handlers.conversations.archive import ArchivedMessage
from handlers.conversations.sending import Unsent
from handlers.conversations.transcripts import Transcripts

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()


def _items(body: Any) -> list[Any] | None:
    if isinstance(body, dict):
        body = body.get("messages")
    return body if isinstance(body, list) else None


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "message"
    return f"{where}: {first.get('msg', 'invalid')}"


@routes.post("/api/v1/archive/messages")
async def post_archived_messages(request: web.Request) -> web.Response:
    """Queue archived text messages for moderation and intents; idempotent by msgid."""
    runtime = request.app[RUNTIME]
    try:
        items = _items(await request.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error(400, "the body must be JSON")
    if items is None:
        return error(400, 'send a JSON list of messages (or {"messages": [...]})')
    limit = runtime.settings.moderation.archive_max_messages
    if len(items) > limit:
        return error(413, f"at most {limit} messages per request")
    queued = duplicates = 0
    rejected: list[dict[str, Any]] = []
    app, corp = runtime.settings.moderation.app, runtime.settings.wecom.corp_id
    try:
        for index, item in enumerate(items):
            try:
                message = ArchivedMessage.model_validate(item).to_chat_message()
            except ValidationError as exc:
                msgid = item.get("msgid") if isinstance(item, dict) else None
                rejected.append({"index": index, "msgid": msgid, "error": _reason(exc)})
                continue
            xml = chat_message_xml(corp, message)
            if await runtime.queue.enqueue(app, KIND, dedup_key_of(message), xml) is None:
                duplicates += 1
            else:
                queued += 1
    except (RedisError, OSError) as exc:
        logger.warning("archive: could not queue (%s); %s queued before", exc, queued)
        return error(503, "the queue is unavailable; post the batch again")
    logger.info("archive: %s queued, %s duplicate(s), %s refused", queued, duplicates,
                len(rejected))  # fmt: skip
    return web.json_response({"queued": queued, "duplicates": duplicates, "rejected": rejected})


def _limit(request: web.Request, default: int = 100, most: int = 1000) -> int | None:
    raw = request.query.get("limit", str(default))
    return min(int(raw), most) if raw.isdigit() and int(raw) > 0 else None


@routes.get("/api/v1/kf/unsent")
async def kf_unsent(request: web.Request) -> web.Response:
    """Replies the KF bot could not send, newest first (``?limit=``, default 100)."""
    runtime = request.app[RUNTIME]
    limit = _limit(request)
    if limit is None:
        return error(400, "limit must be a positive integer")
    kf = runtime.settings.kf
    unsent = Unsent(runtime.deps.redis, runtime.settings.wecom.corp_id, kf.unsent_max)
    return web.json_response({"unsent": await unsent.recent(limit)})


@routes.get("/api/v1/kf/transcripts/{external_userid}")
async def kf_transcript(request: web.Request) -> web.Response:
    """A KF customer's last messages, oldest first (``?limit=``, default 100)."""
    runtime = request.app[RUNTIME]
    limit = _limit(request)
    if limit is None:
        return error(400, "limit must be a positive integer")
    kf, customer = runtime.settings.kf, request.match_info["external_userid"]
    transcripts = Transcripts(runtime.deps.redis, runtime.settings.wecom.corp_id,
                              kf.transcript_max, kf.transcript_days)  # fmt: skip
    lines = await transcripts.last(customer, limit)
    shown = [{"at": line.at, "who": line.who, "text": line.text} for line in lines]
    return web.json_response({"external_userid": customer, "lines": shown})
