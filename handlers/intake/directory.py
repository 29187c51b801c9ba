"""The staff directory of the intake rules, as other concerns read it (names, managers,
channels by state): provided to them through the wiring, never imported."""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from handlers.intake.live import rules_of
from handlers.intake.rules import IntakeRules


@dataclass(frozen=True, slots=True)
class IntakeDirectory:
    """One version of the intake rules, read as a directory."""

    rules: IntakeRules

    def staff_name(self, userid: str) -> str:
        """The member's display name (their userid if the directory has none)."""
        return self.rules.staff_name(userid)

    def manager_of(self, userid: str) -> str | None:
        """The member's manager, if the directory names one."""
        member = self.rules.staff.get(userid)
        return member.manager if member is not None and member.manager else None

    def channel_name(self, state: str) -> str | None:
        """The name of the channel whose live code carries ``state``."""
        found = self.rules.channel_for(state)
        return found[1].name if found else None


class LiveDirectory:
    """The directory of the live intake rules."""

    async def current(self, deps: Deps) -> IntakeDirectory:
        """The directory now."""
        return IntakeDirectory(await rules_of(deps))
