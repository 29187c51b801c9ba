"""The customer card and the group card as JSON: everything the sidebar shows, in one read."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.customers.components import CUSTOMERS, DO_NOT_DISTURB, TAG_CATALOGUE
from handlers.customers.corp_tags import sync_catalogue
from handlers.customers.profiles import Profile, Relation
from handlers.sidebar.components import FLAGS, TIMELINE
from handlers.sidebar.needs import (
    CUSTOMER_TASKS,
    DIRECTORY,
    GROUP_BOOK,
    QUICK_REPLY_BOOK,
    REMINDER_DESK,
    GroupView,
    MemberView,
    ReminderView,
)

TIMELINE_ON_CARD = 10


def iso(seconds: int | None, tz: ZoneInfo) -> str | None:
    """Unix seconds as local ISO 8601."""
    return (
        None if not seconds else datetime.fromtimestamp(seconds, tz=UTC).astimezone(tz).isoformat()
    )


def reminder_json(reminder: ReminderView, tz: ZoneInfo) -> dict[str, Any]:
    """A reminder on the card."""
    return {
        "id": reminder.id,
        "text": reminder.text,
        "state": str(reminder.state),
        "due": reminder.due.astimezone(tz).isoformat(),
    }


async def tags_json(deps: Deps, relation: Relation | None) -> list[dict[str, str]]:
    """The relation's tags with their names (ids the catalogue does not know show bare)."""
    catalogue = deps.get(TAG_CATALOGUE)
    found = []
    for tag_id in relation.tag_ids if relation else ():
        tag = await catalogue.get(tag_id)
        found.append(
            {
                "id": tag_id,
                "name": tag.name if tag else tag_id,
                "group": tag.group_name if tag else "",
            }
        )
    return found


async def customer_card(deps: Deps, profile: Profile, userid: str) -> dict[str, Any]:
    """The customer card of ``profile`` as ``userid`` sees it."""
    tz = ZoneInfo(deps.settings.timezone)
    customer = profile.external_userid
    relation = profile.relations.get(userid)
    flags, reminders, tasks, dnd, timeline, tags = await asyncio.gather(
        deps.get(FLAGS).recent(customer, deps.settings.sidebar.recent_flags),
        deps.get(REMINDER_DESK).about(userid, customer),
        deps.get(CUSTOMER_TASKS).including(customer),
        deps.get(DO_NOT_DISTURB).get(customer),
        deps.get(TIMELINE).recent(customer, TIMELINE_ON_CARD),
        tags_json(deps, relation),
    )
    wanted = next((f for f in flags if f.kind == "intent"), None)
    said = wanted.excerpt if wanted is not None else ""
    replies, choices = await asyncio.gather(quick_replies(deps, said), tag_choices(deps))
    names = await deps.get(DIRECTORY).current(deps)
    state = relation.state if relation is not None else ""
    fields = profile.fields
    return {
        "customer": {
            "external_userid": customer,
            "name": profile.name,
            "type": fields.get("type", ""),
            "corp_name": fields.get("corp_name", ""),
            "avatar": fields.get("avatar", ""),
            "first_added_at": iso(profile.number("first_added_at"), tz),
        },
        "relation": None
        if relation is None
        else {
            "userid": userid,
            "remark": relation.remark,
            "description": relation.description,
            "added_at": iso(relation.createtime, tz),
            "channel": relation.state,
            "channel_label": channel_label(names.channel_name(state), state),
        },
        "followers": sorted(u for u, r in profile.relations.items() if r.deleted_at is None),
        "tags": tags,
        "tag_choices": choices,
        "flags": [
            {
                "kind": f.kind,
                "label": f.label,
                "excerpt": f.excerpt,
                "at": f.at.astimezone(tz).isoformat(),
            }
            for f in flags
        ],
        "reminders": [reminder_json(r, tz) for r in reminders],
        "tasks": [
            {"task_id": t.task_id, "title": t.title, "state": t.state, "sent": t.sent}
            for t in tasks
        ],
        "do_not_disturb": None
        if dnd is None
        else {"reason": dnd.reason, "since": dnd.since.astimezone(tz).isoformat()},
        "timeline": [local_entry(entry, tz) for entry in timeline],
        "last_intent": None if wanted is None else wanted.label,
        "quick_replies": replies,
    }


def local_entry(entry: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """A timeline entry with its time in the corp's time zone (it is stored as recorded)."""
    try:
        at = datetime.fromisoformat(str(entry.get("at", "")))
    except ValueError:
        return entry
    return {**entry, "at": at.astimezone(tz).isoformat()}


def channel_label(name: str | None, state: str) -> str:
    """The channel's name and state, the bare state when the channel is gone, "" without one."""
    return f"{name}（{state}）" if name and state else state


async def tag_choices(deps: Deps) -> list[dict[str, str]]:
    """The corp tag catalogue, what the add-a-tag list offers, by group then name."""
    catalogue = deps.get(TAG_CATALOGUE)
    found = await catalogue.all()
    if not found:  # never read from WeCom yet: once (mark_tag reads it again on an unknown id)
        with contextlib.suppress(WeComAPIError, WeComUnavailable):
            await sync_catalogue(deps.api(deps.settings.sidebar.app), catalogue)
            found = await catalogue.all()
    return [
        {"id": tag.id, "name": tag.name, "group": tag.group_name}
        for tag in sorted(found, key=lambda tag: (tag.group_name, tag.name))
    ]


async def quick_replies(deps: Deps, said: str = "") -> list[dict[str, Any]]:
    """The 话术库 by group; the replies that fit what the customer last wanted (``said``: a
    keyword or the title in it) first, marked ``fits``, and their groups first."""
    groups: list[dict[str, Any]] = []
    for name, replies in await deps.get(QUICK_REPLY_BOOK).groups():
        shown: list[dict[str, Any]] = [
            {
                "id": r.id,
                "title": r.title,
                "text": r.text,
                "keywords": list(r.keywords),
                "fits": fits(r.title, r.keywords, said),
            }
            for r in replies
        ]
        shown.sort(key=lambda reply: not reply["fits"])  # stable: the operators' order
        groups.append({"group": name, "replies": shown})
    groups.sort(key=lambda group: not any(r["fits"] for r in group["replies"]))
    return groups


def fits(title: str, keywords: Sequence[str], said: str) -> bool:
    """Whether a reply's title or one of its keywords is in what the customer said."""
    return bool(said) and any(word and word in said for word in (title, *keywords))


async def group_card(deps: Deps, group: GroupView, members: list[MemberView]) -> dict[str, Any]:
    """The group card: owner, admins, members, today's joins and quits, the 话术库."""
    tz = ZoneInfo(deps.settings.timezone)
    day = deps.clock.now().astimezone(tz).strftime("%Y%m%d")
    counts, replies = await asyncio.gather(
        deps.get(GROUP_BOOK).day(group.chat_id, day), quick_replies(deps)
    )
    names = await deps.get(DIRECTORY).current(deps)
    return {
        "group": {
            "chat_id": group.chat_id,
            "name": group.name,
            "owner": group.owner,
            "owner_name": names.staff_name(group.owner),
            "admins": list(group.admins),
            "member_count": group.member_count,
        },
        "members": [
            {
                "userid": m.userid,
                "type": m.type,
                "name": m.name or (names.staff_name(m.userid) if m.type == 1 else ""),
                "join_time": iso(m.join_time, tz),
            }
            for m in members
        ],
        "today": {"day": day, "joins": counts.get("join", 0), "quits": counts.get("quit", 0)},
        "quick_replies": replies,
    }


async def load_profile(deps: Deps, external_userid: str) -> Profile | None:
    """The stored profile."""
    return await deps.get(CUSTOMERS).get(external_userid)
