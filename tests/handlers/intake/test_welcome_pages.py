"""欢迎语 in the console, through the whole stack: the default, channel and staff welcomes
edited at the version read (412 when stale), checked by the rules' model with the problem
next to its field, the phone preview filled for a sample customer, viewers and forms
without CSRF refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.admin.roles import Role
from handlers.intake.live import rules_of
from tests.handlers.intake.stack import Stack, rules_with
from tests.support.console import add_accounts, csrf_of, log_in

ROOT = "/console/welcomes"
_VERSION = re.compile(r'name="version" value="(\d+)"')


async def logged_in(stack: Stack, role: Role) -> str:
    await add_accounts(stack.redis, stack.settings.wecom.corp_id, stack.clock.now())
    return await log_in(stack.siyu, role)


async def form_of(stack: Stack, path: str) -> dict[str, str]:
    page = await (await stack.siyu.get(path)).text()
    found = _VERSION.search(page)
    assert found is not None, page
    return {"csrf": csrf_of(page), "version": found.group(1)}


async def save(stack: Stack, path: str, **fields: str) -> Any:
    data = {**await form_of(stack, path), **fields}
    return await stack.siyu.post(path, data=data, allow_redirects=False)


async def test_the_list_shows_every_welcome_and_its_fallbacks(stack: Stack) -> None:
    await logged_in(stack, Role.VIEWER)
    page = await (await stack.siyu.get(ROOT)).text()
    assert "默认欢迎语" in page and "渠道：海报A" in page and "成员：李娜" in page
    assert "未设置（使用上一级欢迎语）" in page


async def test_an_operator_edits_the_default_welcome(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    answer = await save(stack, f"{ROOT}/default", text="{customer_name}您好，我是{staff_name}！")
    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == f"{ROOT}/default?done=saved"
    assert (await rules_of(stack.deps)).welcome.text == "{customer_name}您好，我是{staff_name}！"
    page = await (await stack.siyu.get(answer.headers["Location"])).text()
    assert "已保存。" in page
    assert 'data-testid="phone-text">小明您好，我是李娜！' in page  # the directory's first


async def test_a_channel_welcome_keeps_or_drops_attachments_and_adds_a_link(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    path = f"{ROOT}/channel/poster_a"
    before = (await rules_of(stack.deps)).channels["poster_a"].welcome
    assert before is not None and len(before.attachments) == 1
    link = {"new_kind": "link", "new_title": "新品目录", "new_url": "https://example.com/catalog"}
    added = await save(
        stack, path, text="{channel}专享：{customer_name}您好", **{"keep-0": "1"}, **link
    )
    assert added.status == 303, await added.text()
    after = (await rules_of(stack.deps)).channels["poster_a"].welcome
    assert after is not None and after.text == "{channel}专享：{customer_name}您好"
    assert after.attachments[0] == before.attachments[0]
    assert after.attachments[1].link is not None and after.attachments[1].link.title == "新品目录"
    page = await (await stack.siyu.get(path)).text()
    assert 'data-testid="phone-text">海报A专享：小明您好' in page and "新品目录" in page
    dropped = await save(stack, path, text="{channel}专享", **{"keep-1": "1"})
    assert dropped.status == 303, await dropped.text()
    last = (await rules_of(stack.deps)).channels["poster_a"].welcome
    assert last is not None and last.attachments == (after.attachments[1],)


async def test_an_empty_staff_welcome_falls_back_again(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    path = f"{ROOT}/staff/lina"
    assert (await save(stack, path, text="我是李娜")).status == 303
    assert (await rules_of(stack.deps)).staff["lina"].welcome is not None
    assert (await save(stack, path, text="")).status == 303
    assert (await rules_of(stack.deps)).staff["lina"].welcome is None


@pytest.mark.parametrize(
    ("path", "fields", "field", "message"),
    [
        ("default", {"text": ""}, "error-text", "默认欢迎语需要正文或附件。"),
        ("default", {"text": "长" * 1400}, "error-text", "正文最长"),
        (
            "default",
            {"text": "hi", "new_kind": "link", "new_title": "x", "new_url": "ftp://x"},
            "error-new",
            "链接附件需要标题",
        ),
        ("staff/lina", {"text": "hi", "new_kind": "image"}, "error-new", "请填写素材库 ID。"),
    ],
)
async def test_bad_input_is_refused_next_to_its_field_and_kept(
    stack: Stack, path: str, fields: dict[str, str], field: str, message: str
) -> None:
    await logged_in(stack, Role.OPERATOR)
    before = await rules_of(stack.deps)
    answer = await save(stack, f"{ROOT}/{path}", **fields)
    assert answer.status == 422
    page = await answer.text()
    assert f'data-testid="{field}">' in page and message in page
    assert fields["text"][:20] in page  # what was typed is shown again
    assert await rules_of(stack.deps) == before


async def test_a_stale_edit_is_refused_with_412(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    stale = await form_of(stack, f"{ROOT}/default")
    assert (await save(stack, f"{ROOT}/staff/lina", text="我是李娜")).status == 303
    answer = await stack.siyu.post(f"{ROOT}/default", data={**stale, "text": "覆盖"})
    assert answer.status == 412
    page = await answer.text()
    assert "其他人在您打开此页后修改了欢迎语" in page and "覆盖" in page
    assert (await rules_of(stack.deps)).welcome.text != "覆盖"


async def test_the_preview_fills_what_is_typed_without_saving(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.OPERATOR)
    before = await rules_of(stack.deps)
    answer = await stack.siyu.post(
        f"{ROOT}/preview",
        data={
            "csrf": csrf,
            "scope": "staff",
            "key": "wangfang",
            "text": "{staff_name}问候{customer_name}",
        },
    )
    assert answer.status == 200
    assert 'data-testid="phone-text">王芳问候小明' in await answer.text()
    assert await rules_of(stack.deps) == before
    unknown = await stack.siyu.post(
        f"{ROOT}/preview", data={"csrf": csrf, "scope": "channel", "key": "nope", "text": "x"}
    )
    assert unknown.status == 404


async def test_a_viewer_sees_no_edit_buttons_and_the_server_refuses_edits(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.VIEWER)
    page = await (await stack.siyu.get(f"{ROOT}/default")).text()
    assert 'data-testid="save"' not in page and "disabled" in page and "只读账号" in page
    before = await rules_of(stack.deps)
    for path in ("default", "channel/poster_a", "staff/lina"):
        refused = await stack.siyu.post(f"{ROOT}/{path}", data={"csrf": csrf, "text": "改"})
        assert refused.status == 403, path
        assert "需要“运营”角色" in await refused.text()
    assert await rules_of(stack.deps) == before


async def test_a_form_without_its_csrf_token_is_refused(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    form = await form_of(stack, f"{ROOT}/default")
    refused = await stack.siyu.post(
        f"{ROOT}/default", data={"version": form["version"], "text": "改"}
    )
    assert refused.status == 403 and "表单已过期或来源不明" in await refused.text()
    assert (await rules_of(stack.deps)).welcome.text != "改"


async def test_an_unknown_channel_is_not_found(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    assert (await stack.siyu.get(f"{ROOT}/channel/nope")).status == 404


async def test_the_phone_draws_each_kind_of_attachment(stack: Stack) -> None:
    welcome = {
        "text": "{customer_name}，看看这些",
        "attachments": [
            {"msgtype": "image", "image": {"library": "lib-poster"}},
            {
                "msgtype": "miniprogram",
                "miniprogram": {
                    "title": "会员中心",
                    "pic_media_id": "MEDIA1",
                    "appid": "wx123",
                    "page": "pages/index",
                },
            },
            {"msgtype": "file", "file": {"library": "lib-brochure"}},
            {"msgtype": "video", "video": {"media_id": "MEDIA2"}},
        ],
    }
    staff = {"lina": {"name": "李娜", "welcome": welcome}}
    await stack.set_rules(rules_with(staff=staff))
    await logged_in(stack, Role.VIEWER)
    page = await (await stack.siyu.get(f"{ROOT}/staff/lina")).text()
    kinds = re.findall(r'data-testid="phone-attachment" data-kind="(\w+)"', page)
    assert kinds == ["image", "miniprogram", "file", "video"]
    assert '<img src="/console/media/lib-poster/preview"' in page
    assert "会员中心" in page and "lib-brochure" in page
    assert 'data-testid="phone-text">小明，看看这些' in page
