"""``siyu tasks`` as a real process against a sandbox: create, show, list, cancel."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from bot.cli.task_display import bar
from bot.cli.tasks import parse_moment
from tests.support.processes import PROJECT_ROOT, write_config
from tests.support.sandboxed import ClientFactory, sandbox_and_settings


async def run(*args: str) -> tuple[int, str, str]:
    """The siyu command line in a child process: exit status, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; raise SystemExit(main())",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        cwd=PROJECT_ROOT,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_create_show_list_cancel(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, tmp_path: Path
) -> None:
    sandbox, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    config = str(write_config(settings, tmp_path / "siyu.toml"))
    deadline = (datetime.now(tz=UTC) + timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai"))

    status, out, err = await run(
        "tasks",
        "create",
        "--text",
        "周末新品到店，欢迎来看看",
        "--tag",
        "意向/高意向",
        "--tag",
        "海报",
        "--deadline",
        deadline.strftime("%Y-%m-%dT%H:%M"),
        "--config",
        config,
    )
    assert status == 0, err
    task_id = out.splitlines()[-1]
    assert task_id.isdigit()
    outbox = await sandbox.get(
        "/sandbox/outbox", params={"api": "externalcontact/add_msg_template"}
    )
    [call] = await outbox.json()
    assert call["body"]["external_userid"] == ["wmDEMOliuyang0001"]  # 高意向 and 海报
    assert call["body"]["sender"] == "zhangwei"

    status, out, _ = await run("tasks", "show", task_id, "--json", "--config", config)
    state = json.loads(out)
    assert state["state"] == "active" and state["targets"] == 1
    assert state["spec"]["customers"]["all_tags"] == ["etDEMOhigh", "etDEMOposter"]

    confirm = f"/sandbox/groupmsg/{state['msgids'][0]}/confirm"
    assert (await sandbox.post(confirm, json={"staff": "zhangwei"})).status == 200
    status, out, _ = await run("tasks", "show", task_id, "--refresh", "--config", config)
    assert status == 0
    assert "zhangwei" in out and bar(1, 1) in out and "completed" in out

    status, out, _ = await run("tasks", "list", "--json", "--config", config)
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["id"] == int(task_id) and listed["progress"] == 1.0
    status, out, _ = await run("tasks", "cancel", task_id, "--config", config)
    assert out.strip() == f"task {task_id}: already completed"


async def test_refusals_are_explained(
    aiohttp_client: ClientFactory, redis_url: str, tmp_path: Path
) -> None:
    _, settings = await sandbox_and_settings(aiohttp_client, redis_url)
    config = str(write_config(settings, tmp_path / "siyu.toml"))
    future = (datetime.now(tz=UTC) + timedelta(days=1)).isoformat()
    cases = [
        (["--deadline", future], "say all customers"),
        (["--tag", "不存在", "--deadline", future], "no tag named 不存在"),
        (["--all-customers", "--deadline", "2020-01-01T10:00"], "in the past"),
        (["--all-customers", "--deadline", "tomorrow"], "not an ISO 8601 time"),
    ]
    for extra, reason in cases:
        status, _, err = await run("tasks", "create", "--text", "hi", *extra, "--config", config)
        assert status == 2 and reason in err, err
    status, _, err = await run("tasks", "show", "999", "--config", config)
    assert status == 1 and "no task 999" in err


def test_deadlines_without_a_zone_are_local_and_a_date_means_its_end() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_moment("2026-11-26T18:00", shanghai) == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert parse_moment("2026-11-26", shanghai, end_of_day=True) == datetime(
        2026, 11, 26, 23, 59, 59, tzinfo=shanghai
    )
    assert parse_moment("2026-11-26T18:00+00:00", shanghai).hour == 18
