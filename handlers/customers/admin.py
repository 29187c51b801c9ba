"""/api/v1/customers: search the customer record (one customer: handlers/intake/admin.py).

Search reads the customer indexes (handlers/customers/indexes.py), never the keyspace: by name
prefix, tags (all / any / none of, comma-separated ids), channel, staff, first-added range and
last activity; newest first-added first, a page at a time (``cursor``: the previous page's
``next_cursor``; pages of one search stay consistent for a minute).
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, Field

from bot.admin.endpoints import Endpoints, query
from bot.deps import Deps
from bot.live import RUNTIME
from handlers.customers.components import CUSTOMERS
from handlers.customers.indexes import CustomerQuery

routes = Endpoints()
_CSV = r"^[^,\s][^,]*(,[^,\s][^,]*)*$"


class CustomerSearch(BaseModel):
    """Search criteria; every one given must hold."""

    name: str = Field(default="", max_length=64, description="name prefix")
    tags_all: str | None = Field(default=None, pattern=_CSV, max_length=2000)
    tags_any: str | None = Field(default=None, pattern=_CSV, max_length=2000)
    tags_none: str | None = Field(default=None, pattern=_CSV, max_length=2000)
    channel: str | None = Field(default=None, pattern=_CSV, max_length=2000)
    staff: str | None = Field(default=None, pattern=_CSV, max_length=2000)
    added_from: AwareDatetime | None = None
    added_until: AwareDatetime | None = None
    active_since: AwareDatetime | None = None
    limit: int = Field(default=20, ge=1, le=200)
    cursor: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")


class CustomerRow(BaseModel):
    """A customer in a search page."""

    external_userid: str
    name: str
    first_added_at: int | None
    staff: list[str]


class CustomerPage(BaseModel):
    """One page of a search."""

    total: int
    items: list[CustomerRow]
    next_cursor: str | None


class CustomerPath(BaseModel):
    """One customer."""

    external_userid: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",")) if value else ()


def _unix(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def _query(asked: CustomerSearch) -> CustomerQuery:
    return CustomerQuery(
        name_prefix=asked.name.strip(),
        all_tags=_ids(asked.tags_all),
        any_tags=_ids(asked.tags_any),
        no_tags=_ids(asked.tags_none),
        channels=_ids(asked.channel),
        staff=_ids(asked.staff),
        added_from=_unix(asked.added_from),
        added_until=_unix(asked.added_until),
        active_since=_unix(asked.active_since),
    )


@routes.get("/api/v1/customers", query=CustomerSearch, answer=CustomerPage, tags=("customers",))
async def search_customers(request: web.Request) -> web.Response:
    """Customers matching the criteria, newest first-added first, a page at a time."""
    deps: Deps = request.app[RUNTIME].deps
    asked = query(request, CustomerSearch)
    wanted = _query(asked)
    customers = deps.get(CUSTOMERS)
    offset = int(asked.cursor or 0)
    total, ids = await customers.index.search(wanted, offset, asked.limit + 1)
    more = len(ids) > asked.limit
    rows = []
    for external_userid in ids[: asked.limit]:
        profile = await customers.get(external_userid)
        live = [
            r.userid for r in (profile.relations.values() if profile else ()) if not r.deleted_at
        ]
        rows.append(
            {
                "external_userid": external_userid,
                "name": profile.name if profile else "",
                "first_added_at": profile.number("first_added_at") if profile else None,
                "staff": sorted(live),
            }
        )
    next_cursor = str(offset + asked.limit) if more else None
    return web.json_response({"total": total, "items": rows, "next_cursor": next_cursor})
