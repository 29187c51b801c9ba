"""The console's operator story in a real browser through the sandbox: upload an image to
the media library, create a channel and put the image in its welcome, download its QR code,
a customer scans it and gets the welcome with the image; create a
group task with the live audience preview, and watch its progress move (without a reload)
as the sandbox's staff confirm their sends."""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.async_api import Browser, expect

from bot.admin.roles import Role
from bot.sandbox.world import WORLD
from handlers.intake.channel_store import ChannelCodes
from handlers.tasks import jobs
from tests.browser.conftest import NEEDS_CHROMIUM
from tests.browser.test_console import create_channel, open_console
from tests.handlers.intake.stack import Stack

pytestmark = NEEDS_CHROMIUM
POSTER_CODE = "cwDEMOposter"  # the demo's live code of channel poster_a (staff zhangwei)
PNG = base64.b64decode(  # a 1x1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def test_a_new_channel_s_welcome_carries_an_uploaded_image(
    browser: Browser, stack: Stack, screenshots: Path, tmp_path: Path
) -> None:
    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="素材库").first.click()
    poster = tmp_path / "poster.png"
    poster.write_bytes(PNG)
    await page.locator('input[name="file"]').set_input_files(str(poster))
    await page.get_by_test_id("upload").click()
    await expect(page.get_by_test_id("notice")).to_be_visible()
    item_id = await page.locator("tr[data-item]").first.get_attribute("data-item")
    assert item_id

    await create_channel(page)  # 展会 (expo): its welcome text, then its image
    await page.goto(str(stack.siyu.make_url("/console/welcomes/channel/expo")))
    await page.get_by_test_id("new-kind").select_option("image")
    await page.locator('input[name="new_library"]').fill(item_id)
    await page.get_by_test_id("save").click()
    await expect(page.get_by_test_id("notice")).to_be_visible()
    await page.screenshot(path=screenshots / "welcome-image.png", full_page=True)

    await page.goto(str(stack.siyu.make_url("/console/channels/expo")))
    await page.get_by_test_id("make-code").click()
    await expect(page.get_by_test_id("qr")).to_be_visible()
    async with page.expect_download() as download_info:
        await page.get_by_test_id("download-qr").click()
    with open(await (await download_info.value).path(), "rb") as png:  # noqa: ASYNC230 - small
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"

    code = await ChannelCodes(stack.redis, stack.settings.wecom.corp_id).get("expo")
    assert code is not None
    await stack.scan(code.config_id, "wmSTORYwelcome01")
    await stack.drained()
    [call] = await stack.calls("externalcontact/send_welcome_msg")
    assert call["body"]["text"]["content"].endswith("，欢迎来到展会！")
    [image] = [a["image"] for a in call["body"]["attachments"] if a["msgtype"] == "image"]
    assert image.get("pic_url") or image.get("media_id")


async def test_a_task_with_its_audience_preview_and_progress_moving(
    browser: Browser, stack: Stack, screenshots: Path
) -> None:
    for number in range(3):  # customers of zhangwei, in siyu's indexes
        await stack.scan(POSTER_CODE, f"wmSTORYtask{number:04d}")
    await stack.drained()

    page = await open_console(browser, stack, Role.OPERATOR)
    await page.get_by_role("link", name="群发任务").first.click()
    await page.get_by_test_id("new-task").click()
    await page.get_by_label("标题").fill("春季上新")
    await page.locator('input[name="deadline"]').fill("2030-01-01T20:00")
    await page.locator('textarea[name="text"]').fill("春季新品到店啦")
    await page.locator('input[name="staff"]').fill("zhangwei")
    world = stack.sandbox.http.app[WORLD]  # WeCom's truth: zhangwei's customers
    customers = len(world.corp.customers_of("zhangwei"))
    assert customers >= 3  # the scans above, and the demo's own customers of zhangwei
    preview = page.get_by_test_id("audience-count")
    await expect(preview).to_have_text(f"预计发送给 {customers} 位客户", timeout=15_000)
    await page.screenshot(path=screenshots / "task-new.png", full_page=True)
    await page.get_by_test_id("create").click()
    await expect(page.get_by_test_id("notice")).to_be_visible()
    await expect(page.get_by_test_id("progress")).to_have_text(f"0/{customers}")

    await stack.drained()
    calls = await stack.calls("externalcontact/add_msg_template")
    assert calls, "the worker made the task's WeCom call"
    for call in calls:
        await stack.sandbox.control(
            "POST", f"groupmsg/{call['response']['msgid']}/confirm", {"staff": "zhangwei"}
        )
    await jobs.tick(stack.deps, stack.clock.now())  # the periodic job the scheduler runs

    progress = page.get_by_test_id("progress")
    await expect(progress).to_have_text(f"{customers}/{customers}", timeout=15_000)
    await page.screenshot(path=screenshots / "task.png", full_page=True)
