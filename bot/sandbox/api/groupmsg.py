"""Group-sends (docs 92135, 93338, 97610, 97611): add_msg_template, its queries, remind, cancel.

Nothing goes out until a sender confirms in the client: POST /sandbox/groupmsg/{msgid}/confirm.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Final

from bot.sandbox.api import lookups
from bot.sandbox.api.content import message_content
from bot.sandbox.api.dispatch import Call, Endpoint
from bot.sandbox.api.media import check_attachments
from bot.sandbox.errcodes import invalid
from bot.sandbox.records import Follow, GroupMsg, GroupMsgSend, GroupMsgTask, Json, JsonMap
from bot.sandbox.state import Corp, new_id

TEXT_BYTES: Final = 4000
MAX_CUSTOMERS: Final = 10_000
MAX_CHATS: Final = 2000
MAX_RANGE: Final = timedelta(days=31)  # (unverified) get_groupmsg_list_v2's range
MAX_REMINDERS: Final = 3  # (unverified) remind_groupmsg_send
REMIND_GAP: Final = timedelta(hours=24)  # (unverified)
ALL_TYPES: Final = 2  # filter_type: 0 corp, 1 personal, 2 all


def _matches(tag_filter: JsonMap | None, follow: Follow) -> bool:
    """tag_filter: every group_list entry must share a tag with the customer (AND of ORs)."""
    if not tag_filter:
        return True
    groups = tag_filter.get("group_list")
    if not isinstance(groups, list):
        raise invalid("tag_filter.group_list must be a list")
    for group in groups:
        tags = group.get("tag_list") if isinstance(group, dict) else None
        if not isinstance(tags, list):
            raise invalid("tag_filter.group_list[].tag_list must be a list")
        if tags and not set(follow.tag_ids).intersection(tags):
            return False
    return True


def _single_targets(call: Call, sender: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(sender, customer) pairs and the fail_list of a single-chat group-send."""
    corp, params = call.corp, call.params
    listed = params.strings("external_userid", max_items=MAX_CUSTOMERS)
    tag_filter = params.obj("tag_filter")
    if listed:
        candidates = listed
    elif sender:
        candidates = [f.external_userid for f in corp.customers_of(sender)]
    else:
        candidates = list(corp.customers)
    targets, failed = [], []
    for external_userid in dict.fromkeys(candidates):
        if sender:  # followers_of scans every relation: only without a sender
            follow = corp.relation(sender, external_userid)
        else:
            follow = next(iter(corp.followers_of(external_userid)), None)
        if follow is None:  # unknown customer, or not a contact of the sender
            failed.append(external_userid)
        elif _matches(tag_filter, follow):
            targets.append((follow.userid, external_userid))
    return targets, failed


def _group_targets(call: Call, sender: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(sender, chat_id) pairs and the fail_list of a group-chat group-send."""
    if not sender:
        raise invalid("sender is required when chat_type is group")
    listed = call.params.strings("chat_id_list", max_items=MAX_CHATS)
    owned = [g.chat_id for g in call.corp.groups.values() if g.owner == sender]
    targets, failed = [], []
    for chat_id in dict.fromkeys(listed or owned):
        if chat_id in owned:
            targets.append((sender, chat_id))
        else:
            failed.append(chat_id)
    return targets, failed


def add_msg_template(call: Call) -> Json:
    """Create a group-send → msgid and fail_list; senders still have to confirm it."""
    params, corp = call.params, call.corp
    chat_type = params.opt_text("chat_type", "single")
    if chat_type not in {"single", "group"}:
        raise invalid("chat_type must be single or group")
    text, attachments = message_content(params, TEXT_BYTES)
    check_attachments(call, attachments)
    sender = params.opt_text("sender")
    if sender:
        lookups.staff_member(corp, sender)
    pick = _single_targets if chat_type == "single" else _group_targets
    targets, failed = pick(call, sender)
    if not targets:
        raise invalid("no valid customer or group to send to")
    msg = GroupMsg(
        new_id("msg", 30), chat_type, sender, int(call.now.timestamp()), text, tuple(attachments)
    )
    corp.group_msgs[msg.msgid] = msg
    for userid, target in targets:
        corp.group_msg_tasks.setdefault((msg.msgid, userid), GroupMsgTask(msg.msgid, userid))
        corp.group_msg_sends[(msg.msgid, userid, target)] = GroupMsgSend(msg.msgid, userid, target)
    return {"msgid": msg.msgid, "fail_list": failed}


def _msg(call: Call) -> GroupMsg:
    msgid = call.params.text("msgid")
    msg = call.corp.group_msgs.get(msgid)
    if msg is None:
        raise invalid(f"msgid not found: {msgid}")
    return msg


def _msg_json(msg: GroupMsg) -> Json:
    shown: Json = {
        "msgid": msg.msgid,
        "creator": msg.creator,
        "create_time": str(msg.create_time),  # (unverified) a string in WeCom's samples
        "create_type": msg.create_type,
        "attachments": list(msg.attachments),
    }
    if msg.text is not None:
        shown["text"] = dict(msg.text)
    return shown


def get_groupmsg_list_v2(call: Call) -> Json:
    """Group-sends created in [start_time, end_time], by chat_type, creator and filter_type."""
    params = call.params
    chat_type = params.opt_text("chat_type", "single")  # defaults to single (doc 93338)
    if chat_type not in {"single", "group"}:
        raise invalid("chat_type must be single or group")
    start, end = params.integer("start_time"), params.integer("end_time")
    if end < start or end - start > MAX_RANGE.total_seconds():
        raise invalid("end_time must follow start_time, within one month")
    creator = params.opt_text("creator")
    filter_type = params.opt_int("filter_type", 2, low=0, high=2)
    limit = params.opt_int("limit", 50, low=1, high=100)
    found = [
        m
        for m in sorted(call.corp.group_msgs.values(), key=lambda m: (m.create_time, m.msgid))
        if m.chat_type == chat_type
        and start <= m.create_time <= end
        and (not creator or m.creator == creator)
        and filter_type in {ALL_TYPES, m.create_type}
    ]
    chunk, next_cursor = lookups.page(found, params.opt_text("cursor"), limit)
    return {"group_msg_list": [_msg_json(m) for m in chunk], "next_cursor": next_cursor}


def get_groupmsg_task(call: Call) -> Json:
    """Each sender of a group-send: status 0 not sent yet, 2 sent."""
    msg = _msg(call)
    limit = call.params.opt_int("limit", 500, low=1, high=1000)
    tasks = [t for (msgid, _), t in call.corp.group_msg_tasks.items() if msgid == msg.msgid]
    chunk, next_cursor = lookups.page(tasks, call.params.opt_text("cursor"), limit)
    task_list: list[Json] = [
        {"userid": t.userid, "status": t.status, **({"send_time": t.send_time} if t.status else {})}
        for t in chunk
    ]
    return {"task_list": task_list, "next_cursor": next_cursor}


def _send_json(msg: GroupMsg, send: GroupMsgSend) -> Json:
    key = "external_userid" if msg.chat_type == "single" else "chat_id"
    shown: Json = {key: send.target, "userid": send.userid, "status": send.status}
    if send.send_time:
        shown["send_time"] = send.send_time
    return shown


def get_groupmsg_send_result(call: Call) -> Json:
    """One sender's targets: 0 unsent, 1 sent, 2 not a friend, 3 got another mass message."""
    msg = _msg(call)
    userid = call.params.text("userid")
    lookups.staff_member(call.corp, userid)
    limit = call.params.opt_int("limit", 500, low=1, high=1000)
    sends = [s for k, s in call.corp.group_msg_sends.items() if k[:2] == (msg.msgid, userid)]
    chunk, next_cursor = lookups.page(sends, call.params.opt_text("cursor"), limit)
    return {"send_list": [_send_json(msg, s) for s in chunk], "next_cursor": next_cursor}


def _pending(corp: Corp, msg: GroupMsg) -> bool:
    return any(t.status == 0 for (m, _), t in corp.group_msg_tasks.items() if m == msg.msgid)


def remind_groupmsg_send(call: Call) -> Json:
    """Remind the senders who have not sent: at most 3 times, 24 h apart (unverified)."""
    msg = _msg(call)
    if msg.cancelled or not _pending(call.corp, msg):
        raise invalid("nothing left to send for this msgid")
    if msg.reminders >= MAX_REMINDERS:
        raise invalid(f"at most {MAX_REMINDERS} reminders per group-send")
    if msg.last_remind_at is not None and call.now - msg.last_remind_at < REMIND_GAP:
        raise invalid("reminders must be 24 h apart")
    call.corp.group_msgs[msg.msgid] = dataclasses.replace(
        msg, reminders=msg.reminders + 1, last_remind_at=call.now
    )
    return {}


def cancel_groupmsg_send(call: Call) -> Json:
    """Stop the group-send for senders who have not sent it yet."""
    msg = _msg(call)
    call.corp.group_msgs[msg.msgid] = dataclasses.replace(msg, cancelled=True)
    return {}


ENDPOINTS = (
    Endpoint("externalcontact/add_msg_template", "POST", add_msg_template),
    Endpoint("externalcontact/get_groupmsg_list_v2", "POST", get_groupmsg_list_v2),
    Endpoint("externalcontact/get_groupmsg_task", "POST", get_groupmsg_task),
    Endpoint("externalcontact/get_groupmsg_send_result", "POST", get_groupmsg_send_result),
    Endpoint("externalcontact/remind_groupmsg_send", "POST", remind_groupmsg_send),
    Endpoint("externalcontact/cancel_groupmsg_send", "POST", cancel_groupmsg_send),
)
