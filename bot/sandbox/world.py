"""World: the live parts of one sandbox (corp state, tokens, limits, outbox, faults, emitter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.clock import Clock
from bot.sandbox.client_side import ClientSide
from bot.sandbox.config import DEFAULT_APP, AppCredentials, SandboxConfig
from bot.sandbox.emitter import Emitter
from bot.sandbox.faults import FaultBook
from bot.sandbox.limits import RateLimiter, Window
from bot.sandbox.outbox import Outbox
from bot.sandbox.state import Corp
from bot.sandbox.tokens import TokenBook

MINUTE, HOUR = 60, 3600


@dataclass(frozen=True, slots=True)
class World:
    """Everything a request handler of the sandbox may touch."""

    config: SandboxConfig
    clock: Clock
    corp: Corp
    tokens: TokenBook
    api_limits: RateLimiter  # per corp per API
    member_limits: RateLimiter  # message/send per app per member
    outbox: Outbox
    faults: FaultBook
    emitter: Emitter
    client_side: ClientSide = field(default_factory=ClientSide)  # JS-SDK, OAuth2

    @classmethod
    def create(cls, config: SandboxConfig, clock: Clock) -> World:
        """A fresh, empty world for ``config``."""
        limits = config.limits
        emitter = Emitter(
            config.corp_id,
            config.apps,
            clock,
            timeout_seconds=config.callback_timeout_seconds,
            tries=config.callback_tries,
            retry_delay_seconds=config.callback_retry_delay_seconds,
        )
        if config.callback_url and DEFAULT_APP in config.apps:
            emitter.point(DEFAULT_APP, config.callback_url)
        return cls(
            config=config,
            clock=clock,
            corp=Corp(config.corp_id),
            tokens=TokenBook(config.token_ttl_seconds),
            api_limits=RateLimiter(
                [Window(MINUTE, limits.api_per_minute), Window(HOUR, limits.api_per_hour)]
            ),
            member_limits=RateLimiter(
                [
                    Window(MINUTE, limits.member_messages_per_minute),
                    Window(HOUR, limits.member_messages_per_hour),
                ]
            ),
            outbox=Outbox(),
            faults=FaultBook(),
            emitter=emitter,
        )

    def now(self) -> datetime:
        """The sandbox clock's time."""
        return self.clock.now()

    def local_now(self) -> datetime:
        """The time in the corp's time zone (months of the group-send cap)."""
        return self.clock.now().astimezone(ZoneInfo(self.config.timezone))

    def contact_app(self) -> str:
        """The app that gets customer-contact and KF callbacks: ``default``, else the first."""
        return DEFAULT_APP if DEFAULT_APP in self.config.apps else next(iter(self.config.apps))

    def app_by_agent(self, agent_id: int) -> tuple[str, AppCredentials] | None:
        """The app with this AgentID."""
        for name, app in self.config.apps.items():
            if app.agent_id == agent_id:
                return name, app
        return None


WORLD: Final = web.AppKey("sandbox_world", World)
