"""Lookups that refuse with WeCom's errcodes, JSON shapes shared by areas, and cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from bot.sandbox.errcodes import (
    INVALID_EXTERNAL_USERID,
    INVALID_USERID,
    NO_RELATION,
    ApiError,
    invalid,
)
from bot.sandbox.records import Customer, Follow, Json, Staff
from bot.sandbox.state import Corp

T = TypeVar("T")


def staff_member(corp: Corp, userid: str) -> Staff:
    """The staff member, or 60111 (unverified)."""
    staff = corp.staff.get(userid)
    if staff is None:
        raise ApiError(INVALID_USERID, f"userid not found: {userid}")
    return staff


def customer(corp: Corp, external_userid: str) -> Customer:
    """The customer, or 40096."""
    found = corp.customers.get(external_userid)
    if found is None:
        raise ApiError(INVALID_EXTERNAL_USERID, f"invalid external_userid: {external_userid}")
    return found


def relation(corp: Corp, userid: str, external_userid: str) -> Follow:
    """The pair's relation, or 40096 for an unknown customer, 84061 for no relation."""
    staff_member(corp, userid)
    customer(corp, external_userid)
    follow = corp.relation(userid, external_userid)
    if follow is None:
        raise ApiError(NO_RELATION, f"not external contact: {userid} / {external_userid}")
    return follow


def follow_user_json(corp: Corp, follow: Follow) -> Json:
    """A follow_user item of externalcontact/get, with its corp tags."""
    tags: list[Json] = []
    for tag_id in follow.tag_ids:
        tag = corp.tags.get(tag_id)
        group = corp.tag_groups.get(tag.group_id) if tag else None
        if tag is not None and group is not None:
            tags.append(
                {"group_name": group.group_name, "tag_name": tag.name, "tag_id": tag.id, "type": 1}
            )
    return {
        "userid": follow.userid,
        "remark": follow.remark,
        "description": follow.description,
        "createtime": follow.createtime,
        "tags": tags,
        "remark_mobiles": list(follow.remark_mobiles),
        "oper_userid": follow.oper_userid or follow.userid,
        "add_way": follow.add_way,
        "state": follow.state,
    }


def follow_info_json(follow: Follow) -> Json:
    """A follow_info object of batch/get_by_user (tag ids only)."""
    return {
        "userid": follow.userid,
        "remark": follow.remark,
        "description": follow.description,
        "createtime": follow.createtime,
        "tag_id": list(follow.tag_ids),
        "remark_mobiles": list(follow.remark_mobiles),
        "oper_userid": follow.oper_userid or follow.userid,
        "add_way": follow.add_way,
        "state": follow.state,
    }


def encode_cursor(offset: int) -> str:
    """An opaque cursor for position ``offset``."""
    return base64.urlsafe_b64encode(f"sandbox:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; "" is the start. Bad cursors are 40058."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid("cursor") from exc
    if prefix != "sandbox" or offset < 0:
        raise invalid("cursor")
    return offset


def page(items: Sequence[T], cursor: str, limit: int) -> tuple[list[T], str]:
    """One page of ``items`` and the cursor of the next ("" when this is the last)."""
    start = decode_cursor(cursor)
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    return chunk, encode_cursor(end) if end < len(items) else ""
