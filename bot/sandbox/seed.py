"""Seeds: ready-made corps. ``demo`` is a small shop with sales staff, customers and groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.sandbox.records import (
    ContactWay,
    Customer,
    Follow,
    GroupChat,
    GroupMember,
    KfAccount,
    Staff,
    Tag,
    TagGroup,
)
from bot.sandbox.world import World

STAFF: Final = (("zhangwei", "张伟"), ("lina", "李娜"), ("wangfang", "王芳"), ("manager", "陈经理"))
CUSTOMERS: Final = (
    ("wmDEMOliuyang0001", "刘洋", "zhangwei", "ch_poster_a", ("etDEMOposter", "etDEMOhigh")),
    ("wmDEMOzhaomin0002", "赵敏", "zhangwei", "ch_live_b", ("etDEMOlive",)),
    ("wmDEMOsunjing0003", "孙静", "lina", "ch_friend", ("etDEMOfriend", "etDEMOmid")),
    ("wmDEMOzhoujie0004", "周杰", "lina", "", ("etDEMOlow",)),
    ("wmDEMOwufang00005", "吴芳", "wangfang", "ch_poster_a", ()),
)
TAG_GROUPS: Final = (
    (
        "etDEMOgroupchannel",
        "渠道",
        (("etDEMOposter", "海报"), ("etDEMOfriend", "朋友推荐"), ("etDEMOlive", "直播")),
    ),
    (
        "etDEMOgroupintent",
        "意向",
        (("etDEMOhigh", "高意向"), ("etDEMOmid", "中意向"), ("etDEMOlow", "低意向")),
    ),
)
KF_ACCOUNT: Final = ("wkDEMOkf0001", "在线客服")
GROUP_WELCOME: Final = "欢迎加入%NICKNAME%！有任何问题在群里@我们即可，工作时间 9:00-18:00。"


def _people(world: World, now: int) -> None:
    corp = world.corp
    for userid, name in STAFF:
        corp.staff[userid] = Staff(userid, name)
    for index, (external_userid, name, staff, state, tags) in enumerate(CUSTOMERS):
        corp.customers[external_userid] = Customer(external_userid, name, gender=1 + index % 2)
        since = now - 86400 * (len(CUSTOMERS) - index)
        corp.put_follow(
            Follow(
                staff,
                external_userid,
                since,
                state=state,
                tag_ids=tags,
                remark=f"{name}（{state or '自然流量'}）",
            )
        )


def _tags(world: World, now: int) -> None:
    for order, (group_id, group_name, tags) in enumerate(TAG_GROUPS):
        world.corp.tag_groups[group_id] = TagGroup(group_id, group_name, now, order)
        for tag_order, (tag_id, tag_name) in enumerate(tags):
            world.corp.tags[tag_id] = Tag(tag_id, tag_name, group_id, now, tag_order)


def _groups(world: World, now: int) -> None:
    def member(userid: str, kind: int) -> GroupMember:
        return GroupMember(userid, kind, now - 3600, 1, "zhangwei")

    world.corp.groups["wrDEMOvip0001"] = GroupChat(
        "wrDEMOvip0001",
        "VIP客户群",
        "zhangwei",
        now - 86400 * 30,
        (
            member("zhangwei", 1),
            member("lina", 1),
            member("wmDEMOliuyang0001", 2),
            member("wmDEMOsunjing0003", 2),
        ),
        admins=("lina",),
        notice="本群每周五发布新品信息",
    )
    world.corp.groups["wrDEMOtrial0002"] = GroupChat(
        "wrDEMOtrial0002",
        "新品体验群",
        "lina",
        now - 86400 * 7,
        (member("lina", 1), member("wangfang", 1), member("wmDEMOzhaomin0002", 2)),
    )


def _channels(world: World, now: int) -> None:
    corp = world.corp
    corp.kf_accounts[KF_ACCOUNT[0]] = KfAccount(*KF_ACCOUNT)
    corp.group_welcome_templates["msgDEMOgroupwelcome"] = {"text": {"content": GROUP_WELCOME}}
    corp.contact_ways["cwDEMOposter"] = ContactWay(
        "cwDEMOposter",
        1,
        2,
        now,
        ("zhangwei",),
        state="ch_poster_a",
        remark="海报活码",
        qr_code="http://127.0.0.1/sandbox/qr/cwDEMOposter",
    )
    corp.contact_ways["cwDEMOlive"] = ContactWay(
        "cwDEMOlive",
        2,
        2,
        now,
        ("zhangwei", "lina", "wangfang"),
        state="ch_live_b",
        remark="直播间多人活码",
        qr_code="http://127.0.0.1/sandbox/qr/cwDEMOlive",
    )


def seed_demo(world: World) -> None:
    """A demo corp: 4 staff, 5 customers, tags 渠道/意向, 2 groups, a KF account, 2 codes."""
    now = int(world.now().timestamp())
    _people(world, now)
    _tags(world, now)
    _groups(world, now)
    _channels(world, now)


SEEDS: Final[dict[str, Callable[[World], None]]] = {"demo": seed_demo}
