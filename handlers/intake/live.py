"""The intake rules and clock of a running siyu, read through its Deps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.deps import Deps
from handlers.intake.rule_store import INTAKE_RULES, IntakeRulesStore
from handlers.intake.rules import IntakeRules


def rules_store(deps: Deps, actor: str = "api") -> IntakeRulesStore:
    """The live rules of this corp, to read or replace as a whole."""
    return IntakeRulesStore(deps.get(INTAKE_RULES), actor)


async def rules_of(deps: Deps) -> IntakeRules:
    """The live intake rules (the process's compiled copy, following the store)."""
    return await deps.get(INTAKE_RULES).current()


def local_time(deps: Deps, moment: datetime | None = None) -> datetime:
    """``moment`` (default: now, from the injected clock) in the corp's time zone."""
    return (moment or deps.clock.now()).astimezone(ZoneInfo(deps.settings.timezone))


def day_of(local: datetime) -> str:
    """The statistics day of a local time: YYYYMMDD."""
    return local.strftime("%Y%m%d")
