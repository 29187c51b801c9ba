"""``siyu reminders list``: every reminder's state, visible to operators; and ``parse``."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.cli.reminder_parse import add_parse_arguments
from bot.store.connection import open_redis
from config.settings import Settings
from handlers.reminders.records import Reminder, State, from_ms
from handlers.reminders.repository import ReminderRepository

AddConfig = Callable[[argparse.ArgumentParser], None]


def add_reminders_arguments(parser: argparse.ArgumentParser, add_config: AddConfig) -> None:
    """``siyu reminders list [--json] [--state S] [--assignee U] [--limit N]``."""
    actions = parser.add_subparsers(dest="reminders_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="reminders, newest first, with their states")
    add_config(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--state", choices=[s.value for s in State], help="only this state")
    listing.add_argument("--assignee", metavar="USERID", help="only this staff member's")
    listing.add_argument("--limit", type=int, default=100, help="newest N reminders (100)")
    parse = actions.add_parser(
        "parse", help="staff messages on stdin → due, rrule, task, customer, error as JSON lines"
    )
    add_parse_arguments(parse)


def _row(reminder: Reminder, tz: ZoneInfo) -> dict[str, object]:
    def local(ms: int) -> str | None:
        return from_ms(ms).astimezone(tz).isoformat(timespec="seconds") if ms else None

    return {
        "id": reminder.id,
        "state": reminder.state.value,
        "assignee": reminder.assignee,
        "due": local(reminder.due_ms),
        "late": reminder.late,
        "text": reminder.text,
        "customer": reminder.customer_name or reminder.customer_id or None,
        "recurrence": reminder.recurrence.describe() if reminder.recurrence else None,
        "source": reminder.source,
        "sent": local(reminder.sent_ms),
        "acted": local(reminder.acted_ms),
        "snoozes": reminder.snoozes,
        "note": reminder.note,
    }


def _line(row: dict[str, object]) -> str:
    flags = " late" if row["late"] else ""
    every = f" ({row['recurrence']})" if row["recurrence"] else ""
    customer = f" [{row['customer']}]" if row["customer"] else ""
    return (
        f"#{row['id']:<6} {row['state']:<9}{flags:<5} {row['due']}  {row['assignee']}  "
        f"{row['text']}{customer}{every}  <{row['source']}>"
    )


async def _list(settings: Settings, args: argparse.Namespace) -> list[str]:
    tz = ZoneInfo(settings.timezone)
    async with open_redis(settings.redis) as redis:
        repo = ReminderRepository(redis, settings.wecom.corp_id)
        found = await repo.recent(args.limit)
    rows = [
        _row(r, tz)
        for r in found
        if (args.state is None or r.state.value == args.state)
        and (args.assignee is None or r.assignee == args.assignee)
    ]
    if args.json:
        return [json.dumps(row, ensure_ascii=False) for row in rows]
    return [_line(row) for row in rows] or ["no reminders"]


def run_reminders(settings: Settings, args: argparse.Namespace) -> tuple[int, list[str]]:
    """Run a ``siyu reminders`` action: exit status and the lines to print."""
    return 0, asyncio.run(_list(settings, args))
