"""Live codes: add/get/list/update/del_contact_way, and customers scanning them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.sandbox import Sandbox

API = "externalcontact"


async def test_crud(sandbox: Sandbox) -> None:
    added = await sandbox.post(
        f"{API}/add_contact_way",
        {
            "type": 2,
            "scene": 2,
            "user": ["lina", "wangfang"],
            "state": "ch_fair_2026",
            "remark": "展会",
            "conclusions": {"text": {"content": "谢谢"}},
        },
    )
    assert added["errcode"] == 0
    config_id = added["config_id"]
    assert added["qr_code"]
    got = (await sandbox.post(f"{API}/get_contact_way", {"config_id": config_id}))["contact_way"]
    assert (got["type"], got["scene"], got["state"], got["user"]) == (
        2,
        2,
        "ch_fair_2026",
        ["lina", "wangfang"],
    )
    assert got["skip_verify"] is True
    assert got["expires_in"] == 7 * 86400
    updated = await sandbox.post(
        f"{API}/update_contact_way", {"config_id": config_id, "state": "ch_fair_b"}
    )
    assert updated["errcode"] == 0
    got = (await sandbox.post(f"{API}/get_contact_way", {"config_id": config_id}))["contact_way"]
    assert (got["state"], got["user"], got["remark"]) == ("ch_fair_b", ["lina", "wangfang"], "展会")
    listed = await sandbox.post(f"{API}/list_contact_way", {"limit": 1})
    assert len(listed["contact_way"]) == 1
    assert listed["next_cursor"]
    rest = await sandbox.post(f"{API}/list_contact_way", {"cursor": listed["next_cursor"]})
    ids = [w["config_id"] for w in listed["contact_way"] + rest["contact_way"]]
    assert config_id in ids
    assert (await sandbox.post(f"{API}/del_contact_way", {"config_id": config_id}))["errcode"] == 0
    gone = await sandbox.post(f"{API}/get_contact_way", {"config_id": config_id})
    assert gone["errcode"] == 40058


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"scene": 2, "user": ["lina"]}, 40058),
        ({"type": 1, "user": ["lina"]}, 40058),
        ({"type": 3, "scene": 2, "user": ["lina"]}, 40058),
        ({"type": 1, "scene": 2, "user": ["lina", "zhangwei"]}, 40058),
        ({"type": 1, "scene": 2, "user": ["lina"], "state": "s" * 31}, 40058),
        ({"type": 1, "scene": 2, "user": ["lina"], "remark": "r" * 31}, 40058),
        ({"type": 1, "scene": 2, "user": ["nobody"]}, 60111),
        ({"type": 2, "scene": 2}, 40058),
        ({"type": 1, "scene": 2, "user": ["lina"], "expires_in": 15 * 86400}, 40058),
    ],
)
async def test_add_errors(sandbox: Sandbox, body: dict[str, object], errcode: int) -> None:
    assert (await sandbox.post(f"{API}/add_contact_way", body))["errcode"] == errcode


async def test_scanning_a_multi_person_code_takes_turns(sandbox: Sandbox) -> None:
    picked = []
    for index in range(4):
        done = await sandbox.control(
            "POST", "contact_ways/cwDEMOlive/scan", {"customer": f"wmSCAN{index}"}
        )
        assert done["state"] == "ch_live_b"
        assert done["welcome_code"]
        picked.append(done["staff"])
    assert picked == ["zhangwei", "lina", "wangfang", "zhangwei"]
    deliveries = await sandbox.settled()
    assert [d["fields"]["State"] for d in deliveries] == ["ch_live_b"] * 4
    assert [d["fields"]["UserID"] for d in deliveries] == picked


async def test_scanning_an_unknown_code_is_404(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "contact_ways/cwNOPE/scan", {"customer": "wmX"}, expect=404)


async def test_list_range(sandbox: Sandbox) -> None:
    sandbox.clock.advance(timedelta(days=100))
    listed = await sandbox.post(f"{API}/list_contact_way", {})
    assert listed["contact_way"] == []  # the demo codes are older than 90 days now
    start = int((sandbox.clock.now() - timedelta(days=101)).timestamp())
    listed = await sandbox.post(f"{API}/list_contact_way", {"start_time": start})
    assert len(listed["contact_way"]) == 2
