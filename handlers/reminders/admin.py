"""/api/v1/reminders: staff reminders with what became of them (pending, due, overdue, done,
missed, cancelled), a page at a time, filtered by staff member and status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, Field

from bot.admin.endpoints import Endpoints, path_params, query
from bot.admin.errors import not_found
from bot.deps import Deps
from bot.live import RUNTIME
from handlers.reminders.access import reminders_of
from handlers.reminders.overview import Page, Status, page, status_of
from handlers.reminders.records import Reminder, from_ms, to_ms

routes = Endpoints()
USERID: Final = r"^[A-Za-z0-9_.@-]{1,64}$"  # a WeCom userid


class ReminderQuery(BaseModel):
    """Which reminders: a staff member's (``assignee``), in one ``status``; ``cursor``: from the
    last answer."""

    assignee: str | None = Field(default=None, pattern=USERID)
    status: Status | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int | None = Field(default=None, ge=1, le=2**53)


class ReminderOut(BaseModel):
    """A reminder: whose, about whom, when due (local time), its state and status."""

    id: int
    assignee: str
    text: str
    due_at: datetime
    state: str
    status: Status
    customer_id: str
    customer_name: str
    source: str
    recurring: bool
    created_at: datetime | None
    acted_at: datetime | None
    snoozes: int


class ReminderPage(BaseModel):
    """Reminders, newest first; ``next_cursor`` is null on the last page."""

    items: list[ReminderOut]
    next_cursor: int | None


class ReminderPath(BaseModel):
    """A reminder's number."""

    reminder_id: int = Field(ge=1, le=2**53)


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def reminder_json(reminder: Reminder, status: Status, zone: ZoneInfo) -> dict[str, Any]:
    """A reminder as ReminderOut's JSON, times in ``zone``."""

    def moment(ms: int) -> str | None:
        return from_ms(ms).astimezone(zone).isoformat() if ms else None

    return {
        "id": reminder.id,
        "assignee": reminder.assignee,
        "text": reminder.text,
        "due_at": moment(reminder.due_ms),
        "state": reminder.state.value,
        "status": status.value,
        "customer_id": reminder.customer_id,
        "customer_name": reminder.customer_name,
        "source": reminder.source,
        "recurring": reminder.is_series,
        "created_at": moment(reminder.created_ms),
        "acted_at": moment(reminder.acted_ms),
        "snoozes": reminder.snoozes,
    }


async def reminder_page(deps: Deps, asked: ReminderQuery) -> Page:
    """The page of reminders ``asked`` for."""
    return await page(
        reminders_of(deps).repo,
        to_ms(deps.clock.now()),
        limit=asked.limit,
        before=asked.cursor,
        assignee=asked.assignee,
        status=asked.status,
    )


@routes.get("/api/v1/reminders", query=ReminderQuery, answer=ReminderPage)
async def list_reminders(request: web.Request) -> web.Response:
    """Reminders, newest first, a page at a time (``cursor``), by staff member and status."""
    deps = _deps(request)
    found = await reminder_page(deps, query(request, ReminderQuery))
    zone = ZoneInfo(deps.settings.timezone)
    items = [reminder_json(reminder, status, zone) for reminder, status in found.items]
    return web.json_response({"items": items, "next_cursor": found.next_cursor})


@routes.get("/api/v1/reminders/{reminder_id}", path_model=ReminderPath, answer=ReminderOut)
async def show_reminder(request: web.Request) -> web.Response:
    """One reminder."""
    deps = _deps(request)
    reminder_id = path_params(request, ReminderPath).reminder_id
    found = await reminders_of(deps).repo.get(reminder_id)
    if found is None:
        raise not_found("reminder")
    status = status_of(found, to_ms(deps.clock.now()))
    return web.json_response(reminder_json(found, status, ZoneInfo(deps.settings.timezone)))
