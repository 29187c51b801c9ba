"""What staff and operators see: the prompt, the reminder, the summary (template cards, doc 90236).

text_notice cards: WeCom requires a card_action (a link); titles are cut at 26 characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from handlers.tasks.records import StaffRecord, TaskRecord

_TITLE_CHARS: Final = 26
HOW_TO_SEND: Final = "工作台 → 客户联系 → 群发助手，确认发送"
HOW_TO_SEND_GROUPS: Final = "工作台 → 客户群 → 群发助手，确认发送"


def _short(text: str, limit: int = _TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local(moment: datetime, tz: ZoneInfo) -> str:
    """A time as staff read it: 11月26日 18:00."""
    shown = moment.astimezone(tz)
    return f"{shown.month}月{shown.day}日 {shown:%H:%M}"


def _unit(task: TaskRecord) -> str:
    return "个客户群" if task.spec.chat_type == "group" else "位客户"


def _notice(
    title: str,
    desc: str,
    rows: list[dict[str, str]],
    url: str,
    sub_title: str = "",
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "card_type": "text_notice",
        "source": {"desc": "siyu 群发任务"},
        "main_title": {"title": _short(title), "desc": desc},
        "horizontal_content_list": rows,
        "card_action": {"type": 1, "url": url},
    }
    if sub_title:
        card["sub_title_text"] = _short(sub_title, 112)
    return card


def prompt_card(task: TaskRecord, staff: StaffRecord, tz: ZoneInfo, url: str) -> dict[str, Any]:
    """The prompt: what to send, to how many, by when, and where to confirm."""
    how = HOW_TO_SEND_GROUPS if task.spec.chat_type == "group" else HOW_TO_SEND
    card = _notice(
        f"群发任务：{task.spec.title or task.spec.content.preview(20)}",
        f"请在 {local(task.spec.deadline, tz)} 前发送",
        [
            {"keyname": "发送给", "value": f"{staff.targets} {_unit(task)}"},
            {"keyname": "截止", "value": local(task.spec.deadline, tz)},
            {"keyname": "怎么发", "value": how},
            {"keyname": "任务", "value": f"#{task.id}"},
        ],
        url,
        f"发送内容：{task.spec.content.preview(100)}",
    )
    card["emphasis_content"] = {"title": str(staff.targets), "desc": _unit(task)}
    return card


def reminder_card(
    task: TaskRecord, staff: StaffRecord, now: datetime, tz: ZoneInfo, url: str
) -> dict[str, Any]:
    """A reminder to a sender who has not sent (all of) their part yet."""
    left = task.spec.deadline - now
    hours = max(int(left.total_seconds() // 3600), 0)
    when = f"还剩 {hours} 小时" if hours else "不到 1 小时"
    return _notice(
        f"还没发送：{task.spec.title or task.spec.content.preview(20)}",
        f"{when}，{local(task.spec.deadline, tz)} 截止",
        [
            {"keyname": "待发送", "value": f"{staff.targets} {_unit(task)}"},
            {
                "keyname": "怎么发",
                "value": HOW_TO_SEND_GROUPS if task.spec.chat_type == "group" else HOW_TO_SEND,
            },
            {"keyname": "任务", "value": f"#{task.id}"},
        ],
        url,
        f"发送内容：{task.spec.content.preview(100)}",
    )


def summary_text(task: TaskRecord, staff: Mapping[str, StaffRecord], tz: ZoneInfo) -> str:
    """The operator's summary (markdown): completion by staff and by target."""
    senders = list(staff.values())
    done = [s for s in senders if s.status == "sent"]
    counts = task.counts
    planned = task.planned or 1
    lines = [
        f"**群发任务 #{task.id} {task.spec.title}**",
        f"> 状态：{_STATE_NAMES.get(task.state.value, task.state.value)}"
        f"（截止 {local(task.spec.deadline, tz)}）",
        f"> 员工：{len(done)}/{len(senders)} 已发送",
        f"> {_unit(task)[1:]}：已送达 {counts.get('sent', 0)}"
        f"（{100 * counts.get('sent', 0) // planned}%），未发送 {counts.get('unsent', 0)}，"
        f"非好友 {counts.get('not_friend', 0)}，本月已达上限 {counts.get('capped', 0)}",
        f"> 排除：免打扰 {task.exclusions.do_not_disturb}，已达月上限 {task.exclusions.over_cap}",
    ]
    laggards = sorted(s.userid for s in senders if s.status != "sent")
    if laggards:
        shown = "、".join(laggards[:20]) + ("…" if len(laggards) > 20 else "")  # noqa: PLR2004
        lines.append(f"> 未发送的员工：{shown}")
    return "\n".join(lines)


def cancelled_card(task: TaskRecord, url: str) -> dict[str, Any]:
    """Told to senders who had not sent: the task was cancelled, nothing to do."""
    return _notice(
        f"已取消：{task.spec.title or task.spec.content.preview(20)}",
        "这个群发任务已取消，无需再发送",
        [{"keyname": "任务", "value": f"#{task.id}"}],
        url,
    )


_STATE_NAMES: Final = {
    "active": "进行中",
    "completed": "全部完成",
    "closed": "已截止",
    "cancelled": "已取消",
    "failed": "失败",
}
