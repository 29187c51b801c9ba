"""The local copy of the corp's tag catalogue (doc 92117), by id and by (group, name).

It caches tag ids so channel tags need no get_corp_tag_list per add, and it follows
WeCom's change_external_tag events: a renamed tag moves in the name index, a deleted one
leaves it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bot.store import keys

_SEPARATOR: Final = "\x1f"  # cannot appear in a tag or group name


@dataclass(frozen=True, slots=True)
class CorpTag:
    """One corp tag and its group."""

    id: str
    name: str
    group_id: str
    group_name: str

    @property
    def index(self) -> str:
        """Its field in the name index."""
        return name_index(self.group_name, self.name)


def name_index(group_name: str, name: str) -> str:
    """The name-index field of a tag."""
    return f"{group_name}{_SEPARATOR}{name}"


def tags_of(groups: Iterable[Mapping[str, Any]]) -> list[CorpTag]:
    """The live tags of get_corp_tag_list's (or add_corp_tag's) tag groups."""
    return [
        CorpTag(str(tag["id"]), str(tag["name"]), str(group["group_id"]), str(group["group_name"]))
        for group in groups
        if not group.get("deleted")
        for tag in group.get("tag", [])
        if not tag.get("deleted")
    ]


class TagCatalogue:
    """The corp tags of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._by_id = keys.corp_tags(corp_id)
        self._by_name = keys.corp_tag_names(corp_id)

    async def find(self, group_name: str, name: str) -> str | None:
        """The id of a tag by group and name, if known."""
        found = await self._redis.hget(self._by_name, name_index(group_name, name))
        return None if found is None else str(found)

    async def find_many(self, pairs: Iterable[tuple[str, str]]) -> list[str | None]:
        """The ids of tags by (group, name), None where unknown; one round trip."""
        fields = [name_index(group, name) for group, name in pairs]
        if not fields:
            return []
        found = await self._redis.hmget(self._by_name, fields)
        return [None if tag_id is None else str(tag_id) for tag_id in found]

    async def get(self, tag_id: str) -> CorpTag | None:
        """A tag by id, if known."""
        raw = await self._redis.hget(self._by_id, tag_id)
        return None if raw is None else CorpTag(**json.loads(raw))

    async def all(self) -> list[CorpTag]:
        """Every known tag."""
        stored = await self._redis.hgetall(self._by_id)
        return [CorpTag(**json.loads(raw)) for raw in stored.values()]

    async def put(self, tags: Iterable[CorpTag]) -> None:
        """Add or update tags; a renamed tag's old name leaves the index."""
        wanted = list(tags)
        if not wanted:
            return
        old = await self._redis.hmget(self._by_id, [tag.id for tag in wanted])
        stale = [CorpTag(**json.loads(raw)).index for raw in old if raw is not None]
        by_id: dict[FieldT, EncodableT] = {
            t.id: json.dumps(asdict(t), ensure_ascii=False) for t in wanted
        }
        by_name: dict[FieldT, EncodableT] = {t.index: t.id for t in wanted}
        async with self._redis.pipeline(transaction=True) as pipe:
            if stale:
                pipe.hdel(self._by_name, *stale)
            pipe.hset(self._by_id, mapping=by_id)
            pipe.hset(self._by_name, mapping=by_name)
            await pipe.execute()

    async def remove(self, tag_ids: Iterable[str]) -> None:
        """Forget tags (deleted in WeCom)."""
        ids = list(tag_ids)
        if not ids:
            return
        old = await self._redis.hmget(self._by_id, ids)
        names = [CorpTag(**json.loads(raw)).index for raw in old if raw is not None]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._by_id, *ids)
            if names:
                pipe.hdel(self._by_name, *names)
            await pipe.execute()

    async def remove_group(self, group_id: str) -> None:
        """Forget every tag of a deleted group."""
        await self.remove([tag.id for tag in await self.all() if tag.group_id == group_id])

    async def replace_group(self, group_id: str, tags: Iterable[CorpTag]) -> None:
        """Make the group's tags exactly ``tags`` (after a change to the group)."""
        current = list(tags)
        keep = {tag.id for tag in current}
        gone = [t.id for t in await self.all() if t.group_id == group_id and t.id not in keep]
        await self.remove(gone)
        await self.put(current)
