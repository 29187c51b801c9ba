"""客户 in the console: a search through the customer indexes (name prefix, any of the tags,
staff, channel, first added from/until), paged by cursor; a customer's profile with their
relations to staff, tags, channel and do-not-disturb (which operators switch), and their
微信客服 transcript (the last lines, newest last; a KF-only customer has only that)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.admin.audit import Audit
from bot.deps import ComponentKey, Deps
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from handlers.customers.components import CUSTOMERS, DO_NOT_DISTURB, TAG_CATALOGUE
from handlers.customers.indexes import CustomerQuery
from handlers.customers.profiles import Profile


class TranscriptLine(Protocol):
    """One line of a 微信客服 transcript."""

    @property
    def at(self) -> str:
        """When (ISO 8601)."""
        ...

    @property
    def who(self) -> str:
        """customer, bot or servicer:<userid>."""
        ...

    @property
    def text(self) -> str:
        """What was said."""
        ...


class KfTranscripts(Protocol):
    """The 微信客服 transcripts (conversations' Transcripts, provided by the wiring)."""

    async def last(self, customer: str, count: int) -> Sequence[TranscriptLine]:
        """The customer's last ``count`` lines, oldest first."""
        ...


KF_TRANSCRIPTS: Final = ComponentKey[KfTranscripts]("customer_kf_transcripts")
TRANSCRIPT_LINES: Final = 50  # shown on the profile (the store keeps kf.transcript_max)

pages = Pages("customers", Path(__file__).with_name("templates"))
ROOT: Final = "/console/customers"
PAGE_SIZE: Final = 20
FIELDS: Final = ("name", "tags", "staff", "channel", "added_from", "added_until")
_CURSOR: Final = re.compile(r"^[0-9]{1,9}$")
_CUSTOMER: Final = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in (p.strip() for p in re.split(r"[,，\s]+", text)) if part)


def _day(deps: Deps, text: str, *, after: bool = False) -> int | None:
    """A YYYY-MM-DD day's start in the corp's time zone (``after``: the next day's), Unix s."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    start = datetime.combine(day + timedelta(days=after), time(), ZoneInfo(deps.settings.timezone))
    return int(start.timestamp())


def query_of(deps: Deps, asked: dict[str, str]) -> CustomerQuery:
    """The search the form asks for (until: inclusive of that day)."""
    return CustomerQuery(
        name_prefix=asked["name"][:64],
        any_tags=_ids(asked["tags"]),
        staff=_ids(asked["staff"]),
        channels=_ids(asked["channel"]),
        added_from=_day(deps, asked["added_from"]),
        added_until=_day(deps, asked["added_until"], after=True),
    )


def local(deps: Deps, unix: int | None) -> str:
    """A Unix time as the corp's local date and time."""
    if not unix:
        return ""
    moment = datetime.fromtimestamp(unix, ZoneInfo(deps.settings.timezone))
    return moment.strftime("%Y-%m-%d %H:%M")


@pages.get(ROOT)
async def customer_search(request: web.Request) -> web.StreamResponse:
    """The search form and a page of matching customers, newest first-added first."""
    deps, customers = _deps(request), _deps(request).get(CUSTOMERS)
    asked = {name: request.query.get(name, "").strip() for name in FIELDS}
    cursor = request.query.get("cursor", "")
    offset = int(cursor) if _CURSOR.fullmatch(cursor) else 0
    wanted = query_of(deps, asked)
    searched = any(asked.values())
    total: int | None = None
    ids: list[str] = []
    if searched:  # the count and the page from one computation (the API's search too)
        total, ids = await customers.index.search(wanted, offset, PAGE_SIZE + 1)
    rows = []
    for external_userid in ids[:PAGE_SIZE]:
        profile = await customers.get(external_userid)
        staff = (
            sorted(r.userid for r in profile.relations.values() if not r.deleted_at)
            if profile
            else []
        )
        rows.append(
            {
                "id": external_userid,
                "name": profile.name if profile else "",
                "added": local(deps, profile.number("first_added_at") if profile else None),
                "staff": staff,
            }
        )
    more = len(ids) > PAGE_SIZE
    return render(
        request,
        "customers/search.html",
        {
            "nav": "customers",
            "asked": asked,
            "rows": rows,
            "total": total,
            "searched": searched,
            "next_cursor": offset + PAGE_SIZE if more else None,
            "offset": offset,
        },
    )


async def _profile(request: web.Request, profile: Profile) -> dict[str, object]:
    deps = _deps(request)
    catalogue = deps.get(TAG_CATALOGUE)
    tag_ids = sorted({tag for r in profile.relations.values() for tag in r.tag_ids})
    names = {
        tag_id: (f"{tag.group_name}/{tag.name}" if (tag := await catalogue.get(tag_id)) else tag_id)
        for tag_id in tag_ids
    }
    ordered = sorted(profile.relations.values(), key=lambda r: r.createtime)
    relations = [
        {
            "r": r,
            "added": local(deps, r.createtime),
            "deleted": local(deps, r.deleted_at),
            "tags": [names[t] for t in r.tag_ids],
        }
        for r in ordered
    ]
    return {
        "profile": profile,
        "relations": relations,
        "tags": [names[t] for t in tag_ids],
        "channels": sorted({r.state for r in profile.relations.values() if r.state}),
        "first_added": local(deps, profile.number("first_added_at")),
        "dnd": await deps.get(DO_NOT_DISTURB).get(profile.external_userid),
    }


def who_label(who: str) -> str:
    """Who wrote a transcript line, in Chinese."""
    t = zh_cn()
    if who in {"customer", "bot"}:
        return t(f"customer_kf.who_{who}")
    return t("customer_kf.who_servicer", userid=who.removeprefix("servicer:"))


async def _transcript(deps: Deps, external_userid: str) -> list[dict[str, str]]:
    """The customer's last 微信客服 lines, newest last, each with its writer and local time."""
    lines = await deps.get(KF_TRANSCRIPTS).last(external_userid, TRANSCRIPT_LINES)
    zone = ZoneInfo(deps.settings.timezone)
    return [
        {
            "at": f"{datetime.fromisoformat(line.at).astimezone(zone):%Y-%m-%d %H:%M:%S}",
            "who": line.who.split(":", 1)[0],
            "label": who_label(line.who),
            "text": line.text,
        }
        for line in lines
    ]


async def _customer(request: web.Request) -> Profile | None:
    external_userid = request.match_info["external_userid"]
    if not _CUSTOMER.fullmatch(external_userid):
        return None
    return await _deps(request).get(CUSTOMERS).get(external_userid)


async def _shown_customer(request: web.Request) -> tuple[Profile, list[dict[str, str]]] | None:
    """The profile and its transcript; a customer known only from 微信客服 has a bare profile."""
    external_userid = request.match_info["external_userid"]
    if not _CUSTOMER.fullmatch(external_userid):
        return None
    transcript = await _transcript(_deps(request), external_userid)
    profile = await _customer(request)
    if profile is None and transcript:
        profile = Profile(external_userid, {}, {})
    return None if profile is None else (profile, transcript)


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(ROOT + "/{external_userid}")
async def customer_page(request: web.Request) -> web.StreamResponse:
    """One customer's profile and 微信客服 transcript."""
    found = await _shown_customer(request)
    if found is None:
        return _not_found(request)
    profile, transcript = found
    notice = "customers.saved" if request.query.get("done") else None
    shown = await _profile(request, profile)
    context = {"nav": "customers", "notice": notice, "transcript": transcript, **shown}
    return render(request, "customers/profile.html", {**context, "limit": TRANSCRIPT_LINES})


@pages.post(ROOT + "/{external_userid}/dnd")
async def customer_dnd(request: web.Request) -> web.StreamResponse:
    """Put the customer on (``on=1``, with a reason) or off the do-not-disturb list."""
    found = await _shown_customer(request)
    if found is None:
        return _not_found(request)
    profile, _ = found
    form, deps = await request.post(), _deps(request)
    on, reason = form.get("on") == "1", str(form.get("reason", "")).strip()[:200]
    dnd, ext = deps.get(DO_NOT_DISTURB), profile.external_userid
    changed = await (dnd.add(ext, reason, deps.clock.now()) if on else dnd.remove(ext))
    if changed:
        actor = viewer(request).actor
        await Audit(deps.redis, deps.corp_id).record(
            deps.clock.now(), actor, f"POST {ROOT}/dnd", f"dnd:{ext}", {"on": on, "reason": reason}
        )
    raise web.HTTPSeeOther(f"{ROOT}/{ext}?done=1")
