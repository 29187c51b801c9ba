"""The Analyzer: the issue's examples, offsets, bad input, hot reload."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from nlp import Analyzer, ListError, Segmenter
from nlp.engine import MAX_CHARS


@pytest.mark.parametrize(
    ("text", "categories", "intent"),
    [
        ("加我v.x详聊", {"diversion"}, None),
        ("ＶＸ同号", {"diversion"}, None),
        ("这个多少钱呀", set(), "price"),
        ("别再给我发广告了", set(), "unsubscribe"),
        ("滚筒洗衣机还有吗", set(), None),
        ("我们做成人教育", set(), None),
        ("我要投诉你们", set(), "complaint"),
    ],
)
def test_the_examples_of_the_issue(
    analyzer: Analyzer, text: str, categories: set[str], intent: str | None
) -> None:
    result = analyzer.analyze(text)
    assert result.categories == categories
    assert result.intent == intent


def test_hit_offsets_are_into_the_original_text(analyzer: Analyzer) -> None:
    text = "您好😊！有问题 加 我 v . x 详聊，谢谢"
    (hit,) = analyzer.analyze(text).sensitive
    assert text[hit.start : hit.end] == "加 我 v . x 详聊"  # 加我微信 and 微信详聊, merged
    assert hit.word in {"加我微信", "微信详聊"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "😀" * 1000,
        "\x00\x07\x1b[0m\x7f",
        "中文English日本語한국어العربية" * 10,
        "加" * 100_000,
        "加我vx" * 20_000,
        "".join(chr(c) for c in range(0x20, 0x9FFF, 7)),
        "\ud800\udfff",
    ],
)
def test_bad_input_never_crashes_and_stays_bounded(analyzer: Analyzer, text: str) -> None:
    started = time.perf_counter()
    result = analyzer.analyze(text)
    assert time.perf_counter() - started < 2.0
    assert result.truncated == (len(text) > MAX_CHARS)
    for hit in result.sensitive:
        assert 0 <= hit.start < hit.end <= len(text)


def test_a_100kb_message_is_analyzed_in_bounded_time(analyzer: Analyzer) -> None:
    text = ("今天天气不错，我们去公园散步吧。" * 7000)[:100_000]
    started = time.perf_counter()
    result = analyzer.analyze(text)
    assert time.perf_counter() - started < 1.0
    assert result.truncated


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + 5  # mtime must move even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_reload_swaps_in_new_lists(segmenter: Segmenter, lists_dir: Path) -> None:
    analyzer = Analyzer(lists_dir, segmenter=segmenter)
    assert analyzer.analyze("紫色独角兽").sensitive == ()
    old = analyzer.snapshot
    _touch(lists_dir / "sensitive" / "abuse.extra.txt", "紫色独角兽\n")
    new = analyzer.reload()
    assert new is analyzer.snapshot and new is not old
    assert analyzer.analyze("紫色独角兽").categories == {"abuse"}


def test_a_bad_file_keeps_the_old_lists(segmenter: Segmenter, lists_dir: Path) -> None:
    analyzer = Analyzer(lists_dir, segmenter=segmenter)
    old = analyzer.snapshot
    _touch(lists_dir / "sensitive" / "abuse.extra.txt", "好词\n傻\n")
    with pytest.raises(ListError, match=r"abuse\.extra\.txt:2: '傻' is a single character"):
        analyzer.reload()
    assert analyzer.snapshot is old
    assert analyzer.last_error is not None
    assert analyzer.analyze("加我vx").categories == {"diversion"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sensitive/abuse.extra.txt", "好评，返现\n", "sentence punctuation"),
        ("sensitive/abuse.extra.txt", "加{没有这个}\n", "no family named"),
        ("sensitive/abuse.extra.txt", "坏词 heavy\n", "neither a weight nor a flag"),
        ("sensitive/Bad-Name.txt", "坏词\n", "lower-case"),
        ("families.toml", "[families\n", "families.toml"),
        ("settings.toml", "[intent]\nmin_score = 'high'\n", "must be numbers"),
    ],
)
def test_bad_files_are_named_in_the_error(
    segmenter: Segmenter, lists_dir: Path, name: str, content: str, message: str
) -> None:
    _touch(lists_dir / name, content)
    with pytest.raises(ListError, match=message):
        Analyzer(lists_dir, segmenter=segmenter)


def test_maybe_reload_polls_mtimes_and_builds_in_the_background(
    segmenter: Segmenter, lists_dir: Path
) -> None:
    now = [0.0]
    analyzer = Analyzer(lists_dir, segmenter=segmenter, poll_seconds=1.0, clock=lambda: now[0])
    assert not analyzer.maybe_reload()  # nothing changed
    _touch(lists_dir / "sensitive" / "fraud.extra.txt", "蓝色独角兽\n")
    assert not analyzer.maybe_reload()  # not yet time to look
    now[0] = 2.0
    assert analyzer.maybe_reload()
    analyzer.wait_reload(10)
    assert analyzer.analyze("蓝色独角兽").categories == {"fraud"}
    now[0] = 4.0
    assert not analyzer.maybe_reload()  # the new snapshot is up to date


def test_a_failed_background_reload_is_not_retried_until_a_file_changes(
    segmenter: Segmenter, lists_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    analyzer = Analyzer(lists_dir, segmenter=segmenter, poll_seconds=0.0, clock=lambda: now[0])
    old = analyzer.snapshot
    _touch(lists_dir / "sensitive" / "abuse.extra.txt", "傻\n")
    assert analyzer.maybe_reload(background=False)
    assert analyzer.snapshot is old
    assert "previous ones stay in use" in caplog.text
    assert not analyzer.maybe_reload(background=False)


def test_matching_continues_on_the_old_snapshot_during_a_reload(
    segmenter: Segmenter, lists_dir: Path
) -> None:
    words = "\n".join(f"词{i:05d}号" for i in range(20_000))
    analyzer = Analyzer(lists_dir, segmenter=segmenter)
    _touch(lists_dir / "sensitive" / "abuse.big.txt", words + "\n")
    done = threading.Event()
    results: list[frozenset[str]] = []

    def reload() -> None:
        analyzer.reload()
        done.set()

    thread = threading.Thread(target=reload)
    thread.start()
    while not done.is_set():
        results.append(analyzer.analyze("加我vx").categories)
    thread.join()
    assert results and all(r == {"diversion"} for r in results)
    assert analyzer.analyze("这是词12345号").categories == {"abuse"}


def test_a_50000_word_list_reloads_in_about_a_second(segmenter: Segmenter, tmp_path: Path) -> None:
    from bench.nlp_corpus import write_big_lists  # noqa: PLC0415 - the benchmark's own list

    words = write_big_lists(tmp_path / "nlp")
    analyzer = Analyzer(tmp_path / "nlp", segmenter=segmenter)
    started = time.perf_counter()
    analyzer.reload()
    elapsed = time.perf_counter() - started
    assert len(words) == 50_000
    assert elapsed < 2.0  # 0.4-0.6 s measured (BENCHMARKS.md); slack for a busy CI machine
    word = next(w for w in reversed(words) if len(w) >= 3)
    assert analyzer.analyze(f"这是{word}吧").sensitive
