"""Staff commands in the siyu app's chat: 提醒我…, 我的提醒, 取消提醒 N. Always answered."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import TextMessage
from handlers.reminders.access import reminders_api, reminders_of
from handlers.reminders.commands import mentions_reminder

logger = logging.getLogger(__name__)

router = Router(name="staff_commands")


def is_reminder_command(event: TextMessage) -> bool:
    """A staff member's message to the app that is about reminders."""
    return bool(event.from_user) and mentions_reminder(event.content)


@router.on(TextMessage, is_reminder_command)
async def reminder_command(event: TextMessage, deps: Deps) -> None:
    """Create, list or cancel a reminder, and say what was understood (or why not)."""
    api = reminders_api(deps)
    reply = await reminders_of(deps).command(
        event.from_user, event.content, api, once=f"command:{event.dedup_key}"
    )
    await api.messages.send_text([event.from_user], reply)
    logger.info("reminder command from %s answered (%s)", event.from_user, event.dedup_key)
