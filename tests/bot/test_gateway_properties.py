"""Garbage at the endpoint (hypothesis): never a 5xx, never a crash, nothing queued if refused."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.callbacks import sign_callback
from bot.clock import ManualClock
from bot.crypto import CallbackCrypto
from bot.store import keys
from config.settings import Settings
from tests.conftest import AES_KEY, NOW, TOKEN
from tests.support.wecom import crypto_of, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
REFUSED = {400, 403, 413}
NOW_TS = str(int(NOW.timestamp()))
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one server for all examples
)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock
) -> TestClient[web.Request, web.Application]:
    return await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))


async def assert_refused_and_nothing_queued(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    query: dict[str, str],
    body: bytes,
) -> int:
    response = await client.post("/wecom/callback", params=query, data=body)
    assert response.status in REFUSED, response.status
    assert await response.read() == b""
    assert await redis.xlen(keys.events(settings.wecom.corp_id)) == 0
    return response.status


def signed_query(encrypted: str) -> dict[str, str]:
    crypto = CallbackCrypto.create(TOKEN, AES_KEY, "unused")
    return {"msg_signature": crypto.sign(NOW_TS, "1", encrypted), "timestamp": NOW_TS, "nonce": "1"}


def envelope(encrypted: str) -> bytes:
    return f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()


query_values = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@given(
    body=st.binary(max_size=4096),
    query=st.dictionaries(
        st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "x"]), query_values
    ),
)
@PROPERTY
async def test_random_bytes_and_params(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    body: bytes,
    query: dict[str, str],
) -> None:
    await assert_refused_and_nothing_queued(client, redis, settings, query, body)


@given(cut=st.integers(min_value=1, max_value=200), junk=st.sampled_from(["", "=", "==", "!", "A"]))
@PROPERTY
async def test_truncated_or_badly_padded_base64_with_valid_signature(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    cut: int,
    junk: str,
) -> None:
    encrypted = crypto_of(settings).encrypt(text_message(settings))
    broken = encrypted[: max(0, len(encrypted) - cut)] + junk
    assume(broken.rstrip("=") != encrypted.rstrip("="))  # not the original, re-padded
    status = await assert_refused_and_nothing_queued(
        client, redis, settings, signed_query(broken), envelope(broken)
    )
    assert status == 400


@given(blocks=st.binary(min_size=16, max_size=512).filter(lambda b: len(b) % 16 == 0))
@PROPERTY
async def test_random_ciphertext_with_valid_signature(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    blocks: bytes,
) -> None:
    encrypted = base64.b64encode(blocks).decode()
    await assert_refused_and_nothing_queued(
        client, redis, settings, signed_query(encrypted), envelope(encrypted)
    )


@given(receive_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=30))
@PROPERTY
async def test_wrong_receiveid_is_403(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    receive_id: str,
) -> None:
    if receive_id == settings.wecom.corp_id:
        return
    sender = CallbackCrypto.create(TOKEN, AES_KEY, receive_id)
    callback = sign_callback(sender, text_message(settings), int(NOW_TS))
    status = await assert_refused_and_nothing_queued(
        client, redis, settings, callback.query, callback.body
    )
    assert status == 403


HOSTILE_XML = [
    '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><A>&b;</A></xml>',
    '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml><A>x</A></xml>',
    '<!DOCTYPE xml [<!ENTITY e SYSTEM "http://127.0.0.1:1/x">]><xml><Encrypt>&e;</Encrypt></xml>',
    "<xml><Encrypt></Encrypt></xml>",
    "<xml></xml>",
    "<xml><Encrypt>",
]


@pytest.mark.parametrize("document", HOSTILE_XML)
async def test_hostile_outer_xml_is_400(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    document: str,
) -> None:
    status = await assert_refused_and_nothing_queued(
        client, redis, settings, signed_query("QUJD"), document.encode()
    )
    assert status == 400


@pytest.mark.parametrize("document", [*HOSTILE_XML[:3], "plain text", "<xml>"])
async def test_hostile_xml_inside_a_valid_envelope_is_400(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    document: str,
) -> None:
    callback = sign_callback(crypto_of(settings), document, int(NOW_TS))
    status = await assert_refused_and_nothing_queued(
        client, redis, settings, callback.query, callback.body
    )
    assert status == 400


@given(size=st.integers(min_value=65537, max_value=400_000))
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_huge_bodies_are_413(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    size: int,
) -> None:
    status = await assert_refused_and_nothing_queued(
        client, redis, settings, signed_query("QUJD"), b"<xml>" + b"A" * size
    )
    assert status == 413


@given(missing=st.sets(st.sampled_from(["msg_signature", "timestamp", "nonce"]), min_size=1))
@PROPERTY
async def test_missing_query_params_are_400(
    client: TestClient[web.Request, web.Application],
    redis: Redis,
    settings: Settings,
    missing: set[str],
) -> None:
    callback = sign_callback(crypto_of(settings), text_message(settings), int(NOW_TS))
    query = {k: v for k, v in callback.query.items() if k not in missing}
    status = await assert_refused_and_nothing_queued(client, redis, settings, query, callback.body)
    assert status == 400
