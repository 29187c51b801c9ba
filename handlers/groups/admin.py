"""/api/v1/groups: customer groups (the registry, daily joins/quits by scene, import from
WeCom, welcome templates' sync)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from bot.admin.endpoints import Endpoints, body, path_params, principal, query, record_change
from bot.admin.errors import ApiError, not_found, upstream
from bot.admin.rules import etag, expected_version
from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import LiveRules, RulesInvalid
from bot.wecom.errors import WeComAPIError, WeComUnavailable
from handlers.groups import membership, rule_edits, welcome
from handlers.groups.context import Groups
from handlers.groups.rules import GROUP_RULES, GroupRules, GroupSop
from handlers.groups.store import GroupChat, Member

routes = Endpoints()


class StatsQuery(BaseModel):
    """A local day (default today) and optionally one group."""

    day: str | None = Field(default=None, pattern=r"^[0-9]{8}$", description="YYYYMMDD")
    chat_id: str | None = Field(default=None, max_length=128)


class DayCounts(BaseModel):
    """Joins and quits on a day: ``join``, ``quit`` and per scene (``join:qrcode``...)."""

    day: str
    counts: dict[str, int]


class GroupPath(BaseModel):
    """A group's chat id."""

    chat_id: str = Field(min_length=1, max_length=128)


class GroupDetail(BaseModel):
    """A group (as GroupChat) with its labels and members."""

    chat_id: str
    name: str
    owner: str
    admins: list[str]
    create_time: int
    notice: str
    member_count: int
    member_version: str
    updated_at: int
    dismissed_at: int
    labels: list[str]
    members: list[Member]


class Imported(BaseModel):
    """How many groups were imported."""

    imported: int


class Template(BaseModel):
    """A group welcome template siyu made."""

    template_id: str
    digest: str


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _group_json(group: GroupChat) -> dict[str, Any]:
    return {**asdict(group), "admins": list(group.admins)}


@routes.get("/api/v1/groups", answer=list[GroupChat])
async def list_groups(request: web.Request) -> web.Response:
    """The customer groups siyu knows."""
    groups = Groups.of(_deps(request))
    found = [await groups.registry.get(chat_id) for chat_id in await groups.registry.chat_ids()]
    return web.json_response([_group_json(g) for g in found if g is not None])


@routes.get("/api/v1/groups/stats", query=StatsQuery, answer=DayCounts)
async def group_stats(request: web.Request) -> web.Response:
    """Joins and quits by scene on a local day (default today), of all groups or one."""
    groups = Groups.of(_deps(request))
    asked = query(request, StatsQuery)
    day = asked.day or groups.day_of(groups.now())
    counts = await groups.counters.day(day, asked.chat_id or None)
    return web.json_response({"day": day, "counts": counts})


@routes.post("/api/v1/groups/import", answer=Imported, errors=(503,))
async def import_groups(request: web.Request) -> web.Response:
    """Fetch every group from WeCom into the registry → {imported}."""
    try:
        imported = await membership.import_all(Groups.of(_deps(request)))
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc) from exc
    record_change(request, "groups", {"imported": imported})
    return web.json_response({"imported": imported})


@routes.get("/api/v1/groups/welcome-templates", answer=dict[str, Template])
async def welcome_templates(request: web.Request) -> web.Response:
    """The group welcome templates siyu made: name → {template_id, digest}."""
    return web.json_response(await welcome.known_templates(Groups.of(_deps(request))))


@routes.post("/api/v1/groups/welcome-templates/sync", answer=dict[str, str], errors=(503,))
async def sync_welcome_templates(request: web.Request) -> web.Response:
    """Make WeCom's group welcome templates match config/groups.toml → name: outcome."""
    try:
        outcome = await welcome.sync(Groups.of(_deps(request)))
    except (WeComAPIError, WeComUnavailable) as exc:
        raise upstream(exc) from exc
    record_change(request, "groups/welcome-templates", outcome)
    return web.json_response(outcome)


class SopQuery(BaseModel):
    """A page of the group SOP rules, in their order; ``cursor``: from the last answer."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: int = Field(default=0, ge=0, le=100_000)


class SopPage(BaseModel):
    """SOP rules; ``version`` (also the ETag) is the one to send in If-Match."""

    items: list[GroupSop]
    next_cursor: int | None
    version: int


class SopPath(BaseModel):
    """An SOP rule's name."""

    name: str = Field(min_length=1, max_length=64)


class SopSaved(BaseModel):
    """The SOP rule as stored, and the group rules' new version."""

    sop: GroupSop
    version: int


def _live(request: web.Request) -> LiveRules[GroupRules]:
    return _deps(request).get(GROUP_RULES)


async def _save_sop(request: web.Request, replacing: str | None) -> web.Response:
    sop, expected = body(request, GroupSop), expected_version(request)
    try:
        version = await rule_edits.save_sop(
            _live(request), sop, expected, principal(request).actor, replacing=replacing
        )
    except StaleVersion as exc:
        raise ApiError(412, str(exc)) from exc
    except rule_edits.SopExists as exc:
        raise ApiError(409, f"there is already an SOP rule named {exc}") from exc
    except rule_edits.SopMissing as exc:
        raise not_found("SOP rule") from exc
    except RulesInvalid as exc:
        raise ApiError(422, str(exc)) from exc
    answer = {"sop": sop.model_dump(mode="json"), "version": version}
    status = 201 if replacing is None else 200
    return web.json_response(answer, status=status, headers={"ETag": etag(version)})


@routes.get("/api/v1/groups/sop", query=SopQuery, answer=SopPage)
async def list_group_sop(request: web.Request) -> web.Response:
    """The group SOP rules, a page at a time; the version is the ETag."""
    asked = query(request, SopQuery)
    rules, version = await rule_edits.current(_live(request))
    page = rules.sop[asked.cursor : asked.cursor + asked.limit]
    after = asked.cursor + len(page)
    answer = {
        "items": [sop.model_dump(mode="json") for sop in page],
        "next_cursor": after if after < len(rules.sop) else None,
        "version": version,
    }
    return web.json_response(answer, headers={"ETag": etag(version)})


@routes.post(
    "/api/v1/groups/sop",
    body=GroupSop,
    answer=SopSaved,
    status=201,
    errors=(409, 412),
    audited=False,
)
async def create_group_sop(request: web.Request) -> web.Response:
    """Add an SOP rule (If-Match: the group rules' version); the store audits it with its diff."""
    return await _save_sop(request, None)


@routes.get("/api/v1/groups/sop/{name}", path_model=SopPath, answer=GroupSop)
async def show_group_sop(request: web.Request) -> web.Response:
    """One SOP rule; the group rules' version is the ETag."""
    rules, version = await rule_edits.current(_live(request))
    found = rule_edits.find_sop(rules, path_params(request, SopPath).name)
    if found is None:
        raise not_found("SOP rule")
    return web.json_response(found.model_dump(mode="json"), headers={"ETag": etag(version)})


@routes.put(
    "/api/v1/groups/sop/{name}",
    path_model=SopPath,
    body=GroupSop,
    answer=SopSaved,
    errors=(409, 412),
    audited=False,
)
async def update_group_sop(request: web.Request) -> web.Response:
    """Replace an SOP rule (If-Match: the group rules' version); a stale version is 412."""
    return await _save_sop(request, path_params(request, SopPath).name)


@routes.get("/api/v1/groups/{chat_id}", path_model=GroupPath, answer=GroupDetail)
async def show_group(request: web.Request) -> web.Response:
    """One group: owner, admins, labels' source, members with join time and scene."""
    groups = Groups.of(_deps(request))
    group = await groups.registry.get(path_params(request, GroupPath).chat_id)
    if group is None:
        raise not_found("group")
    members = [asdict(m) for m in await groups.registry.members(group.chat_id)]
    labels = groups.rules.labels_of(group.chat_id, group.name)
    return web.json_response({**_group_json(group), "labels": labels, "members": members})
