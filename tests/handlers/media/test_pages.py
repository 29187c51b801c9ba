"""素材库 in the console, through the whole stack: the list with kind, size, expiry state and
uses; the upload form (multipart, CSRF); image previews; viewers see and post nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.clock import ManualClock
from tests.handlers.media.support import PDF, PNG, TOKEN, upload
from tests.support.console import add_accounts, log_in
from tests.support.stack import ClientFactory, Stack, start_stack


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(Stack, aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


async def logged_in(stack: Stack, role: Role) -> str:
    await add_accounts(stack.redis, stack.settings.wecom.corp_id, stack.clock.now())
    return await log_in(stack.siyu, role)


def form_of(csrf: str | None, filename: str, content: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    if csrf is not None:
        form.add_field("csrf", csrf)
    form.add_field("file", io.BytesIO(content), filename=filename)
    return form


async def test_an_operator_uploads_through_the_form_and_sees_the_library(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.OPERATOR)
    answer = await stack.siyu.post(
        "/console/media", data=form_of(csrf, "price-list.pdf", PDF), allow_redirects=False
    )
    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == "/console/media?done=uploaded"
    image = await upload(stack, "poster.png", PNG)
    page = await (await stack.siyu.get("/console/media?done=uploaded")).text()
    assert "已上传" in page and "price-list.pdf" in page and "poster.png" in page
    assert "剩余时间 3 天 0 小时" in page and "永久" in page and "图片" in page
    assert f'src="/console/media/{image["id"]}/preview"' in page
    preview = await stack.siyu.get(f"/console/media/{image['id']}/preview")
    assert preview.status == 200 and await preview.read() == PNG
    entries = await Audit(stack.redis, stack.settings.wecom.corp_id).page(5)
    assert any(e.actor == "user:olga" and e.diff["name"] == "price-list.pdf" for _, e in entries)
    stack.clock.advance(timedelta(days=4))  # no tick: the file's media_id lapses
    assert "已过期" in await (await stack.siyu.get("/console/media")).text()


async def test_a_file_wecom_would_refuse_is_shown_not_stored(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.OPERATOR)
    form = form_of(csrf, "poster.gif", PNG)
    form.add_field("kind", "image")
    answer = await stack.siyu.post("/console/media", data=form)
    assert answer.status == 422
    assert "企业微信不接受此文件" in await answer.text()
    assert "素材库还是空的" in await answer.text()


async def test_a_viewer_sees_no_upload_form_and_cannot_upload(stack: Stack) -> None:
    csrf = await logged_in(stack, Role.VIEWER)
    page = await (await stack.siyu.get("/console/media")).text()
    assert 'data-testid="upload-form"' not in page and "只读账号" in page
    answer = await stack.siyu.post("/console/media", data=form_of(csrf, "a.pdf", PDF))
    assert answer.status == 403 and "没有权限" in await answer.text()
    assert "素材库还是空的" in await (await stack.siyu.get("/console/media")).text()


async def test_an_upload_without_the_csrf_token_is_refused(stack: Stack) -> None:
    await logged_in(stack, Role.OPERATOR)
    answer = await stack.siyu.post("/console/media", data=form_of(None, "a.pdf", PDF))
    assert answer.status == 403 and "表单已过期" in await answer.text()
