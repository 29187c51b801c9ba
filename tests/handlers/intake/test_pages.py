"""渠道活码 in the console, through the whole stack: the form validated by the rules' models,
stale edits refused, viewers refused, the live code's QR as PNG, today's numbers."""

from __future__ import annotations

from typing import Any

from bot.admin.roles import Role
from handlers.intake.channel_store import ChannelCodes
from handlers.intake.live import rules_of
from tests.handlers.intake.stack import Stack
from tests.support.console import add_accounts, csrf_of, log_in

FORM = {
    "channel_id": "expo",
    "name": "展会",
    "state": "ch_expo",
    "staff-0-userid": "lina",
    "staff-0-weight": "2",
    "staff-0-daily_cap": "50",
    "staff-0-hours": "",
    "staff-1-userid": "wangfang",
    "staff-1-weight": "",
    "staff-1-daily_cap": "",
    "staff-1-hours": "mon-fri 09:00-18:00",
    "staff-2-userid": "",
    "staff-2-weight": "",
    "staff-2-daily_cap": "",
    "staff-2-hours": "",
    "backup": "manager",
    "tags": "来源/展会",
    "welcome": "您好 {customer_name}，欢迎来到展会！",
}


async def logged_in(stack: Stack, role: Role) -> str:
    await add_accounts(stack.redis, stack.settings.wecom.corp_id, stack.clock.now())
    return await log_in(stack.siyu, role)


async def new_form(stack: Stack, **changes: str) -> dict[str, Any]:
    page = await (await stack.siyu.get("/console/channels/new")).text()
    version = page.split('name="version" value="')[1].split('"')[0]
    return {**FORM, "csrf": csrf_of(page), "version": version, **changes}


async def test_an_operator_creates_a_channel_through_the_form(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    answer = await stack.siyu.post(
        "/console/channels/new", data=await new_form(stack), allow_redirects=False
    )
    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == "/console/channels/expo?done=saved"
    channel = (await rules_of(stack.deps)).channels["expo"]
    assert [(m.userid, m.weight, m.daily_cap) for m in channel.staff] == [
        ("lina", 2, 50),
        ("wangfang", 1, None),
    ]
    assert channel.staff[1].hours == ("mon-fri 09:00-18:00",)
    assert channel.backup == ("manager",)
    assert [(tag.group, tag.name) for tag in channel.tags] == [("来源", "展会")]
    assert channel.welcome is not None and channel.welcome.text.startswith("您好")
    page = await (await stack.siyu.get(answer.headers["Location"])).text()
    assert "已保存" in page and "生成活码" in page


async def test_the_form_is_validated_by_the_rules_models(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    form = await new_form(stack, state="x" * 31)
    answer = await stack.siyu.post("/console/channels/new", data=form)
    assert answer.status == 422
    page = await answer.text()
    assert "请修正以下问题" in page and "state: String should have at most 30 characters" in page
    assert 'value="展会"' in page  # what was typed is kept
    assert "expo" not in (await rules_of(stack.deps)).channels


async def test_a_stale_edit_is_refused_with_a_conflict_message(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    first = await new_form(stack)
    await stack.siyu.post("/console/channels/new", data=first)
    page = await (await stack.siyu.get("/console/channels/expo")).text()
    version = page.split('name="version" value="')[1].split('"')[0]
    mine = {**FORM, "csrf": first["csrf"], "version": version, "name": "展会 A"}
    theirs = {**mine, "name": "展会 B"}
    assert (await stack.siyu.post("/console/channels/expo", data=theirs)).status == 200
    answer = await stack.siyu.post("/console/channels/expo", data=mine)
    assert answer.status == 409
    assert "其他人在您打开此页后修改了渠道规则" in await answer.text()
    assert (await rules_of(stack.deps)).channels["expo"].name == "展会 B"


async def test_a_viewer_sees_no_edit_buttons_and_cannot_edit(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    await stack.siyu.post("/console/channels/new", data=await new_form(stack))
    csrf = await log_in(stack.siyu, Role.VIEWER)
    listing = await (await stack.siyu.get("/console/channels")).text()
    assert "展会" in listing and "新建渠道" not in listing
    page = await (await stack.siyu.get("/console/channels/expo")).text()
    assert 'data-testid="save"' not in page and "生成活码" not in page and "disabled" in page
    for path in ("/console/channels/expo", "/console/channels/new", "/console/channels/expo/code"):
        refused = await stack.siyu.post(path, data={**FORM, "csrf": csrf, "name": "改"})
        assert refused.status == 403, path
        assert "需要“运营”角色" in await refused.text()
    assert (await rules_of(stack.deps)).channels["expo"].name == "展会"


async def test_the_live_code_is_made_and_its_qr_downloads_as_png(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.OPERATOR)
    await stack.siyu.post("/console/channels/new", data=await new_form(stack))
    answer = await stack.siyu.post(
        "/console/channels/expo/code", data={"csrf": csrf}, allow_redirects=False
    )
    assert answer.status == 303
    code = await ChannelCodes(stack.redis, stack.settings.wecom.corp_id).get("expo")
    assert code is not None and code.state == "ch_expo"
    png = await stack.siyu.get("/console/channels/expo/qr.png?download=1")
    assert png.content_type == "image/png"
    assert (await png.read()).startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["Content-Disposition"] == 'attachment; filename="channel-expo.png"'


async def test_the_list_shows_todays_numbers(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.OPERATOR)
    await stack.siyu.post("/console/channels/new", data=await new_form(stack))
    await stack.siyu.post("/console/channels/expo/code", data={"csrf": csrf})
    code = await ChannelCodes(stack.redis, stack.settings.wecom.corp_id).get("expo")
    assert code is not None
    await stack.scan(code.config_id, "wmPAGES00001")
    await stack.drained()
    listing = await (await stack.siyu.get("/console/channels")).text()
    row = listing.split('data-channel="expo"')[1].split("</tr>")[0]
    assert '<td data-testid="adds">1</td>' in row
    summary = await (await stack.siyu.get("/api/v1/channels/summary?days=2&channel=expo")).json()
    assert summary["channels"][0]["adds"] == [0, 1]
