"""The callback endpoint over real HTTP, on the real Redis: answers, dedup, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.callbacks import sign_callback, verification_query
from bot.clock import ManualClock
from bot.crypto import CallbackCrypto
from bot.store import keys
from config.settings import Settings
from tests.conftest import AES_KEY, NOW, TOKEN, make_settings
from tests.support.wecom import contact_added, crypto_of, signed, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock
) -> TestClient[web.Request, web.Application]:
    """A gateway-only siyu (nothing consumes the stream, so what was queued stays visible)."""
    return await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))


async def stream_length(redis: Redis, settings: Settings) -> int:
    return int(await redis.xlen(keys.events(settings.wecom.corp_id)))


async def test_url_verification_answers_raw_echostr(
    client: TestClient[web.Request, web.Application], settings: Settings
) -> None:
    query = verification_query(crypto_of(settings), "1616140317555161061", int(NOW.timestamp()))
    response = await client.get("/wecom/callback/default", params=query)
    assert response.status == 200
    assert await response.read() == b"1616140317555161061"


async def test_url_verification_with_plus_decoded_as_space(
    client: TestClient[web.Request, web.Application], settings: Settings
) -> None:
    query = verification_query(crypto_of(settings), "echo", int(NOW.timestamp()))
    raw = "&".join(f"{k}={v}" for k, v in query.items())  # '+' left unencoded, as some proxies do
    response = await client.get(f"/wecom/callback?{raw}")
    assert response.status == 200
    assert await response.text() == "echo"


async def test_url_verification_with_bad_signature_is_403(
    client: TestClient[web.Request, web.Application], settings: Settings
) -> None:
    query = verification_query(crypto_of(settings), "echo", int(NOW.timestamp()))
    query["msg_signature"] = "0" * 40
    response = await client.get("/wecom/callback", params=query)
    assert response.status == 403
    assert await response.read() == b""


async def test_post_is_accepted_with_empty_body_and_queued(
    client: TestClient[web.Request, web.Application], settings: Settings, redis: Redis
) -> None:
    callback = signed(settings, text_message(settings, "你好"))
    response = await client.post(
        "/wecom/callback/default", params=callback.query, data=callback.body
    )
    assert response.status == 200
    assert await response.read() == b""
    assert await stream_length(redis, settings) == 1


async def test_same_callback_three_times_concurrently_is_queued_once(
    client: TestClient[web.Request, web.Application], settings: Settings, redis: Redis
) -> None:
    plaintext = text_message(settings)
    # WeCom's retries re-encrypt: each delivery has its own ciphertext and nonce.
    deliveries = [signed(settings, plaintext) for _ in range(3)]
    responses = await asyncio.gather(
        *(client.post("/wecom/callback", params=d.query, data=d.body) for d in deliveries)
    )
    assert [r.status for r in responses] == [200, 200, 200]
    assert await stream_length(redis, settings) == 1
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="default",result="accepted"} 1.0' in metrics
    assert 'siyu_callbacks_total{app="default",result="duplicate"} 2.0' in metrics


async def test_two_customers_added_to_one_staff_in_one_second_are_both_queued(
    client: TestClient[web.Request, web.Application], settings: Settings, redis: Redis
) -> None:
    for customer in ("wmEXT001", "wmEXT002"):
        callback = signed(settings, contact_added(settings, customer))
        response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
        assert response.status == 200
    assert await stream_length(redis, settings) == 2


@pytest.mark.parametrize(
    ("mutate", "status", "result"),
    [
        (lambda q, b: ({**q, "msg_signature": "f" * 40}, b), 403, "bad_signature"),
        (
            lambda q, b: ({**q, "timestamp": str(int(NOW.timestamp()) - 301)}, b),
            403,
            "bad_signature",
        ),
        (lambda q, b: ({k: v for k, v in q.items() if k != "nonce"}, b), 400, "malformed"),
        (lambda q, b: (q, b"<xml><Encrypt>"), 400, "malformed"),
        (lambda q, b: (q, b"not xml at all"), 400, "malformed"),
    ],
    ids=[
        "bad-signature",
        "timestamp-changed-breaks-signature",
        "no-nonce",
        "truncated-xml",
        "not-xml",
    ],
)
async def test_bad_input_is_refused_and_nothing_queued(
    client: TestClient[web.Request, web.Application],
    settings: Settings,
    redis: Redis,
    mutate: Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]],
    status: int,
    result: str,
) -> None:
    callback = signed(settings, text_message(settings))
    query, body = mutate(callback.query, callback.body)
    response = await client.post("/wecom/callback", params=query, data=body)
    assert response.status == status
    assert await stream_length(redis, settings) == 0
    metrics = await (await client.get("/metrics")).text()
    assert f'siyu_callbacks_total{{app="default",result="{result}"}} 1.0' in metrics


async def test_stale_timestamp_is_403(
    client: TestClient[web.Request, web.Application], settings: Settings, redis: Redis
) -> None:
    callback = signed(settings, text_message(settings), timestamp=int(NOW.timestamp()) - 301)
    response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
    assert response.status == 403
    assert await stream_length(redis, settings) == 0
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="default",result="stale"} 1.0' in metrics


async def test_replay_window_zero_disables_the_timestamp_check(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(redis_url, server={"replay_window_seconds": 0})
    client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    callback = signed(settings, text_message(settings), timestamp=1409659813)
    response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
    assert response.status == 200
    assert await stream_length(redis, settings) == 1


async def test_unknown_app_is_403(
    client: TestClient[web.Request, web.Application], settings: Settings
) -> None:
    callback = signed(settings, text_message(settings))
    response = await client.post("/wecom/callback/other", params=callback.query, data=callback.body)
    assert response.status == 403
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="unknown",result="unknown_app"} 1.0' in metrics


async def test_receiveid_mismatch_is_403(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(redis_url)
    client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    sender = CallbackCrypto.create(TOKEN, AES_KEY, "wwSOMEOTHERCORP")  # right keys, wrong tail
    callback = sign_callback(sender, text_message(settings), int(NOW.timestamp()))
    response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
    assert response.status == 403
    assert await stream_length(redis, settings) == 0


async def test_body_over_the_cap_is_413(
    client: TestClient[web.Request, web.Application], settings: Settings, redis: Redis
) -> None:
    callback = signed(settings, text_message(settings, "长" * 30000))  # > 64 KiB once encrypted
    assert len(callback.body) > settings.server.max_body_bytes
    response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
    assert response.status == 413
    assert await stream_length(redis, settings) == 0
