"""Delivering due reminders as prompt cards, and acting on the buttons pressed.

Exactly once: a due reminder is claimed for a card whose task id derives from the reminder
and its due time; the claim is stored before the send, so a redelivered event re-sends the
same card (WeCom's enable_duplicate_check drops it) or, once the ledger records the send,
sends nothing. Marking sent checks the card, so only the card's own event marks it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.quiet_hours import quiet_hours_of
from bot.store.ledger import Ledger
from bot.wecom.api import WeComAPI
from bot.wecom.errors import RateLimited, WeComAPIError
from config.settings import ReminderSettings
from handlers.reminders import cards
from handlers.reminders.records import WAITING, Reminder, State, to_ms
from handlers.reminders.repository import ReminderRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Sends prompt cards and applies card actions for one corp."""

    repo: ReminderRepository
    settings: ReminderSettings
    tz: ZoneInfo
    clock: Clock
    ledger: Ledger

    async def deliver(self, reminder_id: int, due_ms: int, api: WeComAPI) -> str:
        """Prompt the assignee of a due reminder; what happened (for logs and metrics)."""
        reminder = await self.repo.get(reminder_id)
        if reminder is None or reminder.due_ms != due_ms or reminder.state not in WAITING:
            return "stale"  # cancelled, snoozed again, or delivered on another card
        if reminder.is_series:
            return await self._occur(reminder)
        now = self.clock.now()
        quiet = quiet_hours_of(self.settings, reminder.assignee)
        release = quiet.release(now.astimezone(self.tz)) if quiet else None
        if release is not None and not reminder.card:
            await self.repo.transition(
                reminder, reminder.state, due_ms=to_ms(release), note="quiet hours"
            )
            return "quiet"
        return await self._send(reminder, now, api)

    async def _send(self, reminder: Reminder, now: datetime, api: WeComAPI) -> str:
        now_ms = to_ms(now)
        window_ms = int(self.settings.digest_window_seconds * 1000)
        due_together = await self.repo.due_of(reminder.assignee, now_ms + window_ms)
        ids = [reminder.id, *(i for i in due_together if i != reminder.id)]
        task_id = cards.task_id_for(reminder)
        card = await self.repo.claim_card(task_id, reminder.assignee, ids, now_ms + window_ms)
        if card is None:
            return "carried"  # another card carries it
        carried = await self.repo.get_many(card.ids)
        if not await self.ledger.is_done(f"reminder-card:{task_id}"):
            body = cards.prompt_card(task_id, carried, self.tz, self.settings.snooze_minutes)
            await api.messages.send_card([reminder.assignee], body)
            await self.ledger.apply_once(f"reminder-card:{task_id}", lambda pipe: None)
        expire_ms = now_ms + int(self.settings.expire_hours * 3_600_000)
        late_ms = int(self.settings.late_after_seconds * 1000)
        for item in carried:
            late = now_ms - item.due_ms > late_ms
            await self.repo.transition(
                item,
                State.SENT,
                expire_at_ms=expire_ms,
                on_card=task_id,
                sent_ms=str(now_ms),
                late="1" if late else "0",
            )
        return "digest" if len(carried) > 1 else "sent"

    async def _occur(self, series: Reminder) -> str:
        """A series fell due: its occurrence becomes a reminder of its own; the series moves on."""
        assert series.recurrence is not None  # noqa: S101 - is_series says so
        occurrence = Reminder(
            0,
            series.assignee,
            series.text,
            series.due_ms,
            customer_id=series.customer_id,
            customer_name=series.customer_name,
            source=f"series:{series.id}",
            content=series.content,
            created_ms=to_ms(self.clock.now()),
        )
        await self.repo.add(occurrence, once=f"series:{series.id}:{series.due_ms}")
        after = max(self.clock.now(), series.due).astimezone(self.tz)
        following = series.recurrence.next_after(after)  # missed occurrences coalesce into one
        await self.repo.transition(series, State.PENDING, due_ms=to_ms(following))
        return "occurred"

    def _until(self, action: str, now: datetime) -> datetime | None:
        if action == cards.SNOOZE:
            return now + timedelta(minutes=self.settings.snooze_minutes)
        if action == cards.TOMORROW:
            day = now.astimezone(self.tz).date() + timedelta(days=1)
            return datetime.combine(
                day, time.fromisoformat(self.settings.tomorrow_at), tzinfo=self.tz
            )
        return None

    async def act(
        self, task_id: str, userid: str, action: str, response_code: str | None, api: WeComAPI
    ) -> str:
        """A button was pressed on card ``task_id``: done, snooze or tomorrow."""
        card = await self.repo.card(task_id)
        if card is None or card.assignee != userid or action not in cards.ACTIONS:
            return "ignored"
        now = self.clock.now()
        until = self._until(action, now)
        for reminder in await self.repo.get_many(card.ids):
            if until is None:
                await self.repo.transition(
                    reminder, State.DONE, on_card=task_id, acted_ms=str(to_ms(now))
                )
            else:
                await self.repo.transition(
                    reminder,
                    State.SNOOZED,
                    on_card=task_id,
                    due_ms=to_ms(until),
                    card="",
                    acted_ms=str(to_ms(now)),
                    snoozes=str(reminder.snoozes + 1),
                    late="0",
                )
        if response_code:
            label = cards.replace_name(action, until, self.tz)
            await self._update_card(task_id, userid, response_code, label, api)
        return action

    async def _update_card(
        self, task_id: str, userid: str, code: str, label: str, api: WeComAPI
    ) -> None:
        effect = f"reminder-card-update:{task_id}:{code}"
        if await self.ledger.is_done(effect):
            return
        try:
            await api.messages.update_card([userid], code, label)
        except RateLimited:
            raise
        except WeComAPIError as exc:  # a used or lapsed code (72 h): the state changed anyway
            logger.warning("card %s could not be updated: %s", task_id, exc)
        await self.ledger.apply_once(effect, lambda pipe: None)
