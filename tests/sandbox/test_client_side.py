"""The sandbox's client side over real HTTP: tickets, OAuth2 codes, the stand-in JS-SDK."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.wecom.jssdk import sign
from tests.support.sandbox import Sandbox

CUSTOMER, STAFF, GROUP = "wmDEMOliuyang0001", "zhangwei", "wrDEMOvip0001"
PAGE = "https://siyu.example/sidebar/?from=chat"


async def authorize(sandbox: Sandbox, state: str = "s1") -> Any:
    query = {
        "appid": sandbox.config.corp_id,
        "redirect_uri": PAGE,
        "response_type": "code",
        "scope": "snsapi_base",
        "state": state,
        "agentid": "1000002",
    }
    return await sandbox.http.get("/connect/oauth2/authorize", params=query, allow_redirects=False)


async def test_tickets_are_reused_while_valid_and_renewed_after(sandbox: Sandbox) -> None:
    corp = await sandbox.get("get_jsapi_ticket")
    app = await sandbox.get("ticket/get", type="agent_config")
    assert corp["expires_in"] == app["expires_in"] == 7200 and corp["ticket"] != app["ticket"]
    assert (await sandbox.get("get_jsapi_ticket"))["ticket"] == corp["ticket"]
    sandbox.clock.advance(timedelta(seconds=7200))
    assert (await sandbox.get("get_jsapi_ticket"))["ticket"] != corp["ticket"]
    assert (await sandbox.get("ticket/get", type="jsapi"))["errcode"] == 40058


async def test_an_oauth_code_names_the_signed_in_member_once(sandbox: Sandbox) -> None:
    assert (await authorize(sandbox)).status == 403  # nobody signed in to WeCom yet
    await sandbox.control("POST", "jssdk/chat", {"userid": STAFF, "external_userid": CUSTOMER})
    response = await authorize(sandbox, "xyz")
    assert response.status == 302
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert location.path == "/sidebar/" and query["state"] == ["xyz"]
    assert query["from"] == ["chat"]
    code = query["code"][0]
    assert (await sandbox.get("auth/getuserinfo", code=code))["userid"] == STAFF
    assert (await sandbox.get("auth/getuserinfo", code=code))["errcode"] == 40029


async def test_codes_expire_after_five_minutes(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "jssdk/chat", {"userid": STAFF})
    code = parse_qs(urlsplit((await authorize(sandbox)).headers["Location"]).query)["code"][0]
    sandbox.clock.advance(timedelta(seconds=301))
    assert (await sandbox.get("auth/getuserinfo", code=code))["errcode"] == 40029


async def verify(
    sandbox: Sandbox, kind: str, ticket: str, url: str = PAGE, **extra: Any
) -> dict[str, Any]:
    signed = sign(ticket, url, 1700000000).to_json()
    body = {"kind": kind, "corpId": sandbox.config.corp_id, "url": url, **signed, **extra}
    response = await sandbox.http.post("/sandbox/jssdk/verify", json=body)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    answer: dict[str, Any] = await response.json()
    return answer


async def invoke(sandbox: Sandbox, api: str, **args: Any) -> dict[str, Any]:
    response = await sandbox.http.post(
        "/sandbox/jssdk/invoke", json={"api": api, "url": PAGE, "args": args}
    )
    answer: dict[str, Any] = await response.json()
    return answer


async def test_the_stand_in_checks_signatures_then_answers_for_the_open_chat(
    sandbox: Sandbox,
) -> None:
    await sandbox.control("POST", "jssdk/chat", {"userid": STAFF, "external_userid": CUSTOMER})
    corp = (await sandbox.get("get_jsapi_ticket"))["ticket"]
    app = (await sandbox.get("ticket/get", type="agent_config"))["ticket"]
    agent = sandbox.config.apps["default"].agent_id
    assert (await invoke(sandbox, "getContext"))["err_msg"] == "getContext:fail config not verified"
    assert not (await verify(sandbox, "config", app))["ok"]  # the wrong ticket
    assert (await verify(sandbox, "config", corp, url=PAGE + "#frag"))["ok"]
    assert (await invoke(sandbox, "getContext"))["entry"] == "single_chat_tools"
    no_permission = await invoke(sandbox, "getCurExternalContact")
    assert no_permission["err_msg"] == "getCurExternalContact:fail no permission"
    assert not (await verify(sandbox, "agentConfig", corp, agentId=agent))["ok"]
    assert (await verify(sandbox, "agentConfig", app, agentId=agent))["ok"]
    assert (await invoke(sandbox, "getCurExternalContact"))["userId"] == CUSTOMER
    chat = await invoke(sandbox, "getCurExternalChat")
    assert chat["err_msg"] == "getCurExternalChat:fail without context of external chat"
    sent = await invoke(sandbox, "sendChatMessage", msgtype="text", text={"content": "您好"})
    assert sent["err_msg"] == "sendChatMessage:ok"
    recorded = await sandbox.control("GET", "jssdk/sent")
    assert recorded[0]["message"]["text"] == {"content": "您好"}
    assert recorded[0]["chat"]["external_userid"] == CUSTOMER
    checks = await sandbox.control("GET", "jssdk/verifications")
    assert [c["ok"] for c in checks] == [False, True, False, True]


async def test_a_group_chat_answers_its_chat_id(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "jssdk/chat", {"userid": STAFF, "chat_id": GROUP})
    corp = (await sandbox.get("get_jsapi_ticket"))["ticket"]
    app = (await sandbox.get("ticket/get", type="agent_config"))["ticket"]
    agent = sandbox.config.apps["default"].agent_id
    await verify(sandbox, "config", corp)
    await verify(sandbox, "agentConfig", app, agentId=agent)
    assert (await invoke(sandbox, "getContext"))["entry"] == "group_chat_tools"
    assert (await invoke(sandbox, "getCurExternalChat"))["chatId"] == GROUP
    contact = await invoke(sandbox, "getCurExternalContact")
    assert contact["err_msg"].endswith("without context of external contact")


async def test_the_script_points_back_at_the_sandbox(sandbox: Sandbox) -> None:
    response = await sandbox.http.get("/sandbox/jssdk.js")
    text = await response.text()
    assert response.content_type == "application/javascript"
    assert str(sandbox.http.make_url("")).rstrip("/") in text and "getCurExternalContact" in text
    refused = await sandbox.http.post(
        "/sandbox/jssdk/chat", json={"userid": "lina", "external_userid": CUSTOMER}
    )
    assert refused.status == 409  # lina does not follow 刘洋
