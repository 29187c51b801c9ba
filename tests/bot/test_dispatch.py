"""Routers: first match wins inside a router, every sub-router sees the event, errors observed."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.deps import Deps
from bot.dispatch import Dispatcher, HandlerFailed, Router, either
from bot.events import AnyEvent, Event, ImageMessage, TextMessage, parse_event
from bot.queue import EventQueue
from bot.store.ledger import Ledger
from config.settings import Settings
from tests.support.wecom import text_message


@pytest.fixture
def deps(settings: Settings, redis: Redis, clock: ManualClock) -> Deps:
    ledger = Ledger(redis, settings.wecom.corp_id)
    return Deps(settings, redis, ledger, clock, {}, EventQueue(redis, settings.wecom.corp_id))


def is_price_question(event: TextMessage) -> bool:
    return "价格" in event.content


async def test_first_matching_handler_wins_and_filters_apply(
    settings: Settings, deps: Deps
) -> None:
    calls: list[str] = []
    router = Router("r")

    @router.on(TextMessage, is_price_question)
    async def price(event: TextMessage, deps: Deps) -> None:
        calls.append("price")

    @router.on(TextMessage)
    async def any_text(event: TextMessage, deps: Deps) -> None:
        calls.append("text")

    @router.on(Event)
    async def any_event(event: Event, deps: Deps) -> None:
        calls.append("event")

    dispatcher = Dispatcher(router)
    assert await dispatcher.dispatch(parse_event(text_message(settings, "价格多少")), deps)
    assert await dispatcher.dispatch(parse_event(text_message(settings, "你好")), deps)
    assert calls == ["price", "text"]


async def test_every_sub_router_sees_the_event(settings: Settings, deps: Deps) -> None:
    calls: list[str] = []
    root, first, second = Router("root"), Router("first"), Router("second")
    root.include(first, second)

    @first.on(TextMessage)
    async def one(event: TextMessage, deps: Deps) -> None:
        calls.append("first")

    @second.on(TextMessage)
    async def two(event: TextMessage, deps: Deps) -> None:
        calls.append("second")

    assert await Dispatcher(root).dispatch(parse_event(text_message(settings)), deps)
    assert calls == ["first", "second"]


async def test_failure_is_observed_up_the_tree_and_raised(settings: Settings, deps: Deps) -> None:
    observed: list[str] = []
    root, child = Router("root"), Router("child")
    root.include(child)

    @child.on(TextMessage)
    async def broken(event: TextMessage, deps: Deps) -> None:
        raise ValueError("boom")

    @root.errors
    async def observe(event: AnyEvent, error: Exception, deps: Deps) -> None:
        observed.append(str(error))

    with pytest.raises(HandlerFailed, match=r"child\.broken: ValueError: boom"):
        await Dispatcher(root).dispatch(parse_event(text_message(settings)), deps)
    assert observed == ["boom"]


def test_a_router_cannot_include_itself() -> None:
    router = Router("loop")
    with pytest.raises(ValueError, match="cannot be included"):
        router.include(router)


def test_filters_are_plain_predicates(settings: Settings) -> None:
    event = parse_event(text_message(settings, "价格表"))
    assert isinstance(event, TextMessage)
    assert is_price_question(event)


async def test_one_handler_takes_either_of_several_kinds(settings: Settings, deps: Deps) -> None:
    seen: list[str] = []
    router = Router("either")

    def not_hello(event: TextMessage | ImageMessage) -> bool:
        return not (isinstance(event, TextMessage) and event.content == "hello")

    @router.on(either(TextMessage, ImageMessage), not_hello)
    async def text_or_image(event: TextMessage | ImageMessage, deps: Deps) -> None:
        seen.append(event.kind)

    dispatcher = Dispatcher(router)
    image = text_message(settings, "x").replace(
        "<MsgType><![CDATA[text]]></MsgType>", "<MsgType><![CDATA[image]]></MsgType>"
    )
    voice = image.replace("[image]", "[voice]")
    assert await dispatcher.dispatch(parse_event(text_message(settings, "价格")), deps)
    assert await dispatcher.dispatch(parse_event(image), deps)
    assert not await dispatcher.dispatch(parse_event(voice), deps), "not one of the kinds"
    assert not await dispatcher.dispatch(parse_event(text_message(settings, "hello")), deps)
    assert seen == ["text", "image"]
