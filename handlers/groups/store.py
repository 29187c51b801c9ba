"""Customer groups (客户群) in Redis: the registry, daily joins and quits by scene, activity.

The registry holds WeCom's current view of each group (groupchat/get, doc 92122), rewritten
whole on every change event, so replays in any order converge. Counters count events; the
caller runs them inside ``Ledger.apply_once`` so a redelivered event counts once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.typing import EncodableT, FieldT

from bot.store import keys

DISMISSED_TTL_SECONDS: Final = 30 * 86400


@dataclass(frozen=True, slots=True)
class Member:
    """A group member as groupchat/get lists them."""

    userid: str
    type: int  # 1 staff, 2 external
    join_time: int = 0
    join_scene: int = 0  # 1 direct invite, 2 invite link, 3 QR code
    invitor: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class GroupChat:
    """A customer group: who owns and administers it, how many are in it."""

    chat_id: str
    name: str
    owner: str
    admins: tuple[str, ...] = ()
    create_time: int = 0
    notice: str = ""
    member_count: int = 0
    member_version: str = ""
    updated_at: int = 0
    dismissed_at: int = 0

    @property
    def managers(self) -> tuple[str, ...]:
        """The owner and the admins: who gets digests and alerts."""
        return tuple(dict.fromkeys((self.owner, *self.admins)))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A group and its members, from one groupchat/get answer."""

    group: GroupChat
    members: tuple[Member, ...] = field(default=())

    @classmethod
    def from_wecom(cls, answer: Mapping[str, Any], now: int) -> Snapshot:
        """From groupchat/get's ``group_chat``."""
        raw = answer.get("group_chat", {})
        members = tuple(
            Member(
                str(m.get("userid", "")),
                int(m.get("type", 0) or 0),
                int(m.get("join_time", 0) or 0),
                int(m.get("join_scene", 0) or 0),
                str((m.get("invitor") or {}).get("userid", "")),
                str(m.get("name", "")),
            )
            for m in raw.get("member_list", [])
        )
        admins = tuple(str(a.get("userid", "")) for a in raw.get("admin_list", []))
        group = GroupChat(
            str(raw.get("chat_id", "")),
            str(raw.get("name", "")),
            str(raw.get("owner", "")),
            admins,
            int(raw.get("create_time", 0) or 0),
            str(raw.get("notice", "")),
            len(members),
            str(raw.get("member_version", "")),
            now,
        )
        return cls(group, members)


def _group_fields(group: GroupChat) -> dict[FieldT, EncodableT]:
    shown = asdict(group)
    shown["admins"] = json.dumps(list(group.admins))
    return {name: value for name, value in shown.items() if name != "chat_id"}


class GroupRegistry:
    """The customer groups of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp = corp_id

    async def put(self, snapshot: Snapshot) -> None:
        """Replace a group's record and members with WeCom's current view."""
        group = snapshot.group
        members: dict[FieldT, EncodableT] = {
            m.userid: json.dumps(asdict(m), ensure_ascii=False) for m in snapshot.members
        }
        members_key = keys.group_chat_members(self._corp, group.chat_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.group_chat(self._corp, group.chat_id), mapping=_group_fields(group))
            pipe.delete(members_key)
            if members:
                pipe.hset(members_key, mapping=members)
            pipe.sadd(keys.group_chats(self._corp), group.chat_id)
            await pipe.execute()

    async def get(self, chat_id: str) -> GroupChat | None:
        """A group, or None if siyu never saw it."""
        raw = await self._redis.hgetall(keys.group_chat(self._corp, chat_id))
        if not raw:
            return None
        fields = {str(k): str(v) for k, v in raw.items()}
        numbers = ("create_time", "member_count", "updated_at", "dismissed_at")
        return GroupChat(
            chat_id,
            fields.get("name", ""),
            fields.get("owner", ""),
            tuple(json.loads(fields.get("admins") or "[]")),
            notice=fields.get("notice", ""),
            member_version=fields.get("member_version", ""),
            **{n: int(fields.get(n) or 0) for n in numbers},
        )

    async def members(self, chat_id: str) -> list[Member]:
        """A group's members as last seen."""
        raw = await self._redis.hvals(keys.group_chat_members(self._corp, chat_id))
        return sorted((Member(**json.loads(v)) for v in raw), key=lambda m: m.join_time)

    async def chat_ids(self) -> list[str]:
        """Every live group siyu knows."""
        return sorted(str(c) for c in await self._redis.smembers(keys.group_chats(self._corp)))

    async def dismiss(self, chat_id: str, at: int) -> None:
        """The group was dismissed: it leaves the registry; its record expires in 30 days."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.group_chat(self._corp, chat_id), "dismissed_at", at)
            pipe.srem(keys.group_chats(self._corp), chat_id)
            pipe.expire(keys.group_chat(self._corp, chat_id), DISMISSED_TTL_SECONDS)
            pipe.expire(keys.group_chat_members(self._corp, chat_id), DISMISSED_TTL_SECONDS)
            await pipe.execute()

    async def set_labels(self, chat_id: str, labels: Iterable[str], known: Sequence[str]) -> None:
        """Give a group exactly ``labels`` among the ``known`` ones."""
        wanted = set(labels)
        async with self._redis.pipeline(transaction=True) as pipe:
            for label in set(known) | wanted:
                key = keys.group_chat_labels(self._corp, label)
                if label in wanted:
                    pipe.sadd(key, chat_id)
                else:
                    pipe.srem(key, chat_id)
            await pipe.execute()

    async def labelled(self, labels: Iterable[str]) -> set[str]:
        """Chat ids carrying any of ``labels``."""
        wanted = [keys.group_chat_labels(self._corp, label) for label in labels]
        return {str(c) for c in await self._redis.sunion(wanted)} if wanted else set()


class GroupCounters:
    """Joins and quits per group and corp-wide, per local day and scene; member activity."""

    def __init__(self, redis: Redis, corp_id: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._corp = corp_id
        self._ttl = ttl_seconds

    def count(
        self, pipe: Pipeline, chat_id: str, day: str, *, change: str, scene: str, members: int
    ) -> None:
        """Queue counting ``members`` joins or quits (``change``) by ``scene`` on ``day``."""
        for key in (
            keys.group_chat_day(self._corp, chat_id, day),
            keys.group_chats_day(self._corp, day),
        ):
            pipe.hincrby(key, f"{change}:{scene}", members)
            pipe.hincrby(key, change, members)
            pipe.expire(key, self._ttl)

    async def day(self, day: str, chat_id: str | None = None) -> dict[str, int]:
        """One day's counters of a group (or of all groups): {"join": n, "join:qrcode": n...}."""
        key = (
            keys.group_chats_day(self._corp, day)
            if chat_id is None
            else keys.group_chat_day(self._corp, chat_id, day)
        )
        return {str(k): int(v) for k, v in (await self._redis.hgetall(key)).items()}

    def count_message(self, pipe: Pipeline, chat_id: str, day: str, userid: str) -> None:
        """Queue one message by ``userid`` in a group (from the archive, where visible)."""
        key = keys.group_chat_activity(self._corp, chat_id, day)
        pipe.hincrby(key, userid, 1)
        pipe.expire(key, self._ttl)

    async def most_active(self, chat_id: str, day: str, limit: int) -> list[tuple[str, int]]:
        """The members who wrote most on ``day`` (empty when messages are not visible)."""
        raw = await self._redis.hgetall(keys.group_chat_activity(self._corp, chat_id, day))
        ranked = sorted(((str(u), int(n)) for u, n in raw.items()), key=lambda p: (-p[1], p[0]))
        return ranked[:limit]
