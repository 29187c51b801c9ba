"""externalcontact/get, batch/get_by_user, list, get_follow_user_list and transfers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.sandbox import Sandbox

LIUYANG = "wmDEMOliuyang0001"


async def test_get_shape(sandbox: Sandbox) -> None:
    answer = await sandbox.get("externalcontact/get", external_userid=LIUYANG)
    assert answer["errcode"] == 0
    contact = answer["external_contact"]
    assert {"external_userid", "name", "type", "avatar", "gender"} <= set(contact)
    assert (contact["external_userid"], contact["name"], contact["type"]) == (LIUYANG, "刘洋", 1)
    [follow] = answer["follow_user"]
    assert {
        "userid",
        "remark",
        "description",
        "createtime",
        "tags",
        "remark_mobiles",
        "oper_userid",
        "add_way",
        "state",
    } <= set(follow)
    assert follow["userid"] == "zhangwei"
    assert follow["state"] == "ch_poster_a"
    assert {"group_name": "渠道", "tag_name": "海报", "tag_id": "etDEMOposter", "type": 1} in (
        follow["tags"]
    )
    assert "next_cursor" not in answer


@pytest.mark.parametrize(
    ("query", "errcode"),
    [({}, 40058), ({"external_userid": "wmNOBODY"}, 40096)],
)
async def test_get_errors(sandbox: Sandbox, query: dict[str, str], errcode: int) -> None:
    assert (await sandbox.get("externalcontact/get", **query))["errcode"] == errcode


async def test_get_after_the_customer_deleted_the_staff_member_is_84061(
    sandbox: Sandbox,
) -> None:
    done = await sandbox.control("POST", f"customers/{LIUYANG}/delete", {"staff": "zhangwei"})
    [delivery] = await sandbox.settled()
    assert delivery["event_id"] == done["event_id"]
    assert delivery["event"] == "change_external_contact/del_follow_user"
    assert delivery["fields"]["UserID"] == "zhangwei"
    assert delivery["fields"]["ExternalUserID"] == LIUYANG
    answer = await sandbox.get("externalcontact/get", external_userid=LIUYANG)
    assert answer["errcode"] == 84061
    await sandbox.control("POST", f"customers/{LIUYANG}/delete", {"staff": "zhangwei"}, 404)


async def test_batch_get_by_user_pages(sandbox: Sandbox) -> None:
    body = {"userid_list": ["zhangwei", "lina"], "limit": 3}
    first = await sandbox.post("externalcontact/batch/get_by_user", body)
    assert first["errcode"] == 0
    assert len(first["external_contact_list"]) == 3
    item = first["external_contact_list"][0]
    assert item["external_contact"]["external_userid"]
    assert {"userid", "remark", "tag_id", "state", "createtime", "add_way"} <= set(
        item["follow_info"]
    )
    assert first["next_cursor"]
    second = await sandbox.post(
        "externalcontact/batch/get_by_user", {**body, "cursor": first["next_cursor"]}
    )
    assert len(second["external_contact_list"]) == 1
    assert second["next_cursor"] == ""


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({}, 40058),
        ({"userid_list": [f"u{i}" for i in range(101)]}, 40058),
        ({"userid_list": ["nobody"]}, 60111),
        ({"userid_list": ["lina"], "limit": 101}, 40058),
        ({"userid_list": ["lina"], "cursor": "garbage!"}, 40058),
    ],
)
async def test_batch_get_by_user_errors(
    sandbox: Sandbox, body: dict[str, object], errcode: int
) -> None:
    answer = await sandbox.post("externalcontact/batch/get_by_user", body)
    assert answer["errcode"] == errcode
    assert answer["errmsg"] != "ok"


async def test_list_and_follow_user_list(sandbox: Sandbox) -> None:
    listed = await sandbox.get("externalcontact/list", userid="zhangwei")
    assert listed["external_userid"] == [LIUYANG, "wmDEMOzhaomin0002"]
    assert (await sandbox.get("externalcontact/list", userid="nobody"))["errcode"] == 60111
    assert (await sandbox.get("externalcontact/list"))["errcode"] == 40058
    follow = await sandbox.get("externalcontact/get_follow_user_list")
    assert follow["follow_user"] == ["zhangwei", "lina", "wangfang", "manager"]


async def test_get_takes_get_only(sandbox: Sandbox) -> None:
    token = await sandbox.token()
    response = await sandbox.http.post(
        "/cgi-bin/externalcontact/get", params={"access_token": token}, json={}
    )
    assert response.status == 405
    assert (await response.json())["errcode"] != 0


async def test_transfer_customer_takes_effect_after_24_hours(sandbox: Sandbox) -> None:
    body = {
        "handover_userid": "zhangwei",
        "takeover_userid": "lina",
        "external_userid": [LIUYANG, "wmDEMOsunjing0003", "wmNOBODY"],
    }
    answer = await sandbox.post("externalcontact/transfer_customer", body)
    assert answer["errcode"] == 0
    assert answer["customer"] == [
        {"external_userid": LIUYANG, "errcode": 0},
        {"external_userid": "wmDEMOsunjing0003", "errcode": 84061},
        {"external_userid": "wmNOBODY", "errcode": 40096},
    ]
    sandbox.clock.advance(timedelta(hours=23))
    assert (
        LIUYANG in (await sandbox.get("externalcontact/list", userid="zhangwei"))["external_userid"]
    )
    sandbox.clock.advance(timedelta(hours=1))
    assert LIUYANG in (await sandbox.get("externalcontact/list", userid="lina"))["external_userid"]
    zhangwei = await sandbox.get("externalcontact/list", userid="zhangwei")
    assert LIUYANG not in zhangwei["external_userid"]


async def test_resigned_transfer_needs_a_staff_member_who_left(sandbox: Sandbox) -> None:
    body = {
        "handover_userid": "wangfang",
        "takeover_userid": "lina",
        "external_userid": ["wmDEMOwufang00005"],
    }
    refused = await sandbox.post("externalcontact/resigned/transfer_customer", body)
    assert refused["errcode"] == 40058
    await sandbox.control("POST", "staff/wangfang/resign")
    answer = await sandbox.post("externalcontact/resigned/transfer_customer", body)
    assert answer["customer"] == [{"external_userid": "wmDEMOwufang00005", "errcode": 0}]
    on_the_job = await sandbox.post("externalcontact/transfer_customer", body)
    assert on_the_job["errcode"] == 40058
