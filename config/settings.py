"""Typed settings read from a TOML file, with environment overrides for secrets.

The file comes from ``--config`` or ``SIYU_CONFIG``. Any key can be overridden from the
environment as ``SIYU_<SECTION>__<KEY>`` (``SIYU_APPS__DEFAULT__SECRET``), which is how
secrets should reach production. This is the only module of siyu that reads the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV_VAR: Final = "SIYU_CONFIG"
DEFAULT_APP: Final = "default"
_AES_KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9]{43}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpSettings(_Section):
    """How the API client talks to WeCom: explicit timeouts, bounded retries of -1."""

    connect_timeout_seconds: float = Field(default=2.0, gt=0)
    read_timeout_seconds: float = Field(default=5.0, gt=0)
    total_timeout_seconds: float = Field(default=10.0, gt=0)
    busy_tries: int = Field(default=3, ge=1)  # tries in all when WeCom answers -1
    backoff_seconds: float = Field(default=0.2, ge=0)


class LimitSettings(_Section):
    """Client-side limits mirroring WeCom's (doc 90454); WeCom may change them."""

    api_per_minute: int = Field(default=10_000, ge=1)  # per API per corp
    api_per_hour: int = Field(default=150_000, ge=1)
    member_messages_per_minute: int = Field(default=30, ge=1)  # app messages to one member
    member_messages_per_hour: int = Field(default=1_000, ge=1)
    max_wait_seconds: float = Field(default=2.0, ge=0)  # wait longer: re-queue the event
    blocked_retry_seconds: float = Field(default=60.0, gt=0)  # after WeCom's 45009


class WeComSettings(_Section):
    """The corp and where its API lives (production WeCom or the local sandbox)."""

    corp_id: str = Field(min_length=1)
    api_base: str = "https://qyapi.weixin.qq.com/cgi-bin"
    duplicate_check_seconds: int = Field(default=1800, ge=0, le=14400)  # message/send dedup
    http: HttpSettings = HttpSettings()
    limits: LimitSettings = LimitSettings()


class AppSettings(_Section):
    """One WeCom app: its callback credentials and its API secret."""

    agent_id: int | None = None
    secret: SecretStr = SecretStr("")
    token: SecretStr
    encoding_aes_key: SecretStr
    # The crypto tail expected in callbacks: the CorpID for self-built apps (the default),
    # the SuiteID for third-party apps (wecom-spec §1.3).
    receive_id: str | None = None

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key_has_43_chars(cls, value: SecretStr) -> SecretStr:
        if not _AES_KEY_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("encoding_aes_key must be 43 characters of [A-Za-z0-9]")
        return value


class ServerSettings(_Section):
    """The HTTP gateway."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    replay_window_seconds: int = Field(default=300, ge=0)  # 0 disables the timestamp check
    max_body_bytes: int = Field(default=65536, ge=1024)
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0)


class RedisSettings(_Section):
    """Where state lives; an empty url starts the embedded Redis under ``data_dir``."""

    url: str = ""
    data_dir: Path = Path("var")
    timeout_seconds: float = Field(default=0.4, gt=0)
    appendfsync: str = Field(default="everysec", pattern="^(always|everysec|no)$")


class QueueSettings(_Section):
    """The event stream, its consumers, retries and dead letters."""

    consumers: int = Field(default=2, ge=1)  # consumer tasks per worker process
    batch_size: int = Field(default=16, ge=1)
    # The express lane (bot/lanes.py: welcomes): its own consumers, so a slow concern on the
    # main lane never holds a welcome back. consumers x batch = welcomes in flight at once.
    express_consumers: int = Field(default=4, ge=1)
    express_batch_size: int = Field(default=16, ge=1)
    # While express events are in flight, a main-lane event waits up to this long to start.
    express_priority_seconds: float = Field(default=0.05, ge=0)
    block_ms: int = Field(default=500, ge=1)
    claim_idle_seconds: float = Field(default=30.0, gt=0)
    janitor_interval_seconds: float = Field(default=5.0, gt=0)
    max_deliveries: int = Field(default=5, ge=1)
    dedup_ttl_seconds: int = Field(default=86400, ge=60)


class IntakeSettings(_Section):
    """Customer intake (live codes, welcome, profiles, churn): its rules and its timing."""

    app: str = DEFAULT_APP  # the app that gets customer-contact callbacks and calls their APIs
    rules_file: Path | None = None  # default rules; None: config/intake.toml shipped with siyu
    rules_cache_seconds: float = Field(default=1.0, ge=0)  # reuse what was read (0: never)
    welcome_window_seconds: float = Field(default=20.0, gt=0)  # welcome code: 20 s (doc 92599)
    welcome_send_reserve_seconds: float = Field(default=1.0, ge=0)  # kept for send_welcome_msg
    name_lookup_seconds: float = Field(default=1.5, gt=0)  # externalcontact/get before welcome
    # After a name lookup timed out, welcomes skip the lookup for this long (0: never skip).
    name_lookup_cooldown_seconds: float = Field(default=10.0, ge=0)
    stats_ttl_days: int = Field(default=400, ge=1)  # per-channel daily statistics
    digest_grace_minutes: int = Field(default=60, ge=0)  # a digest this late still goes out


_CLOCK: Final = r"^([01]\d|2[0-3]):[0-5]\d$"


class ReminderSettings(_Section):
    """Reminders: quiet hours, snoozes, digests, and the elected scheduler's lease and poll."""

    app: str = DEFAULT_APP  # the app whose chat staff command and receive prompts in
    rules_file: Path | None = None  # SOP sequences and rules; None: config/reminders.toml
    quiet_start: str = Field(default="22:00", pattern=_CLOCK)  # prompts due then wait until
    quiet_end: str = Field(default="08:00", pattern=_CLOCK)  # quiet_end (settings.timezone)
    quiet_hours: dict[str, str] = {}  # per staff member: userid → "23:00-07:00" ("" = none)
    default_time: str = Field(default="09:00", pattern=_CLOCK)  # 明天提醒我… without an hour
    tomorrow_at: str = Field(default="09:00", pattern=_CLOCK)  # the card's 明天提醒 button
    snooze_minutes: int = Field(default=60, ge=1)  # the card's 1小时后提醒 button
    digest_window_seconds: float = Field(default=60.0, ge=0)  # due this close: one card
    late_after_seconds: float = Field(default=60.0, ge=0)  # delivered later: marked late
    expire_hours: float = Field(default=72.0, gt=0)  # sent, not acted on: expired (codes: 72 h)
    lease_seconds: float = Field(default=10.0, gt=0)  # a dead leader is replaced after this
    renew_seconds: float = Field(default=3.0, gt=0)  # the leader renews its lease this often
    poll_seconds: float = Field(default=1.0, gt=0)  # the leader looks for due reminders
    batch_size: int = Field(default=1000, ge=1)  # due reminders enqueued per poll
    misfire_grace_seconds: int = Field(default=30, ge=1)  # a late poll still runs (coalesced)


class TaskSettings(_Section):
    """Group tasks (群发任务): where customers come from, the cap, tracking, reminders."""

    app: str = DEFAULT_APP  # the app calling the customer-contact APIs and prompting staff
    customer_source: str = Field(default="wecom", pattern="^(wecom|store)$")  # see README
    monthly_cap: int = Field(default=0, ge=0)  # group sends a customer may get a month; 0: as
    # many as the month has days (WeCom's current rule, doc 92135; the older rule was 4)
    track_every_minutes: float = Field(default=10.0, gt=0)  # progress polled this often
    first_reminder_after_hours: float = Field(default=4.0, ge=0)  # after the prompt card
    last_call_hours: float = Field(default=2.0, ge=0)  # or this close to the deadline
    remind_every_hours: float = Field(default=24.0, gt=0)  # never more often, per staff per task
    max_reminders: int = Field(default=3, ge=0)  # siyu's reminder cards per staff per task
    wecom_reminders: bool = True  # also remind_groupmsg_send (≤3 per msgid, ≥24 h apart)
    summary_to: list[str] = []  # operators (userids) summarised when a task names none
    cancel_at_deadline: bool = False  # cancel_groupmsg_send for those who have not sent by then
    keep_days: int = Field(default=90, ge=1)  # an ended task's records are kept this long
    lock_seconds: float = Field(default=300.0, gt=0)  # a crashed creator frees a task after this
    card_url: str = "https://work.weixin.qq.com/"  # the prompt card's link (WeCom requires one)
    # the leader's minute tick (bot/events/ticks.py), which tasks, groups, intake (live codes'
    # shifts) and churn digests follow; 0: none (tests and deployments that drive `jobs.tick`
    # themselves)
    tick_seconds: float = Field(default=60.0, ge=0)


class ModerationSettings(_Section):
    """Sensitive words and intents on chat messages (app, KF, archive): rules, lists, KF."""

    enabled: bool = True  # analyze chat messages (jieba and the lists load at start-up)
    app: str = DEFAULT_APP  # the app that pulls KF messages and sends alerts and prompts
    rules_file: Path | None = None  # reviewers, tags, intent actions; None: config/moderation.toml
    lists_dir: Path | None = None  # word lists, families, intents; None: config/nlp (shipped)
    reload_seconds: float = Field(default=2.0, gt=0)  # changed lists/rules files are seen this late
    kf_max_pages: int = Field(default=100, ge=1)  # kf/sync_msg pages (≤1000 messages) per pull
    archive_max_messages: int = Field(default=1000, ge=1)  # per POST /api/v1/archive/messages


class GroupSettings(_Section):
    """Customer groups: the registry, daily digests to owners and admins, alerts, SOP."""

    app: str = DEFAULT_APP  # the app calling groupchat/* and sending digests and alerts
    rules_file: Path | None = None  # welcome templates, labels, SOP; None: config/groups.toml
    digest_at: str = Field(default="21:00", pattern=_CLOCK)  # local time (settings.timezone)
    digest_day: str = Field(default="today", pattern="^(today|yesterday)$")  # the day covered
    digest_grace_minutes: int = Field(default=60, ge=0)  # later than this: skipped that day
    digest_quiet_groups: bool = False  # also digest groups with no joins or quits that day
    top_members: int = Field(default=5, ge=0)  # most active members shown (archive only)
    quit_spike_count: int = Field(default=10, ge=1)  # this many quits from one group...
    quit_spike_minutes: int = Field(default=60, ge=1)  # ...within this: an alert (once)
    stats_ttl_days: int = Field(default=400, ge=1)  # daily join/quit counters
    card_url: str = "https://work.weixin.qq.com/"  # digest and alert cards' link


class SidebarSettings(_Section):
    """The staff sidebar (聊天工具栏): identity, session, JS-SDK and who sees every customer."""

    app: str = DEFAULT_APP  # the app whose chat toolbar hosts the sidebar (OAuth2, agentConfig)
    # HMAC key of the staff session cookie; set it through SIYU_SIDEBAR__SESSION_SECRET.
    # Empty: the sidebar is off (every /sidebar/ route answers 403).
    session_secret: SecretStr = SecretStr("")
    session_hours: float = Field(default=8.0, gt=0)
    cookie_secure: bool = True  # the cookie only over HTTPS (WeCom requires HTTPS pages)
    # WeCom's authorize page (doc 91022); the sandbox's is {sandbox}/connect/oauth2/authorize.
    authorize_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"
    # The sidebar's base URL on the app's trusted domain, e.g. https://scrm.example.com; "":
    # the request's own scheme and host (behind a proxy, set it).
    public_url: str = ""
    all_customers: list[str] = []  # staff (userids) who see every customer and group
    timeline_max: int = Field(default=500, ge=1)  # entries kept on a customer's timeline
    timeline_days: int = Field(default=400, ge=1)  # a timeline untouched this long is dropped
    recent_flags: int = Field(default=10, ge=0)  # flagged messages and intents on the card


class AdminSettings(_Section):
    """The admin HTTP API (/api/v1) operators and tools use; off until a token is set."""

    token: SecretStr = SecretStr("")  # bearer token; set it through SIYU_ADMIN__TOKEN


class Settings(BaseSettings):
    """Everything siyu reads at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="SIYU_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    wecom: WeComSettings
    apps: dict[str, AppSettings] = Field(min_length=1)
    server: ServerSettings = ServerSettings()
    redis: RedisSettings = RedisSettings()
    queue: QueueSettings = QueueSettings()
    intake: IntakeSettings = IntakeSettings()
    reminders: ReminderSettings = ReminderSettings()
    tasks: TaskSettings = TaskSettings()
    moderation: ModerationSettings = ModerationSettings()
    groups: GroupSettings = GroupSettings()
    admin: AdminSettings = AdminSettings()
    sidebar: SidebarSettings = SidebarSettings()
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Explicit values first, then the environment, then the TOML file."""
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    def app(self, name: str) -> AppSettings | None:
        """The app whose callback URL ends in ``name``, if configured."""
        return self.apps.get(name)

    def receive_id(self, app: AppSettings) -> str:
        """The receiveid callbacks of ``app`` must carry (wecom-spec §1.3)."""
        return app.receive_id if app.receive_id is not None else self.wecom.corp_id


def config_path(explicit: str | None) -> Path | None:
    """The config file: ``--config`` if given, else ``SIYU_CONFIG``, else none."""
    chosen = explicit or os.environ.get(CONFIG_ENV_VAR)
    return Path(chosen) if chosen else None


def load_settings(explicit: str | None = None) -> Settings:
    """Read the settings from the TOML file (if any) and the environment."""
    path = config_path(explicit)
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    return _FromFile()  # type: ignore[call-arg]  # values come from the TOML file and env
