"""End to end: 3 kf_msg_or_event callbacks at once for one account with 2,500 messages waiting
in the sandbox → siyu handles every message exactly once (moderation reads each once, the
bot answers each once) and the cursor ends at the sandbox's last."""

from __future__ import annotations

from collections import Counter

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.sandbox import plaintexts
from bot.sandbox.actors import ensure_customer
from bot.sandbox.api.lookups import encode_cursor
from bot.sandbox.records import KfMessage, OneShotCode
from bot.store import keys
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

KF = "wkDEMOkf0001"
WAITING = 2500


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        queue={"block_ms": 20, "janitor_interval_seconds": 0.05, "consumers": 3, "batch_size": 64},
    )


async def test_three_callbacks_handle_2500_messages_exactly_once(stack: Stack) -> None:
    world = stack.world
    corp, now = world.corp, world.now()
    for n in range(WAITING):  # one message each: WeCom allows 5 replies per customer message
        customer = ensure_customer(world, f"wmKFbulk{n:04d}").external_userid
        message = KfMessage(
            corp.next_seq(),
            f"bulk{n:05d}",
            KF,
            customer,
            int(now.timestamp()),
            3,
            "text",
            {"content": "多少钱"},
        )
        corp.kf_log.append(message)
    for n in range(3):
        token = f"ENCbulk{n}"
        corp.kf_tokens[token] = OneShotCode(token, KF, "", now)
        world.emitter.emit(world.contact_app(), plaintexts.kf_notice(corp.corp_id, now, token, KF))
    await stack.drained(timeout=120)

    assert stack.metric("siyu_chat_messages_total", source="kf", role="customer") == WAITING
    sent = [c["body"] for c in await stack.calls("kf/send_msg") if c["response"]["errcode"] == 0]
    answered = Counter(
        body["msgid"].rsplit("_", 1)[0] for body in sent if body["msgtype"] == "msgmenu"
    )
    assert len(answered) == WAITING and set(answered.values()) == {1}, "one answer per message"
    cursor = await stack.redis.get(keys.kf_cursor(stack.settings.wecom.corp_id, KF))
    assert cursor == encode_cursor(corp.kf_log[-1].seq)
    assert stack.metric("siyu_kf_unsent_total", reason="refused") == 0
