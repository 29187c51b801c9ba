"""change_external_chat → the registry (groupchat/get), join/quit counters, the quit window.

The registry is WeCom's current view, rewritten on every event, so replays converge. The
counters count what each event reports (its MemChangeList, or MemChangeCnt) by the event's
local day and scene, once per event (the ledger), whatever the redeliveries.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.events import ExternalChatUpdated
from bot.events.base import unix
from bot.events.conversation import ChatMessage
from bot.store import keys
from bot.wecom.errors import RateLimited, WeComAPIError
from handlers.groups.context import Groups
from handlers.groups.store import GroupChat, Snapshot

logger = logging.getLogger(__name__)

# The callback's JoinScene and QuitScene (doc 92130).
JOIN_SCENES: Final = {0: "invite", 1: "link", 3: "qrcode"}
QUIT_SCENES: Final = {0: "left", 1: "removed"}
JOIN, QUIT = "join", "quit"


async def refresh(groups: Groups, chat_id: str) -> GroupChat | None:
    """Fetch the group from WeCom into the registry (with its labels); None if WeCom refuses."""
    try:
        answer = await groups.api.groups.get(chat_id, need_name=True)
    except RateLimited:
        raise
    except WeComAPIError as exc:  # dismissed meanwhile, or out of the app's range
        logger.warning("group %s could not be fetched: %s", chat_id, exc)
        return None
    snapshot = Snapshot.from_wecom(answer, unix(groups.now()))
    await groups.registry.put(snapshot)
    group = snapshot.group
    labels = groups.rules.labels_of(group.chat_id, group.name)
    await groups.registry.set_labels(group.chat_id, labels, list(groups.rules.labels))
    return group


def change_of(event: ExternalChatUpdated) -> tuple[str, str, int] | None:
    """(join|quit, scene name, members) of a membership change; None for other updates."""
    members = len(event.member_change_list) or event.member_change_count or 1
    if event.update_detail == "add_member":
        scene = (
            JOIN_SCENES.get(event.join_scene, "unknown")
            if event.join_scene is not None
            else "unknown"
        )
        return JOIN, scene, members
    if event.update_detail == "del_member":
        scene = (
            QUIT_SCENES.get(event.quit_scene, "unknown")
            if event.quit_scene is not None
            else "unknown"
        )
        return QUIT, scene, members
    return None


async def count(groups: Groups, event: ExternalChatUpdated) -> bool:
    """Count a membership change once; False if it was counted already or is not one."""
    change = change_of(event)
    if change is None:
        return False
    kind, scene, members = change
    day = groups.day_of(event.create_time)
    counted = await groups.deps.ledger.apply_once(
        f"group-count:{event.dedup_key}",
        lambda pipe: groups.counters.count(
            pipe, event.chat_id, day, change=kind, scene=scene, members=members
        ),
    )
    if counted:
        groups.deps.metrics.count_group_change(kind, scene, members)
    return counted


async def count_message(groups: Groups, message: ChatMessage) -> bool:
    """Count a group message for its sender's activity that (local) day, once per message."""
    chat_id = message.conversation.chat_id
    day = groups.day_of(message.sent_at)
    return await groups.deps.ledger.apply_once(
        f"group-activity:{message.key}",
        lambda pipe: groups.counters.count_message(pipe, chat_id, day, message.sender),
    )


async def recent_quits(groups: Groups, event: ExternalChatUpdated) -> int:
    """Add the event's quits to the group's window; how many quit within the window."""
    key = keys.group_chat_quits(groups.deps.corp_id, event.chat_id)
    window_ms = groups.settings.quit_spike_minutes * 60_000
    at_ms = unix(event.create_time) * 1000
    leaving = event.member_change_list or tuple(
        f"#{i}" for i in range(event.member_change_count or 1)
    )
    members = {f"{event.dedup_key}|{userid}": at_ms for userid in leaving}
    async with groups.deps.redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, members)
        pipe.zremrangebyscore(key, "-inf", unix(groups.now()) * 1000 - window_ms)
        pipe.zcard(key)
        pipe.pexpire(key, window_ms)
        replies = await pipe.execute()
    return int(replies[2])


async def import_all(groups: Groups, page_limit: int = 1000) -> int:
    """Fetch every normal group of the corp into the registry (first run, or a repair)."""
    cursor, imported = "", 0
    for _ in range(10_000):
        page = await groups.api.groups.list_groups(cursor=cursor, limit=page_limit)
        for item in page.get("group_chat_list", []):
            if await refresh(groups, str(item["chat_id"])) is not None:
                imported += 1
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    return imported
