"""ReminderService: what handlers call. Staff commands, SOP/rule reminders, delivery, actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from bot.clock import Clock
from bot.quiet_hours import quiet_hours_of
from bot.store.ledger import Ledger
from bot.store.rules import RulesStore
from bot.store.rules_live import LiveRules
from bot.wecom.api import WeComAPI
from config.settings import Settings
from handlers.reminders.commands import CancelReminder, ListReminders, parse_command
from handlers.reminders.customers import Resolution, resolve
from handlers.reminders.delivery import Delivery
from handlers.reminders.records import ACTIVE, Reminder, State, to_ms
from handlers.reminders.repository import ReminderRepository
from handlers.reminders.rules import RuleBook, reminder_rule_set
from nlp.timeparse import ParsedReminder, Rejection, format_due

_LIST_LIMIT = 20


@dataclass(frozen=True, slots=True)
class ReminderService:
    """The reminders of one corp."""

    repo: ReminderRepository
    settings: Settings
    clock: Clock
    live_rules: LiveRules[RuleBook]
    delivery: Delivery

    @classmethod
    def build(
        cls,
        redis: Redis,
        settings: Settings,
        clock: Clock,
        ledger: Ledger,
        rules: LiveRules[RuleBook] | None = None,
    ) -> ReminderService:
        """The service over ``redis``, following the store's rules (``start`` them first)."""
        repo = ReminderRepository(redis, settings.wecom.corp_id)
        tz = ZoneInfo(settings.timezone)
        delivery = Delivery(repo, settings.reminders, tz, clock, ledger)
        store = RulesStore(redis, settings.wecom.corp_id, clock)
        book = rules or LiveRules(store, reminder_rule_set(settings.reminders.rules_file))
        return cls(repo, settings, clock, book, delivery)

    @property
    def rules(self) -> RuleBook:
        """The SOP sequences and rules in use (following the rules store)."""
        return self.live_rules.latest()

    @property
    def tz(self) -> ZoneInfo:
        """The corp's time zone."""
        return self.delivery.tz

    def _local(self, moment: datetime) -> str:
        return format_due(moment.astimezone(self.tz))

    async def command(self, userid: str, text: str, api: WeComAPI, once: str) -> str:
        """Carry out a staff member's reminder command; the reply to send them."""
        default_time = time.fromisoformat(self.settings.reminders.default_time)
        parsed = parse_command(text, self.clock.now(), default_time, self.tz)
        if isinstance(parsed, Rejection):
            return f"没听懂：{parsed.reason}"
        if isinstance(parsed, ListReminders):
            return await self.list_text(userid)
        if isinstance(parsed, CancelReminder):
            return await self.cancel(userid, parsed.reminder_id)
        return await self.create(userid, parsed, api, once)

    async def create(self, userid: str, parsed: ParsedReminder, api: WeComAPI, once: str) -> str:
        """Store the reminder a command describes; the confirmation."""
        found = await resolve(api, userid, parsed.task) if parsed.customer_hint else None
        customer = found.customer if found else None
        reminder = Reminder(
            0,
            userid,
            parsed.task,
            to_ms(parsed.due),
            recurrence=parsed.recurrence,
            customer_id=customer.external_userid if customer else "",
            customer_name=customer.name if customer else "",
            created_ms=to_ms(self.clock.now()),
        )
        stored, _ = await self.repo.add(reminder, once=once)
        return self._confirmation(stored, parsed, found)

    def _confirmation(
        self, stored: Reminder, parsed: ParsedReminder, found: Resolution | None
    ) -> str:
        when = (
            f"{parsed.recurrence.describe()}（首次 {self._local(parsed.due)}）"
            if parsed.recurrence
            else self._local(parsed.due)
        )
        reply = f"好的，{when} 提醒你{stored.text}（#{stored.id}）"
        if found is not None and found.customer is not None:
            reply += f"\n客户：{found.customer.name}"
        elif found is not None and found.candidates:
            names = "、".join(c.remark or c.name for c in found.candidates[:3])
            reply += f"\n有几位客户都叫这个名字（{names}），这条提醒没有关联客户"
        elif found is not None and not found.failed:
            reply += f"\n你的客户里没有找到“{parsed.customer_hint}”，这条提醒没有关联客户"
        quiet = quiet_hours_of(self.settings.reminders, stored.assignee)
        release = quiet.release(parsed.due.astimezone(self.tz)) if quiet else None
        if release is not None:
            reply += f"\n那时在免打扰时段，会在 {release:%H:%M} 提醒你"
        return reply + "\n发“我的提醒”查看，“取消提醒 N”取消"

    async def list_text(self, userid: str) -> str:
        """我的提醒: the active reminders, soonest first."""
        active = await self.repo.active_of(userid)
        if not active:
            return "你没有待办的提醒。试试“明天下午3点提醒我回访张三”"
        lines = [f"你的提醒（{len(active)} 条）："]
        for r in active[:_LIST_LIMIT]:
            when = r.recurrence.describe() if r.recurrence else self._local(r.due)
            state = {State.SENT: "（已提醒）", State.SNOOZED: "（已推迟）"}.get(r.state, "")
            lines.append(f"#{r.id} {when} {r.text}{state}")
        if len(active) > _LIST_LIMIT:
            lines.append(f"…另有 {len(active) - _LIST_LIMIT} 条")
        return "\n".join([*lines, "回复“取消提醒 N”可取消"])

    async def cancel(self, userid: str, reminder_id: int) -> str:
        """取消提醒 N: only the staff member's own, only while active."""
        reminder = await self.repo.get(reminder_id)
        if reminder is None or reminder.assignee != userid:
            return f"没有找到你的提醒 #{reminder_id}，发“我的提醒”查看编号"
        if reminder.state not in ACTIVE:
            return f"提醒 #{reminder_id} 已经{_STATE_NAMES[reminder.state]}，不用取消"
        await self.repo.transition(
            reminder,
            State.CANCELLED,
            acted_ms=str(to_ms(self.clock.now())),
            note="cancelled by the staff member",
        )
        return f"已取消提醒 #{reminder_id}：{reminder.text}"

    async def remind(
        self,
        userid: str,
        text: str,
        due: datetime,
        *,
        customer_id: str = "",
        customer_name: str = "",
        source: str,
        content: str = "",
        once: str = "",
    ) -> Reminder:
        """A reminder made by siyu itself (SOP steps, rules), once per ``once`` key."""
        reminder = Reminder(
            0,
            userid,
            text,
            to_ms(due),
            customer_id=customer_id,
            customer_name=customer_name,
            source=source,
            content=content,
            created_ms=to_ms(self.clock.now()),
        )
        stored, _ = await self.repo.add(reminder, once=once)
        return stored


_STATE_NAMES = {State.DONE: "完成", State.CANCELLED: "取消", State.EXPIRED: "过期"}
