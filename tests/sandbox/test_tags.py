"""Corp tags: list, add, edit, delete, and marking customers."""

from __future__ import annotations

import pytest

from tests.support.sandbox import Sandbox

API = "externalcontact"


async def test_list_shape_and_filters(sandbox: Sandbox) -> None:
    answer = await sandbox.post(f"{API}/get_corp_tag_list")
    groups = answer["tag_group"]
    assert [g["group_name"] for g in groups] == ["渠道", "意向"]
    group = groups[0]
    assert {"group_id", "group_name", "create_time", "order", "deleted", "tag"} <= set(group)
    assert {"id", "name", "create_time", "order", "deleted"} <= set(group["tag"][0])
    by_tag = await sandbox.post(f"{API}/get_corp_tag_list", {"tag_id": ["etDEMOhigh"]})
    assert [[t["name"] for t in g["tag"]] for g in by_tag["tag_group"]] == [["高意向"]]
    both = {"tag_id": ["etDEMOhigh"], "group_id": ["etDEMOgroupchannel"]}
    by_group = await sandbox.post(f"{API}/get_corp_tag_list", both)  # group_id wins
    assert [g["group_name"] for g in by_group["tag_group"]] == ["渠道"]
    assert len(by_group["tag_group"][0]["tag"]) == 3


async def test_add_to_a_new_group_and_to_an_existing_one(sandbox: Sandbox) -> None:
    created = await sandbox.post(
        f"{API}/add_corp_tag", {"group_name": "地区", "tag": [{"name": "北京"}, {"name": "上海"}]}
    )
    group = created["tag_group"]
    assert group["group_name"] == "地区"
    assert [t["name"] for t in group["tag"]] == ["北京", "上海"]
    more = await sandbox.post(
        f"{API}/add_corp_tag", {"group_id": group["group_id"], "tag": [{"name": "广州"}]}
    )
    assert [t["name"] for t in more["tag_group"]["tag"]] == ["广州"]
    listed = await sandbox.post(f"{API}/get_corp_tag_list", {"group_id": [group["group_id"]]})
    assert len(listed["tag_group"][0]["tag"]) == 3


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"group_name": "渠道"}, 40058),
        ({"tag": [{"name": "x"}]}, 40058),
        ({"group_id": "etNOPE", "tag": [{"name": "x"}]}, 40068),
        ({"group_name": "渠道", "tag": [{"name": "海报"}]}, 40071),
        ({"group_name": "渠道", "tag": [{"name": "a"}, {"name": "a"}]}, 40071),
        ({"group_name": "渠道", "tag": [{"name": "长" * 31}]}, 40058),
    ],
)
async def test_add_errors(sandbox: Sandbox, body: dict[str, object], errcode: int) -> None:
    assert (await sandbox.post(f"{API}/add_corp_tag", body))["errcode"] == errcode


async def test_edit_and_delete(sandbox: Sandbox) -> None:
    edited = await sandbox.post(f"{API}/edit_corp_tag", {"id": "etDEMOhigh", "name": "很有意向"})
    assert edited["errcode"] == 0
    renamed = await sandbox.post(
        f"{API}/edit_corp_tag", {"id": "etDEMOgroupintent", "name": "购买意向"}
    )
    assert renamed["errcode"] == 0
    assert (await sandbox.post(f"{API}/edit_corp_tag", {"id": "etNOPE"}))["errcode"] == 40068
    listed = await sandbox.post(f"{API}/get_corp_tag_list", {"tag_id": ["etDEMOhigh"]})
    assert listed["tag_group"][0]["group_name"] == "购买意向"
    assert listed["tag_group"][0]["tag"][0]["name"] == "很有意向"
    gone = await sandbox.post(
        f"{API}/del_corp_tag", {"tag_id": ["etDEMOhigh", "etDEMOmid", "etDEMOlow"]}
    )
    assert gone["errcode"] == 0
    groups = (await sandbox.post(f"{API}/get_corp_tag_list"))["tag_group"]
    assert [g["group_name"] for g in groups] == ["渠道"]  # an emptied group goes too
    contact = await sandbox.get(f"{API}/get", external_userid="wmDEMOliuyang0001")
    assert [t["tag_id"] for t in contact["follow_user"][0]["tags"]] == ["etDEMOposter"]
    assert (await sandbox.post(f"{API}/del_corp_tag", {}))["errcode"] == 40058
    assert (await sandbox.post(f"{API}/del_corp_tag", {"tag_id": ["x"]}))["errcode"] == 40068


async def test_mark_tag(sandbox: Sandbox) -> None:
    body = {
        "userid": "zhangwei",
        "external_userid": "wmDEMOliuyang0001",
        "add_tag": ["etDEMOlive"],
        "remove_tag": ["etDEMOhigh"],
    }
    assert (await sandbox.post(f"{API}/mark_tag", body))["errcode"] == 0
    contact = await sandbox.get(f"{API}/get", external_userid="wmDEMOliuyang0001")
    tags = [t["tag_id"] for t in contact["follow_user"][0]["tags"]]
    assert tags == ["etDEMOposter", "etDEMOlive"]


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        (
            {"userid": "lina", "external_userid": "wmDEMOliuyang0001", "add_tag": ["etDEMOlive"]},
            84061,
        ),
        ({"userid": "zhangwei", "external_userid": "wmNOPE", "add_tag": ["etDEMOlive"]}, 40096),
        ({"userid": "zhangwei", "external_userid": "wmDEMOliuyang0001", "add_tag": ["etX"]}, 40068),
        ({"userid": "zhangwei", "external_userid": "wmDEMOliuyang0001"}, 40058),
        ({"external_userid": "wmDEMOliuyang0001", "add_tag": ["etDEMOlive"]}, 40058),
    ],
)
async def test_mark_tag_errors(sandbox: Sandbox, body: dict[str, object], errcode: int) -> None:
    assert (await sandbox.post(f"{API}/mark_tag", body))["errcode"] == errcode
