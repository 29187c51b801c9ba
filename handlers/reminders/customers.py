"""Which of a staff member's customers a reminder is about, by name or remark.

The customers come from WeCom (externalcontact/batch/get_by_user, paged); a failed lookup
is not a failed reminder: it is created without a customer and the reply says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from bot.wecom.api import WeComAPI
from bot.wecom.errors import WeComAPIError

logger = logging.getLogger(__name__)

_MAX_PAGES: Final = 40  # 4,000 customers at 100 a page: beyond that, the hint is not resolved
_BRACKETS: Final = re.compile(r"[（(\[【].*?[）)\]】]")


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as the staff member knows them."""

    external_userid: str
    name: str
    remark: str = ""

    def names(self) -> set[str]:
        """The ways a staff member may write this customer: name, remark, remark less notes."""
        found = {self.name, self.remark, _BRACKETS.sub("", self.remark).strip()}
        return {name for name in found if len(name) >= 2}  # noqa: PLR2004 - one char is noise


@dataclass(frozen=True, slots=True)
class Resolution:
    """The customer found, or why none was: not found, several, or the lookup failed."""

    customer: Customer | None
    candidates: tuple[Customer, ...] = ()
    failed: bool = False


def match(text: str, customers: Iterable[Customer]) -> Resolution:
    """The customer whose longest name appears in ``text``; several equally long: ambiguous."""
    best: dict[str, tuple[int, Customer]] = {}
    for customer in customers:
        length = max((len(n) for n in customer.names() if n in text), default=0)
        if length:
            best[customer.external_userid] = (length, customer)
    if not best:
        return Resolution(None)
    top = max(length for length, _ in best.values())
    winners = tuple(c for length, c in best.values() if length == top)
    return Resolution(winners[0]) if len(winners) == 1 else Resolution(None, winners)


def _customers(page: dict[str, Any]) -> list[Customer]:
    found = []
    for item in page.get("external_contact_list", []):
        contact, follow = item.get("external_contact", {}), item.get("follow_info", {})
        found.append(
            Customer(
                str(contact.get("external_userid", "")),
                str(contact.get("name", "")),
                str(follow.get("remark", "")),
            )
        )
    return found


async def customers_of(api: WeComAPI, userid: str) -> list[Customer]:
    """Every customer of ``userid`` (paged batch/get_by_user)."""
    found: list[Customer] = []
    cursor = ""
    for _ in range(_MAX_PAGES):
        page = await api.contacts.batch_get_by_user([userid], cursor=cursor, limit=100)
        found += _customers(page)
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    return found


async def resolve(api: WeComAPI, userid: str, text: str) -> Resolution:
    """The customer of ``userid`` that ``text`` names, if exactly one."""
    try:
        return match(text, await customers_of(api, userid))
    except (WeComAPIError, aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("customers of %s could not be listed: %s", userid, exc)
        return Resolution(None, failed=True)
