"""微信客服 (KF): pull new messages with kf/sync_msg from the persisted cursor (doc 94670).

``kf_msg_or_event`` carries no content, only a Token (valid about 10 minutes) that relaxes
sync_msg's limits. The puller reads pages from the account's cursor while ``has_more``,
queues each text as a ``ChatMessageEvent`` (dedup key: its msgid), and persists
``next_cursor`` after each page is queued: a crash re-reads at most one page, whose
messages the queue drops as duplicates.

One process pulls an account at a time. A notification that arrives meanwhile leaves a
"dirty" mark instead of waiting, and the puller reads again before it lets go, so news is
never left behind and two pullers never race on one cursor. The lock's TTL (60 s) only
frees it after a crash: while a pull goes on, a watchdog renews it (bot/store/locks.py), so a pull
of thousands of messages never overlaps the next one.

An observer (the bot) sees every item before it is queued: enter_session is welcomed at
once, as its code works only 20 s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from redis.asyncio import Redis

from bot.events.chat_messages import KIND, chat_message_xml, dedup_key_of
from bot.events.conversation import ChatMessage, Conversation, Role, Source, clean_text
from bot.queue import EventQueue
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.kf import KfAPI

logger = logging.getLogger(__name__)

FROM_CUSTOMER, SYSTEM, FROM_SERVICER = 3, 4, 5  # msg_list origin
TOKEN_LIFETIME: Final = timedelta(minutes=9)  # WeCom says about 10 minutes: keep a margin
PULL_LOCK_SECONDS: Final = 60.0
SERVICER_TTL_SECONDS: Final = 7 * 86400
# Sees every msg_list item before it is queued (the bot: welcome, session changes, taps).
# Called again for the items of a re-read page: it must be idempotent.
Observer = Callable[[str, Mapping[str, Any]], Awaitable[None]]


def _sent_at(item: Mapping[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(item.get("send_time", 0) or 0), tz=UTC)


def message_from_kf(item: Mapping[str, Any], servicer: str = "") -> ChatMessage | None:
    """A text of sync_msg's msg_list as a chat message; None for anything else.

    ``servicer``: who serves the customer now, if known (a customer's message is to them).
    """
    if item.get("msgtype") != "text":
        return None
    origin = int(item.get("origin", 0) or 0)
    customer = str(item.get("external_userid", ""))
    if origin == FROM_CUSTOMER:
        role, sender = Role.CUSTOMER, customer
    elif origin == FROM_SERVICER:
        role, sender = Role.STAFF, str(item.get("servicer_userid", ""))
        servicer = sender or servicer
    else:
        return None
    content = item.get("text")
    text = str(content.get("content", "")) if isinstance(content, Mapping) else ""
    if not (sender and text and item.get("msgid")):
        return None
    return ChatMessage(
        source=Source.KF,
        msgid=str(item["msgid"]),
        role=role,
        sender=sender,
        text=clean_text(text),
        sent_at=_sent_at(item),
        conversation=Conversation(
            staff=servicer, customer=customer, open_kfid=str(item.get("open_kfid", ""))
        ),
    )


def servicer_of(item: Mapping[str, Any]) -> str | None:
    """The servicer a msg_list item shows serving its customer from now on, if any.

    A servicer's own message, or a session_status_change event that hands the session to
    ``new_servicer_userid`` (taken from the pool, or transferred).
    """
    origin = int(item.get("origin", 0) or 0)
    if origin == FROM_SERVICER and item.get("servicer_userid"):
        return str(item["servicer_userid"])
    event = item.get("event")
    if origin == SYSTEM and isinstance(event, Mapping) and event.get("new_servicer_userid"):
        return str(event["new_servicer_userid"])
    return None


class KfState:
    """Cursors and current servicers of one corp's KF accounts."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id

    async def cursor(self, open_kfid: str) -> str:
        """Where the next sync_msg starts ("" before the first pull)."""
        value = await self._redis.get(keys.kf_cursor(self._corp_id, open_kfid))
        return "" if value is None else str(value)

    async def set_cursor(self, open_kfid: str, cursor: str) -> None:
        """Persist the cursor after a page was handled."""
        await self._redis.set(keys.kf_cursor(self._corp_id, open_kfid), cursor)

    async def servicer(self, open_kfid: str, external_userid: str) -> str:
        """The userid last seen serving this customer ("" if none)."""
        value = await self._redis.get(keys.kf_servicer(self._corp_id, open_kfid, external_userid))
        return "" if value is None else str(value)

    async def set_servicer(self, open_kfid: str, external_userid: str, userid: str) -> None:
        """Note who serves the customer now."""
        key = keys.kf_servicer(self._corp_id, open_kfid, external_userid)
        await self._redis.set(key, userid, ex=SERVICER_TTL_SECONDS)


@dataclass
class PullReport:
    """What one pull did."""

    pages: int = 0
    queued: int = 0  # text messages queued
    duplicates: int = 0  # already queued (a re-read page, or a message seen twice)
    skipped: int = 0  # not text, or system events
    busy: bool = False  # another process was pulling: it was asked to read again
    renewals: int = 0  # how often the pull lock was extended while this pull held it


class KfPuller:
    """Pulls one corp's KF messages into the event stream."""

    def __init__(
        self,
        api: KfAPI,
        queue: EventQueue,
        redis: Redis,
        corp_id: str,
        app: str,
        *,
        max_pages: int = 100,
        page_size: int = 1000,
        observer: Observer | None = None,
        lock_seconds: float = PULL_LOCK_SECONDS,
    ) -> None:
        self._api = api
        self._queue = queue
        self._redis = redis
        self._corp_id = corp_id
        self._app = app
        self._state = KfState(redis, corp_id)
        self._max_pages = max_pages
        self._page_size = page_size
        self._observer = observer
        self._lock_seconds = lock_seconds

    async def pull(self, open_kfid: str, token: str = "") -> PullReport:
        """Read everything new of ``open_kfid``, or leave that to the process already at it."""
        report = PullReport()
        lock = Lock(self._redis, keys.kf_pull_lock(self._corp_id, open_kfid), self._lock_seconds)
        dirty = keys.kf_pull_dirty(self._corp_id, open_kfid)
        if not await lock.take_or_mark(dirty):
            report.busy = True
            return report
        try:
            async with lock.renewed():  # a pull of thousands of messages outlives the TTL
                await self._drain(open_kfid, token, report)
                while not await lock.release_if_clean(dirty):
                    await self._drain(open_kfid, token, report)  # news came meanwhile
        except BaseException:
            await lock.release()
            raise
        report.renewals = lock.renewals
        return report

    async def _drain(self, open_kfid: str, token: str, report: PullReport) -> None:
        cursor = await self._state.cursor(open_kfid)
        for _ in range(self._max_pages):
            answer = await self._api.sync(open_kfid, cursor, token, self._page_size)
            report.pages += 1
            for item in answer.get("msg_list", []):
                await self._take(open_kfid, item, report)
            next_cursor = str(answer.get("next_cursor") or cursor)
            if next_cursor != cursor:
                await self._state.set_cursor(open_kfid, next_cursor)
                cursor = next_cursor
            if not answer.get("has_more"):
                return
        logger.warning(
            "kf %s: more than %s pages; the rest waits for the next notification",
            open_kfid,
            self._max_pages,
        )

    async def _take(self, open_kfid: str, item: Mapping[str, Any], report: PullReport) -> None:
        if self._observer is not None:
            await self._observer(open_kfid, item)
        customer = str(item.get("external_userid", ""))
        serving = servicer_of(item)
        if serving is not None and customer:
            await self._state.set_servicer(open_kfid, customer, serving)
        current = serving or (await self._state.servicer(open_kfid, customer) if customer else "")
        message = message_from_kf(item, current)
        if message is None:
            report.skipped += 1
            return
        xml = chat_message_xml(self._corp_id, message)
        if await self._queue.enqueue(self._app, KIND, dedup_key_of(message), xml) is None:
            report.duplicates += 1
        else:
            report.queued += 1


def token_usable(created: datetime, now: datetime) -> bool:
    """A notification's Token still relaxes sync_msg's limits (about 10 minutes)."""
    return now - created < TOKEN_LIFETIME
