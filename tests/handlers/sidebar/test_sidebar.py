"""The sidebar end to end over real HTTP: siyu and the sandbox, OAuth2, the card, actions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.sidebar.stack import (
    BOSS,
    CUSTOMER,
    GROUP,
    STAFF,
    STRANGER,
    start_sidebar_stack,
)
from tests.support.stack import Client, ClientFactory, Stack

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> ManualClock:
    """A Monday, 09:00 in Shanghai."""
    return ManualClock(datetime(2025, 3, 10, 1, 0, tzinfo=UTC))


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    """The sandbox, then siyu with its sidebar pointed at the sandbox's authorize page."""
    return await start_sidebar_stack(aiohttp_client, clock, redis_url, redis)


async def sign_in(stack: Stack, userid: str, **chat: str) -> Client:
    """Open the sidebar as ``userid``: /sidebar/ → the sandbox's authorize page → callback."""
    await stack.sandbox.control("POST", "jssdk/chat", {"userid": userid, **chat})
    siyu = stack.siyu
    first = await siyu.get("/sidebar/?from=toolbar", allow_redirects=False)
    assert first.status == 302
    location = urlsplit(first.headers["Location"])
    assert location.fragment == "wechat_redirect"
    assert str(stack.sandbox.http.make_url(location.path)).startswith(
        stack.settings.sidebar.authorize_url
    )
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["scope"] == "snsapi_base" and query["appid"] == stack.settings.wecom.corp_id
    back = await stack.sandbox.http.get(location.path, params=query, allow_redirects=False)
    assert back.status == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/sidebar/oauth/callback"
    done = await siyu.get(f"{callback.path}?{callback.query}", allow_redirects=False)
    assert done.status == 302 and done.headers["Location"] == "/sidebar/?from=toolbar"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/sidebar/" in cookie
    siyu.session.headers["X-CSRF-Token"] = (await boot_of(siyu, "/sidebar/"))["csrf"]
    return siyu


async def boot_of(siyu: Client, path: str) -> Any:
    """What a page gives its script: signatures, strings, the CSRF token."""
    page = await siyu.get(path)
    assert page.status == 200, await page.text()
    html = await page.text()
    found = re.search(r'<script type="application/json" id="boot">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


async def json_of(response: Any, status: int = 200) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_oauth_through_the_sandbox_signs_the_member_in_and_a_used_code_is_refused(
    stack: Stack,
) -> None:
    siyu = stack.siyu
    anonymous = await siyu.get("/sidebar/api/bootstrap", params={"url": "x"})
    assert anonymous.status == 401
    await stack.sandbox.control("POST", "jssdk/chat", {"userid": STAFF})
    first = await siyu.get("/sidebar/", allow_redirects=False)
    location = urlsplit(first.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    back = await stack.sandbox.http.get(location.path, params=query, allow_redirects=False)
    callback = urlsplit(back.headers["Location"])
    ok = await siyu.get(f"{callback.path}?{callback.query}", allow_redirects=False)
    assert ok.status == 302
    siyu.session.cookie_jar.clear()
    again = await siyu.get(f"{callback.path}?{callback.query}", allow_redirects=False)
    assert again.status == 403  # the state is used up: the code is never even tried
    assert "登录链接已失效" in await again.text()  # a page in Chinese, not JSON
    # a fresh state with the used code: auth/getuserinfo answers 40029
    second = urlsplit((await siyu.get("/sidebar/", allow_redirects=False)).headers["Location"])
    state = parse_qs(second.query)["state"][0]
    reused = await siyu.get(
        callback.path,
        params={"code": parse_qs(callback.query)["code"][0], "state": state},
        allow_redirects=False,
    )
    assert reused.status == 403
    assert "企业微信未能确认你的身份" in await reused.text()
    refused = [c for c in await stack.calls("auth/getuserinfo") if c["response"]["errcode"]]
    assert [c["response"]["errcode"] for c in refused] == [40029]
    forged = await siyu.get(
        "/sidebar/api/bootstrap",
        params={"url": "x"},
        cookies={"siyu_sidebar": "eyJ1IjoibGluYSJ9.00"},
    )
    assert forged.status == 401


async def test_bootstrap_signs_the_page_and_the_stand_in_accepts_both_signatures(
    stack: Stack,
) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    page = str(siyu.make_url("/sidebar/?from=toolbar"))
    loads = [
        await json_of(await siyu.get("/sidebar/api/bootstrap", params={"url": page}))
        for _ in range(3)
    ]
    boot = loads[0]
    assert boot["userid"] == STAFF and boot["corp_id"] == stack.settings.wecom.corp_id
    assert len(await stack.calls("get_jsapi_ticket")) == len(await stack.calls("ticket/get")) == 1
    sandbox = stack.sandbox.http
    for kind, signed in (("config", boot["config"]), ("agentConfig", boot["agent_config"])):
        body = {
            "kind": kind,
            "corpId": boot["corp_id"],
            "agentId": boot["agent_id"],
            "url": page + "#top",
            **signed,
        }
        assert (await json_of(await sandbox.post("/sandbox/jssdk/verify", json=body)))["ok"]
    contact = await sandbox.post(
        "/sandbox/jssdk/invoke", json={"api": "getCurExternalContact", "url": page}
    )
    assert (await contact.json())["userId"] == CUSTOMER
    elsewhere = await siyu.get("/sidebar/api/bootstrap", params={"url": "https://evil/sidebar/"})
    assert elsewhere.status == 400


async def test_the_card_in_one_request_and_a_stranger_gets_403(stack: Stack) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert card["customer"]["external_userid"] == CUSTOMER
    assert card["relation"]["channel"] == "ch_poster_a"
    assert card["relation"]["channel_label"] == "海报A（ch_poster_a）"
    assert card["customer"]["first_added_at"] is not None
    assert card["reminders"] and card["do_not_disturb"] is None  # the new-customer SOP's
    siyu.session.cookie_jar.clear()
    await sign_in(stack, STRANGER)
    refused = await siyu.get(f"/sidebar/api/customers/{CUSTOMER}")
    assert refused.status == 403
    tagged = await siyu.post(
        f"/sidebar/api/customers/{CUSTOMER}/tags", json={"add": ["etDEMOhigh"]}
    )
    assert tagged.status == 403
    assert (await siyu.get("/sidebar/api/customers/wmNOBODY")).status == 403
    siyu.session.cookie_jar.clear()
    await sign_in(stack, BOSS)  # all_customers: sees every customer
    assert (await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}")))["relation"] is None


async def test_a_tag_lands_as_mark_tag_and_on_the_timeline(stack: Stack) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    answer = await json_of(
        await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/tags", json={"add": ["etDEMOhigh"]})
    )
    assert {"id": "etDEMOhigh", "name": "高意向", "group": "意向"} in answer["tags"]
    marks = await stack.calls("externalcontact/mark_tag")
    assert [m["body"] for m in marks][-1] == {
        "userid": STAFF,
        "external_userid": CUSTOMER,
        "add_tag": ["etDEMOhigh"],
        "remove_tag": [],
    }
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert card["timeline"][0]["action"] == "tags" and card["timeline"][0]["by"] == STAFF
    at = datetime.fromisoformat(card["timeline"][0]["at"])
    assert at == stack.clock.now() and at.utcoffset() == timedelta(hours=8)  # shown local
    as_form = await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/tags", data="add=etDEMOhigh")
    assert as_form.status == 415


async def test_a_reminder_in_plain_chinese_is_created_shown_and_done(stack: Stack) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    made = await json_of(
        await siyu.post(
            f"/sidebar/api/customers/{CUSTOMER}/reminders", json={"text": "明天上午10点回访"}
        ),
        201,
    )
    due = datetime.fromisoformat(made["due"])
    assert due == datetime(2025, 3, 11, 10, 0, tzinfo=SHANGHAI) and made["text"] == "回访"
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert made["id"] in [r["id"] for r in card["reminders"]]
    vague = await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/reminders", json={"text": "回访"})
    assert vague.status == 422
    done = await siyu.post(
        f"/sidebar/api/customers/{CUSTOMER}/reminders/{made['id']}/done", json={}
    )
    assert (await json_of(done))["done"] is True
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    # the card lists it as done (it used to vanish, as if never set, or stay pending)
    states = {r["id"]: r["state"] for r in card["reminders"]}
    assert states[made["id"]] == "done"
    assert [r["state"] for r in card["reminders"]][-1] == "done"  # done ones after the open
    again = await siyu.post(
        f"/sidebar/api/customers/{CUSTOMER}/reminders/{made['id']}/done", json={}
    )
    assert again.status == 404
    assert [e["action"] for e in card["timeline"]] == ["reminder_done", "reminder"]


async def test_do_not_disturb_is_set_and_lifted(stack: Stack) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    on = await json_of(
        await siyu.post(
            f"/sidebar/api/customers/{CUSTOMER}/dnd", json={"on": True, "reason": "客户要求"}
        )
    )
    assert on == {"do_not_disturb": True, "changed": True}
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert card["do_not_disturb"]["reason"] == "客户要求"
    await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/dnd", json={"on": False})
    assert (await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}")))[
        "do_not_disturb"
    ] is None


async def test_the_group_card_shows_members_and_todays_joins(stack: Stack) -> None:
    await stack.sandbox.control(
        "POST", f"groups/{GROUP}/join", {"members": ["wmJOIN0001"], "scene": 3}
    )
    await stack.drained()
    siyu = await sign_in(stack, STAFF, chat_id=GROUP)  # zhangwei owns the VIP group
    card = await json_of(await siyu.get(f"/sidebar/api/groups/{GROUP}"))
    assert card["group"]["owner"] == STAFF
    assert "wmJOIN0001" in [m["userid"] for m in card["members"]]
    assert card["today"]["joins"] == 1
    siyu.session.cookie_jar.clear()
    await sign_in(stack, "wangfang")
    assert (await siyu.get(f"/sidebar/api/groups/{GROUP}")).status == 403
    stack.clock.advance(timedelta(hours=9))  # the session (8 h) runs out
    assert (await siyu.get(f"/sidebar/api/groups/{GROUP}")).status == 401


async def test_the_page_carries_signatures_of_its_own_url_that_the_stand_in_accepts(
    stack: Stack,
) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    page = await siyu.get("/sidebar/?from=toolbar")
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    sandbox = stack.sandbox.http
    assert f'src="{sandbox.make_url("/sandbox/jssdk.js")}"' in html  # siyu's WeCom: the sandbox
    found = re.search(r'<script type="application/json" id="boot">(.*?)</script>', html, re.S)
    assert found is not None
    boot = json.loads(found.group(1))
    assert (boot["kind"], boot["userid"]) == ("customer", STAFF)
    assert boot["strings"]["refused"] == "你没有跟进这位客户，无权查看其资料。"
    url = str(siyu.make_url("/sidebar/?from=toolbar"))
    for kind, signed in (("config", boot["config"]), ("agentConfig", boot["agent_config"])):
        body = {"kind": kind, "corpId": boot["corp_id"], "agentId": boot["agent_id"], "url": url}
        assert (
            await json_of(await sandbox.post("/sandbox/jssdk/verify", json={**body, **signed}))
        )["ok"]
        forged = {**body, **signed, "signature": "0" * 40}
        refused = await json_of(await sandbox.post("/sandbox/jssdk/verify", json=forged))
        assert refused == {"ok": False, "errMsg": f"{kind}:fail invalid signature"}
    group = await siyu.get("/sidebar/group")
    assert group.status == 200 and '"kind": "group"' in await group.text()
    assert (await siyu.get("/sidebar/static/sidebar.js")).status == 200


async def test_a_post_without_the_pages_csrf_token_is_refused(stack: Stack) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    token = siyu.session.headers.pop("X-CSRF-Token")
    path = f"/sidebar/api/customers/{CUSTOMER}/tags"
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        refused = await siyu.post(path, json={"add": ["etDEMOhigh"]}, headers=headers)
        assert refused.status == 403 and "CSRF" in (await refused.json())["error"]
    group = await siyu.post(f"/sidebar/api/groups/{GROUP}/replies/greeting", json={})
    assert group.status == 403
    marks = await stack.calls("externalcontact/mark_tag")
    assert not [m for m in marks if "etDEMOhigh" in m["body"]["add_tag"]]
    ok = await siyu.post(path, json={"add": ["etDEMOhigh"]}, headers={"X-CSRF-Token": token})
    assert ok.status == 200
