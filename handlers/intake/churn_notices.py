"""What staff and managers are told when customers leave. Pure: texts and card JSON.

The staff member gets an interactive card (button_interaction, doc 90236): who left, from
which channel, how long they were a customer, when they last interacted. Managers get a
daily digest of their team's losses; a failed transfer is explained to both sides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

ACKNOWLEDGED: Final = "churn_ack"
FOLLOW_UP: Final = "churn_follow_up"
BUTTON_LABELS: Final = {ACKNOWLEDGED: "已知晓", FOLLOW_UP: "已安排回访"}
TASK_PREFIX: Final = "siyu-churn-"
DIGEST_BYTES: Final = 2000  # markdown content ≤2048 bytes (doc 90236)
_VALUE_CHARS: Final = 26  # WeCom cuts longer card values
_FAIL_REASONS: Final = {
    "customer_refused": "客户拒绝了接替",
    "customer_limit_exceed": "接替成员的客户数已达上限",
}
CUSTOMER_LEFT: Final = "customer_left"
STAFF_DELETED: Final = "staff_deleted"


@dataclass(frozen=True, slots=True)
class Loss:
    """One ended relation, as the card and the digest tell it."""

    kind: str  # customer_left | staff_deleted
    at: int  # Unix seconds
    staff: str  # userid
    staff_name: str
    customer: str  # external_userid
    customer_name: str
    channel: str  # the channel's name, "" when the customer came another way
    since: int | None  # when this staff member added the customer
    last_interaction: int | None


def task_id(dedup_key: str) -> str:
    """A card task_id: unique per event, ≤128 bytes of [a-zA-Z0-9_-@] (doc 90236)."""
    return TASK_PREFIX + hashlib.sha256(dedup_key.encode()).hexdigest()[:24]


def _short(text: str, limit: int = _VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(seconds: int, zone: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(seconds, tz=zone).strftime(pattern)


def tenure(loss: Loss, zone: ZoneInfo) -> str:
    """How long the customer was this member's, e.g. 37 days since 2026-10-18."""
    if loss.since is None or loss.since <= 0:
        return "未知"
    days = max(0, (loss.at - loss.since) // 86400)
    return f"{days} 天（{_local(loss.since, zone, '%Y-%m-%d')} 添加）"


def churn_card(loss: Loss, task: str, zone: ZoneInfo) -> dict[str, Any]:
    """The button_interaction card for the staff member a customer deleted."""
    last = _local(loss.last_interaction, zone) if loss.last_interaction else "暂无记录"
    return {
        "card_type": "button_interaction",
        "source": {"desc": "siyu 客户流失提醒"},
        "main_title": {
            "title": _short(f"客户「{loss.customer_name}」删除了你"),
            "desc": _local(loss.at, zone),
        },
        "horizontal_content_list": [
            {"keyname": "客户", "value": _short(loss.customer_name)},
            {"keyname": "来源渠道", "value": _short(loss.channel or "非渠道添加")},
            {"keyname": "客户时长", "value": tenure(loss, zone)},
            {"keyname": "最后互动", "value": last},
        ],
        "task_id": task,
        "button_list": [
            {"text": BUTTON_LABELS[ACKNOWLEDGED], "style": 2, "key": ACKNOWLEDGED},
            {"text": BUTTON_LABELS[FOLLOW_UP], "style": 1, "key": FOLLOW_UP},
        ],
    }


def digest_markdown(losses: Sequence[Loss], zone: ZoneInfo, day_label: str) -> str:
    """A manager's digest as markdown, cut to fit message/send's 2048 bytes."""
    left = [loss for loss in losses if loss.kind == CUSTOMER_LEFT]
    deleted = [loss for loss in losses if loss.kind == STAFF_DELETED]
    head = (
        f"**客户流失日报** {day_label}\n"
        f'> 客户删除成员 <font color="warning">{len(left)}</font> 人，'
        f"成员删除客户 {len(deleted)} 人\n"
    )
    text = head
    ordered = sorted(losses, key=lambda item: item.at)
    for shown, loss in enumerate(ordered):
        line = _digest_line(loss, zone)
        rest = len(ordered) - shown - 1
        tail = f"\n…另有 {rest} 条" if rest else ""
        if len((text + "\n" + line + tail).encode("utf-8")) > DIGEST_BYTES:
            return text + f"\n…另有 {len(ordered) - shown} 条"
        text += "\n" + line
    return text


def _digest_line(loss: Loss, zone: ZoneInfo) -> str:
    who = "删除了" if loss.kind == CUSTOMER_LEFT else "被删除，成员"
    where = loss.channel or "非渠道"
    when = _local(loss.at, zone, "%m-%d %H:%M")
    return f"- {when} {loss.customer_name} {who} {loss.staff_name}（{where}，{tenure(loss, zone)}）"


def transfer_failed_text(customer_name: str, takeover_name: str, reason: str | None) -> str:
    """Why a customer could not be handed to ``takeover_name``."""
    why = _FAIL_REASONS.get(reason or "", f"原因：{reason or '未知'}")
    return (
        f"客户「{customer_name}」转接给 {takeover_name} 失败：{why}。"
        "客户仍由原跟进成员服务，如需再次转接请在管理后台重新发起。"
    )
