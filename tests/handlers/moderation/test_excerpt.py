"""The excerpt on alert cards: hits in 【】, a little context, one line, bounded."""

from __future__ import annotations

import pytest

from handlers.moderation.excerpt import MAX_CHARS, excerpt, shortened


@pytest.mark.parametrize(
    ("text", "spans", "context", "expected"),
    [
        ("加我v.x详聊", [(0, 7)], 10, "【加我v.x详聊】"),
        ("好的，加我v.x详聊吧", [(3, 10)], 10, "好的，【加我v.x详聊】吧"),
        ("0123456789加我vx聊abcdefghij", [(10, 15)], 3, "…789【加我vx聊】abc…"),
        ("全国第一，保证100%有效", [(0, 4), (7, 13)], 2, "【全国第一】，保证【100%有效】"),
        ("加我微信加我微信", [(0, 4), (2, 6)], 0, "【加我微信加我】…"),
        ("第一行\n加我vx\t详聊", [(4, 8)], 5, "第一行 【加我vx】 详聊"),
        ("abc", [], 3, "abc"),
        ("abc", [(5, 9)], 3, "abc"),
    ],
)
def test_hits_are_highlighted_with_context(
    text: str, spans: list[tuple[int, int]], context: int, expected: str
) -> None:
    assert excerpt(text, spans, context) == expected


def test_far_apart_hits_stay_within_the_limit() -> None:
    text = "加我vx" + "啊" * 200 + "私下转账"
    shown = excerpt(text, [(0, 4), (204, 208)], context=10)
    assert shown.startswith("【加我vx】")
    assert "私下转账" not in shown
    assert len(shown) <= MAX_CHARS + 3


def test_a_long_hit_is_shortened_inside_its_brackets() -> None:
    url = "http://example.com/" + "x" * 200
    shown = excerpt(url, [(0, len(url))])
    assert shown.startswith("【http://example.com/") and shown.endswith("…】")
    assert len(shown) < 40


def test_prompts_quote_one_short_line() -> None:
    assert shortened("这个\n多少钱呀") == "这个 多少钱呀"
    assert shortened("啊" * 50, 10) == "啊" * 9 + "…"
