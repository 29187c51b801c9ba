"""话术库 and FAQ in the console: the quick replies by group and the FAQ answers, each edited in
a form checked by the rule sets' own models and saved at the version it was read at (412 when
someone saved in between: never a silent overwrite)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.admin.rules import RULE_SETS
from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import LiveRules, RulesInvalid
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, refusal, render, viewer
from handlers.replies.models import AnswerForm, QuickReplies, QuickReply

pages = Pages("replies", Path(__file__).with_name("templates"))
REPLIES: Final = "/console/replies"
ANSWERS: Final = "/console/faq"
_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BLANK_ROWS: Final = 2
NEW: Final = "new"  # the path of an item's empty form (no item may take this id)
STALE: Final = 412
MAX_GROUP_CHARS: Final = 32
ATTACHMENT_FIELDS: Final = ("kind", "media_id", "pic_url", "url", "title")
Form = dict[str, str]
Doc = dict[str, Any]


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,，、]", text) if w.strip()]


def _rows(form: Form, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The filled rows of a table of the form (``prefix-<i>-<field>``)."""
    rows = []
    for index in range(20):
        row = {f: form.get(f"{prefix}-{index}-{f}", "").strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def reply_item(form: Form) -> Doc:
    """A quick reply as the model takes it, from the form."""
    attachments = [
        {k: v for k, v in row.items() if v} for row in _rows(form, "att", ATTACHMENT_FIELDS)
    ]
    return {
        "id": form.get("id", ""),
        "title": form.get("title", ""),
        "text": form.get("text", ""),
        "keywords": _words(form.get("keywords", "")),
        "attachments": attachments,
    }


def answer_item(form: Form) -> Doc:
    """The fields of a FAQ answer the form edits."""
    return {
        "id": form.get("id", ""),
        "intents": _words(form.get("intents", "")),
        "keywords": _words(form.get("keywords", "")),
        "text": form.get("text", ""),
        "menu": _rows(form, "menu", ("label", "answer")),
    }


def field_errors(exc: ValidationError, fields: tuple[str, ...], general: str) -> dict[str, str]:
    """Each problem next to its field (the first of each); the rest under ``general``."""
    t, found = zh_cn(), dict[str, str]()
    for error in exc.errors():
        named = [str(part) for part in error["loc"] if str(part) in fields]
        field = named[-1] if named else general
        found.setdefault(field, t("replies.invalid", detail=error["msg"]))
    return found


class Editor:
    """One rule set's list of items edited one at a time (replies in groups, answers)."""

    def __init__(self, name: str, root: str, model: type[BaseModel], fields: tuple[str, ...]):
        self.name, self.root, self.model, self.fields = name, root, model, fields

    def live(self, request: web.Request) -> LiveRules[Any]:
        """The rule set's live copy (``replies``: the 话术库; ``faq``: the 微信客服 bot's)."""
        return _deps(request).get(RULE_SETS)[self.name]

    async def read(self, request: web.Request) -> tuple[Doc, int]:
        """The stored document and its version (read together)."""
        doc, version = await self.live(request).store.get(self.name)
        return doc, version

    async def save(
        self, request: web.Request, form: Form, change: Callable[[Doc], Doc]
    ) -> dict[str, str] | int:
        """Store ``change(doc)`` at the form's version: 0, 412 (stale) or the errors."""
        doc, current = await self.read(request)
        if form.get("version") != str(current):
            return STALE
        try:
            await self.live(request).replace(change(doc), current, viewer(request).actor)
        except StaleVersion:
            return STALE
        except (RulesInvalid, ValidationError, ValueError) as exc:
            return {"general": zh_cn()("replies.invalid", detail=str(exc))}
        return 0


REPLY_EDITOR: Final = Editor("replies", REPLIES, QuickReply, ("id", "title", "text", "group"))
ANSWER_EDITOR: Final = Editor("faq", ANSWERS, AnswerForm, ("id", "text", "menu", "intents"))


def _found(doc: Doc, item_id: str, editor: Editor) -> tuple[str, Doc] | None:
    if editor is ANSWER_EDITOR:
        return next((("", a) for a in doc.get("answers", []) if a["id"] == item_id), None)
    for group in doc.get("groups", []):
        for reply in group.get("replies", []):
            if reply["id"] == item_id:
                return group["name"], reply
    return None


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.get(REPLIES)
async def reply_list(request: web.Request) -> web.StreamResponse:
    """The 话术库 by group."""
    doc, _ = await REPLY_EDITOR.read(request)
    shown = {
        "nav": "replies",
        "library": QuickReplies.model_validate(doc),
        "notice": _done(request),
    }
    return render(request, "replies/replies.html", shown)


@pages.get(ANSWERS)
async def answer_list(request: web.Request) -> web.StreamResponse:
    """The FAQ answers, in the order they are tried."""
    doc, _ = await ANSWER_EDITOR.read(request)
    answers = [dict(a, menu=[_choice(doc, c) for c in a.get("menu", [])]) for a in _answers(doc)]
    shown = {"nav": "faq", "answers": answers, "notice": _done(request)}
    return render(request, "replies/answers.html", shown)


def _done(request: web.Request) -> str | None:
    return "replies.deleted" if request.query.get("done") == "deleted" else None


def _values(editor: Editor, group: str, item: Mapping[str, Any] | None) -> Form:
    if item is None:
        return {"group": group}
    values = {
        "id": item["id"],
        "group": group,
        "title": item.get("title", ""),
        "text": item.get("text", ""),
        "keywords": "，".join(item.get("keywords", [])),
        "intents": "，".join(item.get("intents", [])),
    }
    if editor is REPLY_EDITOR:
        for i, attachment in enumerate(item.get("attachments", [])):
            values |= {f"att-{i}-{f}": str(attachment.get(f, "")) for f in ATTACHMENT_FIELDS}
    for i, choice in enumerate(item.get("menu", [])):
        # a bare answer id: labelled with the id (the bot shows that answer's title)
        label, answer = (
            (choice, choice) if isinstance(choice, str) else (choice["label"], choice["answer"])
        )
        values |= {f"menu-{i}-label": label, f"menu-{i}-answer": answer}
    return values


def _answers(doc: Doc) -> list[Doc]:
    return list(doc.get("answers", []))


def _choice(doc: Doc, choice: str | Mapping[str, str]) -> Mapping[str, str]:
    """A menu choice as the list shows it (a bare id: labelled with its answer's title)."""
    if not isinstance(choice, str):
        return choice
    titled = next((a for a in _answers(doc) if a["id"] == choice), {})
    return {"label": titled.get("title") or choice, "answer": choice}


async def _form_page(
    request: web.Request,
    editor: Editor,
    item_id: str | None,
    values: Form,
    *,
    status: int = 200,
    **shown: Any,
) -> web.Response:
    doc, version = await editor.read(request)
    found = _found(doc, item_id, editor) if item_id else None
    context = {
        "nav": editor.name if editor is REPLY_EDITOR else "faq",
        "item_id": item_id,
        "values": values,
        "version": values.get("version", str(version)),
        "groups": [g["name"] for g in doc.get("groups", [])],
        "answer_ids": [a["id"] for a in doc.get("answers", [])],
        "attachments": (found[1].get("attachments", []) if found else []),
        "rows": range(_row_count(values)),
        "errors": {},
        "conflict": False,
        "notice": "replies.saved" if request.query.get("done") == "saved" else None,
        **shown,
    }
    template = "replies/reply.html" if editor is REPLY_EDITOR else "replies/answer.html"
    return render(request, template, context, status=status)


def _row_count(values: Form) -> int:
    used = [int(k.split("-")[1]) + 1 for k in values if k.startswith(("att-", "menu-"))]
    return max(used, default=0) + BLANK_ROWS


async def _edit_page(request: web.Request, editor: Editor) -> web.StreamResponse:
    item_id = request.match_info["item_id"]
    if item_id == NEW:
        blank = _values(editor, request.query.get("group", ""), None)
        return await _form_page(request, editor, None, blank)
    doc, _ = await editor.read(request)
    found = _found(doc, item_id, editor)
    if found is None:
        return _not_found(request)
    return await _form_page(request, editor, item_id, _values(editor, *found))


@pages.get(REPLIES + "/{item_id}")
async def reply_page(request: web.Request) -> web.StreamResponse:
    """A quick reply's form (a new one: ``?group=`` preselects its group)."""
    return await _edit_page(request, REPLY_EDITOR)


@pages.get(ANSWERS + "/{item_id}")
async def answer_page(request: web.Request) -> web.StreamResponse:
    """A FAQ answer's form."""
    return await _edit_page(request, ANSWER_EDITOR)


def _id_problem(doc: Doc, editor: Editor, item_id: str, new: bool) -> dict[str, str]:
    t = zh_cn()
    if not _ID.fullmatch(item_id) or item_id == NEW:
        return {"id": t("replies.id_bad")}
    if new and _found(doc, item_id, editor) is not None:
        return {"id": t("replies.id_taken")}
    return {}


def _checked(editor: Editor, item: Doc) -> dict[str, str]:
    try:
        editor.model.model_validate(item)
    except ValidationError as exc:
        return field_errors(exc, editor.fields, "general")
    return {}


def _placed(doc: Doc, group: str, item: Doc) -> Doc:
    """The 话术库 with ``item`` in ``group`` (where it was, if it was there; else last)."""
    groups = [dict(g, replies=list(g.get("replies", []))) for g in doc.get("groups", [])]
    for g in groups:
        at = next((i for i, r in enumerate(g["replies"]) if r["id"] == item["id"]), None)
        if at is not None and g["name"] == group:
            g["replies"][at] = item
            return {"groups": groups}
        if at is not None:
            del g["replies"][at]
    target = next((g for g in groups if g["name"] == group), None)
    if target is None:
        groups.append({"name": group, "replies": [item]})
    else:
        target["replies"].append(item)
    return {"groups": groups}


def _answered(doc: Doc, item: Doc) -> Doc:
    """The FAQ with ``item`` where it was (its order decides which answer wins), else last;
    what the form does not edit (title, phrasings, attachments, handoff, the bot's welcome
    and fallback) is kept as it was."""
    answers = _answers(doc)
    at = next((i for i, a in enumerate(answers) if a["id"] == item["id"]), len(answers))
    before = answers[at] if at < len(answers) else {}
    answers[at : at + 1] = [{**before, **item}]
    return {**doc, "answers": answers}


async def _save(request: web.Request, editor: Editor, item_id: str | None) -> web.StreamResponse:
    form = {k: v.strip() for k, v in (await request.post()).items() if isinstance(v, str)}
    doc, current = await editor.read(request)
    new, item_id = item_id is None, item_id or form.get("id", "")
    found = None if new else _found(doc, item_id, editor)
    if not new and found is None:
        return _not_found(request)
    form["id"] = item_id
    shown: dict[str, Any] = {"values": form, "item_id": None if new else item_id}
    if form.get("version") != str(current):
        return await _form_page(request, editor, status=412, conflict=True, **shown)
    if editor is REPLY_EDITOR:
        group, item = form.get("group", ""), reply_item(form)
        errors = (
            {} if 0 < len(group) <= MAX_GROUP_CHARS else {"group": zh_cn()("replies.group_bad")}
        )
        change: Callable[[Doc], Doc] = lambda d: _placed(d, group, item)  # noqa: E731
    else:
        item = answer_item(form)
        known = {a["id"] for a in doc.get("answers", [])} | {item_id}
        stray = [c["answer"] for c in item["menu"] if c["answer"] not in known]
        errors = {"menu": zh_cn()("replies.menu_bad", ids="、".join(stray))} if stray else {}
        change = lambda d: _answered(d, item)  # noqa: E731
    errors = _checked(editor, item) | errors | _id_problem(doc, editor, item_id, new)
    if errors:
        return await _form_page(request, editor, status=422, errors=errors, **shown)
    outcome = await editor.save(request, form, change)
    if outcome == STALE:
        return await _form_page(request, editor, status=412, conflict=True, **shown)
    if isinstance(outcome, dict):
        return await _form_page(request, editor, status=422, errors=outcome, **shown)
    raise web.HTTPSeeOther(f"{editor.root}/{item_id}?done=saved")


@pages.post(REPLIES + "/{item_id}")
async def save_reply(request: web.Request) -> web.StreamResponse:
    """Add or replace a quick reply."""
    item_id = request.match_info["item_id"]
    return await _save(request, REPLY_EDITOR, None if item_id == NEW else item_id)


@pages.post(ANSWERS + "/{item_id}")
async def save_answer(request: web.Request) -> web.StreamResponse:
    """Add or replace a FAQ answer."""
    item_id = request.match_info["item_id"]
    return await _save(request, ANSWER_EDITOR, None if item_id == NEW else item_id)


async def _delete(request: web.Request, editor: Editor) -> web.StreamResponse:
    item_id = request.match_info["item_id"]
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    doc, _ = await editor.read(request)
    found = _found(doc, item_id, editor)
    if found is None:
        return _not_found(request)

    def without(d: Doc) -> Doc:
        if editor is ANSWER_EDITOR:
            return {**d, "answers": [a for a in _answers(d) if a["id"] != item_id]}
        groups = d.get("groups", [])
        kept = [dict(g, replies=[r for r in g["replies"] if r["id"] != item_id]) for g in groups]
        return {"groups": kept}

    outcome = await editor.save(request, form, without)
    if outcome == 0:
        raise web.HTTPSeeOther(f"{editor.root}?done=deleted")
    shown = {"values": _values(editor, *found) | {"version": form.get("version", "")}}
    if outcome == STALE:
        return await _form_page(request, editor, item_id, status=412, conflict=True, **shown)
    errors = outcome if isinstance(outcome, dict) else {}
    return await _form_page(request, editor, item_id, status=422, errors=errors, **shown)


@pages.post(REPLIES + "/{item_id}/delete")
async def delete_reply(request: web.Request) -> web.StreamResponse:
    """Remove a quick reply."""
    return await _delete(request, REPLY_EDITOR)


@pages.post(ANSWERS + "/{item_id}/delete")
async def delete_answer(request: web.Request) -> web.StreamResponse:
    """Remove a FAQ answer (refused while a menu leads to it)."""
    return await _delete(request, ANSWER_EDITOR)
