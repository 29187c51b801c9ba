"""Customer groups (docs 92120, 92122): externalcontact/groupchat/list and groupchat/get."""

from __future__ import annotations

from bot.sandbox.api import lookups
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.errcodes import INVALID_CHAT_ID, ApiError, invalid
from bot.sandbox.records import GroupMember, Json
from bot.sandbox.state import Corp


def groupchat_list(call: Call) -> Json:
    """The corp's groups, optionally only those owned by some staff (status 0: normal)."""
    params = call.params
    status_filter = params.opt_int("status_filter", 0, low=0, high=3)
    limit = params.integer("limit")
    if not 1 <= limit <= 1000:  # noqa: PLR2004 - doc 92120
        raise invalid("limit must be between 1 and 1000")
    owners = params.sub("owner_filter").strings("userid_list", max_items=100)
    groups = sorted(call.corp.groups.values(), key=lambda g: (g.create_time, g.chat_id))
    if owners:
        groups = [g for g in groups if g.owner in owners]
    if status_filter:  # 1-3 are resigned-transfer states; the sandbox's groups are all normal
        groups = []
    chunk, next_cursor = lookups.page(groups, params.opt_text("cursor"), limit)
    return {
        "group_chat_list": [{"chat_id": g.chat_id, "status": 0} for g in chunk],
        "next_cursor": next_cursor,
    }


def _name(corp: Corp, member: GroupMember) -> str:
    staff, customer = corp.staff.get(member.userid), corp.customers.get(member.userid)
    return member.name or (staff.name if staff else customer.name if customer else "")


def _member_json(corp: Corp, member: GroupMember, need_name: bool) -> Json:
    shown: Json = {
        "userid": member.userid,
        "type": member.type,
        "join_time": member.join_time,
        "join_scene": member.join_scene,
        "group_nickname": member.group_nickname,
    }
    if member.invitor:
        shown["invitor"] = {"userid": member.invitor}
    if need_name:
        shown["name"] = _name(corp, member)
    return shown


def groupchat_get(call: Call) -> Json:
    """One group's details, members and admins."""
    chat_id = call.params.text("chat_id")
    group = call.corp.groups.get(chat_id)
    if group is None:
        raise ApiError(INVALID_CHAT_ID, f"invalid chat_id: {chat_id}")
    need_name = call.params.opt_int("need_name", 0, low=0, high=1) == 1
    return {
        "group_chat": {
            "chat_id": group.chat_id,
            "name": group.name,
            "owner": group.owner,
            "create_time": group.create_time,
            "notice": group.notice,
            "member_list": [_member_json(call.corp, m, need_name) for m in group.members],
            "admin_list": [{"userid": a} for a in group.admins],
            "member_version": str(group.member_version),
        }
    }


ENDPOINTS = (
    Endpoint("externalcontact/groupchat/list", "POST", groupchat_list),
    Endpoint("externalcontact/groupchat/get", "POST", groupchat_get),
)
