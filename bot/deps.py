"""Deps: everything a handler may use, built once by the app and passed explicitly.

The framework's parts are fields. Each concern's repositories and services are components,
built once at start-up by the wiring (``handlers.build_components``) and found by a typed key
that the owning concern declares: ``deps.get(REMINDERS)``. A concern that needs another's
service declares a Protocol and a key of its own; the wiring provides the service under it.
So bot/ never imports a concern, and no concern imports another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from redis.asyncio import Redis

from bot.clock import Clock
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.store.ledger import Ledger
from bot.wecom.api import WeComAPI
from config.settings import DEFAULT_APP, Settings

T = TypeVar("T")


class ComponentKey(Generic[T]):
    """The typed name of a component: ``REMINDERS: Final = ComponentKey[ReminderService](...)``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ComponentKey({self.name!r})"


class MissingComponent(LookupError):
    """A handler asked for a component the wiring did not provide."""


class Components:
    """Components by key, each provided once."""

    def __init__(self) -> None:
        self._by_key: dict[ComponentKey[object], object] = {}

    def provide(self, key: ComponentKey[T], component: T) -> None:
        """Register ``component`` under ``key`` (once)."""
        if key in self._by_key:
            raise ValueError(f"{key} is provided twice")
        self._by_key[key] = component  # type: ignore[index]

    def get(self, key: ComponentKey[T]) -> T:
        """The component under ``key``."""
        try:
            return self._by_key[key]  # type: ignore[index, return-value]
        except KeyError:
            raise MissingComponent(f"no component {key.name!r} was provided") from None


@dataclass(frozen=True, slots=True)
class Deps:
    """Handler dependencies: settings, Redis, queue, ledger, clock, WeCom per app, components."""

    settings: Settings
    redis: Redis
    ledger: Ledger
    clock: Clock
    wecom: Mapping[str, WeComAPI]
    queue: EventQueue
    metrics: Metrics = field(default_factory=Metrics)
    components: Components = field(default_factory=Components)

    def api(self, app: str = DEFAULT_APP) -> WeComAPI:
        """The WeCom API as ``app``."""
        return self.wecom[app]

    def get(self, key: ComponentKey[T]) -> T:
        """A concern's component (repository or service)."""
        return self.components.get(key)

    @property
    def corp_id(self) -> str:
        """The corp this deployment serves."""
        return self.settings.wecom.corp_id
