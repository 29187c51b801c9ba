"""The daily digest card of each group, to its owner and admins, at ``groups.digest_at``.

"At the configured time" means in the corp's time zone, never before it, and not later than
``digest_grace_minutes`` after it (a siyu that was down skips that day rather than digest at
night). Each group gets at most one digest per local day (marked after the send).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.store import keys
from handlers.groups.context import Groups
from handlers.groups.membership import JOIN, JOIN_SCENES, QUIT, QUIT_SCENES
from handlers.groups.store import GroupChat

logger = logging.getLogger(__name__)

_SCENE_NAMES = {
    "invite": "邀请",
    "link": "链接",
    "qrcode": "扫码",
    "left": "主动退出",
    "removed": "被移出",
    "unknown": "其他",
}


def digest_slot(local: datetime, at: str, grace_minutes: int) -> datetime | None:
    """Today's digest time if ``local`` (the corp's time) is within [it, it + grace]."""
    slot = datetime.combine(local.date(), time.fromisoformat(at), tzinfo=local.tzinfo)
    if local < slot or local - slot > timedelta(minutes=grace_minutes):
        return None
    return slot


def covered_day(slot: datetime, which: str) -> date:
    """The day a digest sent at ``slot`` covers: its own, or the one before."""
    return slot.date() - timedelta(days=1) if which == "yesterday" else slot.date()


def _breakdown(counts: dict[str, int], kind: str, scenes: dict[int, str]) -> str:
    total = counts.get(kind, 0)
    parts = [
        f"{_SCENE_NAMES[name]} {counts[f'{kind}:{name}']}"
        for name in [*scenes.values(), "unknown"]
        if counts.get(f"{kind}:{name}")
    ]
    return f"{total} 人" + (f"（{'，'.join(parts)}）" if parts else "")


def digest_card(
    group: GroupChat,
    day: date,
    counts: dict[str, int],
    active: list[tuple[str, int]],
    names: dict[str, str],
    *,
    url: str,
) -> dict[str, Any]:
    """The digest of one group for one day."""
    if active:
        shown = "、".join(f"{names.get(u) or u}({n})" for u, n in active)
    else:
        shown = "消息不可见（未接入会话存档）"
    return {
        "card_type": "text_notice",
        "source": {"desc": "siyu 客户群日报"},
        "main_title": {
            "title": f"群日报：{group.name or group.chat_id}"[:26],
            "desc": f"{day.month}月{day.day}日",
        },
        "emphasis_content": {"title": str(group.member_count), "desc": "当前人数"},
        "horizontal_content_list": [
            {"keyname": "入群", "value": _breakdown(counts, JOIN, JOIN_SCENES)},
            {"keyname": "退群", "value": _breakdown(counts, QUIT, QUIT_SCENES)},
            {"keyname": "净增", "value": str(counts.get(JOIN, 0) - counts.get(QUIT, 0))},
            {"keyname": "最活跃", "value": shown},
        ],
        "card_action": {"type": 1, "url": url},
    }


async def send_due(groups: Groups) -> list[str]:
    """Send every digest due now; the chat ids digested."""
    settings = groups.settings
    local = groups.now().astimezone(groups.tz)
    slot = digest_slot(local, settings.digest_at, settings.digest_grace_minutes)
    if slot is None:
        return []
    day = covered_day(slot, settings.digest_day)
    marker = keys.group_digests_sent(groups.deps.corp_id)
    stamp = slot.strftime("%Y%m%d")
    sent = []
    for chat_id in await groups.registry.chat_ids():
        if await groups.deps.redis.hget(marker, chat_id) == stamp:
            continue
        if await _digest(groups, chat_id, day):
            sent.append(chat_id)
        await groups.deps.redis.hset(marker, chat_id, stamp)
    if sent:
        logger.info("group digests for %s: %d sent", day, len(sent))
    return sent


async def _digest(groups: Groups, chat_id: str, day: date) -> bool:
    group = await groups.registry.get(chat_id)
    if group is None or not group.managers:
        return False
    counts = await groups.counters.day(day.strftime("%Y%m%d"), chat_id)
    if not counts and not groups.settings.digest_quiet_groups:
        return False
    active = await groups.counters.most_active(
        chat_id, day.strftime("%Y%m%d"), groups.settings.top_members
    )
    names = {m.userid: m.name for m in await groups.registry.members(chat_id)} if active else {}
    card = digest_card(group, day, counts, active, names, url=groups.settings.card_url)
    sent = await groups.deliver(list(group.managers), card)
    if sent:
        groups.deps.metrics.count_group_card("digest")
    return sent
