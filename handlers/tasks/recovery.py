"""Finding a template WeCom made although siyu never got the answer (timeout, crash).

get_groupmsg_list_v2 lists the sender's templates created since the call started (with a
margin for clock differences) with the same text; get_groupmsg_send_result tells which has
exactly the call's targets. Calls of one task never share a target, so a match is the call.
"""

from __future__ import annotations

from typing import Final

from handlers.tasks.context import Campaigns
from handlers.tasks.records import CallRecord, TaskRecord

LOOKBACK_SECONDS: Final = 600  # clocks differ: look this far before a lost call's start
MAX_PAGES: Final = 100


async def find_lost(
    campaigns: Campaigns,
    task: TaskRecord,
    call: CallRecord,
    targets: tuple[str, ...],
    taken: set[str],
) -> str | None:
    """The msgid of a template WeCom made for ``call`` although its answer was lost."""
    api = campaigns.api.campaigns
    start, end = call.started_at - LOOKBACK_SECONDS, campaigns.unix() + LOOKBACK_SECONDS
    text = task.spec.content.text
    cursor = ""
    for _ in range(MAX_PAGES):
        page = await api.created_between(
            start,
            end,
            cursor,
            limit=100,
            chat_type=task.spec.chat_type,
            creator=call.sender,
            filter_type=0,
        )
        for sent in page.get("group_msg_list", []):
            msgid = str(sent.get("msgid", ""))
            same_text = str((sent.get("text") or {}).get("content", "")) == text
            if (
                msgid not in taken
                and same_text
                and await _same_targets(campaigns, msgid, call, targets)
            ):
                return msgid
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            return None
    return None


async def _same_targets(
    campaigns: Campaigns, msgid: str, call: CallRecord, targets: tuple[str, ...]
) -> bool:
    found: set[str] = set()
    cursor = ""
    for _ in range(MAX_PAGES):
        page = await campaigns.api.campaigns.send_result(msgid, call.sender, cursor, limit=1000)
        found.update(
            str(r.get("external_userid") or r.get("chat_id") or "")
            for r in page.get("send_list", [])
        )
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    # WeCom lists the targets it accepted: all of this call's, less any that stopped being
    # the sender's contacts (the lost answer's fail_list). Calls of one task never overlap.
    return bool(found) and found <= set(targets)
