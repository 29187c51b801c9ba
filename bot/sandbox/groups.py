"""Customer groups changing: people join and quit; change_external_chat events follow."""

from __future__ import annotations

import dataclasses
from typing import Final

from bot.sandbox import plaintexts
from bot.sandbox.actors import ensure_customer
from bot.sandbox.emitter import EmitOptions
from bot.sandbox.httpjson import ControlError
from bot.sandbox.records import GroupChat, GroupMember, Json
from bot.sandbox.world import World

# The callback's JoinScene (0 direct invite, 1 invite link, 3 QR code) → groupchat/get's
# join_scene (1 direct invite, 2 invite link, 3 QR code) (docs 92130, 92122).
JOIN_SCENES: Final = {0: 1, 1: 2, 3: 3}
QUIT_SCENES: Final = frozenset({0, 1})  # 0 left by themselves, 1 removed by owner/admin


def _group(world: World, chat_id: str) -> GroupChat:
    group = world.corp.groups.get(chat_id)
    if group is None:
        raise ControlError(404, f"no such group: {chat_id}")
    return group


def _member(world: World, group: GroupChat, userid: str, scene: int, join_time: int) -> GroupMember:
    staff = world.corp.staff.get(userid)
    if staff is not None:
        return GroupMember(userid, 1, join_time, JOIN_SCENES[scene], group.owner, name=staff.name)
    customer = ensure_customer(world, userid)
    return GroupMember(userid, 2, join_time, JOIN_SCENES[scene], group.owner, name=customer.name)


def members_join(
    world: World, chat_id: str, members: list[str], scene: int, options: EmitOptions | None
) -> Json:
    """People join a group (unknown ids become new customers): update/add_member."""
    group = _group(world, chat_id)
    if scene not in JOIN_SCENES:
        raise ControlError(400, "scene must be 0 (invited), 1 (invite link) or 3 (QR code)")
    present = {m.userid for m in group.members}
    joining = list(dict.fromkeys(m for m in members if m not in present))
    if not joining:
        raise ControlError(409, "everyone listed is already a member")
    now = world.now()
    added = tuple(_member(world, group, uid, scene, int(now.timestamp())) for uid in joining)
    versions = (group.member_version, group.member_version + 1)
    world.corp.groups[chat_id] = dataclasses.replace(
        group, members=group.members + added, member_version=versions[1]
    )
    fields = plaintexts.chat_member_change(
        world.corp.corp_id,
        now,
        chat_id,
        detail="add_member",
        scene=scene,
        members=joining,
        versions=versions,
    )
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {
        "chat_id": chat_id,
        "members": joining,
        "member_count": len(group.members) + len(added),
        "event_id": emission.event_id,
    }


def members_quit(
    world: World, chat_id: str, members: list[str], scene: int, options: EmitOptions | None
) -> Json:
    """Members leave or are removed: update/del_member."""
    group = _group(world, chat_id)
    if scene not in QUIT_SCENES:
        raise ControlError(400, "scene must be 0 (left) or 1 (removed)")
    present = {m.userid for m in group.members}
    missing = [m for m in members if m not in present]
    if missing:
        raise ControlError(404, f"not members of {chat_id}: {', '.join(missing)}")
    leaving = list(dict.fromkeys(members))
    versions = (group.member_version, group.member_version + 1)
    kept = tuple(m for m in group.members if m.userid not in leaving)
    admins = tuple(a for a in group.admins if a not in leaving)
    world.corp.groups[chat_id] = dataclasses.replace(
        group, members=kept, admins=admins, member_version=versions[1]
    )
    now = world.now()
    fields = plaintexts.chat_member_change(
        world.corp.corp_id,
        now,
        chat_id,
        detail="del_member",
        scene=scene,
        members=leaving,
        versions=versions,
    )
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {
        "chat_id": chat_id,
        "members": leaving,
        "member_count": len(kept),
        "event_id": emission.event_id,
    }


def create_group(
    world: World, chat_id: str, name: str, owner: str, options: EmitOptions | None
) -> Json:
    """A staff member creates a customer group: change_external_chat create."""
    corp, now = world.corp, world.now()
    staff = corp.staff.get(owner)
    if staff is None or staff.resigned:
        raise ControlError(404, f"no such staff member: {owner}")
    if chat_id in corp.groups:
        raise ControlError(409, f"group {chat_id} exists")
    stamp = int(now.timestamp())
    founder = GroupMember(owner, 1, stamp, 1, name=staff.name)
    corp.groups[chat_id] = GroupChat(chat_id, name, owner, stamp, (founder,))
    fields = plaintexts.chat_created(corp.corp_id, now, chat_id)
    emission = world.emitter.emit(world.contact_app(), fields, options)
    return {"chat_id": chat_id, "name": name, "owner": owner, "event_id": emission.event_id}
