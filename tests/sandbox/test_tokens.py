"""gettoken and access tokens: issued per secret, reused while valid, expired, revoked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.sandbox.config import SandboxConfig
from tests.support.sandbox import Sandbox, SandboxFactory


async def test_gettoken_answers_a_token_and_its_lifetime(sandbox: Sandbox) -> None:
    answer = await sandbox.get(
        "gettoken",
        token=None,
        corpid=sandbox.config.corp_id,
        corpsecret=sandbox.config.apps["default"].secret,
    )
    assert answer["errcode"] == 0
    assert answer["errmsg"] == "ok"
    assert 0 < len(answer["access_token"]) <= 512
    assert answer["expires_in"] == 7200


async def test_same_token_while_valid_and_a_new_one_after_expiry(sandbox: Sandbox) -> None:
    first = await sandbox.token()
    sandbox.clock.advance(timedelta(seconds=3600))
    assert await sandbox.token() == first
    sandbox.clock.advance(timedelta(seconds=3600))
    assert await sandbox.token() != first


async def test_reused_token_reports_the_time_left(sandbox: Sandbox) -> None:
    await sandbox.token()
    sandbox.clock.advance(timedelta(seconds=1000))
    answer = await sandbox.get(
        "gettoken",
        token=None,
        corpid=sandbox.config.corp_id,
        corpsecret=sandbox.config.apps["default"].secret,
    )
    assert answer["expires_in"] == 6200


async def test_gettoken_errors(sandbox: Sandbox) -> None:
    corp, secret = sandbox.config.corp_id, sandbox.config.apps["default"].secret
    assert (await sandbox.get("gettoken", token=None, corpsecret=secret))["errcode"] == 41002
    assert (await sandbox.get("gettoken", token=None, corpid=corp))["errcode"] == 41004
    wrong_corp = await sandbox.get("gettoken", token=None, corpid="wwnope", corpsecret=secret)
    assert wrong_corp["errcode"] == 40013
    wrong_secret = await sandbox.get("gettoken", token=None, corpid=corp, corpsecret="nope")
    assert wrong_secret["errcode"] == 40001


async def test_missing_token_is_41001(sandbox: Sandbox) -> None:
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=None)
    assert answer["errcode"] == 41001


async def test_unknown_token_is_40014(sandbox: Sandbox) -> None:
    bogus = "not-a-token"
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=bogus)
    assert answer["errcode"] == 40014


async def test_expired_token_is_42001(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    sandbox.clock.advance(timedelta(seconds=7200))
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=token)
    assert answer["errcode"] == 42001
    fresh = await sandbox.token()
    assert fresh != token
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=fresh)
    assert answer["errcode"] == 0


async def test_token_invalidated_early_by_a_fault_is_40014(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": "*", "invalidate_tokens": True, "count": 1})
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=token)
    assert answer["errcode"] == 40014
    fresh = await sandbox.token()
    assert fresh != token
    answer = await sandbox.get("externalcontact/get_follow_user_list", token=fresh)
    assert answer["errcode"] == 0


async def test_configured_token_lifetime(
    make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    box = await make_sandbox(replace(sandbox_config, token_ttl_seconds=60))
    token = await box.token()
    box.clock.advance(timedelta(seconds=61))
    answer = await box.get("externalcontact/get_follow_user_list", token=token)
    assert answer["errcode"] == 42001
