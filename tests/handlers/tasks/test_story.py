"""The demo's campaign as ``make demo`` plays it: system clock, demo corp, real HTTP.

Creation to 100% with exactly one reminded laggard, whatever the time of day the demo runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import create_app
from bot.demo import campaign_story as story
from bot.live import RUNTIME
from handlers.tasks import service
from tests.support.sandboxed import ClientFactory, sandbox_and_settings


async def test_the_demo_campaign_reaches_100_percent_with_one_reminded_laggard(
    aiohttp_client: ClientFactory, redis_url: str
) -> None:
    sandbox, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    siyu = await aiohttp_client(create_app(settings))
    deps = siyu.app[RUNTIME].deps

    async def calls(api: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await (
            await sandbox.get("/sandbox/outbox", params={"api": api})
        ).json()
        return found

    async def confirm(staff: str) -> None:
        msgid = (await story.msgids(deps, task_id))[staff]
        answer = await sandbox.post(f"/sandbox/groupmsg/{msgid}/confirm", json={"staff": staff})
        assert answer.status == 200

    task_id = await story.launch(deps)
    assert len(await calls("externalcontact/add_msg_template")) == 3
    assert len(await calls("message/send")) == 3  # the prompt cards
    await confirm("zhangwei")
    await confirm("lina")

    later = await story.reminder_time(deps, task_id)
    assert await story.check(deps, task_id, later) == "reminded wangfang"
    [wecom] = await calls("externalcontact/remind_groupmsg_send")
    assert wecom["response"]["errcode"] == 0
    await confirm("wangfang")
    assert await story.check(deps, task_id, later + timedelta(minutes=10)) == "completed"

    state = await service.state(deps, task_id)
    assert state is not None and state["progress"] == 1.0
    assert [s["reminders"] for s in state["staff"]] == [0, 1, 0]  # lina, wangfang, zhangwei
    lines = story.progress_lines(state, deps)
    assert any("100%" in line and "wangfang" in line for line in lines)
    summary = [c for c in await calls("message/send") if c["body"]["msgtype"] == "markdown"]
    assert len(summary) == 1 and summary[0]["body"]["touser"] == "manager"
