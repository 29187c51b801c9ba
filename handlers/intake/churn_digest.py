"""Managers' churn digests, sent at the rules' time of day in the corp's time zone.

Call ``send_due_digests`` often (every minute, from the scheduler's leader). It never sends
early: a digest covers the losses before the latest digest time that has passed (e.g.
today's 08:00 in Asia/Shanghai, read from the injected clock), goes out once per such time,
and a loss after 08:00 waits for tomorrow's. Starting siyu at 07:00 sends nothing (the
latest 08:00 was yesterday's, and its losses went out then); a digest that could not go
out at its time (siyu down) still goes out up to ``intake.digest_grace_minutes`` late,
later than that it waits for the next day's, so nobody gets "the 08:00 digest" at 15:00.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.store import keys
from bot.store.locks import Lock
from handlers.intake.churn_notices import digest_markdown
from handlers.intake.components import CHURN_DIGESTS
from handlers.intake.hours import latest_daily, time_of_day
from handlers.intake.live import rules_of

logger = logging.getLogger(__name__)


async def send_due_digests(deps: Deps) -> dict[str, int]:
    """Send every digest whose time has come; {manager: losses reported}."""
    rules = await rules_of(deps)
    if not rules.churn.digest:
        return {}
    zone = ZoneInfo(deps.settings.timezone)
    now = deps.clock.now()
    slot = latest_daily(time_of_day(rules.churn.digest_time), zone, now)
    if now - slot > timedelta(minutes=deps.settings.intake.digest_grace_minutes):
        return {}  # too late for this one: the next digest time will carry the losses
    slot_seconds = int(slot.timestamp())
    digests = deps.get(CHURN_DIGESTS)
    sent: dict[str, int] = {}
    async with Lock(deps.redis, keys.churn_digest_lock(deps.corp_id), 60.0).held(0) as held:
        if not held:
            return {}  # another process is sending them
        for manager in await digests.managers():
            last = await digests.last_sent(manager)
            if last is not None and last >= slot_seconds:
                continue
            losses = await digests.before(manager, slot_seconds)
            if losses:
                label = slot.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                text = digest_markdown(losses, zone, label)
                # enable_duplicate_check: a crash before mark_sent cannot send it twice
                await deps.api(deps.settings.intake.app).messages.send(
                    [manager], "markdown", {"content": text}
                )
                sent[manager] = len(losses)
                logger.info("churn digest to %s: %d losses", manager, len(losses))
            await digests.mark_sent(manager, slot_seconds)
    return sent
