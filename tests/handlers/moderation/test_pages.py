"""敏感词与意图 in the console, through the whole stack: entries added, edited and removed
at the version read (412 when stale), bad entries refused next to their field, viewers and
forms without CSRF refused, the 试一试 box over the live Analyzer, the recent hits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.admin.rules import RULE_SETS
from bot.clock import ManualClock
from handlers.moderation.analyzer import KEYWORDS
from handlers.moderation.cards import FALSE_POSITIVE
from handlers.moderation.hits import HIT_LOG, HitLog, HitRecord
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.console import add_accounts, csrf_of, log_in
from tests.support.stack import ClientFactory

TOKEN = "moderation-pages-token"
ROOT = "/console/moderation"
WORD = "紫罗兰暗号"
_VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    started = await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})
    await add_accounts(redis, started.settings.wecom.corp_id, clock.now())
    return started


async def form_of(stack: Stack, path: str = ROOT) -> dict[str, str]:
    """The CSRF token and lists version the page's forms carry."""
    page = await (await stack.siyu.get(path)).text()
    found = _VERSION.search(page)
    assert found is not None, page
    return {"csrf": csrf_of(page), "version": found.group(1)}


async def stored_files(stack: Stack) -> dict[str, str]:
    doc, _ = await stack.deps.get(RULE_SETS)[KEYWORDS].store.get(KEYWORDS)
    files: dict[str, str] = doc["files"]
    return files


async def add(stack: Stack, line: str, **fields: str) -> Any:
    data = {**await form_of(stack), "kind": "sensitive", "list": "diversion", "line": line}
    return await stack.siyu.post(f"{ROOT}/entries", data={**data, **fields}, allow_redirects=False)


async def try_text(stack: Stack, text: str) -> str:
    page = await (await stack.siyu.get(ROOT)).text()
    answer = await stack.siyu.post(
        f"{ROOT}/try", data={"csrf": csrf_of(page), "text": text}, headers={"HX-Request": "true"}
    )
    assert answer.status == 200
    return await answer.text()


async def test_an_added_keyword_is_flagged_by_the_try_box(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    assert "trial-hits" not in await try_text(stack, f"周末见，{WORD}带上")
    answer = await add(stack, WORD)
    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == f"{ROOT}?kind=sensitive&list=diversion&done=added"
    assert WORD in (await stored_files(stack))["sensitive/diversion.txt"]
    audit = await stack.deps.get(RULE_SETS)[KEYWORDS].store.audit(1)
    assert audit[0]["actor"] == "user:olga"
    fragment = await try_text(stack, f"周末见，{WORD}带上")
    assert 'data-testid="trial-word">' + WORD in fragment
    assert "diversion" in fragment
    page = await (await stack.siyu.get(answer.headers["Location"])).text()
    assert "词条已添加。" in page and f'data-word="{WORD}"' in page


async def test_the_try_box_shows_the_intent_and_refuses_an_empty_message(stack: Stack) -> None:
    await log_in(stack.siyu, Role.VIEWER)
    fragment = await try_text(stack, "这个多少钱？")
    assert "<strong>price</strong>" in fragment and "trial-clean" in fragment
    assert "请输入 1-2000 个字符的消息。" in await try_text(stack, "   ")
    page = await (await stack.siyu.get(ROOT)).text()
    plain = await stack.siyu.post(f"{ROOT}/try", data={"csrf": csrf_of(page), "text": ""})
    assert plain.status == 422
    assert "请输入 1-2000 个字符的消息。" in await plain.text()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"line": ""}, "error-line", "请填写词条。"),
        ({"line": "词 bogus"}, "error-line", "词条格式有误"),
        ({"line": "a#b"}, "error-line", "不能含 #"),
        ({"line": "{~微信}"}, "error-line", "该词条已在此列表中。"),
        ({"list": "Bad-Name"}, "error-list", "类别名须为小写字母"),
        ({"kind": "secrets"}, "error-list", "类别名须为小写字母"),
    ],
)
async def test_a_bad_entry_is_refused_next_to_its_field(
    stack: Stack, fields: dict[str, str], field: str, message: str
) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    before = await stored_files(stack)
    answer = await add(stack, fields.pop("line", "新词"), **fields)
    assert answer.status == 422
    page = await answer.text()
    assert f'data-testid="{field}">' in page and message in page
    assert await stored_files(stack) == before


async def test_a_stale_edit_is_refused_with_412(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    stale = await form_of(stack)
    assert (await add(stack, WORD)).status == 303
    data = {**stale, "kind": "sensitive", "list": "diversion", "line": "另一个词"}
    answer = await stack.siyu.post(f"{ROOT}/entries", data=data)
    assert answer.status == 412
    assert "其他人在您打开此页后修改了词库" in await answer.text()
    assert "另一个词" not in (await stored_files(stack))["sensitive/diversion.txt"]


async def test_an_entry_is_edited_then_deleted(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    await add(stack, WORD)
    target = {"kind": "sensitive", "list": "diversion", "word": WORD}
    edited = await stack.siyu.post(
        f"{ROOT}/entries/edit",
        data={**await form_of(stack), **target, "line": f"{WORD}2 substring"},
        allow_redirects=False,
    )
    assert edited.status == 303, await edited.text()
    text = (await stored_files(stack))["sensitive/diversion.txt"]
    assert f"\n{WORD}2 substring\n" in text and f"\n{WORD}\n" not in text
    gone = await stack.siyu.post(
        f"{ROOT}/entries/delete",
        data={**await form_of(stack), **target, "word": f"{WORD}2"},
        allow_redirects=False,
    )
    assert gone.status == 303
    assert WORD not in (await stored_files(stack))["sensitive/diversion.txt"]
    missing = await stack.siyu.post(
        f"{ROOT}/entries/delete", data={**await form_of(stack), **target, "word": f"{WORD}2"}
    )
    assert missing.status == 422 and "该词条已不在列表中" in await missing.text()


async def test_a_new_list_name_makes_a_new_category(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    assert (await add(stack, WORD, list="secret_codes")).status == 303
    assert (await stored_files(stack))["sensitive/secret_codes.txt"] == f"{WORD}\n"
    assert "secret_codes" in await try_text(stack, f"{WORD}来了")


async def test_a_viewer_sees_no_edit_buttons_and_the_server_refuses_edits(stack: Stack) -> None:
    csrf = await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get(ROOT)).text()
    assert "只读账号" in page and 'data-testid="add-form"' not in page
    assert 'data-testid="delete-entry"' not in page and 'data-testid="try-form"' in page
    before = await stored_files(stack)
    version = _VERSION.search(page)
    for path in ("/entries", "/entries/edit", "/entries/delete"):
        data = {
            "csrf": csrf,
            "version": version.group(1) if version else "1",
            "kind": "sensitive",
            "list": "diversion",
            "line": WORD,
            "word": "加微信",
        }
        refused = await stack.siyu.post(f"{ROOT}{path}", data=data)
        assert refused.status == 403, path
        assert "需要“运营”角色" in await refused.text()
    assert await stored_files(stack) == before


async def test_a_form_without_its_csrf_token_is_refused(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    form = await form_of(stack)
    data = {"version": form["version"], "kind": "sensitive", "list": "diversion", "line": WORD}
    for csrf in ({}, {"csrf": "forged"}):
        refused = await stack.siyu.post(f"{ROOT}/entries", data={**data, **csrf})
        assert refused.status == 403
        assert "表单已过期或来源不明" in await refused.text()
    assert WORD not in (await stored_files(stack))["sensitive/diversion.txt"]


async def test_hits_are_recorded_once_and_listed_for_review(stack: Stack) -> None:
    batch = [
        {
            "msgid": "h1",
            "from": "wmDEMOzhaomin0002",
            "text": "加我v.x详聊",
            "to": "zhangwei",
            "time": int(stack.clock.now().timestamp()),
        },
        {
            "msgid": "h2",
            "from": "wmDEMOzhaomin0002",
            "text": "今天天气不错",
            "to": "zhangwei",
            "time": int(stack.clock.now().timestamp()),
        },
    ]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(2):
        posted = await stack.siyu.post("/api/v1/archive/messages", json=batch, headers=auth)
        assert posted.status == 200
        await stack.drained()
    hits = await stack.deps.get(HIT_LOG).recent()
    assert [(h.role, h.sender, h.categories, h.excerpt) for h in hits] == [
        ("customer", "wmDEMOzhaomin0002", ("diversion",), "【加我v.x详聊】")
    ]
    await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get(ROOT)).text()
    assert "【加我v.x详聊】" in page and "今天天气不错" not in page and "待处理" in page
    card = next(
        c["body"]["template_card"]
        for c in await stack.calls("message/send")
        if c["body"]["msgtype"] == "template_card"
    )
    click = {"task_id": card["task_id"], "event_key": FALSE_POSITIVE}
    await stack.sandbox.control("POST", "staff/manager/card_click", click)
    await stack.drained()
    page = await (await stack.siyu.get(ROOT)).text()
    assert "已标为误报" in page and "待处理" not in page


async def test_the_hit_log_keeps_only_the_newest(redis: Redis) -> None:
    log = HitLog(redis, "wwbounded", limit=3)
    for number in range(5):
        record = HitRecord(
            f"m{number}",
            1000 + number,
            "customer",
            "wm1",
            "archive",
            ("abuse",),
            ("垃圾",),
            "【垃圾】",
        )
        assert await log.record(record)
        assert not await log.record(record)  # a redelivered message: recorded once
    assert [hit.message for hit in await log.recent()] == ["m4", "m3", "m2"]
    assert await redis.hlen("siyu:{wwbounded}:moderation:hits:records") == 3


async def test_a_long_list_shows_the_newest_entries_and_finds_the_others(stack: Stack) -> None:
    await log_in(stack.siyu, Role.VIEWER)
    page = await (await stack.siyu.get(f"{ROOT}?kind=sensitive&list=diversion")).text()
    total = len(
        [
            1
            for line in (await stored_files(stack))["sensitive/diversion.txt"].splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    )
    assert total > 200
    assert f"显示 200 条，共 {total} 条" in page and page.count("<tr data-word=") == 200
    found = await (await stack.siyu.get(f"{ROOT}?kind=sensitive&list=diversion&q=支付宝")).text()
    assert "{~支付宝}" in found and "{~qq}" not in found


async def test_an_allowlisted_word_takes_the_hit_back(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    assert (await add(stack, f"{WORD} substring")).status == 303
    assert 'data-testid="trial-word">' in await try_text(stack, f"{WORD}本在桌上")
    allowed = await add(stack, f"{WORD}本", kind="allow", list="allow")
    assert allowed.status == 303, await allowed.text()
    assert (await stored_files(stack))["allow.txt"].endswith(f"\n{WORD}本\n")
    assert "trial-clean" in await try_text(stack, f"{WORD}本在桌上")
    assert 'data-testid="trial-word">' in await try_text(stack, f"{WORD}来了")
    mixed = await add(stack, "别的", kind="allow", list="diversion")
    assert mixed.status == 422 and "白名单的类别名为 allow" in await mixed.text()


async def test_a_bad_edit_is_shown_beside_its_row(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    await add(stack, WORD)
    target = {"kind": "sensitive", "list": "diversion", "word": WORD, "line": f"{WORD} bogus"}
    answer = await stack.siyu.post(f"{ROOT}/entries/edit", data={**await form_of(stack), **target})
    assert answer.status == 422
    page = await answer.text()
    row = page.split(f'<tr data-word="{WORD}">', 1)[1].split("</tr>", 1)[0]
    assert f'value="{WORD} bogus"' in row and 'data-testid="error-edit">' in row
    assert "词条格式有误" in row and 'data-testid="error-line"' not in page
    assert f"\n{WORD}\n" in (await stored_files(stack))["sensitive/diversion.txt"]
