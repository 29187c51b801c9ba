"""群发任务 in the console, through the whole stack: the live audience count (the dry run),
create, the list with progress, a task's page, cancel; viewers and forged forms refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.clock import ManualClock
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.console import add_accounts, csrf_of, log_in
from tests.support.stack import ClientFactory


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    found = await start_stack(aiohttp_client, clock, redis_url, redis)
    await add_accounts(found.redis, found.settings.wecom.corp_id, clock.now())
    return found


def form(stack: Stack, csrf: str | None, **changes: str) -> dict[str, Any]:
    deadline = (stack.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    values = {
        "title": "直播预告",
        "text": "今晚8点直播",
        "deadline": deadline,
        "tags_all": "",
        "tags_any": "直播，朋友推荐",
        "tags_none": "低意向",
        "staff": "",
        "channel": "",
        **changes,
    }
    return values if csrf is None else {**values, "csrf": csrf}


async def test_an_operator_counts_the_audience_creates_and_cancels(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    page = await (await stack.siyu.get("/console/tasks/new")).text()
    assert 'hx-post="/console/tasks/audience"' in page
    csrf = csrf_of(page)
    count = await stack.siyu.post("/console/tasks/audience", data=form(stack, csrf, text=""))
    fragment = await count.text()
    assert "<html" not in fragment and "预计发送给 2 位客户" in fragment
    no_deadline = form(stack, csrf, tags_any="直播", deadline="")
    narrower = await stack.siyu.post("/console/tasks/audience", data=no_deadline)
    assert "预计发送给" in await narrower.text()
    vague = await stack.siyu.post(
        "/console/tasks/audience", data=form(stack, csrf, tags_any="", tags_none="")
    )
    assert "条件不完整" in await vague.text()
    assert await stack.calls("externalcontact/add_msg_template") == []

    created = await stack.siyu.post(
        "/console/tasks/new", data=form(stack, csrf), allow_redirects=False
    )
    assert created.status == 303, await created.text()
    location = created.headers["Location"]
    task_id = int(location.split("/")[-1].split("?")[0])
    await stack.drained()
    shown = await (await stack.siyu.get(location)).text()
    assert "任务已创建" in shown and "发送中" in shown and 'data-testid="cancel"' in shown
    listed = await (await stack.siyu.get("/console/tasks")).text()
    assert f'data-task="{task_id}"' in listed and "0/2" in listed
    entries = await Audit(stack.redis, stack.settings.wecom.corp_id).page(5)
    assert any(e.document == f"tasks/{task_id}" and e.actor == "user:olga" for _, e in entries)

    cancel = await stack.siyu.post(f"/console/tasks/{task_id}/cancel", data={"csrf": csrf})
    page = await cancel.text()
    assert "已取消" in page and 'data-testid="cancel"' not in page


async def test_a_bad_task_is_shown_with_its_problems(stack: Stack) -> None:
    csrf = await log_in(stack.siyu, Role.OPERATOR)
    past = form(stack, csrf, deadline="2020-01-01T08:00")
    answer = await stack.siyu.post("/console/tasks/new", data=past)
    assert answer.status == 422
    page = await answer.text()
    assert "请修正以下问题" in page and "past" in page and "今晚8点直播" in page


async def test_a_viewer_sees_no_controls_and_is_refused(stack: Stack) -> None:
    operator = await log_in(stack.siyu, Role.OPERATOR)
    created = await stack.siyu.post(
        "/console/tasks/new", data=form(stack, operator), allow_redirects=False
    )
    task = created.headers["Location"].split("?")[0]
    csrf = await log_in(stack.siyu, Role.VIEWER)
    listed = await (await stack.siyu.get("/console/tasks")).text()
    assert 'data-testid="new-task"' not in listed and "只读账号" in listed
    assert 'data-testid="cancel"' not in await (await stack.siyu.get(task)).text()
    assert (await stack.siyu.get("/console/tasks/new")).status == 403
    for path in ("/console/tasks/new", "/console/tasks/audience", f"{task}/cancel"):
        refused = await stack.siyu.post(path, data=form(stack, csrf))
        assert refused.status == 403, path
    assert "已取消" not in await (await stack.siyu.get(task)).text()


async def test_forms_without_the_csrf_token_are_refused(stack: Stack) -> None:
    await log_in(stack.siyu, Role.OPERATOR)
    for path in ("/console/tasks/new", "/console/tasks/audience"):
        forged = await stack.siyu.post(path, data=form(stack, None))
        assert forged.status == 403 and "表单已过期" in await forged.text()
    assert "还没有群发任务" in await (await stack.siyu.get("/console/tasks")).text()
