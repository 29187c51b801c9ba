"""提醒 in the console: staff reminders with what became of them (pending, due, overdue,
done, missed, cancelled), filtered by staff member and status, a page at a time; the same
query model and paging as GET /api/v1/reminders."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import ValidationError

from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, render
from handlers.reminders.admin import ReminderQuery, reminder_page
from handlers.reminders.overview import Status
from handlers.reminders.records import from_ms

pages = Pages("reminders", Path(__file__).with_name("templates"))
ROOT: Final = "/console/reminders"
LISTED: Final = 50
_FIELDS: Final = {"assignee": "staff", "status": "status", "cursor": "before"}
SOURCES: Final = frozenset({"chat", "sop", "rule", "series", "group_sop"})  # catalog keys


def _asked(values: dict[str, str]) -> ReminderQuery:
    return ReminderQuery.model_validate(
        {
            "assignee": values["staff"] or None,
            "status": values["status"] or None,
            "cursor": values["before"] or None,
            "limit": LISTED,
        }
    )


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """The query's problems by form field (the catalog names them in Chinese)."""
    return {_FIELDS.get(str(e["loc"][0]), "staff"): str(e["loc"][0]) for e in exc.errors()}


def _source(source: str) -> str:
    """Where a reminder came from, as its catalog key (``reminders.source_<kind>``) or raw."""
    kind = source.partition(":")[0]
    return zh_cn()(f"reminders.source_{kind}") if kind in SOURCES else source


@pages.get(ROOT)
async def reminder_list(request: web.Request) -> web.StreamResponse:
    """Reminders, newest first, by staff member (``staff``) and status, ``before`` a cursor."""
    deps = request.app[RUNTIME].deps
    values = {name: request.query.get(name, "").strip() for name in ("staff", "status", "before")}
    context: dict[str, Any] = {
        "nav": "reminders",
        "values": values,
        "statuses": [s.value for s in Status],
        "rows": [],
        "next": None,
        "errors": {},
    }
    try:
        asked = _asked(values)
    except ValidationError as exc:
        context["errors"] = _field_errors(exc)
        return render(request, "reminders/list.html", context, status=422)
    found = await reminder_page(deps, asked)
    zone = ZoneInfo(deps.settings.timezone)
    context["rows"] = [
        {
            "id": reminder.id,
            "assignee": reminder.assignee,
            "text": reminder.text,
            "customer": reminder.customer_name or reminder.customer_id,
            "due": from_ms(reminder.due_ms).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "status": status.value,
            "source": _source(reminder.source),
            "recurring": reminder.is_series,
        }
        for reminder, status in found.items
    ]
    context["next"] = found.next_cursor
    return render(request, "reminders/list.html", context)
