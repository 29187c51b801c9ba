"""Prometheus metrics, one registry per app so tests and several apps never collide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.daily import DayCounter, NoDayCounts
from bot.queue import QueueStats

CallbackResult = Literal[
    "accepted",
    "duplicate",
    "malformed",
    "bad_signature",
    "stale",
    "too_large",
    "unknown_app",
    "unavailable",
    "spooled",  # Redis could not take it in time: in the local spool, answered 200
    "spool_full",  # Redis away and the spool full: 503, WeCom retries
    "timeout",  # the body did not arrive within the body-read timeout: 408
    "internal_kind",  # one of siyu's own event kinds, sent from outside: 400
]
HandledOutcome = Literal["handled", "ignored", "failed", "deferred", "dead_lettered"]
# sent; missed: the event came too late (welcome code expired); code_used: WeCom's 41051;
# no_code: the add carried no WelcomeCode; failed: WeCom refused or was unreachable;
# duplicate: the code was already handled (a redelivery).
WelcomeOutcome = Literal["sent", "missed", "code_used", "no_code", "failed", "duplicate"]
# sent; no_reviewers: the rules name none; invalid_reviewers: WeCom's 81013; resolved and
# false_positive: a reviewer pressed 已处理 or 误报.
AlertOutcome = Literal["sent", "no_reviewers", "invalid_reviewers", "resolved", "false_positive"]

# created: WeCom answered a msgid; adopted: a lost answer's template was found; rate_limited:
# 45009/45033, put back; unknown: no answer (timeout, -1), looked for next time; failed: refused.
TaskCallOutcome = Literal["created", "adopted", "rate_limited", "unknown", "failed"]
TaskMessageKind = Literal["prompt", "reminder", "wecom_reminder", "summary", "cancelled"]
GroupCardKind = Literal["digest", "quit_spike", "sensitive_word"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The metrics siyu exposes on /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.callbacks = Counter(
            "siyu_callbacks",
            "POSTed WeCom callbacks by app and result",
            ["app", "result"],
            registry=self.registry,
        )
        self.callback_seconds = Histogram(
            "siyu_callback_seconds",
            "Time to answer a POSTed callback",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
            registry=self.registry,
        )
        self.events_handled = Counter(
            "siyu_events_handled",
            "Queued events processed by workers, by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.stream_length = Gauge(
            "siyu_stream_length", "Entries in the event stream", registry=self.registry
        )
        self.stream_pending = Gauge(
            "siyu_stream_pending",
            "Entries delivered and not yet acknowledged",
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "siyu_dead_letters", "Entries in the dead-letter stream", registry=self.registry
        )
        self.delayed = Gauge(
            "siyu_delayed_events", "Events waiting out a rate limit", registry=self.registry
        )
        self.spooled = Counter(
            "siyu_spooled",
            "Callbacks written to the local spool while Redis was away",
            registry=self.registry,
        )
        self.spool_replayed = Counter(
            "siyu_spool_replayed",
            "Spooled callbacks replayed into Redis (queued or duplicate)",
            ["result"],
            registry=self.registry,
        )
        self.spool_bytes = Gauge(
            "siyu_spool_bytes",
            "Bytes of this process's spool not replayed yet",
            registry=self.registry,
        )
        self.spool_oldest_age = Gauge(
            "siyu_spool_oldest_age_seconds",
            "Age of the oldest spooled callback not replayed",
            registry=self.registry,
        )
        self.welcomes = Counter(
            "siyu_welcome",
            "Welcome messages to new customers by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.welcome_age = Histogram(
            "siyu_welcome_age_seconds",
            "Age of the add event (from its CreateTime) when its welcome was sent",
            buckets=(1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0),
            registry=self.registry,
        )
        self.chat_messages = Counter(
            "siyu_chat_messages",
            "Chat messages analyzed (app, kf, archive) by the writer's role",
            ["source", "role"],
            registry=self.registry,
        )
        self.sensitive_hits = Counter(
            "siyu_sensitive_hits",
            "Chat messages hitting a sensitive category, by the writer's role",
            ["category", "role"],
            registry=self.registry,
        )
        self.intents = Counter(
            "siyu_intents",
            "Customer messages by recognised intent",
            ["intent"],
            registry=self.registry,
        )
        self.moderation_alerts = Counter(
            "siyu_moderation_alerts",
            "Moderation alert cards by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.task_calls = Counter(
            "siyu_task_calls",
            "Group tasks' add_msg_template calls by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.task_messages = Counter(
            "siyu_task_messages",
            "Group tasks' messages to staff and operators by kind",
            ["kind"],
            registry=self.registry,
        )
        self.tasks_ended = Counter(
            "siyu_tasks_ended",
            "Group tasks ended, by final state",
            ["state"],
            registry=self.registry,
        )
        self.group_changes = Counter(
            "siyu_group_member_changes",
            "Customer-group joins and quits (members) by scene",
            ["change", "scene"],
            registry=self.registry,
        )
        self.group_cards = Counter(
            "siyu_group_cards",
            "Customer-group digests and alerts sent, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.scale = ScaleMetrics(self.registry)  # issue 18: WeCom client, scheduler, lanes
        self.reminders = Counter(
            "siyu_reminders",
            "Reminders delivered or acted on, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        # The per-day counts operators read (bot/daily.py); the runtime attaches Redis's.
        self.day: DayCounter = NoDayCounts()

    def count_callback(self, app: str, result: CallbackResult) -> None:
        """One POSTed callback answered."""
        self.callbacks.labels(app=app, result=result).inc()

    def count_handled(self, kind: str, outcome: HandledOutcome) -> None:
        """One queued event processed."""
        self.events_handled.labels(kind=kind, outcome=outcome).inc()

    def count_welcome(self, outcome: WelcomeOutcome, age_seconds: float | None = None) -> None:
        """One add event's welcome handled; ``age_seconds`` when it was sent."""
        self.welcomes.labels(outcome=outcome).inc()
        self.day.add("welcomes", outcome)
        if age_seconds is not None:
            self.welcome_age.observe(age_seconds)

    def count_chat_message(self, source: str, role: str) -> None:
        """One chat message analyzed."""
        self.chat_messages.labels(source=source, role=role).inc()

    def count_sensitive(self, category: str, role: str) -> None:
        """One message hit ``category`` (counted once per message, whatever its hits)."""
        self.sensitive_hits.labels(category=category, role=role).inc()
        self.day.add("hits", category)

    def count_intent(self, intent: str) -> None:
        """One customer message with ``intent``."""
        self.intents.labels(intent=intent).inc()
        self.day.add("intents", intent)

    def count_alert(self, outcome: AlertOutcome) -> None:
        """One alert card sent, not sent, or resolved."""
        self.moderation_alerts.labels(outcome=outcome).inc()

    def count_task_call(self, outcome: TaskCallOutcome) -> None:
        """One add_msg_template call of a group task (or a lost one found)."""
        self.task_calls.labels(outcome=outcome).inc()

    def count_task_message(self, kind: TaskMessageKind, count: int = 1) -> None:
        """Messages of a group task: prompts, reminders (siyu's or WeCom's), summaries."""
        self.task_messages.labels(kind=kind).inc(count)
        self.day.add("task_messages", kind, count)

    def count_task_end(self, state: str) -> None:
        """A group task ended in ``state`` (completed, closed, cancelled, failed)."""
        self.tasks_ended.labels(state=state).inc()
        self.day.add("tasks", state)

    def count_group_change(self, change: str, scene: str, members: int) -> None:
        """``members`` joined or quit (``change``) a customer group by ``scene``."""
        self.group_changes.labels(change=change, scene=scene).inc(members)
        self.day.add(f"group_{change}", scene, members)

    def count_group_card(self, kind: GroupCardKind) -> None:
        """A customer-group digest or alert card sent."""
        self.group_cards.labels(kind=kind).inc()

    def count_reminder(self, outcome: str, count: int = 1) -> None:
        """Reminders delivered (sent, digest, quiet, ...), acted on (card_done, card_snooze,
        card_tomorrow) or expired unanswered."""
        self.reminders.labels(outcome=outcome).inc(count)
        self.day.add("reminders", outcome, count)

    def set_queue(self, stats: QueueStats) -> None:
        """Refresh the queue gauges (done at scrape time)."""
        self.stream_length.set(stats.length)
        self.stream_pending.set(stats.pending)
        self.dead_letters.set(stats.dead)
        self.delayed.set(stats.delayed)

    def set_spool(self, size: int, oldest_age_seconds: float) -> None:
        """Refresh the spool gauges (done at scrape time)."""
        self.spool_bytes.set(size)
        self.spool_oldest_age.set(oldest_age_seconds)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


# Issue 18 (every role observable): the WeCom client, the limiter, the scheduler, the lanes.
_API_SECONDS_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LAG_BUCKETS: Final = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)
TokenKind = Literal["access_token", "jsapi_ticket", "agent_ticket"]
# The WeCom APIs that refresh one (ticket/get: siyu asks only for type=agent_config).
_REFRESHES: Final[Mapping[str, TokenKind]] = {
    "gettoken": "access_token",
    "get_jsapi_ticket": "jsapi_ticket",
    "ticket/get": "agent_ticket",
}


class ScaleMetrics:
    """What a worker-only or scheduler-only process shows besides the events it handles."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.wecom_calls = Counter(
            "siyu_wecom_api_calls",
            "WeCom API calls by api and errcode (-2: no answer)",
            ["api", "errcode"],
            registry=registry,
        )
        self.wecom_seconds = Histogram(
            "siyu_wecom_api_seconds",
            "WeCom API call latency by api",
            ["api"],
            buckets=_API_SECONDS_BUCKETS,
            registry=registry,
        )
        self.limiter_waits = Counter(
            "siyu_limiter_waits",
            "Calls held by siyu's own limiter, by api and outcome (waited, requeued)",
            ["api", "outcome"],
            registry=registry,
        )
        self.limiter_wait_seconds = Histogram(
            "siyu_limiter_wait_seconds",
            "Time a call waited for a limiter window",
            buckets=(0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0),
            registry=registry,
        )
        self.token_refreshes = Counter(
            "siyu_token_refreshes",
            "Access-token and ticket refreshes by kind and outcome",
            ["kind", "outcome"],
            registry=registry,
        )
        self.reminder_lag = Histogram(
            "siyu_reminder_lag_seconds",
            "From a reminder's due time to its card being sent",
            buckets=_LAG_BUCKETS,
            registry=registry,
        )
        self.scheduler_leader = Gauge(
            "siyu_scheduler_leader",
            "1 while this process holds the scheduler lease",
            registry=registry,
        )
        self.lane_backlog = Gauge(
            "siyu_lane_backlog",
            "Entries in a lane's stream (unread and pending), by lane",
            ["lane"],
            registry=registry,
        )
        self.lane_pending = Gauge(
            "siyu_lane_pending",
            "Entries of a lane delivered and not yet acknowledged",
            ["lane"],
            registry=registry,
        )

    def count_wecom_call(self, api: str, errcode: int, seconds: float) -> None:
        """One WeCom API call answered (or not: errcode -2) after ``seconds``."""
        self.wecom_calls.labels(api=api, errcode=str(errcode)).inc()
        self.wecom_seconds.labels(api=api).observe(seconds)
        kind = _REFRESHES.get(api)
        if kind is not None:  # the call that refreshes a token or a JS-SDK ticket
            self.count_token_refresh(kind, "refreshed" if errcode == 0 else "failed")

    def limiter_waited(self, api: str, seconds: float, requeued: bool) -> None:
        """A call found a limiter window full: it waited ``seconds``, or goes back to the queue."""
        self.limiter_waits.labels(api=api, outcome="requeued" if requeued else "waited").inc()
        if not requeued:
            self.limiter_wait_seconds.observe(seconds)

    def count_token_refresh(self, kind: TokenKind, outcome: Literal["refreshed", "failed"]) -> None:
        """One refresh of a token or ticket from WeCom."""
        self.token_refreshes.labels(kind=kind, outcome=outcome).inc()

    def observe_reminder_lag(self, seconds: float) -> None:
        """A reminder's card went out ``seconds`` after it fell due."""
        self.reminder_lag.observe(max(seconds, 0.0))

    def set_leader(self, leading: bool) -> None:
        """Whether this process leads the scheduler."""
        self.scheduler_leader.set(1 if leading else 0)

    def set_lanes(self, lanes: Mapping[str, QueueStats]) -> None:
        """Each lane's backlog and pending entries."""
        for lane, stats in lanes.items():
            self.lane_backlog.labels(lane=lane).set(stats.length)
            self.lane_pending.labels(lane=lane).set(stats.pending)
