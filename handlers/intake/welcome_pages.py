"""欢迎语 in the console: the default, per-channel and per-staff welcomes, each edited beside a
phone preview that shows it as the customer will see it (the variables filled for a sample
customer, attachments as WeChat draws them), refreshed as the operator types (htmx)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from pydantic import ValidationError

from bot.admin.roles import Role
from bot.deps import Deps
from bot.live import RUNTIME
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from handlers.intake.live import rules_store
from handlers.intake.rules import WELCOME_TEXT_BYTES, IntakeRules, WelcomeMessage
from handlers.intake.welcome_text import fill, truncate_bytes

pages = Pages("intake", Path(__file__).with_name("templates"))
ROOT: Final = "/console/welcomes"
SCOPES: Final = ("default", "channel", "staff")
NEW_KINDS: Final = ("image", "link", "file", "video")
Form = Mapping[str, str]


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def message_of(rules: IntakeRules, scope: str, key: str) -> WelcomeMessage | None:
    """The welcome of a scope (None: it has none and falls back); KeyError if it is unknown."""
    if scope == "default":
        return rules.welcome
    owner = rules.channels[key] if scope == "channel" else rules.staff[key]
    return owner.welcome


def sample(rules: IntakeRules, scope: str, key: str) -> dict[str, str]:
    """The variables of the preview: a sample customer, the staff member, the channel."""
    if scope == "staff":
        userid = key
    elif scope == "channel":
        userid = rules.channels[key].staff[0].userid
    else:
        userid = next(iter(rules.staff), "")
    return {
        "customer_name": zh_cn()("welcomes.sample_customer"),
        "staff_name": rules.staff_name(userid) if userid else zh_cn()("welcomes.sample_staff"),
        "channel": rules.channels[key].name if scope == "channel" else "",
    }


def posted_message(
    form: Form, before: WelcomeMessage | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The welcome the form describes (as the model takes it) and the problems found first."""
    t, errors = zh_cn(), dict[str, str]()
    text, without = form.get("text", "").strip(), form.get("text_without_name", "").strip()
    for field, value in (("text", text), ("text_without_name", without)):
        if len(value.encode("utf-8")) > WELCOME_TEXT_BYTES:
            errors[field] = t("welcomes.too_long", limit=WELCOME_TEXT_BYTES)
    kept = [
        a.model_dump(mode="json", exclude_none=True)
        for index, a in enumerate(before.attachments if before is not None else ())
        if form.get(f"keep-{index}")
    ]
    added, problem = _new_attachment(form)
    if problem:
        errors["new"] = problem
    message: dict[str, Any] = {"text": text, "attachments": kept + ([added] if added else [])}
    if without:
        message["text_without_name"] = without
    return message, errors


def _new_attachment(form: Form) -> tuple[dict[str, Any] | None, str | None]:
    kind, t = form.get("new_kind", ""), zh_cn()
    if kind not in NEW_KINDS:
        return None, None
    if kind == "link":
        title, url = form.get("new_title", "").strip(), form.get("new_url", "").strip()
        if not title or not url.startswith(("http://", "https://")):
            return None, t("welcomes.link_bad")
        link = {"title": title, "url": url}
        if form.get("new_picurl", "").strip():
            link["picurl"] = form["new_picurl"].strip()
        return {"msgtype": "link", "link": link}, None
    library = form.get("new_library", "").strip()
    if not library:
        return None, t("welcomes.library_missing")
    return {"msgtype": kind, kind: {"library": library}}, None


def validated(message: dict[str, Any], scope: str) -> tuple[WelcomeMessage | None, dict[str, str]]:
    """The message through the rules' own model (None for an empty channel or staff welcome)."""
    t = zh_cn()
    if not message["text"] and not message["attachments"]:
        if scope == "default":
            return None, {"text": t("welcomes.default_empty")}
        return None, {}
    try:
        return WelcomeMessage.model_validate(message), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = "new" if error["loc"][:1] == ("attachments",) else "text"
            errors.setdefault(field, t("welcomes.invalid", detail=error["msg"]))
        return None, errors


def with_message(
    rules: IntakeRules, scope: str, key: str, message: WelcomeMessage | None
) -> IntakeRules:
    """The rules with the scope's welcome replaced (None: it falls back again)."""
    data = rules.model_dump(mode="json", exclude_none=True)
    shown = None if message is None else message.model_dump(mode="json", exclude_none=True)
    if scope == "default":
        data["welcome"] = shown
    else:
        owner = data["channels" if scope == "channel" else "staff"][key]
        owner.pop("welcome", None)
        if shown is not None:
            owner["welcome"] = shown
    return IntakeRules.model_validate(data)


def preview_of(
    rules: IntakeRules, scope: str, key: str, message: Mapping[str, Any]
) -> dict[str, Any]:
    """What the phone shows: the text filled for the sample customer, the attachments."""
    values = sample(rules, scope, key)
    text = truncate_bytes(fill(str(message.get("text", "")), values))
    return {"text": text, "attachments": list(message.get("attachments", ())), "sample": values}


@pages.get(ROOT)
async def welcome_list(request: web.Request) -> web.StreamResponse:
    """Every welcome: the default, each channel's and each staff member's (or their fallback)."""
    rules, _ = await rules_store(_deps(request)).versioned()
    return render(request, "intake/welcomes.html", {"nav": "welcomes", "rules": rules})


def _scope(request: web.Request) -> tuple[str, str]:
    return request.match_info.get("scope", "default"), request.match_info.get("key", "")


async def _editor(
    request: web.Request, form: Form | None = None, *, status: int = 200, **shown: Any
) -> web.Response:
    scope, key = _scope(request)
    rules, version = await rules_store(_deps(request)).versioned()
    before = message_of(rules, scope, key)
    if form is None:
        message = {} if before is None else before.model_dump(mode="json", exclude_none=True)
        form = {
            "text": message.get("text", ""),
            "text_without_name": message.get("text_without_name", ""),
            **{f"keep-{i}": "1" for i in range(len(message.get("attachments", ())))},
        }
        version_shown = version
    else:
        message, _ = posted_message(form, before)
        version_shown = form.get("version", version)
    context = {
        "nav": "welcomes",
        "scope": scope,
        "key": key,
        "label": _label(rules, scope, key),
        "action": request.path,
        "values": form,
        "before": before,
        "version": version_shown,
        "preview": preview_of(rules, scope, key, message),
        "errors": {},
        "conflict": False,
        "notice": "welcomes.saved" if request.query.get("done") == "saved" else None,
        **shown,
    }
    return render(request, "intake/welcome.html", context, status=status)


def _label(rules: IntakeRules, scope: str, key: str) -> str:
    if scope == "channel":
        return rules.channels[key].name
    return rules.staff_name(key) if scope == "staff" else ""


async def _known(request: web.Request) -> bool:
    scope, key = _scope(request)
    rules, _ = await rules_store(_deps(request)).versioned()
    return scope == "default" or key in (rules.channels if scope == "channel" else rules.staff)


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(f"{ROOT}/default")
async def default_welcome_page(request: web.Request) -> web.StreamResponse:
    """The default welcome's form beside its phone preview."""
    return await _editor(request)


@pages.get(ROOT + "/{scope:channel|staff}/{key}")
async def welcome_page(request: web.Request) -> web.StreamResponse:
    """A channel's or staff member's welcome: its form beside its phone preview."""
    return await _editor(request) if await _known(request) else _not_found(request)


@pages.post(f"{ROOT}/default")
async def save_default_welcome(request: web.Request) -> web.StreamResponse:
    """Replace the default welcome (412 when the rules changed since the form was shown)."""
    return await save_welcome(request)


@pages.post(ROOT + "/{scope:channel|staff}/{key}")
async def save_welcome(request: web.Request) -> web.StreamResponse:
    """Replace the welcome, unless the rules changed since the form was shown (412)."""
    if not await _known(request):
        return _not_found(request)
    scope, key = _scope(request)
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    store = rules_store(_deps(request), viewer(request).actor)
    rules, current = await store.versioned()
    if form.get("version") != current:
        return await _editor(request, form, status=412, conflict=True)
    message, errors = posted_message(form, message_of(rules, scope, key))
    checked, problems = validated(message, scope)
    if errors or problems:
        return await _editor(request, form, status=422, errors=problems | errors)
    if not await store.put_if(with_message(rules, scope, key, checked), current):
        return await _editor(request, form, status=412, conflict=True)
    raise web.HTTPSeeOther(f"{request.path}?done=saved")


@pages.post(f"{ROOT}/preview", role=Role.VIEWER)
async def preview(request: web.Request) -> web.StreamResponse:
    """The phone preview of the form as typed (htmx swaps it in; nothing is saved)."""
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    scope, key = form.get("scope", ""), form.get("key", "")
    rules, _ = await rules_store(_deps(request)).versioned()
    try:
        before = message_of(rules, scope, key) if scope in SCOPES else None
    except KeyError:
        return _not_found(request)
    if scope not in SCOPES:
        return _not_found(request)
    message, _ = posted_message(form, before)
    shown = {"preview": preview_of(rules, scope, key, message)}
    return render(request, "intake/welcome_phone.html", shown)
