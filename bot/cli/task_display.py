"""Tasks on a terminal: ``siyu tasks list`` and ``siyu tasks show`` (progress bars)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

BAR: Final = 20


def bar(done: int, total: int, width: int = BAR) -> str:
    """A progress bar with its percentage: ``██████░░░░  30%``."""
    share = done / total if total else 0.0
    filled = min(width, round(share * width))
    return f"{'█' * filled}{'░' * (width - filled)} {int(share * 100):>3}%"


def _when(iso: str, tz: ZoneInfo) -> str:
    return f"{datetime.fromisoformat(iso).astimezone(tz):%Y-%m-%d %H:%M}"


def listing_lines(tasks: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> list[str]:
    """One line per task, newest first."""
    if not tasks:
        return ["no group tasks yet (siyu tasks create --help)"]
    header = f"{'id':>4}  {'state':<9}  {'progress':<26}  {'deadline':<16}  title"
    return [header] + [
        f"{task['id']:>4}  {task['state']:<9}  {bar(task['sent'], task['targets'])}  "
        f"{_when(task['deadline'], tz):<16}  {task['title']}"
        for task in tasks
    ]


def show_lines(state: Mapping[str, Any], tz: ZoneInfo) -> list[str]:
    """A task in full: what, to whom, what was left out, each sender's progress."""
    spec, counts, excluded = state["spec"], state["counts"], state["excluded"]
    unit = "groups" if state["chat_type"] == "group" else "customers"
    content = spec["content"]
    attached = len(content["attachments"])
    staff = state["staff"]
    done = sum(1 for s in staff if s["status"] == "sent")
    lines = [
        f"task #{state['id']}  {state['title']}  [{state['state']}]",
        f"deadline   {_when(state['deadline'], tz)} ({tz.key})",
        f"content    {content['text'][:60]}" + (f"  (+{attached} attachments)" if attached else ""),
        f"targets    {state['targets']:,} {unit} of {state['matched']:,} matched; excluded "
        f"{excluded['do_not_disturb']:,} do-not-disturb, {excluded['over_cap']:,} at the "
        f"monthly cap",
        f"calls      {len(state['msgids'])} group sends" + _failed_calls(state["calls"]),
        f"progress   {bar(counts.get('sent', 0), state['targets'])}  "
        f"{counts.get('sent', 0):,}/{state['targets']:,} sent, {done}/{len(staff)} staff done; "
        f"not a friend {counts.get('not_friend', 0):,}, capped {counts.get('capped', 0):,}",
    ]
    if state["error"]:
        lines.append(f"error      {state['error']}")
    if staff:
        lines.append("")
        lines.append(f"{'staff':<16}{unit:>10}  {'sent':<26}  {'status':<8} reminded")
    lines.extend(
        f"{member['userid']:<16}{member['targets']:>10,}  "
        f"{bar(member['sent_targets'], member['targets'])}  {member['status']:<8} "
        f"{member['reminders']}"
        for member in staff
    )
    return lines


def _failed_calls(calls: Sequence[Mapping[str, Any]]) -> str:
    failed = [c for c in calls if c["state"] == "failed"]
    waiting = [c for c in calls if c["state"] in {"pending", "calling"}]
    parts = []
    if waiting:
        parts.append(f"{len(waiting)} not made yet")
    if failed:
        parts.append(f"{len(failed)} refused by WeCom: {failed[0]['error']}")
    return f" ({'; '.join(parts)})" if parts else ""
