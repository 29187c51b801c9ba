"""The sandbox app itself: /sandbox/state, unknown APIs, malformed bodies, clock and emitter."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import SystemClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from tests.support.sandbox import ClientFactory, Sandbox, SandboxFactory


async def test_state_shape(sandbox: Sandbox) -> None:
    state = await sandbox.control("GET", "state")
    app = sandbox.config.apps["default"]
    assert state["corp_id"] == sandbox.config.corp_id
    expected = {
        "agent_id": app.agent_id,
        "secret": app.secret,
        "token": app.token,
        "encoding_aes_key": app.encoding_aes_key,
    }
    assert expected.items() <= state["apps"]["default"].items()
    assert state["staff"] == ["zhangwei", "lina", "wangfang", "manager"]
    assert len(state["customers"]) == 5
    assert state["kf_accounts"] == ["wkDEMOkf0001"]


async def test_an_empty_corp(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(SandboxConfig.generate())
    state = await sandbox.control("GET", "state")
    assert (state["staff"], state["customers"], state["kf_accounts"]) == ([], [], [])


def test_unknown_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        create_sandbox_app(SandboxConfig.generate(seed="nope"))


async def test_unknown_api_is_404_json(sandbox: Sandbox) -> None:
    response = await sandbox.http.get("/cgi-bin/externalcontact/nope")
    assert response.status == 404
    assert (await response.json())["errcode"] == 48001


async def test_malformed_json_is_47001_and_recorded(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    response = await sandbox.http.post(
        "/cgi-bin/externalcontact/mark_tag", params={"access_token": token}, data=b"{not json"
    )
    answer = await response.json()
    assert answer["errcode"] == 47001
    [entry] = await sandbox.outbox(api="externalcontact/mark_tag")
    assert entry["response"]["errcode"] == 47001


async def test_clock_route_moves_a_manual_clock(sandbox: Sandbox) -> None:
    before = sandbox.clock.now()
    answer = await sandbox.control("POST", "clock", {"advance_seconds": 90})
    assert datetime.fromisoformat(answer["now"]) == before + timedelta(seconds=90)
    await sandbox.control("POST", "clock", {"advance_seconds": -1}, 400)


async def test_clock_route_refuses_the_system_clock(aiohttp_client: ClientFactory) -> None:
    client = await aiohttp_client(create_sandbox_app(SandboxConfig.generate(), SystemClock()))
    response = await client.post("/sandbox/clock", json={"advance_seconds": 1})
    assert response.status == 409


@pytest.mark.parametrize(
    "body", [{"app": "nope", "url": "http://127.0.0.1:1/"}, {"url": "ftp://x"}]
)
async def test_callback_url_validation(sandbox: Sandbox, body: dict[str, str]) -> None:
    response = await sandbox.http.post("/sandbox/callback_url", json=body)
    assert response.status in {400, 404}
    assert (await response.json())["error"]


async def test_control_bodies_must_be_json_objects(sandbox: Sandbox) -> None:
    response = await sandbox.http.post("/sandbox/faults", data=b"[1]")
    assert response.status == 400
    response = await sandbox.http.post("/sandbox/staff/lina/message", data=b"nope")
    assert response.status == 400


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("customers/wmX/add", {"state": "x" * 31}, "state"),
        ("staff/zhangwei/card_click", {"duplicates": "2"}, "task_id"),
        ("groups/wrX/join", {"members": ["wmX"], "scene": "1", "delay_ms": -1}, "scene"),
        ("staff/lina/message", {"text": "hi", "delay_ms": -1}, "delay_ms"),
    ],
)
async def test_actor_routes_check_their_fields_in_order(
    sandbox: Sandbox, path: str, body: dict[str, object], field: str
) -> None:
    # A route's own fields are checked in the order it takes them, the emit options last.
    answer = await sandbox.control("POST", path, body, 400)
    assert answer["error"].startswith(f"{field} ")


async def test_resign_reads_no_body(sandbox: Sandbox) -> None:
    response = await sandbox.http.post("/sandbox/staff/wangfang/resign", data=b"nope")
    assert response.status == 200


async def test_emit_validation(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "emit", {"events": []}, 400)
    await sandbox.control("POST", "emit", {"events": [{"Flag": True}]}, 400)
    await sandbox.control("POST", "emit", {"app": "nope", "events": [{"MsgType": "text"}]}, 404)


async def test_emitter_defaults(sandbox: Sandbox) -> None:
    status = await sandbox.control("POST", "emitter", {"duplicates": 1, "delay_ms": 0})
    assert status == {"duplicates": 1, "delay_ms": 0.0}
    await sandbox.control("POST", "staff/lina/message", {"text": "twice"})
    deliveries = await sandbox.settled()
    assert [d["copy"] for d in deliveries] == [0, 1]


async def test_an_empty_corp_can_be_populated(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(SandboxConfig.generate())
    await sandbox.control("POST", "staff", {"userid": "amy", "name": "艾米"})
    await sandbox.control("POST", "staff", {"userid": "amy"}, 409)
    kf = await sandbox.control("POST", "kf_accounts", {"name": "售后"})
    group = await sandbox.control("POST", "groups", {"name": "新群", "owner": "amy"})
    await sandbox.control("POST", "groups", {"name": "x", "owner": "nobody"}, 404)
    await sandbox.control("POST", "customers/wmA/add", {"staff": "amy"})
    await sandbox.control("POST", f"groups/{group['chat_id']}/join", {"members": ["wmA"]})
    state = await sandbox.control("GET", "state")
    assert (state["staff"], state["customers"], state["kf_accounts"]) == (
        ["amy"],
        ["wmA"],
        [kf["open_kfid"]],
    )
    events = [d["event"] for d in await sandbox.settled()]
    assert events == [
        "change_external_chat/create",
        "change_external_contact/add_external_contact",
        "change_external_chat/update",
    ]
    chat = await sandbox.post("externalcontact/groupchat/get", {"chat_id": group["chat_id"]})
    assert [m["userid"] for m in chat["group_chat"]["member_list"]] == ["amy", "wmA"]
