"""One externalcontact/get per add, shared by the welcome and the profile.

WeCom counts every call against a per-API quota (10,000 a minute per corp, doc 90454), so an
add must not cost two lookups. The welcome runs on the express lane and the profile on the
main lane (bot/lanes.py), in parallel. Whichever comes first takes the lookup (SET NX), makes
it and leaves the outcome, even an empty one, for the other (``Customers.cache_snapshot``,
keyed by the event); the other waits for it, the welcome no longer than its name budget.

When a welcome's lookup times out, WeCom is slow for everyone: for a while
(``intake.name_lookup_cooldown_seconds``) welcomes do not look up at all and go without the
name at once, instead of each spending its budget; the profile still looks up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Final

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from bot.deps import Deps
from bot.events import ExternalContactEvent
from bot.store import keys
from handlers.customers.components import CUSTOMERS

_POLL_SECONDS: Final = 0.01
_LOOKUP_TTL_SECONDS: Final = 30  # longer than any lookup may take

# KEYS: the customer's cached outcome, the event's lookup lock, the "lookups are slow" mark.
# ARGV: lock ttl, event key, 1 to give up when lookups are slow. Returns {1, outcome JSON} if
# the event's outcome is cached, {3, ""} if lookups are slow and the caller gives up, {2, ""}
# if the caller took the lookup, else {0, ""} (another handler of the event is looking up).
_OUTCOME_OR_LOCK: Final = """
local cached = redis.call('GET', KEYS[1])
if cached and cjson.decode(cached)['event'] == ARGV[2] then return {1, cached} end
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return {3, ''} end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return {2, ''} end
return {0, ''}
"""

Snapshot = dict[str, Any]
_SCRIPTS: weakref.WeakKeyDictionary[Redis, AsyncScript] = weakref.WeakKeyDictionary()


def _outcome_or_lock(redis: Redis) -> AsyncScript:
    """The script registered once per client (not on every add)."""
    script = _SCRIPTS.get(redis)
    if script is None:
        script = _SCRIPTS[redis] = redis.register_script(_OUTCOME_OR_LOCK)
    return script


def welcome_claim(code: str) -> str:
    """The ledger mark the welcome takes before it looks up and sends (once per code)."""
    return f"welcome:{code}"


async def mark_lookups_slow(deps: Deps) -> None:
    """A welcome's lookup timed out: welcomes skip the name for the cooldown."""
    seconds = deps.settings.intake.name_lookup_cooldown_seconds
    if seconds > 0:
        await deps.redis.set(
            keys.contact_lookups_slow(deps.corp_id), "1", px=max(int(seconds * 1000), 1)
        )


async def shared_lookup(
    deps: Deps,
    event: ExternalContactEvent,
    fetch: Callable[[], Awaitable[Snapshot | None]],
    wait_seconds: float,
    *,
    unless_slow: bool = False,
) -> tuple[bool, Snapshot | None]:
    """Look the customer of ``event`` up once for all its handlers.

    Returns (whether there was an outcome, the snapshot): the cached outcome of an earlier
    handler; else this handler's own ``fetch`` if it is the first; else the first one's, if it
    comes within ``wait_seconds`` — (False, None) if it does not. A ``fetch`` that raises leaves
    no outcome, and the next handler looks up again. ``unless_slow``: (False, None) at once
    while lookups are marked slow (``mark_lookups_slow``), unless an outcome is there; and a
    wait that runs out marks them slow.
    """
    customers = deps.get(CUSTOMERS)
    lock = keys.contact_lookup(deps.corp_id, event.external_user_id, event.dedup_key)
    state, raw = await _outcome_or_lock(deps.redis)(
        keys=[
            keys.contact_snapshot(deps.corp_id, event.external_user_id),
            lock,
            keys.contact_lookups_slow(deps.corp_id),
        ],
        args=[_LOOKUP_TTL_SECONDS, event.dedup_key, "1" if unless_slow else "0"],
    )
    if int(state) == 1:
        return customers.outcome_of(str(raw), event.dedup_key)
    if int(state) == 3:  # noqa: PLR2004 - lookups are slow: the caller goes without
        return False, None
    if int(state) == 2:  # noqa: PLR2004 - this handler takes the lookup
        try:
            snapshot = await fetch()
        except BaseException:
            with contextlib.suppress(Exception):
                await deps.redis.delete(lock)
            raise
        async with deps.redis.pipeline(transaction=True) as pipe:
            customers.cache_snapshot(pipe, event.external_user_id, event.dedup_key, snapshot)
            pipe.delete(lock)
            await pipe.execute()
        return True, snapshot
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(_POLL_SECONDS)
        found, snapshot = await customers.cached_lookup(event.external_user_id, event.dedup_key)
        if found:
            return True, snapshot
    if unless_slow:  # the other handler's lookup is as slow as a timeout of one's own
        await mark_lookups_slow(deps)
    return False, None
