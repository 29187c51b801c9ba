"""Customer profiles: who the customer is, their relation to each staff member, activity.

Profiles are upserted from externalcontact/get (doc 92114) on every contact event, so
they converge on WeCom's current state whatever order events are replayed in. Two fields
are not "current state": ``first_added_at`` is written once (HSETNX) and never again — a
customer who deletes and re-adds is not new — and the activity counters only grow.
Phone numbers (remark_mobiles) are never stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.typing import EncodableT, FieldT

from bot.store import keys
from handlers.customers.indexes import CustomerIndex

SNAPSHOT_TTL_SECONDS: Final = 60
NOT_A_CONTACT_SECONDS: Final = 600  # a 微信客服-only customer is not looked up again for this
# KEYS[1]: a customer hash; ARGV[1]: a first-added time. Moves first_added_at earlier only.
_EARLIER: Final = """
local known = redis.call('HGET', KEYS[1], 'first_added_at')
if not known or tonumber(known) > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'first_added_at', ARGV[1])
end
return 1
"""
# KEYS[1]: a customer hash; ARGV: a field, a time. Moves that time later only (messages may
# be handled out of order).
_LATER: Final = """
local known = redis.call('HGET', KEYS[1], ARGV[1])
if not known or tonumber(known) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""
_PROFILE_FIELDS: Final = (
    "name",
    "type",
    "gender",
    "corp_name",
    "corp_full_name",
    "unionid",
    "position",
    "avatar",
)


@dataclass(frozen=True, slots=True)
class Relation:
    """One staff member's relation to the customer, as follow_user describes it."""

    userid: str
    createtime: int  # when this staff member added the customer (Unix seconds)
    remark: str = ""
    description: str = ""
    tag_ids: tuple[str, ...] = ()
    add_way: int = 0
    state: str = ""  # the live code's state: which channel brought the customer
    oper_userid: str = ""
    deleted_at: int | None = None
    deleted_by: str | None = None  # "customer" | "staff"

    @classmethod
    def follow_user_of(cls, follow_info: Mapping[str, Any]) -> dict[str, Any]:
        """batch/get_by_user's follow_info in externalcontact/get's follow_user shape."""
        shaped = {k: v for k, v in follow_info.items() if k not in {"tag_id", "remark_mobiles"}}
        return {**shaped, "tags": [{"tag_id": tag} for tag in follow_info.get("tag_id", [])]}

    @classmethod
    def from_follow_user(cls, item: Mapping[str, Any]) -> Relation:
        """From a follow_user item of externalcontact/get (no remark_mobiles: phone numbers)."""
        return cls(
            userid=str(item.get("userid", "")),
            createtime=int(item.get("createtime", 0) or 0),
            remark=str(item.get("remark", "")),
            description=str(item.get("description", "")),
            tag_ids=tuple(str(t["tag_id"]) for t in item.get("tags", []) if "tag_id" in t),
            add_way=int(item.get("add_way", 0) or 0),
            state=str(item.get("state", "")),
            oper_userid=str(item.get("oper_userid", "")),
        )

    def to_json(self) -> str:
        """As stored."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Relation:
        """From the stored JSON."""
        data = json.loads(text)
        data["tag_ids"] = tuple(data.get("tag_ids", ()))
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Profile:
    """A customer as siyu knows them."""

    external_userid: str
    fields: Mapping[str, str]  # name, type, gender, corp_name, unionid, counters...
    relations: Mapping[str, Relation]

    @property
    def name(self) -> str:
        """The WeChat (or WeCom) name; empty if never looked up."""
        return self.fields.get("name", "")

    def number(self, field: str) -> int | None:
        """An integer field (first_added_at, last_message_at, counters), if set."""
        value = self.fields.get(field)
        return int(float(value)) if value else None


class Customers:
    """The profiles of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self.index = CustomerIndex(redis, corp_id)  # kept in step with every write below

    def cache_snapshot(
        self,
        pipe: Pipeline,
        external_userid: str,
        event_key: str,
        snapshot: Mapping[str, Any] | None,
    ) -> None:
        """Queue an externalcontact/get answer, kept briefly for the other handlers of one
        event (``event_key``); None: the lookup was made and gave nothing (slow, refused)."""
        key = keys.contact_snapshot(self._corp_id, external_userid)
        cached = {"event": event_key, "snapshot": snapshot}
        pipe.set(key, json.dumps(cached, ensure_ascii=False), ex=SNAPSHOT_TTL_SECONDS)

    async def cached_lookup(
        self, external_userid: str, event_key: str
    ) -> tuple[bool, dict[str, Any] | None]:
        """(whether a handler of the same event looked the customer up, what it got)."""
        raw = await self._redis.get(keys.contact_snapshot(self._corp_id, external_userid))
        return (False, None) if raw is None else self.outcome_of(str(raw), event_key)

    @staticmethod
    def outcome_of(raw: str, event_key: str) -> tuple[bool, dict[str, Any] | None]:
        """``cached_lookup`` of a cached JSON value already read."""
        cached = json.loads(raw)
        if not isinstance(cached, dict) or cached.get("event") != event_key:
            return False, None
        snapshot = cached.get("snapshot")
        return True, dict(snapshot) if isinstance(snapshot, dict) else None

    async def known_not_a_contact(self, external_userid: str) -> bool:
        """Whether WeCom said lately that nobody has this customer as a contact."""
        return bool(await self._redis.exists(keys.not_a_contact(self._corp_id, external_userid)))

    async def remember_not_a_contact(self, external_userid: str) -> None:
        """WeCom said nobody has this customer as a contact (84061): do not ask again for a
        while (a 微信客服 customer writes many messages; an add clears it at once)."""
        key = keys.not_a_contact(self._corp_id, external_userid)
        await self._redis.set(key, "1", ex=NOT_A_CONTACT_SECONDS)

    async def cached_snapshot(self, external_userid: str, event_key: str) -> dict[str, Any] | None:
        """The answer an earlier handler of the same event cached, if any."""
        return (await self.cached_lookup(external_userid, event_key))[1]

    async def upsert(
        self,
        snapshot: Mapping[str, Any],
        now: int,
        added: Relation | None = None,
        *,
        importing: bool = False,
    ) -> None:
        """Write the profile and relations of an externalcontact/get answer.

        ``added``: the relation an add event reports, used if WeCom's answer lacks it yet.
        ``importing``: a bulk import may find an older relation than one seen before, so the
        first-added time may move earlier (never later); events only ever set it once.
        """
        contact = snapshot.get("external_contact", {})
        external_userid = str(contact["external_userid"])
        relations = [Relation.from_follow_user(item) for item in snapshot.get("follow_user", [])]
        if added is not None and all(r.userid != added.userid for r in relations):
            relations.append(added)
        fields: dict[FieldT, EncodableT] = {
            name: str(contact[name]) for name in _PROFILE_FIELDS if name in contact
        }
        fields["updated_at"] = str(now)
        first = min((r.createtime for r in relations if r.createtime), default=now)
        key = keys.customer(self._corp_id, external_userid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            if importing:
                pipe.eval(_EARLIER, 1, key, str(first))
            else:
                pipe.hsetnx(key, "first_added_at", str(first))
            if relations:
                by_userid: dict[FieldT, EncodableT] = {r.userid: r.to_json() for r in relations}
                pipe.hset(
                    keys.customer_relations(self._corp_id, external_userid), mapping=by_userid
                )
                pipe.delete(keys.not_a_contact(self._corp_id, external_userid))  # one now
            await pipe.execute()
        await self.index.update(external_userid)

    async def get(self, external_userid: str) -> Profile | None:
        """The stored profile, or None if the customer was never seen."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.customer(self._corp_id, external_userid))
            pipe.hgetall(keys.customer_relations(self._corp_id, external_userid))
            fields, relations = await pipe.execute()
        if not fields:
            return None
        return Profile(
            external_userid,
            dict(fields),
            {userid: Relation.from_json(raw) for userid, raw in relations.items()},
        )

    async def relation(self, external_userid: str, userid: str) -> Relation | None:
        """One staff member's relation (kept after deletion, with deleted_at set)."""
        raw = await self._redis.hget(
            keys.customer_relations(self._corp_id, external_userid), userid
        )
        return None if raw is None else Relation.from_json(str(raw))

    async def mark_deleted(self, external_userid: str, userid: str, by: str, at: int) -> None:
        """Note that the relation ended (by the customer or the staff member)."""
        known = await self.relation(external_userid, userid) or Relation(userid, 0)
        ended = replace(known, deleted_at=at, deleted_by=by)
        await self._redis.hset(
            keys.customer_relations(self._corp_id, external_userid), userid, ended.to_json()
        )
        await self.index.update(external_userid)

    def count_message(self, pipe: Pipeline, external_userid: str, direction: str, at: int) -> None:
        """Queue the activity counters of one message (``in`` from or ``out`` to the customer).

        Callers run this inside ``Ledger.apply_once`` so a redelivered event counts once.
        """
        key = keys.customer(self._corp_id, external_userid)
        pipe.hincrby(key, f"messages_{direction}", 1)
        pipe.eval(_LATER, 1, key, "last_message_at", str(at))
        if direction == "in":
            pipe.eval(_LATER, 1, key, "last_customer_message_at", str(at))
        self.index.touch(pipe, external_userid, at)
