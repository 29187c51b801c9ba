"""``siyu nlp scan`` as an operator runs it: a real process, stdin to stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.processes import PROJECT_ROOT

SIYU = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())"]


def _scan(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SIYU, "nlp", "scan", *args],
        input=stdin,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_one_json_object_per_line_with_original_offsets() -> None:
    lines = ["加我v.x详聊", "这个多少钱呀", "", "滚筒洗衣机还有吗", "😀"]
    result = _scan("\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    first = records[0]
    assert first["sensitive"] == [
        {"category": "diversion", "word": first["sensitive"][0]["word"], "start": 0, "end": 7}
    ]
    assert first["intent"] is None and first["score"] == 0.0
    assert records[1]["intent"] == "price" and records[1]["score"] > 0
    assert all(r["sensitive"] == [] and r["intent"] is None for r in records[2:])
    assert "加我v.x详聊" in result.stdout  # ensure_ascii=False: readable Chinese


def test_scan_uses_the_lists_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "sensitive").mkdir()
    (tmp_path / "sensitive" / "abuse.txt").write_text("紫色独角兽\n", encoding="utf-8")
    result = _scan("一只紫色独角兽\n加我vx\n", "--lists", str(tmp_path))
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["sensitive"][0]["category"] == "abuse"
    assert second["sensitive"] == []  # only the given lists


def test_scan_uses_the_lists_of_the_settings_file(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    (lists / "sensitive").mkdir(parents=True)
    (lists / "sensitive" / "fraud.txt").write_text("紫色独角兽\n", encoding="utf-8")
    config = tmp_path / "siyu.toml"
    config.write_text(
        '[wecom]\ncorp_id = "wwcorp"\n[apps.default]\ntoken = "t"\n'
        'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n'
        f'[moderation]\nlists_dir = "{lists}"\n',
        encoding="utf-8",
    )
    result = _scan("一只紫色独角兽\n", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sensitive"][0]["category"] == "fraud"


def test_bad_lists_exit_2_with_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "sensitive").mkdir()
    (tmp_path / "sensitive" / "abuse.txt").write_text("傻\n", encoding="utf-8")
    result = _scan("hi\n", "--lists", str(tmp_path))
    assert result.returncode == 2
    assert "abuse.txt:1" in result.stderr


def test_help() -> None:
    for args in (["nlp", "scan"], ["bench", "nlp"]):
        result = subprocess.run(
            [*SIYU, *args, "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "usage: siyu" in result.stdout
