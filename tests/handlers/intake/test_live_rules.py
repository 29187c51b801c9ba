"""Rules as data across processes: a change made by one process shows in another within 2 s."""

from __future__ import annotations

import time

from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.deps import Components
from bot.store.ledger import Ledger
from config.settings import Settings
from handlers import build_components
from handlers.intake.live import rules_of
from handlers.intake.rule_store import INTAKE_RULES
from handlers.moderation.analyzer import ANALYZER
from tests.handlers.intake.stack import Stack
from tests.support.wecom import eventually

POSTER_CODE = "cwDEMOposter"  # the demo corp's live code with state ch_poster_a


async def another_process(
    settings: Settings, redis: Redis, clock: ManualClock, *, workers: bool = False
) -> Components:
    """The components a second siyu process builds on the same Redis."""
    return await build_components(
        settings, redis, clock, Ledger(redis, settings.wecom.corp_id), workers=workers
    )


async def test_a_welcome_changed_by_another_process_is_sent_within_2_s(stack: Stack) -> None:
    other = await another_process(stack.settings, stack.redis, stack.clock)
    live = other.get(INTAKE_RULES)
    data = (await live.current()).model_dump(mode="json")
    data["channels"]["poster_a"]["welcome"]["text"] = "欢迎{customer_name}，新欢迎语生效了"
    await live.replace(data, live.version, "user:ann")
    changed = time.monotonic()

    async def followed() -> bool:
        welcome = (await rules_of(stack.deps)).channels["poster_a"].welcome
        return welcome is not None and "新欢迎语" in welcome.text

    await eventually(followed, timeout=2.0)
    assert time.monotonic() - changed < 2.0
    added = await stack.scan(POSTER_CODE, "wmRULESnew0001")

    async def welcomed() -> bool:
        return bool(await stack.calls("externalcontact/send_welcome_msg"))

    await eventually(welcomed)
    [call] = await stack.calls("externalcontact/send_welcome_msg")
    name = added["customer"]["name"]
    assert call["body"]["text"]["content"] == f"欢迎{name}，新欢迎语生效了"


async def test_a_keyword_added_by_one_process_is_matched_by_another_within_2_s(
    settings: Settings, redis: Redis, clock: ManualClock
) -> None:
    first = await another_process(settings, redis, clock, workers=True)
    second = await another_process(settings, redis, clock, workers=True)
    writer, reader = first.get(ANALYZER), second.get(ANALYZER)
    assert writer is not None and reader is not None
    text = "这个蓝莓果冻暗号你懂的"
    assert not (await reader.current()).analyze(text).sensitive  # compiled before the change

    doc, version = await writer.store.get("keywords")
    doc["files"]["sensitive/fraud.txt"] += "\n蓝莓果冻暗号\n"
    await writer.replace(doc, version, "user:ann")
    changed = time.monotonic()

    async def matched() -> bool:
        hits = (await reader.current()).analyze(text).sensitive
        return [hit.category for hit in hits] == ["fraud"]

    await eventually(matched, timeout=2.0)
    assert time.monotonic() - changed < 2.0
