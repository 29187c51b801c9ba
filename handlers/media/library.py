"""The library's repository: items (metadata), their bytes, the re-upload index, their uses.

Where the bytes live: **in Redis**, next to the metadata, not on a local disk. The process
that re-uploads an item (any worker running the minute tick) is not the one that took the
upload (a gateway or admin listener, maybe on another host), so a file on one host's disk
would be missing on the others; Redis is the one store every siyu process shares, already
persisted (AOF) and backed up with the rest of siyu's state. The cost is memory: WeCom caps
an upload at 20 MB, and a library holds tens of items, not thousands (a few hundred MB at
worst), which is why uploads are refused above WeCom's own limits. The bytes are stored
base64-encoded (a third more memory): siyu's Redis connections decode replies as UTF-8 text.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Final

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bot.store import keys

ITEM_ID_PREFIX: Final = "m"


def new_item_id() -> str:
    """A fresh item id: ``m`` and 12 hex digits."""
    return ITEM_ID_PREFIX + secrets.token_hex(6)


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One library item and its WeCom side: a permanent pic_url, or a temporary media_id."""

    id: str
    name: str
    kind: str  # image, voice, video, file (media/upload's types)
    content_type: str
    size: int
    sha256: str
    created_at: int
    created_by: str = ""
    pic_url: str = ""  # media/uploadimg: permanent
    media_id: str = ""  # media/upload: valid until media_expires_at
    media_created_at: int = 0
    media_expires_at: int = 0

    @property
    def temporary(self) -> bool:
        """Whether its WeCom side is a temporary media_id (re-uploaded every few days)."""
        return not self.pic_url

    def as_fields(self) -> dict[FieldT, EncodableT]:
        """As the Redis hash stores it."""
        return {name: str(value) for name, value in asdict(self).items()}

    @classmethod
    def from_fields(cls, raw: Mapping[str, str]) -> MediaItem:
        """From the Redis hash."""
        numbers = {"size", "created_at", "media_created_at", "media_expires_at"}
        values = {
            f.name: (int(raw.get(f.name) or 0) if f.name in numbers else raw.get(f.name, ""))
            for f in fields(cls)
        }
        return cls(**values)  # type: ignore[arg-type]


class MediaLibrary:
    """The library of one corp in Redis."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp = corp_id

    async def add(self, item: MediaItem, content: bytes, refresh_at: int | None) -> None:
        """Store a new item, its bytes, and (temporary media) when to re-upload it."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.media_item(self._corp, item.id), mapping=item.as_fields())
            pipe.set(keys.media_content(self._corp, item.id), base64.b64encode(content))
            pipe.zadd(keys.media_items(self._corp), {item.id: item.created_at})
            if refresh_at is not None:
                pipe.zadd(keys.media_refresh(self._corp), {item.id: refresh_at})
            await pipe.execute()

    async def get(self, item_id: str) -> MediaItem | None:
        """One item, if it exists."""
        raw = await self._redis.hgetall(keys.media_item(self._corp, item_id))
        if not raw:
            return None
        return MediaItem.from_fields({_text(k): _text(v) for k, v in raw.items()})

    async def missing(self, item_ids: Iterable[str]) -> set[str]:
        """Which of ``item_ids`` are not in the library (one round trip)."""
        asked = sorted(set(item_ids))
        async with self._redis.pipeline(transaction=False) as pipe:
            for item_id in asked:
                pipe.exists(keys.media_item(self._corp, item_id))
            found = await pipe.execute()
        return {item_id for item_id, exists in zip(asked, found, strict=True) if not exists}

    async def content(self, item_id: str) -> bytes | None:
        """An item's bytes."""
        found: bytes | str | None = await self._redis.get(keys.media_content(self._corp, item_id))
        return None if found is None else base64.b64decode(found)

    async def listing(self, offset: int, limit: int) -> tuple[list[MediaItem], int]:
        """A page of items, newest first, and how many there are."""
        ids = await self._redis.zrevrange(keys.media_items(self._corp), offset, offset + limit - 1)
        items = [item for item_id in ids if (item := await self.get(str(item_id)))]
        return items, int(await self._redis.zcard(keys.media_items(self._corp)))

    async def renewed(
        self, item: MediaItem, media_id: str, created_at: int, expires_at: int, refresh_at: int
    ) -> MediaItem:
        """Record a re-upload: the new media_id and when the next one is due."""
        fresh = replace(
            item, media_id=media_id, media_created_at=created_at, media_expires_at=expires_at
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                keys.media_item(self._corp, item.id),
                mapping={
                    "media_id": media_id,
                    "media_created_at": str(created_at),
                    "media_expires_at": str(expires_at),
                },
            )
            pipe.zadd(keys.media_refresh(self._corp), {item.id: refresh_at})
            await pipe.execute()
        return fresh

    async def due(self, now: int, limit: int = 20) -> list[str]:
        """Items whose temporary media_id is due for re-upload at ``now``."""
        ids = await self._redis.zrangebyscore(
            keys.media_refresh(self._corp), "-inf", now, start=0, num=limit
        )
        return [str(item_id) for item_id in ids]

    async def used(self, item_id: str, where: str, at: int) -> None:
        """Remember that ``item_id`` was sent as part of ``where``."""
        await self._redis.hset(keys.media_uses(self._corp, item_id), where, str(at))

    async def uses(self, item_id: str) -> dict[str, int]:
        """Where the item was sent, and when last."""
        raw = await self._redis.hgetall(keys.media_uses(self._corp, item_id))
        return {_text(k): int(_text(v)) for k, v in raw.items()}

    async def delete(self, item_id: str) -> bool:
        """Remove an item and everything about it; False if it did not exist."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.media_item(self._corp, item_id))
            pipe.delete(
                keys.media_content(self._corp, item_id), keys.media_uses(self._corp, item_id)
            )
            pipe.zrem(keys.media_items(self._corp), item_id)
            pipe.zrem(keys.media_refresh(self._corp), item_id)
            deleted, *_ = await pipe.execute()
        return bool(deleted)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
