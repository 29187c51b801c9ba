"""Following a task's progress in WeCom: who sent, and what each target got (doc 93338).

get_groupmsg_task tells whether the call's one sender confirmed; once they did,
get_groupmsg_send_result (paged, 1000 a page) gives each target's status: sent, not a
friend, or capped (already got its monthly quota). Results are stored by a Lua call that
counts each newly sent target in its local month, so re-polling counts nothing twice.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from handlers.tasks.context import Campaigns
from handlers.tasks.records import UNSENT, CallRecord, CallState, TaskRecord
from handlers.tasks.store import TaskStore

TASK_SENT: Final = 2  # get_groupmsg_task status
PAGE: Final = 1000
MAX_PAGES: Final = 1000


async def poll(campaigns: Campaigns, task: TaskRecord) -> TaskRecord:
    """Refresh every call's progress, the senders' progress and the task's counts."""
    for call in await campaigns.store.calls(task.id):
        if call.state != CallState.CREATED.value or call.results_final or call.cancelled:
            continue
        await _poll_call(campaigns, task, call)
    await _staff_progress(campaigns.store, task.id)
    counts = await campaigns.store.result_counts(task.id)
    now = campaigns.unix()
    await campaigns.store.update(
        task.id, now, counts=json.dumps(counts, separators=(",", ":")), polled_at=now
    )
    return dataclasses.replace(task, counts=counts, polled_at=now)


async def _poll_call(campaigns: Campaigns, task: TaskRecord, call: CallRecord) -> None:
    if not call.sent:
        send_time = await sent_at(campaigns, call)
        if send_time is None:
            return
        call = dataclasses.replace(call, sent=True, send_time=send_time)
        await campaigns.store.put_call(task.id, call)
    statuses = await send_results(campaigns, call)
    by_month: dict[str, dict[str, int]] = {}
    for target, (status, when) in statuses.items():
        moment = datetime.fromtimestamp(when, tz=UTC) if when else campaigns.now()
        by_month.setdefault(campaigns.month(moment), {})[target] = status
    for month, found in by_month.items():
        await campaigns.store.record_results(
            task.id, found, month, campaigns.cap(), campaigns.month_ttl()
        )
    if not any(status == UNSENT for status, _ in statuses.values()):
        await campaigns.store.put_call(task.id, dataclasses.replace(call, results_final=True))


async def sent_at(campaigns: Campaigns, call: CallRecord) -> int | None:
    """When the call's sender confirmed it, or None if they have not (yet)."""
    cursor = ""
    for _ in range(MAX_PAGES):
        page = await campaigns.api.campaigns.task(call.msgid, cursor, limit=PAGE)
        for row in page.get("task_list", []):
            if str(row.get("userid")) == call.sender and int(row.get("status", 0)) == TASK_SENT:
                return int(row.get("send_time", 0) or 0) or campaigns.unix()
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            return None
    return None


async def send_results(campaigns: Campaigns, call: CallRecord) -> dict[str, tuple[int, int]]:
    """Each target of a call: (status, send_time)."""
    found: dict[str, tuple[int, int]] = {}
    cursor = ""
    for _ in range(MAX_PAGES):
        page = await campaigns.api.campaigns.send_result(call.msgid, call.sender, cursor, PAGE)
        for row in page.get("send_list", []):
            target = _target(row)
            if target:
                found[target] = (int(row.get("status", 0)), int(row.get("send_time", 0) or 0))
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    return found


def _target(row: Mapping[str, Any]) -> str:
    return str(row.get("external_userid") or row.get("chat_id") or "")


async def _staff_progress(store: TaskStore, task_id: int) -> None:
    calls = await store.calls(task_id)
    for staff in (await store.staff(task_id)).values():
        own = [c for c in calls if c.sender == staff.userid and c.state == CallState.CREATED.value]
        sent = [c for c in own if c.sent]
        updated = dataclasses.replace(
            staff,
            calls=len(own) or staff.calls,
            sent_calls=len(sent),
            sent_at=max((c.send_time for c in sent), default=0),
        )
        if updated != staff:
            await store.put_staff(task_id, updated)
