"""微信客服 (KF): a notification means news; pull it and queue each text as a chat message;
the bot answers each queued customer message.

Moderation and intents then handle the queued ``ChatMessageEvent``s like any other event.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import KfMsgOrEvent
from bot.events.chat_messages import ChatMessageEvent
from bot.events.conversation import Source
from handlers.conversations.bot import KfBot
from handlers.conversations.kf import KfPuller, token_usable

logger = logging.getLogger(__name__)

router = Router(name="kf")


def puller_of(deps: Deps) -> KfPuller:
    """The KF puller of this deployment (the moderation app's KF API, the event stream), with
    the bot watching what it reads (welcomes, session changes, menu taps)."""
    settings = deps.settings
    app = settings.moderation.app
    queue = deps.queue
    return KfPuller(
        deps.api(app).kf,
        queue,
        deps.redis,
        deps.corp_id,
        app,
        max_pages=settings.moderation.kf_max_pages,
        observer=KfBot(deps).observe,
    )


def from_kf(event: ChatMessageEvent) -> bool:
    """A message read from 微信客服."""
    return event.message.source is Source.KF


@router.on(KfMsgOrEvent)
async def pull_kf_messages(event: KfMsgOrEvent, deps: Deps) -> None:
    """Read the account's new messages from its cursor (with the Token while it is valid)."""
    token = event.token if token_usable(event.create_time, deps.clock.now()) else ""
    report = await puller_of(deps).pull(event.open_kf_id, token)
    if report.busy:
        logger.info("kf %s: being pulled elsewhere, asked to read again", event.open_kf_id)
        return
    logger.info(
        "kf %s: %s page(s), %s queued, %s duplicate(s), %s skipped",
        event.open_kf_id,
        report.pages,
        report.queued,
        report.duplicates,
        report.skipped,
    )


@router.on(ChatMessageEvent, from_kf)
async def answer_kf_customer(event: ChatMessageEvent, deps: Deps) -> None:
    """The bot answers a customer's message (once), or stays silent for a human."""
    await KfBot(deps).answer(event.message)
