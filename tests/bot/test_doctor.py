"""siyu doctor against the sandbox and a real siyu gateway: each failure explained."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import Role, create_app
from bot.cli.doctor import diagnose
from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from config.settings import Settings
from tests.support.settings import siyu_settings_for

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def sandbox(
    aiohttp_client: ClientFactory, clock: ManualClock
) -> tuple[Client, SandboxConfig]:
    config = replace(SandboxConfig.generate(seed="demo"), corp_id="ww0123456789abcdef")
    return await aiohttp_client(create_sandbox_app(config, clock)), config


@pytest.fixture
def settings_for_sandbox(sandbox: tuple[Client, SandboxConfig], redis_url: str) -> Settings:
    http, config = sandbox
    return siyu_settings_for(config, str(http.make_url("/cgi-bin")), redis_url)


async def test_a_good_setup_passes_every_check(
    aiohttp_client: ClientFactory, settings_for_sandbox: Settings, clock: ManualClock
) -> None:
    siyu = await aiohttp_client(create_app(settings_for_sandbox, role=Role.GATEWAY, clock=clock))
    findings = await diagnose(settings_for_sandbox, str(siyu.make_url("/wecom/callback")))
    assert [f.ok for f in findings] == [True] * len(findings), [f.line() for f in findings]
    assert any("URL verification" in f.detail for f in findings)


async def test_a_wrong_secret_is_explained(settings_for_sandbox: Settings) -> None:
    app = settings_for_sandbox.apps["default"].model_copy(
        update={"secret": SecretStr("not-the-secret")}
    )
    wrong = settings_for_sandbox.model_copy(update={"apps": {"default": app}})
    findings = await diagnose(wrong, None)
    [secret] = [f for f in findings if "secret" in f.check]
    assert not secret.ok
    assert "40001" in secret.detail


async def test_an_untrusted_ip_says_which_ip_to_add(
    sandbox: tuple[Client, SandboxConfig], settings_for_sandbox: Settings
) -> None:
    http, _config = sandbox
    await http.post(
        "/sandbox/faults",
        json={
            "api": "externalcontact/get_follow_user_list",
            "errcode": 60020,
            "errmsg": "not allow to access from your ip, from ip: 203.0.113.7",
            "count": 1,
        },
    )
    findings = await diagnose(settings_for_sandbox, None)
    [secret] = [f for f in findings if "trusted IP" in f.check]
    assert not secret.ok
    assert "203.0.113.7" in secret.detail
    assert "企业可信IP" in secret.detail


async def test_a_callback_url_with_other_keys_is_explained(
    aiohttp_client: ClientFactory,
    settings_for_sandbox: Settings,
    clock: ManualClock,
    redis_url: str,
) -> None:
    other = siyu_settings_for(SandboxConfig.generate(), "http://127.0.0.1:9/cgi-bin", redis_url)
    siyu = await aiohttp_client(create_app(other, role=Role.GATEWAY, clock=clock))
    findings = await diagnose(settings_for_sandbox, str(siyu.make_url("/wecom/callback")))
    [url] = [f for f in findings if "callback URL" in f.check]
    assert not url.ok
    assert "Token/EncodingAESKey" in url.detail


async def test_an_unreachable_callback_url_is_explained(settings_for_sandbox: Settings) -> None:
    findings = await diagnose(settings_for_sandbox, "http://127.0.0.1:9/wecom/callback")
    [url] = [f for f in findings if "callback URL" in f.check]
    assert not url.ok
    assert "not reachable" in url.detail


async def test_a_malformed_corp_id_is_explained(settings_for_sandbox: Settings) -> None:
    bad = settings_for_sandbox.model_copy(
        update={"wecom": settings_for_sandbox.wecom.model_copy(update={"corp_id": "corp-1"})}
    )
    findings = await diagnose(bad, None)
    assert not findings[0].ok
    assert "企业ID" in findings[0].detail
