"""Tagging a customer from a chat message: by a staff member who has them as a contact.

Corp tags are marked per relation (mark_tag takes the staff member and the customer), so a
customer who is nobody's contact (a 微信客服 visitor) cannot be tagged. The ids come from
intake's tag catalogue; a tag the corp lacks is created on first use by
``handlers.customers.corp_tags.ensure_tags`` (handed in by the handler).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.deps import Deps
from bot.store import keys
from bot.store.claims import claim
from bot.store.locks import Lock
from bot.wecom.api import WeComAPI
from bot.wecom.errors import NoExternalContactRelation
from handlers.customers.components import TAG_CATALOGUE
from handlers.customers.tag_refs import TagRef
from handlers.customers.tags import TagCatalogue
from handlers.moderation.people import CustomerInfo

logger = logging.getLogger(__name__)

EnsureTags = Callable[[WeComAPI, TagCatalogue, Sequence[TagRef], Lock], Awaitable[list[str]]]


async def tag_customer(
    deps: Deps,
    customer: CustomerInfo,
    preferred_staff: str,
    refs: Sequence[TagRef],
    *,
    ensure: EnsureTags,
    once: str,
) -> bool:
    """Mark ``refs`` on the customer (once per ``once`` key); True if mark_tag was called."""
    if not refs or await deps.ledger.is_done(once):
        return False
    userid = customer.contact(preferred_staff)
    if userid is None:
        logger.info("not tagging %s: nobody has them as a contact", customer.external_userid)
        await claim(deps.redis, deps.corp_id, once)
        return False
    api = deps.api(deps.settings.moderation.app)
    lock = Lock(deps.redis, keys.corp_tags_lock(deps.corp_id))
    wanted = await ensure(api, deps.get(TAG_CATALOGUE), refs, lock)
    relation = customer.relation(userid)
    marked = relation is None or not set(wanted) <= set(relation.tag_ids)
    if marked:
        try:
            await api.contacts.mark_tag(userid, customer.external_userid, add=wanted)
        except NoExternalContactRelation:
            logger.info(
                "not tagging %s: no longer a contact of %s", customer.external_userid, userid
            )
            marked = False
    await claim(deps.redis, deps.corp_id, once)
    return marked
