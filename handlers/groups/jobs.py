"""The periodic work of customer groups: daily digests when due, today's SOP reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.deps import Deps
from handlers.groups import digests, sop
from handlers.groups.context import Groups


@dataclass(frozen=True, slots=True)
class GroupsTick:
    """What one tick did."""

    digests: list[str]  # chat ids digested
    sop_reminders: int  # SOP reminders made


async def tick(deps: Deps, now: datetime) -> GroupsTick:
    """Everything due on customer groups at ``now`` (call it every minute or so)."""
    groups = Groups.of(deps, now)
    return GroupsTick(await digests.send_due(groups), await sop.schedule(groups))
