"""Import the corp's existing customers: profiles, relations and first-added times.

siyu learns customers from contact events; customers who were added before siyu ran are
unknown to it until one of their events arrives, and a customer who deletes their only
staff member can no longer be looked up at all (externalcontact/get answers 84061). So a
deployment imports them once from batch/get_by_user (doc 93010): up to 100 staff members a
call, 100 customers a page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from bot.deps import Deps
from handlers.customers.components import CUSTOMERS
from handlers.customers.profiles import Relation

logger = logging.getLogger(__name__)

STAFF_PER_CALL: Final = 100
PAGE: Final = 100


async def import_customers(deps: Deps, staff: Sequence[str] = ()) -> int:
    """Profiles for every customer of ``staff`` (default: every member with customer contact)
    from WeCom; how many customers were written."""
    contacts = deps.api(deps.settings.intake.app).contacts
    members = list(staff) or await contacts.follow_users()
    seen: set[str] = set()
    customers = deps.get(CUSTOMERS)
    now = int(deps.clock.now().timestamp())
    for start in range(0, len(members), STAFF_PER_CALL):
        chunk, cursor = members[start : start + STAFF_PER_CALL], ""
        while True:
            page = await contacts.batch_get_by_user(chunk, cursor, PAGE)
            for snapshot in _snapshots(page.get("external_contact_list", [])):
                await customers.upsert(snapshot, now, importing=True)
                seen.add(str(snapshot["external_contact"]["external_userid"]))
            cursor = str(page.get("next_cursor", ""))
            if not cursor:
                break
    logger.info("imported %d customers of %d staff members", len(seen), len(members))
    return len(seen)


def _snapshots(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page's (customer, relation) pairs as one externalcontact/get-shaped dict a customer."""
    grouped: dict[str, dict[str, Any]] = {}
    for item in items:
        contact = item["external_contact"]
        snapshot = grouped.setdefault(
            str(contact["external_userid"]), {"external_contact": contact, "follow_user": []}
        )
        snapshot["follow_user"].append(Relation.follow_user_of(item.get("follow_info", {})))
    return list(grouped.values())
