"""Customer indexes: who carries a tag, who belongs to a staff member or channel, who was
added when, whose name starts how, who was active when. Search and task targeting read
these instead of scanning the keyspace.

Every index follows the customer's *live* relations (a deleted relation leaves them). What a
customer was last indexed under is kept in their profile hash (``indexed``), so an update
removes exactly what no longer holds. All keys carry the corp's hash tag: one Redis Cluster
slot per corp, so the set operations below stay within it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from bot.store import keys
from handlers.customers.any_of import first_page_merges, merged_first_page

# KEYS: the name index, the set to fill. ARGV: lex min, lex max, limit. Fills the set with
# the ids of the names in range (members are "name\0id"), server-side: no round trip of names.
_NAMED: Final = """
local found = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
redis.call('DEL', KEYS[2])
for i = 1, #found, 500 do
  local ids = {}
  for j = i, math.min(i + 499, #found) do
    local member = found[j]
    ids[#ids + 1] = string.sub(member, string.find(member, '\0', 1, true) + 1)
  end
  redis.call('SADD', KEYS[2], unpack(ids))
end
return #found
"""
QUERY_TTL_SECONDS: Final = 60  # a search's result is kept this long for its next pages
NAME_MATCHES: Final = 10_000  # a name prefix matching more than this is cut (a hint only)
_WATCH_TRIES: Final = 5


@dataclass(frozen=True, slots=True)
class Memberships:
    """What one customer is indexed under."""

    tags: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    name: str = ""
    first_added: int = 0  # the score in every index: an import may move it earlier

    def to_json(self) -> str:
        """As kept in the profile hash."""
        data = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Memberships:
        """From the profile hash (nothing indexed yet: empty)."""
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            frozenset(data.get("tags", ())),
            frozenset(data.get("staff", ())),
            frozenset(data.get("channels", ())),
            str(data.get("name", "")),
            int(data.get("first_added", 0)),
        )


@dataclass(frozen=True, slots=True)
class LiveRelation:
    """The parts of a live relation the indexes follow."""

    userid: str
    tag_ids: tuple[str, ...] = ()
    state: str = ""


def memberships_of(
    name: str, relations: Iterable[LiveRelation], first_added: int = 0
) -> Memberships:
    """What a customer with these live relations is indexed under."""
    live = list(relations)
    return Memberships(
        frozenset(tag for r in live for tag in r.tag_ids),
        frozenset(r.userid for r in live if r.userid),
        frozenset(r.state for r in live if r.state),
        name,
        first_added,
    )


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """A customer search: every criterion given must hold (tags: all / any / none of)."""

    name_prefix: str = ""
    all_tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    no_tags: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()  # any of these
    staff: tuple[str, ...] = ()  # any of these
    added_from: int | None = None  # first-added time, Unix s, inclusive
    added_until: int | None = None  # exclusive
    active_since: int | None = None  # last message at or after, Unix s

    def narrows_by_sets(self) -> bool:
        """Whether anything but the first-added range narrows it."""
        return bool(
            self.name_prefix
            or self.all_tags
            or self.any_tags
            or self.no_tags
            or self.channels
            or self.staff
            or self.active_since is not None
        )

    def digest(self) -> str:
        """A name for its cached result."""
        text = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


class CustomerIndex:
    """The customer indexes of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp = corp_id
        self._all = keys.customers_by_first_add(corp_id)
        self._names = keys.customer_names(corp_id)
        self._active = keys.customers_by_activity(corp_id)
        self._fill_named = redis.register_script(_NAMED)

    # --- writing -------------------------------------------------------------------------

    def write(
        self, pipe: Pipeline, external_userid: str, old: Memberships, new: Memberships
    ) -> None:
        """Queue the changes from ``old`` to ``new``.

        The tag, staff and channel indexes are sorted sets scored by the first-added time,
        so a search intersects them and keeps the order and the date range, without the
        every-customer index (which would make every search cost the whole corp).
        """
        corp, score = self._corp, new.first_added
        moved = old.first_added != new.first_added
        for key_of, before, after in (
            (keys.customers_with_tag, old.tags, new.tags),
            (keys.customers_of_staff, old.staff, new.staff),
            (keys.customers_of_channel, old.channels, new.channels),
        ):
            for gone in before - after:
                pipe.zrem(key_of(corp, gone), external_userid)
            for member in after if moved else after - before:
                pipe.zadd(key_of(corp, member), {external_userid: score})
        if old.name != new.name:
            if old.name:
                pipe.zrem(self._names, f"{old.name}\0{external_userid}")
            if new.name:
                pipe.zadd(self._names, {f"{new.name}\0{external_userid}": 0})
        if moved or not old.first_added:
            pipe.zadd(self._all, {external_userid: score})
        pipe.hset(keys.customer(corp, external_userid), "indexed", new.to_json())

    async def update(self, external_userid: str) -> None:
        """Bring one customer's entries in line with their stored profile."""
        profile_key = keys.customer(self._corp, external_userid)
        relations_key = keys.customer_relations(self._corp, external_userid)
        for _ in range(_WATCH_TRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(profile_key, relations_key)
                    name, first, indexed = await pipe.hmget(
                        profile_key, ["name", "first_added_at", "indexed"]
                    )
                    live = live_relations(str(raw) for raw in await pipe.hvals(relations_key))
                    pipe.multi()  # type: ignore[no-untyped-call]
                    first_added = int(float(first)) if first else 0
                    new = memberships_of(str(name or ""), live, first_added)
                    old = Memberships.from_json(str(indexed) if indexed else None)
                    self.write(pipe, external_userid, old, new)
                    await pipe.execute()
                    return
                except WatchError:
                    continue
        raise RuntimeError(f"customer {external_userid} kept changing while being indexed")

    def touch(self, pipe: Pipeline, external_userid: str, at: int) -> None:
        """Queue a message time (the activity index keeps the latest)."""
        pipe.zadd(self._active, {external_userid: at}, gt=True)

    # --- reading -------------------------------------------------------------------------

    async def count(self, query: CustomerQuery) -> int:
        """How many customers match."""
        key = await self._result(query, fresh=True)
        low, high = _bounds(query)
        return int(await self._redis.zcount(key, low, high))

    async def page(self, query: CustomerQuery, offset: int, limit: int) -> list[str]:
        """A page of matching customers, newest first-added first.

        The first page computes the result afresh; the next ones (within QUERY_TTL_SECONDS)
        read the same result, so pages neither skip nor repeat while customers change.
        """
        if offset == 0:
            await self._result(query, fresh=True)
        return await self._page_of(query, offset, limit)

    async def search(self, query: CustomerQuery, offset: int, limit: int) -> tuple[int, list[str]]:
        """How many match and one page of them, from one computation of the result (afresh
        for the first page, the same result for the next ones).

        The first page of an any-of-tags search that nothing else narrows is read from the
        tags' own sets (handlers/customers/any_of.py): its next pages compute the result.
        """
        low, high = _bounds(query)
        anys = sorted({self._tag(tag) for tag in query.any_tags})
        others = replace(query, any_tags=(), added_from=None, added_until=None)
        if first_page_merges(offset, limit, len(anys), narrowed_otherwise=others.narrows_by_sets()):
            scratch = keys.customer_query(self._corp, query.digest()) + ":meet"
            return await merged_first_page(self._redis, anys, scratch, (low, high), limit)
        key = await self._result(query, fresh=offset == 0)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcount(key, low, high)
            pipe.zrevrangebyscore(key, high, low, start=offset, num=limit)
            total, found = await pipe.execute()
        return int(total), [str(member) for member in found]

    async def ids(self, query: CustomerQuery, batch: int = 5000) -> list[list[str]]:
        """Every matching customer, in batches (for task targeting)."""
        total = await self.count(query)  # computes the result; the pages below read it
        return [await self._page_of(query, start, batch) for start in range(0, total, batch)]

    async def _page_of(self, query: CustomerQuery, offset: int, limit: int) -> list[str]:
        key = await self._result(query, fresh=False)
        low, high = _bounds(query)
        found = await self._redis.zrevrangebyscore(key, high, low, start=offset, num=limit)
        return [str(member) for member in found]

    async def _result(self, query: CustomerQuery, *, fresh: bool) -> str:
        """The key of a sorted set of the matching customers (scored by first add)."""
        if not query.narrows_by_sets():
            return self._all
        key = keys.customer_query(self._corp, query.digest())
        if not fresh and await self._redis.expire(key, QUERY_TTL_SECONDS):
            return key
        scratch = f"{key}:"
        named = None
        if query.name_prefix:
            named = scratch + "named"
            start = b"[" + query.name_prefix.encode()
            end = start + b"\xff"  # past every UTF-8 continuation of the prefix
            await self._fill_named(keys=[self._names, named], args=[start, end, NAME_MATCHES])
        async with self._redis.pipeline(transaction=True) as pipe:
            weights, temps = self._narrowing(pipe, query, scratch, named)
            self._meet_any(pipe, key, weights, [self._tag(t) for t in query.any_tags], temps)
            if query.no_tags:
                excluded = [self._tag(t) for t in query.no_tags]
                if len(excluded) > 1:
                    temps.append(scratch + "none")
                    pipe.zunionstore(temps[-1], excluded)
                    excluded = [temps[-1]]
                pipe.zdiffstore(key, [key, *excluded])
            pipe.expire(key, QUERY_TTL_SECONDS)
            if temps:
                pipe.delete(*temps)
            await pipe.execute()
        return key

    def _meet_any(
        self, pipe: Pipeline, key: str, weights: dict[str, float], anys: list[str], temps: list[str]
    ) -> None:
        """Store in ``key`` what is in every weighted set and in any of ``anys``."""
        if len(anys) > 1 and weights:
            # Narrow first, then meet each any-of tag: never materialize a union of big tags.
            base = f"{key}:base"
            parts = [f"{key}:any{n}" for n in range(len(anys))]
            temps.extend([base, *parts])
            pipe.zinterstore(base, weights, aggregate="MAX")
            for part, tag in zip(parts, anys, strict=True):
                pipe.zinterstore(part, {base: 1.0, tag: 1.0}, aggregate="MAX")
            pipe.zunionstore(key, parts, aggregate="MAX")
        elif len(anys) > 1:  # any-of tags alone: their union is the answer
            pipe.zunionstore(key, anys, aggregate="MAX")
        else:
            meet = {**weights, **dict.fromkeys(anys, 1.0)}
            pipe.zinterstore(key, meet or {self._all: 1.0}, aggregate="MAX")

    def _tag(self, tag_id: str) -> str:
        return keys.customers_with_tag(self._corp, tag_id)

    def _narrowing(
        self, pipe: Pipeline, query: CustomerQuery, scratch: str, named: str | None
    ) -> tuple[dict[str, float], list[str]]:
        """The sets every match is in, any-of tags aside (weight 1: scored by first add;
        0: filters only). Unions of one key are the key itself."""
        corp = self._corp
        weights: dict[str, float] = {self._tag(tag): 1.0 for tag in query.all_tags}
        temps: list[str] = []
        for name, members in (
            ("staff", [keys.customers_of_staff(corp, u) for u in query.staff]),
            ("channels", [keys.customers_of_channel(corp, s) for s in query.channels]),
        ):
            if len(members) == 1:
                weights[members[0]] = 1.0
            elif members:
                temps.append(scratch + name)
                pipe.zunionstore(temps[-1], members, aggregate="MAX")
                weights[temps[-1]] = 1.0
        if not weights and not query.any_tags:  # only a name or an activity: every customer
            weights[self._all] = 1.0
        filters: list[str] = []
        if named is not None:  # filled by the _NAMED script before this pipeline
            filters.append(named)
        if query.active_since is not None:
            filters.append(scratch + "active")
            pipe.zrangestore(filters[-1], self._active, query.active_since, "+inf", byscore=True)
        if filters and not any(w for w in weights.values()) and not query.any_tags:
            weights[self._all] = 1.0
        weights.update(dict.fromkeys(filters, 0.0))
        return weights, temps + filters


def live_relations(stored: Iterable[str]) -> list[LiveRelation]:
    """The live relations among stored relation JSONs (profiles.Relation's shape)."""
    found = []
    for raw in stored:
        data = json.loads(raw)
        if data.get("deleted_at") is None and data.get("userid"):
            found.append(
                LiveRelation(
                    str(data["userid"]), tuple(data.get("tag_ids", ())), str(data.get("state", ""))
                )
            )
    return found


def _bounds(query: CustomerQuery) -> tuple[float | str, float | str]:
    low: float | str = query.added_from if query.added_from is not None else "-inf"
    high: float | str = f"({query.added_until}" if query.added_until is not None else "+inf"
    return low, high


async def reindex_all(redis: Redis, corp_id: str, batch: int = 500) -> int:
    """Index every stored customer (a one-off SCAN: for profiles written before the indexes
    existed); how many were indexed. Safe to run while siyu serves."""
    index = CustomerIndex(redis, corp_id)
    prefix, suffix = keys.customer_relations(corp_id, "\0").split("\0")
    done = 0
    async for key in redis.scan_iter(match=f"{prefix}*{suffix}", count=batch):
        await index.update(str(key).removeprefix(prefix).removesuffix(suffix))
        done += 1
    return done
