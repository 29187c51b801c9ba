"""The children's ERROR lines and tracebacks are counted for the chaos report."""

from __future__ import annotations

from pathlib import Path

from bot.chaos.logs import count_errors, read_logs

LOG = """WARNING:bot.worker:consumer c-1: redis unavailable (Timeout); retrying
ERROR:asyncio:Future exception was never retrieved
future: <Future finished exception=network:TimeoutError>
Traceback (most recent call last):
  File "x.py", line 1, in f
TimeoutError
2026-12-06 14:00:00,000 ERROR bot.gateway: something else
ERROR:asyncio:Future exception was never retrieved
"""


def test_error_lines_and_tracebacks_are_counted() -> None:
    found = count_errors(LOG.splitlines())
    assert (found.errors, found.tracebacks) == (3, 1)
    assert found.commonest == "ERROR:asyncio:Future exception was never retrieved"


def test_logs_are_read_from_every_file_and_a_missing_one_is_none(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(LOG, "utf-8")
    (tmp_path / "b.log").write_text("WARNING:x:fine\n", "utf-8")
    found = read_logs([tmp_path / "a.log", tmp_path / "b.log", tmp_path / "gone.log"])
    assert (found.errors, found.tracebacks) == (3, 1)
    assert count_errors(["WARNING:x:fine"]).commonest == ""
