"""Moderation: every chat message through the word lists; hits alert their reviewers.

Messages come from staff writing to the siyu app (``TextMessage``; handlers/staff_commands
reads the same messages for reminders) and, as ``ChatMessageEvent``, from 微信客服
(handlers/conversations/router.py) and archived chats (POST /api/v1/archive/messages).
``msgaudit_notify`` is only noted: pulling archives needs WeCom's finance SDK, which runs
outside siyu and posts what it pulls to the archive API.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import MsgAuditNotify, TemplateCardClicked, TextMessage
from bot.events.app_messages import from_app
from bot.events.chat_messages import ChatMessageEvent
from bot.events.conversation import ChatMessage
from handlers.customers.corp_tags import ensure_tags
from handlers.moderation.alerts import alert, resolve
from handlers.moderation.analyzer import analyzer_of, rules_of
from handlers.moderation.cards import BUTTON_LABELS, TASK_PREFIX
from handlers.moderation.hits import record_hits
from handlers.moderation.needs import GROUP_ALERTS

logger = logging.getLogger(__name__)

router = Router(name="moderation")


def from_a_member(event: TextMessage) -> bool:
    """A text a staff member wrote to the siyu app."""
    return bool(event.from_user) and event.from_user != "sys"


def is_alert_card(event: TemplateCardClicked) -> bool:
    """已处理 or 误报 pressed on a moderation alert card."""
    return (event.task_id or "").startswith(TASK_PREFIX) and event.event_key in BUTTON_LABELS


@router.on(TextMessage, from_a_member)
async def moderate_app_message(event: TextMessage, deps: Deps) -> None:
    """A staff member's message to the app is staff-side speech like any other."""
    await moderate(from_app(event), deps)


@router.on(ChatMessageEvent)
async def moderate_chat_message(event: ChatMessageEvent, deps: Deps) -> None:
    """A 微信客服 or archived message."""
    await moderate(event.message, deps)


@router.on(TemplateCardClicked, is_alert_card)
async def resolve_alert(event: TemplateCardClicked, deps: Deps) -> None:
    """The first press stands; 误报 takes the writer's violation count back."""
    await resolve(
        deps, event.task_id or "", event.from_user, event.event_key or "", event.response_code
    )


@router.on(MsgAuditNotify)
async def note_archive_notice(event: MsgAuditNotify, deps: Deps) -> None:
    """New archived messages exist; the archive puller (finance SDK) fetches and posts them."""
    logger.info(
        "msgaudit_notify (agent %s): archived messages wait for the archive puller", event.agent_id
    )


async def moderate(message: ChatMessage, deps: Deps) -> None:
    """Analyze one message; alert on sensitive hits."""
    analyzer = await analyzer_of(deps)
    if analyzer is None or not message.text.strip():
        return
    analysis = analyzer.analyze(message.text)
    deps.metrics.count_chat_message(message.source, message.role)
    if not analysis.sensitive:
        return
    await record_hits(deps, message, analysis.sensitive)  # the console's review list
    await alert(deps, message, analysis.sensitive, await rules_of(deps), ensure_tags)
    if message.conversation.is_group:  # the group's owner and admins hear of it too
        words = list(dict.fromkeys(hit.word for hit in analysis.sensitive))
        await deps.get(GROUP_ALERTS).sensitive_word(
            deps, message.conversation.chat_id, message.sender, words, message.sent_at
        )
