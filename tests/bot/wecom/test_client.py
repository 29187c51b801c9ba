"""The API client against the sandbox over real HTTP: tokens, retries, errors, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.metrics import Metrics
from bot.wecom.api import open_wecom
from bot.wecom.errors import (
    InvalidExternalUserId,
    RateLimited,
    WeComAPIError,
    WeComUnavailable,
    WelcomeCodeUsed,
)
from tests.bot.wecom.conftest import Harness


async def calls_of(harness: Harness, api: str, since: int = 0) -> list[dict[str, Any]]:
    entries = await harness.sandbox.outbox(api=api, since=str(since))
    return [e for e in entries if e["api"] == api]


async def last_seq(harness: Harness) -> int:
    entries = await harness.sandbox.outbox()
    return max((int(e["seq"]) for e in entries), default=0)


async def fault(harness: Harness, **spec: Any) -> None:
    await harness.sandbox.control("POST", "faults", spec)


async def test_first_call_fetches_a_token_and_reuses_it(harness: Harness) -> None:
    staff = await harness.api.contacts.follow_users()
    assert staff, "the demo corp has staff with customer contact"
    await harness.api.contacts.follow_users()
    assert len(await calls_of(harness, "gettoken")) == 1


async def test_fifty_concurrent_calls_after_expiry_fetch_one_token(harness: Harness) -> None:
    await harness.api.contacts.follow_users()
    harness.sandbox.clock.advance(timedelta(seconds=7300))  # past expires_in (7200 s)
    mark = await last_seq(harness)
    results = await asyncio.gather(*(harness.api.contacts.follow_users() for _ in range(50)))
    assert all(results)
    assert len(await calls_of(harness, "gettoken", mark)) == 1


async def test_token_is_refreshed_ahead_of_expiry_by_one_caller(harness: Harness) -> None:
    await harness.api.contacts.follow_users()
    harness.sandbox.clock.advance(timedelta(seconds=7000))  # within the 300 s margin
    mark = await last_seq(harness)
    results = await asyncio.gather(*(harness.api.contacts.follow_users() for _ in range(50)))
    assert all(results)
    assert len(await calls_of(harness, "gettoken", mark)) == 1
    errors = [c for c in await harness.sandbox.outbox(since=str(mark)) if c["response"]["errcode"]]
    assert errors == [], "nobody waited for an expired token"


async def test_fifty_concurrent_calls_with_a_token_wecom_dropped_fetch_one(
    harness: Harness,
) -> None:
    await harness.api.contacts.follow_users()
    mark = await last_seq(harness)
    # The first of the 50 makes WeCom drop every token: the others carry a dead one.
    await fault(
        harness, api="externalcontact/get_follow_user_list", invalidate_tokens=True, count=1
    )
    results = await asyncio.gather(*(harness.api.contacts.follow_users() for _ in range(50)))
    assert all(results)
    assert len(await calls_of(harness, "gettoken", mark)) == 1


async def test_two_processes_after_expiry_fetch_one_token(
    harness: Harness, redis: Redis, clock: ManualClock
) -> None:
    await harness.api.contacts.follow_users()
    harness.sandbox.clock.advance(timedelta(seconds=7300))  # past expires_in (7200 s)
    mark = await last_seq(harness)
    async with open_wecom(harness.settings, redis, clock) as apis:
        other = apis["default"]
        for _ in range(5):  # the lock is won just after the other process released it, or not
            results = await asyncio.gather(
                *(api.contacts.follow_users() for api in (harness.api, other) for _ in range(25))
            )
            assert all(results)
    assert len(await calls_of(harness, "gettoken", mark)) == 1


async def test_fifty_calls_with_a_dropped_token_repeated_never_raise(harness: Harness) -> None:
    """A late Redis read of the dead token must not be taken for a valid one (redis-py 8.2)."""
    await harness.api.contacts.follow_users()
    for round_ in range(5):
        mark = await last_seq(harness)
        await fault(
            harness, api="externalcontact/get_follow_user_list", invalidate_tokens=True, count=1
        )
        results = await asyncio.gather(*(harness.api.contacts.follow_users() for _ in range(50)))
        assert all(results), f"round {round_}"
        assert len(await calls_of(harness, "gettoken", mark)) == 1, f"round {round_}"


async def test_42001_mid_flight_refreshes_once_and_succeeds(harness: Harness) -> None:
    await harness.api.contacts.follow_users()
    mark = await last_seq(harness)
    await fault(harness, api="externalcontact/get_follow_user_list", errcode=42001, count=1)
    assert await harness.api.contacts.follow_users()
    assert len(await calls_of(harness, "gettoken", mark)) == 1
    assert len(await calls_of(harness, "externalcontact/get_follow_user_list", mark)) == 2


async def _token_reads(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_hgetall", {}).get("calls", 0))


async def test_calls_after_the_first_take_the_token_from_memory(
    harness: Harness, redis: Redis
) -> None:
    await harness.api.contacts.follow_users()
    before = await _token_reads(redis)
    for _ in range(20):
        await harness.api.contacts.follow_users()
    assert await _token_reads(redis) == before, "no Redis read of the token per call"
    harness.sandbox.clock.advance(timedelta(seconds=7000))  # within the refresh margin
    mark = await last_seq(harness)
    await harness.api.contacts.follow_users()
    assert len(await calls_of(harness, "gettoken", mark)) == 1, "memory does not outlive refresh"


async def test_a_token_another_process_replaced_is_given_up_on_its_first_40014(
    harness: Harness, redis: Redis, clock: ManualClock
) -> None:
    await harness.api.contacts.follow_users()  # this process holds the token in memory
    async with open_wecom(harness.settings, redis, clock) as apis:
        other = apis["default"]
        await fault(
            harness, api="externalcontact/get_follow_user_list", invalidate_tokens=True, count=1
        )
        mark = await last_seq(harness)
        assert await other.contacts.follow_users(), "the other process refreshes"
        assert await harness.api.contacts.follow_users(), "this one catches up"
        assert await harness.api.contacts.follow_users()
    assert len(await calls_of(harness, "gettoken", mark)) == 1, "the new token is shared"
    calls = await calls_of(harness, "externalcontact/get_follow_user_list", mark)
    assert [c["response"]["errcode"] for c in calls] == [40014, 0, 40014, 0, 0]


async def test_system_busy_is_retried_and_succeeds(harness: Harness) -> None:
    await fault(harness, api="externalcontact/get_follow_user_list", errcode=-1, count=2)
    assert await harness.api.contacts.follow_users()
    assert len(await calls_of(harness, "externalcontact/get_follow_user_list")) == 3


async def test_system_busy_retries_are_bounded(harness: Harness) -> None:
    await fault(harness, api="externalcontact/get_follow_user_list", errcode=-1, count=10)
    with pytest.raises(WeComAPIError) as raised:
        await harness.api.contacts.follow_users()
    assert raised.value.errcode == -1
    assert len(await calls_of(harness, "externalcontact/get_follow_user_list")) == 3


async def test_45009_raises_rate_limited_with_a_retry_time(harness: Harness) -> None:
    await fault(harness, api="externalcontact/get_follow_user_list", errcode=45009, count=1)
    with pytest.raises(RateLimited) as raised:
        await harness.api.contacts.follow_users()
    assert raised.value.retry_after == harness.settings.wecom.limits.blocked_retry_seconds


async def test_errcodes_become_typed_errors(harness: Harness) -> None:
    with pytest.raises(InvalidExternalUserId):
        await harness.api.contacts.get("wm-no-such-customer")


async def test_welcome_code_works_once(harness: Harness) -> None:
    state = await harness.sandbox.control("GET", "state")
    staff, customer = state["staff"][0], "wmNewCustomer01"
    added = await harness.sandbox.control(
        "POST", f"customers/{customer}/add", {"staff": staff, "state": "poster"}
    )
    code = added["welcome_code"]
    await harness.api.contacts.send_welcome(code, "欢迎！")
    with pytest.raises(WelcomeCodeUsed):
        await harness.api.contacts.send_welcome(code, "again")


async def test_timeout_is_unavailable_not_a_hang(harness: Harness) -> None:
    await harness.api.contacts.follow_users()  # token first: the fault is on the next call
    await fault(harness, api="externalcontact/get_follow_user_list", timeout=True, count=1)
    with pytest.raises(WeComUnavailable, match="timed out"):
        await harness.api.contacts.follow_users()


@pytest.fixture
def wecom_overrides() -> Mapping[str, Any]:
    return {
        "limits": {"member_messages_per_minute": 2, "max_wait_seconds": 0},
        "http": {
            "read_timeout_seconds": 0.5,
            "total_timeout_seconds": 1.0,
            "backoff_seconds": 0.01,
        },
    }


async def test_messages_past_the_per_member_limit_are_held_back_not_sent(
    harness: Harness,
) -> None:
    state = await harness.sandbox.control("GET", "state")
    member = state["staff"][0]
    for n in range(2):
        await harness.api.messages.send_text([member], f"提醒 {n}")
    with pytest.raises(RateLimited) as raised:
        await harness.api.messages.send_text([member], "提醒 2")
    assert 0 < raised.value.retry_after <= 60
    sent = await calls_of(harness, "message/send")
    assert len(sent) == 2, "the third was not handed to WeCom to be dropped silently"
    assert all(call["body"]["enable_duplicate_check"] == 1 for call in sent)
    other = state["staff"][1]
    await harness.api.messages.send_text([other], "another member has their own budget")


async def test_every_call_is_counted_by_api_and_errcode(
    harness: Harness, redis: Redis, clock: ManualClock
) -> None:
    metrics = Metrics()
    async with open_wecom(harness.settings, redis, clock, metrics.scale) as apis:
        await apis["default"].contacts.follow_users()
        await fault(harness, api="externalcontact/get", errcode=84061, count=1)
        with pytest.raises(WeComAPIError):
            await apis["default"].contacts.get("wmSOMEONE")
    sample = metrics.registry.get_sample_value
    assert (
        sample(
            "siyu_wecom_api_calls_total",
            {"api": "externalcontact/get_follow_user_list", "errcode": "0"},
        )
        == 1
    )
    assert (
        sample("siyu_wecom_api_calls_total", {"api": "externalcontact/get", "errcode": "84061"})
        == 1
    )
    assert (sample("siyu_wecom_api_seconds_count", {"api": "externalcontact/get"}) or 0) >= 1


async def test_token_refreshes_are_counted_as_refreshed_or_failed(
    harness: Harness, redis: Redis, clock: ManualClock
) -> None:
    metrics = Metrics()
    async with open_wecom(harness.settings, redis, clock, metrics.scale) as apis:
        await fault(harness, api="gettoken", errcode=40001, count=1)  # a wrong secret
        with pytest.raises(WeComAPIError):
            await apis["default"].contacts.follow_users()
        await apis["default"].contacts.follow_users()
    sample = metrics.registry.get_sample_value
    refreshes = {
        outcome: sample("siyu_token_refreshes_total", {"kind": "access_token", "outcome": outcome})
        for outcome in ("refreshed", "failed")
    }
    assert refreshes == {"refreshed": 1.0, "failed": 1.0}
