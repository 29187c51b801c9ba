"""The reminders service of a handler's Deps, and the app staff talk to about reminders."""

from __future__ import annotations

from typing import Final

from bot.deps import ComponentKey, Deps
from bot.wecom.api import WeComAPI
from handlers.reminders.service import ReminderService

REMINDERS: Final = ComponentKey[ReminderService]("reminders")


def reminders_of(deps: Deps) -> ReminderService:
    """The process's reminders service (built once by the wiring)."""
    return deps.get(REMINDERS)


def reminders_api(deps: Deps) -> WeComAPI:
    """The app in whose chat staff command reminders and receive prompts."""
    return deps.api(deps.settings.reminders.app)
