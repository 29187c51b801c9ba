"""Corp tags (doc 92117): get/add/edit/del_corp_tag, and mark_tag on a customer (doc 92118)."""

from __future__ import annotations

import dataclasses
from typing import Final

from bot.sandbox.api import lookups
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.params import Params
from bot.sandbox.errcodes import INVALID_TAG_ID, TAG_NAME_EXISTS, ApiError, invalid
from bot.sandbox.records import Json, Tag, TagGroup
from bot.sandbox.state import Corp, new_id

TAG_NAME_CHARS: Final = 30


def _tag_json(tag: Tag) -> Json:
    return {
        "id": tag.id,
        "name": tag.name,
        "create_time": tag.create_time,
        "order": tag.order,
        "deleted": False,
    }


def _group_json(group: TagGroup, tags: list[Tag]) -> Json:
    return {
        "group_id": group.group_id,
        "group_name": group.group_name,
        "create_time": group.create_time,
        "order": group.order,
        "deleted": False,
        "tag": [_tag_json(t) for t in tags],
    }


def _unknown(ids: list[str]) -> ApiError:
    return ApiError(INVALID_TAG_ID, f"invalid tag id: {', '.join(ids)}")


def get_corp_tag_list(call: Call) -> Json:
    """The corp's tag groups; filtered by group_id (which wins) or tag_id."""
    corp = call.corp
    group_ids = call.params.strings("group_id")
    tag_ids = set(call.params.strings("tag_id"))
    groups = sorted(corp.tag_groups.values(), key=lambda g: (g.order, g.create_time))
    found: list[Json] = []
    for group in groups:
        tags = corp.tags_in(group.group_id)
        if group_ids:
            if group.group_id not in group_ids:
                continue
        elif tag_ids:
            tags = [t for t in tags if t.id in tag_ids]
            if not tags:
                continue
        found.append(_group_json(group, tags))
    return {"tag_group": found}


def _target_group(call: Call) -> TagGroup:
    corp, params = call.corp, call.params
    if params.has("group_id"):
        group = corp.tag_groups.get(params.text("group_id"))
        if group is None:
            raise _unknown([params.text("group_id")])
        return group
    name = params.text("group_name", max_chars=TAG_NAME_CHARS)
    existing = next((g for g in corp.tag_groups.values() if g.group_name == name), None)
    if existing is not None:  # a group of that name gets the new tags
        return existing
    group = TagGroup(new_id("et", 30), name, int(call.now.timestamp()), params.opt_int("order", 0))
    corp.tag_groups[group.group_id] = group
    return group


def add_corp_tag(call: Call) -> Json:
    """Add tags to a group (made if ``group_name`` is new) → the group with the new tags."""
    wanted = call.params.objects("tag")
    if not wanted:
        raise invalid("tag is required")
    names = [Params(t).text("name", max_chars=TAG_NAME_CHARS) for t in wanted]
    orders = [Params(t).opt_int("order", 0) for t in wanted]
    if len(set(names)) != len(names):
        raise ApiError(TAG_NAME_EXISTS, "duplicate tag names in the request")
    group = _target_group(call)
    taken = {t.name for t in call.corp.tags_in(group.group_id)}
    if taken.intersection(names):
        raise ApiError(TAG_NAME_EXISTS, f"tag name exists: {', '.join(taken & set(names))}")
    created = [
        Tag(new_id("et", 30), name, group.group_id, int(call.now.timestamp()), order)
        for name, order in zip(names, orders, strict=True)
    ]
    call.corp.tags.update({tag.id: tag for tag in created})
    return {"tag_group": _group_json(group, created)}


def edit_corp_tag(call: Call) -> Json:
    """Rename or reorder a tag or a tag group."""
    corp, params = call.corp, call.params
    target = params.text("id")
    name = params.opt_text("name", max_chars=TAG_NAME_CHARS) or None
    if target in corp.tags:
        tag = corp.tags[target]
        order = params.opt_int("order", tag.order)
        corp.tags[target] = dataclasses.replace(tag, name=name or tag.name, order=order)
    elif target in corp.tag_groups:
        group = corp.tag_groups[target]
        order = params.opt_int("order", group.order)
        corp.tag_groups[target] = dataclasses.replace(
            group, group_name=name or group.group_name, order=order
        )
    else:
        raise _unknown([target])
    return {}


def _drop_groups(corp: Corp, group_ids: list[str]) -> None:
    for group_id in group_ids:
        corp.drop_tags({t.id for t in corp.tags_in(group_id)})
        corp.tag_groups.pop(group_id, None)


def del_corp_tag(call: Call) -> Json:
    """Delete tags and groups; a group left with no tags is deleted too."""
    corp = call.corp
    tag_ids, group_ids = call.params.strings("tag_id"), call.params.strings("group_id")
    if not tag_ids and not group_ids:
        raise invalid("tag_id or group_id is required")
    unknown = [t for t in tag_ids if t not in corp.tags]
    unknown += [g for g in group_ids if g not in corp.tag_groups]
    if unknown:
        raise _unknown(unknown)
    touched = {corp.tags[t].group_id for t in tag_ids}
    corp.drop_tags(set(tag_ids))
    _drop_groups(corp, group_ids)
    _drop_groups(corp, [g for g in touched if g in corp.tag_groups and not corp.tags_in(g)])
    return {}


def mark_tag(call: Call) -> Json:
    """Add and remove corp tags on one staff member's customer."""
    params = call.params
    follow = lookups.relation(call.corp, params.text("userid"), params.text("external_userid"))
    add, remove = params.strings("add_tag"), params.strings("remove_tag")
    if not add and not remove:
        raise invalid("add_tag or remove_tag is required")
    unknown = [t for t in add + remove if t not in call.corp.tags]
    if unknown:
        raise _unknown(unknown)
    kept = [t for t in follow.tag_ids if t not in remove]
    tags = tuple(dict.fromkeys(kept + [t for t in add if t not in remove]))
    call.corp.put_follow(dataclasses.replace(follow, tag_ids=tags))
    return {}


ENDPOINTS = (
    Endpoint("externalcontact/get_corp_tag_list", "POST", get_corp_tag_list),
    Endpoint("externalcontact/add_corp_tag", "POST", add_corp_tag),
    Endpoint("externalcontact/edit_corp_tag", "POST", edit_corp_tag),
    Endpoint("externalcontact/del_corp_tag", "POST", del_corp_tag),
    Endpoint("externalcontact/mark_tag", "POST", mark_tag),
)
