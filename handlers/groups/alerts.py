"""Alerts to a group's owner and admins: quits spiking, a sensitive word in the group.

Each alert goes out once per quiet period (the spike window), marked in Redis after the send;
a redelivered event re-sends the same card, which WeCom's duplicate check drops.

Sensitive words: group messages are only visible through the message archive (会话存档), the
keywords issue's source. That source calls ``sensitive_word`` with what nlp found; this module
only tells the group's managers. Nothing calls it yet.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.metrics import GroupCardKind
from bot.store import keys
from handlers.groups.context import Groups
from handlers.groups.store import GroupChat

logger = logging.getLogger(__name__)


def _card(title: str, desc: str, rows: list[dict[str, str]], url: str) -> dict[str, Any]:
    return {
        "card_type": "text_notice",
        "source": {"desc": "siyu 客户群"},
        "main_title": {"title": title[:26], "desc": desc},
        "horizontal_content_list": rows,
        "card_action": {"type": 1, "url": url},
    }


async def _once(
    groups: Groups, group: GroupChat, alert: str, card: dict[str, Any], kind: GroupCardKind
) -> bool:
    """Send unless this alert went out within the quiet period (on the injected clock)."""
    key = keys.group_chat_alerted(groups.deps.corp_id, group.chat_id, alert)
    quiet = groups.settings.quit_spike_minutes * 60
    now = int(groups.now().timestamp())
    until = await groups.deps.redis.get(key)
    if not group.managers or (until is not None and int(until) > now):
        return False
    sent = await groups.deliver(list(group.managers), card)
    await groups.deps.redis.set(key, now + quiet, ex=quiet)
    if sent:
        groups.deps.metrics.count_group_card(kind)
    return sent


async def quit_spike(groups: Groups, group: GroupChat, quits: int) -> bool:
    """Tell the owner and admins that ``quits`` left within the window; True if told now."""
    if quits < groups.settings.quit_spike_count:
        return False
    minutes = groups.settings.quit_spike_minutes
    card = _card(
        f"退群提醒：{group.name or group.chat_id}",
        f"{minutes} 分钟内 {quits} 人退群",
        [
            {"keyname": "退群", "value": f"{quits} 人 / {minutes} 分钟"},
            {"keyname": "当前人数", "value": str(group.member_count)},
        ],
        groups.settings.card_url,
    )
    told = await _once(groups, group, "quit_spike", card, "quit_spike")
    if told:
        logger.info(
            "group %s: %d quits within %d minutes, managers told", group.chat_id, quits, minutes
        )
    return told


async def sensitive_word(
    groups: Groups, chat_id: str, sender: str, words: Sequence[str], at: datetime
) -> bool:
    """Hook for the archive source: ``sender`` wrote ``words`` in a group; tell its managers."""
    group = await groups.registry.get(chat_id)
    if group is None or not words:
        return False
    local = at.astimezone(groups.tz)
    card = _card(
        f"敏感词提醒：{group.name or chat_id}",
        f"{local:%m-%d %H:%M} 群内出现敏感词",
        [{"keyname": "发送人", "value": sender}, {"keyname": "敏感词", "value": "、".join(words)}],
        groups.settings.card_url,
    )
    alert = f"sensitive:{sender}:{int(at.timestamp())}"
    return await _once(groups, group, alert, card, "sensitive_word")
