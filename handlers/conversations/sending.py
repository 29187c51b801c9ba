"""Sending the bot's replies under WeCom's rules, and recording those that cannot go.

Every kf/send_msg first takes a reply slot (sessions.py: 48 h after the customer's last
message, at most N replies per message). A reply refused by the rules or by WeCom is not
retried: it is counted (siyu_kf_unsent_total{reason}) and recorded in a bounded list that
operators read (GET /api/v1/kf/unsent). Each message carries a msgid made from the customer
message it answers, so WeCom itself refuses a second copy after a crash and redelivery.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from bot.store import keys
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from bot.wecom.kf import KfAPI
from handlers.conversations.needs import Answer
from handlers.conversations.sessions import KfSessions
from handlers.conversations.stats import KfStats

logger = logging.getLogger(__name__)

Body = tuple[str, Mapping[str, Any]]  # msgtype and its object


def bodies_of(answer: Answer) -> list[Body]:
    """kf/send_msg bodies of an answer: the text (as a msgmenu's head when it has a menu),
    then each attachment."""
    if answer.menu:
        items = [
            {"type": "click", "click": {"id": item.id, "content": item.label}}
            for item in answer.menu
        ]
        first: Body = ("msgmenu", {"head_content": answer.text, "list": items})
    else:
        first = ("text", {"content": answer.text})
    parts = [first] if answer.text else []
    for attachment in answer.attachments:
        msgtype = str(attachment.get("msgtype", ""))
        if msgtype and isinstance(attachment.get(msgtype), Mapping):
            parts.append((msgtype, attachment[msgtype]))
    return parts


def msgid_for(key: str, part: int) -> str:
    """Our msgid of part ``part`` of the reply to ``key`` (≤32 bytes of [0-9a-zA-Z_-])."""
    return f"sy{hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:26]}_{part}"


class Unsent:
    """The bounded record of replies that could not be sent."""

    def __init__(self, redis: Redis, corp_id: str, max_items: int) -> None:
        self._redis = redis
        self._key = keys.kf_unsent(corp_id)
        self._max = max_items

    async def record(
        self, at: datetime, open_kfid: str, customer: str, reason: str, errcode: int | None = None
    ) -> None:
        """Keep one unsent reply (newest first)."""
        item = {
            "at": at.isoformat(),
            "open_kfid": open_kfid,
            "customer": customer,
            "reason": reason,
            "errcode": errcode,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self._key, json.dumps(item))
            pipe.ltrim(self._key, 0, self._max - 1)
            await pipe.execute()

    async def recent(self, count: int = 100) -> list[dict[str, Any]]:
        """The newest ``count`` records."""
        return [json.loads(item) for item in await self._redis.lrange(self._key, 0, count - 1)]


class KfSender:
    """Replies to KF customers within WeCom's rules."""

    def __init__(
        self,
        api: KfAPI,
        sessions: KfSessions,
        unsent: Unsent,
        stats: KfStats,
        *,
        window_seconds: float,
        max_replies: int,
    ) -> None:
        self._api = api
        self._sessions = sessions
        self._unsent = unsent
        self._stats = stats
        self._window = window_seconds
        self._max = max_replies

    async def reply(
        self, open_kfid: str, customer: str, answer: Answer, *, key: str, now: datetime, kind: str
    ) -> bool:
        """Send every part of ``answer``; False if any part could not go (recorded)."""
        for part, (msgtype, content) in enumerate(bodies_of(answer)):
            slot = await self._sessions.take_reply(
                open_kfid, customer, now, self._window, self._max
            )
            if slot != "ok":
                await self._refused(now, (open_kfid, customer), kind, slot)
                return False
            try:
                await self._api.send(open_kfid, customer, msgtype, content, msgid_for(key, part))
            except (WeComAPIError, WeComUnavailable) as exc:
                errcode = exc.errcode if isinstance(exc, WeComAPIError) else None
                await self._refused(now, (open_kfid, customer), kind, "refused", errcode)
                return False
        self._stats.replies.labels(kind, "sent").inc()
        return True

    async def welcome(
        self, code: str, answer: Answer, *, pair: tuple[str, str], key: str, now: datetime
    ) -> bool:
        """The session welcome through kf/send_msg_on_event (its code: 20 s, once)."""
        msgtype, content = bodies_of(answer)[0]
        try:
            await self._api.send_on_event(code, msgtype, content, msgid_for(key, 0))
        except (WeComAPIError, WeComUnavailable) as exc:
            errcode = exc.errcode if isinstance(exc, WeComAPIError) else None
            await self._refused(now, pair, "welcome", "refused", errcode)
            return False
        self._stats.replies.labels("welcome", "sent").inc()
        return True

    async def _refused(
        self,
        now: datetime,
        pair: tuple[str, str],
        kind: str,
        reason: str,
        errcode: int | None = None,
    ) -> None:
        open_kfid, customer = pair
        logger.warning(
            "kf %s: %s reply to %s not sent (%s%s)",
            open_kfid,
            kind,
            customer,
            reason,
            f" {errcode}" if errcode is not None else "",
        )
        self._stats.replies.labels(kind, "unsent").inc()
        self._stats.unsent.labels(reason).inc()
        await self._unsent.record(now, open_kfid, customer, f"{kind}: {reason}", errcode)


def menu_labels(answer: Answer) -> Sequence[str]:
    """The labels of an answer's menu (for transcripts)."""
    return [item.label for item in answer.menu]
