"""Tags: a channel's tags on the customers it brings, and the local tag catalogue.

Channel tags are corp tags named in the rules by (group, name). Their ids come from the
local catalogue; a tag the corp lacks is created on first use (add_corp_tag), then marked
(mark_tag, which is idempotent on WeCom's side). change_external_tag events keep the
catalogue in step with edits made in the admin console.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router, either
from bot.events import (
    ExternalContactAdded,
    ExternalContactHalfAdded,
    ExternalTagChanged,
    ExternalTagShuffled,
)
from bot.store import keys
from bot.store.locks import Lock
from bot.wecom.errors import NoExternalContactRelation
from handlers.customers.components import TAG_CATALOGUE
from handlers.customers.corp_tags import ensure_tags, sync_catalogue
from handlers.customers.tags import tags_of
from handlers.intake.filters import Added, through_a_live_code
from handlers.intake.live import rules_of

logger = logging.getLogger(__name__)

router = Router(name="tags")


@router.on(either(ExternalContactAdded, ExternalContactHalfAdded), through_a_live_code)
async def tag_channel_customer(event: Added, deps: Deps) -> None:
    """Mark the channel's tags on the customer it brought (verified or not)."""
    await _tag(event, deps)


@router.on(ExternalTagChanged)
async def follow_tag_change(event: ExternalTagChanged, deps: Deps) -> None:
    """A tag or tag group was created, renamed or deleted (in the console or by the API)."""
    if event.strategy_id:  # rule-group tags live in another API (get_strategy_tag_list)
        return
    api, catalogue = deps.api(deps.settings.intake.app), deps.get(TAG_CATALOGUE)
    if event.tag_type == "tag_group":
        if event.change_type == "delete":
            await catalogue.remove_group(event.tag_id)
        else:
            answer = await api.contacts.corp_tags(group_ids=[event.tag_id])
            await catalogue.replace_group(event.tag_id, tags_of(answer.get("tag_group", [])))
    elif event.change_type == "delete":
        await catalogue.remove([event.tag_id])
    else:
        answer = await api.contacts.corp_tags(tag_ids=[event.tag_id])
        await catalogue.put(tags_of(answer.get("tag_group", [])))
    logger.info("tag catalogue: %s %s %s", event.change_type, event.tag_type, event.tag_id)


@router.on(ExternalTagShuffled)
async def follow_tag_shuffle(event: ExternalTagShuffled, deps: Deps) -> None:
    """Tags were reordered: read the catalogue again."""
    await sync_catalogue(deps.api(deps.settings.intake.app), deps.get(TAG_CATALOGUE))


async def _tag(event: Added, deps: Deps) -> None:
    settings = deps.settings.intake
    rules = await rules_of(deps)
    found = rules.channel_for(event.state)
    if found is None or not found[1].tags:
        return
    api = deps.api(settings.app)
    lock = Lock(deps.redis, keys.corp_tags_lock(deps.corp_id))
    wanted = await ensure_tags(api, deps.get(TAG_CATALOGUE), found[1].tags, lock)
    try:  # idempotent on WeCom's side: a redelivery marks the same tags again
        await api.contacts.mark_tag(event.user_id, event.external_user_id, add=wanted)
    except NoExternalContactRelation:
        logger.info(
            "not tagging %s: no longer a contact of %s", event.external_user_id, event.user_id
        )
        return
    logger.info("tagged %s with channel %s's tags", event.external_user_id, found[0])
