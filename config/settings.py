"""Typed settings read from a TOML file, with environment overrides for secrets.

The file comes from ``--config`` or ``SIYU_CONFIG``. Any key can be overridden from the
environment as ``SIYU_<SECTION>__<KEY>`` (``SIYU_APPS__DEFAULT__SECRET``), which is how
secrets should reach production. This is the only module of siyu that reads the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
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
    # A body still arriving after this long is cut off (408): a sender trickling bytes must
    # not hold a connection open (issue 19).
    body_read_timeout_seconds: float = Field(default=5.0, gt=0)
    rejection_log_seconds: float = Field(default=60.0, ge=0)  # one log line per reason per...


_HOST_PORT: Final = re.compile(r"[^\s:]+:\d{1,5}")


class RedisSettings(_Section):
    """Where state lives: one server (``url``), a Sentinel-watched primary (``sentinels``) or
    a Cluster (``cluster_nodes``); none of them starts the embedded Redis under ``data_dir``."""

    url: str = ""
    # Sentinel: "host:port" of each sentinel; the client asks them for master_name's primary
    # and follows a failover. password: the data nodes'; sentinel_password: the sentinels'.
    sentinels: list[str] = []
    master_name: str = "mymaster"
    password: SecretStr | None = None
    sentinel_password: SecretStr | None = None
    # Cluster: "host:port" of some of its nodes; the client discovers the others and the slots.
    cluster_nodes: list[str] = []
    data_dir: Path = Path("var")
    timeout_seconds: float = Field(default=0.4, gt=0)
    appendfsync: str = Field(default="everysec", pattern="^(always|everysec|no)$")

    @field_validator("sentinels", "cluster_nodes")
    @classmethod
    def _host_ports(cls, value: list[str]) -> list[str]:
        for node in value:
            if not _HOST_PORT.fullmatch(node):
                raise ValueError(f"{node!r} is not host:port")
        return value

    @model_validator(mode="after")
    def _one_topology(self) -> RedisSettings:
        chosen = [name for name in ("url", "sentinels", "cluster_nodes") if getattr(self, name)]
        if len(chosen) > 1:
            raise ValueError(f"set one of url, sentinels, cluster_nodes, not {chosen}")
        return self

    @property
    def embedded(self) -> bool:
        """No server configured: siyu starts its own."""
        return not (self.url or self.sentinels or self.cluster_nodes)


class SpoolSettings(_Section):
    """The local spool: callbacks Redis cannot take in time wait in an fsync'd file."""

    dir: Path | None = None  # None: <redis.data_dir>/spool; files under <dir>/<corp_id>/
    max_bytes: int = Field(default=256 * 1024 * 1024, ge=4096)  # full: answer 503
    redis_deadline_seconds: float = Field(default=1.0, gt=0)  # enqueue slower: spool it
    replay_interval_seconds: float = Field(default=0.5, gt=0)  # retry while Redis is down


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
    # The express lane's: a welcome code lives 20 s, so an add left pending by a killed
    # worker must be claimed well inside that (the ledger prevents a double send).
    express_claim_idle_seconds: float = Field(default=5.0, gt=0)
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


class KfSettings(_Section):
    """The 微信客服 bot: session welcome, FAQ answers, handoff to servicers, sending rules."""

    enabled: bool = True  # answer KF customers (pulling and moderation go on regardless)
    app: str = DEFAULT_APP  # the app calling kf/* and telling servicers of a handoff
    faq_file: Path | None = (
        None  # seeds the rules store's faq set when empty; None: config/faq.toml
    )
    reload_seconds: float = Field(default=2.0, gt=0)  # unused: the faq set is read live (kept so
    # older configs still load)
    reply_window_hours: float = Field(default=48.0, gt=0)  # kf/send_msg after the customer's
    # last message (spec §3; WeCom has changed it before)
    replies_per_message: int = Field(default=5, ge=1)  # replies per customer message window
    fallbacks_before_handoff: int = Field(default=2, ge=1)  # not understood this often in a row
    handoff_intents: list[str] = ["human", "complaint"]  # these intents go to a human
    handoff_last_messages: int = Field(default=5, ge=0)  # quoted to the servicer
    transcript_max: int = Field(default=200, ge=1)  # messages kept per customer
    transcript_days: int = Field(default=30, ge=1)  # a quiet customer's transcript expires
    unsent_max: int = Field(default=1000, ge=1)  # unsent replies kept for operators


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


class ObservabilitySettings(_Section):
    """The probe and metrics listener of a worker-only or scheduler-only process (a gateway
    serves /healthz, /readyz and /metrics on its own port)."""

    host: str = "127.0.0.1"
    port: int = Field(default=9180, ge=0, le=65535)  # 0: any free port (tests)


class AdminSettings(_Section):
    """The admin HTTP API (/api/v1): API keys and operator accounts (``siyu apikey``,
    ``siyu users``), and where it listens."""

    # A legacy shared bearer token, accepted as an admin API key (SIYU_ADMIN__TOKEN); prefer
    # `siyu apikey create --role admin`, whose keys have roles, are stored hashed and revocable.
    token: SecretStr = SecretStr("")
    # A separate admin listener: with a port, /api/v1 is served only there and the callback
    # port (server.port) keeps /wecom/callback and the ops routes; None: one port for all.
    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=0, le=65535)
    session_hours: float = Field(default=8.0, gt=0)  # a login's session lasts this long
    login_max_failures: int = Field(default=5, ge=1)  # per account, then it waits...
    login_max_failures_per_ip: int = Field(default=20, ge=1)  # ...and per client address
    login_window_minutes: float = Field(default=15.0, gt=0)  # ...this long from the first
    # The console's cookies (/console/) carry Secure: set it when siyu is reached over HTTPS.
    secure_cookies: bool = False


class LogSettings(_Section):
    """How siyu logs: ``text`` for people, ``json`` (one object per line) for collectors."""

    format: Literal["text", "json"] = "text"


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
    spool: SpoolSettings = SpoolSettings()
    intake: IntakeSettings = IntakeSettings()
    reminders: ReminderSettings = ReminderSettings()
    tasks: TaskSettings = TaskSettings()
    moderation: ModerationSettings = ModerationSettings()
    groups: GroupSettings = GroupSettings()
    kf: KfSettings = KfSettings()
    admin: AdminSettings = AdminSettings()
    log: LogSettings = LogSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
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

    def spool_dir(self) -> Path:
        """Where this corp's spool files live (a corp of its own: records name no corp)."""
        base = self.spool.dir if self.spool.dir is not None else self.redis.data_dir / "spool"
        return base / self.wecom.corp_id

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
