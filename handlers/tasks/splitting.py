"""Splitting a task into add_msg_template calls: one sender each, within WeCom's limits.

One sender per call means get_groupmsg_task has one row per msgid, remind_groupmsg_send
reaches exactly the laggard, and a call that fails touches one staff member. Order is
deterministic (senders, then targets, sorted) so a re-plan gives the same calls.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.wecom.bounds import MAX_CUSTOMERS, MAX_GROUPS
from handlers.tasks.model import Chunk


def split(senders: Mapping[str, str], limit: int) -> list[Chunk]:
    """Chunks of ≤``limit`` targets per sender from target → sender."""
    if limit < 1:
        raise ValueError("limit must be positive")
    by_sender: dict[str, list[str]] = {}
    for target, sender in senders.items():
        by_sender.setdefault(sender, []).append(target)
    chunks: list[Chunk] = []
    for sender in sorted(by_sender):
        targets = sorted(by_sender[sender])
        for start in range(0, len(targets), limit):
            chunks.append(Chunk(len(chunks), sender, tuple(targets[start : start + limit])))
    return chunks


def limit_for(chat_type: str) -> int:
    """WeCom's per-call limit for ``chat_type`` (single: customers, group: groups)."""
    return MAX_GROUPS if chat_type == "group" else MAX_CUSTOMERS
