"""Handing a KF customer to a human: choose a servicer, move the session, tell the servicer.

Round robin over the account's servicers on duty (kf/servicer/list), the customer's previous
servicer first; nobody on duty → the pool (state 2), where the first servicer free takes
it. The customer is told before the move (the API may reply only in states 0 and 1), then
kf/service_state/trans, then an app message to the servicer with the reason and the last
messages. From then on the bot stays silent until the session ends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Final

from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.conversations.transcripts import Line

logger = logging.getLogger(__name__)

POOL, HUMAN = 2, 3  # service_state
REASONS: Final = {
    "human": "客户要求人工客服",
    "complaint": "客户投诉",
    "fallback": "机器人连续未能回答",
    "tap": "客户点选「人工」",
}
APP_TEXT_BYTES: Final = 2048  # message/send text.content
LINE_CHARS: Final = 120


def pick_servicer(on_duty: Sequence[str], previous: str, turn: int) -> str | None:
    """The servicer for a handoff: the previous one if on duty, else the turn's; None: pool."""
    if not on_duty:
        return None
    if previous in on_duty:
        return previous
    ordered = sorted(on_duty)
    return ordered[turn % len(ordered)]


def who_label(who: str) -> str:
    """A transcript line's writer in Chinese."""
    if who == "customer":
        return "客户"
    if who == "bot":
        return "机器人"
    return "客服 " + who.removeprefix("servicer:")


def local_clock(at: str, zone: tzinfo) -> str:
    """HH:MM of a transcript line's time in the deployment's time zone."""
    return f"{datetime.fromisoformat(at).astimezone(zone):%H:%M}"


def servicer_note(
    customer: str, open_kfid: str, reason: str, lines: Sequence[Line], zone: tzinfo
) -> str:
    """The app message to the servicer: who, why, the last messages (≤2048 bytes), their
    times in ``zone`` (customers' lines are stamped in UTC, the bot's in local time)."""
    head = [
        "【微信客服转人工】",
        f"客户：{customer}（客服账号 {open_kfid}）",
        f"原因：{REASONS.get(reason, reason)}",
    ]
    tail = ["请在企业微信「微信客服」中接待。"]
    quoted = [
        f"{who_label(line.who)} {local_clock(line.at, zone)}：{line.text[:LINE_CHARS]}"
        for line in lines
    ]
    while quoted:
        text = "\n".join([*head, "最近消息：", *quoted, *tail])
        if len(text.encode()) <= APP_TEXT_BYTES:
            return text
        quoted.pop(0)  # the oldest go first
    return "\n".join([*head, *tail])


def refused(exc: WeComAPIError | WeComUnavailable) -> str:
    """How a refused call is logged (never with its body)."""
    return f"{exc.errcode}" if isinstance(exc, WeComAPIError) else "unreachable"
