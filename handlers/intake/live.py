"""The intake rules and clock of a running siyu, read through its Deps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.deps import Deps
from handlers.intake.rule_store import IntakeRulesStore
from handlers.intake.rules import IntakeRules


def rules_store(deps: Deps) -> IntakeRulesStore:
    """The live rules of this corp, as the settings say where defaults and caching are."""
    intake = deps.settings.intake
    return IntakeRulesStore(deps.redis, deps.corp_id, intake.rules_file,
                            intake.rules_cache_seconds)  # fmt: skip


async def rules_of(deps: Deps) -> IntakeRules:
    """The live intake rules."""
    return await rules_store(deps).get()


def local_time(deps: Deps, moment: datetime | None = None) -> datetime:
    """``moment`` (default: now, from the injected clock) in the corp's time zone."""
    return (moment or deps.clock.now()).astimezone(ZoneInfo(deps.settings.timezone))


def day_of(local: datetime) -> str:
    """The statistics day of a local time: YYYYMMDD."""
    return local.strftime("%Y%m%d")
