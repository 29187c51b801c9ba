"""Customer groups: change_external_chat keeps the registry, counts joins and quits, alerts.

Every change refreshes the group from groupchat/get (owner, admins, members with join time
and scene). Joins and quits are counted by the event's local day and scene, once per event;
quits also feed the spike window, which alerts the owner and admins. Group messages read
from the archive count towards the digest's most active members.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import ExternalChatCreated, ExternalChatDismissed, ExternalChatUpdated
from bot.events.base import unix
from bot.events.chat_messages import ChatMessageEvent
from bot.events.ticks import MinuteTick
from handlers.groups import alerts, jobs, membership
from handlers.groups.context import Groups

logger = logging.getLogger(__name__)

router = Router(name="group_chats")


def changes_members(event: ExternalChatUpdated) -> bool:
    """Members joined or quit (not a name, notice or owner change)."""
    return event.update_detail in {"add_member", "del_member"}


@router.on(ExternalChatCreated)
async def group_created(event: ExternalChatCreated, deps: Deps) -> None:
    """A new group: into the registry."""
    await membership.refresh(Groups.of(deps), event.chat_id)


@router.on(ExternalChatUpdated, changes_members)
async def members_changed(event: ExternalChatUpdated, deps: Deps) -> None:
    """Joins or quits: refresh, count once, watch for a spike of quits."""
    groups = Groups.of(deps)
    group = await membership.refresh(groups, event.chat_id)
    await membership.count(groups, event)
    if event.update_detail == "del_member" and group is not None:
        quits = await membership.recent_quits(groups, event)
        await alerts.quit_spike(groups, group, quits)


@router.on(ExternalChatUpdated)
async def group_changed(event: ExternalChatUpdated, deps: Deps) -> None:
    """Owner, name or notice changed: refresh."""
    await membership.refresh(Groups.of(deps), event.chat_id)


def in_a_group(event: ChatMessageEvent) -> bool:
    """A message written in a customer group (visible through the message archive)."""
    return event.message.conversation.is_group


@router.on(ChatMessageEvent, in_a_group)
async def member_wrote(event: ChatMessageEvent, deps: Deps) -> None:
    """Count the message for its group's most active members (the daily digest), once."""
    await membership.count_message(Groups.of(deps), event.message)


@router.on(ExternalChatDismissed)
async def group_dismissed(event: ExternalChatDismissed, deps: Deps) -> None:
    """The group is gone: it leaves the registry (its record expires in 30 days)."""
    await Groups.of(deps).registry.dismiss(event.chat_id, unix(event.create_time))


@router.on(MinuteTick)
async def run_tick(event: MinuteTick, deps: Deps) -> None:
    """Groups' periodic work of one slot: daily digests when due, today's SOP reminders."""
    done = await jobs.tick(deps, deps.clock.now())
    logger.info("tick %s: groups %s", event.slot, done)
