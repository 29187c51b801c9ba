"""The outbox: every call, filtered by api and since; no tokens or secrets in it."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support.sandbox import Sandbox

API = "externalcontact/list"


async def test_every_call_is_recorded_with_body_and_response(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.get(API, token=token, userid="zhangwei")
    await sandbox.post("externalcontact/batch/get_by_user", {"userid_list": ["lina"]}, token)
    entries = await sandbox.outbox()
    assert [e["api"] for e in entries] == ["gettoken", API, "externalcontact/batch/get_by_user"]
    listed = entries[1]
    assert listed["method"] == "GET"
    assert listed["body"] == {"userid": "zhangwei"}
    assert listed["response"]["errcode"] == 0
    assert datetime.fromisoformat(listed["at"]) == sandbox.clock.now()
    assert entries[2]["body"] == {"userid_list": ["lina"]}
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)


async def test_no_token_or_secret_is_stored(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.get(API, token=token, userid="zhangwei")
    text = str(await sandbox.outbox())
    assert token not in text
    assert sandbox.config.apps["default"].secret not in text


async def test_filter_by_api_and_since(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    await sandbox.get(API, token=token, userid="zhangwei")
    mark = (await sandbox.outbox())[-1]["seq"]
    sandbox.clock.advance(timedelta(seconds=5))
    moment = sandbox.clock.now().isoformat()
    sandbox.clock.advance(timedelta(seconds=5))
    await sandbox.get(API, token=token, userid="lina")
    await sandbox.get("externalcontact/get_follow_user_list", token=token)
    assert len(await sandbox.outbox(api=API)) == 2
    assert len(await sandbox.outbox(api=f"/cgi-bin/{API}")) == 2
    after = await sandbox.outbox(api=API, since=str(mark))
    assert [e["body"] for e in after] == [{"userid": "lina"}]
    by_time = await sandbox.outbox(since=moment)
    assert [e["api"] for e in by_time] == [API, "externalcontact/get_follow_user_list"]


async def test_bad_since_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.http.get("/sandbox/outbox", params={"since": "yesterday"})
    assert response.status == 400
