"""The KF bot's parts: FAQ matching, reply bodies, servicer choice, the servicer's note and
WeCom's sending rules (48 h, N replies per customer message) against Redis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from handlers.conversations.faq import FaqError, FaqFileSource, fill, load_faq
from handlers.conversations.handoff import APP_TEXT_BYTES, pick_servicer, servicer_note
from handlers.conversations.needs import Answer, MenuItem
from handlers.conversations.sending import bodies_of, msgid_for
from handlers.conversations.sessions import Holder, KfSessions
from handlers.conversations.transcripts import Line

FAQ = FaqFileSource(None)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("随便问问", "price", "price"),  # the intent wins
        ("你们的年卡怎么办", None, "price"),  # a keyword
        ("ＶＩＰ会员卡", None, "price"),  # full-width and case do not matter
        ("门店在哪里", None, "address"),
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


def test_a_menu_naming_an_unknown_answer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text('[welcome]\ntext = "hi"\nmenu = ["nope"]\n[fallback]\ntext = "?"\n')
    with pytest.raises(FaqError, match="unknown answers: nope"):
        load_faq(path)


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
    note = servicer_note("wmC", "wkKF", "complaint", lines)
    assert "原因：客户投诉" in note and len(note.encode()) <= APP_TEXT_BYTES
    assert "最近消息" in note


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


def test_an_edited_faq_file_is_reloaded_and_a_bad_edit_keeps_the_answers(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    base = '[welcome]\ntext = "hi"\n[fallback]\ntext = "?"\n'
    path.write_text(
        base + '[[answers]]\nid = "a"\ntitle = "A"\nkeywords = ["苹果"]\ntext = "one"\n'
    )
    source = FaqFileSource(path, check_seconds=0.0)
    assert source.by_id("a") == Answer("a", "one")
    path.write_text(
        base + '[[answers]]\nid = "a"\ntitle = "A"\nkeywords = ["苹果"]\ntext = "two!"\n'
    )
    assert source.by_id("a") == Answer("a", "two!")
    path.write_text("[welcome\n")
    assert source.by_id("a") == Answer("a", "two!"), "a bad edit is logged, not applied"


def test_a_menu_over_8_items_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    answer = '[[answers]]\nid = "a"\ntitle = "A"\ntext = "x"\n'
    menu = "menu = [" + ", ".join(['"a"'] * 9) + "]"
    path.write_text(f'[welcome]\ntext = "hi"\n{menu}\n[fallback]\ntext = "?"\n{answer}')
    with pytest.raises(FaqError, match="at most 8 items"):
        load_faq(path)


def test_a_text_over_1024_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text(f'[welcome]\ntext = "{"长" * 400}"\n[fallback]\ntext = "?"\n')
    with pytest.raises(FaqError, match="over 1024 bytes"):
        load_faq(path)
