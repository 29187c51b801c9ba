"""Scripted faults: errcodes for N calls or a duration, latency, timeouts; and clearing them."""

from __future__ import annotations

import time
from datetime import timedelta

import aiohttp
import pytest

from tests.support.sandbox import Sandbox

API = "externalcontact/get_follow_user_list"


async def test_errcode_for_n_calls_then_success(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    added = await sandbox.control("POST", "faults", {"api": API, "errcode": -1, "count": 2})
    assert added["fault_id"]
    answers = [await sandbox.get(API, token=token) for _ in range(3)]
    assert [a["errcode"] for a in answers] == [-1, -1, 0]
    assert answers[0]["errmsg"]


async def test_fault_with_its_own_errmsg_only_hits_its_api(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control(
        "POST",
        "faults",
        {
            "api": API,
            "errcode": 60020,
            "errmsg": "not allow to access from your ip, hint: [x], from ip: 1.2.3.4",
        },
    )
    answer = await sandbox.get(API, token=token)
    assert answer == {"errcode": 60020, "errmsg": answer["errmsg"]}
    assert "from ip: 1.2.3.4" in answer["errmsg"]
    other = await sandbox.get("externalcontact/list", token=token, userid="zhangwei")
    assert other["errcode"] == 0


async def test_fault_for_every_api(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": "*", "errcode": 45033, "count": 2})
    assert (await sandbox.get(API, token=token))["errcode"] == 45033
    first = await sandbox.get("externalcontact/list", token=token, userid="zhangwei")
    assert first["errcode"] == 45033
    assert (await sandbox.get(API, token=token))["errcode"] == 0


async def test_fault_for_a_duration_expires_on_the_sandbox_clock(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": API, "errcode": -1, "seconds": 30})
    assert (await sandbox.get(API, token=token))["errcode"] == -1
    sandbox.clock.advance(timedelta(seconds=29))
    assert (await sandbox.get(API, token=token))["errcode"] == -1
    sandbox.clock.advance(timedelta(seconds=2))
    assert (await sandbox.get(API, token=token))["errcode"] == 0


async def test_clearing_faults(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": API, "errcode": -1})
    assert len(await sandbox.control("GET", "faults")) == 1
    assert (await sandbox.control("DELETE", "faults"))["cleared"] == 1
    assert (await sandbox.get(API, token=token))["errcode"] == 0


async def test_latency(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": API, "latency_ms": 300, "count": 1})
    started = time.monotonic()
    answer = await sandbox.get(API, token=token)
    assert time.monotonic() - started >= 0.3
    assert answer["errcode"] == 0


async def test_timeout_holds_the_call_until_the_client_gives_up(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.control("POST", "faults", {"api": API, "timeout": True, "count": 1})
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await sandbox.http.get(
            f"/cgi-bin/{API}",
            params={"access_token": token},
            timeout=aiohttp.ClientTimeout(total=0.3),
        )
    assert time.monotonic() - started < 5
    assert (await sandbox.get(API, token=token))["errcode"] == 0
    held = await sandbox.outbox(api=API)
    assert held[0]["response"] is None
    assert held[0]["fault_id"]


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"api": API},
        {"api": API, "errcode": "x"},
        {"api": API, "errcode": 1, "count": 0},
        {"api": API, "errcode": 1, "seconds": -1},
        {"api": API, "errcode": 1, "bogus": 1},
    ],
)
async def test_bad_fault_specs_are_400(sandbox: Sandbox, spec: dict[str, object]) -> None:
    answer = await sandbox.control("POST", "faults", spec, expect=400)
    assert answer["error"]
