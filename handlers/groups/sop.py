"""Group SOP: remind each matching group's owner to post given content, through reminders.

Each tick makes today's reminders (one per SOP, group and day: the reminders engine's
``once`` key), due at the SOP's local time; the reminders engine delivers the prompt card
then (with its done / snooze buttons and quiet hours). A reminder is only made before its
time, so a tick running late never makes one that is already past.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final, Protocol

from bot.deps import ComponentKey
from handlers.groups.context import Groups
from handlers.groups.rules import GroupSop
from handlers.groups.store import GroupChat

logger = logging.getLogger(__name__)


class OwnerReminders(Protocol):
    """What group SOP needs of the reminders concern: a reminder made once per key."""

    async def remind(
        self, userid: str, text: str, due: datetime, *, source: str, content: str, once: str
    ) -> object: ...


SOP_REMINDERS: Final = ComponentKey[OwnerReminders]("group_sop_reminders")


async def targets(groups: Groups, sop: GroupSop) -> list[GroupChat]:
    """The known groups an SOP applies to."""
    selector = sop.groups
    labelled = await groups.registry.labelled(selector.labels) if selector.labels else set()
    found = []
    for chat_id in await groups.registry.chat_ids():
        group = await groups.registry.get(chat_id)
        if group is None or not group.owner:
            continue
        if (
            selector.all
            or chat_id in selector.chat_ids
            or chat_id in labelled
            or group.owner in selector.owners
        ):
            found.append(group)
    return found


async def schedule(groups: Groups) -> int:
    """Make today's SOP reminders that are still ahead; how many were new."""
    service = groups.deps.get(SOP_REMINDERS)
    now = groups.now()
    today = now.astimezone(groups.tz).date()
    made = 0
    for sop in groups.rules.sop:
        due = sop.due_on(today, groups.tz)
        if due is None or due <= now:
            continue
        for group in await targets(groups, sop):
            once = f"group_sop:{sop.name}:{group.chat_id}:{today.isoformat()}"
            existing = await groups.deps.ledger.is_done(once)
            if existing:
                continue
            await service.remind(
                group.owner,
                f"{sop.text}（{group.name or group.chat_id}）",
                due,
                source=f"group_sop:{sop.name}",
                content=sop.content,
                once=once,
            )
            await groups.deps.ledger.apply_once(once, lambda pipe: None)
            made += 1
    if made:
        logger.info("group SOP: %d reminders for %s", made, today)
    return made
