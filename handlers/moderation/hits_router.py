"""Records each message's sensitive hits in the console's review list (handlers/moderation/hits).

It reads the same messages as the moderation router and asks the same live Analyzer; a
message without hits costs one more ``analyze`` (the lists' automaton: microseconds).
"""

from __future__ import annotations

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import TextMessage
from bot.events.app_messages import from_app
from bot.events.chat_messages import ChatMessageEvent
from bot.events.conversation import ChatMessage
from handlers.moderation.alerts import categories_of
from handlers.moderation.analyzer import analyzer_of, rules_of
from handlers.moderation.excerpt import excerpt
from handlers.moderation.hits import HIT_LOG, HitRecord
from handlers.moderation.router import from_a_member

router = Router(name="moderation_hits")


@router.on(TextMessage, from_a_member)
async def record_app_message_hits(event: TextMessage, deps: Deps) -> None:
    """A staff member's message to the app."""
    await record_hits(from_app(event), deps)


@router.on(ChatMessageEvent)
async def record_chat_message_hits(event: ChatMessageEvent, deps: Deps) -> None:
    """A 微信客服 or archived message."""
    await record_hits(event.message, deps)


async def record_hits(message: ChatMessage, deps: Deps) -> None:
    """Keep the message's hits (categories, words, excerpt) if it has any."""
    analyzer = await analyzer_of(deps)
    if analyzer is None or not message.text.strip():
        return
    hits = analyzer.analyze(message.text).sensitive
    if not hits:
        return
    context = (await rules_of(deps)).alerts.excerpt_context
    await deps.get(HIT_LOG).record(
        HitRecord(
            message=message.key,
            at_ms=int(message.sent_at.timestamp() * 1000),
            role=str(message.role),
            sender=message.sender,
            source=str(message.source),
            categories=categories_of(hits),
            words=tuple(dict.fromkeys(hit.word for hit in hits)),
            excerpt=excerpt(message.text, [(h.start, h.end) for h in hits], context),
        )
    )
