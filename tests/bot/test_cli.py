"""The siyu command line: help everywhere, dead letters listed and replayed."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.queue import EventQueue, QueuedEvent
from bot.store.connection import connect
from tests.conftest import make_settings
from tests.support.processes import PROJECT_ROOT, write_config

SIYU = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())"]


@pytest.mark.parametrize(
    "args",
    [[], ["serve"], ["dead"], ["dead", "list"], ["dead", "replay"], ["demo"], ["bench", "ingest"]],
)
def test_help_everywhere(args: list[str]) -> None:
    result = subprocess.run(
        [*SIYU, *args, "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "usage: siyu" in result.stdout


def test_bad_config_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[wecom]\ncorp_id = "ww"\n', encoding="utf-8")
    assert main(["dead", "list", "--config", str(path)]) == 2
    assert "configuration error" in capsys.readouterr().err


async def _bury_one(url: str, corp_id: str) -> str:
    redis = connect(url, 2.0)
    try:
        queue = EventQueue(redis, corp_id)
        await queue.ensure_group()
        entry = QueuedEvent("1-1", "default", "text", "msg|1", "<xml>secret body</xml>", 0)
        return await queue.dead_letter(entry, 5, "RuntimeError: downstream is down")
    finally:
        await redis.aclose()


async def _stats(url: str, corp_id: str) -> tuple[int, int]:
    redis = connect(url, 2.0)
    try:
        stats = await EventQueue(redis, corp_id).stats()
        return stats.length, stats.dead
    finally:
        await redis.aclose()


def test_dead_list_and_replay(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(redis_url)
    config = str(write_config(settings, tmp_path / "siyu.toml"))
    dead_id = asyncio.run(_bury_one(redis_url, settings.wecom.corp_id))

    assert main(["dead", "list", "--json", "--config", config]) == 0
    [line] = capsys.readouterr().out.splitlines()
    listed = json.loads(line)
    assert listed["id"] == dead_id
    assert listed["error"] == "RuntimeError: downstream is down"
    assert "secret body" not in line  # no bodies on the terminal

    assert main(["dead", "replay", "0-1", "--config", config]) == 1  # no such id
    assert main(["dead", "replay", "--all", "--config", config]) == 0
    assert f"{dead_id} replayed as" in capsys.readouterr().out
    assert asyncio.run(_stats(redis_url, settings.wecom.corp_id)) == (1, 0)
