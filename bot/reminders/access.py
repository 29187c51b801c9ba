"""The reminders service of a handler's Deps (built by the runtime, or made on the spot)."""

from __future__ import annotations

from bot.deps import Deps
from bot.reminders.service import ReminderService
from bot.wecom.api import WeComAPI


def reminders_of(deps: Deps) -> ReminderService:
    """``deps.reminders``, or a service over the same Redis when Deps was built bare."""
    if deps.reminders is not None:
        return deps.reminders
    return ReminderService.build(deps.redis, deps.settings, deps.clock, deps.ledger)


def reminders_api(deps: Deps) -> WeComAPI:
    """The app in whose chat staff command reminders and receive prompts."""
    return deps.api(deps.settings.reminders.app)
