"""敏感词与意图 in the console: the word lists and intent cues by category, add/edit/delete of
an entry (a stale edit is refused, never merged), a 试一试 box over the live Analyzer and the
review list of recent hits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.admin.roles import Role
from bot.admin.rules import RULE_SETS
from bot.deps import Deps
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import LiveRules, RulesInvalid
from bot.web.catalog import zh_cn
from bot.web.pages import Pages, render, viewer
from handlers.moderation.analyzer import ANALYZER, KEYWORDS, rules_of
from handlers.moderation.cards import RESOLVED_LABELS, task_id_for
from handlers.moderation.components import ALERT_RECORDS
from handlers.moderation.hits import HIT_LOG
from nlp import Analyzer, ListError
from nlp.lists import entries_of

pages = Pages("moderation", Path(__file__).with_name("templates"))
ROOT: Final = "/console/moderation"
KINDS: Final = ("sensitive", "intents", "allow")
ALLOW: Final = "allow"  # the containment allowlist: one list, allow.txt
_LIST_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_ENTRY_CHARS: Final = 64
MAX_TRIAL_CHARS: Final = 2000
SHOWN_HITS: Final = 30
MAX_SHOWN: Final = 200  # entries of a list on the page; the search finds the others
DONE: Final = ("added", "saved", "deleted")

Files = dict[str, str]


def _deps(request: web.Request) -> Deps:
    return request.app[RUNTIME].deps


def _keywords(deps: Deps) -> LiveRules[Analyzer]:
    """The word lists as the worker follows them (the rule set's copy when moderation is off)."""
    return deps.get(ANALYZER) or deps.get(RULE_SETS)[KEYWORDS]


def lists_of(files: Files, kind: str) -> dict[str, list[str]]:
    """Each list of ``kind`` (its category or intent) → its entries' lines, as written."""
    if kind == ALLOW:
        return {ALLOW: _lines(files.get(f"{ALLOW}.txt", ""))}
    found: dict[str, list[str]] = {}
    for path in sorted(name for name in files if name.startswith(f"{kind}/")):
        name = path.split("/", 1)[1].split(".", 1)[0]
        found.setdefault(name, []).extend(_lines(files[path]))
    return found


def _lines(text: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if _is_entry(line)]


def _is_entry(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _word(line: str) -> str:
    return line.split("#", 1)[0].split(maxsplit=1)[0] if _is_entry(line) else ""


def _paths(files: Files, kind: str, name: str) -> list[str]:
    if kind == ALLOW:
        return [f"{ALLOW}.txt"] if name == ALLOW else []
    return [p for p in sorted(files) if p.startswith(f"{kind}/{name}.")]


def with_entry(files: Files, kind: str, name: str, line: str) -> Files:
    """The files with ``line`` appended to the list (a new list gets its own file)."""
    paths = _paths(files, kind, name) or [f"{kind}/{name}.txt"]  # (allow: list "allow" only)
    text = files.get(paths[0], "")
    return {**files, paths[0]: (text.rstrip("\n") + "\n" if text else "") + line + "\n"}


def changed_entry(files: Files, kind: str, name: str, word: str, line: str | None) -> Files | None:
    """The files with the entry ``word`` replaced by ``line`` (None: removed); None if absent."""
    for path in _paths(files, kind, name):
        rows = files[path].splitlines()
        for index, row in enumerate(rows):
            if _word(row) == word:
                rows[index : index + 1] = [] if line is None else [line]
                return {**files, path: "\n".join(rows) + "\n"}
    return None


def check_line(line: str) -> str | None:
    """Why an entry line cannot be added (None: it can)."""
    t = zh_cn()
    if not line:
        return t("moderation.entry_empty")
    if len(line) > MAX_ENTRY_CHARS or "#" in line or "\n" in line:
        return t("moderation.entry_bad", limit=MAX_ENTRY_CHARS)
    try:
        list(entries_of(line, "entry"))
    except ListError as exc:
        return t("moderation.entry_flags", detail=str(exc).split(": ", 1)[-1])
    return None


def _selected(request: web.Request, lists: dict[str, dict[str, list[str]]]) -> tuple[str, str]:
    kind = request.query.get("kind", "sensitive")
    kind = kind if kind in KINDS else "sensitive"
    name = request.query.get("list", "")
    if name not in lists[kind]:
        name = next(iter(lists[kind]), "")
    return kind, name


def _shown_entries(entries: list[str], query: str) -> dict[str, Any]:
    """The entries matching ``query``, the newest (last written) first, at most MAX_SHOWN."""
    found = [line for line in reversed(entries) if query in line]
    return {"entries": found[:MAX_SHOWN], "total": len(found)}


async def _recent_hits(deps: Deps) -> list[dict[str, Any]]:
    records = deps.get(ALERT_RECORDS)
    rows = []
    for hit in await deps.get(HIT_LOG).recent(SHOWN_HITS):
        alert = await records.get(task_id_for(hit.message))
        action = (alert.resolution or {}).get("action") if alert is not None else None
        when = datetime.fromtimestamp(hit.at_ms / 1000, ZoneInfo(deps.settings.timezone))
        review = RESOLVED_LABELS.get(str(action), "")
        rows.append({"hit": hit, "review": review, "when": when.strftime("%m-%d %H:%M")})
    return rows


async def _page(
    request: web.Request,
    *,
    kind: str | None = None,
    name: str | None = None,
    query: str | None = None,
    status: int = 200,
    **shown: Any,
) -> web.Response:
    deps = _deps(request)
    query = request.query.get("q", "").strip() if query is None else query
    doc, version = await _keywords(deps).store.get(KEYWORDS)
    files: Files = doc["files"]
    lists = {k: lists_of(files, k) for k in KINDS}
    chosen = _selected(request, lists)
    kind, name = kind or chosen[0], name if name is not None else chosen[1]
    rules = await rules_of(deps)
    context = {
        "nav": "moderation",
        "lists": lists,
        "kind": kind,
        "name": name,
        "query": query,
        **_shown_entries(lists[kind].get(name, []), query),
        "labels": {c: rules.alerts.label(c) for c in lists["sensitive"]},
        "actions": rules.intents.actions,
        "version": version,
        "hits": await _recent_hits(deps),
        "errors": {},
        "values": {},
        "conflict": False,
        "notice": None,
        "trial": None,
        **shown,
    }
    return render(request, "moderation/page.html", context, status=status)


@pages.get(ROOT)
async def moderation_page(request: web.Request) -> web.StreamResponse:
    """The lists, the selected list's entries, intents and their actions, the recent hits."""
    done = request.query.get("done", "")
    return await _page(request, notice=f"moderation.{done}" if done in DONE else None)


async def _form(request: web.Request) -> dict[str, str]:
    return {k: v.strip() for k, v in (await request.post()).items() if isinstance(v, str)}


async def _change(
    request: web.Request,
    form: dict[str, str],
    edit: Callable[[Files], Files | None],
    done: str,
) -> web.StreamResponse:
    """Apply ``edit`` to the lists read at the form's version and store them (412 when stale)."""
    kind, name = form.get("kind", ""), form.get("list", "")
    live = _keywords(_deps(request))
    doc, current = await live.store.get(KEYWORDS)
    version = int(form["version"]) if form.get("version", "").isdigit() else -1
    show: dict[str, Any] = {"kind": kind, "name": name, "values": form}
    if form.get("word"):  # an edit or a removal: show its row
        show["query"] = form["word"]
    if version != current:
        return await _page(request, status=412, conflict=True, **show)
    changed = edit(doc["files"])
    if changed is None:
        errors = {"word": zh_cn()("moderation.entry_missing")}
        return await _page(request, status=422, errors=errors, **show)
    try:
        await live.replace({"files": changed}, version, viewer(request).actor)
    except StaleVersion:
        return await _page(request, status=412, conflict=True, **show)
    except RulesInvalid as exc:
        errors = {"line": zh_cn()("moderation.lists_invalid", detail=str(exc))}
        return await _page(request, status=422, errors=errors, **show)
    raise web.HTTPSeeOther(f"{ROOT}?kind={kind}&list={name}&done={done}")


def _list_problem(form: dict[str, str]) -> dict[str, str]:
    kind, name = form.get("kind"), form.get("list", "")
    if kind not in KINDS or not _LIST_NAME.fullmatch(name) or (kind == ALLOW) != (name == ALLOW):
        return {"list": zh_cn()("moderation.list_bad")}
    return {}


@pages.post(f"{ROOT}/entries")
async def add_entry(request: web.Request) -> web.StreamResponse:
    """Add an entry (``词 [权重] [标记]``) to a list; a new list name makes a new category."""
    form = await _form(request)
    line = " ".join(form.get("line", "").split())
    errors = _list_problem(form)
    problem = check_line(line)
    if problem:
        errors["line"] = problem
    if not errors:
        doc, _ = await _keywords(_deps(request)).store.get(KEYWORDS)
        existing = lists_of(doc["files"], form["kind"]).get(form["list"], [])
        if line.split()[0] in {_word(row) for row in existing}:
            errors["line"] = zh_cn()("moderation.entry_exists")
    if errors:
        shown = {"kind": form.get("kind") if form.get("kind") in KINDS else None}
        return await _page(request, status=422, errors=errors, values=form, **shown)
    return await _change(
        request, form, lambda files: with_entry(files, form["kind"], form["list"], line), "added"
    )


@pages.post(f"{ROOT}/entries/edit")
async def edit_entry(request: web.Request) -> web.StreamResponse:
    """Replace an entry of a list by a new line."""
    form = await _form(request)
    line = " ".join(form.get("line", "").split())
    problem = check_line(line)
    list_problem = _list_problem(form)
    errors = list_problem | ({"line": problem} if problem else {})
    word = form.get("word", "")
    if errors:  # the edited row is shown (found by its word) with the problem beside it
        row = {} if list_problem else {"kind": form["kind"], "name": form["list"], "query": word}
        return await _page(request, status=422, errors=errors, values=form, **row)
    return await _change(
        request,
        form,
        lambda files: changed_entry(files, form["kind"], form["list"], word, line),
        "saved",
    )


@pages.post(f"{ROOT}/entries/delete")
async def delete_entry(request: web.Request) -> web.StreamResponse:
    """Remove an entry from a list."""
    form = await _form(request)
    if errors := _list_problem(form):
        return await _page(request, status=422, errors=errors, values=form)
    word = form.get("word", "")
    return await _change(
        request,
        form,
        lambda files: changed_entry(files, form["kind"], form["list"], word, None),
        "deleted",
    )


@pages.post(f"{ROOT}/try", role=Role.VIEWER)
async def try_message(request: web.Request) -> web.StreamResponse:
    """试一试: what the live lists find in a message: categories, words, intent (nothing kept)."""
    text = str((await request.post()).get("text", ""))
    deps = _deps(request)
    t = zh_cn()
    trial: dict[str, Any] = {"text": text, "error": None}
    if not text.strip() or len(text) > MAX_TRIAL_CHARS:
        trial["error"] = t("moderation.try_bad", limit=MAX_TRIAL_CHARS)
    else:
        analysis = (await _keywords(deps).current()).analyze(text)
        rules = await rules_of(deps)
        trial |= {
            "hits": [
                {
                    "label": rules.alerts.label(h.category),
                    "category": h.category,
                    "word": h.word,
                    "matched": text[h.start : h.end],
                }
                for h in analysis.sensitive
            ],
            "intent": analysis.intent,
            "score": analysis.score,
            "action": rules.intents.actions.get(analysis.intent or ""),
        }
    if request.headers.get("HX-Request"):
        return render(request, "moderation/trial.html", {"trial": trial})
    return await _page(request, trial=trial, status=422 if trial["error"] else 200)
