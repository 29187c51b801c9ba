"""The 微信客服 bot: welcomes a session, answers each customer message once, hands over.

Two entry points. ``observe`` sees every msg_list item as the puller reads it (before the
item is queued): an ``enter_session`` is welcomed at once (its code works 20 s, once), a
``session_status_change`` updates who holds the session, a tap on a menu item is noted for
the answer. ``answer`` handles each queued customer message (``ChatMessageEvent`` from KF):

sensitive → no answer (moderation alerts) · a human or the pool holds the session → silent
(until WeCom says it ended) · a tap → that answer (「人工」: handoff; 有帮助/没帮助: rated) ·
a human/complaint intent → handoff · an FAQ answer by intent or keyword → it · nothing →
the fallback with the menu and 人工, and after N fallbacks in a row → handoff.

At most one answer per customer message: the answer is marked done in the ledger, keyed by
the message, and its kf/send_msg msgids derive from it (WeCom refuses a second copy).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.events.conversation import ChatMessage
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.conversations.handoff import HUMAN, POOL, pick_servicer, refused, servicer_note
from handlers.conversations.kf import FROM_CUSTOMER, SYSTEM, KfState
from handlers.conversations.needs import FAQ_ANSWERS, MEDIA, MESSAGE_VERDICTS, Answer, MenuItem
from handlers.conversations.sending import KfSender, Unsent
from handlers.conversations.sessions import Holder, KfSessions
from handlers.conversations.stats import kf_stats
from handlers.conversations.transcripts import Transcripts

logger = logging.getLogger(__name__)

EVENT_CODE_SECONDS: Final = 20  # send_msg_on_event's code (doc 94677)
ANSWER_LOCK_SECONDS: Final = 30.0
RATINGS: Final = {"sat_good": "good", "sat_bad": "bad"}
RATING_ITEMS: Final = (MenuItem("sat_good", "有帮助"), MenuItem("sat_bad", "没帮助"))
THANKS: Final = "感谢您的反馈！还有其他问题可以随时问我。"
# session_status_change change_type → who holds it (doc 94670): 1 taken from the pool,
# 2 transferred, 3 ended, 4 taken again
_HOLDERS: Final = {1: Holder.HUMAN, 2: Holder.HUMAN, 3: Holder.BOT, 4: Holder.HUMAN}


class KfBot:
    """The bot of one deployment, built per event from its Deps (cheap)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._kf = deps.settings.kf
        self._api = deps.api(self._kf.app)
        self._faq = deps.get(FAQ_ANSWERS)
        self._verdicts = deps.get(MESSAGE_VERDICTS)
        self._sessions = KfSessions(deps.redis, deps.corp_id)
        self._stats = kf_stats(deps.metrics)
        self._transcripts = Transcripts(
            deps.redis, deps.corp_id, self._kf.transcript_max, self._kf.transcript_days
        )
        unsent = Unsent(deps.redis, deps.corp_id, self._kf.unsent_max)
        self._sender = KfSender(
            self._api.kf,
            self._sessions,
            unsent,
            self._stats,
            window_seconds=self._kf.reply_window_hours * 3600,
            max_replies=self._kf.replies_per_message,
        )

    def _now(self) -> datetime:
        return self._deps.clock.now()

    # -- what the puller reads --------------------------------------------------------------

    async def observe(self, open_kfid: str, item: Mapping[str, Any]) -> None:
        """A msg_list item, before it is queued: welcome, session changes, menu taps."""
        origin = int(item.get("origin", 0) or 0)
        event, content = item.get("event"), item.get("text")
        if origin == SYSTEM and isinstance(event, Mapping):
            kind = event.get("event_type")
            if kind == "enter_session" and self._kf.enabled:
                await self._welcome(open_kfid, item, event)
            elif kind == "session_status_change":
                await self._status_changed(open_kfid, item, event)
        elif origin == FROM_CUSTOMER and isinstance(content, Mapping) and content.get("menu_id"):
            await self._sessions.note_tap(str(item.get("msgid", "")), str(content["menu_id"]))

    async def _welcome(
        self, open_kfid: str, item: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        code, customer = str(event.get("welcome_code") or ""), str(item.get("external_userid", ""))
        key = f"kf-welcome:{item.get('msgid', '')}"
        if not code or await self._deps.ledger.is_done(key):
            return
        now = self._now()
        age = now.timestamp() - int(item.get("send_time", 0) or 0)
        if age > EVENT_CODE_SECONDS:
            self._stats.replies.labels("welcome", "missed").inc()
            logger.info(
                "kf %s: enter_session of %s read %.0f s late: code expired",
                open_kfid,
                customer,
                age,
            )
            return
        replies = (await self._faq.current()).replies()
        scene, param = str(event.get("scene") or ""), str(event.get("scene_param") or "")
        by_scene = replies.welcome_by_scene
        answer = by_scene.get(f"{scene}:{param}") or by_scene.get(scene) or replies.welcome
        if await self._sender.welcome(code, answer, pair=(open_kfid, customer), key=key, now=now):
            await self._transcripts.add(customer, now, "bot", answer.text)
        await self._deps.ledger.apply_once(key, lambda _: None)

    async def _status_changed(
        self, open_kfid: str, item: Mapping[str, Any], event: Mapping[str, Any]
    ) -> None:
        customer = str(item.get("external_userid", ""))
        holder = _HOLDERS.get(int(event.get("change_type", 0) or 0))
        if holder is None or not customer:
            return
        servicer = str(event.get("new_servicer_userid") or "") if holder is Holder.HUMAN else ""
        # read ahead of the messages queued before it: those were to the human
        since = int(item.get("send_time", 0) or 0)
        await self._sessions.hold(open_kfid, customer, holder, servicer, since)

    # -- each customer message --------------------------------------------------------------

    async def answer(self, message: ChatMessage) -> None:
        """Answer one KF message of a customer (at most once); note a servicer's."""
        open_kfid, customer = message.conversation.open_kfid, message.customer
        if not (open_kfid and customer):
            return
        if not message.from_customer:
            await self._transcripts.add(
                customer, message.sent_at, f"servicer:{message.sender}", message.text
            )
            return
        key = f"kf-answer:{message.key}"
        if await self._deps.ledger.is_done(key):
            return  # a redelivery: answered (or deliberately not) already
        await self._transcripts.add(customer, message.sent_at, "customer", message.text)
        await self._sessions.customer_wrote(open_kfid, customer, message.sent_at)
        if self._kf.enabled:
            outcome = await self._one_at_a_time(message, key)
            logger.info(
                "kf %s: message %s of %s (%s chars): %s",
                open_kfid,
                message.msgid,
                customer,
                len(message.text),
                outcome,
            )
        await self._deps.ledger.apply_once(key, lambda _: None)

    async def _one_at_a_time(self, message: ChatMessage, key: str) -> str:
        """Respond while no other message of the customer is being answered (workers take a
        customer's messages in parallel; handoffs and fallback streaks need them in turn)."""
        pair = (message.conversation.open_kfid, message.customer)
        lock = Lock(
            self._deps.redis, keys.kf_answer_lock(self._deps.corp_id, *pair), ANSWER_LOCK_SECONDS
        )
        async with lock.held(wait_seconds=ANSWER_LOCK_SECONDS) as held:
            if not held:
                logger.warning("kf %s: %s is being answered for too long: answering anyway", *pair)
            return await self._respond(message, key)

    async def _respond(self, message: ChatMessage, key: str) -> str:
        """What the bot did: sensitive, silent, rated, handoff:<reason>, answer:<id>, fallback."""
        open_kfid, customer = message.conversation.open_kfid, message.customer
        if await self._verdicts.is_sensitive(message.text):
            self._stats.replies.labels("answer", "sensitive").inc()
            return "sensitive"
        if not await self._bot_holds(open_kfid, customer, message.sent_at):
            return "silent"
        tap = await self._sessions.tapped(message.msgid)
        if tap in RATINGS:
            return await self._rated(message, key, RATINGS[tap])
        return await self._reply(message, key, tap)

    async def _reply(self, message: ChatMessage, key: str, tap: str | None) -> str:
        """The answer of a tap, an intent or keywords; a handoff; or the fallback."""
        intent = None if tap else await self._verdicts.intent_of(message.text)
        if tap is None and intent in self._kf.handoff_intents:
            return await self._hand_over(message, key, intent or "human")
        faq = await self._faq.current()
        answer = faq.by_id(tap) if tap else faq.match(message.text, intent)
        if answer is None:
            return await self._fallback(message, key)
        if answer.handoff:
            return await self._hand_over(message, key, "tap" if tap else (intent or "human"))
        await self._sessions.understood(message.conversation.open_kfid, message.customer)
        rated = replace(answer, menu=(*answer.menu, *RATING_ITEMS))
        await self._say(message, key, rated, "answer")
        return f"answer:{answer.id}"

    async def _fallback(self, message: ChatMessage, key: str) -> str:
        """Not understood: the menu and 人工, or a human after N times in a row."""
        pair = (message.conversation.open_kfid, message.customer)
        if await self._sessions.fallback(*pair) >= self._kf.fallbacks_before_handoff:
            return await self._hand_over(message, key, "fallback")
        await self._say(message, key, (await self._faq.current()).replies().fallback, "fallback")
        return "fallback"

    async def _bot_holds(self, open_kfid: str, customer: str, sent_at: datetime) -> bool:
        """Whether the bot may answer: it holds the session (and did when the message was
        written), or the human's session ended."""
        view = await self._sessions.view(open_kfid, customer)
        if view.holder is Holder.BOT:
            return sent_at.timestamp() >= view.since
        try:  # the end may not have reached us yet: ask WeCom (only for held sessions)
            state, _ = await self._api.kf.service_state(open_kfid, customer)
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning(
                "kf %s: service_state of %s unknown (%s): silent", open_kfid, customer, refused(exc)
            )
            return False
        if state in {POOL, HUMAN}:
            return False
        await self._sessions.hold(open_kfid, customer, Holder.BOT)
        return True

    async def _say(self, message: ChatMessage, key: str, answer: Answer, kind: str) -> bool:
        pair = (message.conversation.open_kfid, message.customer)
        if answer.attachments:  # media library items become media_ids good for now
            where = f"kf:{answer.id}"
            resolved = await self._deps.get(MEDIA).resolve(self._deps, answer.attachments, where)
            answer = replace(answer, attachments=resolved)
        now = self._now()
        sent = await self._sender.reply(*pair, answer, key=key, now=now, kind=kind)
        if sent:
            await self._transcripts.add(message.customer, now, "bot", answer.text)
        return sent

    async def _rated(self, message: ChatMessage, key: str, rating: str) -> str:
        self._stats.satisfaction.labels(rating).inc()
        if rating == "bad":  # not helped: offer the menu and a human
            fallback = (await self._faq.current()).replies().fallback
            await self._say(message, key, fallback, "fallback")
        else:
            await self._say(message, key, Answer("thanks", THANKS), "thanks")
        return f"rated:{rating}"

    async def _hand_over(self, message: ChatMessage, key: str, reason: str) -> str:
        """Tell the customer, move the session to a servicer (or the pool), tell the servicer."""
        open_kfid, customer = message.conversation.open_kfid, message.customer
        servicer = await self._choose(open_kfid, customer)
        replies = (await self._faq.current()).replies()
        notice = Answer("handoff", replies.handoff_text if servicer else replies.pool_text)
        await self._say(message, key, notice, "handoff")
        servicer = await self._transfer(open_kfid, customer, servicer)
        if servicer is None:
            self._stats.handoffs.labels(reason, "failed").inc()
            return f"handoff:{reason}:failed"
        holder = Holder.HUMAN if servicer else Holder.POOL
        await self._sessions.hold(open_kfid, customer, holder, servicer)
        self._stats.handoffs.labels(reason, "servicer" if servicer else "pool").inc()
        if servicer:  # told, and the customer's previous servicer next time
            state = KfState(self._deps.redis, self._deps.corp_id)
            await state.set_servicer(open_kfid, customer, servicer)
            await self._tell_servicer(servicer, open_kfid, customer, reason)
        return f"handoff:{reason}:{servicer or 'pool'}"

    async def _transfer(self, open_kfid: str, customer: str, servicer: str | None) -> str | None:
        """kf/service_state/trans to the servicer (3), or to the pool (2) if that is refused or
        nobody is on duty: the servicer ("" for the pool), None if both were refused."""
        if servicer:
            try:
                await self._api.kf.transfer(open_kfid, customer, HUMAN, servicer)
            except (WeComAPIError, WeComUnavailable) as exc:
                logger.warning(
                    "kf %s: handoff of %s to %s refused (%s): the pool",
                    open_kfid,
                    customer,
                    servicer,
                    refused(exc),
                )
            else:
                return servicer
        try:
            await self._api.kf.transfer(open_kfid, customer, POOL)
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning("kf %s: handoff of %s refused (%s)", open_kfid, customer, refused(exc))
            return None
        return ""

    async def _choose(self, open_kfid: str, customer: str) -> str | None:
        try:
            on_duty = [userid for userid, on in await self._api.kf.servicers(open_kfid) if on]
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning("kf %s: servicer list unknown (%s): the pool", open_kfid, refused(exc))
            return None
        view = await self._sessions.view(open_kfid, customer)
        previous = view.servicer or await KfState(self._deps.redis, self._deps.corp_id).servicer(
            open_kfid, customer
        )
        turn = (
            0 if not on_duty or previous in on_duty else await self._sessions.next_turn(open_kfid)
        )
        return pick_servicer(on_duty, previous, turn)

    async def _tell_servicer(
        self, servicer: str, open_kfid: str, customer: str, reason: str
    ) -> None:
        lines = await self._transcripts.last(customer, self._kf.handoff_last_messages)
        zone = ZoneInfo(self._deps.settings.timezone)
        note = servicer_note(customer, open_kfid, reason, lines, zone)
        try:
            await self._api.messages.send_text([servicer], note)
        except (WeComAPIError, WeComUnavailable) as exc:
            logger.warning(
                "kf %s: servicer %s not told of %s (%s)",
                open_kfid,
                servicer,
                customer,
                refused(exc),
            )
