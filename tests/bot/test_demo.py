"""`siyu demo` runs end to end and tells the story it promises."""

from __future__ import annotations

import subprocess
import sys

from tests.support.processes import PROJECT_ROOT


def test_demo_plays_every_scene() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", "demo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "FAIL" not in out, out
    assert "answers WeCom's URL verification correctly" in out
    assert "delivers add_external_contact 3 times" in out
    assert "queued it 1 time(s); recognised 2 duplicate(s)" in out
    assert "forges a callback without the token → siyu answers HTTP 403" in out
    assert "sends a broken body → siyu answers HTTP 400" in out
    assert "queued 0 of them" in out
    assert "receives the welcome «" in out, "the new customer is welcomed by name"
    assert "提醒你给刘洋发报价" in out, "the staff member's reminder is confirmed"
    assert "updates the card: «已完成»" in out, "and delivered, then ticked off"
    assert "删除了你" in out, "the staff member hears that the customer left"
    assert "【加我薇 信 liuyang88】" in out, "the manager sees the disguised invitation"
    assert "在问价格" in out, "the staff member hears the customer asks the price"
    assert "/console/  login demo / siyu-demo" in out.splitlines()[-1], "it ends on the console"
    assert "→ reminded wangfang" in out, "the campaign's laggard is reminded"
    assert "100%  6/6 sent" in out, "and the campaign reaches 100%"
    assert "Traceback" not in result.stderr
