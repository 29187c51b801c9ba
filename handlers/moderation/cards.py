"""The alert card reviewers get: a button_interaction template card (doc 90236, 94888).

Pure. One card per message, whatever the number of hits: the categories in the title, the
excerpt with the hits in 【】, who wrote it to whom, through what, the channel and the
writer's violation count; buttons 已处理 and 误报.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

TASK_PREFIX: Final = "siyu-m"  # task ids of moderation cards (reminders use siyu-r)
DONE: Final = "mod_done"
FALSE_POSITIVE: Final = "mod_false"
BUTTON_LABELS: Final[Mapping[str, str]] = {DONE: "已处理", FALSE_POSITIVE: "误报"}
RESOLVED_LABELS: Final[Mapping[str, str]] = {DONE: "已处理", FALSE_POSITIVE: "已标为误报"}
_VALUE_CHARS: Final = 26  # WeCom cuts longer values and titles
_DESC_CHARS: Final = 80
_ROWS: Final = 6  # horizontal_content_list holds at most 6 rows


def task_id_for(message_key: str) -> str:
    """The card's task_id: one per message; ≤128 bytes of [a-zA-Z0-9_-@] (doc 90236)."""
    return TASK_PREFIX + hashlib.sha256(message_key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class AlertView:
    """What the card says, in words."""

    categories: tuple[str, ...]  # labels (引流, 广告法...)
    excerpt: str
    sender: str  # 客户 刘洋 / 员工 张伟
    recipient: str  # 员工 张伟 / 群 VIP客户群 / siyu 应用
    source: str  # 微信客服 / 会话存档 / 应用消息
    channel: str  # 海报A（ch_poster_a）, or ""
    violations: str  # 第2次（引流 2 次）
    when: str  # local time


def _cut(text: str, limit: int = _VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alert_card(view: AlertView, task_id: str) -> dict[str, Any]:
    """The template_card of an alert."""
    rows = [
        ("发送人", view.sender),
        ("接收人", view.recipient),
        ("来源", view.source),
        ("渠道", view.channel),
        ("违规次数", view.violations),
        ("时间", view.when),
    ]
    return {
        "card_type": "button_interaction",
        "source": {"desc": "siyu 内容风控"},
        "main_title": {
            "title": _cut("敏感内容：" + "、".join(view.categories)),
            "desc": _cut(view.excerpt, _DESC_CHARS),
        },
        "sub_title_text": _cut(f"{view.sender} → {view.recipient}", _DESC_CHARS),
        "horizontal_content_list": [
            {"keyname": name, "value": _cut(value)} for name, value in rows if value
        ][:_ROWS],
        "task_id": task_id,
        "button_list": [
            {"text": BUTTON_LABELS[DONE], "style": 1, "key": DONE},
            {"text": BUTTON_LABELS[FALSE_POSITIVE], "style": 2, "key": FALSE_POSITIVE},
        ],
    }


def violations_text(total: int, by_category: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """The writer's count, and per category of this message: 第3次（引流 2 次）."""  # noqa: RUF002
    parts = "、".join(f"{labels.get(c, c)} {n} 次" for c, n in by_category.items())
    return f"第{total}次（{parts}）" if parts else f"第{total}次"
