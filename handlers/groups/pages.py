"""客户群 in the console: the groups with member counts and today's joins and quits, a group
with its members, the group rules (welcome templates' text; labels shown). Edits carry the
version they read: a stale one shows the conflict, never overwrites."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import RulesInvalid
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from handlers.groups import rule_edits
from handlers.groups.context import Groups
from handlers.groups.rules import GROUP_RULES, TEMPLATE_TEXT_BYTES

pages = Pages("groups", Path(__file__).with_name("templates"))
ROOT: Final = "/console/groups"
LISTED: Final = 100  # groups per page: two Redis reads each


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _local(deps: Deps, seconds: int) -> str:
    if not seconds:
        return ""
    moment = datetime.fromtimestamp(seconds, UTC).astimezone(ZoneInfo(deps.settings.timezone))
    return moment.strftime("%Y-%m-%d %H:%M")


async def _listing(deps: Deps, number: int) -> tuple[list[dict[str, Any]], int]:
    """Page ``number`` (from 0) of the groups by chat id, and how many groups there are."""
    groups = Groups.of(deps)
    today = groups.day_of(groups.now())
    every = sorted(await groups.registry.chat_ids())
    rows = []
    for chat_id in every[number * LISTED : (number + 1) * LISTED]:
        group = await groups.registry.get(chat_id)
        if group is None:
            continue
        counts = await groups.counters.day(today, chat_id)
        rows.append(
            {
                "chat_id": chat_id,
                "name": group.name or chat_id,
                "owner": group.owner,
                "members": group.member_count,
                "joins": counts.get("join", 0),
                "quits": counts.get("quit", 0),
            }
        )
    return sorted(rows, key=lambda row: (-row["members"], row["chat_id"])), len(every)


async def _page(
    request: web.Request,
    *,
    status: int = 200,
    notice: str | None = None,
    conflict: bool = False,
    edited: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> web.Response:
    deps = _deps(request)
    rules, version = await rule_edits.current(deps.get(GROUP_RULES))
    templates = [
        {"name": t.name, "text": (edited or {}).get(t.name, t.text)}
        for t in rules.welcome_templates
    ]
    groups = Groups.of(deps)
    today = await groups.counters.day(groups.day_of(groups.now()))
    text = request.query.get("page", "0")
    number = int(text) if text.isdigit() and len(text) < 6 else 0  # noqa: PLR2004
    rows, total = await _listing(deps, number)
    context = {
        "nav": "groups",
        "groups": rows,
        "total": total,
        "page": number,
        "more": (number + 1) * LISTED < total,
        "today": {"joins": today.get("join", 0), "quits": today.get("quit", 0)},
        "templates": templates,
        "labels": rules.labels,
        "version": version,
        "notice": notice,
        "conflict": conflict,
        "error": error,
    }
    return render(request, "groups/list.html", context, status=status)


@pages.get(ROOT)
async def group_list(request: web.Request) -> web.StreamResponse:
    """The groups, today's joins and quits, and the group rules."""
    saved = request.query.get("done") == "saved"
    return await _page(request, notice="groups.saved" if saved else None)


@pages.post(ROOT + "/welcome/{name}")
async def save_welcome(request: web.Request) -> web.StreamResponse:
    """Change a welcome template's text (the version read rides in the form)."""
    deps, name = _deps(request), request.match_info["name"]
    form = await request.post()
    text, version = str(form.get("text", "")), str(form.get("version", ""))
    if len(text.encode("utf-8")) > TEMPLATE_TEXT_BYTES:
        return await _page(
            request, status=422, edited={name: text}, error=(name, "groups.too_long")
        )
    try:
        await rule_edits.save_welcome_text(
            deps.get(GROUP_RULES),
            name,
            text,
            int(version) if version.isdigit() else -1,
            viewer(request).actor,
        )
    except StaleVersion:
        return await _page(request, status=409, conflict=True, edited={name: text})
    except rule_edits.SopMissing:
        t = zh_cn()
        return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)
    except RulesInvalid:
        return await _page(
            request, status=422, edited={name: text}, error=(name, "groups.too_long")
        )
    raise web.HTTPSeeOther(f"{ROOT}?done=saved")


@pages.get(ROOT + "/{chat_id}")
async def group_page(request: web.Request) -> web.StreamResponse:
    """A group: owner, admins, labels, notice, members with join time and scene."""
    deps = _deps(request)
    groups = Groups.of(deps)
    chat_id = request.match_info["chat_id"]
    group = await groups.registry.get(chat_id) if len(chat_id) <= 128 else None  # noqa: PLR2004
    if group is None:
        t = zh_cn()
        return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)
    members = [
        {
            "userid": m.userid,
            "name": m.name,
            "type": m.type,
            "joined": _local(deps, m.join_time),
            "scene": m.join_scene if m.join_scene in {1, 2, 3} else 0,
            "invitor": m.invitor,
        }
        for m in await groups.registry.members(chat_id)
    ]
    counts = await groups.counters.day(groups.day_of(groups.now()), chat_id)
    context = {
        "nav": "groups",
        "group": group,
        "created": _local(deps, group.create_time),
        "labels": groups.rules.labels_of(chat_id, group.name),
        "members": members,
        "joins": counts.get("join", 0),
        "quits": counts.get("quit", 0),
    }
    return render(request, "groups/group.html", context)
