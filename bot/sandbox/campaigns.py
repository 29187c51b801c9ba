"""Live codes and group-sends acted out: a customer scans a code, a sender confirms a send."""

from __future__ import annotations

import calendar
import dataclasses

from bot.sandbox.actors import customer_adds_staff
from bot.sandbox.emitter import EmitOptions
from bot.sandbox.httpjson import ControlError
from bot.sandbox.records import GroupMsg, GroupMsgSend, Json
from bot.sandbox.world import World

SENT, NOT_FRIEND, CAPPED = 1, 2, 3  # get_groupmsg_send_result statuses (doc 93338)
TASK_SENT = 2


def customer_scans(
    world: World, config_id: str, external_userid: str, options: EmitOptions | None
) -> Json:
    """A customer scans a contact way: one of its staff is added, with the way's state.

    A multi-person code hands customers to its members in turn (round-robin); a code with
    only departments hands them to every active staff member in turn (the sandbox has one
    department, 1, holding everyone).
    """
    corp = world.corp
    way = corp.contact_ways.get(config_id)
    if way is None:
        raise ControlError(404, f"no such contact way: {config_id}")
    active = [u for u, s in corp.staff.items() if not s.resigned]
    users = [u for u in way.users if u in active] or (active if way.parties else [])
    if not users:
        raise ControlError(409, f"contact way {config_id} has no active staff member")
    turn = corp.contact_way_turns[config_id]
    corp.contact_way_turns[config_id] = turn + 1
    added = customer_adds_staff(
        world, external_userid, users[turn % len(users)], way.state, options
    )
    return {**added, "config_id": config_id}


def monthly_cap(world: World) -> tuple[str, int]:
    """The current month (corp time zone) and how many group-sends a target may get in it.

    The default is the number of days in the month (doc 92135, since 2023); the older rule
    was 4 a month. Configurable through Limits.groupmsg_per_target_per_month.
    """
    local = world.local_now()
    configured = world.config.limits.groupmsg_per_target_per_month
    days = calendar.monthrange(local.year, local.month)[1]
    return local.strftime("%Y-%m"), configured if configured is not None else days


def _status(world: World, msg: GroupMsg, send: GroupMsgSend, month: str, cap: int) -> int:
    corp = world.corp
    if msg.chat_type == "single":
        reachable = corp.relation(send.userid, send.target) is not None
    else:
        group = corp.groups.get(send.target)
        reachable = group is not None and any(m.userid == send.userid for m in group.members)
    if not reachable:
        return NOT_FRIEND
    if corp.monthly_sends[(send.target, month)] >= cap:
        return CAPPED
    corp.monthly_sends[(send.target, month)] += 1
    return SENT


def staff_confirms(world: World, msgid: str, userid: str) -> Json:
    """The sender confirms in the client: their task is sent and each target gets a status."""
    corp = world.corp
    msg = corp.group_msgs.get(msgid)
    if msg is None:
        raise ControlError(404, f"no such group-send: {msgid}")
    if msg.cancelled:
        raise ControlError(409, f"group-send {msgid} was cancelled")
    task = corp.group_msg_tasks.get((msgid, userid))
    if task is None:
        raise ControlError(404, f"{userid} is not a sender of {msgid}")
    if task.status == TASK_SENT:
        raise ControlError(409, f"{userid} already sent {msgid}")
    month, cap = monthly_cap(world)
    now = int(world.now().timestamp())
    counts = {SENT: 0, NOT_FRIEND: 0, CAPPED: 0}
    for key, send in list(corp.group_msg_sends.items()):
        if key[:2] == (msgid, userid) and send.status == 0:
            status = _status(world, msg, send, month, cap)
            counts[status] += 1
            corp.group_msg_sends[key] = dataclasses.replace(
                send, status=status, send_time=now if status == SENT else 0
            )
    corp.group_msg_tasks[(msgid, userid)] = dataclasses.replace(
        task, status=TASK_SENT, send_time=now
    )
    return {
        "msgid": msgid,
        "staff": userid,
        "sent": counts[SENT],
        "not_friends": counts[NOT_FRIEND],
        "capped": counts[CAPPED],
    }
