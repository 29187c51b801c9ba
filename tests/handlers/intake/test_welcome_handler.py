"""The welcome handler on its own: the ledger guard against redelivery, 41051."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.events import ExternalContactAdded
from handlers import build_express_router
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


def added(code: str | None, when: datetime, customer: str = "wmX") -> ExternalContactAdded:
    return ExternalContactAdded(
        corp_id="ww",
        from_user="sys",
        create_time=when,
        user_id="zhangwei",
        external_user_id=customer,
        state="ch_poster_a",
        welcome_code=code,
    )


async def test_a_redelivered_event_does_not_call_send_welcome_msg_again(
    stack: Stack, clock: ManualClock
) -> None:
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    scan = await stack.scan("cwDEMOposter", "wmHANDLERredeliver1")
    event = added(scan["welcome_code"], clock.now(), scan["external_userid"])
    router = build_express_router()

    await router.propagate(event, stack.deps)
    await router.propagate(event, stack.deps)  # a crash before XACK: delivered again

    assert len(await stack.calls("externalcontact/send_welcome_msg")) == 1
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1
    assert stack.metric("siyu_welcome_total", outcome="duplicate") == 1


async def test_41051_is_recorded_not_retried(stack: Stack, clock: ManualClock) -> None:
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/send_welcome_msg", "errcode": 41051}
    )
    scan = await stack.scan("cwDEMOposter", "wmHANDLERused00001")

    event = added(scan["welcome_code"], clock.now(), scan["external_userid"])
    await build_express_router().propagate(event, stack.deps)

    assert len(await stack.calls("externalcontact/send_welcome_msg")) == 1
    assert stack.metric("siyu_welcome_total", outcome="code_used") == 1


@pytest.mark.parametrize(
    ("errcode", "count"),
    [(45033, 2), (45009, 1), (-1, 4)],  # -1: the transport retries 3 times itself first
)
async def test_wecom_busy_or_limiting_is_retried_while_the_code_is_valid(
    stack: Stack, clock: ManualClock, errcode: int, count: int
) -> None:
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await stack.sandbox.control(
        "POST",
        "faults",
        {"api": "externalcontact/send_welcome_msg", "errcode": errcode, "count": count},
    )
    scan = await stack.scan("cwDEMOposter", f"wmHANDLERbusy{abs(errcode):05d}")

    event = added(scan["welcome_code"], clock.now(), scan["external_userid"])
    await build_express_router().propagate(event, stack.deps)

    calls = await stack.calls("externalcontact/send_welcome_msg")
    assert [call["response"]["errcode"] for call in calls] == [errcode] * count + [0]
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1
    assert stack.metric("siyu_welcome_total", outcome="failed") == 0


async def test_no_retry_once_the_window_is_spent(stack: Stack, clock: ManualClock) -> None:
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/send_welcome_msg", "errcode": 45033}
    )
    scan = await stack.scan("cwDEMOposter", "wmHANDLERlate00001")

    when = clock.now() - timedelta(seconds=18.8)  # 1 s kept for the call: 0.2 s left
    event = added(scan["welcome_code"], when, scan["external_userid"])
    await build_express_router().propagate(event, stack.deps)

    assert len(await stack.calls("externalcontact/send_welcome_msg")) == 1
    assert stack.metric("siyu_welcome_total", outcome="failed") == 1
