"""Corp tags on demand: the ids of tags siyu needs, created in WeCom on first use.

Shared by every concern that tags customers (channels, moderation, intents); the local
catalogue (handlers/customers/tags.py) mirrors WeCom's and is refreshed before anything is created.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from bot.store.locks import Lock
from bot.wecom.api import WeComAPI
from handlers.customers.tag_refs import TagRef
from handlers.customers.tags import TagCatalogue, tags_of

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS: Final = 5.0  # how long a process waits for another one creating tags


async def ensure_tags(
    api: WeComAPI, catalogue: TagCatalogue, refs: Sequence[TagRef], lock: Lock
) -> list[str]:
    """The ids of ``refs``, creating the tags (and groups) the corp does not have yet.

    One process creates at a time (``lock``); the others wait and find the new ids.
    """
    pairs = [(ref.group, ref.name) for ref in refs]
    ids = await catalogue.find_many(pairs)
    if all(ids):
        return [str(tag_id) for tag_id in ids]
    async with lock.held(wait_seconds=LOCK_WAIT_SECONDS) as held:
        if not held:
            raise TimeoutError("another process is still creating corp tags")
        if not all(await catalogue.find_many(pairs)):
            await sync_catalogue(api, catalogue)  # made in the console since we last looked?
            await _create_missing(api, catalogue, refs)
    found = await catalogue.find_many(pairs)
    if not all(found):
        raise LookupError(f"corp tags could not be created: {[r.name for r in refs]}")
    return [str(tag_id) for tag_id in found]


async def _create_missing(api: WeComAPI, catalogue: TagCatalogue, refs: Sequence[TagRef]) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        if await catalogue.find(ref.group, ref.name) is None:
            missing[ref.group].append(ref.name)
    for group, names in missing.items():
        answer = await api.contacts.add_corp_tags(group, names)
        await catalogue.put(tags_of([answer.get("tag_group", {})]))
        logger.info("created corp tags %s in group %s", names, group)


async def sync_catalogue(api: WeComAPI, catalogue: TagCatalogue) -> None:
    """Replace the local catalogue with WeCom's."""
    answer = await api.contacts.corp_tags()
    current = tags_of(answer.get("tag_group", []))
    keep = {tag.id for tag in current}
    await catalogue.remove([tag.id for tag in await catalogue.all() if tag.id not in keep])
    await catalogue.put(current)
