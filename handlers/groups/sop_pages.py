"""群 SOP in the console (under 提醒与SOP): the group SOP rules, and their create and edit
forms, validated by the API's model (``GroupSop``) with each problem shown by its field. A
save carries the version it read: a stale one shows the conflict, never overwrites."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web
from pydantic import ValidationError

from bot.admin.roles import Role
from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import RulesInvalid
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from handlers.groups import rule_edits
from handlers.groups.rules import GROUP_RULES, GroupSop

pages = Pages("groups_sop", Path(__file__).with_name("templates"))
ROOT: Final = "/console/reminders/sop"
TEXT_FIELDS: Final = ("name", "title", "text", "content", "at", "labels", "owners", "chat_ids")
_FIELD_ERRORS: Final = {
    "name": "sop.bad_name",
    "text": "sop.bad_text",
    "weekdays": "sop.bad_weekdays",
    "at": "sop.bad_at",
    "groups": "sop.bad_groups",
}


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _names(text: str) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[,，、\s]+", text)) if part]


def form_values(sop: GroupSop | None) -> dict[str, Any]:
    """What the form shows for ``sop`` (a blank form for None)."""
    if sop is None:
        blank: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
        return {**blank, "weekdays": [], "all": False}
    return {
        "name": sop.name,
        "title": sop.title,
        "text": sop.text,
        "content": sop.content,
        "at": sop.at.strftime("%H:%M"),
        "weekdays": list(sop.weekdays),
        "all": sop.groups.all,
        "labels": "，".join(sop.groups.labels),
        "owners": "，".join(sop.groups.owners),
        "chat_ids": "，".join(sop.groups.chat_ids),
    }


def posted_values(form: Any) -> dict[str, Any]:
    """The form as posted."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    days = [str(day) for day in form.getall("weekdays", [])]
    values["weekdays"] = [int(day) for day in days if day.isdigit() and len(day) == 1]
    values["all"] = form.get("all") == "1"
    return values


def sop_of(values: dict[str, Any]) -> GroupSop:
    """The rule the form describes (ValidationError says what is wrong, by field)."""
    return GroupSop.model_validate(
        {
            "name": values["name"],
            "title": values["title"],
            "text": values["text"],
            "content": values["content"],
            "weekdays": values["weekdays"],
            "at": values["at"],
            "groups": {
                "all": values["all"],
                "labels": _names(values["labels"]),
                "owners": _names(values["owners"]),
                "chat_ids": _names(values["chat_ids"]),
            },
        }
    )


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Catalog keys of the problems, by form field."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "name"
        found.setdefault(field, _FIELD_ERRORS.get(field, "sop.bad_field"))
    return found


@pages.get(ROOT)
async def sop_list(request: web.Request) -> web.StreamResponse:
    """The group SOP rules."""
    rules, _ = await rule_edits.current(_deps(request).get(GROUP_RULES))
    return render(request, "groups_sop/sop_list.html", {"nav": "reminders", "rules": rules.sop})


async def _form(
    request: web.Request,
    name: str | None,
    values: dict[str, Any],
    version: int | str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    notice: str | None = None,
) -> web.Response:
    context = {
        "nav": "reminders",
        "sop_name": name,
        "values": values,
        "version": version,
        "errors": errors or {},
        "conflict": conflict,
        "notice": notice,
    }
    return render(request, "groups_sop/sop_edit.html", context, status=status)


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(f"{ROOT}/new", role=Role.OPERATOR)
async def new_sop(request: web.Request) -> web.StreamResponse:
    """The create form (operators)."""
    _, version = await rule_edits.current(_deps(request).get(GROUP_RULES))
    return await _form(request, None, form_values(None), version)


@pages.get(ROOT + "/{name}")
async def sop_page(request: web.Request) -> web.StreamResponse:
    """An SOP rule in its form (read-only for viewers)."""
    name = request.match_info["name"]
    rules, version = await rule_edits.current(_deps(request).get(GROUP_RULES))
    found = rule_edits.find_sop(rules, name)
    if found is None:
        return _not_found(request)
    notice = {"saved": "sop.saved", "created": "sop.created"}.get(request.query.get("done", ""))
    return await _form(request, name, form_values(found), version, notice=notice)


@pages.post(f"{ROOT}/new")
async def create_sop(request: web.Request) -> web.StreamResponse:
    """Add an SOP rule."""
    return await _save(request, None)


@pages.post(ROOT + "/{name}")
async def update_sop(request: web.Request) -> web.StreamResponse:
    """Replace an SOP rule."""
    return await _save(request, request.match_info["name"])


async def _save(request: web.Request, replacing: str | None) -> web.Response:
    form = await request.post()
    values, version = posted_values(form), str(form.get("version", ""))
    live = _deps(request).get(GROUP_RULES)
    try:
        sop = sop_of(values)
        await rule_edits.save_sop(
            live,
            sop,
            int(version) if version.isdigit() else -1,
            viewer(request).actor,
            replacing=replacing,
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        return await _form(request, replacing, values, version, status=422, errors=errors)
    except StaleVersion:
        return await _form(request, replacing, values, version, status=409, conflict=True)
    except rule_edits.SopExists:
        errors = {"name": "sop.exists"}
        return await _form(request, replacing, values, version, status=409, errors=errors)
    except rule_edits.SopMissing:
        return _not_found(request)
    except RulesInvalid:
        errors = {"name": "sop.bad_field"}
        return await _form(request, replacing, values, version, status=422, errors=errors)
    done = "created" if replacing is None else "saved"
    raise web.HTTPSeeOther(f"{ROOT}/{quote(sop.name)}?done={done}")
