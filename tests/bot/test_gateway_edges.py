"""The gateway's edges: a trickled body, refusals in bulk, a huge URL, siyu's own kinds
from outside, and the KF Token kept out of the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.callbacks import message_xml
from bot.clock import ManualClock
from bot.live import RUNTIME
from bot.ops import is_private_peer
from bot.store import keys
from config.settings import Settings
from tests.conftest import NOW, make_settings
from tests.support.sandboxed import sandbox_and_settings
from tests.support.wecom import eventually, signed, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]
FORGED = {"msg_signature": "x" * 40, "timestamp": "1", "nonce": "n"}
FORGED_BODY = b"<xml><Encrypt>AAAA</Encrypt></xml>"


@pytest.fixture
async def client(aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock) -> Client:
    """A gateway-only siyu with a short body-read timeout."""
    settings = make_settings(redis_url, server={"body_read_timeout_seconds": 0.3})
    return await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))


async def test_a_trickled_body_is_cut_off_not_held_open(client: Client) -> None:
    assert client.server.host is not None
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        b"POST /wecom/callback?msg_signature=a&timestamp=1&nonce=n HTTP/1.1\r\n"
        b"Host: x\r\nContent-Length: 1000\r\n\r\n"
    )
    started = time.monotonic()
    answer = b""
    try:
        async with asyncio.timeout(5):  # the failure this test is for: held open
            while not answer:
                writer.write(b"<xml><abc>")  # 10 bytes a second
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    answer = await asyncio.wait_for(reader.read(1024), 1.0)
    finally:
        writer.close()
    assert time.monotonic() - started < 3
    assert answer.startswith(b"HTTP/1.1 408")


async def test_refusals_are_counted_and_logged_once_per_reason_per_interval(
    client: Client, caplog: pytest.LogCaptureFixture, clock: ManualClock
) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        response = await client.post("/wecom/callback", params=FORGED, data=FORGED_BODY)
        assert response.status == 403
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="default",result="bad_signature"} 20.0' in metrics
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 1
    clock.advance(timedelta(minutes=2))
    await client.post("/wecom/callback", params=FORGED, data=FORGED_BODY)
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 2
    assert "19 more" in lines[1]


async def test_a_url_over_8190_bytes_is_not_logged_with_a_traceback(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert client.server.host is not None
    long_path = "/wecom/callback?" + "a" * 9000
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(f"GET {long_path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    assert answer.split(b" ")[1] in {b"400", b"414", b"431"}
    logged = "\n".join(caplog.text.splitlines())
    assert "a" * 100 not in logged
    assert "Traceback" not in logged
    assert len(logged) < 2000


async def test_siyu_own_event_kinds_from_outside_are_refused_with_400(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> None:
    client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    for event in ("siyu_reminder_due", "siyu_task_step", "siyu_chat_message", "siyu_minute_tick"):
        plaintext = message_xml(
            {
                "ToUserName": settings.wecom.corp_id,
                "FromUserName": "sys",
                "CreateTime": int(NOW.timestamp()),
                "MsgType": "event",
                "Event": event,
                "ReminderId": "r1",
            }
        )
        callback = signed(settings, plaintext)
        response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
        assert response.status == 400, event
    assert await redis.xlen(keys.events(settings.wecom.corp_id)) == 0
    ok = signed(settings, text_message(settings))
    assert (await client.post("/wecom/callback", params=ok.query, data=ok.body)).status == 200
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="default",result="internal_kind"} 4.0' in metrics


async def test_the_kf_token_never_reaches_the_log(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    siyu = await aiohttp_client(create_app(settings))
    url = str(siyu.make_url("/wecom/callback"))
    await sandbox.post("/sandbox/callback_url", json={"app": "default", "url": url})
    done = await (
        await sandbox.post(
            "/sandbox/kf/wkDEMOkf0001/customers/wmKF01/message", json={"text": "请问还有货吗"}
        )
    ).json()
    token = done["token"]
    assert token

    async def handled() -> bool:
        stats = await siyu.app[RUNTIME].queue.stats()
        metrics = await (await siyu.get("/metrics")).text()
        return stats.length == 0 and 'source="kf"' in metrics

    await eventually(handled, timeout=15)
    assert token not in caplog.text


@pytest.mark.parametrize(
    ("remote", "headers", "private"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("10.1.2.3", {}, True),
        ("192.168.0.9", {}, True),
        ("", {}, True),  # a unix socket
        ("1.1.1.1", {}, False),
        ("8.8.8.8", {}, False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, False),  # through the proxy
        ("10.0.0.2", {"Forwarded": "for=198.51.100.1"}, False),
        ("not-an-address", {}, False),
    ],
)
def test_who_may_read_readyz_and_metrics(
    remote: str, headers: dict[str, str], private: bool
) -> None:
    assert is_private_peer(remote, headers) is private


async def test_metrics_and_readiness_are_hidden_from_a_proxied_request(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock
) -> None:
    client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    assert (await client.get("/healthz")).status == 200, "load balancers probe it from anywhere"
    assert (await client.get("/metrics")).status == 200, "from loopback, directly"
    proxied = {"X-Forwarded-For": "203.0.113.7"}
    assert (await client.get("/metrics", headers=proxied)).status == 404
    assert (await client.get("/readyz", headers=proxied)).status == 404
