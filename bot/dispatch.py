"""Routers and the dispatcher: which handler runs for which event (after aiogram 3).

Each Router is one concern (welcome, moderation, ...). Within a router the first handler
whose kind and filters match runs; then each sub-router is offered the event in order, so
every concern sees every event and decides for itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from bot.deps import Deps
from bot.events import AnyEvent

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=AnyEvent)
A = TypeVar("A", bound=AnyEvent)
B = TypeVar("B", bound=AnyEvent)
C = TypeVar("C", bound=AnyEvent)
ErrorObserver = Callable[[AnyEvent, Exception, Deps], Awaitable[None]]


class HandlerFailed(Exception):
    """A handler raised; the entry stays pending and is retried, then dead-lettered."""

    def __init__(self, handler: str, cause: Exception) -> None:
        super().__init__(f"{handler}: {type(cause).__name__}: {cause}")
        self.handler = handler
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Kinds(Generic[E]):
    """Several event kinds one handler takes: ``router.on(either(Added, HalfAdded), ...)``."""

    classes: tuple[type[Any], ...]


@overload
def either(a: type[A], b: type[B], /) -> Kinds[A | B]: ...
@overload
def either(a: type[A], b: type[B], c: type[C], /) -> Kinds[A | B | C]: ...
def either(*classes: type[Any]) -> Kinds[Any]:
    """The union of event kinds, for one handler that takes any of them (mypy checks it)."""
    return Kinds(classes)


@dataclass(frozen=True, slots=True)
class _Registration:
    kind: type[Any] | tuple[type[Any], ...]
    filters: tuple[Callable[[Any], bool], ...]
    handler: Callable[[Any, Deps], Awaitable[None]]

    def matches(self, event: AnyEvent) -> bool:
        return isinstance(event, self.kind) and all(check(event) for check in self.filters)


class Router:
    """A named set of handlers and sub-routers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[_Registration] = []
        self._children: list[Router] = []
        self._error_observers: list[ErrorObserver] = []

    def on(
        self, kind: type[E] | Kinds[E], *filters: Callable[[E], bool]
    ) -> Callable[[Callable[[E, Deps], Awaitable[None]]], Callable[[E, Deps], Awaitable[None]]]:
        """Register a handler for events of ``kind`` (or of any of ``either(...)``) that pass
        every filter."""
        matched = kind.classes if isinstance(kind, Kinds) else kind

        def register(
            handler: Callable[[E, Deps], Awaitable[None]],
        ) -> Callable[[E, Deps], Awaitable[None]]:
            self._handlers.append(_Registration(matched, filters, handler))
            return handler

        return register

    def errors(self, observer: ErrorObserver) -> ErrorObserver:
        """Register an observer told of every handler failure in this router's tree."""
        self._error_observers.append(observer)
        return observer

    def include(self, *routers: Router) -> None:
        """Add sub-routers, offered the event after this router's own handlers."""
        for router in routers:
            if router is self or router in self._children:
                raise ValueError(f"router {router.name} cannot be included here")
            self._children.append(router)

    async def propagate(self, event: AnyEvent, deps: Deps) -> int:
        """Run the first matching handler here, then propagate to sub-routers; count runs."""
        ran = 0
        try:
            for registration in self._handlers:
                if registration.matches(event):
                    await self._run(registration, event, deps)
                    ran += 1
                    break
            for child in self._children:
                ran += await child.propagate(event, deps)
        except HandlerFailed as failed:
            await self._notify(event, failed.cause, deps)
            raise
        return ran

    async def _run(self, registration: _Registration, event: AnyEvent, deps: Deps) -> None:
        name = f"{self.name}.{getattr(registration.handler, '__name__', 'handler')}"
        try:
            await registration.handler(event, deps)
        except Exception as exc:
            raise HandlerFailed(name, exc) from exc

    async def _notify(self, event: AnyEvent, error: Exception, deps: Deps) -> None:
        for observer in self._error_observers:
            try:
                await observer(event, error, deps)
            except Exception:
                logger.exception("error observer of router %s failed", self.name)


class Dispatcher:
    """Feeds events to the root router."""

    def __init__(self, root: Router) -> None:
        self.root = root

    async def dispatch(self, event: AnyEvent, deps: Deps) -> bool:
        """Run the matching handlers; True if any ran. Raises HandlerFailed on failure."""
        return await self.root.propagate(event, deps) > 0
