"""The rules store: every operator rule set is a versioned JSON document in Redis.

``get(name)`` answers the document and its version (``None, 0`` before the first write).
``put(name, doc, expected_version, actor)`` writes only if the version is still the one the
writer read, else raises ``StaleVersion`` (the admin API answers 412). One Lua call checks the
versions, stores the documents, bumps their versions, appends the audit entry (who, when,
which document, the JSON diff) and the change notice, so a reader never sees a document
without its version, nor a change without its audit entry. ``put_many`` writes several
documents all or none (``siyu rules import``). Processes follow changes with ``versions``
(one HGETALL) or the change stream; bot/store/rules_live.py does it for them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from redis.asyncio import Redis

from bot.clock import Clock
from bot.store import keys
from bot.store.rules_diff import json_diff

AUDIT_MAX_ENTRIES: Final = 100_000  # approximate cap of the audit stream (XADD MAXLEN ~)
CHANGES_MAX_ENTRIES: Final = 1000  # approximate cap of the change stream

# KEYS: versions hash, audit stream, changes stream, then one document key per document.
# ARGV: audit cap, changes cap, then per document: name, expected version, JSON, audit entry.
# Answers {} when written, else {name, actual version} of the first stale document.
_PUT: Final = """
local n = #KEYS - 3
for i = 1, n do
  local base = 2 + (i - 1) * 4
  local name, expected = ARGV[base + 1], ARGV[base + 2]
  local actual = redis.call('HGET', KEYS[1], name) or '0'
  if actual ~= expected then return {name, actual} end
end
for i = 1, n do
  local base = 2 + (i - 1) * 4
  local name = ARGV[base + 1]
  redis.call('SET', KEYS[3 + i], ARGV[base + 3])
  local version = redis.call('HINCRBY', KEYS[1], name, 1)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'entry', ARGV[base + 4])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'name', name, 'version', version)
end
return {}
"""


class RulesStoreError(Exception):
    """A rule set could not be written."""


class StaleVersion(RulesStoreError):
    """The document moved on since the writer read it (the admin API's 412)."""

    def __init__(self, name: str, expected: int, actual: int) -> None:
        super().__init__(
            f"rules {name!r}: version {actual} is current, the write was based on "
            f"version {expected}; read it again and redo the change"
        )
        self.name = name
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, slots=True)
class Write:
    """One document of a ``put_many``: its new content and the version it was based on."""

    doc: Any
    expected_version: int


class RulesStore:
    """The rule sets of one corp."""

    def __init__(self, redis: Redis, corp_id: str, clock: Clock) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._clock = clock
        self._versions = keys.rules_versions(corp_id)
        self._put = redis.register_script(_PUT)

    async def get(self, name: str) -> tuple[Any, int]:
        """The document and its version; ``(None, 0)`` when it was never written."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(keys.rules_document(self._corp_id, name))
            pipe.hget(self._versions, name)
            raw, version = await pipe.execute()
        return (None if raw is None else json.loads(raw)), int(version or 0)

    async def version(self, name: str) -> int:
        """The document's version (0: never written)."""
        return int(await self._redis.hget(self._versions, name) or 0)

    async def versions(self) -> dict[str, int]:
        """Every written document's version."""
        raw = await self._redis.hgetall(self._versions)
        return {_text(name): int(version) for name, version in raw.items()}

    async def put(
        self, name: str, doc: Any, expected_version: int, actor: str, action: str = "rules.put"
    ) -> int:
        """Replace the document if its version is still ``expected_version``; the new version.

        Raises ``StaleVersion`` when it moved on.
        """
        await self.put_many({name: Write(doc, expected_version)}, actor, action)
        return expected_version + 1

    async def put_many(
        self, writes: Mapping[str, Write], actor: str, action: str = "rules.put"
    ) -> None:
        """Write every document or none (``StaleVersion`` names the first that moved on)."""
        if not writes:
            return
        current = {name: await self.get(name) for name in writes}
        for name, write in writes.items():
            if current[name][1] != write.expected_version:
                raise StaleVersion(name, write.expected_version, current[name][1])
        at = self._clock.now().isoformat()
        args: list[str | int] = [AUDIT_MAX_ENTRIES, CHANGES_MAX_ENTRIES]
        for name, write in writes.items():
            old = current[name][0]
            version = write.expected_version
            diff = {
                "from_version": version,
                "to_version": version + 1,
                "changes": json_diff(old, write.doc),
            }
            entry = {
                "at": at,
                "actor": actor,
                "action": action,
                "document": f"rules/{name}",
                "diff": diff,
            }
            args += [name, write.expected_version, _dumps(write.doc), _dumps(entry)]
        documents = [keys.rules_document(self._corp_id, name) for name in writes]
        stale = await self._put(
            keys=[
                self._versions,
                keys.audit(self._corp_id),
                keys.rules_changes(self._corp_id),
                *documents,
            ],
            args=args,
        )
        if stale:  # moved on between our read and the write
            name = _text(stale[0])
            raise StaleVersion(name, writes[name].expected_version, int(stale[1]))

    async def audit(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest audit entries, newest first (all kinds, not only rules)."""
        rows = await self._redis.xrevrange(keys.audit(self._corp_id), count=limit) or []
        return [json.loads(_text(fields["entry"])) for _, fields in rows if fields]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
