"""话术库 and FAQ in the console, through the whole stack: items added, edited and removed in
the rule sets at the version read (412 when stale), checked by the sets' own models with the
problem next to its field, viewers and forms without CSRF refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.admin.rules import RULE_SETS
from bot.clock import ManualClock
from handlers.replies.rules import QUICK_REPLIES
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.console import add_accounts, csrf_of, log_in
from tests.support.stack import ClientFactory

_VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    started = await start_stack(aiohttp_client, clock, redis_url, redis)
    await add_accounts(redis, started.settings.wecom.corp_id, clock.now())
    return started


async def form_of(stack: Stack, path: str) -> dict[str, str]:
    page = await (await stack.siyu.get(path)).text()
    found = _VERSION.search(page)
    assert found is not None, page
    return {"csrf": csrf_of(page), "version": found.group(1)}


async def save(stack: Stack, path: str, **fields: str) -> Any:
    data = {**await form_of(stack, path.removesuffix("/delete")), **fields}
    return await stack.siyu.post(path, data=data, allow_redirects=False)


async def replies_doc(stack: Stack) -> Any:
    doc, _ = await stack.deps.get(QUICK_REPLIES).store.get("replies")
    return doc


async def faq_doc(stack: Stack) -> Any:
    """The 微信客服 bot's FAQ document (seeded from config/faq.toml)."""
    doc, _ = await stack.deps.get(RULE_SETS)["faq"].store.get("faq")
    return doc


def answer(doc: Any, answer_id: str) -> Any:
    return next(a for a in doc["answers"] if a["id"] == answer_id)


async def test_an_operator_adds_edits_and_deletes_a_quick_reply(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    listing = await (await stack.siyu.get("/console/replies")).text()
    assert "售前" in listing and "价目表" in listing
    added = await save(
        stack,
        "/console/replies/new",
        id="shipping",
        group="物流",
        title="发货时间",
        text="下单后 48 小时内发货。",
        keywords="发货，快递",
        **{
            "att-0-kind": "link",
            "att-0-url": "https://example.com/ship",
            "att-0-title": "物流说明",
        },
    )
    assert added.status == 303, await added.text()
    assert added.headers["Location"] == "/console/replies/shipping?done=saved"
    groups = {g["name"]: g["replies"] for g in (await replies_doc(stack))["groups"]}
    assert groups["物流"][0]["keywords"] == ["发货", "快递"]
    assert groups["物流"][0]["attachments"][0]["title"] == "物流说明"
    assert (await stack.deps.get(QUICK_REPLIES).current()).search("快递")[0][1].id == "shipping"
    moved = await save(stack, "/console/replies/shipping", group="售后", title="发货", text="很快")
    assert moved.status == 303
    groups = {g["name"]: g["replies"] for g in (await replies_doc(stack))["groups"]}
    assert groups["物流"] == [] and groups["售后"][-1]["title"] == "发货"
    gone = await save(stack, "/console/replies/shipping/delete")
    assert gone.status == 303 and gone.headers["Location"] == "/console/replies?done=deleted"
    ids = [r["id"] for g in (await replies_doc(stack))["groups"] for r in g["replies"]]
    assert "shipping" not in ids


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"id": "greeting"}, "error-id", "该 ID 已被使用。"),
        ({"id": "bad id"}, "error-id", "ID 须为"),
        ({"id": "new"}, "error-id", "ID 须为"),
        ({"group": ""}, "error-group", "请填写分组名"),
        ({"title": ""}, "error-title", "内容有误"),
    ],
)
async def test_a_bad_reply_is_refused_next_to_its_field(
    stack: Stack, fields: dict[str, str], field: str, message: str
) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    before = await replies_doc(stack)
    form = {"id": "fresh", "group": "售前", "title": "标题", "text": "正文", **fields}
    answer = await save(stack, "/console/replies/new", **form)
    assert answer.status == 422
    page = await answer.text()
    assert f'data-testid="{field}">' in page and message in page
    assert 'value="正文"' in page or "正文</textarea>" in page  # what was typed stays
    assert await replies_doc(stack) == before


async def test_a_bad_attachment_is_refused(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    answer = await save(
        stack,
        "/console/replies/new",
        id="fresh",
        group="售前",
        title="标题",
        **{"att-0-kind": "link", "att-0-url": "https://example.com"},
    )
    assert answer.status == 422 and "url and title" in await answer.text()


async def test_an_operator_edits_a_faq_answer_and_its_menu(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    listing = await (await stack.siyu.get("/console/faq")).text()
    assert "会员价格" in listing and "预约体验" in listing  # a bare menu id shows its title
    added = await save(
        stack,
        "/console/faq/new",
        id="trial",
        keywords="试用，免费",
        text="可免费试用 7 天。",
        **{"menu-0-label": "看价格", "menu-0-answer": "price"},
    )
    assert added.status == 303, await added.text()
    edited = await save(
        stack,
        "/console/faq/price",
        intents="price",
        text="月卡 289 元起。",
        **{"menu-0-label": "预约", "menu-0-answer": "booking"},
    )
    assert edited.status == 303, await edited.text()
    doc = await faq_doc(stack)
    assert answer(doc, "trial")["keywords"] == ["试用", "免费"]
    price = answer(doc, "price")
    assert price["text"] == "月卡 289 元起。"
    assert price["menu"] == [{"label": "预约", "answer": "booking"}]
    assert price["phrasings"] and price["attachments"], "what the form does not edit is kept"
    assert doc["welcome"]["menu"][0] == "price", "the bot's welcome is untouched"


async def test_a_menu_leading_nowhere_and_a_needed_answer_are_refused(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    before = await faq_doc(stack)
    stray = await save(
        stack,
        "/console/faq/new",
        id="x1",
        text="好",
        **{"menu-0-label": "去", "menu-0-answer": "nope"},
    )
    assert stray.status == 422
    page = await stray.text()
    assert 'data-testid="error-menu">' in page and "菜单指向不存在的回答：nope" in page
    empty = await save(stack, "/console/faq/new", id="x2", text="")
    assert empty.status == 422 and 'data-testid="error-text">' in await empty.text()
    long_label = await save(
        stack,
        "/console/faq/new",
        id="x3",
        text="好",
        **{"menu-0-label": "长" * 33, "menu-0-answer": "price"},
    )
    assert long_label.status == 422 and 'data-testid="error-menu">' in await long_label.text()
    needed = await save(stack, "/console/faq/price/delete")  # the welcome's menu leads to it
    assert needed.status == 422 and "price" in await needed.text()
    assert await faq_doc(stack) == before


async def test_a_stale_edit_is_refused_with_412(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    stale = await form_of(stack, "/console/faq/hours")
    assert (await save(stack, "/console/faq/hours", text="9:00-20:00")).status == 303
    refused = await stack.siyu.post("/console/faq/hours", data={**stale, "text": "全天"})
    assert refused.status == 412
    assert "其他人在您打开此页后修改了这些内容" in await refused.text()
    stale_reply = await form_of(stack, "/console/replies/refund")
    assert (await save(stack, "/console/replies/refund", group="售后", title="退款")).status == 303
    again = await stack.siyu.post("/console/replies/refund/delete", data={**stale_reply})
    assert again.status == 412
    assert answer(await faq_doc(stack), "hours")["text"] == "9:00-20:00"
    assert "refund" in [r["id"] for g in (await replies_doc(stack))["groups"] for r in g["replies"]]


async def test_a_viewer_sees_no_edit_buttons_and_the_server_refuses_edits(stack: Stack) -> None:
    csrf = await log_in(stack.siyu, Role.VIEWER)
    for path in ("/console/replies", "/console/faq"):
        page = await (await stack.siyu.get(path)).text()
        assert "只读账号" in page and "新建" not in page
    page = await (await stack.siyu.get("/console/replies/greeting")).text()
    assert 'data-testid="save"' not in page and 'data-testid="delete"' not in page
    before = (await replies_doc(stack), await faq_doc(stack))
    for path in (
        "/console/replies/new",
        "/console/replies/greeting",
        "/console/replies/greeting/delete",
        "/console/faq/new",
        "/console/faq/hours",
        "/console/faq/hours/delete",
    ):
        refused = await stack.siyu.post(path, data={"csrf": csrf, "id": "v", "text": "改"})
        assert refused.status == 403, path
        assert "需要“运营”角色" in await refused.text()
    assert (await replies_doc(stack), await faq_doc(stack)) == before


async def test_a_form_without_its_csrf_token_is_refused(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    form = await form_of(stack, "/console/faq/hours")
    refused = await stack.siyu.post(
        "/console/faq/hours", data={"version": form["version"], "text": "改"}
    )
    assert refused.status == 403 and "表单已过期或来源不明" in await refused.text()


async def test_an_unknown_item_is_not_found(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    assert (await stack.siyu.get("/console/replies/nope")).status == 404
    assert (await stack.siyu.get("/console/faq/nope")).status == 404
