"""``siyu reminders parse``: stdin lines in, one JSON object per line out, no config needed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from bot.cli import build_parser
from bot.cli.reminder_parse import run_parse
from tests.support.processes import PROJECT_ROOT

NOW = "2026-12-06T10:00:00+08:00"  # a Sunday


def _parse(lines: str, *options: str) -> tuple[int, list[dict[str, object]]]:
    args = build_parser().parse_args(["reminders", "parse", "--now", NOW, *options])
    out = io.StringIO()
    status = run_parse(args, io.StringIO(lines), out)
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_message_line_becomes_one_json_object_with_the_six_fields() -> None:
    status, rows = _parse("提醒我明天下午3点回访\n\n每周五下午5点提醒我写周报\n")
    assert status == 0
    assert [set(row) for row in rows] == [{"text", "due", "rrule", "task", "customer", "error"}] * 2
    assert rows[0]["due"] == "2026-12-07T15:00:00+08:00"
    assert rows[0]["rrule"] is None
    assert rows[1]["rrule"] == "FREQ=WEEKLY;BYDAY=FR"
    assert rows[1]["due"] == "2026-12-11T17:00:00+08:00"


def test_a_message_without_a_time_gets_a_chinese_reason() -> None:
    _, [row] = _parse("提醒我回访客户\n")
    assert row["due"] is None
    assert row["error"] == "没有找到时间"


def test_another_time_zone_is_honoured() -> None:
    _, [row] = _parse("明天上午10点开会\n", "--tz", "Europe/Berlin")
    assert row["due"] == "2026-12-07T10:00:00+01:00"


def test_a_wrong_time_zone_is_a_clear_error() -> None:
    args = build_parser().parse_args(["reminders", "parse", "--tz", "Mars/Olympus"])
    assert run_parse(args, io.StringIO("明天10点开会\n"), io.StringIO()) == 2


def test_the_command_runs_without_a_config_file() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; raise SystemExit(main())",
            "reminders",
            "parse",
            "--now",
            NOW,
        ],
        input="后天上午九点半提醒我给张三打电话\n",
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["due"] == "2026-12-08T09:30:00+08:00"
    assert row["task"] == "给张三打电话"
