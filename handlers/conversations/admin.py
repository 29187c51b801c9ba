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

import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from redis.exceptions import RedisError

from bot.admin.endpoints import Endpoints, body_value, path_params, query, record_change
from bot.admin.errors import ApiError, ErrorDetail, details_of
from bot.events.chat_messages import KIND, chat_message_xml, dedup_key_of
from bot.live import RUNTIME
from handlers.conversations.archive import ArchivedMessage
from handlers.conversations.sending import Unsent
from handlers.conversations.transcripts import Transcripts

logger = logging.getLogger(__name__)

routes = Endpoints()
Items = list[dict[str, Any]]


class Batch(BaseModel):
    """Archived messages under ``messages`` (the list alone is accepted too)."""

    messages: Items


class Refused(BaseModel):
    """A message not queued: its place in the batch, its msgid, why (``details``)."""

    index: int
    msgid: Any = None
    error: str
    details: list[ErrorDetail]


class Queued(BaseModel):
    """What a batch did: queued, already known (by msgid), refused."""

    queued: int
    duplicates: int
    rejected: list[Refused]


def _refusal(index: int, item: Any, exc: ValidationError) -> dict[str, Any]:
    details = details_of(exc, "message")
    first = details[0]
    msgid = item.get("msgid") if isinstance(item, dict) else None
    return {
        "index": index,
        "msgid": msgid,
        "error": f"{first.field}: {first.message}",
        "details": [d.model_dump() for d in details],
    }


@routes.post("/api/v1/archive/messages", body=Items | Batch, answer=Queued, errors=(503,))
async def post_archived_messages(request: web.Request) -> web.Response:
    """Queue archived text messages for moderation and intents; idempotent by msgid."""
    runtime = request.app[RUNTIME]
    sent = body_value(request)
    items: Items = sent.messages if isinstance(sent, Batch) else sent
    limit = runtime.settings.moderation.archive_max_messages
    if len(items) > limit:
        raise ApiError(413, f"at most {limit} messages per request")
    queued = duplicates = 0
    rejected: list[dict[str, Any]] = []
    app, corp = runtime.settings.moderation.app, runtime.settings.wecom.corp_id
    try:
        for index, item in enumerate(items):
            try:
                message = ArchivedMessage.model_validate(item).to_chat_message()
            except ValidationError as exc:
                rejected.append(_refusal(index, item, exc))
                continue
            xml = chat_message_xml(corp, message)
            if await runtime.queue.enqueue(app, KIND, dedup_key_of(message), xml) is None:
                duplicates += 1
            else:
                queued += 1
    except (RedisError, OSError) as exc:
        logger.warning("archive: could not queue (%s); %s queued before", exc, queued)
        raise ApiError(503, "the queue is unavailable; post the batch again") from exc
    logger.info(
        "archive: %s queued, %s duplicate(s), %s refused", queued, duplicates, len(rejected)
    )
    record_change(request, "archive/messages", {"queued": queued, "duplicates": duplicates})
    return web.json_response({"queued": queued, "duplicates": duplicates, "rejected": rejected})


class KfLimit(BaseModel):
    """How many, newest first."""

    limit: int = Field(default=100, ge=1, le=1000)


class KfCustomer(BaseModel):
    """A KF customer."""

    external_userid: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")


@routes.get("/api/v1/kf/unsent", query=KfLimit, answer=dict[str, Any], tags=("kf",))
async def kf_unsent(request: web.Request) -> web.Response:
    """Replies the KF bot could not send, newest first (``?limit=``, default 100)."""
    runtime = request.app[RUNTIME]
    limit = query(request, KfLimit).limit
    kf = runtime.settings.kf
    unsent = Unsent(runtime.deps.redis, runtime.settings.wecom.corp_id, kf.unsent_max)
    return web.json_response({"unsent": await unsent.recent(limit)})


@routes.get(
    "/api/v1/kf/transcripts/{external_userid}",
    path_model=KfCustomer,
    query=KfLimit,
    answer=dict[str, Any],
    tags=("kf",),
)
async def kf_transcript(request: web.Request) -> web.Response:
    """A KF customer's last messages, oldest first (``?limit=``, default 100)."""
    runtime = request.app[RUNTIME]
    limit = query(request, KfLimit).limit
    kf, customer = runtime.settings.kf, path_params(request, KfCustomer).external_userid
    transcripts = Transcripts(
        runtime.deps.redis, runtime.settings.wecom.corp_id, kf.transcript_max, kf.transcript_days
    )
    lines = await transcripts.last(customer, limit)
    shown = [{"at": line.at, "who": line.who, "text": line.text} for line in lines]
    return web.json_response({"external_userid": customer, "lines": shown})
