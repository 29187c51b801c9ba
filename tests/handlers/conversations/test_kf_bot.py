"""The KF bot's parts: the ``faq`` rule set (matching, validation), reply bodies, servicer
choice, the servicer's note and WeCom's sending rules (48 h, N replies per message) in Redis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.store.rules_live import RulesInvalid
from handlers.conversations.faq import FaqBook, fill
from handlers.conversations.faq_rules import faq_rule_set
from handlers.conversations.handoff import APP_TEXT_BYTES, pick_servicer, servicer_note
from handlers.conversations.needs import Answer, MenuItem
from handlers.conversations.sending import bodies_of, msgid_for
from handlers.conversations.sessions import Holder, KfSessions
from handlers.conversations.transcripts import Line

RULES = faq_rule_set()
SEED: dict[str, Any] = RULES.defaults()
FAQ: FaqBook = RULES.compile(SEED)
SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE: dict[str, Any] = {"welcome": {"text": "hi"}, "fallback": {"text": "?"}}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("随便问问", "price", "price"),  # the intent wins
        ("你们的年卡怎么办", None, "price"),  # a keyword
        ("ＶＩＰ会员卡", None, "price"),  # full-width and case do not matter
        ("门店在哪里", None, "address"),
        ("请问这个怎么卖呀", None, "price"),  # close to a phrasing
        ("办一张卡要多少钱", None, "price"),
        ("这个怎么了", None, None),  # not close enough
        ("我要投诉你们", "complaint", "human"),
        ("今天天气不错", None, None),
    ],
)
def test_answers_are_found_by_intent_then_keyword(
    text: str, intent: str | None, expected: str | None
) -> None:
    answer = FAQ.match(text, intent)
    assert (answer.id if answer else None) == expected


def test_variables_are_filled_and_unknown_ones_stay() -> None:
    address = FAQ.by_id("address")
    assert address is not None and "{" not in address.text
    assert fill("{brand}，{nope}", {"brand": "思域"}) == "思域，{nope}"


def test_a_menu_naming_an_unknown_answer_is_refused() -> None:
    doc = {**BASE, "welcome": {"text": "hi", "menu": ["nope"]}}
    with pytest.raises(RulesInvalid, match="unknown answers: nope"):
        RULES.normalize(doc)


def test_menus_take_ids_or_labelled_choices_and_the_seed_round_trips() -> None:
    assert RULES.normalize(SEED) == SEED
    answers = [
        {"id": "a", "title": "甲", "text": "A", "menu": ["b", {"label": "看看乙", "answer": "b"}]},
        {"id": "b", "text": "B"},
    ]
    book = RULES.compile(RULES.normalize({**BASE, "answers": answers}))
    found = book.by_id("a")
    assert found is not None
    assert found.menu == (MenuItem("b", "b"), MenuItem("b", "看看乙"))


def test_an_answer_is_a_menu_then_its_attachments() -> None:
    link = {"msgtype": "link", "link": {"title": "t", "url": "https://x"}}
    answer = Answer("a", "文本", (link,), (MenuItem("b", "下一个"),))
    assert bodies_of(answer) == [
        (
            "msgmenu",
            {
                "head_content": "文本",
                "list": [{"type": "click", "click": {"id": "b", "content": "下一个"}}],
            },
        ),
        ("link", {"title": "t", "url": "https://x"}),
    ]
    assert bodies_of(Answer("a", "只有文本")) == [("text", {"content": "只有文本"})]


def test_msgids_fit_wecom_and_are_stable() -> None:
    first = msgid_for("kf-answer:kf:abc", 0)
    assert re.fullmatch(r"[0-9a-zA-Z_-]{1,32}", first)
    assert first == msgid_for("kf-answer:kf:abc", 0) != msgid_for("kf-answer:kf:abc", 1)


@pytest.mark.parametrize(
    ("on_duty", "previous", "turn", "chosen"),
    [
        ([], "lina", 3, None),  # nobody on duty: the pool
        (["zhangwei", "lina"], "lina", 7, "lina"),  # the previous servicer first
        (["zhangwei", "lina"], "wangfang", 1, "zhangwei"),  # off duty: round robin
        (["zhangwei", "lina"], "", 2, "lina"),
    ],
)
def test_the_servicer_is_chosen(
    on_duty: list[str], previous: str, turn: int, chosen: str | None
) -> None:
    assert pick_servicer(on_duty, previous, turn) == chosen


def test_the_servicer_note_says_why_and_stays_under_wecoms_limit() -> None:
    lines = [Line("2026-11-24T18:00:00+08:00", "customer", "很长的消息" * 200)] * 40
    note = servicer_note("wmC", "wkKF", "complaint", lines, SHANGHAI)
    assert "原因：客户投诉" in note and len(note.encode()) <= APP_TEXT_BYTES
    assert "最近消息" in note


def test_the_servicer_note_shows_every_time_in_the_deployments_zone() -> None:
    lines = [
        Line("2026-11-24T02:30:00+00:00", "customer", "我想找人工"),  # a message's UTC stamp
        Line("2026-11-24T10:30:05+08:00", "bot", "好的"),  # the clock's local time
    ]
    note = servicer_note("wmC", "wkKF", "human", lines, SHANGHAI)
    assert "客户 10:30：我想找人工" in note and "机器人 10:30：好的" in note


NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)


async def test_replies_only_within_the_window_and_up_to_the_count(redis: Redis) -> None:
    sessions = KfSessions(redis, "wwTEST")
    take = sessions.take_reply
    assert await take("wk", "wm", NOW, 48 * 3600, 2) == "no_window", "never wrote"
    await sessions.customer_wrote("wk", "wm", NOW)
    assert [await take("wk", "wm", NOW, 48 * 3600, 2) for _ in range(3)] == [
        "ok",
        "ok",
        "reply_limit",
    ]
    await sessions.customer_wrote("wk", "wm", NOW - timedelta(hours=1))  # read late
    assert await take("wk", "wm", NOW, 48 * 3600, 2) == "reply_limit", "an older message"
    later = NOW + timedelta(hours=1)
    await sessions.customer_wrote("wk", "wm", later)
    assert await take("wk", "wm", later, 48 * 3600, 2) == "ok", "a new message, a new window"
    assert await take("wk", "wm", later + timedelta(hours=49), 48 * 3600, 2) == "no_window"


async def test_the_session_holder_and_fallback_streak(redis: Redis) -> None:
    sessions = KfSessions(redis, "wwTEST")
    assert (await sessions.view("wk", "wm2")).holder is Holder.BOT
    assert [await sessions.fallback("wk", "wm2") for _ in range(2)] == [1, 2]
    await sessions.hold("wk", "wm2", Holder.HUMAN, "lina")
    view = await sessions.view("wk", "wm2")
    assert (view.holder, view.servicer, view.fallbacks) == (Holder.HUMAN, "lina", 0)


def test_a_menu_over_8_items_is_refused() -> None:
    doc = {
        **BASE,
        "welcome": {"text": "hi", "menu": ["a"] * 9},
        "answers": [{"id": "a", "text": "x"}],
    }
    with pytest.raises(RulesInvalid, match="at most 8 items"):
        RULES.normalize(doc)


def test_a_text_over_1024_bytes_is_refused() -> None:
    with pytest.raises(RulesInvalid, match="over 1024 bytes"):
        RULES.normalize({**BASE, "welcome": {"text": "长" * 400}})
